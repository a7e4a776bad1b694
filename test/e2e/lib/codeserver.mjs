// Shared plumbing for the real-editor tests: a fresh code-server profile and workspace per suite,
// code-server in its own process group on 127.0.0.1, Debian Chromium through playwright-core, and
// cleanup of everything started here (also when a test fails or times out).
// Recipe: ../shared/docs/real-vscode-tests.md §4–§7 (summarised in .e2e/README.md).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const E2E = join(REPO, '.e2e');
export const ARTIFACTS = join(E2E, 'artifacts');
export const RUN = join(E2E, 'run');
export const CODE_SERVER = join(E2E, 'code-server', 'node_modules', '.bin', 'code-server');
export const FIXTURES = join(REPO, 'test', 'e2e', 'fixtures', 'workspace');
export const FIXTURES_UI = join(REPO, 'test', 'e2e', 'fixtures', 'workspace-ui');
export const FIXTURES_RESTRICTED = join(REPO, 'test', 'e2e', 'fixtures', 'workspace-restricted');
export const FIXTURES_DOMAIN = join(REPO, 'test', 'e2e', 'fixtures', 'workspace-domain');
export const VSIX = join(REPO, 'relaylint.vsix');
export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

const log = (...a) => console.log('[e2e]', ...a);

/** Process groups and browsers still alive; killed on exit whatever happens. */
const groups = new Set();
const browsers = new Set();
process.on('exit', () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
  }
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    for (const b of browsers) b.process?.()?.kill('SIGKILL');
    process.exit(130);
  });
}

export function requireTools() {
  const missing = [];
  if (!existsSync(CODE_SERVER)) missing.push('.e2e/code-server (code-server 4.100.3)');
  if (!existsSync(join(E2E, 'node_modules', 'playwright-core'))) missing.push('.e2e/node_modules/playwright-core');
  if (!existsSync(CHROMIUM)) missing.push(CHROMIUM + ' (Debian chromium)');
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`npm run test:e2e\` or \`bash .e2e/setup.sh\` first`);
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.minimap.enabled': false,
};

/**
 * Workspace trust on, and the folder left untrusted (Restricted Mode) without a start-up prompt: what
 * a reviewer sees after choosing "Don't Trust" on a pull-request checkout.
 */
const RESTRICTED_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/**
 * A fresh folder `.e2e/run/<name>/` with a code-server profile (user data, extensions, XDG dirs)
 * and a copy of the fixture workspace. Wiped at the start of every run, kept afterwards for debugging.
 * `{ restricted: true }` turns workspace trust on, so the folder opens in Restricted Mode.
 */
export function freshProfile(name, fixtures = FIXTURES, { restricted = false, userSettings = {} } = {}) {
  const dir = join(RUN, name);
  rmSync(dir, { recursive: true, force: true });
  const p = {
    dir,
    ud: join(dir, 'user-data'),
    ext: join(dir, 'extensions'),
    xdg: join(dir, 'xdg'),
    ws: join(dir, 'workspace'),
    restricted,
  };
  mkdirSync(join(p.ud, 'User'), { recursive: true });
  mkdirSync(p.ext, { recursive: true });
  mkdirSync(join(p.xdg, 'config'), { recursive: true });
  mkdirSync(join(p.xdg, 'data'), { recursive: true });
  writeFileSync(join(p.ud, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...(restricted ? RESTRICTED_SETTINGS : {}), ...userSettings }, null, 2));
  cpSync(fixtures, p.ws, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  // This suite's artifacts from an earlier run would be misleading.
  for (const f of readdirSync(ARTIFACTS)) if (f.startsWith(`${name}-`) || f.startsWith(`${name}.`)) rmSync(join(ARTIFACTS, f), { force: true });
  return p;
}

function csEnv(p) {
  // code-server writes ~/.config/code-server/config.yaml (with a password) unless XDG dirs point elsewhere.
  // RELAYLINT_E2E_LOGS: where the harness suite finds the relaylint output channel's log file.
  return { ...process.env, XDG_CONFIG_HOME: join(p.xdg, 'config'), XDG_DATA_HOME: join(p.xdg, 'data'), RELAYLINT_E2E_LOGS: join(p.ud, 'logs') };
}

/** `code-server --install-extension` into the profile's own extensions dir. */
export function installVsix(p, vsix = VSIX) {
  if (!existsSync(vsix)) throw new Error(`${vsix} not found: run \`npm run package\` (npm run test:e2e does)`);
  const r = spawnSync(
    CODE_SERVER,
    ['--user-data-dir', p.ud, '--extensions-dir', p.ext, '--install-extension', vsix],
    { env: csEnv(p), encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`--install-extension failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Start code-server on 127.0.0.1 in its own session / process group (node's `detached` is setsid),
 * wait for /healthz. Returns { url, port, log, stop() }.
 */
export async function startCodeServer(p, name) {
  const port = await freePort();
  const logPath = join(ARTIFACTS, `${name}-code-server.log`);
  const out = createWriteStream(logPath);
  await new Promise((r) => out.once('open', r));
  const child = spawn(
    CODE_SERVER,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(p.restricted ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir', p.ud,
      '--extensions-dir', p.ext,
      p.ws,
    ],
    { env: csEnv(p), detached: true, stdio: ['ignore', out, out] },
  );
  const pgid = child.pid;
  groups.add(pgid);
  writeFileSync(join(p.dir, 'code-server.pgid'), String(pgid)); // for the last sweep in .e2e/run.mjs
  let exited = null;
  const exit = new Promise((r) => child.once('exit', (code, sig) => r((exited = { code, sig }))));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); see ${logPath}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break; // {"status":"expired"} before a client connects: up all the same
    } catch {}
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 30 s; see ${logPath}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`code-server ${name} up on ${url} (pgid ${pgid}, log ${logPath})`);
  return {
    url,
    port,
    logPath,
    /** SIGTERM the whole group, SIGKILL after 5 s. */
    async stop() {
      if (!groups.has(pgid)) return;
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {}
      const t = setTimeout(() => {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {}
      }, 5000);
      await exit;
      clearTimeout(t);
      // Children (extension host, file watcher, the language server) share the group: make sure none is left.
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {}
      groups.delete(pgid);
      out.end();
    },
  };
}

export function playwright() {
  const req = createRequire(join(E2E, 'package.json'));
  return req('playwright-core');
}

/** Debian Chromium, headless, fresh temporary profile (playwright's default for launch()). */
export async function launchBrowser() {
  const { chromium } = playwright();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  browsers.add(browser);
  return browser;
}

/**
 * Unload the workbench first (code-server then ends the extension host at once instead of keeping
 * it for a 3 h reconnection grace), then close the browser.
 */
export async function closeBrowser(browser, page) {
  if (!browser) return;
  try {
    if (page && !page.isClosed()) await page.goto('about:blank', { timeout: 10_000 });
  } catch {}
  try {
    await browser.close();
  } catch {}
  browsers.delete(browser);
}

/** Console noise that is expected in code-server (real-vscode-tests.md §7). */
export const HARMLESS = [/vsda/, /ENOTFOUND/, /ERR_NAME_NOT_RESOLVED/, /marketplace|gallery/i, /status of 404/];
