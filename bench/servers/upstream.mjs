// The provider stand-in, in a process of its own so it never shares CPU accounting with a target.
import { startFakeUpstream } from '@aiu/testing';

const chunkDelayMs = Number(process.env.CHUNK_DELAY_MS ?? 0);
const upstream = await startFakeUpstream({ fixture: 'openai/openai-text', ...(chunkDelayMs ? { chunkDelayMs } : {}) });
// Keep no history: benchmarks send hundreds of thousands of requests.
setInterval(() => upstream.requests.splice(0), 1000).unref();
console.log(JSON.stringify({ url: upstream.url }));
