import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The recorded provider responses shipped with this package (a copy of the repo's shared fixtures). */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/providers');

export interface Fixture {
  /** `folder/name`, e.g. `openai/openai-text`. */
  name: string;
  /** Each line of `<name>.chunks.txt`: the `data:` payload of one SSE event. */
  chunks: string[] | null;
  /** `<name>.json`, the matching non-streamed body. */
  json: unknown;
}

export function loadFixture(name: string, dir = FIXTURES_DIR): Fixture {
  const base = join(dir, name);
  return { name, chunks: readChunks(`${base}.chunks.txt`), json: readJson(`${base}.json`) };
}

/** Every fixture name under a folder (`openai-compatible`) or all folders. */
export function listFixtures(folder?: string, dir = FIXTURES_DIR): string[] {
  const folders = folder ? [folder] : readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const names = new Set<string>();
  for (const f of folders) {
    for (const file of readdirSync(join(dir, f))) {
      const match = /^(.*?)(?:\.chunks\.txt|\.json)$/.exec(file);
      if (match?.[1]) names.add(`${f}/${match[1]}`);
    }
  }
  return [...names].sort();
}

function readChunks(path: string): string[] | null {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0);
  } catch {
    return null;
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
