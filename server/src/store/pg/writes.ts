import { desc, inArray } from 'drizzle-orm';
import type postgres from 'postgres';
import type { JsonObject } from '../../domain/types.js';
import type {
  EventWriter,
  Eviction,
  InsertResult,
  NewEvent,
  StoredDelivery,
  StoredEvent,
  StoredRejection,
} from '../types.js';
import type { AdvisoryKey, PgContext, PgTx } from './context.js';
import { deliveryStatements, storedDeliveries } from './deliveries.js';
import { isMissingPartition, isUnavailable } from './errors.js';
import { evictionStatement, toEviction } from './eviction.js';
import { send } from './pipeline.js';
import type { RemovedRow } from './removal.js';
import { toPgTx } from './open.js';
import { searchTextOf } from './filters.js';
import { stampedEventId } from './ids.js';
import type { Partitions } from './partitions.js';
import { rejections } from './schema.js';
import { loadBatchLearner, type BatchLearner } from './schemas.js';

// The group commit. Every insert queued in one event-loop turn joins the next transaction, at most
// MAX_COMMITS_IN_FLIGHT in flight per store (the writes that arrive meanwhile form the next batch, so
// batches grow with load). The transaction takes the ingest advisory lock first (serialising every
// replica's ingest, deletes and eviction before they touch a key: no ON CONFLICT deadlocks, positions in
// commit order), finds the duplicates and advances the stream head by the number of new events in the
// same round trip, then stores the whole batch in ONE statement over arrays (unnest: the same statement
// text whatever the batch size, never a VALUES list) with the batch's other writes in the next one.
// With `announce`, a NOTIFY of the new head goes with those writes: PostgreSQL delivers it as the commit
// becomes visible. Callers are answered only after COMMIT returns (synchronous_commit = on).

type Write =
  | {
      kind: 'event';
      event: NewEvent;
      payload: JsonObject | undefined;
      resolve: (result: InsertResult) => void;
      reject: (error: unknown) => void;
    }
  | { kind: 'rejection'; rejection: StoredRejection; resolve: () => void; reject: (error: unknown) => void }
  | {
      kind: 'delivery';
      delivery: StoredDelivery;
      cutoffMs: number;
      resolve: (stored: boolean) => void;
      reject: (error: unknown) => void;
    };

/** Writes one transaction takes at most; the rest wait for the next (each is answered after its own). */
export const MAX_BATCH_WRITES = 2_000;

/**
 * Transactions one writer runs at once. With 2, the second began and queued for the ingest lock while
 * the first held it, but the batches were smaller and the rate lower in paired runs, on one replica and
 * on three (docs/performance.md, "PostgreSQL group commit: one round trip under the lock"); the writer
 * takes more than one (each asks for the lock in batch order), so it stays a measured choice.
 */
export const MAX_COMMITS_IN_FLIGHT = 1;

/** What the writer needs besides the context. */
export interface WriterOptions {
  partitions: Partitions;
  /** Told after a commit that evicted events. */
  onEvicted: (eviction: Eviction) => void;
}

/** The store's writes: group-committed inserts of events, rejections and delivery attempts. */
export interface Writer extends EventWriter {
  readonly closed: boolean;
  /** Commits what is queued (and waits for the commit in flight), then refuses further writes. */
  close(): Promise<void>;
}

/**
 * Takes the ingest lock in `tx` (raw: drizzle has no word for advisory locks). Every transaction that
 * assigns sequences or removes events takes it first, so they are serialised across replicas.
 */
export async function lockIngest(tx: postgres.TransactionSql, key: AdvisoryKey): Promise<void> {
  // Sent at once (execute), so it goes out before any statement issued after this call.
  await tx`select pg_advisory_xact_lock(${key[0]}::int4, ${key[1]}::int4)`.execute();
}

/** The raw row of an event as the ingest statements select it. */
interface RawEventRow {
  id: string;
  sequence: string;
  received_at: string;
  time: string;
  action: StoredEvent['action'];
  entity_type: string;
  entity_id: string;
  modified_fields: string[] | null;
  delivery_id: string | null;
  headers: Record<string, string> | null;
  raw: Buffer;
  drift: string[] | null;
}

