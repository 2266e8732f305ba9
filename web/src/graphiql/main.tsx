// The query IDE's page (/graphiql): a second Vite entry, so GraphiQL and Monaco stay out of the dashboard's bundle.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createConnectionStore } from '../api/connection.js';
import { createSocket, graphqlUrls } from '../api/socket.js';
import '../styles.css';
import './graphiql-page.css';
import { createQueryFetcher } from './fetcher.js';
import { QueryPage } from './QueryPage.js';

const connection = createConnectionStore();
const { httpUrl, wsUrl } = graphqlUrls(window.location.origin);
// Same origin: fetch sends the session cookie (or the browser's basic-auth credentials) by itself, and the
// WebSocket upgrade carries the cookie, so a signed-in page needs no token here.
const fetcher = createQueryFetcher(httpUrl, createSocket(wsUrl, connection));

const root = document.getElementById('root');
if (root === null) throw new Error('graphiql.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryPage fetcher={fetcher} connection={connection} />
  </StrictMode>,
);
