// Makes sure the browser test has what it needs, without the rest of the real-editor setup:
// Debian chromium and .e2e/node_modules/playwright-core (pinned by .e2e/package-lock.json).
// Falls back to .e2e/setup.sh (which also installs code-server) only when chromium is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const E2E = join(process.cwd(), '.e2e');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const run = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(CHROMIUM)) run('bash', [join(E2E, 'setup.sh')], process.cwd());
if (!existsSync(join(E2E, 'node_modules', 'playwright-core', 'package.json'))) run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], E2E);
