import autocannon from 'autocannon';

/** Load generator child: runs autocannon with the JSON options given as argv[2]; prints `RESULT {json}`. */
interface LoadArgs {
  url: string;
  body: string;
  connections: number;
  durationS: number;
  overallRate?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as LoadArgs;
const result = await autocannon({
  url: args.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: args.body,
  connections: args.connections,
  duration: args.durationS,
  ...(args.overallRate ? { overallRate: args.overallRate } : {}),
});
const counts = result as unknown as Record<string, number>;
process.stdout.write(
  `RESULT ${JSON.stringify({
    requestsPerS: result.requests.average,
    total: result.requests.total,
    ok2xx: counts['2xx'] ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  })}\n`,
);
