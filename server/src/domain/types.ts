/** The three things a webhook event can say happened to an entity. */
export const ACTIONS = ['create', 'update', 'delete'] as const;
/** One of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/** A JSON value as parsed from a request body. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object (objects built by this module have a null prototype). */
export type JsonObject = { [key: string]: Json };

/** Where a body breaks a rule: a dotted path (`payload.id`, `modified_fields.2`; '' = whole body). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A webhook body that passed validation, reduced to what hookscope indexes. */
export interface NormalizedEvent {
  action: Action;
  entityType: string;
  entityId: string;
  /** The event's own `time`, as epoch milliseconds. */
  timeMs: number;
  /** null when the body has no `modified_fields`. */
  modifiedFields: string[] | null;
  payload: JsonObject;
}

/** What the fold needs to know about one stored event. */
export interface FoldInput {
  id: string;
  action: Action;
  entityType: string;
  entityId: string;
  timeMs: number;
  receivedAtMs: number;
  modifiedFields: string[] | null;
  payload: JsonObject;
  deliveryId: string | null;
  /** The raw body, used to spot repeated deliveries that carry no `webhook-id`. */
  raw: string;
}

/** One field of the state before and after an event; `undefined` stands for "absent". */
export interface FieldChange {
  field: string;
  before: Json | undefined;
  after: Json | undefined;
}

/** What the fold says about one event in its entity's history. */
export interface EventAnalysis {
  changes: FieldChange[];
  warnings: string[];
}

/**
 * Everything a fold carries from one event to the next. Held (by the fold that owns it) so that events
 * arriving later can be folded on top without folding the earlier ones again: see `extendFold`.
 */
export interface FoldProgress {
  state: JsonObject | null;
  deleted: boolean;
  created: boolean;
  createdAtMs: number | null;
  seenTypes: string[];
  allWarnings: Set<string>;
  /** The greatest `time` among the events in arrival order so far (out-of-order detection). */
  latestTimeMs: number;
  /** The event that arrived last. */
  lastArrival: FoldInput | null;
  seenDeliveryIds: Set<string>;
  /** Raw bodies seen, or null when not tracked (every event had a webhook-id). */
  seenBodies: Set<string> | null;
  /**
   * The events in fold order so far. An extension appends to this same array instead of copying it (a
   * hot entity's next event would copy all of its events), so each result shows only its first `version`.
   */
  folded: FoldInput[];
}

/** An entity's events folded into its current state. */
export interface FoldResult {
  entityId: string;
  /** The entity type of the last event in fold order. */
  entityType: string;
  /** null until a create or update has set something. */
  state: JsonObject | null;
  deleted: boolean;
  /** True when a `create` event is among the folded ones. */
  complete: boolean;
  /** Number of events folded. */
  version: number;
  /** `time` of the (first) create event folded, if any. */
  createdAtMs: number | null;
  /** `time` of the last event in fold order. */
  updatedAtMs: number;
  /** The events in fold order (by `time`, then arrival): a copy made when first read, this result's own. */
  readonly order: FoldInput[];
  /** Per event id. */
  analysis: Map<string, EventAnalysis>;
  /** Every distinct warning of the entity, in fold order. */
  warnings: string[];
  /** Where the fold stopped, for {@link extendFold}; null once an extension took it over. */
  progress: FoldProgress | null;
}

/** Why a webhook body was refused: 400 for bytes that are not a JSON object, 422 for rule breaks. Part of
 * the API's one code list (`api/errors.ts`), defined here because the domain imports nothing above it. */
export const ParseErrorCode = {
  /** 400: the body is not valid UTF-8. */
  INVALID_UTF8: 'INVALID_UTF8',
  /** 400: empty, not JSON, or JSON whose top level is not an object. */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** 400: objects and arrays nest deeper than the limit. */
  TOO_DEEP: 'TOO_DEEP',
  /** 422: JSON that breaks an event rule; `issues` names every field at fault. */
  INVALID_EVENT: 'INVALID_EVENT',
} as const;
/** One of {@link ParseErrorCode}'s values. */
export type ParseErrorCode = (typeof ParseErrorCode)[keyof typeof ParseErrorCode];

/** The outcome of parsing one webhook body: the normalized event, or a refusal a client can act on. */
export type ParseResult =
  | { ok: true; event: NormalizedEvent; body: JsonObject }
  | {
      ok: false;
      status: 400 | 422;
      code: ParseErrorCode;
      /** One line naming the field(s): `payload.id: required` or `2 problems: ...`. */
      message: string;
      /** Every problem found (422 lists them all; 400 has one, with path ''). */
      issues: ValidationIssue[];
    };