/** A raw row as the contract's event (bigint columns arrive as decimal strings). */
function fromRawRow(row: RawEventRow): StoredEvent {
  return {
    id: row.id,
    sequence: row.sequence,
    receivedAtMs: Number(row.received_at),
    timeMs: Number(row.time),
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    modifiedFields: row.modified_fields,
    deliveryId: row.delivery_id,
    headers: row.headers,
    raw: row.raw,
    drift: row.drift,
  };
}

/**
 * `text` with U+0000 replaced by U+FFFD: PostgreSQL text and jsonb cannot hold U+0000, and the intake
 * accepts it inside JSON strings (entity ids, types, modified fields, delivery ids), so one such webhook
 * would otherwise fail the whole group commit, and every webhook sharing it. The raw body keeps it (bytea).
 */
const withoutNul = (text: string): string =>
  text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;

/** The event's text fields as PostgreSQL can store them (see {@link withoutNul}). */
function storableFields(
  event: NewEvent,
): Pick<NewEvent, 'entityType' | 'entityId' | 'modifiedFields' | 'deliveryId' | 'headers'> {
  return {
    entityType: withoutNul(event.entityType),
    entityId: withoutNul(event.entityId),
    modifiedFields: event.modifiedFields?.map(withoutNul) ?? null,
    deliveryId: event.deliveryId === null ? null : withoutNul(event.deliveryId),
    headers:
      event.headers === null
        ? null
        : Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [withoutNul(k), withoutNul(v)])),
  };
}

/** The refusal's text fields as PostgreSQL can store them (a message may quote the refused value). */
function storableRejection(rejection: StoredRejection): StoredRejection {
  return {
    ...rejection,
    code: withoutNul(rejection.code),
    message: withoutNul(rejection.message),
    issues: rejection.issues.map((issue) => ({
      ...issue,
      path: withoutNul(issue.path),
      message: withoutNul(issue.message),
    })),
    headers:
      rejection.headers === null
        ? null
        : Object.fromEntries(
            Object.entries(rejection.headers).map(([k, v]) => [withoutNul(k), withoutNul(v)]),
          ),
  };
}

/** A nullable JSON value as the text a jsonb array element takes (drizzle made jsonb serialise as is). */
const jsonOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** What one transaction of the batch answers, by batch position. */
interface Committed {
  results: unknown[];
  eviction: Eviction | null;
}

