import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

// The page manages keys: it runs only its own scripts, talks only to this server and is never framed.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  body: Buffer;
  type: string;
  immutable: boolean;
}

/**
 * The prebuilt dashboard (the example app's pages), served from memory: the file list is read
 * once at start, so no request path ever reaches the file system.
 */
export class Dashboard {
  private readonly assets = new Map<string, Asset>();

  constructor(readonly directory: string) {
    if (!existsSync(join(directory, 'index.html'))) return;
    for (const file of walk(directory)) {
      const path = `/${relative(directory, file).split(sep).join('/')}`;
      // Vite names built assets by content hash: they never change under the same name.
      this.assets.set(path, { body: readFileSync(file), type: TYPES[extname(file)] ?? 'application/octet-stream', immutable: path.startsWith('/assets/') });
    }
  }

  get built(): boolean {
    return this.assets.has('/index.html');
  }

  /** Whether a GET for this path is the dashboard's (its pages are one document; it routes by `#/…`). */
  serves(path: string): boolean {
    return path === '/' || this.assets.has(path);
  }

  serve(path: string, req: IncomingMessage, res: ServerResponse): void {
    const asset = this.assets.get(path === '/' ? '/index.html' : path);
    if (!asset) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...PAGE_HEADERS });
      res.end('The dashboard is not built into this copy of @aiu/cli (run pnpm build). Every API route works.\n');
      return;
    }
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': String(asset.body.byteLength),
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...PAGE_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  settings(res: ServerResponse, body: { demo: boolean }): void {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
    res.end(text);
  }
}

function* walk(directory: string): Generator<string> {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
