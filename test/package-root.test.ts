import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

t.test('packageRoot finds the directory holding package.json and native/', async (t) => {
  const root = packageRoot();
  t.ok(existsSync(join(root, 'package.json')));
  t.ok(existsSync(join(root, 'native')));
});

t.test('packageRoot explains when nothing is found', async (t) => {
  t.throws(() => packageRoot('/nonexistent/dir/file.js'), /cannot find the package root/);
});
