import { seenForApi, typesSeen } from '../../api/schemas.js';
import type { SchemaFieldResolvers } from '../generated.js';

/** One learned field; `example` is null once the event it came from is gone. */
export const SchemaField: SchemaFieldResolvers = {
  types: (field) => typesSeen(field),
  presence: (field) => field.presentCount / field.actionEventCount,
  firstSeen: (field) => field.firstSeenMs,
  lastSeen: (field) => field.lastSeenMs,
  example: (field) => field.example ?? null,
  seen: (field) => seenForApi(field),
};
