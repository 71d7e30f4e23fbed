// Copies the recorded provider responses from ../shared into this package, so the
// published @aiu/testing ships them. A test fails when the copy drifts. Files written
// here from providers' API docs (see fixtures/DOCS_FIXTURES.md) are left in place.
import { cpSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '../../../../shared/fixtures/providers');
const target = resolve(here, '../fixtures/providers');
if (!existsSync(source)) {
  console.error(`No fixtures at ${source}`);
  process.exit(1);
}
cpSync(source, target, { recursive: true });
console.log(`Copied ${source} → ${target}`);
