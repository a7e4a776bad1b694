#!/usr/bin/env node
// `npm run test:e2e`: the real-editor tests, offline (npm registry + Debian packages only).
//   1. .e2e/setup.sh: Debian chromium + build packages, playwright-core, code-server 4.100.3 (only what is missing)
//   2. the extension's own dependencies (npm ci) when node_modules is missing
//   3. npm run package  → relaylint.vsix (also rebuilds client/out and server/out)
//   4. node --test: test/e2e/harness.e2e.test.mjs (mocha suite in the extension host) and
//      test/e2e/ui.e2e.test.mjs (Playwright scenario on the installed .vsix)
// Options: --skip-setup, --skip-package, --only=harness|ui. Env: E2E_TIMEOUT_MS (whole run, default 600000).
// Exits non-zero when anything fails. Every process started here is stopped, also on failure or timeout.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const E2E = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(E2E, '..');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const t0 = Date.now();
const secs = (t) => ((Date.now() - t) / 1000).toFixed(1) + ' s';
const say = (m) => console.log(`[e2e] ${m}`);

/** Run a step; a failure ends the run unless `soft` (then it returns false). */
function run(cmd, argv, { soft = false, ...opts } = {}) {
  const t = Date.now();
  say(`$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) {
    say(`FAILED (${r.status ?? r.signal}) after ${secs(t)}: ${cmd} ${argv.join(' ')}`);
    if (soft) return false;
    process.exit(typeof r.status === 'number' && r.status ? r.status : 1);
  }
  say(`  done in ${secs(t)}`);
  return true;
}

// 1. tools
if (!flag('--skip-setup')) run('bash', [join(E2E, 'setup.sh')]);

// 2. the extension's dependencies (esbuild, vsce, mocha for the harness suite)
if (!existsSync(join(REPO, 'node_modules', '.bin', 'vsce')) || !existsSync(join(REPO, 'node_modules', 'mocha'))) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// fixtures are byte-exact (UTF-16LE, BOM, CRLF): make sure the checked-in copy was not re-encoded
run(process.execPath, [join(REPO, 'test', 'e2e', 'fixtures', 'generate.mjs'), '--check']);

// 3. build + package. If packaging fails, the harness suite (which loads the unpacked build) still
// runs so the report shows what works, the UI scenario (which needs the .vsix) is dropped, and the run fails.
let packaged = true;
if (!flag('--skip-package')) {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  if (!pkg.scripts?.package) {
    say('package.json has no "package" script yet; cannot build relaylint.vsix');
    process.exit(1);
  }
  packaged = run('npm', ['run', 'package'], { soft: true });
  if (!packaged) {
    say('packaging failed: building for the harness suite only; the UI scenario cannot run without relaylint.vsix');
    run('npm', ['run', 'build']);
  }
}

// 4. the suites, under node's test runner (one at a time: each starts its own code-server + Chromium)
const files = ['harness', 'ui']
  .filter((n) => !only || only === n)
  .filter((n) => packaged || n !== 'ui')
  .map((n) => join('test', 'e2e', `${n}.e2e.test.mjs`));
const timeoutMs = Number(process.env.E2E_TIMEOUT_MS || 600_000);
const tests = Date.now();
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: REPO,
  stdio: 'inherit',
  detached: true, // own process group, so a timeout can stop it and everything under it
});
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  say(`TIMEOUT after ${timeoutMs / 1000} s: stopping the test run`);
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
  setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }, 10_000).unref();
}, timeoutMs);
const stopChild = () => {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
};
process.on('SIGINT', stopChild);
process.on('SIGTERM', stopChild);

const code = await new Promise((r) => child.on('exit', (c, s) => r(c ?? (s ? 1 : 0))));
clearTimeout(timer);

// Last sweep: code-server runs in its own session (setsid). The test files stop it themselves; if a
// test process was killed hard, stop any group it left (checked to be a code-server before killing).
const runDir = join(E2E, 'run');
for (const name of existsSync(runDir) ? readdirSync(runDir) : []) {
  const f = join(runDir, name, 'code-server.pgid');
  if (!existsSync(f)) continue;
  const pgid = Number(readFileSync(f, 'utf8'));
  try {
    const cmdline = readFileSync(`/proc/${pgid}/cmdline`, 'utf8');
    if (cmdline.includes('code-server')) {
      say(`stopping leftover code-server group ${pgid} (${name})`);
      process.kill(-pgid, 'SIGKILL');
    }
  } catch {}
}

say(`tests ${secs(tests)}, whole run ${secs(t0)}${timedOut ? ' (timed out)' : ''}; artifacts in .e2e/artifacts/`);
if (!packaged) say('FAILED: npm run package (see above); the UI scenario did not run');
process.exit(timedOut || !packaged ? 1 : code);
