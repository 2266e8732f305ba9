import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { EventModel, EntityModel, RejectionModel, EventConnectionModel, EntityConnectionModel, RejectionConnectionModel, StatsModel, PurgeReportModel, EntitySchemaModel, ActionSchemaModel, SchemaFieldModel, DeliveryModel } from './mappers.js';
import type { GraphQLContext } from './context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An RFC 3339 date-time string, always with a time zone (emitted in UTC with milliseconds). */
  DateTime: { input: string; output: string | number; }
  /** Any JSON value, passed through as is. */
  JSON: { input: unknown; output: unknown; }
};

export type ActionCount = {
  __typename?: 'ActionCount';
  action: EventAction;
  count: Scalars['Int']['output'];
};

/** What was learned about one action of an entity type. */
export type ActionSchema = {
  __typename?: 'ActionSchema';
  action: EventAction;
  eventCount: Scalars['Int']['output'];
  /** In the order first seen. */
  fields: Array<SchemaField>;
  firstSeen: Scalars['DateTime']['output'];
  lastSeen: Scalars['DateTime']['output'];
};

/** A count that stops at a bound (`EventConnection.count`). */
export type BoundedCount = {
  __typename?: 'BoundedCount';
  /** Whether `value` is the count itself; false reads "at least `value`" (shown as "1,000+"). */
  exact: Scalars['Boolean']['output'];
  /** The count when `exact`; otherwise a lower bound of it. */
  value: Scalars['Int']['output'];
};

/** What a delete removed. */
export type DeleteReport = {
  __typename?: 'DeleteReport';
  /** The entities that lost events (changed or gone); null when more than 1000 did. */
  entityIds?: Maybe<Array<Scalars['ID']['output']>>;
  /** Events removed. */
  eventCount: Scalars['Int']['output'];
  /** The ids of the events removed; null when more than 1000 were (views then reload). */
  eventIds?: Maybe<Array<Scalars['ID']['output']>>;
};

/** One attempt to send an event to a target, and how the target answered. */
export type Delivery = {
  __typename?: 'Delivery';
  attemptedAt: Scalars['DateTime']['output'];
  durationMs: Scalars['Int']['output'];
  /** Why no answer came (connection refused, timeout, ...); null when one did. */
  error?: Maybe<Scalars['String']['output']>;
  eventId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  /** The answer's body, up to 64 KiB (decoded as UTF-8). */
  responseBody?: Maybe<Scalars['String']['output']>;
  responseTruncated: Scalars['Boolean']['output'];
  source: DeliverySource;
  /** The HTTP status answered; null when no answer came (see error). */
  status?: Maybe<Scalars['Int']['output']>;
  target: Scalars['String']['output'];
};

/** How a target answered one delivery of an event, as the forward CLI reports it. */
export type DeliveryInput = {
  durationMs: Scalars['Int']['input'];
  /** Why no answer came; required when status is null. */
  error?: InputMaybe<Scalars['String']['input']>;
  eventId: Scalars['ID']['input'];
  /** The answer's body; the server keeps up to 64 KiB of UTF-8 and sets responseTruncated beyond. */
  responseBody?: InputMaybe<Scalars['String']['input']>;
  /** The HTTP status answered (100 to 599); null when no answer came. */
  status?: InputMaybe<Scalars['Int']['input']>;
  /** The absolute http(s) URL the event was sent to. */
  target: Scalars['String']['input'];
};

/** Who sent a delivery attempt. */
export type DeliverySource =
  | 'cli'
  | 'forward'
  | 'replay';

/** An entity's current state, folded from its retained events in order of `time`, then arrival. */
export type Entity = {
  __typename?: 'Entity';
  /** True when its `create` event is still retained. */
  complete: Scalars['Boolean']['output'];
  /** The `time` of its create event, when retained. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  deleted: Scalars['Boolean']['output'];
  /** The entity type of its latest event. */
  entityType: Scalars['String']['output'];
  /** Its events, oldest first (fold order). */
  events: EventConnection;
  id: Scalars['ID']['output'];
  /** The folded state; null when nothing has set it. */
  state?: Maybe<Scalars['JSON']['output']>;
  /** The state as of an instant (events with `time` at or before it). */
  stateAt?: Maybe<Scalars['JSON']['output']>;
  /** The `time` of its latest event. */
  updatedAt: Scalars['DateTime']['output'];
  /** How many events were folded. */
  version: Scalars['Int']['output'];
  /** Everything that looks wrong across its events. */
  warnings: Array<Scalars['String']['output']>;
};


