/**
 * The gaps a mutation run found (issue 9): each row is a plausible bug no other test caught.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { CoverageAccumulator, coverageSources } from '../../server/src/core/coverage';
import { lint } from '../../server/src/core/engine';
import { parseText } from '../../server/src/core/parse';
import { lineIndexFor } from '../../server/src/core/text';
import type { LintOptions } from '../../server/src/core/types';
import { runCli, tempDir, utf16bom, writeFile } from '../helpers/cli';

const REG = 'Windows Registry Editor Version 5.00\r\n\r\n';
const M = 'MACHINE\\System\\CurrentControlSet\\';
const inf = (...lines: string[]) => ['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');

function coverageOf(files: [string, string][], options: LintOptions) {
  const acc = new CoverageAccumulator(options);
  for (const [path, text] of files) {
    const file = parseText(path, text, 'utf-8');
    acc.add(coverageSources(path, file, lineIndexFor(file.text), options));
  }
  return new Map(acc.result().map((e) => [e.ruleId, e]));
}

test("role 'any' treats a missing DC-only setting as exposing (missingIsWeak), role 'member' does not list it", () => {
  const rows: [LintOptions, string, boolean | undefined][] = [
    [{ role: 'any', targetOs: 'legacy' }, 'ldap.server.signing', true],
    [{ role: 'dc', targetOs: 'legacy' }, 'ldap.server.signing', true],
    [{ role: 'any', targetOs: 'ws2025' }, 'ldap.server.signing', false],
    [{ role: 'member', targetOs: 'legacy' }, 'ldap.server.signing', undefined],
    [{ role: 'any', targetOs: 'legacy' }, 'ldap.server.cbt', true],
    [{ role: 'any', targetOs: 'ws2025' }, 'ldap.server.cbt', true],
    [{ role: 'member', targetOs: 'legacy' }, 'ldap.server.cbt', undefined],
  ];
  for (const [options, id, exposed] of rows) {
    const e = coverageOf([], options).get(id);
    assert.equal(e?.exposedWhenMissing, exposed, `${id} ${options.role}/${options.targetOs}`);
    if (e) assert.equal(e.status, 'missing');
  }
});

test('deleting a key that is only a name prefix of a hardening key ([-…\\Services\\Lanman]) deletes nothing relaylint judges', () => {
  const text = `${REG}[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Lanman]\r\n\r\n[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Param]\r\n`;
  const file = parseText('x.reg', text);
  const any: LintOptions = { role: 'any', targetOs: 'legacy' };
  assert.deepEqual(lint(file, any).filter((f) => !f.ruleId.startsWith('file.')), []);
  assert.deepEqual(coverageSources('x.reg', file, lineIndexFor(file.text), any), []);
  // The real key is caught (the control row).
  const real = parseText('y.reg', `${REG}[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer]\r\n`);
  assert.ok(lint(real, any).some((f) => f.ruleId === 'smb.server.require' && f.severity === 'warning'));
});

test("a deleted DC-only value gives no finding and no coverage under role 'member', a warning under 'dc' and 'any'", () => {
  const text = `${REG}[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters]\r\n"LDAPServerIntegrity"=-\r\n`;
  const file = parseText('x.reg', text);
  const findings = (role: LintOptions['role']) => lint(file, { role, targetOs: 'legacy' }).filter((f) => f.ruleId === 'ldap.server.signing' && !f.suppressed);
  assert.deepEqual(findings('member'), []);
  assert.deepEqual(coverageSources('x.reg', file, lineIndexFor(file.text), { role: 'member', targetOs: 'legacy' }), []);
  for (const role of ['dc', 'any'] as const) {
    const f = findings(role);
    assert.equal(f.length, 1, role);
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].message, /^On domain controllers: This deletes LDAPServerIntegrity/);
  }
});

test('a suppression applies across a blank line (and a comment line) to the next setting line', () => {
  for (const between of ['', '\r\n', '\r\n   \r\n', '\r\n; another comment\r\n']) {
    const text = inf(
      `; relaylint-disable-next-line smb.server.require -- NAS appliance${between}`,
      `${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`,
    );
    const file = parseText('GptTmpl.inf', text, 'utf-16le-bom');
    const f = lint(file, { role: 'any', targetOs: 'legacy' }).filter((x) => x.ruleId === 'smb.server.require');
    assert.equal(f.length, 1, JSON.stringify(between));
    assert.deepEqual(f[0].suppressed?.reason, 'NAS appliance', JSON.stringify(between));
  }
  // A setting line in between takes the suppression (it applies to that line only).
  const text = inf(
    '; relaylint-disable-next-line smb.server.require -- NAS appliance',
    `${M}Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,1`,
    `${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`,
  );
  const f = lint(parseText('GptTmpl.inf', text, 'utf-16le-bom'), { role: 'any', targetOs: 'legacy' }).filter((x) => x.ruleId === 'smb.server.require');
  assert.equal(f.length, 1);
  assert.equal(f[0].suppressed, undefined);
});

test("coverage says 'mixed' when some sources are hardened and others are not, 'weak' and 'hardened' otherwise", () => {
  const key = `${REG}[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n`;
  const on = `${key}"RequireSecuritySignature"=dword:00000001\r\n`;
  const off = `${key}"RequireSecuritySignature"=dword:00000000\r\n`;
  const any: LintOptions = { role: 'any', targetOs: 'legacy' };
  const status = (files: [string, string][]) => coverageOf(files, any).get('smb.server.require');
  const mixed = status([['a.reg', on], ['b.reg', off]]);
  assert.equal(mixed?.status, 'mixed');
  assert.deepEqual(mixed?.sources.map((s) => [s.path, s.status, s.value]), [['a.reg', 'hardened', 1], ['b.reg', 'weak', 0]]);
  assert.equal(status([['a.reg', on], ['c.reg', on]])?.status, 'hardened');
  assert.equal(status([['b.reg', off]])?.status, 'weak');
  assert.equal(status([])?.status, 'missing');
});

test('scan --fix leaves a suppressed finding alone and fixes the rest, byte for byte (independent of the SARIF test)', () => {
  const dir = tempDir();
  const text = inf(
    '; relaylint-disable-next-line smb.server.require -- NAS appliance, ticket 4711',
    `${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`,
    `${M}Services\\LanManWorkstation\\Parameters\\RequireSecuritySignature=4,0`,
  );
  const p = writeFile(dir, 'GptTmpl.inf', utf16bom(text));
  const r = runCli(['scan', p, '--fix', '--unsafe-fixes', '--format', 'json', '--fail-on', 'never']);
  assert.equal(r.code, 0, r.stderr);
  const want = utf16bom(text.replace('LanManWorkstation\\Parameters\\RequireSecuritySignature=4,0', 'LanManWorkstation\\Parameters\\RequireSecuritySignature=4,1'));
  assert.ok(fs.readFileSync(p).equals(want), fs.readFileSync(p).toString('utf16le'));
  const report = JSON.parse(r.stdout);
  assert.equal(report.summary.fixed, 1);
  assert.deepEqual(report.files[0].suppressed.map((f: { ruleId: string }) => f.ruleId), ['smb.server.require']);
});
