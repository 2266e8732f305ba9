import { describe, expect, it } from 'vitest';
import { runCrashRounds, runPurgeCrash } from './helpers/crash.js';

// CI runs a few rounds; `npm run test:crash -- --rounds 50` runs the full test (scripts/crash-test.ts).
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 5);

describe('crash safety (real server process, SIGKILL at random moments)', () => {
  it(`keeps every 2xx-acknowledged event with its exact bytes over ${ROUNDS} kills, and the file intact`, async () => {
    const report = await runCrashRounds({ rounds: ROUNDS });
    expect(report.rounds).toBe(ROUNDS);
    // The test proves nothing unless the server did acknowledge events before it died.
    expect(report.acknowledged).toBeGreaterThan(ROUNDS);
  }, 120_000);

  it('survives kills during a large purge: intact file, acknowledged events kept, the purge finishes later', async () => {
    const result = await runPurgeCrash({ expired: 30_000, kills: 2 });
    expect(result.acknowledged).toBeGreaterThan(0);
    // The first kill landed mid-purge (some expired rows deleted, some not), and a clean run finished it.
    expect(result.expiredLeftAfterKills[0]).toBeGreaterThan(0);
    expect(result.expiredLeftAfterKills[0]).toBeLessThan(30_000);
    expect(result.expiredLeftAfterKills.at(-1)).toBe(0);
  }, 120_000);
});
