// Runs compiled tests under .test-out/test with node's test runner (Node 20's `--test` takes no
// globs, and a folder argument would also run the helper modules as tests).
//   node scripts/run-tests.mjs           every *.test.js except the slow ones (npm test)
//   node scripts/run-tests.mjs --slow    only the slow suite: test/slow/**/*.slow.test.js (npm run test:slow)
// Other arguments go to `node --test`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
const slow = args.includes('--slow');
const passOn = args.filter((a) => a !== '--slow');

function collect(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) collect(p, out);
    else if (e.name.endsWith('.test.js') && e.name.endsWith('.slow.test.js') === slow) out.push(p);
  }
  return out;
}

const files = collect('.test-out/test', []).sort();
if (files.length === 0) {
  console.error(`run-tests: no compiled ${slow ? 'slow ' : ''}tests in .test-out/test (run \`npm test\` or \`npm run test:slow\`, which compile them first)`);
  process.exit(2);
}
// node --test runs availableParallelism() - 1 files at once: one at a time on the 2-core machines.
// The fast suite's files are independent (own temp folders, own servers): run two at a time there.
// The slow suite keeps node's default (its memory and timing cases should not compete).
const concurrency = !slow && !passOn.some((a) => a.startsWith('--test-concurrency')) ? [`--test-concurrency=${Math.max(2, availableParallelism())}`] : [];
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...concurrency, ...passOn, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
