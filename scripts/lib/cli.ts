import { parseArgs } from 'node:util';

/** The flags a command-line tool takes, as `node:util`'s `parseArgs` describes them. */
type FlagOptions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/**
 * Parses a tool's flags strictly (unknown flags and positionals are refused). A bad flag calls `fail` with
 * parseArgs' message; `--help` prints `usage` and exits 0. The caller names each flag's type in `Values`.
 */
export function parseFlags<Values extends { help?: boolean }>(
  argv: string[],
  options: FlagOptions,
  usage: string,
  fail: (message: string) => never,
): Values {
  let values: Values;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}
