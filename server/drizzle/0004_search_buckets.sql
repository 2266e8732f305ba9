-- Written by hand (drizzle-kit does not model virtual tables or triggers); generated once from
-- searchBucketSql() in server/src/store/search.ts, whose text the store uses for later buckets.
-- Free-text search index, bucketed by insertion: one contentless trigram FTS5 table per bucket, fed by
-- an insert trigger, never deleted from row by row; the purge drops a bucket whole once no stored event
-- can be in it (deleting from one trigram table, migrations 0002/0003, cost 0.1-8 s per purge batch).
-- Rows already stored are indexed here in 8 buckets by rowid range (about insertion order), so that
-- they expire in 8 drops rather than one big one. The last bucket is the current one; the store starts
-- a new one once it holds 50,000 rows or spans 6 hours. Indexing costs about 30 us a row: 1M rows, ~30 s.
CREATE TABLE `search_buckets` (
	`id` integer PRIMARY KEY NOT NULL,
	`row_count` integer DEFAULT 0 NOT NULL,
	`min_received_at` integer,
	`max_received_at` integer
);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 1, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 0 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 1 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_1` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_1` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 0 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 1 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 2, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 1 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 2 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_2` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_2` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 1 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 2 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 3, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 2 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 3 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_3` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_3` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 2 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 3 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 4, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 3 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 4 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_4` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_4` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 3 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 4 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 5, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 4 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 5 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_5` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_5` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 4 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 5 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 6, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 5 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 6 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_6` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_6` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 5 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 6 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 7, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 6 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 7 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_7` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_7` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 6 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 7 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
INSERT INTO `search_buckets` (`id`, `row_count`, `min_received_at`, `max_received_at`)
  SELECT 8, count(*), min(received_at), max(received_at) FROM `events` WHERE rowid >= (SELECT min(rowid) + 7 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 8 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_search_8` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0);
--> statement-breakpoint
INSERT INTO `events_search_8` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events` WHERE rowid >= (SELECT min(rowid) + 7 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`)
    AND rowid < (SELECT min(rowid) + 8 * ((max(rowid) - min(rowid)) / 8 + 1) FROM `events`);
--> statement-breakpoint
DROP TRIGGER IF EXISTS `events_search_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `events_search_update`;
--> statement-breakpoint
CREATE TRIGGER `events_search_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO `events_search_8` (rowid, body) VALUES (new.rowid, CAST(new.raw AS TEXT));
  UPDATE `search_buckets` SET row_count = row_count + 1,
    min_received_at = min(coalesce(min_received_at, new.received_at), new.received_at),
    max_received_at = max(coalesce(max_received_at, new.received_at), new.received_at)
    WHERE id = 8;
END;
--> statement-breakpoint
CREATE TRIGGER `events_search_update` AFTER UPDATE OF raw, received_at ON `events` BEGIN
  INSERT INTO `events_search_8` (rowid, body) VALUES (new.rowid, CAST(new.raw AS TEXT));
  UPDATE `search_buckets` SET row_count = row_count + 1,
    min_received_at = min(coalesce(min_received_at, new.received_at), new.received_at),
    max_received_at = max(coalesce(max_received_at, new.received_at), new.received_at)
    WHERE id = 8;
END;
