/**
 * A `Get-GPOReport -All` export (a `<report>` root with many `<GPO>`s) is judged per GPO in every
 * finding the engine derives, not only in the judgement itself: next steps ("the first step is
 * configured, the next is not") and a finding's related values look only at the values of the same
 * GPO. An RSoP is one computer's resulting set: its winning values stand together, whichever GPO
 * gave them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lint } from '../../server/src/core/engine';
import { gpoParts, isPolicyJudgement, judgeFile } from '../../server/src/core/judge';
import { filePolicy } from '../../server/src/core/policy/set';
import { parseText } from '../../server/src/core/parse';
import { lineIndexFor } from '../../server/src/core/text';
import type { Finding, ParsedFile } from '../../server/src/core/types';

const DC = { role: 'dc' as const, targetOs: 'legacy' as const };
const NTDS = 'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\';
const A = '{11111111-0000-4000-8000-000000000001}';
const B = '{22222222-0000-4000-8000-000000000002}';

const opt = (name: string, v: number) => `<q1:SecurityOptions><q1:KeyName>${NTDS}${name}</q1:KeyName><q1:SettingNumber>${v}</q1:SettingNumber></q1:SecurityOptions>\n`;

/** One `<GPO>` of a report; each Security Option on its own line. */
function gpo(guid: string, body: string): string {
  return (
    `<GPO xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings"><Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier></Identifier><Name>GPO ${guid.slice(1, 3)}</Name>\n` +
    `<Computer><Enabled>true</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">\n${body}</Extension></ExtensionData></Computer></GPO>\n`
  );
}

function report(...gpos: string[]): ParsedFile {
  return parseText('all.xml', '<report>\n' + gpos.join('') + '</report>\n');
}

/** Rule, severity, 1-based line, GPO and the related values' lines of each finding of `ruleId`. */
function rows(file: ParsedFile, ruleId: string): [string, string, number, string | undefined, number[]][] {
  const index = lineIndexFor(file.text);
  const line = (at: number) => index.positionAt(at).line + 1;
  return lint(file, DC)
    .filter((f: Finding) => f.ruleId === ruleId)
    .map((f) => [f.ruleId, f.severity, line(f.span.start), f.setting?.gpo?.guid, (f.related ?? []).map((r) => line(r.span.start))]);
}

describe('Get-GPOReport -All: next steps and related values per GPO', () => {
  test('one part per GPO of a report, one part for a file of one GPO', () => {
    const two = report(gpo(A, opt('LDAPServerIntegrity', 2)), gpo(B, opt('LdapEnforceChannelBinding', 2)));
    assert.deepEqual(
      gpoParts(two, DC).map((p) => [p.gpo?.guid, [...p.ctx.peers]]),
      [
        [A, [['ldap.server.signing', 2]]],
        [B, [['ldap.server.cbt', 2]]],
      ],
    );
    const one = report(gpo(A, opt('LDAPServerIntegrity', 2) + opt('LdapEnforceChannelBinding', 2)));
    assert.deepEqual(
      gpoParts(one, DC).map((p) => [p.gpo?.guid, [...p.ctx.peers]]),
      [[undefined, [['ldap.server.signing', 2], ['ldap.server.cbt', 2]]]],
    );
  });

  test("a sibling GPO's channel binding does not complete this GPO's LDAP signing rollout", () => {
    // Lines: 1 <report>; 2-3 GPO A's header, 4 its signing = 2, 5 its end; 6-7 GPO B's header, 8 its channel binding = 2.
    const file = report(gpo(A, opt('LDAPServerIntegrity', 2)), gpo(B, opt('LdapEnforceChannelBinding', 2)));
    // The next step is due in A (anchored on A's signing line, filed under A), not in B.
    assert.deepEqual(rows(file, 'ldap.server.cbt'), [['ldap.server.cbt', 'info', 4, A, [4]]]);
    // In one GPO the same two values complete the step.
    const one = report(gpo(A, opt('LDAPServerIntegrity', 2) + opt('LdapEnforceChannelBinding', 2)));
    assert.deepEqual(rows(one, 'ldap.server.cbt'), []);
  });

  test("a sibling GPO's weaker value does not hide this GPO's next step, which anchors on this GPO's line", () => {
    // Whole-file peers would see B's signing = 1 (the last one) and give no next step at all.
    const file = report(gpo(A, opt('LDAPServerIntegrity', 2)), gpo(B, opt('LDAPServerIntegrity', 1)));
    assert.deepEqual(rows(file, 'ldap.server.cbt'), [['ldap.server.cbt', 'info', 4, A, [4]]]);
    // B's own finding (signing = 1) relates to nothing of A.
    assert.deepEqual(rows(file, 'ldap.server.signing'), [['ldap.server.signing', 'error', 8, B, []]]);
  });

  test("a finding's related values come from its own GPO", () => {
    // ldap.server.cbt relates to ldap.server.signing: B's weak channel binding must not point at A's signing line.
    const file = report(gpo(A, opt('LDAPServerIntegrity', 2) + opt('LdapEnforceChannelBinding', 2)), gpo(B, opt('LdapEnforceChannelBinding', 0)));
    assert.deepEqual(
      rows(file, 'ldap.server.cbt').map(([id, , line, guid, related]) => [id, line, guid, related]),
      [['ldap.server.cbt', 9, B, []]],
    );
  });
});

