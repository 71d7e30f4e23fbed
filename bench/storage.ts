// Storage: log ingestion (SQLite, PostgreSQL), /usage latency at 100k and 1M rows, and the
// export's memory while streaming every row (fresh processes, so RSS is the server's own).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAiu } from '@aiu/server';
import { postgresStore } from '@aiu/server/postgres';
import { sqliteStore } from '@aiu/server/sqlite';
import pg from 'pg';
import { currentRssMb, peakRssMb, startScript } from './procs';
import { median, type Benchmark, type Figure } from './stats';

type Store = ReturnType<typeof sqliteStore>;
type Record = Parameters<Store['insertLogs']>[0][number];

const MODELS = ['openai:gpt-4o-mini', 'openai:gpt-4.1-nano', 'anthropic:claude-sonnet-4-5', 'google:gemini-2.5-flash', 'mistral:mistral-small-latest'];
const DAY = 86_400_000;

/** Traffic as a log receives it: in time order over 30 days, ten users, five models. */
export function makeRecords(count: number, offset: number, now: number, total: number): Record[] {
  return Array.from({ length: count }, (_, k) => {
    const i = offset + k;
    const model = MODELS[i % MODELS.length] as string;
    return {
      id: `req_${String(i).padStart(9, '0')}`, time: now - 30 * DAY + Math.floor((i / total) * 30 * DAY), userId: `u${i % 10}`, projectId: null,
      provider: model.split(':')[0] as string, model, status: i % 20 === 0 ? 'error' : 'success', errorCode: null, attempts: 1,
      inputTokens: 100 + (i % 900), outputTokens: 50 + (i % 400), cachedInputTokens: i % 3 === 0 ? 64 : 0, cacheWriteTokens: 0, reasoningTokens: 0,
      totalTokens: 150 + (i % 900) + (i % 400), estimated: false, costInput: 0.0001, costOutput: 0.0002, costTotal: 0.0003,
      latencyMs: 200 + (i % 3000), ttftMs: 50 + (i % 500), queueMs: 0, attemptDetails: null, savedUsd: 0, prompt: null, response: null,
      metadata: i % 10 === 0 ? JSON.stringify({ feature: 'chat', note: 'with, comma' }) : null,
    };
  });
}

/**
 * With `startingPerTurn`, each call is first recorded as pending (as a live server does before it
 * calls the provider), that many calls starting in each turn of the event loop (they share a commit).
 */
async function ingest(store: Store, total: number, batch: number, startingPerTurn = 0): Promise<number> {
  const now = Date.now();
  const started = performance.now();
  for (let offset = 0; offset < total; offset += batch) {
    const records = makeRecords(Math.min(batch, total - offset), offset, now, total);
    for (let i = 0; startingPerTurn > 0 && i < records.length; i += startingPerTurn) {
      await Promise.all(records.slice(i, i + startingPerTurn).map((record) => store.pending?.begin({ ...record, status: 'interrupted', estimated: true }, 'bench')));
    }
    await store.insertLogs(records);
  }
  return total / ((performance.now() - started) / 1000);
}

/**
 * UTC days are read from day rollups, New York's from hour rollups, Kathmandu's (+05:45) from
 * hours plus quarter hours: the three costs a user can meet.
 */
const ZONES = ['UTC', 'America/New_York', 'Asia/Kathmandu'] as const;

async function usageFigures(store: Store, label: string, size: number, rounds: number): Promise<Figure[]> {
  const aiu = createAiu({ store, env: {}, keyring: false, logger: { warn() {} } });
  const figures: Figure[] = [];
  for (const tz of ZONES) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const response = await aiu.handler(new Request(`http://localhost/usage?granularity=day&groupBy=model&tz=${tz}`));
      await response.json();
      times.push(performance.now() - t);
    }
    figures.push({ name: `${label} /usage 30 days × daily × by model, ${tz}, over ${size.toLocaleString('en')} rows`, value: median(times), unit: 'ms', goal: { value: 150, lowerIsBetter: true } });
  }
  return figures;
}

/** Reads a whole CSV export, calling `atTenth` once a tenth of the rows arrived. */
async function readExport(url: string, size: number, atTenth: () => void): Promise<number> {
  const response = await fetch(`${url}/logs/export?format=csv`);
  let rows = 0;
  let bytes = 0;
  let called = false;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const byte of chunk) if (byte === 10) rows++;
    if (!called && rows >= size / 10) {
      called = true;
      atTenth();
    }
  }
  return bytes;
}

interface ExportRun {
  idle: number;
  peak: number;
  atTenth: number;
  seconds: number;
}

/** One export's RSS as users see it, in a fresh server process (the SQLite export's worker thread included). */
async function exportRun(path: string, size: number, log: (message: string) => void): Promise<ExportRun> {
  const exporter = await startScript('servers/export.mjs', { DB_PATH: path, NODE_OPTIONS: '--expose-gc' });
  try {
    // Warm the route (modules, store) so growth measures the export itself.
    await (await fetch(`${exporter.url}/logs?limit=1`)).text();
    const idle = currentRssMb(exporter.pid);
    const started = performance.now();
    let atTenth = 0;
    const bytes = await readExport(exporter.url, size, () => (atTenth = peakRssMb(exporter.pid)));
    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMb(exporter.pid);
    log(`export: ${(bytes / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s, RSS ${idle.toFixed(0)} MB idle, ${peak.toFixed(1)} MB peak`);
    return { idle, peak, atTenth, seconds };
  } finally {
    await exporter.stop();
  }
}