/** Creates the writer over the context. */
export function createWriter(ctx: PgContext, options: WriterOptions): Writer {
  const { sql } = ctx;
  const stampByDatabase = ctx.options.receivedAtStamp === 'database';
  const learning = ctx.options.schemaLearning;
  const maxRejections = ctx.options.maxRejections;
  const maxStoredEvents = ctx.options.maxStoredEvents;
  const { announce } = ctx.options;

  /** The events that are not duplicates, with the originals of those that are. */
  async function findOriginals(tx: postgres.TransactionSql, deliveryIds: string[]) {
    if (deliveryIds.length === 0) return new Map<string, StoredEvent>();
    // Raw: an array as one parameter (drizzle's inArray would make the statement text vary).
    // Two steps: the dedupe table's primary key answers the usual case (no duplicate) alone; a join to
    // the partitioned events in the same statement let a generic plan scan them.
    // A join to unnest, not `= any(array)`: the generic plan of the latter scanned the table, comparing
    // every row with every id of the batch.
    const known = await tx<{ event_id: string; received_at: string }[]>`
      select d.event_id, d.received_at
      from unnest(${deliveryIds}::text[]) as k(delivery_id)
      join event_delivery_ids d on d.delivery_id = k.delivery_id`;
    if (known.length === 0) return new Map<string, StoredEvent>();
    const rows = await tx<RawEventRow[]>`
      select e.id, e.sequence::text as sequence, e.received_at, e.time, e.action, e.entity_type,
             e.entity_id, e.modified_fields, e.delivery_id, e.headers, e.raw, e.drift
      from events e
      join unnest(${known.map((k) => k.event_id)}::text[], ${known.map((k) => k.received_at)}::int8[])
        as k(id, received_at) on e.id = k.id and e.received_at = k.received_at`;
    return new Map(rows.map((row) => [row.delivery_id as string, fromRawRow(row)]));
  }

  /**
   * Advances the stream head by the number of new events of the batch: `nullIds` events without a
   * delivery id plus each of `deliveryIds` (distinct) not stored yet. Counted by the statement itself,
   * so it is sent in the same round trip as the lock and the duplicate lookup, and gives the same count
   * as that lookup (both run under the lock, which every writer of delivery ids holds). Answers the last
   * position, the number of positions taken and the stamp.
   */
  async function advanceHead(
    tx: postgres.TransactionSql,
    nullIds: number,
    deliveryIds: string[],
    callerMaxAtMs: number,
  ) {
    // Raw: drizzle has no word for greatest() over clock_timestamp(). The database clock, floored to ms,
    // never before the last stamp: received_at never goes back, whatever the replicas' clocks say.
    const stamp = stampByDatabase
      ? tx`floor(extract(epoch from clock_timestamp()) * 1000)::int8`
      : tx`${callerMaxAtMs}::int8`;
    const [head] = await tx<{ last: string; at: string; taken: string }[]>`
      with n as (
        select ${nullIds}::int8 + (
          select count(*) from unnest(${deliveryIds}::text[]) as k(delivery_id)
          where not exists (select 1 from event_delivery_ids d where d.delivery_id = k.delivery_id)
        ) as taken
      )
      update stream_head
      set last_sequence = last_sequence + n.taken,
          last_received_at = greatest(last_received_at, ${stamp})
      from n
      where id = 1
      returning last_sequence::text as last, last_received_at::text as at, n.taken::text as taken`;
    if (!head) throw new Error('stream_head has no row: the migrations were not applied');
    return { last: BigInt(head.last), atMs: Number(head.at), taken: Number(head.taken) };
  }

  /**
   * Sends the one statement that stores `fresh` (sequences and drift assigned), with their delivery ids
   * and entities, now (pipelined after what was sent before it).
   */
  function insertEvents(
    tx: postgres.TransactionSql,
    fresh: StoredEvent[],
  ): postgres.PendingQuery<postgres.Row[]> {
    const latestOfEntity = new Map<string, StoredEvent>();
    for (const e of fresh) latestOfEntity.set(e.entityId, e);
    const entityRows = [...latestOfEntity.values()];
    // Raw: unnest over arrays (one statement text for any batch size) and data-modifying CTEs; drizzle
    // has no word for either. The counters follow in the statement triggers (migration 0000).
    return tx`
      with new_events as (
        insert into events (id, received_at, sequence, time, action, entity_type, entity_id,
                            modified_fields, delivery_id, headers, raw, search_text, drift)
        select u.id, u.received_at, u.sequence, u.time, u.action, u.entity_type, u.entity_id,
               u.modified_fields, u.delivery_id, u.headers, decode(u.raw_hex, 'hex'), u.search_text, u.drift
        from unnest(
          ${fresh.map((e) => e.id)}::text[], ${fresh.map((e) => String(e.receivedAtMs))}::int8[],
          ${fresh.map((e) => e.sequence)}::int8[], ${fresh.map((e) => String(e.timeMs))}::int8[],
          ${fresh.map((e) => e.action)}::text[], ${fresh.map((e) => e.entityType)}::text[],
          ${fresh.map((e) => e.entityId)}::text[], ${fresh.map((e) => jsonOrNull(e.modifiedFields))}::jsonb[],
          ${fresh.map((e) => e.deliveryId)}::text[], ${fresh.map((e) => jsonOrNull(e.headers))}::jsonb[],
          ${fresh.map((e) => e.raw.toString('hex'))}::text[], ${fresh.map((e) => searchTextOf(e.raw))}::text[],
          ${fresh.map((e) => jsonOrNull(e.drift))}::jsonb[])
          as u(id, received_at, sequence, time, action, entity_type, entity_id, modified_fields, delivery_id,
               headers, raw_hex, search_text, drift)
        returning id, received_at, delivery_id
      ), delivery_ids as (
        insert into event_delivery_ids (delivery_id, event_id, received_at)
        select delivery_id, id, received_at from new_events where delivery_id is not null
      ), upserted_entities as (
        insert into entities (id, entity_type, last_received_at)
        select * from unnest(
          ${entityRows.map((e) => e.entityId)}::text[], ${entityRows.map((e) => e.entityType)}::text[],
          ${entityRows.map((e) => String(e.receivedAtMs))}::int8[])
        on conflict (id) do update
          set entity_type = excluded.entity_type, last_received_at = excluded.last_received_at
      )
      select 1`.execute();
  }

  /** Sends the two statements that store the refusals of the batch and keep the newest `maxRejections`. */
  function sendRejections(tx: PgTx, list: StoredRejection[]): Promise<unknown>[] {
    // Raw: unnest over arrays, as for events (bytes travel as hex text: postgres.js sends no bytea[]).
    const insert = tx.sql`
      insert into rejections (id, received_at, status, code, message, issues, headers, raw, raw_bytes)
      select u.id, u.received_at, u.status, u.code, u.message, u.issues, u.headers,
             decode(u.raw_hex, 'hex'), u.raw_bytes
      from unnest(
        ${list.map((r) => r.id)}::text[], ${list.map((r) => String(r.receivedAtMs))}::int8[],
        ${list.map((r) => String(r.status))}::int4[], ${list.map((r) => r.code)}::text[],
        ${list.map((r) => r.message)}::text[], ${list.map((r) => JSON.stringify(r.issues))}::jsonb[],
        ${list.map((r) => jsonOrNull(r.headers))}::jsonb[], ${list.map((r) => r.raw.toString('hex'))}::text[],
        ${list.map((r) => String(r.rawBytes))}::int4[])
        as u(id, received_at, status, code, message, issues, headers, raw_hex, raw_bytes)`.execute();
    // OFFSET over a small bounded table, never to paginate.
    const trim = tx.db
      .delete(rejections)
      .where(
        inArray(
          rejections.id,
          tx.db
            .select({ id: rejections.id })
            .from(rejections)
            .orderBy(desc(rejections.receivedAt), desc(rejections.id))
            .offset(maxRejections),
        ),
      )
      .toSQL();
    return [insert, send(tx.sql, trim)];
  }

  /**
   * The batch's transaction, in two round trips after its BEGIN: (a) the ingest lock, the duplicate
   * lookup, the learned shapes and the stream head, sent together; (b) every write of the batch and the
   * COMMIT, sent together. So the lock is held for one answer to this process and the statements' own
   * time, not for a round trip per statement. `after` is settled once the previous batch of this writer
   * holds the lock (or failed): the lock is asked for in batch order, so this writer's batches take
   * their positions in the order they were formed. `onLocked` is called once this one holds it (or
   * failed). Answers once COMMIT returned; throws (rolled back) when any of it fails.
   */
  async function runTransaction(
    batch: Write[],
    stamped: number[],
    after: Promise<void>,
    onLocked: () => void,
  ): Promise<Committed> {
    const inserts = batch.filter((item) => item.kind === 'event');
    // Before BEGIN, not inside: nothing is sent on the transaction's connection after a wait for
    // something else, when the connection may have died meanwhile (see beginTransaction in open.ts).
    await after;
    const pending = await ctx.begin(async (raw) => {
      const tx = toPgTx(raw, sql);
      const deliveryIds = [
        ...new Set(
          inserts.flatMap((item) => (item.event.deliveryId === null ? [] : [item.event.deliveryId])),
        ),
      ];
      const callerMax = inserts.reduce((at, item) => Math.max(at, item.event.receivedAtMs), 0);
      const nullIds = inserts.filter((item) => item.event.deliveryId === null).length;
      // (a) Issued together, run in this order on the transaction's connection (the lock is held
      // before any of them reads), answered together.
      let locked;
      try {
        locked = await Promise.all([
          lockIngest(raw, ctx.locks.ingest),
          findOriginals(raw, deliveryIds),
          learning && inserts.length > 0
            ? loadBatchLearner(
                tx,
                inserts.map((item) => item.event.entityType),
              )
            : Promise.resolve<BatchLearner | null>(null),
          inserts.length > 0 ? advanceHead(raw, nullIds, deliveryIds, callerMax) : Promise.resolve(null),
        ]);
      } finally {
        onLocked();
      }
      const [, originals, learner, head] = locked;

      // Which inserts are new: not stored, and not earlier in this batch.
      const firstInBatch = new Map<string, number>();
      const isNew = inserts.map((item, i) => {
        const id = item.event.deliveryId;
        if (id === null) return true;
        if (originals.has(id) || firstInBatch.has(id)) return false;
        firstInBatch.set(id, i);
        return true;
      });
      const count = isNew.filter(Boolean).length;
      if (head && head.taken !== count) {
        // Both counts are read under the lock, so this is a bug, never a race; committing would leave a gap.
        throw new Error(`stream head advanced by ${head.taken}, but the batch has ${count} new events`);
      }

      // Positions, stamps and drift, in batch order (= commit order).
      const stored: (StoredEvent | null)[] = [];
      const fresh: StoredEvent[] = [];
      let next = head ? head.last - BigInt(count) + 1n : 0n;
      inserts.forEach((item, i) => {
        if (!isNew[i] || !head) {
          stored.push(null);
          return;
        }
        const sequence = next++;
        const receivedAtMs = stampByDatabase ? head.atMs : item.event.receivedAtMs;
        const base = {
          ...item.event,
          id: stampByDatabase ? stampedEventId(receivedAtMs, sequence) : item.event.id,
          receivedAtMs,
          sequence: sequence.toString(),
        };
        const drift = learner ? learner.learn(base, item.payload) : null;
        const e: StoredEvent = { ...base, drift: drift && drift.length > 0 ? drift : null };
        stored.push(e);
        fresh.push(e);
        stamped.push(receivedAtMs);
      });

      const rejectionList = batch.flatMap((item) => (item.kind === 'rejection' ? [item.rejection] : []));
      const deliveryList = batch.flatMap((item) =>
        item.kind === 'delivery' ? [{ delivery: item.delivery, cutoffMs: item.cutoffMs }] : [],
      );
      // (b) Sent now, in this order, and run in it: the deliveries and the eviction after the insert
      // (they read its events and its counters). Not awaited here: the callback returns at once, so
      // begin() sends its COMMIT right behind them, in the same round trip.
      const learned = learner?.changes() ?? null;
      const eviction = fresh.length > 0 ? evictionStatement(maxStoredEvents) : null;
      const deliveryWrites = deliveryList.length > 0 ? deliveryStatements(deliveryList) : null;
      const sent: Promise<unknown>[] = [
        fresh.length > 0 ? insertEvents(raw, fresh) : Promise.resolve(null),
        learned ? send(raw, learned) : Promise.resolve(null),
        ...(rejectionList.length > 0 ? sendRejections(tx, rejectionList) : []),
        // Raw: pg_notify is a function call drizzle has no word for. Queued by PostgreSQL until the
        // COMMIT, and dropped with a rollback.
        announce && head && fresh.length > 0
          ? raw`select pg_notify(${announce.channel}, ${announce.message(head.last.toString())})`.execute()
          : Promise.resolve(null),
      ];
      const deliveryRows = deliveryWrites
        ? send<{ id: string }>(raw, deliveryWrites.insert)
        : Promise.resolve([]);
      const trimmed = deliveryWrites ? send(raw, deliveryWrites.trim) : Promise.resolve(null);
      const evicted = eviction ? send<RemovedRow>(raw, eviction) : Promise.resolve([]);
      const written = Promise.all([Promise.all([...sent, trimmed]), deliveryRows, evicted]);
      // Read after the COMMIT (a failure of these makes the COMMIT a ROLLBACK, thrown then).
      written.catch(() => {});

      const settle = (delivered: { id: string }[], removed: RemovedRow[]): Committed => {
        const deliveryResults = storedDeliveries(deliveryList, delivered);
        let insertIndex = 0;
        let deliveryIndex = 0;
        const results = batch.map((item): unknown => {
          if (item.kind === 'rejection') return undefined;
          if (item.kind === 'delivery') return deliveryResults[deliveryIndex++] ?? false;
          const i = insertIndex++;
          const own = stored[i];
          if (own) return { event: own, duplicate: false } satisfies InsertResult;
          const id = item.event.deliveryId as string;
          const original = originals.get(id) ?? stored[firstInBatch.get(id) as number];
          return { event: original as StoredEvent, duplicate: true } satisfies InsertResult;
        });
        return { results, eviction: toEviction(removed) };
      };
      return { written, settle };
    });
    // COMMIT returned. PostgreSQL answers the COMMIT of a transaction a statement failed in with a
    // ROLLBACK (not an error): the statements' own answers say which it was.
    const [, delivered, removed] = await pending.written;
    return pending.settle(delivered, removed);
  }

  /** Settled once the writer's last batch holds the ingest lock, or failed before (see {@link runTransaction}). */
  let lockTurn: Promise<void> = Promise.resolve();

  /** Runs the batch's transaction, once more after creating a partition an insert found missing. */
  async function commitBatch(batch: Write[]): Promise<Committed> {
    const after = lockTurn;
    let onLocked = (): void => {};
    lockTurn = new Promise<void>((resolve) => (onLocked = resolve));
    const inserts = batch.flatMap((item) => (item.kind === 'event' ? [item.event.receivedAtMs] : []));
    const stamped: number[] = [];
    try {
      if (inserts.length > 0) await options.partitions.ensure(stampByDatabase ? [Date.now()] : inserts);
      return await runTransaction(batch, stamped, after, onLocked);
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      // Another replica retired a day we thought existed, or the database clock is on a day not created
      // ahead yet: create the days the failed attempt stamped, then try once more.
      options.partitions.invalidate();
      await options.partitions.ensure([...stamped, ...(stampByDatabase ? [Date.now()] : inserts)]);
      return runTransaction(batch, [], Promise.resolve(), () => {});
    } finally {
      onLocked();
    }
  }

  const pending: Write[] = [];
  let scheduled = false;
  /** The batches being committed: at most {@link MAX_COMMITS_IN_FLIGHT}. */
  const inFlight = new Set<Promise<void>>();
  /** Commits `batch` and answers each of its writes (rejects each when the commit failed). */
  const commitAndSettle = async (batch: Write[], isolate: boolean): Promise<void> => {
    let committed: Committed;
    try {
      committed = await commitBatch(batch);
    } catch (error) {
      if (isolate && batch.length > 1 && !isUnavailable(error)) {
        // Not the database's state but something in the batch (a value PostgreSQL refuses, say an id
        // too long for an index entry): each write is committed on its own, so that only the one that
        // fails is refused, not every webhook that shared its commit.
        for (const item of batch) await commitAndSettle([item], false);
        return;
      }
      for (const item of batch) item.reject(error);
      return;
    }
    if (committed.eviction) options.onEvicted(committed.eviction);
    batch.forEach((item, i) => {
      const result = committed.results[i];
      if (item.kind === 'event') item.resolve(result as InsertResult);
      else if (item.kind === 'delivery') item.resolve(result as boolean);
      else item.resolve();
    });
  };
  const start = (): void => {
    scheduled = false;
    while (pending.length > 0 && inFlight.size < MAX_COMMITS_IN_FLIGHT) {
      // A bounded batch: one statement's arrays stay a few MB, and the lock is held for one short commit.
      const commit: Promise<void> = commitAndSettle(pending.splice(0, MAX_BATCH_WRITES), true).finally(() => {
        inFlight.delete(commit);
        // Writes queued while every slot was taken wait no longer than this turn.
        if (pending.length > 0 && !scheduled) {
          scheduled = true;
          setImmediate(start);
        }
      });
      inFlight.add(commit);
    }
  };
  const enqueue = (write: Write): void => {
    pending.push(write);
    if (!scheduled && inFlight.size < MAX_COMMITS_IN_FLIGHT) {
      scheduled = true;
      // setImmediate runs after this turn's I/O callbacks: every request parsed in the turn shares the commit.
      setImmediate(start);
    }
  };

  let closed = false;
  return {
    get closed() {
      return closed;
    },
    insertEvent(event, payload) {
      if (closed) return Promise.reject(new Error('store is closed'));
      const storable = { ...event, ...storableFields(event) };
      return new Promise((resolve, reject) =>
        enqueue({ kind: 'event', event: storable, payload, resolve, reject }),
      );
    },
    insertRejection(rejection) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) =>
        enqueue({ kind: 'rejection', rejection: storableRejection(rejection), resolve, reject }),
      );
    },
    insertDelivery(delivery, cutoffMs) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) =>
        enqueue({ kind: 'delivery', delivery, cutoffMs, resolve, reject }),
      );
    },
    async close() {
      closed = true;
      while (inFlight.size > 0 || pending.length > 0) {
        if (inFlight.size < MAX_COMMITS_IN_FLIGHT) start();
        await Promise.race(inFlight);
      }
    },
  };
}
