import { describe, expect, it } from 'vitest';
import { planRanges, SLOT_MS, type SlotRange } from '../../log/rollup';
import { bucketIndex, bucketRange, bucketStarts, instantOf, isoInZone } from '../buckets';

const iso = (instants: number[], tz: string) => instants.map((i) => isoInZone(i, tz));

describe('bucket boundaries in a time zone', () => {
  it('gives Berlin a 23-hour day at the March DST change and a 25-hour one in October', () => {
    const march = bucketStarts(Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-03-30T22:00:00Z'), 'day', 'Europe/Berlin');
    expect(iso(march, 'Europe/Berlin')).toEqual(['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']);
    expect(((march[2] as number) - (march[1] as number)) / 3_600_000).toBe(23);
    const october = bucketStarts(Date.parse('2026-10-24T22:00:00Z'), Date.parse('2026-10-26T12:00:00Z'), 'day', 'Europe/Berlin');
    expect(((october[1] as number) - (october[0] as number)) / 3_600_000).toBe(25);
  });

  it('keeps both 01:00 hours of a New York fall-back night as separate hour buckets', () => {
    const hours = bucketStarts(Date.parse('2026-11-01T04:00:00Z'), Date.parse('2026-11-01T08:00:00Z'), 'hour', 'America/New_York');
    expect(iso(hours, 'America/New_York')).toEqual(['2026-11-01T00:00:00-04:00', '2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00', '2026-11-01T02:00:00-05:00']);
  });

  it('aligns hours to a half-hour zone and weeks to Mondays, months to their length', () => {
    expect(iso(bucketStarts(Date.parse('2026-01-01T00:10:00Z'), Date.parse('2026-01-01T02:00:00Z'), 'hour', 'Asia/Kolkata'), 'Asia/Kolkata')).toEqual([
      '2026-01-01T05:00:00+05:30',
      '2026-01-01T06:00:00+05:30',
      '2026-01-01T07:00:00+05:30',
    ]);
    expect(iso(bucketStarts(Date.parse('2026-11-19T12:00:00Z'), Date.parse('2026-11-24T00:00:00Z'), 'week', 'UTC'), 'UTC')).toEqual(['2026-11-16T00:00:00Z', '2026-11-23T00:00:00Z']);
    const months = bucketStarts(Date.parse('2026-01-15T00:00:00Z'), Date.parse('2026-03-02T00:00:00Z'), 'month', 'UTC');
    expect(iso(months, 'UTC')).toEqual(['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z']);
  });

  it('moves a wall time in the spring-forward gap to after it', () => {
    expect(isoInZone(instantOf(2026, 3, 29, 2, 'Europe/Berlin'), 'Europe/Berlin')).toBe('2026-03-29T03:00:00+02:00');
  });

  it('finds the bucket of an instant', () => {
    const starts = [0, 10, 20];
    expect([bucketIndex(starts, 30, -1), bucketIndex(starts, 30, 0), bucketIndex(starts, 30, 15), bucketIndex(starts, 30, 29), bucketIndex(starts, 30, 30)]).toEqual([-1, 0, 1, 2, -1]);
  });

  it('refuses an unknown zone and too many buckets', () => {
    expect(() => bucketStarts(0, 1, 'day', 'Mars/Olympus')).toThrow(/Unknown time zone/);
    expect(() => bucketStarts(0, 400 * 86_400_000, 'hour', 'UTC')).toThrow(/more than/);
  });
});

describe('planRanges', () => {
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  const slots = (ranges: SlotRange[]) => ranges.flatMap((r) => Array.from({ length: (r.to - r.from) / r.span }, (_, i) => ({ span: r.span, slot: r.from + i * r.span })));

  it('reads UTC days from day rows, New York days from hour rows and Kathmandu days from hours plus quarter hours', () => {
    const from = Date.parse('2026-10-01T00:00:00Z');
    const to = from + 30 * DAY;
    for (const [tz, spans] of [['UTC', [DAY]], ['America/New_York', [HOUR]], ['Asia/Kathmandu', [HOUR, SLOT_MS]]] as const) {
      const { starts, end } = bucketRange(from, to, 'day', tz);
      const ranges = planRanges(starts[0] as number, end, starts);
      expect([...new Set(ranges.map((r) => r.span))].sort()).toEqual([...spans].sort());
      // Few ranges: one per stretch, not one per slot.
      expect(ranges.length).toBeLessThanOrEqual(2 * starts.length + 1);
    }
  });

  it('tiles the range exactly and never lets a slot straddle a bucket boundary', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const from = Date.parse('2026-03-01T00:00:00Z') + Math.floor(random() * 400) * SLOT_MS;
      const to = from + (1 + Math.floor(random() * 2000)) * SLOT_MS;
      const cuts = Array.from({ length: Math.floor(random() * 12) }, () => from + Math.floor(random() * ((to - from) / SLOT_MS)) * SLOT_MS);
      const covered = slots(planRanges(from, to, cuts));
      let t = from;
      for (const { span, slot } of covered) {
        expect(slot).toBe(t);
        expect(slot % span).toBe(0);
        for (const cut of cuts) expect(cut <= slot || cut >= slot + span).toBe(true);
        t = slot + span;
      }
      expect(t).toBe(to);
    }
  });
});
