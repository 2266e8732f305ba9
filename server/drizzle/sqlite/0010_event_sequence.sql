CREATE TABLE `event_sequence` (
	`id` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `events` ADD `sequence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Added by hand to the generated migration: existing events are numbered from 1 in arrival order
-- (received_at, id), before the unique index exists, and the counter starts after the last of them.
UPDATE `events` SET `sequence` = `numbered`.`n`
FROM (SELECT `id`, row_number() OVER (ORDER BY `received_at`, `id`) AS `n` FROM `events`) AS `numbered`
WHERE `events`.`id` = `numbered`.`id`;--> statement-breakpoint
INSERT INTO `event_sequence` (`id`, `last`) SELECT 1, count(*) FROM `events`;--> statement-breakpoint
CREATE UNIQUE INDEX `events_sequence_idx` ON `events` (`sequence`);