/** An entity's current state, folded from its retained events in order of `time`, then arrival. */
export type EntityEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** An entity's current state, folded from its retained events in order of `time`, then arrival. */
export type EntityStateAtArgs = {
  time: Scalars['DateTime']['input'];
};

export type EntityConnection = {
  __typename?: 'EntityConnection';
  edges: Array<EntityEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type EntityEdge = {
  __typename?: 'EntityEdge';
  cursor: Scalars['String']['output'];
  node: Entity;
};

/**
 * The payload shape learned from an entity type's events, per action. Counts and times outlive the events
 * (retention, eviction, deletes); example values come from retained events only.
 */
export type EntitySchema = {
  __typename?: 'EntitySchema';
  /** Only actions seen, in the order create, update, delete. */
  actions: Array<ActionSchema>;
  entityType: Scalars['String']['output'];
  /** Events learned, every action. */
  eventCount: Scalars['Int']['output'];
  /** A JSON Schema (draft 2020-12) of this entity type's webhook bodies, from what was seen. */
  jsonSchema: Scalars['JSON']['output'];
};

/** A stored webhook event. */
export type Event = {
  __typename?: 'Event';
  action: EventAction;
  /** What this event changed in its entity's folded state. */
  changes: Array<FieldChange>;
  /** Every attempt to deliver this event to a target (forward CLI, replay, FORWARD_TO), oldest first. */
  deliveries: Array<Delivery>;
  /**
   * The sender's own delivery id, when it gave one: the first present of the `webhook-id` (Standard Webhooks),
   * `svix-id` (Svix) and `X-GitHub-Delivery` (GitHub) headers. A delivery whose id is already stored is not
   * stored again (the webhook answers 200 with the original event).
   */
  deliveryId?: Maybe<Scalars['String']['output']>;
  /** Its schema drift warnings alone, judged on arrival against the shape learned before it. */
  drift: Array<Scalars['String']['output']>;
  /** The entity this event belongs to. */
  entity?: Maybe<Entity>;
  entityId: Scalars['String']['output'];
  entityType: Scalars['String']['output'];
  /** Selected request headers (lower-case names). */
  headers?: Maybe<Scalars['JSON']['output']>;
  id: Scalars['ID']['output'];
  modifiedFields?: Maybe<Array<Scalars['String']['output']>>;
  payload: Scalars['JSON']['output'];
  /** The exact request body as received. */
  raw: Scalars['String']['output'];
  /** When hookscope stored it. */
  receivedAt: Scalars['DateTime']['output'];
  /**
   * The event's position in commit order: a decimal integer, "1" for the first event ever stored, each
   * stored event exactly one more than the one stored before it (duplicates get none). Never reused; deletes
   * and retention leave holes. Compare as integers (as strings "9" > "10"). It is the cursor for
   * `Subscription.eventAdded(after:)`.
   */
  sequence: Scalars['String']['output'];
  /** The event's own `time` field. */
  time: Scalars['DateTime']['output'];
  /** What looks wrong about this event, in its entity's history, then its schema drift warnings. */
  warnings: Array<Scalars['String']['output']>;
};

/** What happened to the entity. Spelled as on the wire. */
export type EventAction =
  | 'create'
  | 'delete'
  | 'update';

export type EventConnection = {
  __typename?: 'EventConnection';
  /**
   * How many events match, counted up to `atMost` (1 to 10000): fast whatever the filter. Exact when
   * `exact`; otherwise at least `value` match (`atMost` when more than that do, fewer when the count
   * stopped early on a term whose candidates are mostly not matches). Counts kept by the server (no
   * filter, or only `action` and `entityType`) are exact at any size.
   */
  count: BoundedCount;
  edges: Array<EventEdge>;
  pageInfo: PageInfo;
  /**
   * The exact number of matching events. With `filter.search` it confirms every candidate, which at a
   * million stored events takes hundreds of milliseconds for a common term: ask for `count` instead.
   */
  totalCount: Scalars['Int']['output'];
};


export type EventConnectionCountArgs = {
  atMost?: InputMaybe<Scalars['Int']['input']>;
};

export type EventEdge = {
  __typename?: 'EventEdge';
  cursor: Scalars['String']['output'];
  node: Event;
};

/** A filter over events; all given fields must match. */
export type EventFilter = {
  action?: InputMaybe<EventAction>;
  /** true: only events with schema drift warnings; false: only those without. */
  drift?: InputMaybe<Scalars['Boolean']['input']>;
  entityId?: InputMaybe<Scalars['String']['input']>;
  entityType?: InputMaybe<Scalars['String']['input']>;
  /**
   * Case-insensitive substring of the raw body, at most 256 characters (Unicode code points); a longer term is
   * refused with code SEARCH_TOO_LONG naming `filter.search`.
   */
  search?: InputMaybe<Scalars['String']['input']>;
  /** Received at or after this instant. */
  since?: InputMaybe<Scalars['DateTime']['input']>;
  /** Received strictly before this instant. */
  until?: InputMaybe<Scalars['DateTime']['input']>;
};

/** One field of an entity's state before and after an event (null when absent). */
export type FieldChange = {
  __typename?: 'FieldChange';
  after?: Maybe<Scalars['JSON']['output']>;
  before?: Maybe<Scalars['JSON']['output']>;
  field: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Deletes every retained event. */
  clearEvents: DeleteReport;
  /** Deletes one retained event. An unknown or expired id is a NOT_FOUND error. */
  deleteEvent: DeleteReport;
  /** Deletes every retained event matching the filter, as of now. The filter must set at least one field (use clearEvents for all). */
  deleteEvents: DeleteReport;
  /** Generates realistic mock events and feeds them through the normal intake path (1 to 1000). */
  generateMockEvents: Array<Event>;
  /** Records how a target answered one delivery of a retained event (what the forward CLI reports); source = cli. The response body is kept up to 64 KiB. */
  recordDelivery: Delivery;
  /**
   * Sends events again to a target, in order, and records every attempt (source = replay). Give exactly one
   * of `ids`, `filter` (oldest first) or `entityId` (the entity's stream in fold order). The target must be
   * inside FORWARD_ALLOWED_TARGETS. Answers when every event was attempted or after REPLAY_WAIT, whichever
   * comes first; later attempts arrive through `deliveryAdded`.
   */
  replayEvents: ReplaySummary;
};


export type MutationDeleteEventArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteEventsArgs = {
  filter: EventFilter;
};


export type MutationGenerateMockEventsArgs = {
  count: Scalars['Int']['input'];
};


export type MutationRecordDeliveryArgs = {
  input: DeliveryInput;
};


export type MutationReplayEventsArgs = {
  entityId?: InputMaybe<Scalars['ID']['input']>;
  filter?: InputMaybe<EventFilter>;
  ids?: InputMaybe<Array<Scalars['ID']['input']>>;
  target: Scalars['String']['input'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type PurgeReport = {
  __typename?: 'PurgeReport';
  /** Everything received before this instant is gone. */
  before: Scalars['DateTime']['output'];
  /** Events removed. */
  eventCount: Scalars['Int']['output'];
  /** Refused deliveries removed. */
  rejectionCount: Scalars['Int']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Entities, most recently updated first. */
  entities: EntityConnection;
  /** An entity folded from its retained events, or null when none is retained. */
  entity?: Maybe<Entity>;
  /** One retained event, or null when unknown or expired. */
  event?: Maybe<Event>;
  /** Retained events, newest first (by time received). */
  events: EventConnection;
  /** Refused deliveries, newest first. */
  rejections: RejectionConnection;
  /** The learned schema of one entity type, or null when none of its events was learned. */
  schema?: Maybe<EntitySchema>;
  /** The payload schemas learned from the events received, by entity type name. */
  schemas: Array<EntitySchema>;
  /** Counts and retention settings. */
  stats: Stats;
  /**
   * Events and refused deliveries per time bucket, from kept counts (never a scan of the events). Buckets
   * are aligned to UTC; every bucket from the one holding `since` (default and floor: the retention
   * cut-off) to the one holding `until` (exclusive; default: now) is returned, empty ones included. Without
   * `bucket`, the smallest size that gives at most 480 buckets is used (7 days: HOUR; 6 hours: MINUTE);
   * at most 1500 buckets in all.
   */
  traffic: Traffic;
};


export type QueryEntitiesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  entityType?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryEntityArgs = {
  id: Scalars['ID']['input'];
};


export type QueryEventArgs = {
  id: Scalars['ID']['input'];
};


export type QueryEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<EventFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRejectionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySchemaArgs = {
  entityType: Scalars['String']['input'];
};


export type QueryTrafficArgs = {
  bucket?: InputMaybe<TrafficBucketSize>;
  since?: InputMaybe<Scalars['DateTime']['input']>;
  splitBy?: InputMaybe<TrafficSplit>;
  until?: InputMaybe<Scalars['DateTime']['input']>;
};

/** A delivery that was refused, kept so its sender can be debugged. */
export type Rejection = {
  __typename?: 'Rejection';
  code: Scalars['String']['output'];
  headers?: Maybe<Scalars['JSON']['output']>;
  id: Scalars['ID']['output'];
  issues: Array<ValidationIssue>;
  message: Scalars['String']['output'];
  /** The body as received, up to a cap (decoded as UTF-8, invalid bytes replaced). */
  raw: Scalars['String']['output'];
  /** The full size of the body in bytes. */
  rawBytes: Scalars['Int']['output'];
  rawTruncated: Scalars['Boolean']['output'];
  receivedAt: Scalars['DateTime']['output'];
  /** The HTTP status answered. */
  status: Scalars['Int']['output'];
};

export type RejectionConnection = {
  __typename?: 'RejectionConnection';
  edges: Array<RejectionEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type RejectionEdge = {
  __typename?: 'RejectionEdge';
  cursor: Scalars['String']['output'];
  node: Rejection;
};

/** Where a replay stands when its answer was made. */
export type ReplaySummary = {
  __typename?: 'ReplaySummary';
  /** Attempts recorded so far. */
  attempted: Scalars['Int']['output'];
  /** True when every chosen event was dealt with before the answer; otherwise the rest follow. */
  complete: Scalars['Boolean']['output'];
  /** The attempts recorded so far, in order. */
  deliveries: Array<Delivery>;
  /** Events chosen, in the order they are sent. */
  eventCount: Scalars['Int']['output'];
  /** Of those, answered otherwise or not at all. */
  failed: Scalars['Int']['output'];
  /** Events not sent because they expired or were deleted before their turn. */
  skipped: Scalars['Int']['output'];
  /** Of those, answered with a 2xx status. */
  succeeded: Scalars['Int']['output'];
  /** The target as parsed, as every attempt names it. */
  target: Scalars['String']['output'];
};

/** One field path of a payload: `owner.name`, `tags[]` (every element of the array), `items[].sku`. */
export type SchemaField = {
  __typename?: 'SchemaField';
  /** Its value in the latest event that carried it; null once that event is gone. */
  example?: Maybe<Scalars['JSON']['output']>;
  firstSeen: Scalars['DateTime']['output'];
  lastSeen: Scalars['DateTime']['output'];
  path: Scalars['String']['output'];
  /** presentCount / the action's eventCount, from 0 to 1. */
  presence: Scalars['Float']['output'];
  /** Events of this action that carried the field. */
  presentCount: Scalars['Int']['output'];
  /** Events that carried it per hour within the retained window, oldest first (hours with none left out). */
  seen: Array<SeenCount>;
  /** JSON types seen, with how many values of each (every element of an array counts). */
  types: Array<TypeSeen>;
};

/** Events in one hour. */
export type SeenCount = {
  __typename?: 'SeenCount';
  count: Scalars['Int']['output'];
  /** Start of the hour. */
  hour: Scalars['DateTime']['output'];
};

export type Stats = {
  __typename?: 'Stats';
  byAction: Array<ActionCount>;
  byEntityType: Array<TypeCount>;
  newestReceivedAt?: Maybe<Scalars['DateTime']['output']>;
  oldestReceivedAt?: Maybe<Scalars['DateTime']['output']>;
  purgeIntervalSeconds: Scalars['Int']['output'];
  /** The retention as configured, e.g. `7d`. */
  retention: Scalars['String']['output'];
  retentionSeconds: Scalars['Int']['output'];
  totalEntities: Scalars['Int']['output'];
  totalEvents: Scalars['Int']['output'];
  totalRejections: Scalars['Int']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Every delivery attempt recorded from now on: all, or only those of one event. */
  deliveryAdded: Delivery;
  /**
   * Every event stored from now on that matches the filter, in commit order (ascending `sequence`).
   * With `after` (an `Event.sequence` this client received, or "0" for every retained event): first the
   * retained events with a higher sequence that match the filter, in order, then the live ones, with no gap
   * and no duplicate. Keep `after` at the last sequence received and send it on every reconnect. When the
   * server cannot replay exactly from it (events after it were purged or expired, it is more than 10,000
   * events behind the newest, it is not a decimal integer, or it is past the newest sequence this server
   * knows), the subscription ends at once with an error whose `extensions.code` is RESYNC_REQUIRED: reload
   * by query, then subscribe again (with the newest sequence the query returned, or without `after`).
   */
  eventAdded: Event;
  /** Emitted after each delete (one event, a selection, all) has committed. */
  eventsDeleted: DeleteReport;
  /** Emitted after each purge that removed something. */
  eventsPurged: PurgeReport;
  /** Every refused delivery from now on. */
  rejectionAdded: Rejection;
  /**
   * The counts (as `Query.stats`) each time they change: after events are added, purged, evicted or deleted
   * and refusals recorded. Coalesced: at most 4 messages a second, the last one always after the last
   * change. The first message, soon after subscribing, holds the counts at the start.
   */
  statsChanged: Stats;
};


export type SubscriptionDeliveryAddedArgs = {
  eventId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionEventAddedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<EventFilter>;
};

/** The traffic of a window, bucket by bucket. */
export type Traffic = {
  __typename?: 'Traffic';
  /** The bucket size used (the one asked for, or the automatic choice). */
  bucket: TrafficBucketSize;
  bucketSeconds: Scalars['Int']['output'];
  /** Oldest first. */
  buckets: Array<TrafficBucket>;
  /**
   * The split's keys (actions or entity types, per `splitBy`) with any event in the window, sorted: what
   * each bucket's `counts` is aligned to. With `counts`, the compact form of `split` for a chart: bucket i
   * starts at `since` + i × `bucketSeconds`.
   */
  keys: Array<Scalars['String']['output']>;
  /** The start of the first bucket and the end of the last (the window, widened to whole buckets). */
  since: Scalars['DateTime']['output'];
  splitBy: TrafficSplit;
  until: Scalars['DateTime']['output'];
};

/** One time bucket of traffic. */
export type TrafficBucket = {
  __typename?: 'TrafficBucket';
  /** Retained events received in the bucket (the bucket holding the cut-off counts only those after it). */
  count: Scalars['Int']['output'];
  /** `count` by key, aligned to `Traffic.keys` (0 where the bucket has none of that key). */
  counts: Array<Scalars['Int']['output']>;
  /** Stored refused deliveries received in the bucket. */
  rejections: Scalars['Int']['output'];
  /** `count` by action or by entity type (per `splitBy`), by key; keys with no event left out. */
  split: Array<TrafficCount>;
  start: Scalars['DateTime']['output'];
};

/** The width of one traffic bucket. */
export type TrafficBucketSize =
  | 'DAY'
  | 'FIFTEEN_MINUTES'
  | 'FIVE_MINUTES'
  | 'HOUR'
  | 'MINUTE'
  | 'SIX_HOURS';

/** A count of events for one action or entity type. */
export type TrafficCount = {
  __typename?: 'TrafficCount';
  count: Scalars['Int']['output'];
  key: Scalars['String']['output'];
};

/** What each traffic bucket's `split` counts by. */
export type TrafficSplit =
  | 'ACTION'
  | 'ENTITY_TYPE';

export type TypeCount = {
  __typename?: 'TypeCount';
  count: Scalars['Int']['output'];
  entityType: Scalars['String']['output'];
};

/** A JSON type (null, boolean, number, string, array, object) and how many values of it were seen. */
export type TypeSeen = {
  __typename?: 'TypeSeen';
  count: Scalars['Int']['output'];
  type: Scalars['String']['output'];
};

/** Where a refused delivery broke a rule. */
export type ValidationIssue = {
  __typename?: 'ValidationIssue';
  message: Scalars['String']['output'];
  /** Dotted path into the body, e.g. `payload.id`; empty for the whole body. */
  path: Scalars['String']['output'];
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  ActionCount: ResolverTypeWrapper<ActionCount>;
  ActionSchema: ResolverTypeWrapper<ActionSchemaModel>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  BoundedCount: ResolverTypeWrapper<BoundedCount>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteReport: ResolverTypeWrapper<DeleteReport>;
  Delivery: ResolverTypeWrapper<DeliveryModel>;
  DeliveryInput: DeliveryInput;
  DeliverySource: DeliverySource;
  Entity: ResolverTypeWrapper<EntityModel>;
  EntityConnection: ResolverTypeWrapper<EntityConnectionModel>;
  EntityEdge: ResolverTypeWrapper<Omit<EntityEdge, 'node'> & { node: ResolversTypes['Entity'] }>;
  EntitySchema: ResolverTypeWrapper<EntitySchemaModel>;
  Event: ResolverTypeWrapper<EventModel>;
  EventAction: EventAction;
  EventConnection: ResolverTypeWrapper<EventConnectionModel>;
  EventEdge: ResolverTypeWrapper<Omit<EventEdge, 'node'> & { node: ResolversTypes['Event'] }>;
  EventFilter: EventFilter;
  FieldChange: ResolverTypeWrapper<FieldChange>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PurgeReport: ResolverTypeWrapper<PurgeReportModel>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Rejection: ResolverTypeWrapper<RejectionModel>;
  RejectionConnection: ResolverTypeWrapper<RejectionConnectionModel>;
  RejectionEdge: ResolverTypeWrapper<Omit<RejectionEdge, 'node'> & { node: ResolversTypes['Rejection'] }>;
  ReplaySummary: ResolverTypeWrapper<Omit<ReplaySummary, 'deliveries'> & { deliveries: Array<ResolversTypes['Delivery']> }>;
  SchemaField: ResolverTypeWrapper<SchemaFieldModel>;
  SeenCount: ResolverTypeWrapper<SeenCount>;
  Stats: ResolverTypeWrapper<StatsModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Traffic: ResolverTypeWrapper<Traffic>;
  TrafficBucket: ResolverTypeWrapper<TrafficBucket>;
  TrafficBucketSize: TrafficBucketSize;
  TrafficCount: ResolverTypeWrapper<TrafficCount>;
  TrafficSplit: TrafficSplit;
  TypeCount: ResolverTypeWrapper<TypeCount>;
  TypeSeen: ResolverTypeWrapper<TypeSeen>;
  ValidationIssue: ResolverTypeWrapper<ValidationIssue>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ActionCount: ActionCount;
  ActionSchema: ActionSchemaModel;
  Boolean: Scalars['Boolean']['output'];
  BoundedCount: BoundedCount;
  DateTime: Scalars['DateTime']['output'];
  DeleteReport: DeleteReport;
  Delivery: DeliveryModel;
  DeliveryInput: DeliveryInput;
  Entity: EntityModel;
  EntityConnection: EntityConnectionModel;
  EntityEdge: Omit<EntityEdge, 'node'> & { node: ResolversParentTypes['Entity'] };
  EntitySchema: EntitySchemaModel;
  Event: EventModel;
  EventConnection: EventConnectionModel;
  EventEdge: Omit<EventEdge, 'node'> & { node: ResolversParentTypes['Event'] };
  EventFilter: EventFilter;
  FieldChange: FieldChange;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  PurgeReport: PurgeReportModel;
  Query: Record<PropertyKey, never>;
  Rejection: RejectionModel;
  RejectionConnection: RejectionConnectionModel;
  RejectionEdge: Omit<RejectionEdge, 'node'> & { node: ResolversParentTypes['Rejection'] };
  ReplaySummary: Omit<ReplaySummary, 'deliveries'> & { deliveries: Array<ResolversParentTypes['Delivery']> };
  SchemaField: SchemaFieldModel;
  SeenCount: SeenCount;
  Stats: StatsModel;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  Traffic: Traffic;
  TrafficBucket: TrafficBucket;
  TrafficCount: TrafficCount;
  TypeCount: TypeCount;
  TypeSeen: TypeSeen;
  ValidationIssue: ValidationIssue;
}>;

export type ActionCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ActionCount'] = ResolversParentTypes['ActionCount']> = ResolversObject<{
  action?: Resolver<ResolversTypes['EventAction'], ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ActionSchemaResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ActionSchema'] = ResolversParentTypes['ActionSchema']> = ResolversObject<{
  action?: Resolver<ResolversTypes['EventAction'], ParentType, ContextType>;
  eventCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  fields?: Resolver<Array<ResolversTypes['SchemaField']>, ParentType, ContextType>;
  firstSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type BoundedCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['BoundedCount'] = ResolversParentTypes['BoundedCount']> = ResolversObject<{
  exact?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeleteReportResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeleteReport'] = ResolversParentTypes['DeleteReport']> = ResolversObject<{
  entityIds?: Resolver<Maybe<Array<ResolversTypes['ID']>>, ParentType, ContextType>;
  eventCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  eventIds?: Resolver<Maybe<Array<ResolversTypes['ID']>>, ParentType, ContextType>;
}>;

export type DeliveryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Delivery'] = ResolversParentTypes['Delivery']> = ResolversObject<{
  attemptedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  eventId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  responseBody?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  responseTruncated?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['DeliverySource'], ParentType, ContextType>;
  status?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  target?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type EntityResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Entity'] = ResolversParentTypes['Entity']> = ResolversObject<{
  complete?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  entityType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  events?: Resolver<ResolversTypes['EventConnection'], ParentType, ContextType, RequireFields<EntityEventsArgs, 'first'>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  state?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  stateAt?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType, RequireFields<EntityStateAtArgs, 'time'>>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  warnings?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type EntityConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EntityConnection'] = ResolversParentTypes['EntityConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['EntityEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type EntityEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EntityEdge'] = ResolversParentTypes['EntityEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Entity'], ParentType, ContextType>;
}>;

export type EntitySchemaResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EntitySchema'] = ResolversParentTypes['EntitySchema']> = ResolversObject<{
  actions?: Resolver<Array<ResolversTypes['ActionSchema']>, ParentType, ContextType>;
  entityType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  eventCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  jsonSchema?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
}>;

export type EventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Event'] = ResolversParentTypes['Event']> = ResolversObject<{
  action?: Resolver<ResolversTypes['EventAction'], ParentType, ContextType>;
  changes?: Resolver<Array<ResolversTypes['FieldChange']>, ParentType, ContextType>;
  deliveries?: Resolver<Array<ResolversTypes['Delivery']>, ParentType, ContextType>;
  deliveryId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  drift?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  entity?: Resolver<Maybe<ResolversTypes['Entity']>, ParentType, ContextType>;
  entityId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  entityType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  headers?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  modifiedFields?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
  payload?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  raw?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  receivedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  sequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  time?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  warnings?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type EventConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventConnection'] = ResolversParentTypes['EventConnection']> = ResolversObject<{
  count?: Resolver<ResolversTypes['BoundedCount'], ParentType, ContextType, RequireFields<EventConnectionCountArgs, 'atMost'>>;
  edges?: Resolver<Array<ResolversTypes['EventEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type EventEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventEdge'] = ResolversParentTypes['EventEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
}>;

export type FieldChangeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['FieldChange'] = ResolversParentTypes['FieldChange']> = ResolversObject<{
  after?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  before?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  clearEvents?: Resolver<ResolversTypes['DeleteReport'], ParentType, ContextType>;
  deleteEvent?: Resolver<ResolversTypes['DeleteReport'], ParentType, ContextType, RequireFields<MutationDeleteEventArgs, 'id'>>;
  deleteEvents?: Resolver<ResolversTypes['DeleteReport'], ParentType, ContextType, RequireFields<MutationDeleteEventsArgs, 'filter'>>;
  generateMockEvents?: Resolver<Array<ResolversTypes['Event']>, ParentType, ContextType, RequireFields<MutationGenerateMockEventsArgs, 'count'>>;
  recordDelivery?: Resolver<ResolversTypes['Delivery'], ParentType, ContextType, RequireFields<MutationRecordDeliveryArgs, 'input'>>;
  replayEvents?: Resolver<ResolversTypes['ReplaySummary'], ParentType, ContextType, RequireFields<MutationReplayEventsArgs, 'target'>>;
}>;

export type PageInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type PurgeReportResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PurgeReport'] = ResolversParentTypes['PurgeReport']> = ResolversObject<{
  before?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  eventCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rejectionCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  entities?: Resolver<ResolversTypes['EntityConnection'], ParentType, ContextType, RequireFields<QueryEntitiesArgs, 'first'>>;
  entity?: Resolver<Maybe<ResolversTypes['Entity']>, ParentType, ContextType, RequireFields<QueryEntityArgs, 'id'>>;
  event?: Resolver<Maybe<ResolversTypes['Event']>, ParentType, ContextType, RequireFields<QueryEventArgs, 'id'>>;
  events?: Resolver<ResolversTypes['EventConnection'], ParentType, ContextType, RequireFields<QueryEventsArgs, 'first'>>;
  rejections?: Resolver<ResolversTypes['RejectionConnection'], ParentType, ContextType, RequireFields<QueryRejectionsArgs, 'first'>>;
  schema?: Resolver<Maybe<ResolversTypes['EntitySchema']>, ParentType, ContextType, RequireFields<QuerySchemaArgs, 'entityType'>>;
  schemas?: Resolver<Array<ResolversTypes['EntitySchema']>, ParentType, ContextType>;
  stats?: Resolver<ResolversTypes['Stats'], ParentType, ContextType>;
  traffic?: Resolver<ResolversTypes['Traffic'], ParentType, ContextType, RequireFields<QueryTrafficArgs, 'splitBy'>>;
}>;

export type RejectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Rejection'] = ResolversParentTypes['Rejection']> = ResolversObject<{
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  headers?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  issues?: Resolver<Array<ResolversTypes['ValidationIssue']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  raw?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  rawBytes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rawTruncated?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  receivedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type RejectionConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RejectionConnection'] = ResolversParentTypes['RejectionConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['RejectionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type RejectionEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RejectionEdge'] = ResolversParentTypes['RejectionEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Rejection'], ParentType, ContextType>;
}>;

