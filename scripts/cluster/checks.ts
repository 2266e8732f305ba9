// The verdict of the cluster test: what the database holds against what the generator was promised and
// what each subscriber received. Pure functions over plain data, so that they can be tested on their own.
import type { GeneratorReport } from './generator.js';
import type { SubscriberRecord } from './subscribers.js';

/** One stored event as the checks read it from the database. */
export interface StoredRow {
  eventId: string;
  deliveryId: string | null;
  sequence: number;
}

/** One line of the verdict table. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

function sample(values: readonly (string | number)[], max = 5): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown}, … (${values.length} in all)` : shown;
}

/** Every webhook-id answered 2xx is stored exactly once, under the event id the answer named. */
export function checkAcknowledged(
  acknowledged: ReadonlyMap<string, string>,
  rows: readonly StoredRow[],
): CheckResult {
  const byDelivery = new Map<string, StoredRow[]>();
  for (const row of rows) {
    if (row.deliveryId === null) continue;
    const list = byDelivery.get(row.deliveryId);
    if (list) list.push(row);
    else byDelivery.set(row.deliveryId, [row]);
  }
  const missing: string[] = [];
  const wrongId: string[] = [];
  for (const [deliveryId, eventId] of acknowledged) {
    const stored = byDelivery.get(deliveryId);
    if (!stored) missing.push(deliveryId);
    else if (!stored.some((row) => row.eventId === eventId)) wrongId.push(deliveryId);
  }
  const doubled = [...byDelivery].filter(([, list]) => list.length > 1).map(([id]) => id);
  const unpromised = [...byDelivery.keys()].filter((id) => !acknowledged.has(id)).length;
  const ok = missing.length === 0 && doubled.length === 0 && wrongId.length === 0 && acknowledged.size > 0;
  const problems = [
    missing.length ? `${missing.length} acknowledged but not stored (${sample(missing)})` : '',
    doubled.length ? `${doubled.length} webhook-ids stored more than once (${sample(doubled)})` : '',
    wrongId.length
      ? `${wrongId.length} stored under another event id than answered (${sample(wrongId)})`
      : '',
    acknowledged.size === 0 ? 'nothing was acknowledged' : '',
  ].filter(Boolean);
  return {
    name: 'every 2xx webhook-id stored exactly once',
    ok,
    detail: ok
      ? `${acknowledged.size} acknowledged, all stored once` +
        (unpromised ? `; ${unpromised} more stored whose 2xx the sender never saw (allowed)` : '')
      : problems.join('; '),
  };
}

/** The stored positions are exactly 1..N. */
export function checkSequences(rows: readonly StoredRow[]): CheckResult & { last: number } {
  const sorted = rows.map((row) => row.sequence).sort((a, b) => a - b);
  const gaps: string[] = [];
  const repeats: number[] = [];
  let expected = 1;
  for (const n of sorted) {
    if (n < expected) repeats.push(n);
    else {
      if (n > expected) gaps.push(n === expected + 1 ? String(expected) : `${expected}–${n - 1}`);
      expected = n + 1;
    }
  }
  const last = sorted.at(-1) ?? 0;
  const ok = gaps.length === 0 && repeats.length === 0 && sorted.length > 0;
  return {
    name: 'stored sequences are 1..N with no gap',
    ok,
    last,
    detail: ok
      ? `N = ${last}`
      : [
          sorted.length === 0 ? 'no events stored' : '',
          gaps.length ? `missing ${sample(gaps)}` : '',
          repeats.length ? `repeated ${sample(repeats)}` : '',
        ]
          .filter(Boolean)
          .join('; '),
  };
}

/**
 * A subscriber's list, from its first cursor to the last stored position, holds every stored position
 * once, in order. Its start is `firstAfter + 1` when it subscribed with a cursor, else its first receipt.
 */
export function checkSubscriber(
  record: SubscriberRecord,
  stored: readonly number[],
  last: number,
): CheckResult {
  const name = `subscriber ${record.name} (${record.via})`;
  if (record.errors.length > 0 || record.completed) {
    return {
      name,
      ok: false,
      detail: record.completed ? 'the server completed the subscription' : sample(record.errors, 3),
    };
  }
  const first = record.firstAfter !== null ? Number(record.firstAfter) + 1 : (record.received[0] ?? last + 1);
  const expected = stored.filter((n) => n >= first && n <= last);
  const seen = new Set<number>();
  const duplicates: number[] = [];
  let outOfOrder = 0;
  let previous = -Infinity;
  for (const n of record.received) {
    if (seen.has(n)) duplicates.push(n);
    else if (n < previous) outOfOrder += 1;
    seen.add(n);
    previous = Math.max(previous, n);
  }
  const missing = expected.filter((n) => !seen.has(n));
  const moved = new Set(record.replicas).size > 1;
  const ok =
    missing.length === 0 && duplicates.length === 0 && outOfOrder === 0 && record.received.length > 0;
  const route = `connections ${record.replicas.length} (${sample(record.replicas, 8)})${moved ? ', moved' : ''}`;
  return {
    name,
    ok,
    detail: ok
      ? `${seen.size} received, ${first}..${last} complete; ${route}`
      : [
          record.received.length === 0 ? 'received nothing' : '',
          missing.length ? `missing ${missing.length} (${sample(missing)})` : '',
          duplicates.length ? `duplicates ${duplicates.length} (${sample(duplicates)})` : '',
          outOfOrder ? `${outOfOrder} out of order` : '',
          route,
        ]
          .filter(Boolean)
          .join('; '),
  };
}

/** How many subscribers were served by more than one replica over the run (the resume across replicas). */
export function checkMoved(records: readonly SubscriberRecord[], required: number): CheckResult {
  const moved = records.filter((r) => new Set(r.replicas).size > 1);
  return {
    name: 'subscribers that moved to another replica',
    ok: moved.length >= required,
    detail:
      `${moved.length} of ${records.length} (${moved.map((r) => r.name).join(', ') || 'none'})` +
      (moved.length >= required ? '' : `; at least ${required} expected`),
  };
}

/** The sender side in one line: what was sent, retried, answered. */
export function describeGenerator(report: GeneratorReport): string {
  const statuses = [...report.statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s === 0 ? 'no answer' : s}: ${n}`);
  const sorted = [...report.ackMs].sort((a, b) => a - b);
  const pct = (p: number): string =>
    sorted.length
      ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(0)
      : '-';
  return (
    `${report.started} sent, ${report.acknowledged.size} acknowledged (${report.duplicates} as duplicates), ` +
    `${report.retries} retries, ${report.gaveUp} gave up, held back ${report.heldBack} ticks; ` +
    `answers ${statuses.join(', ')}; ack p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`
  );
}

/** Prints the table: one line per check, then whether the run passed. */
export function formatTable(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.ok ? ' ok ' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail}`);
  return lines.join('\n');
}
