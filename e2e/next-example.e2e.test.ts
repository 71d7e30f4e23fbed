import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: cwd, NEXT_TELEMETRY_DISABLED: '1', AIU_MASTER_KEY: Buffer.alloc(32, 6).toString('base64') } as unknown as NodeJS.ProcessEnv;
  server = spawn(join(app, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${base}/api/dashboard`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('next start did not answer');
}, 300_000);

afterAll(() => {
  server?.kill('SIGTERM');
});

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
