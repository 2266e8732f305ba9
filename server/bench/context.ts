import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report, Row } from './report.js';
import { seed } from './seed.js';

/** What every scenario gets: the run's mode, its ports and temporary folders, and the report. */
export interface BenchContext {
  /** `--full`: the large store and the long loads; otherwise the quick run. */
  readonly full: boolean;
  /** Stored events the read and footprint scenarios run against. */
  readonly size: number;
  /** Seconds of each sustained load. */
  readonly loadS: number;
  /** The next free port of this run (from BENCH_PORT_BASE). */
  port(): number;
  /** A new temporary folder; the scenario removes it. */
  tempDir(): string;
  /** Records and prints one row of the report. */
  add(row: Row): void;
  /** Raw figures by key, written to the JSON file beside the rows. */
  readonly raw: Record<string, unknown>;
  /** A data folder holding `size` seeded events, made once per run and shared (read-mostly). */
  seeded(): string;
}

/** A scenario of the suite: `name` is what `--only=` selects. */
export interface Scenario {
  name: string;
  /** Runs only when `--only=` names it (it needs more than the machine's defaults, e.g. PostgreSQL). */
  optIn?: boolean;
  run(ctx: BenchContext): Promise<void>;
}

/** The context of one run; `dispose` removes the shared seeded folder. */
export function createContext(options: {
  full: boolean;
  portBase: number;
  report: Report;
}): BenchContext & { dispose(): void } {
  const { full, report } = options;
  const size = full ? 1_000_000 : 200_000;
  const tempDir = () => mkdtempSync(join(tmpdir(), 'hookscope-bench-'));
  let nextPort = options.portBase;
  let seededDir: string | null = null;
  return {
    full,
    size,
    loadS: full ? 20 : 8,
    port: () => nextPort++,
    tempDir,
    add: (row) => report.add(row),
    raw: report.raw,
    seeded() {
      if (seededDir) return seededDir;
      seededDir = tempDir();
      const now = Date.now();
      process.stdout.write(`  seeding ${size.toLocaleString('en')} events straight into SQLite...\n`);
      const result = seed({
        dataDir: seededDir,
        count: size,
        fromMs: now - 6 * 86_400_000,
        toMs: now - 60_000,
        bigEntityEvents: 10_000,
        rareEvery: 20_000,
      });
      report.raw.seed = result;
      process.stdout.write(`  seeded in ${Math.round(result.ms / 1000)} s\n`);
      return seededDir;
    },
    dispose() {
      if (seededDir) rmSync(seededDir, { recursive: true, force: true });
    },
  };
}