describe('RSoP: one resulting set, whichever GPO won each value', () => {
  /** An RSoP with each winning Security Option from its own GPO (precedence 1). */
  function rsop(...options: [guid: string, name: string, value: number][]): ParsedFile {
    const body = options
      .map(
        ([guid, name, v]) =>
          `<q1:SecurityOptions><GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base"><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier></GPO><Precedence xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base">1</Precedence><q1:KeyName>${NTDS}${name}</q1:KeyName><q1:SettingNumber>${v}</q1:SettingNumber></q1:SecurityOptions>\n`,
      )
      .join('');
    return parseText(
      'dc01-rsop.xml',
      '<Rsop xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Rsop"><ComputerResults>\n' +
        `<ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\n${body}</Extension></ExtensionData>\n` +
        '</ComputerResults></Rsop>\n',
    );
  }

  test('values won from two GPOs judge, relate and complete each other', () => {
    const file = rsop([A, 'LDAPServerIntegrity', 2], [B, 'LDAPServerEnforceIntegrity', 0], [B, 'LdapEnforceChannelBinding', 2]);
    assert.equal(file.format, 'rsop-xml');
    assert.deepEqual(
      file.settings.map((s) => [s.name, s.gpo?.guid]),
      [
        ['LDAPServerIntegrity', A],
        ['LDAPServerEnforceIntegrity', B],
        ['LdapEnforceChannelBinding', B],
      ],
    );
    assert.equal(gpoParts(file, DC).length, 1);
    // enforce = 0 is fine where signing = 2 applies (the peer came from A), and channel binding is configured: no findings.
    assert.deepEqual(lint(file, DC).filter((f) => f.ruleId.startsWith('ldap.')), []);
    // Without channel binding the next step is due, and only once.
    assert.deepEqual(rows(rsop([A, 'LDAPServerIntegrity', 2], [B, 'LDAPServerEnforceIntegrity', 0]), 'ldap.server.cbt'), [['ldap.server.cbt', 'info', 3, A, [3]]]);
  });

  test('the policy set records the RSoP in the same one part (gpoParts), so its statuses are the findings\' judgement', () => {
    const file = rsop([A, 'LDAPServerIntegrity', 2], [B, 'LDAPServerEnforceIntegrity', 0], [B, 'LdapEnforceChannelBinding', 1]);
    const options = { role: 'any' as const, targetOs: 'legacy' as const };
    const judged = judgeFile(file, options).map((j) => [j.rule.id, j.setting.gpo?.guid, j.status]);
    const recorded = filePolicy('dc01-rsop.xml', file).observations.map((o) => [o.ruleId, o.gpo, o.status]);
    assert.deepEqual(recorded, judged);
    // The judgement passed on by a caller is the one the set would make itself.
    assert.equal(isPolicyJudgement(file, options), true);
    assert.deepEqual(filePolicy('dc01-rsop.xml', file, undefined, lineIndexFor(file.text), judgeFile(file, options)), filePolicy('dc01-rsop.xml', file));
  });
});
