import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout or install directory: the nearest ancestor holding hushscribe's package.json. Works from common/
 * (tests) and dist/common/ (built). Top level, not under daemon/, because native/ and redaction/ use it too.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`hushscribe: cannot find the package root above ${from}`);
    dir = parent;
  }
}
