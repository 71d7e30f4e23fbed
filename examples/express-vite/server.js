// Starts the example: `node server.js` (built page) or `node server.js --dev` (Vite middleware).
import { startFakeUpstream } from '@aiu/testing';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const dev = process.argv.includes('--dev');

/** Without any provider key the example still works: it replays recorded replies, and says so. */
async function providers() {
  const hasKey = ['OPENAI_API_KEY', 'MISTRAL_API_KEY', 'DEEPSEEK_API_KEY', 'XAI_API_KEY', 'GROQ_API_KEY', 'TOGETHER_API_KEY'].some(
    (name) => process.env[name],
  );
  if (hasKey && process.env.AIU_DEMO !== '1') return { providers: undefined, demo: undefined };
  // A recording that fits: a tool call when the prompt names an offered tool, else text.
  const upstream = await startFakeUpstream({ chunkDelayMs: 15, toolCalls: 'asked' });
  const baseURL = `${upstream.url}/v1`;
  const apiKey = 'demo-key-for-the-local-replay';
  console.log(
    '\n  No provider key found (OPENAI_API_KEY, …): running in DEMO MODE.\n' +
      `  Chat replies are recorded provider responses replayed from ${upstream.url}.\n` +
      '  Set a provider key and restart to talk to a real model.\n',
  );
  return {
    providers: {
      openai: { baseURL, apiKey },
      mistral: { baseURL, apiKey },
      deepseek: { baseURL, apiKey },
      xai: { baseURL, apiKey },
    },
    demo: upstream,
  };
}

const { providers: configured, demo } = await providers();
const { app, close } = await createApp({ client: dev ? 'dev' : 'dist', aiu: configured ? { providers: configured } : {}, demo: Boolean(demo) });
const server = app.listen(port, () => {
  console.log(`  aiu example on http://localhost:${port}  (handler at /api/aiu, request log in .aiu/aiu.db)\n`);
});

// Graceful shutdown: stop taking requests, then flush the request log before exiting.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeIdleConnections();
    Promise.all([close(), demo?.close()]).finally(() => process.exit(0));
  });
}
