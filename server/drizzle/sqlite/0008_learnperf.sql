CREATE TABLE `schema_learning_mark` (
	`id` integer PRIMARY KEY NOT NULL,
	`learned_through_rowid` integer NOT NULL
);