export type ReplaySummaryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ReplaySummary'] = ResolversParentTypes['ReplaySummary']> = ResolversObject<{
  attempted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  complete?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  deliveries?: Resolver<Array<ResolversTypes['Delivery']>, ParentType, ContextType>;
  eventCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  skipped?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  succeeded?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  target?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type SchemaFieldResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SchemaField'] = ResolversParentTypes['SchemaField']> = ResolversObject<{
  example?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  firstSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  path?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  presence?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  presentCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  seen?: Resolver<Array<ResolversTypes['SeenCount']>, ParentType, ContextType>;
  types?: Resolver<Array<ResolversTypes['TypeSeen']>, ParentType, ContextType>;
}>;

export type SeenCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SeenCount'] = ResolversParentTypes['SeenCount']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  hour?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type StatsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Stats'] = ResolversParentTypes['Stats']> = ResolversObject<{
  byAction?: Resolver<Array<ResolversTypes['ActionCount']>, ParentType, ContextType>;
  byEntityType?: Resolver<Array<ResolversTypes['TypeCount']>, ParentType, ContextType>;
  newestReceivedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  oldestReceivedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  purgeIntervalSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  retention?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  retentionSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  totalEntities?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  totalEvents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  totalRejections?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  deliveryAdded?: SubscriptionResolver<ResolversTypes['Delivery'], "deliveryAdded", ParentType, ContextType, Partial<SubscriptionDeliveryAddedArgs>>;
  eventAdded?: SubscriptionResolver<ResolversTypes['Event'], "eventAdded", ParentType, ContextType, Partial<SubscriptionEventAddedArgs>>;
  eventsDeleted?: SubscriptionResolver<ResolversTypes['DeleteReport'], "eventsDeleted", ParentType, ContextType>;
  eventsPurged?: SubscriptionResolver<ResolversTypes['PurgeReport'], "eventsPurged", ParentType, ContextType>;
  rejectionAdded?: SubscriptionResolver<ResolversTypes['Rejection'], "rejectionAdded", ParentType, ContextType>;
  statsChanged?: SubscriptionResolver<ResolversTypes['Stats'], "statsChanged", ParentType, ContextType>;
}>;

