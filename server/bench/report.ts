import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** One measured figure: the table's row, and what the JSON file lists. */
export interface Row {
  scenario: string;
  metric: string;
  value: number | string;
  baseline?: number | string;
  ratio?: number;
  target: string;
  /** null: reported for context, judged against nothing. */
  pass: boolean | null;
}

/** Rounds to `digits` decimals, for the table. */
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The rows of one bench run and the raw figures behind them, printed as they come and written at the end. */
export class Report {
  readonly rows: Row[] = [];
  /** Raw results by key, as the scenarios measured them (the JSON file's `raw`). */
  readonly raw: Record<string, unknown> = {};
  readonly startedAt = new Date();

  /** Records a row and prints it at once, so a long run shows its progress. */
  add(row: Row): void {
    this.rows.push(row);
    const status = row.pass === null ? 'info' : row.pass ? 'PASS' : 'MISS';
    const baseline =
      row.baseline !== undefined
        ? ` (baseline ${row.baseline}${row.ratio !== undefined ? `, ratio ${row.ratio}` : ''})`
        : '';
    process.stdout.write(
      `  [${status}] ${row.scenario} / ${row.metric}: ${row.value}${baseline} target ${row.target}\n`,
    );
  }

  /** Prints the Markdown table and writes it, with the JSON of rows and raw figures, to `outDir`. */
  write(outDir: string, run: { full: boolean; size: number }): void {
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${process.platform}`;
    const elapsedS = Math.round((Date.now() - this.startedAt.getTime()) / 1000);
    const mode = run.full ? 'full' : `quick: ${run.size.toLocaleString('en')} stored events`;
    const table = [
      `Run ${this.startedAt.toISOString()} (${mode}), ${elapsedS} s, on ${machine}.`,
      '',
      '| scenario | metric | hookscope | baseline (same run) | ratio | target | result |',
      '|---|---|---|---|---|---|---|',
      ...this.rows.map(
        (r) =>
          `| ${r.scenario} | ${r.metric} | ${r.value} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.target} | ${r.pass === null ? 'info' : r.pass ? 'met' : '**missed**'} |`,
      ),
    ].join('\n');
    mkdirSync(outDir, { recursive: true });
    const stamp = this.startedAt.toISOString().replace(/[:.]/g, '-');
    const { startedAt, rows, raw } = this;
    writeFileSync(
      join(outDir, `${stamp}.json`),
      JSON.stringify({ startedAt, full: run.full, size: run.size, machine, rows, raw }, null, 2),
    );
    writeFileSync(join(outDir, `${stamp}.md`), `${table}\n`);
    process.stdout.write(`\n${table}\n\nwritten to bench-results/${stamp}.json and .md\n`);
  }
}
