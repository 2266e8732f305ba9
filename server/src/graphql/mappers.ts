import type { Connection } from '../api/pagination.js';
import type { FoldedEntity } from '../read/entities.js';
import type { PurgeReport } from '../live/topics.js';
import type {
  BoundedCount,
  LearnedAction,
  LearnedField,
  LearnedSchema,
  StoreStats,
  StoredDelivery,
  StoredEntity,
  StoredEvent,
  StoredRejection,
} from '../store/types.js';

/** Event resolvers work on the stored row. */
export type EventModel = StoredEvent;
/** Entity resolvers work on the fold, plus the row that lists it. */
export interface EntityModel extends FoldedEntity {
  row: StoredEntity;
}
/** Rejection resolvers work on the stored row. */
export type RejectionModel = StoredRejection;

/** A page as resolvers build it: totalCount is computed only when asked for. */
export type ConnectionModel<T> = Connection<T>;
/** A page of events, with its bounded count (computed only when asked for, like totalCount). */
export interface EventConnectionModel extends ConnectionModel<EventModel> {
  countAtMost: (atMost: number) => Promise<BoundedCount>;
}
/** A page of entities. */
export type EntityConnectionModel = ConnectionModel<EntityModel>;
/** A page of refused deliveries. */
export type RejectionConnectionModel = ConnectionModel<RejectionModel>;
/** Counts from the store. */
export type StatsModel = StoreStats;
/** What a purge removed. */
export type PurgeReportModel = PurgeReport;
/** A learned schema as the store reads it. */
export type EntitySchemaModel = LearnedSchema;
/** One learned action. */
export type ActionSchemaModel = LearnedAction;
/** One learned field, with its action's event count (for `presence`). */
export interface SchemaFieldModel extends LearnedField {
  actionEventCount: number;
}
/** Delivery resolvers work on the stored attempt. */
export type DeliveryModel = StoredDelivery;
