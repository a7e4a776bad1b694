/**
 * `npm run pack:cli` builds relaylint-<version>.tgz, an npm tarball of the bundled CLI with no
 * dependencies: installed from the file into a fresh prefix with the network off (`--offline`), its
 * `relaylint` bin lists the rules and scans a weak template.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { allRules } from '../../server/src/core';

const ROOT = resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'relaylint-pack-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd = ROOT) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('pack:cli writes relaylint-<version>.tgz whose bin installs offline and runs', () => {
  assert.equal(pkg.scripts['pack:cli'], 'npm run build -- --production && node scripts/pack-cli.mjs');
  const packed = run(process.execPath, ['scripts/pack-cli.mjs', '--out', tmp]);
  assert.equal(packed.status, 0, packed.err);
  const tgz = join(tmp, `relaylint-${pkg.version}.tgz`);
  assert.match(packed.out, new RegExp(`^relaylint-${pkg.version.replace(/\./g, '\\.')}\\.tgz  sha256 [0-9a-f]{64}\\n$`));

  const listing = run('tar', ['tzf', tgz]);
  assert.equal(listing.status, 0, listing.err);
  assert.deepEqual(listing.out.trim().split('\n').sort(), ['package/LICENSE', 'package/README.md', 'package/cli-feed.js', 'package/cli-main.js', 'package/cli.js', 'package/package.json']);
  const manifest = JSON.parse(run('tar', ['xzOf', tgz, 'package/package.json']).out);
  assert.deepEqual(manifest.bin, { relaylint: 'cli.js' });
  assert.equal(manifest.dependencies, undefined);
  assert.equal(manifest.version, pkg.version);

  const prefix = join(tmp, 'prefix');
  const inst = run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tgz]);
  assert.equal(inst.status, 0, `${inst.out}${inst.err}`);
  const bin = join(prefix, 'bin', 'relaylint');

  const rules = run(bin, ['rules'], tmp);
  assert.equal(rules.status, 0, rules.err);
  for (const rule of allRules) assert.match(rules.out, new RegExp(`^${rule.id.replace(/\./g, '\\.')}\\s`, 'm'), rule.id);

  const weak = join(ROOT, 'test', 'e2e', 'fixtures', 'workspace', 'GptTmpl.inf');
  const scan = run(bin, ['scan', weak, '--format', 'json'], tmp);
  assert.equal(scan.status, 1, `a weak template must exit 1: ${scan.err}`);
  const report = JSON.parse(scan.out);
  assert.ok(report.files[0].findings.some((f: { ruleId: string }) => f.ruleId === 'smb.server.require'), scan.out);
});
