import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The folder holding package.json: schema.graphql, migrations and the built dashboard are found from it,
 * whether the server runs from source (tsx) or from dist/. */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