export type TrafficResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Traffic'] = ResolversParentTypes['Traffic']> = ResolversObject<{
  bucket?: Resolver<ResolversTypes['TrafficBucketSize'], ParentType, ContextType>;
  bucketSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  buckets?: Resolver<Array<ResolversTypes['TrafficBucket']>, ParentType, ContextType>;
  keys?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  since?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  splitBy?: Resolver<ResolversTypes['TrafficSplit'], ParentType, ContextType>;
  until?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type TrafficBucketResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TrafficBucket'] = ResolversParentTypes['TrafficBucket']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  counts?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
  rejections?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  split?: Resolver<Array<ResolversTypes['TrafficCount']>, ParentType, ContextType>;
  start?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type TrafficCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TrafficCount'] = ResolversParentTypes['TrafficCount']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type TypeCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TypeCount'] = ResolversParentTypes['TypeCount']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  entityType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type TypeSeenResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TypeSeen'] = ResolversParentTypes['TypeSeen']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type ValidationIssueResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ValidationIssue'] = ResolversParentTypes['ValidationIssue']> = ResolversObject<{
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  path?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = GraphQLContext> = ResolversObject<{
  ActionCount?: ActionCountResolvers<ContextType>;
  ActionSchema?: ActionSchemaResolvers<ContextType>;
  BoundedCount?: BoundedCountResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeleteReport?: DeleteReportResolvers<ContextType>;
  Delivery?: DeliveryResolvers<ContextType>;
  Entity?: EntityResolvers<ContextType>;
  EntityConnection?: EntityConnectionResolvers<ContextType>;
  EntityEdge?: EntityEdgeResolvers<ContextType>;
  EntitySchema?: EntitySchemaResolvers<ContextType>;
  Event?: EventResolvers<ContextType>;
  EventConnection?: EventConnectionResolvers<ContextType>;
  EventEdge?: EventEdgeResolvers<ContextType>;
  FieldChange?: FieldChangeResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  PurgeReport?: PurgeReportResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Rejection?: RejectionResolvers<ContextType>;
  RejectionConnection?: RejectionConnectionResolvers<ContextType>;
  RejectionEdge?: RejectionEdgeResolvers<ContextType>;
  ReplaySummary?: ReplaySummaryResolvers<ContextType>;
  SchemaField?: SchemaFieldResolvers<ContextType>;
  SeenCount?: SeenCountResolvers<ContextType>;
  Stats?: StatsResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Traffic?: TrafficResolvers<ContextType>;
  TrafficBucket?: TrafficBucketResolvers<ContextType>;
  TrafficCount?: TrafficCountResolvers<ContextType>;
  TypeCount?: TypeCountResolvers<ContextType>;
  TypeSeen?: TypeSeenResolvers<ContextType>;
  ValidationIssue?: ValidationIssueResolvers<ContextType>;
}>;

