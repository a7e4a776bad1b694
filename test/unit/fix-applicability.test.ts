/**
 * Safe and unsafe fixes (issue 13 point 3): every fix carries an applicability derived from the
 * catalog's `stage`; bulk fixes apply only safe ones unless opted in; a staged fix never raises the
 * severity of the finding it answers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { settingRules } from '../../server/src/core/catalog';
import { fixAllEdits, lint } from '../../server/src/core/engine';
import { parseBytes, parseText } from '../../server/src/core/parse';
import { applyEdits, applyEditsToBytes, decode } from '../../server/src/core/text';
import type { Finding, LintOptions, ParsedFile, Severity } from '../../server/src/core/types';
import { runCli, tempDir, utf16bom, writeFile } from '../helpers/cli';

const ANY: LintOptions = { role: 'any', targetOs: 'legacy' };
const M = 'MACHINE\\System\\CurrentControlSet\\';
const inf = (...lines: string[]) => ['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');
const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

/** The rules whose hardened value only audits or negotiates: their fixes are safe. Every other fix is unsafe. */
const SAFE_RULES = [
  'smb.server.enable',
  'smb.client.enable',
  'smb.server.audit.signing',
  'smb.server.audit.encryption',
  'smb.client.audit.signing',
  'smb.client.audit.encryption',
  'smb.server.audit.guest',
  'smb.client.audit.guest',
  'ldap.client.signing',
  'ldap.client.sealing',
  'ntlm.out',
  'ntlm.in.audit',
  'ntlm.domain.audit',
  'netlogon.seal',
  'netlogon.sign',
];

test('the catalog says which fixes are safe: audit switches and negotiate steps; enforcing values are unsafe', () => {
  const safe = settingRules.filter((r) => r.stage === 'audit' || r.stage === 'negotiate').map((r) => r.id);
  assert.deepEqual(safe.sort(), [...SAFE_RULES].sort());
  // The per-choice exceptions: the stricter LDAP client choice enforces, the channel-binding rollout step negotiates.
  const choice = (id: string, value: number) => settingRules.find((r) => r.id === id)?.fixes.find((c) => c.value === value);
  assert.equal(choice('ldap.client.signing', 2)?.stage, 'enforce');
  assert.equal(choice('ldap.server.cbt', 1)?.stage, 'negotiate');
});

const rows: [string, string, [string, string][]][] = [
  // [name, line, [fix title, applicability] of the finding on that line]
  ['server signing required: unsafe', `${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`, [['Require SMB server signing (always)', 'unsafe'], ['Disable smb.server.require for this line (add the reason after the marker)', 'safe']]],
  ['server signing if agrees: safe', `${M}Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,0`, [['Enable SMB server signing if the client agrees', 'safe'], ['Disable smb.server.enable for this line (add the reason after the marker)', 'safe']]],
  [
    'client require: unsafe, the staged "if server agrees" step is safe',
    `${M}Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,0`,
    [
      ['Require SMB client signing (always)', 'unsafe'],
      ["Enable 'if server agrees' first (rollout step)", 'safe'],
      ['Disable smb.client.require for this line (add the reason after the marker)', 'safe'],
    ],
  ],
  [
    'channel binding Never: Always is unsafe, When supported is safe',
    `${M}Services\\NTDS\\Parameters\\LdapEnforceChannelBinding=4,0`,
    [
      ['Require channel binding: Always', 'unsafe'],
      ["Set channel binding to 'When supported' first (rollout step)", 'safe'],
      ['Disable ldap.server.cbt for this line (add the reason after the marker)', 'safe'],
    ],
  ],
  ['SMBv1 on: unsafe', `${M}Services\\LanmanServer\\Parameters\\SMB1=4,1`, [['Disable the SMBv1 server', 'unsafe'], ['Disable smb1.server for this line (add the reason after the marker)', 'safe']]],
  ['LM compatibility: unsafe', `${M}Control\\Lsa\\LmCompatibilityLevel=4,2`, [['Send NTLMv2 only; refuse LM and NTLM', 'unsafe'], ['Disable ntlm.lmcompat for this line (add the reason after the marker)', 'safe']]],
  ['outgoing NTLM audit: safe', `${M}Control\\Lsa\\MSV1_0\\RestrictSendingNTLMTraffic=4,0`, [['Audit all outgoing NTLM traffic', 'safe'], ['Disable ntlm.out for this line (add the reason after the marker)', 'safe']]],
  [
    'LDAP client signing off: negotiate is safe, require is unsafe',
    `${M}Services\\LDAP\\LDAPClientIntegrity=4,0`,
    [
      ['Negotiate LDAP signing', 'safe'],
      ['Require LDAP signing', 'unsafe'],
      ['Disable ldap.client.signing for this line (add the reason after the marker)', 'safe'],
    ],
  ],
];

