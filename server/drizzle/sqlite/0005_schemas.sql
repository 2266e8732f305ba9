CREATE TABLE `schema_buckets` (
	`entity_type` text NOT NULL,
	`action` text NOT NULL,
	`start_at` integer NOT NULL,
	`counts` text NOT NULL,
	PRIMARY KEY(`entity_type`, `action`, `start_at`)
);
--> statement-breakpoint
CREATE INDEX `schema_buckets_start_at_idx` ON `schema_buckets` (`start_at`);--> statement-breakpoint
CREATE TABLE `schema_shapes` (
	`entity_type` text NOT NULL,
	`action` text NOT NULL,
	`event_count` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`fields` text NOT NULL,
	PRIMARY KEY(`entity_type`, `action`)
);
--> statement-breakpoint
ALTER TABLE `events` ADD `drift` text;--> statement-breakpoint
CREATE INDEX `events_drift_received_at_id_idx` ON `events` (`received_at`,`id`) WHERE "events"."drift" IS NOT NULL;