import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launch } from './browser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'storybook-static');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const ready = chromiumAvailable();
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };

let server: Server;
let browser: Browser;
let base: string;
let stories: Array<{ id: string; title: string; name: string }> = [];

beforeAll(async () => {
  if (!ready) return;
  // Build from the current sources every time: a stale build would test old code.
  execFileSync('pnpm', ['build-storybook'], { cwd: root, stdio: 'ignore' });
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(out, path === '/' ? 'index.html' : path);
    if (!file.startsWith(out) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { entries: Record<string, { id: string; title: string; name: string; type: string }> };
  stories = Object.values(index.entries).filter((entry) => entry.type === 'story');
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe.runIf(ready)('every story in Chromium', () => {
  it('renders, passes its play function, logs no error and has no axe violation', async () => {
    expect(stories.length).toBeGreaterThanOrEqual(24);
    const failures: string[] = [];
    for (const story of stories) {
      const page = await browser.newPage();
      const errors: string[] = [];
      // Chromium's "Failed to load resource" line has no URL: failed responses are tracked below instead.
      page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text()));
      page.on('response', (response) => {
        // Error stories answer 4xx/5xx on purpose; anywhere else a failed response is a bug.
        if (response.status() >= 400 && !story.id.endsWith('error-state')) errors.push(`${response.status()} ${response.url()}`);
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${base}/iframe.html?id=${story.id}&viewMode=story`);
      // Wait until Storybook says the story rendered and its play function (if any) finished.
      const phase = await page
        .waitForFunction(
          () => {
            const render = (window as unknown as { __STORYBOOK_PREVIEW__?: { currentRender?: { phase?: string } } }).__STORYBOOK_PREVIEW__?.currentRender;
            return render && ['completed', 'finished', 'errored', 'aborted'].includes(render.phase ?? '') ? render.phase : false;
          },
          undefined,
          { timeout: 20_000 },
        )
        .then((handle) => handle.jsonValue() as Promise<string>)
        .catch(() => 'timeout');
      if (phase !== 'completed' && phase !== 'finished') failures.push(`${story.id}: ${phase}`);
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (context: Element, options: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
        // A story is a fragment of a page: page-level landmark rules do not apply.
        const result = await axe.run(document.querySelector('#storybook-root') as Element, { rules: { region: { enabled: false } } });
        return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      if (violations.length) failures.push(`${story.id}: axe ${violations.join(', ')}`);
      if (errors.length) failures.push(`${story.id}: console ${errors.join(' | ')}`);
      await page.close();
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
