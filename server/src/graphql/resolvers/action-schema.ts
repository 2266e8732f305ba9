import type { ActionSchemaResolvers } from '../generated.js';

/** One learned action; its fields carry its event count, for their presence. */
export const ActionSchema: ActionSchemaResolvers = {
  firstSeen: (action) => action.firstSeenMs,
  lastSeen: (action) => action.lastSeenMs,
  fields: (action) => action.fields.map((field) => ({ ...field, actionEventCount: action.eventCount })),
};
