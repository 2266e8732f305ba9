'use strict';
// The import resolver (eslint-plugin-import's interface v2) that eslint-plugin-boundaries uses to find which
// file an import names. Our sources import `./x.js` for `./x.ts` (NodeNext), which the plugin's default node
// resolver cannot find, so the import would go unchecked. Only relative imports matter to the boundaries.
const { statSync } = require('node:fs');
const path = require('node:path');

const SOURCE_EXTENSIONS = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

function isFile(file) {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

exports.interfaceVersion = 2;

/** Resolves a relative import to the file it names: itself, or the TypeScript source of a `.js` import. */
exports.resolve = (source, importer) => {
  if (!source.startsWith('.')) return { found: false };
  const target = path.resolve(path.dirname(importer), source);
  const extension = path.extname(target);
  const stem = target.slice(0, target.length - extension.length);
  const candidates = [target, ...(SOURCE_EXTENSIONS[extension] ?? []).map((ext) => stem + ext)];
  const found = candidates.find(isFile);
  return found === undefined ? { found: false } : { found: true, path: found };
};
