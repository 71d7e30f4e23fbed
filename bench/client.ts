// Client: the browser cost of @aiu/react (+ the parts of @aiu/core it pulls) next to
// @ai-sdk/react's useChat, bundled the same way from the published builds (dist, as an app's
// bundler meets them); and React commits per second while StreamingOutput receives 2,000
// tokens/s, next to a naive setState-per-token component.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { median, type Benchmark, type Figure } from './stats';

async function bundled(entry: string): Promise<number> {
  const result = await build({
    stdin: { contents: entry, resolveDir: import.meta.dirname, loader: 'tsx' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    external: ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/react-query'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return gzipSync(Buffer.from(result.outputFiles[0]?.contents ?? new Uint8Array())).byteLength / 1024;
}

/** Commits per second while tokens arrive, and the animation frames jsdom ran per second in the same window. */
async function commitsPerSecond(kind: 'aiu' | 'naive', tokensPerSecond: number, seconds: number): Promise<{ commits: number; frames: number; perFrame: number }> {
  const { JSDOM } = await import('jsdom');
  const dom = new JSDOM('<!doctype html><body></body>', { pretendToBeVisual: true });
  Object.assign(globalThis, { window: dom.window, document: dom.window.document, requestAnimationFrame: dom.window.requestAnimationFrame.bind(dom.window), cancelAnimationFrame: dom.window.cancelAnimationFrame.bind(dom.window) });
  const React = await import('react');
  const { createRoot } = await import('react-dom/client');
  const { StreamingOutput } = await import('@aiu/react');
  const interval = 1000 / tokensPerSecond;
  let tokensEnded = Infinity;
  async function* tokens() {
    const end = Date.now() + seconds * 1000;
    let next = performance.now();
    while (Date.now() < end) {
      next += interval;
      // Timers cannot fire every 0.5 ms: send as many tokens as are due on each wake-up.
      while (performance.now() < next) await new Promise((resolve) => setTimeout(resolve, 1));
      yield 'tok ';
    }
    tokensEnded = performance.now();
  }
  function Naive() {
    const [text, setText] = React.useState('');
    React.useEffect(() => {
      let stop = false;
      void (async () => {
        for await (const token of tokens()) {
          if (stop) return;
          setText((previous) => previous + token);
        }
      })();
      return () => {
        stop = true;
      };
    }, []);
    return React.createElement(Text, { text });
  }
  // Production React has no Profiler callbacks: a layout effect runs once per commit of the text.
  const commitTimes: number[] = [];
  function Text({ text }: { text: string }) {
    React.useLayoutEffect(() => {
      if (text) commitTimes.push(performance.now());
    });
    return React.createElement('div', null, text);
  }
  function NaiveText() {
    return React.createElement(Naive);
  }
  const source = kind === 'aiu' ? tokens() : null;
  const element =
    kind === 'aiu'
      ? React.createElement(StreamingOutput, { source, children: (api: { text: string }) => React.createElement(Text, { text: api.text }) })
      : React.createElement(NaiveText);
  // "One commit per frame" is measured against the frames this environment really runs: jsdom's
  // requestAnimationFrame is a Node setInterval(1000 / 60), which Node runs every 16 ms (~62 Hz).
  // A frame loop kept going for the whole window also keeps that interval steady, as vsync is.
  const frameTimes: number[] = [];
  let framing = true;
  const onFrame = () => {
    frameTimes.push(performance.now());
    if (framing) requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  const root = createRoot(document.createElement('div'));
  root.render(element);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));
  framing = false;
  root.unmount();
  dom.window.close();
  // The rate while tokens arrive: commits showing text, over the time from the first to the last.
  // (The stream's end is shown at once, not at the next frame: that last commit is left out.)
  const commits = commitTimes.filter((time) => time < tokensEnded);
  const first = commits[0] ?? 0;
  const last = commits[commits.length - 1] ?? 0;
  if (last <= first) return { commits: 0, frames: 0, perFrame: 0 };
  // Each commit answers a frame that ran before it: count the frames from the one before the first
  // commit to the last commit. One commit per frame at most means commits ≤ frames.
  const frames = frameTimes.filter((time) => time >= first - 1000 / 60 && time <= last).length;
  return { commits: ((commits.length - 1) * 1000) / (last - first), frames: ((frames - 1) * 1000) / (last - first), perFrame: commits.length / frames };
}

export const clientBenchmark: Benchmark = {
  name: 'Client',
  async run({ quick }) {
    const ours = await bundled(`export * from '@aiu/react';`);
    const chatOnly = await bundled(`export { AiuProvider, useChat, StreamingOutput } from '@aiu/react';`);
    let theirs: number | null;
    try {
      theirs = await bundled(`export { useChat } from '@ai-sdk/react';`);
    } catch {
      theirs = null;
    }
    const seconds = quick ? 2 : 5;
    const aiuCommits: number[] = [];
    const perFrame: number[] = [];
    const frameRates: number[] = [];
    const naiveCommits: number[] = [];
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const ours = await commitsPerSecond('aiu', 2000, seconds);
      aiuCommits.push(ours.commits);
      frameRates.push(ours.frames);
      perFrame.push(ours.perFrame);
      naiveCommits.push((await commitsPerSecond('naive', 2000, seconds)).commits);
    }
    const figures: Figure[] = [
      { name: '@aiu/react, everything (min+gzip, react/react-query external)', value: ours, unit: 'kB', goal: { value: 15, lowerIsBetter: true }, ...(theirs ? { ratio: { to: "@ai-sdk/react's useChat", value: ours / theirs } } : {}) },
      { name: '@aiu/react, AiuProvider + useChat + StreamingOutput only', value: chatOnly, unit: 'kB' },
      { name: 'StreamingOutput commits/s at 2,000 tokens/s (jsdom)', value: median(aiuCommits), unit: 'commits/s', ratio: { to: 'jsdom animation frames/s', value: median(aiuCommits) / median(frameRates) } },
      { name: 'jsdom animation frames/s in the same window', value: median(frameRates), unit: 'frames/s' },
      { name: 'StreamingOutput commits per animation frame at 2,000 tokens/s', value: median(perFrame), unit: '×', goal: { value: 1, lowerIsBetter: true } },
      { name: 'naive setState-per-token commits/s at 2,000 tokens/s', value: median(naiveCommits), unit: 'commits/s' },
    ];
    if (theirs) figures.splice(2, 0, { name: "@ai-sdk/react's useChat (same bundling)", value: theirs, unit: 'kB' });
    return figures;
  },
};
