// Harness tests: VS Code's own extension-test mechanism (extensionDevelopmentPath /
// extensionTestsPath) inside a real code-server workbench, driven through the workbench URL
// parameter `payload` (real-vscode-tests.md §5). The mocha suite in test/e2e/suite/ runs in the
// remote extension host against the unpacked, built extension; each mocha test is reported back
// here as a node:test subtest, so the summary counts them.
// Two runs: the main suite (workspace trust off, the usual test set-up) and test/e2e/suite/restricted/
// in a folder opened in Restricted Mode (workspace trust on, folder not trusted). A third run,
// test/e2e/suite/domain/, opens the example domain (SYSVOL, LDIF topology, event log).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import {
  ARTIFACTS,
  FIXTURES,
  FIXTURES_DOMAIN,
  FIXTURES_RESTRICTED,
  REPO,
  closeBrowser,
  freshProfile,
  launchBrowser,
  requireTools,
  startCodeServer,
} from './lib/codeserver.mjs';

// Workbench chatter and the known offline noise (real-vscode-tests.md §7); all of it stays in harness.log.
const NOISE = /^\s+at |^\s*$|ENOTFOUND|ERR_NAME_NOT_RESOLVED|vsda|connection token|Creating a socket|Service Worker|builtin extensions cache|ChatSessionStore|status of 404/;
const TIMEOUT = Number(process.env.E2E_HARNESS_TIMEOUT_MS || 240_000);
let cs, browser, page;

before(async () => {
  requireTools();
});

after(async () => {
  await closeBrowser(browser, page);
  await cs?.stop();
});

test('harness suite in the code-server extension host', { timeout: TIMEOUT + 60_000 }, (t) =>
  runHarness(t, { name: 'harness', fixtures: FIXTURES, suite: join(REPO, 'test', 'e2e', 'suite', 'index.js') }),
);

test('harness suite in Restricted Mode (untrusted folder)', { timeout: TIMEOUT + 60_000 }, (t) =>
  runHarness(t, {
    name: 'restricted',
    fixtures: FIXTURES_RESTRICTED,
    suite: join(REPO, 'test', 'e2e', 'suite', 'restricted', 'index.js'),
    restricted: true,
    // a user setting (not restricted): the initialize request, with its options, is traced to the channel
    userSettings: { 'relaylint.trace.server': 'verbose' },
  }),
);

test('harness suite on the example domain (topology and event log)', { timeout: TIMEOUT + 60_000 }, (t) =>
  runHarness(t, { name: 'domain', fixtures: FIXTURES_DOMAIN, suite: join(REPO, 'test', 'e2e', 'suite', 'domain', 'index.js') }),
);

async function runHarness(t, { name, fixtures, suite, restricted = false, userSettings }) {
  const profile = freshProfile(name, fixtures, { restricted, userSettings });
  cs = await startCodeServer(profile, name);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

  const logFile = createWriteStream(join(ARTIFACTS, `${name}.log`));
  const results = [];
  let done;
  const exited = new Promise((r) => (done = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = format(...(Array.isArray(args) ? args : [args]));
    logFile.write(line + '\n');
    for (const l of line.split('\n')) {
      if (l.startsWith('E2E-RESULT ')) results.push(JSON.parse(l.slice('E2E-RESULT '.length)));
      else if (process.env.E2E_VERBOSE === '1' || !NOISE.test(l)) console.log('  [host]', l);
    }
  });
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  page.on('pageerror', (e) => logFile.write(`[pageerror] ${e.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') logFile.write(`[console.error] ${m.text()}\n`);
  });
  // Newer built workbenches ignore `payload` unless developmentOptions.enableSmokeTestDriver is set
  // (needed on Code 1.139, harmless on 1.100). Patch the configuration the page reads; never page.route().
  await page.addInitScript(() => {
    const orig = Element.prototype.getAttribute;
    Element.prototype.getAttribute = function (name) {
      const v = orig.call(this, name);
      if (this.id === 'vscode-workbench-web-configuration' && name === 'data-settings' && v) {
        const cfg = JSON.parse(v);
        cfg.developmentOptions = { ...(cfg.developmentOptions || {}), enableSmokeTestDriver: true };
        return JSON.stringify(cfg);
      }
      return v;
    };
  });

  const host = `127.0.0.1:${cs.port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${host}${REPO}`],
    ['extensionTestsPath', `vscode-remote://${host}${suite}`],
  ];
  const started = Date.now();
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(profile.ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  let timer;
  const code = await Promise.race([
    exited,
    new Promise((r) => (timer = setTimeout(() => r('timeout'), TIMEOUT))),
  ]);
  clearTimeout(timer);
  await page.screenshot({ path: join(ARTIFACTS, `${name}-final.png`) }).catch(() => {});
  logFile.end();
  console.log(`  ${name}: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s; log ${join(ARTIFACTS, `${name}.log`)}`);
  // Stop this run's code-server and browser before the next run starts its own.
  await closeBrowser(browser, page);
  await cs.stop();
  browser = page = cs = undefined;

  for (const r of results) {
    await t.test(r.title, { skip: r.state === 'pending' ? 'pending' : false }, () => {
      if (r.state === 'failed') {
        const err = new Error(r.err?.message || 'failed');
        if (r.err?.stack) err.stack = r.err.stack;
        throw err;
      }
    });
  }
  assert.notEqual(code, 'timeout', `the harness did not finish within ${TIMEOUT / 1000} s (see .e2e/artifacts/${name}.log)`);
  assert.ok(results.length > 0, `the harness ran no tests (see .e2e/artifacts/${name}.log)`);
  assert.equal(code, 0, `the harness exited with ${code}`);
}
