import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { AccessRole } from './access.js';

/** What the HTTP app lends a door for the connections that door accepts itself: a WebSocket upgrade
 * passes none of Fastify's hooks, so the door applies the app's checks on its own. */
export interface ConnectionGuards {
  /** Whether the request (its session cookie or Authorization header) or a credential sent in-band
   * (graphql-ws `connectionParams.authToken`) signs in a reader; always true without AUTH_*. */
  authorize(request: IncomingMessage, credential: unknown): boolean;
  /** The role of the credential the request or the in-band credential proves (`full` without AUTH_*). */
  roleOf(request: IncomingMessage, credential: unknown): AccessRole;
  /** Whether a WebSocket upgrade may proceed (its Origin, against cross-site WebSocket hijacking). */
  upgradeAllowed(request: IncomingMessage): boolean;
  /** Watches an accepted socket: one that stops reading is cut off. */
  watchSocket(socket: WebSocket): void;
  /** Resolves once the app is closing and its last routed HTTP request is done (see http/drain.ts). */
  requestsDone(): Promise<void>;
}

/** A door that shares the HTTP app's port (GraphQL over HTTP and WebSocket). The composition root builds
 * it and hands it to the app, so that http/ and graphql/ never import each other. */
export interface AppMount {
  /** Adds its routes and upgrade handling, after the app's own hooks (drain, auth, headers). */
  register(fastify: FastifyInstance, guards: ConnectionGuards): Promise<void>;
  /** Drains it: open sockets are closed with 1012 (service restart, which clients retry elsewhere) once
   * {@link ConnectionGuards.requestsDone} resolves. */
  close(): Promise<void>;
}
