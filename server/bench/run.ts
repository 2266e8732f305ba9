import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/shared/paths.js';
import { createContext, type Scenario } from './context.js';
import { Report } from './report.js';
import { cluster } from './scenarios/cluster.js';
import { dashboard } from './scenarios/dashboard.js';
import { fanout } from './scenarios/fanout.js';
import { footprint } from './scenarios/footprint.js';
import { ingest } from './scenarios/ingest.js';
import { learning } from './scenarios/learning.js';
import { purge } from './scenarios/purge.js';
import { queries } from './scenarios/queries.js';
import { traffic } from './scenarios/traffic.js';

/**
 * hookscope's benchmark suite: `npm run bench` (quick) or `npm run bench -- --full`; `--only=ingest,queries`
 * runs some scenarios. Every scenario runs the server (compiled, synchronous=FULL) in its own process, the
 * load in another, and measures its baseline in the same run, so that ratios stay meaningful on a shared,
 * noisy machine. Results go to bench-results/ (Markdown table and JSON).
 */
const SCENARIOS: Scenario[] = [
  ingest,
  learning,
  fanout,
  queries,
  traffic,
  footprint,
  purge,
  dashboard,
  cluster,
];

const full = process.argv.includes('--full');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario ${unknown.join(', ')}; the scenarios are ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}

const report = new Report();
// BENCH_PORT_BASE: two suites on one machine (another worktree's) must not share ports, or one's load
// and queries reach the other's server (its own fails to bind, the health probe still answers).
const ctx = createContext({ full, portBase: Number(process.env.BENCH_PORT_BASE ?? 18_100), report });

process.stdout.write(`hookscope bench (${full ? 'full' : 'quick'}): building the server...\n`);
execSync('npm run build:server', { cwd: packageRoot, stdio: 'ignore' });
for (const scenario of SCENARIOS) {
  if (only ? !only.includes(scenario.name) : scenario.optIn === true) continue;
  try {
    await scenario.run(ctx);
  } catch (error) {
    report.add({
      scenario: scenario.name,
      metric: 'scenario failed',
      value: String(error).slice(0, 200),
      target: 'runs',
      pass: false,
    });
  }
}
ctx.dispose();
report.write(join(packageRoot, 'bench-results'), { full, size: ctx.size });
