import { closeSync, existsSync, futimesSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogRecord } from '../../log/types';
import type { PendingInstance, PendingLog, StoreInstance } from '../types';

/** A segment is closed for new calls past this size, and deleted once its calls are all logged. */
const SEGMENT_BYTES = 4 * 1024 * 1024;

interface Segment {
  path: string;
  fd: number;
  bytes: number;
  /** Calls begun in it whose entries are not written yet. */
  open: number;
  owner: string;
  closed?: true;
}

interface Writer {
  host: string;
  pid: number;
  current: Segment | undefined;
  sequence: number;
}

/**
 * Calls in flight for a SQLite store, as append-only files beside the database (one directory,
 * a file per instance and segment): a `write` costs a few microseconds where a SQLite commit costs
 * a hundred, and the page cache keeps it through a crash of the process. A call's line is written
 * before it leaves; the line saying it was logged follows the transaction that wrote its entry
 * (a crash between the two is harmless: the entry is inserted once, by id).
 */
export class InflightJournal implements PendingLog {
  /** Each instance writing through this store (usually one), and its current segment. */
  private readonly writers = new Map<string, Writer>();
  /** Which segment each call still open was begun in. */
  private readonly openCalls = new Map<string, Segment>();

  constructor(
    private readonly directory: string,
    /** Inserts entries in one transaction, skipping ids already logged. */
    private readonly insert: (records: LogRecord[]) => void,
  ) {}

  begin(record: LogRecord, instanceId: string): void {
    const segment = this.segmentFor(instanceId);
    segment.bytes += writeSync(segment.fd, `+${JSON.stringify(record)}\n`);
    segment.open += 1;
    this.openCalls.set(record.id, segment);
  }

  /** After the transaction that wrote these entries: their calls are no longer in flight. */
  logged(records: ReadonlyArray<LogRecord>): void {
    const done = new Map<Segment, string[]>();
    for (const record of records) {
      const segment = this.openCalls.get(record.id);
      if (!segment) continue;
      this.openCalls.delete(record.id);
      let ids = done.get(segment);
      if (!ids) done.set(segment, (ids = []));
      ids.push(record.id);
    }
    for (const [segment, ids] of done) {
      if (segment.closed) continue;
      segment.bytes += writeSync(segment.fd, `-${ids.join(',')}\n`);
      segment.open -= ids.length;
      if (segment.open === 0 && !this.isCurrent(segment)) this.retire(segment);
    }
  }

  async heartbeat(instance: StoreInstance): Promise<void> {
    if (!this.writers.has(instance.id)) this.writers.set(instance.id, { host: instance.host, pid: instance.pid, current: undefined, sequence: 0 });
    const segment = this.segmentFor(instance.id);
    const now = new Date();
    futimesSync(segment.fd, now, now);
  }

  async instancesWithPending(): Promise<PendingInstance[]> {
    const byId = new Map<string, PendingInstance>();
    for (const file of this.files()) {
      const parsed = parseName(file);
      if (!parsed) continue;
      const seenAt = statSync(join(this.directory, file)).mtimeMs;
      const known = byId.get(parsed.id);
      if (!known || (known.seenAt ?? 0) < seenAt) byId.set(parsed.id, { id: parsed.id, host: parsed.host, pid: parsed.pid, seenAt });
    }
    return [...byId.values()];
  }

  async recover(instanceIds: ReadonlyArray<string>): Promise<number> {
    const wanted = new Set(instanceIds);
    const files = this.files().filter((file) => wanted.has(parseName(file)?.id ?? ''));
    const begun = new Map<string, LogRecord>();
    for (const file of files) {
      for (const line of readFileSync(join(this.directory, file), 'utf8').split('\n')) {
        if (line.startsWith('+')) {
          // A line cut short by the crash is a call whose bytes never left: nothing to log.
          const record = parseRecord(line.slice(1));
          if (record) begun.set(record.id, record);
        } else if (line.startsWith('-')) {
          for (const id of line.slice(1).split(',')) begun.delete(id);
        }
      }
    }
    const records = [...begun.values()];
    if (records.length) this.insert(records);
    for (const file of files) rmSync(join(this.directory, file), { force: true });
    return records.length;
  }

  /** A clean shutdown: every call was logged, so the instance's files go. */
  async leave(instanceId: string): Promise<void> {
    const writer = this.writers.get(instanceId);
    this.writers.delete(instanceId);
    const segments = new Set([...this.openCalls.values()].filter((segment) => segment.owner === instanceId));
    if (writer?.current) segments.add(writer.current);
    for (const segment of segments) {
      if (segment.open === 0) this.retire(segment);
      else this.closeSegment(segment);
    }
  }

  private closeSegment(segment: Segment): void {
    if (segment.closed) return;
    segment.closed = true;
    closeSync(segment.fd);
  }

  close(): void {
    for (const id of [...this.writers.keys()]) {
      const current = this.writers.get(id)?.current;
      if (current && current.open === 0) this.retire(current);
      else if (current) this.closeSegment(current);
    }
    this.writers.clear();
  }

  private isCurrent(segment: Segment): boolean {
    return this.writers.get(segment.owner)?.current === segment;
  }

  private segmentFor(instanceId: string): Segment {
    let writer = this.writers.get(instanceId);
    if (!writer) this.writers.set(instanceId, (writer = { host: 'unknown', pid: 0, current: undefined, sequence: 0 }));
    if (writer.current && writer.current.bytes < SEGMENT_BYTES) return writer.current;
    const previous = writer.current;
    mkdirSync(this.directory, { recursive: true });
    const path = join(this.directory, `${encodeURIComponent(writer.host)}~${writer.pid}~${instanceId}~${writer.sequence++}.log`);
    writer.current = { path, fd: openSync(path, 'a'), bytes: 0, open: 0, owner: instanceId };
    if (previous && previous.open === 0) this.retire(previous);
    return writer.current;
  }

  private retire(segment: Segment): void {
    this.closeSegment(segment);
    rmSync(segment.path, { force: true });
    const writer = this.writers.get(segment.owner);
    if (writer?.current === segment) writer.current = undefined;
  }

  private files(): string[] {
    return existsSync(this.directory) ? readdirSync(this.directory).filter((file) => file.endsWith('.log')) : [];
  }
}

function parseName(file: string): { host: string; pid: number; id: string } | null {
  const [host, pid, id] = file.split('~');
  if (host === undefined || pid === undefined || id === undefined) return null;
  return { host: decodeURIComponent(host), pid: Number(pid), id };
}

function parseRecord(text: string): LogRecord | null {
  try {
    return JSON.parse(text) as LogRecord;
  } catch {
    return null;
  }
}
