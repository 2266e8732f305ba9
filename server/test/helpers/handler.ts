import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request a {@link TestHandler} received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A real local HTTP handler (node:http on port 0) standing in for a developer's webhook handler. */
export interface TestHandler {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Requests whose body was read completely, in arrival order. */
  requests: ReceivedRequest[];
  /** TCP connections accepted so far (a refused target must never add one). */
  connections(): number;
  /** Resolves with the `n`-th request (1-based) once it has arrived. */
  nth(n: number, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/** How the handler answers a request (it may also hold it, or destroy the socket). */
export type Respond = (request: ReceivedRequest, response: ServerResponse, socket: Socket) => void;

/** Starts a handler answering with `respond` (default: 200 "ok"). */
export async function startHandler(respond: Respond = (_r, res) => res.end('ok')): Promise<TestHandler> {
  const requests: ReceivedRequest[] = [];
  const waiters: { n: number; resolve: (r: ReceivedRequest) => void }[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(received);
      for (const waiter of waiters.filter((w) => w.n <= requests.length)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(requests[waiter.n - 1] as ReceivedRequest);
      }
      respond(received, res, req.socket);
    });
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    nth(n, timeoutMs = 5_000) {
      const ready = requests[n - 1];
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`request ${n} did not arrive in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: (request) => {
            clearTimeout(timer);
            resolve(request);
          },
        });
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
