-- Written by hand: drizzle-kit does not model virtual tables or triggers.
-- Free-text search: a trigram index over the raw body. Contentless (the body is already in events.raw)
-- and detail=none (no positions), so it stays small; the store turns a search term into an AND of its
-- trigrams to get candidates and confirms each with the exact LIKE, so results equal a full scan's.
-- Keyed by events.rowid, which incremental vacuum keeps (a full VACUUM may renumber it: never run one
-- without rebuilding this index, see docs/performance.md).
CREATE VIRTUAL TABLE `events_fts` USING fts5(body, content='', contentless_delete=1, tokenize='trigram', detail=none);
--> statement-breakpoint
INSERT INTO `events_fts` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM `events`;
--> statement-breakpoint
INSERT INTO `event_counts` (entity_type, action, count)
  SELECT entity_type, action, count(*) FROM `events` GROUP BY entity_type, action;
--> statement-breakpoint
-- Triggers run inside the statement's transaction: counts and index can never disagree with the rows,
-- whichever code path inserts or deletes (group commit, purge, capacity eviction).
CREATE TRIGGER `events_after_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO `event_counts` (entity_type, action, count) VALUES (new.entity_type, new.action, 1)
    ON CONFLICT (entity_type, action) DO UPDATE SET count = count + 1;
  INSERT INTO `events_fts` (rowid, body) VALUES (new.rowid, CAST(new.raw AS TEXT));
END;
--> statement-breakpoint
CREATE TRIGGER `events_after_delete` AFTER DELETE ON `events` BEGIN
  UPDATE `event_counts` SET count = count - 1 WHERE entity_type = old.entity_type AND action = old.action;
  DELETE FROM `events_fts` WHERE rowid = old.rowid;
END;
--> statement-breakpoint
-- Events are immutable; should one ever change, the count and index follow it.
CREATE TRIGGER `events_after_update` AFTER UPDATE OF entity_type, action, raw ON `events` BEGIN
  UPDATE `event_counts` SET count = count - 1 WHERE entity_type = old.entity_type AND action = old.action;
  INSERT INTO `event_counts` (entity_type, action, count) VALUES (new.entity_type, new.action, 1)
    ON CONFLICT (entity_type, action) DO UPDATE SET count = count + 1;
  DELETE FROM `events_fts` WHERE rowid = old.rowid;
  INSERT INTO `events_fts` (rowid, body) VALUES (new.rowid, CAST(new.raw AS TEXT));
END;
