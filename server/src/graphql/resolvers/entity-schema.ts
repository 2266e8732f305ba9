import { jsonSchemaOf, schemaEventCount } from '../../api/schemas.js';
import type { EntitySchemaResolvers } from '../generated.js';

/** A learned schema: its actions as stored, the event count and the JSON Schema export derived. */
export const EntitySchema: EntitySchemaResolvers = {
  eventCount: (schema) => schemaEventCount(schema),
  jsonSchema: (schema) => jsonSchemaOf(schema),
};
