-- Written by hand (drizzle-kit does not model the FTS5 virtual tables, which the store creates).
-- Free-text search index, bucketed by insertion: one contentless trigram FTS5 table per bucket
-- (`events_search_<id>`, created by indexSearchStep() in server/src/store/search.ts), never deleted from
-- row by row; the purge drops a bucket whole once no stored event can be in it (deleting from one
-- trigram table, migrations 0002/0003, cost 0.1-8 s per purge batch). Nothing is indexed here nor by
-- the ingest commit: a background step indexes the rows above `search_state.indexed_rowid` in batches,
-- and queries LIKE-scan the rows above it. Rows already stored are indexed by that step after start-up.
CREATE TABLE `search_buckets` (
	`id` integer PRIMARY KEY NOT NULL,
	`row_count` integer DEFAULT 0 NOT NULL,
	`min_received_at` integer,
	`max_received_at` integer
);
--> statement-breakpoint
CREATE TABLE `search_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`indexed_rowid` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `search_state` (`id`, `indexed_rowid`) VALUES (1, 0);