for (const [name, line, want] of rows) {
  test(`applicability: ${name}`, () => {
    const file = parseText('GptTmpl.inf', inf(line), 'utf-16le-bom');
    const findings = lint(file, ANY).filter((f) => f.setting);
    assert.equal(findings.length, 1, findings.map((f) => f.ruleId).join());
    assert.deepEqual(findings[0].fixes.map((x) => [x.title, x.applicability]), want);
  });
}

test('fix-all applies only safe fixes unless unsafe is asked for; onlyRule still narrows', () => {
  const text = inf(`${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`, `${M}Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,0`);
  const file = parseText('GptTmpl.inf', text, 'utf-16le-bom');
  const findings = lint(file, ANY);
  const safeOnly = text.replace('EnableSecuritySignature=4,0', 'EnableSecuritySignature=4,1');
  assert.equal(applyEdits(text, fixAllEdits(findings)), safeOnly);
  assert.equal(applyEdits(text, fixAllEdits(findings, {})), safeOnly);
  assert.equal(applyEdits(text, fixAllEdits(findings, { unsafe: true })), safeOnly.replace('RequireSecuritySignature=4,0', 'RequireSecuritySignature=4,1'));
  assert.deepEqual(fixAllEdits(findings, { onlyRule: 'smb.server.require' }), []);
  assert.equal(applyEdits(text, fixAllEdits(findings, { unsafe: true, onlyRule: 'smb.server.require' })), text.replace('RequireSecuritySignature=4,0', 'RequireSecuritySignature=4,1'));
  // The old positional form (a rule id) still works and applies safe fixes only.
  assert.equal(applyEdits(text, fixAllEdits(findings, 'smb.server.enable')), safeOnly);
});

/** Max severity of the active findings of one rule. */
function worst(findings: readonly Finding[], ruleId: string): number {
  return Math.max(-1, ...findings.filter((f) => f.ruleId === ruleId && !f.suppressed).map((f) => RANK[f.severity]));
}

function checkNoRaise(label: string, file: ParsedFile, relint: (edits: Finding['fixes'][number]['edits']) => Finding[], options: LintOptions): number {
  let n = 0;
  const findings = lint(file, options);
  for (const f of findings) {
    for (const fix of f.fixes) {
      if (fix.kind === 'suppress') continue;
      const after = relint(fix.edits);
      n++;
      assert.ok(
        worst(after, f.ruleId) <= RANK[f.severity],
        `${label}: "${fix.title}" answers ${f.ruleId} (${f.severity}) but leaves ${after.filter((x) => x.ruleId === f.ruleId).map((x) => x.severity).join(', ')}`,
      );
    }
  }
  return n;
}