/**
 * The server thread's heap still live after a full collection at a tenth of the rows and at
 * the end, in a run of its own (forcing collections would flatter the RSS runs).
 */
async function exportLiveHeap(path: string, size: number): Promise<{ atTenth: number; atEnd: number }> {
  const exporter = await startScript('servers/export.mjs', { DB_PATH: path, NODE_OPTIONS: '--expose-gc' });
  try {
    const liveHeap = async () => ((await (await fetch(`${exporter.url}/__live-heap`)).json()) as { liveHeapMb: number }).liveHeapMb;
    let atTenth: Promise<number> = Promise.resolve(NaN);
    await readExport(exporter.url, size, () => (atTenth = liveHeap()));
    return { atTenth: await atTenth, atEnd: await liveHeap() };
  } finally {
    await exporter.stop();
  }
}

/** The export's memory and rate: medians over fresh processes, then the live heap. */
async function exportFigures(path: string, size: number, rounds: number, log: (message: string) => void): Promise<Figure[]> {
  const rows = size.toLocaleString('en');
  const runs: ExportRun[] = [];
  for (let round = 0; round < rounds; round++) runs.push(await exportRun(path, size, log));
  const heap = await exportLiveHeap(path, size);
  const of = (pick: (run: ExportRun) => number) => median(runs.map(pick));
  return [
    { name: `export ${rows} rows as CSV: peak RSS of the server`, value: of((run) => run.peak), unit: 'MB', goal: { value: 100, lowerIsBetter: true } },
    { name: `export ${rows} rows as CSV: RSS of the idle server before it`, value: of((run) => run.idle), unit: 'MB' },
    { name: `export ${rows} rows as CSV: RSS growth while exporting`, value: of((run) => run.peak - run.idle), unit: 'MB' },
    { name: `export ${rows} rows as CSV: peak RSS growth over the last 90% of rows`, value: of((run) => run.peak - run.atTenth), unit: 'MB' },
    // Flat from a tenth to the end: the export keeps nothing per row on the server thread.
    { name: `export ${rows} rows as CSV: server thread's live heap after a full GC at 10% of rows`, value: heap.atTenth, unit: 'MB' },
    { name: `export ${rows} rows as CSV: server thread's live heap after a full GC at the end`, value: heap.atEnd, unit: 'MB' },
    { name: `export ${rows} rows as CSV: rate`, value: size / of((run) => run.seconds), unit: 'rows/s' },
  ];
}

export const storageBenchmark: Benchmark = {
  name: 'Storage',
  async run({ quick, log }) {
    const figures: Figure[] = [];
    const sizes = quick ? [50_000] : [100_000, 1_000_000];
    const batch = 500; // what the log writer hands the store per flush

    for (const size of sizes) {
      const path = join(mkdtempSync(join(tmpdir(), 'aiu-bench-store-')), 'aiu.db');
      const sqlite = sqliteStore({ path });
      await sqlite.init();
      const rate = await ingest(sqlite, size, batch);
      log(`SQLite: ${size} rows at ${Math.round(rate)}/s`);
      figures.push({ name: `SQLite ingestion (${size.toLocaleString('en')} rows, batches of ${batch})`, value: rate, unit: 'entries/s', goal: { value: 20_000, lowerIsBetter: false } });
      if (size === sizes[0]) {
        // The crash guarantee's price: every call's pending record, then its entry. One call per
        // loop turn is a quiet server (a commit each); ten is a busy one (ten share a commit).
        for (const perTurn of [1, 10]) {
          const pendingStore = sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-bench-store-')), 'aiu.db') });
          await pendingStore.init();
          const withPending = await ingest(pendingStore, size, batch, perTurn);
          await pendingStore.close();
          log(`SQLite with in-flight records (${perTurn} per turn): ${size} rows at ${Math.round(withPending)}/s`);
          figures.push({ name: `SQLite ingestion, each call recorded in flight first, ${perTurn} starting per loop turn (${size.toLocaleString('en')} rows)`, value: withPending, unit: 'entries/s', goal: { value: 20_000, lowerIsBetter: false } });
          figures.push({ name: `SQLite ingestion with in-flight records (${perTurn} per turn) vs without (same run)`, value: withPending / rate, unit: '×' });
        }
      }
      figures.push(...(await usageFigures(sqlite, 'SQLite', size, 9)));
      await sqlite.close();

      if (size === sizes[sizes.length - 1]) figures.push(...(await exportFigures(path, size, quick ? 1 : 3, log)));
    }

    const url = process.env.AIU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    for (const size of quick ? [20_000] : [100_000, 1_000_000]) {
      const schema = `aiu_bench_${Date.now().toString(36)}`;
      const store = postgresStore({ connectionString: url, schema });
      try {
        await store.init();
        const rate = await ingest(store, size, batch);
        log(`PostgreSQL: ${size} rows at ${Math.round(rate)}/s`);
        figures.push({ name: `PostgreSQL ingestion (${size.toLocaleString('en')} rows, batches of ${batch})`, value: rate, unit: 'entries/s', goal: { value: 5_000, lowerIsBetter: false } });
        figures.push(...(await usageFigures(store, 'PostgreSQL', size, 9)));
      } catch (error) {
        log(`PostgreSQL skipped: ${(error as Error).message}`);
        break;
      } finally {
        await store.close().catch(() => {});
        const client = new pg.Client({ connectionString: url });
        await client.connect().then(() => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).catch(() => {});
        await client.end().catch(() => {});
      }
    }
    return figures;
  },
};
