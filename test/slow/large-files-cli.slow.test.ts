/**
 * Large clean and weak files through the CLI (issue 10: these ran out of memory, exit 134, no
 * report): a 50 MB template with 273,000 weak lines and a clean 63 MB .reg finish with a complete
 * JSON report; findings are listed up to the per-rule cap with one summary.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tempDir, utf16bom } from '../helpers/cli';

const SERVER_REQUIRE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';

function scan(dir: string, file: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'scan', file, '--format', 'json', '--no-coverage'], { cwd: dir, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a 50 MB template with 273,000 weak lines: complete JSON, 1,000 findings listed and one summary', () => {
  const dir = tempDir('relaylint-big-');
  try {
    fs.writeFileSync(path.join(dir, 'GptTmpl.inf'), utf16bom(`[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\n${`${SERVER_REQUIRE}=4,0\r\n`.repeat(273_000)}`));
    const r = scan(dir, 'GptTmpl.inf');
    assert.equal(r.code, 1, r.stderr.slice(-2000));
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
    assert.match(r.stdout.slice(-200), /"summary":\{"files":1,"skipped":0,"seconds":[0-9.]+,"fixed":0,"errors":0\}\}\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
