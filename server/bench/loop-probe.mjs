// Preloaded by the bench only (`node --import ./server/bench/loop-probe.mjs dist/server/main.js`): samples
// the event-loop delay at 1 ms resolution and, on SIGUSR2, prints the figures since the last SIGUSR2 as one
// `HOOKSCOPE_LOOP {json}` line on stdout and starts over. The server itself carries no probe.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
  const figures = {
    maxMs: ms(histogram.max),
    p99Ms: ms(histogram.percentile(99)),
    p999Ms: ms(histogram.percentile(99.9)),
    meanMs: ms(histogram.mean),
  };
  process.stdout.write(`HOOKSCOPE_LOOP ${JSON.stringify(figures)}\n`);
  histogram.reset();
});
