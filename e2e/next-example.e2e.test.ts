import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, chromiumAvailable, launch } from './browser';

/** The Next example as `next start` serves it, with no provider key anywhere: demo mode. */
const app = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'next-app');
let server: ChildProcess;
let base: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

beforeAll(async () => {
  // CI builds it before the tests (.ci/run); a checkout that has not is built here.
  if (!existsSync(join(app, '.next', 'BUILD_ID'))) execFileSync('pnpm', ['build'], { cwd: app, stdio: 'ignore', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'aiu-next-'));
  // next start is production: the keyring needs its master key, as it would in any deployment.
  // AIU_EXAMPLE_OPEN: the example's pages may use the guarded routes under next start (its authorize).
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: cwd,
    NEXT_TELEMETRY_DISABLED: '1',
    AIU_MASTER_KEY: Buffer.alloc(32, 6).toString('base64'),
    AIU_EXAMPLE_OPEN: '1',
    AIU_DB_PATH: join(cwd, 'aiu.db'),
  } as unknown as NodeJS.ProcessEnv;
  server = spawn(join(app, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${base}/api/dashboard`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('next start did not answer');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

const ready = chromiumAvailable();
let browser: Browser | undefined;
describe('the Next example without a provider key', () => {
  it('says it is in demo mode on every page, and its default model answers', async () => {
    expect(await (await fetch(`${base}/api/dashboard`)).json()).toEqual({ demo: true });
    for (const page of ['/', '/compare', '/keys', '/usage']) {
      const html = await (await fetch(`${base}${page}`)).text();
      expect(html, page).toContain('Demo mode:');
    }
    // The model the Chat page starts with is one the catalog lists, and the replayed recording answers it.
    const models = (await (await fetch(`${base}/api/aiu/models?kind=chat`)).json()) as { models: Array<{ id: string }> };
    expect(models.models.map((model) => model.id)).toContain('openai:gpt-4.1-nano');
    const reply = await fetch(`${base}/api/aiu/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }], stream: false }),
    });
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { text: string }).text.length).toBeGreaterThan(20);
  });
});

describe.runIf(ready)('the Next example in Chromium', () => {
  it('walks every page in demo mode: a chat that is kept, a reasoning model\'s reasoning, compare, keys and usage', async () => {
    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()}: ${response.request().method()} ${response.url()}`));
    let reloading = false;
    page.on('requestfailed', (request) => {
      // Next prefetches the pages its links lead to; a page load cancels the prefetches still going,
      // as a reload cancels a read still going (the page asks again once it is back).
      const aborted = request.failure()?.errorText === 'net::ERR_ABORTED';
      const deliberate = aborted && (new URL(request.url()).searchParams.has('_rsc') || (reloading && request.method() === 'GET'));
      if (!deliberate) problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
    });
    const check = async (name: string) => {
      expect(await axeViolations(page), name).toEqual([]);
      const { mkdirSync } = await import('node:fs');
      const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `next-${name}.png`), fullPage: true });
    };

    // Chat: the banner says replies are recorded; the default model is there and answers.
    await page.goto(`${base}/`);
    expect(await page.getByRole('status').filter({ hasText: 'Demo mode:' }).count()).toBe(1);
    const combobox = page.getByRole('combobox', { name: 'Model' });
    await expect.poll(() => combobox.inputValue()).toMatch(/GPT-4\.1 nano/i);
    const box = page.getByLabel('Message');
    await box.fill('Invent a new holiday.');
    await box.press('Enter');
    const output = page.getByTestId('output');
    await expect.poll(() => output.getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    expect(await output.locator('strong').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state')).toBe('saved');
    await check('chat');

    // A reasoning model's reply shows its reasoning, folded away.
    await page.getByRole('button', { name: 'New chat' }).first().click();
    await combobox.click();
    await combobox.fill('o4-mini');
    await page.getByRole('option').first().waitFor();
    await combobox.press('Enter');
    await box.fill('Say a single word.');
    await box.press('Enter');
    await expect.poll(() => output.getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    const reasoning = page.locator('details.reasoning');
    expect(await reasoning.count()).toBe(1);
    await reasoning.locator('summary').click();
    expect((await reasoning.textContent())?.length).toBeGreaterThan(100);
    await expect.poll(() => page.getByTestId('reply-usage').count()).toBe(1);
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state')).toBe('saved');

    // Reloaded, both chats are there (kept in aiu's store through the Next route).
    reloading = true;
    await page.reload();
    reloading = false;
    const history = page.getByRole('complementary', { name: 'Past chats' });
    await expect.poll(() => history.textContent()).toContain('Invent a new holiday.');
    expect(await history.textContent()).toContain('Say a single word.');

    // Compare: two models side by side.
    await page.goto(`${base}/compare`);
    await page.getByLabel('Prompt').fill('Invent a holiday.');
    await page.getByRole('button', { name: 'Compare' }).click();
    const columns = page.locator('.compare-column');
    await expect.poll(async () => (await columns.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-state')))).every((state) => state === 'done'), { timeout: 20_000 }).toBe(true);
    await page.getByTestId('winners').waitFor();
    await check('compare');

    // Keys: stored, and honestly not checked in demo mode.
    await page.goto(`${base}/keys`);
    await page.getByText('not checked with the provider').waitFor();
    await page.getByLabel('API key').fill('sk-next-browser-key-0000005678');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByText('Key saved.').waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: '…5678' }).textContent()).toContain('unchecked');
    await check('keys');

    // Usage: every call so far, in the chart and the log.
    await page.goto(`${base}/usage`);
    await expect.poll(() => page.getByTestId('totals').textContent(), { timeout: 10_000 }).toMatch(/^\d+ requests/);
    const requests = Number((await page.getByTestId('totals').textContent())?.match(/^(\d+)/)?.[1]);
    expect(requests).toBeGreaterThanOrEqual(4);
    await expect.poll(() => page.getByRole('table', { name: 'Request log' }).locator('tbody tr').count()).toBe(requests);
    await check('usage');

    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
