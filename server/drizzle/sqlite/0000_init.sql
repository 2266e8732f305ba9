CREATE TABLE `entities` (
	`id` text PRIMARY KEY NOT NULL,
	`entity_type` text NOT NULL,
	`last_received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `entities_last_received_at_id_idx` ON `entities` (`last_received_at`,`id`);--> statement-breakpoint
CREATE INDEX `entities_entity_type_last_received_at_id_idx` ON `entities` (`entity_type`,`last_received_at`,`id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`time` integer NOT NULL,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`modified_fields` text,
	`delivery_id` text,
	`headers` text,
	`raw` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_received_at_id_idx` ON `events` (`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_action_received_at_id_idx` ON `events` (`action`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_entity_type_received_at_id_idx` ON `events` (`entity_type`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_entity_id_received_at_id_idx` ON `events` (`entity_id`,`received_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_delivery_id_idx` ON `events` (`delivery_id`) WHERE "events"."delivery_id" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `rejections` (
	`id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`status` integer NOT NULL,
	`code` text NOT NULL,
	`message` text NOT NULL,
	`issues` text NOT NULL,
	`headers` text,
	`raw` blob NOT NULL,
	`raw_bytes` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rejections_received_at_id_idx` ON `rejections` (`received_at`,`id`);