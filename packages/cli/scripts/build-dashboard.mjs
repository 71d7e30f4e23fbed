// Builds the example app's pages into dist/dashboard: what `aiu serve` shows at `/`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const example = join(here, '../../../examples/express-vite');
if (!existsSync(join(example, 'index.html'))) {
  console.warn('[aiu cli] examples/express-vite is not here: building without the dashboard.');
} else {
  await build({
    root: example,
    configFile: join(example, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: join(here, '../dist/dashboard'), emptyOutDir: true },
  });
}
