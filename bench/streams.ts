// Many streams: 1,000 concurrent slow streams (the upstream sends a chunk every 20 ms), all
// through one aiu process with its SQLite log: do all complete, how much memory, all logged?
import http from 'node:http';
import { peakRssMb, startScript } from './procs';
import type { Benchmark, Figure } from './stats';

function stream(url: string, agent: http.Agent, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(response.statusCode === 200 && text.includes('event: finish')));
      },
    );
    request.on('error', () => resolve(false));
    request.end(body);
  });
}

export const streamsBenchmark: Benchmark = {
  name: 'Many streams',
  async run({ quick, log }) {
    const count = quick ? 300 : 1000;
    const upstream = await startScript('servers/upstream.mjs', { CHUNK_DELAY_MS: '20' }, '1');
    const aiu = await startScript('servers/aiu.mjs', { UPSTREAM_URL: upstream.url, MODE: 'node' });
    try {
      const agent = new http.Agent({ keepAlive: true, maxSockets: count });
      // Each stream replays the 303-chunk OpenAI recording at 20 ms a chunk: about 6 s upstream.
      const body = JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] });
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: count }, () => stream(`${aiu.url}/chat`, agent, body)));
      const seconds = (performance.now() - started) / 1000;
      agent.destroy();
      const logs = (await (await fetch(`${aiu.url}/logs?limit=500`)).json()) as { entries: unknown[]; nextCursor: string | null };
      let logged = logs.entries.length;
      let cursor = logs.nextCursor;
      while (cursor) {
        const page = (await (await fetch(`${aiu.url}/logs?limit=500&cursor=${cursor}`)).json()) as { entries: unknown[]; nextCursor: string | null };
        logged += page.entries.length;
        cursor = page.nextCursor;
      }
      const completed = results.filter(Boolean).length;
      log(`${completed}/${count} streams completed in ${seconds.toFixed(1)} s, ${logged} logged`);
      const figures: Figure[] = [
        { name: `${count} concurrent slow streams: completed`, value: completed, unit: 'streams', goal: { value: count, lowerIsBetter: false } },
        { name: `${count} concurrent slow streams: logged`, value: logged, unit: 'entries', goal: { value: count, lowerIsBetter: false } },
        { name: `${count} concurrent slow streams: peak RSS of the aiu process`, value: peakRssMb(aiu.pid), unit: 'MB', goal: { value: 300, lowerIsBetter: true } },
        { name: `${count} concurrent slow streams: wall time`, value: seconds, unit: 's' },
      ];
      return figures;
    } finally {
      await aiu.stop();
      await upstream.stop();
    }
  },
};
