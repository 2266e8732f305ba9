import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The one-way import rule of eslint.config.js, run through ESLint's Node API on a one-line file placed in a
// folder: proof that the rule fires on a forbidden import and stays quiet on an allowed one.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** An import specifier, from a file in `fromFolder`, of a real source file in `toFolder` (the resolver checks it exists). */
function specifierOf(fromFolder: string, toFolder: string, name?: string): string {
  const file =
    name ??
    readdirSync(join(root, toFolder))
      .filter((entry) => /^[^.]+\.tsx?$/.test(entry) && !entry.includes('.test.'))
      .sort()[0];
  if (file === undefined) throw new Error(`no source file in ${toFolder}`);
  const path = relative(join(root, fromFolder), join(root, toFolder, file)).replace(/\.tsx?$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

/** The boundary errors ESLint reports for `code` saved as a new file in `folder`. */
async function boundaryErrors(folder: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, folder, 'boundaries-fixture.ts') });
  if (result === undefined) throw new Error('ESLint returned no result');
  return result.messages
    .filter((message) => message.ruleId === 'boundaries/dependencies' || message.fatal)
    .map((message) => message.message);
}

/** The boundary errors for one import of a file of `toFolder` from a new file in `fromFolder`. */
function importErrors(
  fromFolder: string,
  toFolder: string,
  options: { typeOnly?: boolean; file?: string } = {},
) {
  const specifier = specifierOf(fromFolder, toFolder, options.file);
  const code = options.typeOnly
    ? `import type * as target from '${specifier}';\nexport type Target = typeof target;\n`
    : `import * as target from '${specifier}';\nexport { target };\n`;
  return boundaryErrors(fromFolder, code);
}

describe('the one-way import rule', () => {
  it('refuses an import between the two doors, in either direction', async () => {
    expect(await importErrors('server/src/graphql', 'server/src/http')).toEqual([
      expect.stringContaining('from elements of type "graphql" to elements of type "http"'),
    ]);
    expect(await importErrors('server/src/http', 'server/src/graphql')).toEqual([
      expect.stringContaining('from elements of type "http" to elements of type "graphql"'),
    ]);
  });

  it('refuses server code in the web, and web code in the server', async () => {
    expect(await importErrors('web/src', 'server/src/domain')).toEqual([
      expect.stringContaining('from elements of type "web" to elements of type "domain"'),
    ]);
    expect(await importErrors('server/src/api', 'web/src/lib')).toEqual([
      expect.stringContaining('from elements of type "api" to elements of type "web"'),
    ]);
  });

  it('refuses a type-only import across a forbidden edge too', async () => {
    expect(await importErrors('server/src/domain', 'server/src/store', { typeOnly: true })).toEqual([
      expect.stringContaining('from elements of type "domain" to elements of type "store"'),
    ]);
    expect(await importErrors('server/src/shared', 'server/src/domain', { typeOnly: true })).toHaveLength(1);
  });

  it('lets the read model import the store contract for its types only', async () => {
    expect(
      await importErrors('server/src/read', 'server/src/store', { file: 'types.ts', typeOnly: true }),
    ).toEqual([]);
    expect(await importErrors('server/src/read', 'server/src/store', { file: 'types.ts' })).toHaveLength(1);
  });

  it('allows what the layout allows', async () => {
    expect(await importErrors('server/src/domain', 'server/src/shared')).toEqual([]);
    expect(await importErrors('server/src/graphql', 'server/src/domain')).toEqual([]);
    expect(await importErrors('server/src/http', 'server/src/intake')).toEqual([]);
    expect(await importErrors('server/test', 'server/src/http')).toEqual([]);
  });

  it('lets only the composition root import every folder', async () => {
    const code = `import * as http from './http/${specifierOf('server/src/http', 'server/src/http')}';\nexport { http };\n`;
    const [asRoot] = await eslint.lintText(code, { filePath: join(root, 'server/src/server.ts') });
    expect(asRoot?.messages.filter((message) => message.ruleId === 'boundaries/dependencies')).toEqual([]);
    expect(await boundaryErrors('server/src/jobs', code.replace('./http/', '../http/'))).toHaveLength(1);
  });

  it("lets the bench import the dashboard's operations, and nothing else of the web", async () => {
    const operations = readdirSync(join(root, 'web/src'), { recursive: true, encoding: 'utf8' }).filter(
      (path) => /(^|[/.])operations\.ts$/.test(path),
    );
    expect(operations.length).toBeGreaterThan(0);
    for (const path of operations) {
      const file = join('web/src', path);
      expect(await importErrors('server/bench', dirname(file), { file: basename(file) })).toEqual([]);
    }
    expect(await importErrors('server/bench', 'web/src/lib')).toHaveLength(1);
  });
});
