import { createRequire } from 'node:module';

/** This package's version, from its package.json (one folder above dist/). */
export function version(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