test('a staged fix never raises the severity of the finding it answers: channel binding "next step" (info) stays info', () => {
  const text = inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`);
  const file = parseText('GptTmpl.inf', text, 'utf-16le-bom');
  const info = lint(file, ANY).find((f) => f.ruleId === 'ldap.server.cbt');
  assert.equal(info?.severity, 'info');
  const staged = info.fixes.find((x) => x.title.includes('When supported'));
  assert.ok(staged, info.fixes.map((x) => x.title).join());
  assert.equal(staged.applicability, 'safe');
  const after = lint(parseText('GptTmpl.inf', applyEdits(text, staged.edits), 'utf-16le-bom'), ANY).filter((f) => f.ruleId === 'ldap.server.cbt');
  assert.deepEqual(after.map((f) => f.severity), ['info']);
  // Without LDAP signing required, "When supported" alone stays a warning (not the answer to an info).
  const alone = lint(parseText('GptTmpl.inf', inf(`${M}Services\\NTDS\\Parameters\\LdapEnforceChannelBinding=4,1`), 'utf-16le-bom'), ANY);
  assert.deepEqual(alone.filter((f) => f.ruleId === 'ldap.server.cbt').map((f) => f.severity), ['warning']);
});

test('no fix raises the severity of the finding it answers, over constructed rows and the real corpus', () => {
  let checked = 0;
  const constructed = [
    inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`),
    inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`, `${M}Services\\NTDS\\Parameters\\LdapEnforceChannelBinding=4,0`),
    inf(`${M}Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,0`),
    inf(`${M}Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,1`),
    inf(`${M}Services\\LanManServer\\Parameters\\AuditClientDoesNotSupportSigning=4,1`),
  ];
  for (const o of [ANY, { role: 'dc', targetOs: 'ws2025' } as LintOptions]) {
    for (const text of constructed) {
      const file = parseText('GptTmpl.inf', text, 'utf-16le-bom');
      checked += checkNoRaise(text, file, (edits) => lint(parseText('GptTmpl.inf', applyEdits(text, edits), 'utf-16le-bom'), o), o);
    }
    const root = path.resolve(__dirname, '../../../test/fixtures');
    for (const kind of ['inf', 'reg', 'xml']) {
      for (const name of fs.readdirSync(path.join(root, kind))) {
        if (name.endsWith('.md')) continue;
        const bytes = fs.readFileSync(path.join(root, kind, name));
        const decoded = decode(bytes);
        const file = parseBytes(name, bytes);
        checked += checkNoRaise(name, file, (edits) => lint(parseBytes(name, applyEditsToBytes(bytes, decoded, edits)), o), o);
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} fixes checked`);
});

test('scan --fix applies only safe fixes; --unsafe-fixes applies the enforcing ones too', () => {
  const dir = tempDir();
  const text = inf(`${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`, `${M}Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,0`);
  const p = writeFile(dir, 'GptTmpl.inf', utf16bom(text));
  const safe = runCli(['scan', p, '--fix', '--format', 'json', '--fail-on', 'never']);
  assert.equal(safe.code, 0, safe.stderr);
  const safeText = text.replace('EnableSecuritySignature=4,0', 'EnableSecuritySignature=4,1');
  assert.ok(fs.readFileSync(p).equals(utf16bom(safeText)));
  assert.equal(JSON.parse(safe.stdout).summary.fixed, 1);
  const all = runCli(['scan', p, '--fix', '--unsafe-fixes', '--format', 'json', '--fail-on', 'never']);
  assert.equal(all.code, 0, all.stderr);
  assert.ok(fs.readFileSync(p).equals(utf16bom(safeText.replace('RequireSecuritySignature=4,0', 'RequireSecuritySignature=4,1'))));
  assert.equal(JSON.parse(all.stdout).summary.fixed, 1);
});

test('scan --unsafe-fixes without --fix is a usage error (exit 2) and writes nothing', () => {
  const dir = tempDir();
  const text = inf(`${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`);
  const p = writeFile(dir, 'GptTmpl.inf', utf16bom(text));
  const r = runCli(['scan', p, '--unsafe-fixes', '--format', 'json']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--unsafe-fixes only applies with --fix/);
  assert.ok(fs.readFileSync(p).equals(utf16bom(text)), 'the file is untouched');
});
