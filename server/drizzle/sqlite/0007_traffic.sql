CREATE TABLE `traffic_counts` (
	`size_ms` integer NOT NULL,
	`start_ms` integer NOT NULL,
	`entity_type` text NOT NULL,
	`action` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`size_ms`, `start_ms`, `entity_type`, `action`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `traffic_rejections` (
	`size_ms` integer NOT NULL,
	`start_ms` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`size_ms`, `start_ms`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Written by hand from here, and the two WITHOUT ROWID above (drizzle-kit models neither): the read is a
-- range of the primary key, which WITHOUT ROWID makes the table itself (no lookup per row, measured in
-- docs/performance.md, "Traffic query at 1M events"). (drizzle-kit does not model triggers). The traffic counts follow `events` and
-- `rejections` inside each statement's transaction, at a minute and an hour, whichever code path inserts
-- or deletes (group commit, purge, the stored-events cap, deletes): they can never disagree with the rows.
INSERT INTO `traffic_counts` (size_ms, start_ms, entity_type, action, count)
  SELECT 60000, (received_at / 60000) * 60000, entity_type, action, count(*) FROM `events` GROUP BY 2, 3, 4;
--> statement-breakpoint
INSERT INTO `traffic_counts` (size_ms, start_ms, entity_type, action, count)
  SELECT 3600000, (received_at / 3600000) * 3600000, entity_type, action, count(*) FROM `events` GROUP BY 2, 3, 4;
--> statement-breakpoint
INSERT INTO `traffic_rejections` (size_ms, start_ms, count)
  SELECT 60000, (received_at / 60000) * 60000, count(*) FROM `rejections` GROUP BY 2;
--> statement-breakpoint
INSERT INTO `traffic_rejections` (size_ms, start_ms, count)
  SELECT 3600000, (received_at / 3600000) * 3600000, count(*) FROM `rejections` GROUP BY 2;
--> statement-breakpoint
CREATE TRIGGER `traffic_after_event_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO `traffic_counts` (size_ms, start_ms, entity_type, action, count)
    VALUES (60000, (new.received_at / 60000) * 60000, new.entity_type, new.action, 1),
           (3600000, (new.received_at / 3600000) * 3600000, new.entity_type, new.action, 1)
    ON CONFLICT (size_ms, start_ms, entity_type, action) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `traffic_after_event_delete` AFTER DELETE ON `events` BEGIN
  UPDATE `traffic_counts` SET count = count - 1
    WHERE size_ms = 60000 AND start_ms = (old.received_at / 60000) * 60000
      AND entity_type = old.entity_type AND action = old.action;
  UPDATE `traffic_counts` SET count = count - 1
    WHERE size_ms = 3600000 AND start_ms = (old.received_at / 3600000) * 3600000
      AND entity_type = old.entity_type AND action = old.action;
END;
--> statement-breakpoint
-- Each UPDATE names its size as a constant, so it is one primary-key seek.
-- Events are immutable; should one ever change, its bucket follows it.
CREATE TRIGGER `traffic_after_event_update` AFTER UPDATE OF received_at, entity_type, action ON `events` BEGIN
  UPDATE `traffic_counts` SET count = count - 1
    WHERE size_ms = 60000 AND start_ms = (old.received_at / 60000) * 60000
      AND entity_type = old.entity_type AND action = old.action;
  UPDATE `traffic_counts` SET count = count - 1
    WHERE size_ms = 3600000 AND start_ms = (old.received_at / 3600000) * 3600000
      AND entity_type = old.entity_type AND action = old.action;
  INSERT INTO `traffic_counts` (size_ms, start_ms, entity_type, action, count)
    VALUES (60000, (new.received_at / 60000) * 60000, new.entity_type, new.action, 1),
           (3600000, (new.received_at / 3600000) * 3600000, new.entity_type, new.action, 1)
    ON CONFLICT (size_ms, start_ms, entity_type, action) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `traffic_after_rejection_insert` AFTER INSERT ON `rejections` BEGIN
  INSERT INTO `traffic_rejections` (size_ms, start_ms, count)
    VALUES (60000, (new.received_at / 60000) * 60000, 1), (3600000, (new.received_at / 3600000) * 3600000, 1)
    ON CONFLICT (size_ms, start_ms) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `traffic_after_rejection_delete` AFTER DELETE ON `rejections` BEGIN
  UPDATE `traffic_rejections` SET count = count - 1
    WHERE size_ms = 60000 AND start_ms = (old.received_at / 60000) * 60000;
  UPDATE `traffic_rejections` SET count = count - 1
    WHERE size_ms = 3600000 AND start_ms = (old.received_at / 3600000) * 3600000;
END;
