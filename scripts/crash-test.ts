// `npm run test:crash -- --rounds 50`: the full crash test (CI runs 5 rounds inside `npm test`).
// Kills the real server with SIGKILL while it takes webhooks, then checks every acknowledged event.
import { parseArgs } from 'node:util';
import { runCrashRounds, runPurgeCrash } from '../server/test/helpers/crash.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '50' }, 'purge-kills': { type: 'string', default: '5' } },
});
const rounds = Number(values.rounds);
const purgeKills = Number(values['purge-kills']);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(purgeKills) || purgeKills < 1) {
  process.stderr.write('usage: npm run test:crash -- --rounds <n ≥ 1> [--purge-kills <n ≥ 1>]\n');
  process.exit(2);
}
const log = (line: string): void => void process.stdout.write(`${line}\n`);
try {
  const report = await runCrashRounds({ rounds, log });
  log(`crash test passed: ${report.rounds} kills, ${report.acknowledged} acknowledged events all intact`);
  const purge = await runPurgeCrash({ expired: 100_000, kills: purgeKills, log });
  log(`purge crash test passed: expired rows left after each kill ${purge.expiredLeftAfterKills.join(', ')}`);
} catch (error) {
  process.stderr.write(`crash test FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
