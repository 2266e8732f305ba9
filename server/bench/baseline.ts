import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The baselines every scenario is measured against, in their own process: a bare `node:http` server that
 * reads the body, parses the JSON and answers (202 on `/ingest`), and on `/webhooks/event` the same plus
 * a plain `ws` broadcast of a dashboard-sized message to every connected socket (the fan-out floor).
 * The ws side answers `connection_init` so that the same graphql-ws client harness drives both.
 */
const port = Number(process.argv[2] ?? 0);
const sockets = new Set<WebSocket>();
let seq = 0;
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      response.writeHead(400).end();
      return;
    }
    const id = `b${++seq}`;
    if (request.url === '/webhooks/event') {
      const message = JSON.stringify({
        id: '1',
        type: 'next',
        payload: { data: { eventAdded: { id, ...body, receivedAt: new Date().toISOString() } } },
      });
      for (const socket of sockets) socket.send(message);
    }
    response.writeHead(request.url === '/webhooks/event' ? 201 : 202, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ id }));
  });
});
const wss = new WebSocketServer({ server, path: '/graphql' });
wss.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('message', (data) => {
    if (String(data).includes('connection_init')) socket.send('{"type":"connection_ack"}');
  });
  socket.on('close', () => sockets.delete(socket));
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : port}\n`);
});
