import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

/**
 * Subscriber-side child of the cluster scenario: one graphql-transport-ws socket per URL, subscribed to
 * `eventAdded { sequence receivedAt }`. Runs in its own process, reading only the two fields it needs
 * from the text, so that the load generator's work does not delay the receipts. Each delivery's arrival
 * time (wall clock, sub-millisecond) is written with its sequence to `receiptsPath`, for the scenario to
 * hold against each event's commit time; the delay from `receivedAt` (stamped by PostgreSQL under the
 * ingest lock, before the event's insert and COMMIT) is measured here too.
 * Prints `READY` once every socket is subscribed, then `RESULT {json}` after `durationS`.
 */
interface Args {
  wsUrls: string[];
  durationS: number;
  /** Where to write the receipts: float64 pairs (sequence, arrival in epoch ms), native byte order. */
  receiptsPath: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const QUERY = 'subscription BenchTail { eventAdded { sequence receivedAt } }';
const FIELDS = /"sequence":"(\d+)","receivedAt":"([^"]+)"/;

const delaysMs: number[] = [];
/** (sequence, arrival ms) pairs, grown by doubling. */
let receipts = new Float64Array(1 << 16);
let receiptCount = 0;
const nowMs = (): number => performance.timeOrigin + performance.now();
const last = new Array<number>(args.wsUrls.length).fill(0);
const broken = new Array<boolean>(args.wsUrls.length).fill(false);
let subscribed = 0;

const sockets = args.wsUrls.map((url, i) => {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
  socket.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text.startsWith('{"type":"connection_ack"')) {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } }));
      subscribed += 1;
      if (subscribed === args.wsUrls.length) process.stdout.write('READY\n');
      return;
    }
    const match = FIELDS.exec(text);
    if (!match) {
      if (text.includes('"type":"error"')) broken[i] = true;
      return;
    }
    const sequence = Number(match[1]);
    const arrivedMs = nowMs();
    delaysMs.push(arrivedMs - Date.parse(match[2] as string));
    if (receiptCount * 2 + 2 > receipts.length) {
      const grown = new Float64Array(receipts.length * 2);
      grown.set(receipts);
      receipts = grown;
    }
    receipts[receiptCount * 2] = sequence;
    receipts[receiptCount * 2 + 1] = arrivedMs;
    receiptCount += 1;
    // From its first event on, each subscriber must see every position once, in order.
    if ((last[i] as number) !== 0 && sequence !== (last[i] as number) + 1) broken[i] = true;
    last[i] = sequence;
  });
  socket.on('close', () => (broken[i] = true));
  socket.on('error', () => (broken[i] = true));
  return socket;
});

setTimeout(() => {
  for (const socket of sockets) socket.removeAllListeners('close');
  delaysMs.sort((a, b) => a - b);
  const at = (q: number): number =>
    delaysMs[Math.min(delaysMs.length - 1, Math.floor(q * delaysMs.length))] ?? NaN;
  process.stdout.write(
    `RESULT ${JSON.stringify({
      samples: delaysMs.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: at(1),
      incomplete: broken.filter(Boolean).length,
      spread: Math.max(...last) - Math.min(...last),
    })}\n`,
  );
  writeFileSync(args.receiptsPath, receipts.subarray(0, receiptCount * 2));
  for (const socket of sockets) socket.terminate();
  process.exit(0);
}, args.durationS * 1_000);
