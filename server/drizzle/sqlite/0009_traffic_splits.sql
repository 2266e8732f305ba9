CREATE TABLE `traffic_splits` (
	`size_ms` integer NOT NULL,
	`split_by` text NOT NULL,
	`start_ms` integer NOT NULL,
	`key` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`size_ms`, `split_by`, `start_ms`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Written by hand from here, and the WITHOUT ROWID above (drizzle-kit models neither it nor triggers), as
-- in 0007_traffic: the counts per (bucket, action) and per (bucket, entity type) instead of per (bucket,
-- entity type, action), so that a split by action reads 3 rows per bucket (docs/performance.md, "Traffic
-- query at 1M events"). 0007's triggers go first: they write the table dropped below.
DROP TRIGGER `traffic_after_event_insert`;
--> statement-breakpoint
DROP TRIGGER `traffic_after_event_delete`;
--> statement-breakpoint
DROP TRIGGER `traffic_after_event_update`;
--> statement-breakpoint
INSERT INTO `traffic_splits` (size_ms, split_by, start_ms, key, count)
  SELECT 60000, 'action', (received_at / 60000) * 60000, action, count(*) FROM `events` GROUP BY 3, 4;
--> statement-breakpoint
INSERT INTO `traffic_splits` (size_ms, split_by, start_ms, key, count)
  SELECT 60000, 'entity_type', (received_at / 60000) * 60000, entity_type, count(*) FROM `events` GROUP BY 3, 4;
--> statement-breakpoint
INSERT INTO `traffic_splits` (size_ms, split_by, start_ms, key, count)
  SELECT 3600000, 'action', (received_at / 3600000) * 3600000, action, count(*) FROM `events` GROUP BY 3, 4;
--> statement-breakpoint
INSERT INTO `traffic_splits` (size_ms, split_by, start_ms, key, count)
  SELECT 3600000, 'entity_type', (received_at / 3600000) * 3600000, entity_type, count(*) FROM `events` GROUP BY 3, 4;
--> statement-breakpoint
DROP TABLE `traffic_counts`;
--> statement-breakpoint
-- One statement per insert (four rows: two sizes × two splits); each UPDATE names its size and split as
-- constants, so it is one primary-key seek.
CREATE TRIGGER `traffic_after_event_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO `traffic_splits` (size_ms, split_by, start_ms, key, count)
    VALUES (60000, 'action', (new.received_at / 60000) * 60000, new.action, 1),
           (60000, 'entity_type', (new.received_at / 60000) * 60000, new.entity_type, 1),
           (3600000, 'action', (new.received_at / 3600000) * 3600000, new.action, 1),
           (3600000, 'entity_type', (new.received_at / 3600000) * 3600000, new.entity_type, 1)
    ON CONFLICT (size_ms, split_by, start_ms, key) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `traffic_after_event_delete` AFTER DELETE ON `events` BEGIN
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 60000 AND split_by = 'action' AND start_ms = (old.received_at / 60000) * 60000 AND key = old.action;
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 60000 AND split_by = 'entity_type' AND start_ms = (old.received_at / 60000) * 60000 AND key = old.entity_type;
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 3600000 AND split_by = 'action' AND start_ms = (old.received_at / 3600000) * 3600000 AND key = old.action;
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 3600000 AND split_by = 'entity_type' AND start_ms = (old.received_at / 3600000) * 3600000 AND key = old.entity_type;
END;
--> statement-breakpoint
-- Events are immutable; should one ever change, its buckets follow it.
CREATE TRIGGER `traffic_after_event_update` AFTER UPDATE OF received_at, entity_type, action ON `events` BEGIN
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 60000 AND split_by = 'action' AND start_ms = (old.received_at / 60000) * 60000 AND key = old.action;
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 60000 AND split_by = 'entity_type' AND start_ms = (old.received_at / 60000) * 60000 AND key = old.entity_type;
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 3600000 AND split_by = 'action' AND start_ms = (old.received_at / 3600000) * 3600000 AND key = old.action;
  UPDATE `traffic_splits` SET count = count - 1
    WHERE size_ms = 3600000 AND split_by = 'entity_type' AND start_ms = (old.received_at / 3600000) * 3600000 AND key = old.entity_type;
  INSERT INTO `traffic_splits` (size_ms, split_by, start_ms, key, count)
    VALUES (60000, 'action', (new.received_at / 60000) * 60000, new.action, 1),
           (60000, 'entity_type', (new.received_at / 60000) * 60000, new.entity_type, 1),
           (3600000, 'action', (new.received_at / 3600000) * 3600000, new.action, 1),
           (3600000, 'entity_type', (new.received_at / 3600000) * 3600000, new.entity_type, 1)
    ON CONFLICT (size_ms, split_by, start_ms, key) DO UPDATE SET count = count + 1;
END;
