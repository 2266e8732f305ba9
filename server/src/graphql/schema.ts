import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { packageRoot } from '../shared/paths.js';
import type { Resolvers } from './generated.js';
import { EntityConnection, EventConnection, RejectionConnection } from './resolvers/connection.js';
import { Delivery } from './resolvers/delivery.js';
import { Entity } from './resolvers/entity.js';
import { Event } from './resolvers/event.js';
import { Mutation } from './resolvers/mutation.js';
import { Query } from './resolvers/query.js';
import { Rejection } from './resolvers/rejection.js';
import { PurgeReport, Stats } from './resolvers/stats.js';
import { Subscription } from './resolvers/subscription.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  Subscription,
  Event,
  Entity,
  Rejection,
  Delivery,
  Stats,
  PurgeReport,
  EventConnection,
  EntityConnection,
  RejectionConnection,
};

/** The executable schema (schema.graphql + resolvers), shared by Apollo over HTTP and graphql-ws. */
export function createSchema(): GraphQLSchema {
  const typeDefs = readFileSync(join(packageRoot, 'schema.graphql'), 'utf8');
  return makeExecutableSchema({ typeDefs, resolvers });
}
