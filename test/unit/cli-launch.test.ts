/**
 * The `relaylint` command is a small launcher (server/out/cli.js, cli/launch.ts): a scan runs the
 * program (cli-main.js) on a worker thread with the reading thread (cli-feed.js) beside it; the old
 * child-process mode (RELAYLINT_SCAN_MODE=process) and the in-process mode (RELAYLINT_LEAN_CHILD=1)
 * stay available. All three write the same report; the launcher and the reading thread's bundle do
 * not carry the program.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO, runCli } from '../helpers/cli';

const OUT = path.join(REPO, 'server', 'out');
const normal = (json: string) => json.replace(/"seconds":[0-9.]+/, '"seconds":0');

test('threads, a child process and this process write the same report, with the same exit code', () => {
  const args = ['scan', 'examples', '--format', 'json'];
  const modes: [string, Record<string, string>][] = [
    ['threads (default)', {}],
    ['child process', { RELAYLINT_SCAN_MODE: 'process' }],
    ['in process', { RELAYLINT_LEAN_CHILD: '1' }],
  ];
  const runs = modes.map(([name, env]) => ({ name, ...runCli(args, { env }) }));
  for (const r of runs) {
    assert.equal(r.code, 1, `${r.name}: the examples have findings (${r.stderr})`);
    assert.equal(r.stderr, '', r.name);
    assert.ok(JSON.parse(r.stdout).files.length > 5, r.name);
  }
  for (const r of runs.slice(1)) assert.equal(normal(r.stdout), normal(runs[0].stdout), `${r.name} differs from ${runs[0].name}`);
});

test('commands other than scan and report run the program on the launching thread', () => {
  const v = runCli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const bad = runCli(['bogus']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'relaylint: unknown command "bogus"\nRun "relaylint --help" for usage.\n');
});

test('the launcher and the reading thread do not load the program (its rules, parsers of reports and reporters)', () => {
  const launcher = readFileSync(path.join(OUT, 'cli.js'), 'utf8');
  const feed = readFileSync(path.join(OUT, 'cli-feed.js'), 'utf8');
  const program = readFileSync(path.join(OUT, 'cli-main.js'), 'utf8');
  assert.ok(launcher.length < 20_000, `launcher is ${launcher.length} bytes`);
  assert.ok(launcher.startsWith('#!/usr/bin/env node\n'));
  for (const marker of ['JsonReporter', 'effectivePolicyStream', 'smb.server.require']) {
    assert.ok(program.includes(marker), `the program has ${marker}`);
    assert.ok(!launcher.includes(marker), `the launcher has ${marker}`);
  }
  for (const marker of ['JsonReporter', 'effectivePolicyStream']) assert.ok(!feed.includes(marker), `the reading thread's bundle has ${marker}`);
  assert.match(launcher, /cli-main\.js/);
  assert.match(launcher, /cli-feed\.js/);
});
