// What goes wrong during the cluster test, one thing at a time and spread over the run: replicas killed
// with SIGKILL (no drain at all) and started again, one replica drained with SIGTERM, one PostgreSQL
// restart, one Redis restart. Each step waits for its own recovery, bounded in time by the starts it calls.
import { randomInt } from 'node:crypto';
import type { PrivatePostgres, PrivateRedis, Replica } from './processes.js';
import { sleep } from './processes.js';

/** One chaos step as it happened. */
export interface ChaosStep {
  /** Seconds since the run started. */
  atS: number;
  what: string;
  /** How long until the thing was back (ready again), in ms. */
  recoveredMs: number;
  note?: string;
}

/** The steps of one run, in order. */
export type ChaosKind = 'kill' | 'drain' | 'postgres' | 'redis';

/**
 * The plan: `kills` SIGKILL rounds, one drain, one PostgreSQL restart (unless the replicas run on SQLite),
 * one Redis restart when there is one.
 */
export function chaosPlan(kills: number, has: { postgres: boolean; redis: boolean }): ChaosKind[] {
  const specials: ChaosKind[] = [
    'drain',
    ...(has.postgres ? (['postgres'] as const) : []),
    ...(has.redis ? (['redis'] as const) : []),
  ];
  const plan: ChaosKind[] = [];
  // Kills first and last, the special steps spread between them.
  const every = Math.max(1, Math.floor(kills / (specials.length + 1)));
  let k = 0;
  while (k < kills || specials.length > 0) {
    for (let i = 0; i < every && k < kills; i++, k++) plan.push('kill');
    const special = specials.shift();
    if (special) plan.push(special);
  }
  return plan;
}

/** Everything chaos may act on. */
export interface ChaosTargets {
  replicas: readonly Replica[];
  postgres: PrivatePostgres | null;
  redis: PrivateRedis | null;
}

/**
 * Runs `plan` across `durationMs`, one step every `durationMs / (steps + 1)`, starting from `t0` (the
 * run's start, performance.now()). A replica killed stays down for 200–1500 ms before it starts again,
 * long enough for the balancer and the clients to notice.
 */
export async function runChaos(
  plan: readonly ChaosKind[],
  targets: ChaosTargets,
  durationMs: number,
  t0: number,
  log: (line: string) => void,
): Promise<ChaosStep[]> {
  const steps: ChaosStep[] = [];
  let previous: Replica | null = null;
  // A random replica, never the one hit by the step before: every replica gets its turn sooner.
  const pick = (): Replica => {
    const candidates = targets.replicas.filter((r) => r !== previous || targets.replicas.length === 1);
    previous = candidates[randomInt(candidates.length)] as Replica;
    return previous;
  };
  const gapMs = durationMs / (plan.length + 1);
  for (let i = 0; i < plan.length; i++) {
    const due = t0 + gapMs * (i + 1);
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const kind = plan[i] as ChaosKind;
    const atS = (performance.now() - t0) / 1_000;
    const step = await runStep(kind, targets, pick);
    steps.push({ atS, ...step });
    log(
      `chaos +${atS.toFixed(1)} s: ${step.what}, back in ${step.recoveredMs} ms${step.note ? ` (${step.note})` : ''}`,
    );
  }
  return steps;
}

async function runStep(
  kind: ChaosKind,
  targets: ChaosTargets,
  pick: () => Replica,
): Promise<Omit<ChaosStep, 'atS'>> {
  switch (kind) {
    case 'kill': {
      const replica = pick();
      await replica.kill();
      const started = performance.now();
      await sleep(randomInt(200, 1_500));
      await replica.start();
      return { what: `kill -9 ${replica.name}`, recoveredMs: Math.round(performance.now() - started) };
    }
    case 'drain': {
      const replica = pick();
      const started = performance.now();
      const exit = await replica.drain();
      await replica.start();
      const note = `drained in ${exit.ms} ms, exit ${exit.code ?? exit.signal}`;
      if (exit.code !== 0) throw new Error(`${replica.name} did not drain cleanly on SIGTERM: ${note}`);
      return { what: `SIGTERM ${replica.name}`, recoveredMs: Math.round(performance.now() - started), note };
    }
    case 'postgres': {
      if (!targets.postgres) throw new Error('a PostgreSQL restart was planned without PostgreSQL');
      const started = performance.now();
      await targets.postgres.restart();
      return { what: 'pg_ctl restart -m fast', recoveredMs: Math.round(performance.now() - started) };
    }
    case 'redis': {
      if (!targets.redis) throw new Error('a Redis restart was planned without Redis');
      const started = performance.now();
      await targets.redis.restart();
      return { what: 'Redis restart', recoveredMs: Math.round(performance.now() - started) };
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown chaos step ${String(never)}`);
    }
  }
}
