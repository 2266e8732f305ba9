import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

// The folders of server/src, each an element of the one-way import graph (docs/architecture.md, "Where things live").
const SERVER_FOLDERS = [
  'shared',
  'domain',
  'store',
  'intake',
  'live',
  'read',
  'jobs',
  'api',
  'http',
  'graphql',
];

/** Selects imports of the given server folders (`type` names an element of `boundaries/elements`). */
const folders = (...types) => ({ to: { element: { type: types } } });
/** Selects type-only imports (`import type`) of the given server folders. */
const typesOf = (...types) => ({ to: { element: { type: types } }, dependency: { kind: 'type' } });
/** Selects imports of the entry files (`category` names a file of `boundaries/files`). */
const entryFiles = (...categories) => ({ to: { file: { categories } } });
/** A policy: files of element `type` may import what `allowed` selects (and files of their own element). */
const element = (type, ...allowed) => ({ from: { element: { type } }, allow: allowed });
/** The same for the entry file of `category`. */
const entryFile = (category, ...allowed) => ({ from: { file: { categories: category } }, allow: allowed });

/** Selects type-only imports of the given entry files. */
const typesOfEntryFiles = (...categories) => ({ to: { file: { categories } }, dependency: { kind: 'type' } });

const SERVER = [folders(...SERVER_FOLDERS), entryFiles('main', 'composition-root', 'config')];

/**
 * The imports that point one way (docs/architecture.md). Anything not allowed here is an error, type-only
 * imports included: a type import is still a dependency. Imports inside one element are not checked.
 */
const ONE_WAY_IMPORTS = [
  // shared/ imports nothing of ours; domain/ only shared/.
  element('shared'),
  element('domain', folders('shared')),
  element('store', folders('domain', 'shared')),
  element('live', folders('domain', 'shared')),
  element('read', folders('domain', 'shared'), typesOf('store')),
  // Settings types are declared once, beside their validation in config.ts: the doors and the intake may
  // name them (a narrow Pick), never import the loader or its values.
  element('intake', folders('domain', 'store', 'live', 'shared', 'api'), typesOfEntryFiles('config')),
  element('jobs', folders('store', 'live', 'read', 'domain', 'shared')),
  element('api', folders('domain', 'shared'), typesOf('store')),
  // The two doors never import each other: server.ts composes both.
  element(
    'http',
    folders('intake', 'api', 'store', 'read', 'live', 'domain', 'shared'),
    typesOfEntryFiles('config'),
  ),
  element(
    'graphql',
    folders('intake', 'api', 'store', 'read', 'live', 'domain', 'shared'),
    typesOfEntryFiles('config'),
  ),
  entryFile('config', folders('shared')),
  entryFile('main', folders('shared'), entryFiles('composition-root', 'config')),
  // The composition root wires concrete instances, so it may import anything of the server.
  entryFile('composition-root', ...SERVER),
  // The dashboard talks to the server over the API only; its generated types come from schema.graphql.
  element('web'),
  element('web-e2e', folders('web')),
  element('server-test', ...SERVER, folders('scripts')),
  // The bench drives the dashboard's own operations, so that it measures what the dashboard asks.
  // ... and the cluster scenario starts PostgreSQL, replicas and HAProxy with the cluster test's own modules.
  element('server-bench', ...SERVER, folders('scripts'), { to: { file: { categories: 'web-operations' } } }),
  element('scripts', ...SERVER, folders('server-test')),
];

/** The rule's entry for these policies. checkUnknownLocals: an import of a file outside every element is refused too. */
const oneWayRule = (policies) => ['error', { default: 'disallow', checkUnknownLocals: true, policies }];

/** Lint rules for server, web and scripts; generated code and build output are skipped. */
export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'test-artifacts/',
      'bench-results/',
      'web/src/gql/',
      'server/src/graphql/generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Received data is always rendered as text.',
        },
      ],
    },
  },
  // CommonJS, because ESLint's import resolvers are loaded with require().
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    plugins: { boundaries },
    settings: {
      'boundaries/root-path': fileURLToPath(new URL('.', import.meta.url)),
      'boundaries/elements': [
        ...SERVER_FOLDERS.map((folder) => ({
          type: folder,
          pattern: `server/src/${folder}`,
          partialMatch: false,
        })),
        { type: 'web', pattern: 'web/src', partialMatch: false },
        { type: 'web-e2e', pattern: 'web/e2e', partialMatch: false },
        { type: 'server-test', pattern: 'server/test', partialMatch: false },
        { type: 'server-bench', pattern: 'server/bench', partialMatch: false },
        { type: 'scripts', pattern: 'scripts', partialMatch: false },
      ],
      'boundaries/files': [
        { category: 'main', pattern: 'server/src/main.ts' },
        { category: 'composition-root', pattern: 'server/src/server.ts' },
        { category: 'config', pattern: 'server/src/config.ts' },
        { category: 'web-operations', pattern: ['web/src/**/operations.ts', 'web/src/**/*.operations.ts'] },
      ],
      // Sources import `./x.js` for `./x.ts`: this resolver finds the file an import names.
      'import/resolver': { [fileURLToPath(new URL('eslint-ts-resolver.cjs', import.meta.url))]: {} },
    },
    rules: { 'boundaries/dependencies': oneWayRule(ONE_WAY_IMPORTS) },
  },
);
