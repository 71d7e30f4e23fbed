// Preloaded into a server (`node --import ./heap-sampler.mjs`): from SAMPLE_START_MS after start
// for SAMPLE_MS, V8's sampling heap profiler records allocations — including objects that died in
// a major collection, i.e. those that reached the old generation before becoming garbage — and
// writes the profile to SAMPLE_OUT.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
setTimeout(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: !process.env.SAMPLE_LIVE, includeObjectsCollectedByMinorGC: false });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(process.env.SAMPLE_OUT, JSON.stringify(profile));
  }, Number(process.env.SAMPLE_MS ?? 8000)).unref();
}, Number(process.env.SAMPLE_START_MS ?? 30000)).unref();
