// Records which @pydantic/genai-prices release is installed and when it was published, so
// `/models` can say how fresh the prices are. Run after upgrading the package:
//   pnpm --filter @aiu/server up @pydantic/genai-prices && pnpm --filter @aiu/server stamp-price-data
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const entry = require.resolve('@pydantic/genai-prices');
const { version } = JSON.parse(readFileSync(join(entry.slice(0, entry.lastIndexOf('genai-prices') + 'genai-prices'.length), 'package.json'), 'utf8'));
const times = JSON.parse(execFileSync('npm', ['view', `@pydantic/genai-prices@${version}`, 'time', '--json'], { encoding: 'utf8' }));
const published = times[version];
const releasedAt = published ? new Date(published).toISOString().slice(0, 10) : null;

const target = join(here, '..', 'src', 'catalog', 'priceDataRelease.ts');
const text = `// Written by scripts/stamp-price-data.mjs; a test fails when it no longer matches the installed package.
import type { PriceData } from '@aiu/core';

export const PRICE_DATA: PriceData = { source: '@pydantic/genai-prices', version: '${version}', releasedAt: ${releasedAt ? `'${releasedAt}'` : 'null'} };
`;
writeFileSync(`${target}.tmp`, text);
renameSync(`${target}.tmp`, target);
console.log(`price data: @pydantic/genai-prices ${version}, released ${releasedAt ?? 'unknown'}`);
