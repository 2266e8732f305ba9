import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { SAMPLE_BODY } from './lib.js';

/**
 * Subscriber-side child: opens `subscribers` graphql-transport-ws sockets subscribed to `query`, waits
 * until every one receives a probe event, then either listens (mode `listen`, for ingest with dashboards
 * open) or posts events at `ratePerS` and measures, per delivery, the time from the POST's answer to the
 * receipt (mode `fanout`). Prints `READY` when subscribed and `RESULT {json}` at the end.
 */
interface FanoutArgs {
  url: string;
  subscribers: number;
  query: string;
  mode: 'listen' | 'fanout';
  ratePerS: number;
  durationS: number;
  /** Seconds posted at the same rate before measuring (fanout mode). */
  warmupS: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as FanoutArgs;
const wsUrl = `${args.url.replace(/^http/, 'ws')}/graphql`;
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const MARK = '"eventAdded":{"id":"';

const received = new Array<number>(args.subscribers).fill(0);
const answeredAt = new Map<string, number>();
const pending = new Map<string, number[]>();
const latencies: number[] = [];
const perSecondP99: number[][] = [];
let measuring = false;
let t0 = 0;

function onDelivery(id: string, at: number): void {
  if (!measuring) return;
  const answered = answeredAt.get(id);
  if (answered === undefined) {
    const list = pending.get(id) ?? [];
    list.push(at);
    pending.set(id, list);
  } else record(Math.max(0, at - answered), at);
}
function record(latencyMs: number, at: number): void {
  latencies.push(latencyMs);
  const second = Math.floor((at - t0) / 1000);
  (perSecondP99[second] ??= []).push(latencyMs);
}

function post(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${args.url}/webhooks/event`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const at = performance.now();
          const id = (JSON.parse(text) as { id: string }).id;
          if (measuring) {
            answeredAt.set(id, at);
            for (const early of pending.get(id) ?? []) record(Math.max(0, early - at), early);
            pending.delete(id);
          }
          resolve(id);
        });
      },
    );
    req.on('error', reject);
    req.end(SAMPLE_BODY);
  });
}

const sockets = await Promise.all(
  Array.from(
    { length: args.subscribers },
    (_, i) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
        socket.on('error', reject);
        socket.on('message', (data: Buffer) => {
          const text = data.toString();
          if (text.includes('"connection_ack"')) {
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: args.query } }));
            resolve(socket);
            return;
          }
          const at = performance.now();
          const start = text.indexOf(MARK);
          if (start < 0) return;
          received[i] = (received[i] ?? 0) + 1;
          const from = start + MARK.length;
          onDelivery(text.slice(from, text.indexOf('"', from)), at);
        });
      }),
  ),
);

// No subscription acknowledgement exists in the protocol: probe until every socket has seen an event.
for (let tries = 0; received.some((n) => n === 0); tries++) {
  if (tries > 400) throw new Error('subscribers never received a probe');
  await post();
  await new Promise((resolve) => setTimeout(resolve, 25));
}
await new Promise((resolve) => setTimeout(resolve, 300));
process.stdout.write('READY\n');

let posted = 0;
let postErrors = 0;

/** Posts at `args.ratePerS` for `seconds`, paced in 10 ms ticks against the clock so drift does not add up. */
async function postAtRate(seconds: number): Promise<void> {
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  const perTick = args.ratePerS / 100;
  let due = 0;
  for (let tick = 0; performance.now() - started < seconds * 1000; tick++) {
    due += perTick;
    while (due >= 1) {
      due -= 1;
      posted++;
      inFlight.push(post().catch(() => postErrors++));
    }
    const next = started + (tick + 1) * 10;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
  // Let the last deliveries arrive.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

let before = received.reduce((a, b) => a + b, 0);
if (args.mode === 'listen') {
  await new Promise((resolve) => setTimeout(resolve, args.durationS * 1000));
} else {
  // Warm-up at the same rate, not measured: the target is the steady state, and the first second of a
  // fresh process is the JIT compiling the path (it is the same for the baseline, which gets the same
  // warm-up). Its deliveries are settled before the measured run starts, so none are counted in it.
  await postAtRate(args.warmupS);
  posted = 0;
  before = received.reduce((a, b) => a + b, 0);
  measuring = true;
  t0 = performance.now();
  await postAtRate(args.durationS);
}
const delivered = received.reduce((a, b) => a + b, 0) - before;
for (const socket of sockets) socket.close();
agent.destroy();

const q = (values: number[], p: number) => {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN) : NaN;
};
const seconds = perSecondP99.filter((list) => list && list.length > 0).map((list) => q(list, 0.99));
process.stdout.write(
  `RESULT ${JSON.stringify({
    posted,
    postErrors,
    delivered,
    expected: posted * args.subscribers,
    p50Ms: q(latencies, 0.5),
    p99Ms: q(latencies, 0.99),
    maxMs: latencies.reduce((a, b) => Math.max(a, b), 0),
    firstSecondP99Ms: seconds[0] ?? NaN,
    lastSecondP99Ms: seconds.at(-1) ?? NaN,
  })}\n`,
);
process.exit(0);
