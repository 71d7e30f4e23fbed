import { type Aiu, createAiu, type ProvidersOption } from '@aiu/server';
import { sqliteStore } from '@aiu/server/sqlite';
// @ts-expect-error — the Express example's tools are plain JavaScript, shared as its pages are.
import { exampleTools } from '../../express-vite/tools.js';

const globalForAiu = globalThis as unknown as { aiu?: Promise<Aiu> };

const PROVIDER_KEYS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GOOGLE_API_KEY', 'MISTRAL_API_KEY', 'DEEPSEEK_API_KEY', 'XAI_API_KEY', 'GROQ_API_KEY', 'TOGETHER_API_KEY', 'OPENROUTER_API_KEY'];

/** No provider key in the environment (or AIU_DEMO=1): replies are recorded ones, replayed locally. */
export function isDemo(): boolean {
  return process.env.AIU_DEMO === '1' || !PROVIDER_KEYS.some((name) => process.env[name]);
}

/** Demo mode: the recorded provider responses of @aiu/testing, served on loopback, for every OpenAI-wire provider. */
async function demoProviders(): Promise<ProvidersOption> {
  const { startFakeUpstream } = await import('@aiu/testing');
  // A recording that fits: a tool call when the prompt names an offered tool, else text.
  const upstream = await startFakeUpstream({ chunkDelayMs: 15, toolCalls: 'asked' });
  const baseURL = `${upstream.url}/v1`;
  const apiKey = 'demo-key-for-the-local-replay';
  console.log(`\n  No provider key found: DEMO MODE, replies are recorded responses replayed from ${upstream.url}.\n`);
  return { openai: { baseURL, apiKey }, mistral: { baseURL, apiKey }, deepseek: { baseURL, apiKey }, xai: { baseURL, apiKey } };
}

/**
 * Next has no socket address, so the guarded routes (keys, the log, usage, saved chats) need
 * `authorize`: here, allowed in development, and under `next start` only with AIU_EXAMPLE_OPEN=1 —
 * for trying it on your own machine, never on a server others can reach (a real app decides from
 * its own session: who is signed in, as whom).
 */
const openToAll = () => process.env.NODE_ENV !== 'production' || process.env.AIU_EXAMPLE_OPEN === '1';

/**
 * One aiu per server process, created on the first request (Next evaluates route modules
 * while it builds; production settings are checked when it serves). Keys: OPENAI_API_KEY
 * etc., or stored through the Keys page.
 */
export function getAiu(): Promise<Aiu> {
  globalForAiu.aiu ??= (async () => {
    const providers = isDemo() ? await demoProviders() : undefined;
    // The embedded default, at a path of your choosing (AIU_DB_PATH).
    const store = sqliteStore({ path: process.env.AIU_DB_PATH ?? '.aiu/aiu.db' });
    return createAiu({ store, authorize: openToAll, tools: exampleTools, ...(providers ? { providers } : {}) });
  })();
  globalForAiu.aiu.catch(() => (globalForAiu.aiu = undefined));
  return globalForAiu.aiu;
}
