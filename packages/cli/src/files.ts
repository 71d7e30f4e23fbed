import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';

/** Writes a file whole or not at all: a temporary file beside it, then a rename. */
export async function writeAtomically(path: string, text: string, mode = 0o600): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * `.env` with some variables set: lines that set them are replaced in place, new ones appended,
 * everything else (comments, other variables, order) kept as it was.
 */
export function withEnvValues(path: string, values: Record<string, string>): string {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const pending = new Map(Object.entries(values));
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const updated = lines.map((line) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name === undefined || !pending.has(name)) return line;
    const value = pending.get(name) as string;
    pending.delete(name);
    return `${name}=${quote(value)}`;
  });
  for (const [name, value] of pending) updated.push(`${name}=${quote(value)}`);
  return `${updated.join('\n')}\n`;
}

const quote = (value: string) => (/^[A-Za-z0-9_./:@%+=,-]*$/.test(value) ? value : JSON.stringify(value));
