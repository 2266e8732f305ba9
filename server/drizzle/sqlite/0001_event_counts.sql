CREATE TABLE `event_counts` (
	`entity_type` text NOT NULL,
	`action` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`entity_type`, `action`)
);
