-- Hand edit (drizzle has no word for extensions): pg_trgm for the search index on events.search_text.
-- A trusted extension since PostgreSQL 13: the database owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL, -- hand edit: COLLATE "C" (keyset order = JS string order)
	"event_id" text NOT NULL,
	"event_received_at" bigint NOT NULL,
	"source" text NOT NULL,
	"target" text NOT NULL,
	"attempted_at" bigint NOT NULL,
	"status" integer,
	"duration_ms" integer NOT NULL,
	"response_body" text,
	"response_truncated" boolean NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "entities" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL, -- hand edit: COLLATE "C" (keyset order = JS string order)
	"entity_type" text NOT NULL,
	"last_received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_counts" (
	"size_ms" integer NOT NULL,
	"start_ms" bigint NOT NULL,
	"entity_type" text NOT NULL,
	"action" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "event_counts_size_ms_start_ms_entity_type_action_pk" PRIMARY KEY("size_ms","start_ms","entity_type","action")
) WITH (fillfactor = 50); -- hand edit: hot rows, updated by every commit, stay HOT
--> statement-breakpoint
CREATE TABLE "event_delivery_ids" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text COLLATE "C" NOT NULL, -- hand edit: COLLATE "C" (keyset order = JS string order)
	"received_at" bigint NOT NULL,
	"sequence" bigint NOT NULL,
	"time" bigint NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"modified_fields" jsonb,
	"delivery_id" text,
	"headers" jsonb,
	"raw" "bytea" NOT NULL,
	"search_text" text NOT NULL,
	"drift" jsonb,
	CONSTRAINT "events_pkey" PRIMARY KEY("id","received_at")
) PARTITION BY RANGE ("received_at"); -- hand edit: one partition per UTC day, created by partitions.ts
--> statement-breakpoint
CREATE TABLE "rejections" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL, -- hand edit: COLLATE "C" (keyset order = JS string order)
	"received_at" bigint NOT NULL,
	"status" integer NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"issues" jsonb NOT NULL,
	"headers" jsonb,
	"raw" "bytea" NOT NULL,
	"raw_bytes" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schema_buckets" (
	"entity_type" text NOT NULL,
	"action" text NOT NULL,
	"start_at" bigint NOT NULL,
	"counts" jsonb NOT NULL,
	CONSTRAINT "schema_buckets_entity_type_action_start_at_pk" PRIMARY KEY("entity_type","action","start_at")
);
--> statement-breakpoint
CREATE TABLE "schema_learning_mark" (
	"id" smallint PRIMARY KEY NOT NULL,
	"learned_through_sequence" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schema_shapes" (
	"entity_type" text NOT NULL,
	"action" text NOT NULL,
	"event_count" bigint NOT NULL,
	"first_seen_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"fields" jsonb NOT NULL,
	CONSTRAINT "schema_shapes_entity_type_action_pk" PRIMARY KEY("entity_type","action")
);
--> statement-breakpoint
CREATE TABLE "stream_head" (
	"id" smallint PRIMARY KEY NOT NULL,
	"last_sequence" bigint NOT NULL,
	"last_received_at" bigint NOT NULL,
	CONSTRAINT "stream_head_one_row" CHECK ("stream_head"."id" = 1)
) WITH (fillfactor = 50); -- hand edit: one row updated by every commit, kept HOT
--> statement-breakpoint
-- Hand edit: the head's one row, so the ingest transaction only ever updates it.
INSERT INTO "stream_head" ("id", "last_sequence", "last_received_at") VALUES (1, 0, 0);
--> statement-breakpoint
CREATE TABLE "traffic_rejections" (
	"size_ms" integer NOT NULL,
	"start_ms" bigint NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "traffic_rejections_size_ms_start_ms_pk" PRIMARY KEY("size_ms","start_ms")
) WITH (fillfactor = 50); -- hand edit: hot rows stay HOT
--> statement-breakpoint
CREATE TABLE "traffic_splits" (
	"size_ms" integer NOT NULL,
	"split_by" text NOT NULL,
	"start_ms" bigint NOT NULL,
	"key" text COLLATE "C" NOT NULL, -- hand edit: COLLATE "C"
	"count" bigint NOT NULL,
	CONSTRAINT "traffic_splits_size_ms_split_by_start_ms_key_pk" PRIMARY KEY("size_ms","split_by","start_ms","key")
) WITH (fillfactor = 50); -- hand edit: hot rows, updated by every commit, stay HOT
--> statement-breakpoint
CREATE INDEX "deliveries_event_id_attempted_at_id_idx" ON "deliveries" USING btree ("event_id","attempted_at","id");--> statement-breakpoint
CREATE INDEX "deliveries_event_received_at_idx" ON "deliveries" USING btree ("event_received_at");--> statement-breakpoint
CREATE INDEX "entities_last_received_at_id_idx" ON "entities" USING btree ("last_received_at","id");--> statement-breakpoint
CREATE INDEX "entities_entity_type_last_received_at_id_idx" ON "entities" USING btree ("entity_type","last_received_at","id");--> statement-breakpoint
CREATE INDEX "event_delivery_ids_received_at_idx" ON "event_delivery_ids" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "events_received_at_id_idx" ON "events" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "events_sequence_idx" ON "events" USING btree ("sequence");--> statement-breakpoint
CREATE INDEX "events_drift_received_at_id_idx" ON "events" USING btree ("received_at","id") WHERE "events"."drift" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "events_action_received_at_id_idx" ON "events" USING btree ("action","received_at","id");--> statement-breakpoint
CREATE INDEX "events_entity_type_received_at_id_idx" ON "events" USING btree ("entity_type","received_at","id");--> statement-breakpoint
CREATE INDEX "events_entity_id_received_at_id_idx" ON "events" USING btree ("entity_id","received_at","id");--> statement-breakpoint
CREATE INDEX "events_search_text_trgm_idx" ON "events" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "rejections_received_at_id_idx" ON "rejections" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "schema_buckets_start_at_idx" ON "schema_buckets" USING btree ("start_at");--> statement-breakpoint
--> statement-breakpoint
-- Hand edit (drizzle has no word for triggers): the kept counters (event_counts, traffic_splits,
-- traffic_rejections). Statement triggers with transition tables: one grouped upsert per statement (a
-- whole group commit, a whole delete step), not one per row. Buckets are floor(at / size) * size, as
-- domain/traffic.ts computes them. Statements must name the parent table `events` (a statement trigger
-- on a partitioned table fires for statements on the parent), and a DROP of a partition fires nothing:
-- the retirement deletes the day's counter rows in the same step.
CREATE FUNCTION "events_counters_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_counts AS c (size_ms, start_ms, entity_type, action, count)
    SELECT s.size_ms, r.received_at - ((r.received_at % s.size_ms) + s.size_ms) % s.size_ms, r.entity_type, r.action, count(*)
    FROM new_rows r CROSS JOIN (VALUES (60000), (3600000)) AS s(size_ms)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (size_ms, start_ms, entity_type, action) DO UPDATE SET count = c.count + excluded.count;
  INSERT INTO traffic_splits AS t (size_ms, split_by, start_ms, key, count)
    SELECT s.size_ms, k.split_by, r.received_at - ((r.received_at % s.size_ms) + s.size_ms) % s.size_ms, k.key, count(*)
    FROM new_rows r
    CROSS JOIN (VALUES (60000), (3600000)) AS s(size_ms)
    CROSS JOIN LATERAL (VALUES ('action', r.action), ('entity_type', r.entity_type)) AS k(split_by, key)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (size_ms, split_by, start_ms, key) DO UPDATE SET count = t.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "events_counters_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_counts AS c (size_ms, start_ms, entity_type, action, count)
    SELECT s.size_ms, r.received_at - ((r.received_at % s.size_ms) + s.size_ms) % s.size_ms, r.entity_type, r.action, -count(*)
    FROM old_rows r CROSS JOIN (VALUES (60000), (3600000)) AS s(size_ms)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (size_ms, start_ms, entity_type, action) DO UPDATE SET count = c.count + excluded.count;
  INSERT INTO traffic_splits AS t (size_ms, split_by, start_ms, key, count)
    SELECT s.size_ms, k.split_by, r.received_at - ((r.received_at % s.size_ms) + s.size_ms) % s.size_ms, k.key, -count(*)
    FROM old_rows r
    CROSS JOIN (VALUES (60000), (3600000)) AS s(size_ms)
    CROSS JOIN LATERAL (VALUES ('action', r.action), ('entity_type', r.entity_type)) AS k(split_by, key)
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (size_ms, split_by, start_ms, key) DO UPDATE SET count = t.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "events_counters_after_insert" AFTER INSERT ON "events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "events_counters_inserted"();
--> statement-breakpoint
CREATE TRIGGER "events_counters_after_delete" AFTER DELETE ON "events" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "events_counters_deleted"();
--> statement-breakpoint
CREATE FUNCTION "rejections_counters_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO traffic_rejections AS t (size_ms, start_ms, count)
    SELECT s.size_ms, r.received_at - ((r.received_at % s.size_ms) + s.size_ms) % s.size_ms, count(*)
    FROM new_rows r CROSS JOIN (VALUES (60000), (3600000)) AS s(size_ms)
    GROUP BY 1, 2
    ON CONFLICT (size_ms, start_ms) DO UPDATE SET count = t.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "rejections_counters_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO traffic_rejections AS t (size_ms, start_ms, count)
    SELECT s.size_ms, r.received_at - ((r.received_at % s.size_ms) + s.size_ms) % s.size_ms, -count(*)
    FROM old_rows r CROSS JOIN (VALUES (60000), (3600000)) AS s(size_ms)
    GROUP BY 1, 2
    ON CONFLICT (size_ms, start_ms) DO UPDATE SET count = t.count + excluded.count;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rejections_counters_after_insert" AFTER INSERT ON "rejections" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "rejections_counters_inserted"();
--> statement-breakpoint
CREATE TRIGGER "rejections_counters_after_delete" AFTER DELETE ON "rejections" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "rejections_counters_deleted"();
