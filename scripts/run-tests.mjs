// Runs every compiled *.test.js under .test-out/test with node's test runner (Node 20's `--test`
// takes no globs, and a folder argument would also run the helper modules as tests).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) collect(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = collect('.test-out/test', []).sort();
if (files.length === 0) {
  console.error('run-tests: no compiled tests in .test-out/test (run `npm test`, which compiles them first)');
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
