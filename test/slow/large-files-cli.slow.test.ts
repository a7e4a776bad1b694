/**
 * Large clean and weak files through the CLI (issue 10: these ran out of memory, exit 134, no
 * report): a 50 MB template with 273,000 weak lines, a clean 63 MB .reg and a clean 63 MB
 * Registry.pol finish with a complete JSON report; findings are listed up to the per-rule cap with
 * one summary. Each scan's peak resident memory is measured (GNU time, else /proc polling) and
 * bounded: before the parsers kept only relay-relevant values the peaks were about 940, 700 and
 * 355 MB (.reg, template, .pol); now about 270, 400 and 260 MB on the development VM.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tempDir, utf16bom } from '../helpers/cli';

const SERVER_REQUIRE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';

/**
 * Peak RSS bound for one scan of a 50–64 MB file (MiB). Measured 260–270 (.reg, .pol) and about
 * 390 (the template: since the effective-policy merge every judged value is also kept as a policy
 * observation for the whole scan); 880 and 715 before the relevant-values parse.
 */
const MAX_PEAK_MIB = 480;
const GNU_TIME = '/usr/bin/time';

function scan(dir: string, file: string, extra: string[] = []): { code: number | null; stdout: string; stderr: string; peakMiB: number } {
  const args = [CLI, 'scan', file, '--format', 'json', ...extra];
  if (fs.existsSync(GNU_TIME)) {
    const r = spawnSync(GNU_TIME, ['-v', process.execPath, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    assert.ok(m, `GNU time gave no peak: ${r.stderr.slice(-500)}`);
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, peakMiB: Number(m[1]) / 1024 };
  }
  // No GNU time: the child reports its own peak (VmHWM) through a preloaded exit hook.
  const hook = path.join(dir, 'peak-hook.cjs');
  fs.writeFileSync(hook, "process.on('exit',()=>{const m=/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'));process.stderr.write('\\nPEAK_KB='+(m?m[1]:0)+'\\n')});");
  const r = spawnSync(process.execPath, ['--require', hook, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const m = /PEAK_KB=(\d+)/.exec(r.stderr);
  assert.ok(m && Number(m[1]) > 0, 'no peak reported');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, peakMiB: Number(m[1]) / 1024 };
}

test('a 50 MB template with 273,000 weak lines: complete JSON, 1,000 findings listed and one summary', () => {
  const dir = tempDir('relaylint-big-');
  try {
    fs.writeFileSync(path.join(dir, 'GptTmpl.inf'), utf16bom(`[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\n${`${SERVER_REQUIRE}=4,0\r\n`.repeat(273_000)}`));
    const r = scan(dir, 'GptTmpl.inf');
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.ok(r.peakMiB < MAX_PEAK_MIB, `peak ${r.peakMiB.toFixed(0)} MiB`);
    const doc = JSON.parse(r.stdout);
    const f = doc.files[0];
    assert.equal(f.settings.length, 273_000);
    const require = f.findings.filter((x: { ruleId: string }) => x.ruleId === 'smb.server.require');
    assert.equal(require.length, 1001);
    assert.equal(require[1000].message, '272000 more smb.server.require findings are not listed; relaylint lists at most 1000 per rule and 10000 per file.');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a clean 63 MB .reg finishes with a complete report', () => {
  const dir = tempDir('relaylint-big-');
  try {
    const parts = ['Windows Registry Editor Version 5.00\r\n\r\n'];
    let n = parts[0].length;
    for (let k = 0; n < 63_000_000; k++) {
      const s = `[HKEY_LOCAL_MACHINE\\SOFTWARE\\Corp\\App${k}]\r\n"Setting1"=dword:00000001\r\n"Name"="some value text"\r\n\r\n`;
      parts.push(s);
      n += s.length;
    }
    fs.writeFileSync(path.join(dir, 'big.reg'), parts.join(''));
    const r = scan(dir, 'big.reg');
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.ok(r.peakMiB < MAX_PEAK_MIB, `peak ${r.peakMiB.toFixed(0)} MiB`);
    const doc = JSON.parse(r.stdout);
    // Clean and unrelated: no finding, no setting listed by default.
    assert.deepEqual([doc.files[0].settings, doc.files[0].findings, doc.files[0].problems], [[], [], []]);
    assert.match(r.stdout.slice(-200), /"summary":\{"files":1,"skipped":0,"seconds":[0-9.]+,"fixed":0,"errors":0\}\}\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a clean 63 MB Registry.pol: complete report within the memory bound (the record limit is reported)', () => {
  const dir = tempDir('relaylint-big-');
  try {
    const u = (t: string) => Buffer.from(`${t}\0`, 'utf16le');
    const parts: Buffer[] = [Buffer.from([0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0])];
    let n = 8;
    const dword = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v);
      return b;
    };
    const semi = Buffer.from(';', 'utf16le');
    for (let k = 0; n < 63_000_000; k++) {
      for (const [name, v] of [['Setting1', 1], ['Other', 2]] as const) {
        const rec = Buffer.concat([Buffer.from('[', 'utf16le'), u(`Software\\Policies\\Corp\\App${k}`), semi, u(name), semi, dword(4), semi, dword(4), semi, dword(v), Buffer.from(']', 'utf16le')]);
        parts.push(rec);
        n += rec.length;
      }
    }
    fs.mkdirSync(path.join(dir, 'Machine'));
    fs.writeFileSync(path.join(dir, 'Machine', 'Registry.pol'), Buffer.concat(parts));
    const r = scan(dir, 'Machine/Registry.pol');
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.ok(r.peakMiB < MAX_PEAK_MIB, `peak ${r.peakMiB.toFixed(0)} MiB`);
    const f = JSON.parse(r.stdout).files[0];
    assert.deepEqual(f.settings, []);
    assert.deepEqual(
      f.problems.map((p: { ruleId: string; message: string }) => [p.ruleId, p.message]),
      [['file.limit', 'More than 200000 records; the rest of the file was not read.']],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
