-- Written by hand. The trigram index of 0002 made search fast (0.3 ms for a rare term at 100k rows instead
-- of a scan), but deleting from a contentless_delete FTS5 table cost 0.1-8 s per purge batch of 2,000 rows
-- (measured by `npm run bench`, scenario purge): far past the 25 ms stall budget. Search goes back to a
-- LIKE scan until an index with cheap deletes replaces it (see docs/performance.md). Counters stay.
DROP TRIGGER IF EXISTS `events_after_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `events_after_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `events_after_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `events_fts`;
--> statement-breakpoint
CREATE TRIGGER `events_after_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO `event_counts` (entity_type, action, count) VALUES (new.entity_type, new.action, 1)
    ON CONFLICT (entity_type, action) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `events_after_delete` AFTER DELETE ON `events` BEGIN
  UPDATE `event_counts` SET count = count - 1 WHERE entity_type = old.entity_type AND action = old.action;
END;
--> statement-breakpoint
CREATE TRIGGER `events_after_update` AFTER UPDATE OF entity_type, action ON `events` BEGIN
  UPDATE `event_counts` SET count = count - 1 WHERE entity_type = old.entity_type AND action = old.action;
  INSERT INTO `event_counts` (entity_type, action, count) VALUES (new.entity_type, new.action, 1)
    ON CONFLICT (entity_type, action) DO UPDATE SET count = count + 1;
END;
