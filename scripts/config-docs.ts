/**
 * Writes docs/configuration.md from the config schema (daemon/config/reference.ts). Run after changing an option:
 * `npm run config:docs`; test/config-reference.test.ts fails while the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';
import { configReference } from '../daemon/config/reference.js';

const CONFIG_REFERENCE_PATH = join(packageRoot(), 'docs', 'configuration.md');

writeFileSync(CONFIG_REFERENCE_PATH, configReference());
console.log(JSON.stringify({ wrote: CONFIG_REFERENCE_PATH }));
