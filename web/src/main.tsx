import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createApi } from './api/apollo.js';
import { ServicesContext, type Services } from './api/services.js';
import { DashboardRouter } from './lib/navigation.js';
import { createApolloStreamSource } from './routes/stream/source.js';
import './styles.css';

const api = createApi();
const services: Services = {
  streamSource: createApolloStreamSource(api.client, api.ws),
  connection: api.connection,
  ws: api.ws,
  origin: window.location.origin,
};

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ApolloProvider client={api.client}>
      <ServicesContext value={services}>
        <DashboardRouter>
          <App />
        </DashboardRouter>
      </ServicesContext>
    </ApolloProvider>
  </StrictMode>,
);
