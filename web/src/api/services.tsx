import { createContext, useContext, useSyncExternalStore } from 'react';
import type { StreamSource } from '../routes/stream/controller.js';
import type { ConnectionState, ConnectionStore } from './connection.js';
import type { SubscribeClient } from './resume.js';

/** What views need besides Apollo hooks; tests provide fakes. */
export interface Services {
  streamSource: StreamSource;
  connection: ConnectionStore;
  /** The page's graphql-ws client, for subscriptions that resume with a cursor (api/resume.ts). */
  ws: SubscribeClient;
  /** Where "copy as cURL" sends events: this server's origin. */
  origin: string;
}

/** Provides {@link Services} to the views. */
export const ServicesContext = createContext<Services | null>(null);

/** The page's services; throws when a view is rendered outside the provider (a wiring bug). */
export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('useServices: no ServicesContext provider');
  return services;
}

/** The live connection's status, re-rendering on change. */
export function useConnection(): ConnectionState {
  const { connection } = useServices();
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot, connection.getSnapshot);
}
