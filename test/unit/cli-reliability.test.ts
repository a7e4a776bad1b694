/**
 * The CLI under faults and hostile paths (issue 10): atomic --fix, --output refusing an input,
 * non-blocking reads (FIFOs, devices), symlinks, malformed baselines, control characters, worker
 * crashes. Large and randomised cases are in test/slow.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, runCli, tempDir, utf16bom, writeFile } from '../helpers/cli';

const SERVER_REQUIRE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const weakInf = (eol = '\r\n') =>
  ['[Unicode]', 'Unicode=yes', '[Registry Values]', `${SERVER_REQUIRE}=4,0`, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join(eol);
const WEAK = utf16bom(weakInf());
const FIXED = utf16bom(weakInf().replace('=4,0', '=4,1'));

function json(stdout: string) {
  return JSON.parse(stdout) as {
    files: { path: string; format: string; gpo?: { name?: string }; findings: { ruleId: string; severity: string }[]; problems: { ruleId: string; severity: string; message: string }[] }[];
    summary: { files: number; fixed: number };
  };
}

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
function mkfifo(p: string): void {
  const r = spawnSync('mkfifo', [p]);
  assert.equal(r.status, 0, String(r.stderr));
}

test('--fix interrupted at every step (SIGKILL) leaves the original or the fully fixed file, never anything else', () => {
  const rows: [string, 'original' | 'fixed'][] = [
    ['temp-open', 'original'],
    ['temp-half', 'original'],
    ['temp-written', 'original'],
    ['before-rename', 'original'],
    ['after-rename', 'fixed'],
  ];
  // Each format --fix writes: a security template, a .reg file, a GPP Registry.xml.
  const reg = (v: string) => utf16bom(['Windows Registry Editor Version 5.00', '', '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]', `"RequireSecuritySignature"=dword:0000000${v}`, ''].join('\r\n'));
  const gpp = (v: string) =>
    Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?>\r\n<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"><Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="RequireSecuritySignature"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="RequireSecuritySignature" type="REG_DWORD" value="0000000${v}"/></Registry></RegistrySettings>\r\n`,
    );
  const files: [string, Buffer, Buffer][] = [
    ['GptTmpl.inf', WEAK, FIXED],
    ['nas.reg', reg('0'), reg('1')],
    ['Registry.xml', gpp('0'), gpp('1')],
  ];
  for (const [name, weak, fixed] of files) {
    for (const [step, expected] of rows) {
      const dir = tempDir();
      const file = writeFile(dir, name, weak);
      const r = spawnSync(process.execPath, [CLI, 'scan', name, '--fix', '--unsafe-fixes'], { cwd: dir, env: { ...process.env, RELAYLINT_TEST_FIX_FAULT: `${step}:kill` } });
      assert.ok(r.status !== 0, `${name} ${step}`);
      assert.deepEqual(fs.readFileSync(file), expected === 'original' ? weak : fixed, `${name} ${step}`);
      // The fixed copy a kill before the rename leaves is named by the next scan, as a warning on it.
      const left = fs.readdirSync(dir).filter((n) => n !== name);
      assert.equal(left.length, expected === 'original' ? 1 : 0, `${name} ${step}: ${left.join(', ')}`);
      const again = runCli(['scan', '.', '--format', 'json', '--no-coverage', '--fail-on', 'never'], { cwd: dir });
      assert.deepEqual(
        json(again.stdout)
          .files.filter((f) => f.path !== name)
          .map((f) => [f.path, f.problems.map((p) => `${p.ruleId} ${p.severity}: ${p.message}`)]),
        left.map((n) => [n, [`file.io warning: A fixed copy of ${name} that an interrupted \`relaylint scan --fix\` wrote and never renamed over it (${name} itself was left as it was); delete this file.`]]),
        `${name} ${step}`,
      );
    }
    // Without a fault the same run fixes it: the rows above saw the fix being written.
    const dir = tempDir();
    const file = writeFile(dir, name, weak);
    spawnSync(process.execPath, [CLI, 'scan', name, '--fix', '--unsafe-fixes'], { cwd: dir });
    assert.deepEqual(fs.readFileSync(file), fixed, name);
  }
});

test('a leftover fixed copy is named only in the form --fix writes it: a dot, the name, .relaylint-<pid>-<id>.tmp', () => {
  const dir = tempDir();
  writeFile(dir, 'gpo/GptTmpl.inf', FIXED);
  for (const n of ['.GptTmpl.inf.relaylint-4242-k3x9z.tmp', 'GptTmpl.inf.relaylint-1-a.tmp', '.x.relaylint-12-ab.tmp.bak', '.x.relaylint--ab.tmp', '.x.relaylint-1-AB.tmp']) writeFile(dir, `gpo/${n}`, FIXED);
  const r = runCli(['scan', '.', '--format', 'json', '--no-coverage'], { cwd: dir });
  assert.equal(r.code, 0, 'a warning does not fail the default --fail-on error');
  assert.deepEqual(
    json(r.stdout).files.map((f) => [f.path, f.problems.map((p) => p.severity)]),
    [
      ['gpo/GptTmpl.inf', []],
      ['gpo/.GptTmpl.inf.relaylint-4242-k3x9z.tmp', ['warning']],
    ],
  );
  assert.equal(runCli(['scan', '.', '--fail-on', 'warning'], { cwd: dir }).code, 1);
});

test('--fix on a full disk (write fails half-way) leaves the file intact, reports it on that file, and fixes the others', () => {
  const dir = tempDir();
  const a = writeFile(dir, 'a/GptTmpl.inf', WEAK);
  const r = runCli(['scan', '.', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir, env: { RELAYLINT_TEST_FIX_FAULT: 'temp-half:enospc' } });
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(fs.readFileSync(a), WEAK);
  assert.deepEqual(fs.readdirSync(path.dirname(a)), ['GptTmpl.inf'], 'no temporary file left behind');
  const doc = json(r.stdout);
  assert.deepEqual(doc.files[0].problems.map((p) => [p.ruleId, p.severity]), [['file.io', 'error']]);
  assert.match(doc.files[0].problems[0].message, /^The fixes could not be written \(ENOSPC: .*\); the file was left as it was\.$/);
  assert.deepEqual(doc.files[0].findings.map((f) => f.ruleId), ['smb.server.require']);
});

test('--fix: a read-only file is reported on that file only and the run goes on; a changed file is not overwritten', () => {
  const dir = tempDir();
  const ro = writeFile(dir, 'a/GptTmpl.inf', WEAK);
  const rw = writeFile(dir, 'b/GptTmpl.inf', WEAK);
  fs.chmodSync(ro, 0o444);
  const r = runCli(['scan', '.', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  const doc = json(r.stdout);
  assert.deepEqual(
    doc.files.map((f) => [f.path, f.problems.map((p) => p.message)]),
    [
      ['a/GptTmpl.inf', ['The fixes were not written: the file is read-only. The file was left as it was.']],
      ['b/GptTmpl.inf', []],
    ],
  );
  assert.equal(doc.summary.fixed, 1);
  assert.deepEqual(fs.readFileSync(ro), WEAK);
  assert.deepEqual(fs.readFileSync(rw), FIXED);

  const dir2 = tempDir();
  const f = writeFile(dir2, 'GptTmpl.inf', WEAK);
  const r2 = runCli(['scan', 'GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir2, env: { RELAYLINT_TEST_FIX_FAULT: 'temp-written:modify' } });
  assert.equal(r2.code, 2);
  assert.deepEqual(fs.readFileSync(f), Buffer.concat([WEAK, Buffer.from('\r\n')]), 'the other program’s change is kept');
  assert.match(json(r2.stdout).files[0].problems[0].message, /the file changed on disk while the fix was being written/);
});

test('--fix: a writable file in a read-only folder is left alone and said to be so, for root too', { skip: process.platform === 'win32' && 'POSIX folder permissions' }, () => {
  const dir = tempDir();
  const f = writeFile(dir, 'gpo/GptTmpl.inf', WEAK);
  const other = writeFile(dir, 'other/GptTmpl.inf', WEAK);
  fs.chmodSync(path.dirname(f), 0o555);
  try {
    const r = runCli(['scan', '.', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(
      json(r.stdout).files.map((x) => [x.path, x.problems.map((p) => p.message)]),
      [
        ['gpo/GptTmpl.inf', ['The fixes were not written: its folder is read-only (the fixed file is written next to it first, then renamed over it). The file was left as it was.']],
        ['other/GptTmpl.inf', []],
      ],
    );
    assert.deepEqual(fs.readFileSync(f), WEAK);
    assert.deepEqual(fs.readFileSync(other), FIXED);
    assert.deepEqual(fs.readdirSync(path.dirname(f)), ['GptTmpl.inf'], 'no temporary file left behind');
  } finally {
    fs.chmodSync(path.dirname(f), 0o755);
  }
});

test('--fix does not overwrite a file rewritten in place with its size and mtime kept (as cp -p leaves it)', () => {
  const dir = tempDir();
  const f = writeFile(dir, 'GptTmpl.inf', WEAK);
  // Whole seconds, so that setting the times back gives exactly the mtime that was read.
  fs.utimesSync(f, 1_700_000_000, 1_700_000_000);
  const r = runCli(['scan', 'GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir, env: { RELAYLINT_TEST_FIX_FAULT: 'temp-written:rewrite' } });
  assert.equal(r.code, 2, r.stderr);
  const changed = Buffer.from(WEAK);
  changed[changed.length - 1] ^= 1;
  assert.deepEqual(fs.readFileSync(f), changed, 'the other program’s change is kept');
  assert.equal(fs.statSync(f).mtimeMs, 1_700_000_000_000, 'size and mtime as read: only the change time tells');
  assert.match(json(r.stdout).files[0].problems[0].message, /the file changed on disk while the fix was being written/);
  assert.deepEqual(fs.readdirSync(dir), ['GptTmpl.inf'], 'no temporary file left behind');
});

test('--fix leaves a file of another owner alone when the replacement could not keep its owner, and says so', (t) => {
  const setpriv = spawnSync('setpriv', ['--version']).status === 0;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !setpriv) return t.skip('needs root and setpriv to run the CLI as another user');
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const f = writeFile(dir, 'GptTmpl.inf', WEAK);
  // Owned by user 1, group 2, writable by everyone; the CLI runs as nobody (65534).
  fs.chownSync(f, 1, 2);
  fs.chmodSync(f, 0o666);
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'scan', 'GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(
    json(r.stdout).files[0].problems.map((p) => `${p.ruleId} ${p.severity}: ${p.message}`),
    ['file.io error: The fixes were not written: the file belongs to user 1, group 2, and a replacement written by this user would not keep that owner; run the fix as its owner. The file was left as it was.'],
  );
  const st = fs.statSync(f);
  assert.deepEqual([st.uid, st.gid], [1, 2]);
  assert.deepEqual(fs.readFileSync(f), WEAK);
  assert.deepEqual(fs.readdirSync(dir), ['GptTmpl.inf'], 'no temporary file left behind');
});

test('--fix leaves a file with other hard links alone (a rename would split them) and says so; the other links keep one content', () => {
  const dir = tempDir();
  const file = writeFile(dir, 'gpo/GptTmpl.inf', WEAK);
  const other = path.join(dir, 'backup.inf');
  fs.linkSync(file, other);
  const r = runCli(['scan', 'gpo/GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  const doc = json(r.stdout);
  assert.deepEqual(
    doc.files.map((f) => [f.path, f.problems.map((p) => `${p.ruleId} ${p.severity}: ${p.message}`), f.findings.map((x) => x.ruleId)]),
    [['gpo/GptTmpl.inf', ['file.io error: The fixes were not written: the file has 2 hard links, and replacing it atomically would leave the other link with the old content; copy it, move the copy over it and run the fix again. The file was left as it was.'], ['smb.server.require']]],
  );
  assert.equal(doc.summary.fixed, 0);
  assert.deepEqual(fs.readFileSync(file), WEAK);
  assert.equal(fs.statSync(file).ino, fs.statSync(other).ino, 'still one file');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'gpo')), ['GptTmpl.inf'], 'no temporary file left behind');
});

test('--fix keeps the mode, writes through a symbolic link to its target and keeps the link', () => {
  const dir = tempDir();
  const target = writeFile(dir, 'real/GptTmpl.inf', WEAK);
  fs.chmodSync(target, 0o640);
  fs.mkdirSync(path.join(dir, 'gpo'));
  const link = path.join(dir, 'gpo/GptTmpl.inf');
  fs.symlinkSync('../real/GptTmpl.inf', link);
  const r = runCli(['scan', 'gpo/GptTmpl.inf', '--fix', '--unsafe-fixes'], { cwd: dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.equal(fs.readlinkSync(link), '../real/GptTmpl.inf');
  assert.deepEqual(fs.readFileSync(target), FIXED);
  assert.equal(fs.statSync(target).mode & 0o777, 0o640);
});

test('a UTF-8 file that starts with two BOMs is fixed without losing a byte', () => {
  const dir = tempDir();
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const body = weakInf('\r\n');
  const file = writeFile(dir, 'GptTmpl.inf', Buffer.concat([bom, bom, Buffer.from(body, 'utf8')]));
  const r = runCli(['scan', 'GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir });
  assert.equal(json(r.stdout).summary.fixed, 1, r.stdout);
  assert.deepEqual(fs.readFileSync(file), Buffer.concat([bom, bom, Buffer.from(body.replace('=4,0', '=4,1'), 'utf8')]));
});

test('--output that is one of the inputs is refused (exit 2) and the input is untouched', () => {
  const dir = tempDir();
  const file = writeFile(dir, 'gpo/GptTmpl.inf', WEAK);
  fs.linkSync(file, path.join(dir, 'hardlink.inf'));
  for (const args of [
    ['scan', 'gpo/GptTmpl.inf', '--output', 'gpo/GptTmpl.inf'],
    ['scan', 'gpo', '--output', 'gpo/GptTmpl.inf', '--format', 'json'],
    ['scan', 'hardlink.inf', '--output', 'gpo/GptTmpl.inf'],
  ]) {
    const r = runCli(args, { cwd: dir });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /relaylint: --output gpo\/GptTmpl\.inf is (one of the files|inside a folder) being scanned; write the report somewhere else/);
    assert.deepEqual(fs.readFileSync(file), WEAK, args.join(' '));
  }
});

test('--output that is a config file, topology or event log the scan reads is refused (exit 2) and left as it was', () => {
  const dir = tempDir();
  writeFile(dir, 'gpo/GptTmpl.inf', WEAK);
  const config = '{"rules":{"smb.server.enable":"warning"}}';
  writeFile(dir, 'relaylint.json', config);
  writeFile(dir, 'gpo/lab/relaylint.json', config);
  const ldif = 'dn: DC=corp,DC=example\r\nobjectClass: domainDNS\r\n';
  writeFile(dir, 'ad.ldf', ldif);
  writeFile(dir, 'gpo/logs/old.evtx', 'x');
  writeFile(dir, 'dc.evtx', 'y');
  writeFile(dir, 'gpo/logs/ntlm.csv', 'z');
  writeFile(dir, 'gpo/ad/20261206101500_ous.json', '{}');
  for (const [args, message] of [
    [['scan', 'gpo', '--output', 'relaylint.json'], /--output relaylint\.json is the config file relaylint\.json, which this scan reads/],
    [['scan', 'gpo', '--output', 'gpo/lab/relaylint.json'], /--output gpo\/lab\/relaylint\.json is inside a folder being scanned/],
    [['scan', 'gpo', '--config', 'relaylint.json', '--output', 'relaylint.json'], /is the config file relaylint\.json, which this scan reads/],
    [['scan', 'gpo', '--topology', 'ad.ldf', '--output', 'ad.ldf'], /--output ad\.ldf is the topology file ad\.ldf, which this scan reads/],
    [['scan', 'gpo', '--output', 'gpo/logs/old.evtx'], /--output gpo\/logs\/old\.evtx is inside a folder being scanned/],
    [['report', 'gpo/GptTmpl.inf', '--evidence', 'dc.evtx', '-o', 'dc.evtx'], /--output dc\.evtx is the event log dc\.evtx, which this scan reads/],
    [['scan', 'gpo', '--output', 'gpo/logs/ntlm.csv'], /--output gpo\/logs\/ntlm\.csv is inside a folder being scanned/],
    [['scan', 'gpo', '--output', 'gpo/ad/20261206101500_ous.json'], /--output gpo\/ad\/20261206101500_ous\.json is inside a folder being scanned/],
  ] as [string[], RegExp][]) {
    const r = runCli(args, { cwd: dir });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.equal(fs.readFileSync(path.join(dir, 'relaylint.json'), 'utf8'), config);
  assert.equal(fs.readFileSync(path.join(dir, 'gpo/lab/relaylint.json'), 'utf8'), config);
  assert.equal(fs.readFileSync(path.join(dir, 'ad.ldf'), 'utf8'), ldif);
  assert.equal(fs.readFileSync(path.join(dir, 'gpo/logs/old.evtx'), 'utf8'), 'x');
  assert.equal(fs.readFileSync(path.join(dir, 'dc.evtx'), 'utf8'), 'y');
  assert.equal(fs.readFileSync(path.join(dir, 'gpo/logs/ntlm.csv'), 'utf8'), 'z');
  assert.equal(fs.readFileSync(path.join(dir, 'gpo/ad/20261206101500_ous.json'), 'utf8'), '{}');
  // A report of an earlier run in the folder is not an input: it may be written again.
  assert.equal(runCli(['scan', 'gpo', '--format', 'json', '--output', 'gpo/result.json'], { cwd: dir }).code, 1);
  assert.equal(runCli(['scan', 'gpo', '--format', 'json', '--output', 'gpo/result.json'], { cwd: dir }).code, 1);
});

test('nothing hangs: --baseline /dev/zero, --output to a FIFO without reader, a FIFO or device in a scanned folder', { skip: !hasMkfifo && 'no mkfifo' }, () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', WEAK);
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  const zero = run(['scan', 'GptTmpl.inf', '--baseline', '/dev/zero']);
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /cannot read the baseline \/dev\/zero: it is a character device, not a regular file/);
  mkfifo(path.join(dir, 'out.fifo'));
  const out = run(['scan', 'GptTmpl.inf', '--output', 'out.fifo']);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /cannot write out\.fifo: it is a named pipe \(FIFO\) that nobody is reading/);
  mkfifo(path.join(dir, 'Registry.pol'));
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero.reg'));
  const walk = run(['scan', '.', '--format', 'json', '--no-coverage']);
  assert.equal(walk.status, 2, walk.stderr);
  const doc = json(walk.stdout);
  assert.deepEqual(
    doc.files.map((f) => [f.path, f.problems.map((p) => `${p.severity}: ${p.message}`)]),
    [
      ['GptTmpl.inf', []],
      ['Registry.pol', ['error: Could not read the file: it is a named pipe (FIFO), not a regular file.']],
      ['zero.reg', ['error: This file is a symbolic link to a file outside the scanned folders; it was not read (name the target on the command line to scan it).']],
    ],
  );
  const named = run(['scan', path.join(dir, 'Registry.pol'), '/dev/zero']);
  assert.equal(named.status, 2);
  assert.match(named.stderr, /\/dev\/zero: not a regular file or folder/);
});

test('symbolic links in a scanned folder: followed inside the roots, loops and links outside reported, never skipped silently', () => {
  const dir = tempDir();
  const outside = tempDir();
  writeFile(outside, 'GptTmpl.inf', WEAK);
  writeFile(dir, 'real/GptTmpl.inf', WEAK);
  fs.symlinkSync('real', path.join(dir, 'alias'));
  fs.symlinkSync('..', path.join(dir, 'real/up'));
  fs.symlinkSync(path.join(outside, 'GptTmpl.inf'), path.join(dir, 'stolen.inf'));
  fs.symlinkSync('nowhere.inf', path.join(dir, 'broken.inf'));
  const r = runCli(['scan', '.', '--format', 'json', '--no-coverage'], { cwd: dir });
  const doc = json(r.stdout);
  assert.deepEqual(
    doc.files.map((f) => [f.path, [...f.problems.map((p) => `${p.severity}: ${p.message}`), ...f.findings.map((x) => x.ruleId)]]),
    [
      ['broken.inf', ['error: This file is a symbolic link that leads nowhere (broken link); it could not be read.']],
      ['stolen.inf', ['error: This file is a symbolic link to a file outside the scanned folders; it was not read (name the target on the command line to scan it).']],
      ['alias/GptTmpl.inf', ['smb.server.require']],
      ['alias/up', ['warning: This folder is a symbolic link back into a folder being scanned (a loop); it was not followed again.']],
      ['real/GptTmpl.inf', ['smb.server.require']],
      ['real/up', ['warning: This folder is a symbolic link back into a folder being scanned (a loop); it was not followed again.']],
    ],
  );
  assert.equal(r.code, 2);
});

test('--fix on one file reached by two paths (a folder link, a repeated argument): fixed once under the first, the other named as the same file, no false I/O error', () => {
  const REG = 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n"RequireSecuritySignature"=dword:00000000\r\n';
  const FIXED = REG.replace('dword:00000000', 'dword:00000001');
  for (const args of [
    ['d/a.reg', 'l/a.reg'],
    ['d/a.reg', 'd/a.reg'],
    ['d/a.reg', 'd/a.reg', '--jobs', '2'],
  ]) {
    const dir = tempDir();
    writeFile(dir, 'd/a.reg', REG);
    fs.symlinkSync('d', path.join(dir, 'l'));
    const r = runCli(['scan', ...args, '--fix', '--unsafe-fixes', '--format', 'json', '--no-coverage'], { cwd: dir });
    const doc = json(r.stdout);
    assert.deepEqual(
      doc.files.map((f) => [f.path, (f as { fixed?: number }).fixed, [...f.problems.map((p) => `${p.ruleId} ${p.severity}: ${p.message}`), ...f.findings.map((x) => x.ruleId)]]),
      [
        ['d/a.reg', 1, []],
        [args[1], undefined, ['file.io info: The same file as d/a.reg (same device and inode): with --fix it is scanned and fixed once, under that path.']],
      ],
      args.join(' '),
    );
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(fs.readFileSync(path.join(dir, 'd/a.reg'), 'utf8'), FIXED);
  }
});

test('a backslash in a Linux file name is part of the name: its SARIF URI is %5C, and a baseline of it does not hide another file', { skip: path.sep === '\\' }, () => {
  const REG = 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanManServer\\Parameters]\r\n"RequireSecuritySignature"=dword:00000000\r\n';
  const dir = tempDir();
  writeFile(dir, 'back\\slash.reg', REG);
  const sarif = runCli(['scan', '.', '--format', 'sarif', '--no-coverage'], { cwd: dir });
  const doc = JSON.parse(sarif.stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  assert.deepEqual([...new Set(doc.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri))], ['back%5Cslash.reg']);
  fs.writeFileSync(path.join(dir, 'base.sarif'), sarif.stdout);
  fs.rmSync(path.join(dir, 'back\\slash.reg'));
  writeFile(dir, 'back/slash.reg', REG);
  const other = runCli(['scan', 'back', '--baseline', 'base.sarif', '--format', 'json', '--no-coverage'], { cwd: dir });
  assert.deepEqual(json(other.stdout).files.map((f) => [f.path, f.findings.map((x) => x.ruleId)]), [['back/slash.reg', ['smb.server.require']]]);
  assert.equal(other.code, 1);
});

test('a GPT.INI that is a symbolic link to a file elsewhere does not give the GPO its name', () => {
  const dir = tempDir();
  const outside = tempDir();
  fs.writeFileSync(path.join(outside, 'secret.ini'), '[General]\r\ndisplayName=SECRET FROM OUTSIDE\r\n');
  const guid = '{31B2F340-016D-11D2-945F-00C04FB984F9}';
  writeFile(dir, `Policies/${guid}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`, WEAK);
  fs.symlinkSync(path.join(outside, 'secret.ini'), path.join(dir, `Policies/${guid}/GPT.INI`));
  const linked = json(runCli(['scan', '.', '--format', 'json', '--no-coverage'], { cwd: dir }).stdout);
  assert.deepEqual(linked.files[0].gpo, { guid });
  fs.unlinkSync(path.join(dir, `Policies/${guid}/GPT.INI`));
  writeFile(dir, `Policies/${guid}/GPT.INI`, '[General]\r\ndisplayName=Default Domain Policy\r\n');
  const real = json(runCli(['scan', '.', '--format', 'json', '--no-coverage'], { cwd: dir }).stdout);
  assert.deepEqual(real.files[0].gpo, { guid, name: 'Default Domain Policy' });
});

test('malformed baselines give a clear error, never a TypeError', () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', WEAK);
  const rows: [string, RegExp][] = [
    ['{"files":[null]}', /the baseline b\.json is malformed: files\[0\] is not an object/],
    ['{"files":[{"findings":5}]}', /the baseline b\.json is malformed: files\[0\]\.findings is not an array/],
    ['{"runs":[{"results":{}}]}', /the baseline b\.json is malformed: runs\[0\]\.results is not an array/],
    ['{"runs":[7]}', /the baseline b\.json is malformed: runs\[0\] is not an object/],
    ['null', /neither relaylint JSON output/],
    ['[1,2]', /neither relaylint JSON output/],
  ];
  for (const [content, message] of rows) {
    fs.writeFileSync(path.join(dir, 'b.json'), content);
    const r = runCli(['scan', 'GptTmpl.inf', '--baseline', 'b.json'], { cwd: dir });
    assert.equal(r.code, 2, content);
    assert.match(r.stderr, message, content);
    assert.doesNotMatch(r.stderr, /TypeError|internal error/, content);
  }
});

test('a baseline does not pass an unreadable file or an unwritten fix as clean: file.io errors are never filtered', { skip: !hasMkfifo && 'no mkfifo' }, () => {
  const dir = tempDir();
  writeFile(dir, 'a/GptTmpl.inf', WEAK);
  fs.mkdirSync(path.join(dir, 'b'));
  mkfifo(path.join(dir, 'b', 'GptTmpl.inf'));
  for (const format of ['json', 'sarif']) {
    const base = runCli(['scan', '.', '--format', format, '--no-coverage', '--output', `base.${format}`], { cwd: dir });
    assert.equal(base.code, 2, base.stderr);
    const r = runCli(['scan', '.', '--format', 'json', '--no-coverage', '--baseline', `base.${format}`], { cwd: dir });
    assert.equal(r.code, 2, `${format}: the unreadable file is still this run's error`);
    const doc = json(r.stdout);
    assert.deepEqual(
      doc.files.map((f) => [f.path, f.findings.length, f.problems.map((p) => `${p.ruleId} ${p.severity}: ${p.message}`)]),
      [
        ['a/GptTmpl.inf', 0, []],
        ['b/GptTmpl.inf', 0, ['file.io error: Could not read the file: it is a named pipe (FIFO), not a regular file.']],
      ],
      format,
    );
  }
  // A fix that could not be written, with a baseline of the same failure.
  const ro = path.join(dir, 'a', 'GptTmpl.inf');
  fs.chmodSync(ro, 0o444);
  const fixBase = runCli(['scan', 'a', '--fix', '--unsafe-fixes', '--format', 'json', '--no-coverage', '--output', 'fix.json'], { cwd: dir });
  assert.equal(fixBase.code, 2, fixBase.stderr);
  // A new weak value, which the baseline does not accept, so the fix is tried again (the findings it
  // accepts are not fixed: --fix --baseline in cli.test).
  fs.chmodSync(ro, 0o644);
  fs.writeFileSync(ro, utf16bom(weakInf().replace('[Registry Values]\r\n', '[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnablePlainTextPassword=4,1\r\n')));
  fs.chmodSync(ro, 0o444);
  const again = runCli(['scan', 'a', '--fix', '--unsafe-fixes', '--format', 'json', '--no-coverage', '--baseline', 'fix.json'], { cwd: dir });
  assert.equal(again.code, 2, again.stderr);
  assert.deepEqual(json(again.stdout).files[0].problems.map((p) => p.message), ['The fixes were not written: the file is read-only. The file was left as it was.']);
});

test('--jobs takes only a plain whole number', () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', WEAK);
  for (const j of ['1e1', '0x2', '2.0', ' 2', '0', '65', '']) {
    const r = runCli(['scan', 'GptTmpl.inf', '--jobs', j], { cwd: dir });
    assert.equal(r.code, 2, j);
    assert.match(r.stderr, /--jobs must be a whole number from 1 to 64/, j);
  }
  assert.equal(runCli(['scan', 'GptTmpl.inf', '--jobs', '2'], { cwd: dir }).code, 1);
});

test('text output escapes control characters from file names, GPO names and file content', () => {
  const dir = tempDir();
  const name = 'evil\u001b[31mRED\u0007.reg';
  writeFile(dir, name, 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\x\u001b]2;pwned\u0007]\r\n"a"=dword:zz\u001b[2J\r\n');
  const r = runCli(['scan', '.', '--no-coverage'], { cwd: dir });
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/, 'no raw control character but line breaks');
  assert.match(r.stdout, /^evil\\x1b\[31mRED\\x07\.reg \[reg, ascii\]$/m);
  assert.match(r.stdout, /\\x1b\[2J/);
  // A right-to-left override would show "evil\u202egpj.reg" as "evilger.jpg": escaped too.
  const rtl = tempDir();
  writeFile(rtl, 'evil\u202egpj.reg', 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\x\u2066]\r\n"a"=dword:zz\r\n');
  const t = runCli(['scan', '.', '--no-coverage'], { cwd: rtl });
  assert.doesNotMatch(t.stdout, /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/, 'no raw bidirectional control');
  assert.match(t.stdout, /^evil\\u202egpj\.reg \[reg, utf-8\]$/m);
});

test('a worker thread that runs out of memory makes the scan exit 2 and say so, never a truncated success', () => {
  const dir = tempDir();
  for (let i = 0; i < 60; i++) writeFile(dir, `g${String(i).padStart(3, '0')}/GptTmpl.inf`, FIXED);
  const r = runCli(['scan', '.', '--jobs', '2', '--format', 'sarif'], { cwd: dir, env: { RELAYLINT_WORKER_HEAP_MB: '32', RELAYLINT_TEST_WORKER_FAULT: 'oom' } });
  assert.doesNotMatch(r.stdout, /"invocations"/, 'no complete-looking SARIF log');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /relaylint: a scanning thread (failed|stopped unexpectedly).*; the scan was stopped and its report is incomplete/);
});

test('the reading thread running out of memory makes the scan exit 2 and say so, never a hang or a truncated success', () => {
  const dir = tempDir();
  for (let i = 0; i < 3; i++) writeFile(dir, `g${i}/GptTmpl.inf`, FIXED);
  const r = runCli(['scan', '.', '--format', 'sarif'], { cwd: dir, env: { RELAYLINT_TEST_FEED_FAULT: 'oom' } });
  assert.doesNotMatch(r.stdout, /"invocations"/, 'no complete-looking SARIF log');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^relaylint: reading the folders for the scan crashed \(out of memory\); its report is incomplete$/m);
});

test('a sparse 1 GiB file is not read: the size is checked first', (t) => {
  const time = '/usr/bin/time';
  if (!fs.existsSync(time) || spawnSync(time, ['-v', 'true']).status !== 0) return t.skip('needs GNU /usr/bin/time for the peak RSS');
  const dir = tempDir();
  const file = path.join(dir, 'big.reg');
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, 1024 * 1024 * 1024);
  fs.closeSync(fd);
  const r = spawnSync(time, ['-v', process.execPath, CLI, 'scan', 'big.reg', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  const peakMb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]) / 1024;
  assert.equal(r.status, 1, r.stderr.slice(-500));
  assert.deepEqual(
    JSON.parse(r.stdout).files[0].problems.map((p: { ruleId: string; message: string }) => [p.ruleId, p.message]),
    [['file.limit', 'The file is 1073741824 bytes; relaylint reads files up to 67108864 bytes (64 MiB). It was not checked.']],
  );
  assert.ok(peakMb < 300, `peak RSS ${peakMb.toFixed(0)} MB: the file was read`);
});
