#!/usr/bin/env node
// `npm run test:e2e:desktop`: the same harness suite (test/e2e/suite/index.js) in desktop VS Code
// through @vscode/test-electron. It downloads VS Code from update.code.visualstudio.com, so it
// needs internet access; CI runs the offline code-server route instead (`npm run test:e2e`).
//   VSCODE_VERSION=1.100.3 npm run test:e2e:desktop     (default: stable)
//   E2E_GREP="quick fixes" npm run test:e2e:desktop      (only matching tests)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// A fresh copy of the fixture workspace and a throw-away profile for every run.
const tmp = mkdtempSync(join(tmpdir(), 'relaylint-e2e-desktop-'));
const ws = join(tmp, 'workspace');
cpSync(join(REPO, 'test', 'e2e', 'fixtures', 'workspace'), ws, { recursive: true });

let code = 0;
try {
  await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(REPO, 'test', 'e2e', 'suite', 'index.js'),
    launchArgs: [
      ws,
      '--disable-extensions', // only the extension under test
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir', join(tmp, 'user-data'),
      '--extensions-dir', join(tmp, 'extensions'),
    ],
    // RELAYLINT_E2E_LOGS: where the suite reads the relaylint output channel's log file
    extensionTestsEnv: { E2E_GREP: process.env.E2E_GREP ?? '', RELAYLINT_E2E_LOGS: join(tmp, 'user-data', 'logs') },
  });
} catch (err) {
  console.error(`e2e (desktop) failed: ${err instanceof Error ? err.message : err}`);
  code = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
