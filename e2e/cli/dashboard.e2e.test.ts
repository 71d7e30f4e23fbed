import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launch } from '../browser';
import { ensureBuilt, finished, spawnAiu, tempDir, waitForLine } from './cli';

const ready = chromiumAvailable();
let upstream: FakeUpstream;
let browser: Browser;

beforeAll(async () => {
  if (!ready) return;
  ensureBuilt();
  upstream = await startFakeUpstream({ chunkDelayMs: 2 });
  browser = await launch();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await upstream?.close();
});

describe.runIf(ready)("aiu serve's dashboard in Chromium", () => {
  it('chats through the prebuilt pages under its CSP, and the call shows on the Usage page', async () => {
    const dir = tempDir();
    const env = { AIU_MASTER_KEY: Buffer.alloc(32, 4).toString('base64'), AIU_DATABASE_URL: join(dir, 'aiu.db'), OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'sk-dashboard-00000000000000000000' };
    const child = spawnAiu(['serve', '--port', '0', '--json'], { cwd: dir, env });
    child.stdin?.end();
    const done = finished(child);
    const { url } = JSON.parse(await waitForLine(child, (line) => line.includes('"listening"'))) as { url: string };
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

      await page.goto(`${url}/#/chat`);
      const combobox = page.getByRole('combobox', { name: 'Model' });
      await combobox.click();
      await combobox.fill('gpt-4.1-nano');
      await page.getByRole('option').first().waitFor();
      await combobox.press('Enter');
      await page.getByLabel('Message').fill('Invent a holiday.');
      await page.getByRole('button', { name: 'Send' }).click();
      const output = page.getByTestId('output');
      await expect.poll(() => output.getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
      expect((await output.textContent())?.length).toBeGreaterThan(100);

      await page.getByRole('link', { name: 'Usage' }).click();
      const rows = page.getByRole('table', { name: 'Request log' }).locator('tbody tr');
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
      expect(await rows.nth(0).getAttribute('data-status')).toBe('success');
      // A CSP violation or a failed script is a console error: none.
      expect(problems).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    }
  }, 90_000);
});
