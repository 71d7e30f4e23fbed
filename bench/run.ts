// `pnpm bench` (full) or `pnpm bench --quick` (under two minutes): prints a table and writes
// bench/results.json with the machine, versions, every figure and every ratio.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientBenchmark } from './client';
import { clientKeysBenchmark } from './clientKeys';
import { guardrailsBenchmark } from './guardrails';
import { handlerBenchmark } from './handler';
import { modelSelectBenchmark } from './modelSelect';
import { storageBenchmark } from './storage';
import { streamsBenchmark } from './streams';
import { toolCallsBenchmark } from './toolCalls';
import type { Benchmark, Figure } from './stats';

const quick = process.argv.includes('--quick');
ensureFreshBuild();
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice(7);
const benchmarks: Benchmark[] = [handlerBenchmark, streamsBenchmark, toolCallsBenchmark, clientKeysBenchmark, guardrailsBenchmark, storageBenchmark, clientBenchmark, modelSelectBenchmark].filter((b) => !only || b.name.toLowerCase().includes(only.toLowerCase()));

const here = dirname(fileURLToPath(import.meta.url));
const results: Array<{ benchmark: string; figures: Figure[] }> = [];
const started = Date.now();

for (const benchmark of benchmarks) {
  console.log(`\n▶ ${benchmark.name}${quick ? ' (quick)' : ''}`);
  const benchmarkStarted = Date.now();
  const figures = await benchmark.run({ quick, log: (message) => console.log(`  ${message}`) });
  console.log(`  (${Math.round((Date.now() - benchmarkStarted) / 1000)} s)`);
  results.push({ benchmark: benchmark.name, figures });
  console.table(
    figures.map((f) => ({
      figure: f.name,
      median: `${f.value.toFixed(f.value < 10 ? 3 : 1)} ${f.unit}`,
      goal: f.goal ? `${f.goal.lowerIsBetter ? '≤' : '≥'} ${f.goal.value} ${f.unit}` : '',
      met: f.goal ? ((f.goal.lowerIsBetter ? f.value <= f.goal.value : f.value >= f.goal.value) ? 'yes' : 'NO') : '',
      ratio: f.ratio ? `${f.ratio.value.toFixed(3)} × ${f.ratio.to}` : '',
    })),
  );
}

const report = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  durationSeconds: Math.round((Date.now() - started) / 1000),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), platform: process.platform },
  versions: { node: process.version, ...process.versions.v8 ? { v8: process.versions.v8 } : {} },
  results,
};
writeFileSync(join(here, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nWrote bench/results.json (${report.durationSeconds}s).`);
// jsdom windows and pooled sockets would keep the process alive.
process.exit(0);

/**
 * The servers under test and the client bundles use the built packages, as users do: rebuild
 * when any source is newer than its package's build, so a benchmark never measures stale code.
 */
function ensureFreshBuild(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      if (entry.name === '__tests__') return latest;
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  const stale = ['core', 'server', 'testing', 'react'].filter((name) => {
    const dist = join(root, 'packages', name, 'dist', 'index.js');
    return !existsSync(dist) || newest(join(root, 'packages', name, 'src')) > statSync(dist).mtimeMs;
  });
  if (stale.length === 0) return;
  console.log(`Building ${stale.map((name) => `@aiu/${name}`).join(', ')} (the servers under test run the built packages)…`);
  execFileSync('pnpm', ['--filter', '@aiu/core', '--filter', '@aiu/server', '--filter', '@aiu/testing', '--filter', '@aiu/react', 'build'], { cwd: root, stdio: 'ignore' });
}
