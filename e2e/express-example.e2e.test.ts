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
import { axeViolations, chromiumAvailable, launch } from './browser';

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
let database: string;
const problems: string[] = [];
let stopped = false;
let reloading = false;

/** The user reloads the page. */
async function reload(): Promise<void> {
  reloading = true;
  try {
    await page.reload();
  } finally {
    reloading = false;
  }
}

beforeAll(async () => {
  if (!ready) return;
  mkdirSync(shots, { recursive: true });
  await build({ root: example, logLevel: 'error', configFile: join(example, 'vite.config.ts') });
  // Slow enough to press Stop mid-stream: 303 recorded chunks, 15 ms apart.
  upstream = await startFakeUpstream({ chunkDelayMs: 15, toolCalls: 'asked' });
  database = join(mkdtempSync(join(tmpdir(), 'aiu-e2e-')), 'aiu.db');
  await startExample(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const path = new URL(request.url()).pathname;
    // Only what the user cut short may end early: the stopped reply, the download handed to the
    // browser, and a read still going when the user reloads (the page asks again once it is back).
    const aborted = request.failure()?.errorText === 'net::ERR_ABORTED';
    const deliberate = aborted && ((path.endsWith('/chat') && stopped) || path.endsWith('/logs/export') || (reloading && request.method() === 'GET'));
    if (!deliberate) problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
}, 120_000);

/** The example's server on the test's SQLite file: started again on the same port, it is a restart. */
async function startExample(port: number): Promise<void> {
  const baseURL = `${upstream.url}/v1`;
  const app = await createApp({
    client: 'dist',
    aiu: {
      store: sqliteStore({ path: database }),
      env: {},
      masterKey: Buffer.alloc(32, 9).toString('base64'),
      logger: { warn() {} },
      // No key in code or env: the chat works only once the key saved in the browser is used.
      providers: { openai: { baseURL }, mistral: { baseURL } },
    },
  });
  close = app.close;
  server = app.app.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
}

async function stopExample(): Promise<void> {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await close?.();
}

afterAll(async () => {
  if (!ready) return;
  await browser?.close();
  await stopExample();
  await upstream?.close();
});

async function checkPage(name: string): Promise<void> {
  expect(await axeViolations(page), name).toEqual([]);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function pickModel(label: string, query: string): Promise<void> {
  const combobox = page.getByRole('combobox', { name: label });
  await combobox.click();
  await combobox.fill(query);
  await page.getByRole('option').first().waitFor();
  await combobox.press('Enter');
}

describe.runIf(ready)('the express example in Chromium', () => {
  it('keys → client key used by the OpenAI SDK → a multi-turn chat with markdown, stop, reload → compare three models → usage → export', async () => {
    // Keys: a provider key, checked and stored; a client key, shown once.
    await page.goto(`${base}/#/keys`);
    await page.getByText('No keys stored yet').waitFor();
    await page.getByLabel('API key').fill('sk-e2e-browser-key-000000001234');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByText('Key saved.').waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: '…1234' }).textContent()).toContain('valid');
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    expect(await page.content()).not.toContain('sk-e2e-browser-key');
    await page.getByLabel('Name').fill('sdk app');
    await page.getByRole('button', { name: 'Create client key' }).click();
    const secret = await page.getByLabel('New client key').inputValue();
    expect(secret).toMatch(/^aiu_/);
    // The throwaway secret is in this screenshot only, never in the docs' one (taken after Done).
    await checkPage('keys-created');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);
    await checkPage('keys');

    // The client key, as any OpenAI SDK would use it: limited, logged and priced like the rest.
    const { default: OpenAI } = await import('openai');
    const sdk = new OpenAI({ baseURL: `${base}/api/aiu/v1`, apiKey: secret });
    const completion = await sdk.chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }] });
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(20);
    await reload();
    const keyRow = page.getByRole('row').filter({ hasText: 'sdk app' });
    await expect.poll(() => keyRow.textContent()).toMatch(/\$0\.\d*[1-9]/);

    // Chat: Enter sends, the box clears, the reply renders as markdown with its cost.
    await page.getByRole('link', { name: 'Chat' }).click();
    await pickModel('Model', 'gpt-4o-mini');
    const box = page.getByLabel('Message');
    await box.fill('Invent a new holiday.');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('');
    const output = page.getByTestId('output');
    await expect.poll(() => output.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    expect(await output.locator('strong').count()).toBeGreaterThan(0);
    expect(await output.textContent()).not.toContain('**');
    await expect.poll(() => page.getByTestId('reply-usage').first().textContent()).toMatch(/\d+ in · \d+ out · \$0\.\d+ · openai:gpt-4o-mini/);

    // Turn two, stopped mid-stream: both user messages stay, the stopped reply shows what the log billed.
    await box.fill('And another one,\nwith a second line.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => output.getAttribute('data-state')).toBe('streaming');
    await expect.poll(async () => (await output.textContent())?.length ?? 0).toBeGreaterThan(40);
    stopped = true;
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('.message[data-role="assistant"] .bubble').nth(1).getAttribute('data-state')).toBe('aborted');
    const conversation = page.getByRole('list', { name: 'Conversation' });
    expect(await conversation.locator('.message[data-role="user"]').count()).toBe(2);
    await expect.poll(() => page.getByTestId('reply-usage').nth(1).textContent(), { timeout: 10_000 }).toContain('(estimated: stopped)');
    await checkPage('chat');

    // Regenerate asks again for the last reply, in its place.
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(() => output.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    expect(await conversation.locator('.message[data-role="assistant"]').count()).toBe(2);

    // An image goes with the prompt: the thread shows it, the provider gets it as an image part.
    await page.getByLabel('Attach image').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64') });
    await box.fill('What is in this picture?');
    await box.press('Enter');
    await expect.poll(() => conversation.locator('.message[data-role="user"] img').count()).toBe(1);
    await expect.poll(() => output.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    const sent = JSON.stringify(upstream.requests.at(-1)?.body);
    expect(sent).toContain('data:image/png;base64,iVBORw0KGgo');

    // A reload keeps the conversation (and its title in the list of past chats), once it says it is
    // saved: the reply's cost is in the chat (its last change), and the server has that.
    await expect.poll(() => page.getByTestId('reply-usage').count()).toBe(3);
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state')).toBe('saved');
    await reload();
    await expect.poll(() => page.getByRole('list', { name: 'Conversation' }).locator('.message[data-role="user"]').count()).toBe(3);
    expect(await page.getByRole('complementary', { name: 'Past chats' }).textContent()).toContain('Invent a new holiday.');
    expect(await page.getByTestId('conversation-totals').textContent()).toMatch(/^3 replies/);

    // A tool call, asked first: the server's weather tool runs once allowed, and the model answers with its result.
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByText('Settings').click();
    await page.getByLabel('Let the model look up the weather').check();
    await page.getByLabel('Message').fill('What is the weather in San Francisco?');
    await page.getByLabel('Message').press('Enter');
    await page.getByRole('button', { name: 'Allow' }).click();
    const tool = page.locator('.tool');
    await expect.poll(() => tool.getAttribute('data-state'), { timeout: 15_000 }).toBe('output-available');
    expect(await tool.textContent()).toMatch(/weather.*San Francisco.*"temperatureC": 16/s);
    await expect.poll(() => output.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    expect((await output.textContent())?.length).toBeGreaterThan(100);
    await checkPage('chat-tool');

    // Compare: three models at once, then who won what.
    await page.getByRole('link', { name: 'Compare' }).click();
    await page.getByRole('button', { name: 'Add a model' }).click();
    await pickModel('Model 3', 'gpt-4.1-mini');
    await page.getByLabel('Prompt').fill('Invent a holiday.');
    await page.getByRole('button', { name: 'Compare' }).click();
    const columns = page.locator('.compare-column');
    await expect.poll(() => columns.count()).toBe(3);
    await expect.poll(async () => (await columns.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-state')))).join(), { timeout: 20_000 }).toBe('done,done,done');
    await page.getByTestId('winners').waitFor();
    expect(await page.getByTestId('winners').textContent()).toMatch(/Cheapestopenai:/);
    for (const stats of await page.getByTestId('compare-stats').all()) expect(await stats.textContent()).toMatch(/First token\d+ msLatency\d+ msTokens\d+ in · \d+ outCost\$/);
    await checkPage('compare');

    // Usage: every call so far (the SDK's, two chat turns, a regenerated one, one with an image, the tool call and its answer, three compared).
    await page.getByRole('link', { name: 'Usage' }).click();
    await expect.poll(() => page.getByTestId('totals').textContent(), { timeout: 10_000 }).toMatch(/^10 requests/);
    const rows = page.getByRole('table', { name: 'Request log' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(10);
    expect(await rows.first().locator('td').first().textContent()).toMatch(/\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2}:\d{2}/);
    expect(await page.locator('rect[data-series]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('summary').textContent()).toMatch(/Requests10Cost\$0\.\d+Tokens[\d,]+ in · [\d,]+ outError rate0\.0%/);
    // The metric switch and the grouping redraw the chart; the client key's spend has its own table.
    await page.getByLabel('Show').selectOption('latencyP95');
    await expect.poll(() => page.getByRole('img', { name: 'Usage by latencyP95' }).count()).toBe(1);
    await page.getByLabel('Group by').selectOption('clientKey');
    await expect.poll(() => page.getByRole('list', { name: 'Legend' }).textContent()).toContain('sdk app');
    expect(await page.getByRole('table', { name: 'Spend per client key' }).locator('tbody').textContent()).toMatch(/^sdk app1\$0\.\d+$/);
    expect(await page.getByTestId('costly').locator('li').count()).toBe(5);
    await checkPage('usage');
    // The filtered log, one call in detail, and the export of what is shown.
    await page.getByLabel('Status').selectOption('aborted');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().getByRole('button', { name: /^Details/ }).click();
    const drawer = page.getByRole('dialog', { name: /^Call req_/ });
    await expect.poll(() => drawer.getByTestId('log-detail').textContent()).toMatch(/Statusaborted \(aborted\), estimated/);
    expect(await drawer.textContent()).toMatch(/Attemptsopenai:gpt-4o-mini: /);
    await checkPage('usage-detail');
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
    const path = join(shots, 'export.csv');
    await download.saveAs(path);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(path, 'utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,time,userId/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',aborted,');

    // Deleting asks first.
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Revoke client key sdk app' }).click();
    await page.getByRole('button', { name: 'Revoke client key sdk app?' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'sdk app' }).getAttribute('data-state')).toBe('revoked');

    expect(problems).toEqual([]);
  }, 150_000);

  it('chats live in aiu\'s store: another browser sees them, and they survive a server restart', async () => {
    const port = Number(new URL(base).port);
    await stopExample();
    await startExample(port);
    // A new browser context: no localStorage, no cache — only what the server kept.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await context.newPage();
    try {
      await other.goto(`${base}/#/chat`);
      const history = other.getByRole('complementary', { name: 'Past chats' });
      await expect.poll(() => history.textContent(), { timeout: 10_000 }).toContain('Invent a new holiday.');
      expect(await history.textContent()).toContain('What is the weather in San Francisco?');
      await history.getByRole('button', { name: 'Invent a new holiday.' }).click();
      const thread = other.getByRole('list', { name: 'Conversation' });
      await expect.poll(() => thread.locator('.message[data-role="user"]').count()).toBe(3);
      expect(await thread.locator('.message[data-role="user"] img').count()).toBe(1);
      expect(await other.getByTestId('conversation-totals').textContent()).toMatch(/^3 replies/);

      // Deleting asks first, and the chat is gone for everyone.
      await other.getByRole('button', { name: 'Delete this chat' }).click();
      await other.getByRole('button', { name: 'Delete this chat?' }).click();
      await expect.poll(() => history.textContent()).not.toContain('Invent a new holiday.');
      const listed = (await (await fetch(`${base}/api/aiu/conversations`)).json()) as { conversations: Array<{ title: string }> };
      expect(listed.conversations.map((c) => c.title)).toEqual(['What is the weather in San Francisco?']);
    } finally {
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('works from the keyboard alone, with a visible focus on every stop', async () => {
    const keys = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const unseen = new Set<string>();
    keys.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    /** Tabs until `target` has the focus (never the mouse), noting any stop on the way without a visible focus ring. */
    const tabTo = async (target: ReturnType<Page['getByRole']>, max = 80) => {
      for (let i = 0; i < max; i++) {
        const here = await keys.evaluate(() => {
          const active = document.activeElement as HTMLElement | null;
          if (!active || active === document.body) return null;
          const style = getComputedStyle(active);
          const ring = (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none';
          return { ring, name: `${active.tagName.toLowerCase()} "${(active.getAttribute('aria-label') ?? active.textContent ?? '').trim().slice(0, 40)}"` };
        });
        if (here && !here.ring) unseen.add(here.name);
        if (await target.evaluate((node) => node === document.activeElement)) return;
        await keys.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${String(target)}`);
    };
    try {
      // Keys: a provider key typed and saved with Enter (the rest of the walk calls the model with it).
      await keys.goto(`${base}/#/keys`);
      await tabTo(keys.getByLabel('API key'));
      await keys.keyboard.type('sk-e2e-keyboard-key-00000000abcd');
      await keys.keyboard.press('Enter');
      await keys.getByText('Key saved.').waitFor();

      await tabTo(keys.getByRole('link', { name: 'Chat' }));
      await keys.keyboard.press('Enter');
      await keys.getByRole('complementary', { name: 'Past chats' }).getByRole('button').nth(1).waitFor();

      // Chat: a new chat, a model picked by typing and Enter, a prompt sent with Enter.
      await tabTo(keys.getByRole('complementary', { name: 'Past chats' }).getByRole('button', { name: 'New chat' }).first());
      await keys.keyboard.press('Enter');
      await tabTo(keys.getByRole('combobox', { name: 'Model' }));
      await keys.keyboard.press('Control+A');
      await keys.keyboard.type('gpt-4o-mini');
      await keys.getByRole('option').first().waitFor();
      await keys.keyboard.press('ArrowDown');
      await keys.keyboard.press('Enter');
      expect(await keys.getByRole('combobox', { name: 'Model' }).inputValue()).toMatch(/GPT-4o mini/i);
      await tabTo(keys.getByLabel('Message'));
      await keys.keyboard.type('Invent a holiday, by keyboard.');
      await keys.keyboard.press('Enter');
      await expect.poll(() => keys.getByTestId('output').getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
      // Copy and Regenerate are reachable too.
      await tabTo(keys.getByRole('button', { name: 'Regenerate' }));

      // Pages are links in the tab order.
      await tabTo(keys.getByRole('link', { name: 'Usage' }));
      await keys.keyboard.press('Enter');
      await expect.poll(() => keys.evaluate(() => location.hash)).toBe('#/usage');

      // Usage: the metric from its select, a call's details opened and closed, focus back where it was.
      await tabTo(keys.getByLabel('Show'));
      await keys.keyboard.press('ArrowDown');
      await expect.poll(() => keys.getByLabel('Show').inputValue()).not.toBe('cost');
      const details = keys.getByRole('table', { name: 'Request log' }).getByRole('button', { name: /^Details/ }).first();
      await details.waitFor();
      await tabTo(details);
      await keys.keyboard.press('Enter');
      const drawer = keys.getByRole('dialog', { name: /^Call req_/ });
      await drawer.getByTestId('log-detail').waitFor();
      await keys.keyboard.press('Escape');
      await expect.poll(() => drawer.count()).toBe(0);
      expect(await details.evaluate((node) => node === document.activeElement)).toBe(true);

      // Compare: a prompt, then the Compare button with Space.
      await keys.goto(`${base}/#/compare`);
      await tabTo(keys.getByLabel('Prompt'));
      await keys.keyboard.type('Invent a holiday.');
      await tabTo(keys.getByRole('button', { name: 'Compare' }));
      await keys.keyboard.press('Space');
      const columns = keys.locator('.compare-column');
      await expect.poll(async () => (await columns.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-state')))).every((state) => state === 'done'), { timeout: 20_000 }).toBe(true);

      // Keys: a client key made and dismissed without a pointer.
      await keys.goto(`${base}/#/keys`);
      await tabTo(keys.getByLabel('Name'));
      await keys.keyboard.type('keyboard app');
      await keys.keyboard.press('Enter');
      await keys.getByLabel('New client key').waitFor();
      await tabTo(keys.getByRole('button', { name: 'Done' }));
      await keys.keyboard.press('Enter');
      await expect.poll(() => keys.getByRole('row').filter({ hasText: 'keyboard app' }).count()).toBe(1);

      expect([...unseen], 'focus stops without a visible focus ring').toEqual([]);
    } finally {
      await keys.close();
    }
    expect(problems).toEqual([]);
  }, 90_000);

  it('fits 360 px: no page scrolls sideways', async () => {
    const narrow = await browser.newPage({ viewport: { width: 360, height: 780 } });
    try {
      for (const name of ['chat', 'compare', 'keys', 'usage']) {
        await narrow.goto(`${base}/#/${name}`);
        await narrow.waitForLoadState('networkidle');
        // The page itself must not scroll sideways (a wide table may, inside its own scroller).
        const overflow = await narrow.evaluate(() => ({
          by: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          widest: [...document.querySelectorAll('body *')]
            .filter((node) => node.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter((node) => !node.parentElement || node.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)
            .map((node) => `${node.tagName.toLowerCase()}.${node.getAttribute('class') ?? ''} in ${node.parentElement?.tagName.toLowerCase()}.${node.parentElement?.getAttribute('class') ?? ''}`)
            .slice(0, 6),
        }));
        expect(overflow.by, `${name}: ${overflow.widest.join(', ')}`).toBeLessThanOrEqual(0);
        await narrow.screenshot({ path: join(shots, `${name}-360.png`), fullPage: true });
      }
    } finally {
      await narrow.close();
    }
  }, 60_000);
});
