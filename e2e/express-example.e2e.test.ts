import { mkdirSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteStore } from '@aiu/server/sqlite';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error — the example's app is plain JavaScript, as users would copy it.
import { createApp } from '../examples/express-vite/app.js';
import { chromiumAvailable, launch } from './browser';

const here = dirname(fileURLToPath(import.meta.url));
const example = join(here, '../examples/express-vite');
const shots = join(here, 'screenshots');
const ready = chromiumAvailable();

let upstream: FakeUpstream;
let server: Server;
let close: () => Promise<void>;
let browser: Browser;
let page: Page;
let base: string;
const problems: string[] = [];
let stopped = false;

beforeAll(async () => {
  if (!ready) return;
  mkdirSync(shots, { recursive: true });
  await build({ root: example, logLevel: 'error', configFile: join(example, 'vite.config.ts') });
  // Slow enough to press Stop mid-stream: 303 recorded chunks, 15 ms apart.
  upstream = await startFakeUpstream({ chunkDelayMs: 15 });
  const baseURL = `${upstream.url}/v1`;
  const app = await createApp({
    client: 'dist',
    aiu: {
      store: sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-e2e-')), 'aiu.db') }),
      env: {},
      masterKey: Buffer.alloc(32, 9).toString('base64'),
      logger: { warn() {} },
      // No key in code or env: the chat works only once the key saved in the browser is used.
      providers: { openai: { baseURL }, mistral: { baseURL } },
    },
  });
  close = app.close;
  server = app.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const path = new URL(request.url()).pathname;
    // Only what the user cut short may end early: the stopped reply, and the download handed to the browser.
    const deliberate = request.failure()?.errorText === 'net::ERR_ABORTED' && ((path.endsWith('/chat') && stopped) || path.endsWith('/logs/export'));
    if (!deliberate) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
}, 120_000);

afterAll(async () => {
  if (!ready) return;
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await close?.();
  await upstream?.close();
});

describe.runIf(ready)('the express example in Chromium', () => {
  it('add a key → pick a model → stream → stop one → both in the usage chart and log → export CSV', async () => {
    // Keys
    await page.goto(`${base}/#/keys`);
    await page.getByLabel('API key').fill('sk-e2e-browser-key-000000001234');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByText('Key saved.').waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: '…1234' }).textContent()).toContain('valid');
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    expect(await page.content()).not.toContain('sk-e2e-browser-key');
    await page.screenshot({ path: join(shots, 'keys.png'), fullPage: true });

    // Chat: choose a model with the keyboard, stream a reply to the end.
    await page.getByRole('link', { name: 'Chat' }).click();
    const combobox = page.getByRole('combobox', { name: 'Model' });
    await combobox.click();
    await combobox.fill('gpt-4o-mini');
    await page.getByRole('option').first().waitFor();
    await combobox.press('Enter');
    expect(await combobox.inputValue()).toMatch(/4o mini/i);
    await page.getByRole('button', { name: 'Send' }).click();
    const output = page.getByTestId('output');
    await expect.poll(() => output.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    expect((await output.textContent())?.length).toBeGreaterThan(100);
    expect(await page.getByRole('heading', { name: /^Reply/ }).textContent()).toContain('openai:gpt-4o-mini');
    await page.screenshot({ path: join(shots, 'chat-done.png'), fullPage: true });

    // A second, longer reply, stopped mid-stream.
    await combobox.click();
    await combobox.fill('gpt-4.1-nano');
    await page.getByRole('option').first().waitFor();
    await combobox.press('Enter');
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => output.getAttribute('data-state')).toBe('streaming');
    await expect.poll(async () => (await output.textContent())?.length ?? 0).toBeGreaterThan(40);
    stopped = true;
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => output.getAttribute('data-state')).toBe('aborted');
    await page.screenshot({ path: join(shots, 'chat-stopped.png'), fullPage: true });

    // Usage: both requests in the chart totals and in the log.
    await page.getByRole('link', { name: 'Usage' }).click();
    await expect.poll(() => page.getByTestId('totals').textContent(), { timeout: 10_000 }).toMatch(/^2 requests/);
    const rows = page.getByRole('table', { name: 'Request log' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('data-status')).toBe('aborted');
    expect(await rows.nth(1).getAttribute('data-status')).toBe('success');
    expect(await page.locator('rect[data-series]').count()).toBeGreaterThan(0);
    expect(await page.getByRole('img', { name: 'Usage by requests' }).getAttribute('aria-describedby')).toBeTruthy();
    // What the cost is made of: the recordings cache nothing, carry no audio and run at the standard tier.
    expect(await page.getByTestId('cost-breakdown').textContent()).toMatch(/Saved by the prompt cache\$0\.000000Audio\$0\.000000At flex, priority or other tiers\$0\.000000 \(0 calls\)/);
    await page.screenshot({ path: join(shots, 'usage.png'), fullPage: true });

    // Export CSV: a real download with a header and both rows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
    const path = join(shots, 'export.csv');
    await download.saveAs(path);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(path, 'utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,time,userId/);
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toContain('aborted');

    expect(problems).toEqual([]);
  }, 90_000);
});
