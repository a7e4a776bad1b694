/**
 * Table-driven tests of every rule's judge(): hardened and weak values, the severity of each weak value,
 * values of the wrong type or outside the documented set, peer-dependent cases, and missingIsWeak.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { missingIsWeak, settingRuleById, settingRules, type JudgeContext } from '../../../server/src/core/catalog';
import type { RegData, Role, Severity, TargetOs } from '../../../server/src/core/types';

interface Ctx {
  role?: Role;
  targetOs?: TargetOs;
  peers?: Record<string, RegData>;
}

function ctx(c: Ctx = {}): JudgeContext {
  return { role: c.role ?? 'any', targetOs: c.targetOs ?? 'legacy', peers: new Map(Object.entries(c.peers ?? {})) };
}

type Status = 'hardened' | 'weak' | 'unknown';

/** [value, expected status, expected severity (weak only), message substring (weak/unknown), context]. */
type Row = [RegData, Status, Severity?, (string | RegExp | null)?, Ctx?];

const H = (v: RegData, c?: Ctx): Row => [v, 'hardened', undefined, undefined, c];
const W = (v: RegData, sev: Severity, msg: string | RegExp, c?: Ctx): Row => [v, 'weak', sev, msg, c];
const U = (v: RegData, c?: Ctx): Row => [v, 'unknown', undefined, /not a documented value/, c];
/** A documented value of an environment-specific setting: reported, never rated, no message. */
const N = (v: RegData, c?: Ctx): Row => [v, 'unknown', undefined, null, c];

/** Wrong-type rows every DWORD rule must answer with `unknown`. */
const WRONG_TYPES: RegData[] = ['1', '', ['1'], null, 1.5, -1];

const TABLE: Record<string, Row[]> = {
  'smb.server.require': [H(1), W(0, 'error', /RequireSecuritySignature = 0.*NTLM relay/), U(2), U('1')],
  'smb.server.enable': [
    H(1),
    W(0, 'info', /only.*SMBv1|SMBv1.*only/),
    W(0, 'info', /SMB 2 and 3 ignore/, { peers: { 'smb1.server': 0 } }),
    W(0, 'warning', /SMBv1 server is enabled in the same scope/, { peers: { 'smb1.server': 1 } }),
    W(0, 'info', /ignore/, { peers: { 'smb1.client': 2 } }), // the client driver does not make the server value matter
    H(1, { peers: { 'smb1.server': 1 } }),
    U(7),
  ],
  'smb.client.require': [H(1), W(0, 'warning', /RequireSecuritySignature = 0/), U(3)],
  'smb.client.enable': [
    H(1),
    W(0, 'info', /SMBv1 sessions only/),
    W(0, 'warning', /MrxSmb10 Start = 2/, { peers: { 'smb1.client': 2 } }),
    W(0, 'warning', /MrxSmb10 Start = 3/, { peers: { 'smb1.client': 3 } }),
    W(0, 'info', /only/, { peers: { 'smb1.client': 4 } }),
    W(0, 'info', /only/, { peers: { 'smb1.server': 1 } }),
    U(2),
  ],
  'smb.client.plaintext': [H(0), W(1, 'error', /EnablePlainTextPassword = 1.*clear text/), U(2)],
  'smb.server.spn': [H(1), H(2), W(0, 'warning', /SmbServerNameHardeningLevel = 0/), U(3)],
  'smb.server.nullsess': [H(1), W(0, 'warning', /RestrictNullSessAccess = 0/), U(2)],
  'smb1.server': [H(0), W(1, 'error', /SMB1 = 1/), U(2)],
  'smb1.client': [H(4), W(2, 'error', /Start = 2, automatic/), W(3, 'error', /Start = 3, manual/), U(0), U(1), U(5)],
  'smb.client.guest': [H(0), W(1, 'error', /AllowInsecureGuestAuth = 1/), U(2)],
  'smb.unc.hardened': [
    H('RequireMutualAuthentication=1, RequireIntegrity=1'),
    H('RequireMutualAuthentication=1,RequireIntegrity=1'),
    H('requiremutualauthentication = 1 ,  REQUIREINTEGRITY=1'),
    H('RequireMutualAuthentication=1, RequireIntegrity=1, RequirePrivacy=1'),
    H('RequireIntegrity=1, RequireMutualAuthentication=1, RequirePrivacy=0'),
    W('RequireMutualAuthentication=0, RequireIntegrity=1', 'warning', /RequireMutualAuthentication=0/),
    W('RequireMutualAuthentication=1, RequireIntegrity=0', 'warning', /RequireIntegrity=0/),
    W('RequireMutualAuthentication=0,RequireIntegrity=0,RequirePrivacy=1', 'warning', /turns RequireMutualAuthentication and RequireIntegrity off \(= 0\)/),
    W('RequireMutualAuthentication=1', 'warning', /does not set RequireIntegrity=1/),
    W('RequirePrivacy=1', 'warning', /does not set RequireMutualAuthentication=1 or RequireIntegrity=1/),
    U('garbage'),
    U(''),
    U('RequireMutualAuthentication=2, RequireIntegrity=1'),
    U(1),
    U(['RequireMutualAuthentication=1, RequireIntegrity=1']),
    U(null),
  ],
  'smb.server.audit.signing': [H(1), W(0, 'info', /AuditClientDoesNotSupportSigning = 0/), U(2)],
  'smb.server.audit.encryption': [H(1), W(0, 'info', /AuditClientDoesNotSupportEncryption = 0/), U(2)],
  'smb.client.audit.signing': [H(1), W(0, 'info', /AuditServerDoesNotSupportSigning = 0/), U(2)],
  'smb.client.audit.encryption': [H(1), W(0, 'info', /AuditServerDoesNotSupportEncryption = 0/), U(2)],
  'smb.server.audit.guest': [H(1), W(0, 'info', /AuditInsecureGuestLogon = 0.*server/), U(2)],
  'smb.client.audit.guest': [H(1), W(0, 'info', /SMB client is off \(AuditInsecureGuestLogon = 0\)/), U(2)],
  'smb.server.dialect.min': [
    H(768),
    H(770),
    H(785),
    W(514, 'info', /MinSmb2Dialect = 514 \(SMB 2\.0\.2\)/),
    W(528, 'info', /SMB 2\.1\.0/),
    U(0),
    U(767),
    U(1),
  ],
  'smb.client.dialect.min': [H(768), W(514, 'info', /this SMB client/), W(528, 'info', /SMB 2\.x/), U(769)],
  'smb.server.dialect.max': [H(785), W(770, 'warning', /MaxSmb2Dialect = 770 .*3\.1\.1/), W(768, 'warning', /below SMB 3\.1\.1/), W(514, 'warning', /SMB 2\.0\.2/), U(786)],
  'smb.client.dialect.max': [H(785), W(770, 'warning', /this SMB client/), U(0)],
  'smb.client.encrypt': [H(0), H(1), U(2)],
  'ldap.server.signing': [
    H(2),
    W(1, 'error', /LDAPServerIntegrity = 1, "None"/),
    W(0, 'error', /LDAPServerIntegrity = 0/),
    W(1, 'error', /port 389/, { role: 'dc' }),
    // Server 2025: enforcement on in the same scope overrides LDAPServerIntegrity.
    H(1, { targetOs: 'ws2025', peers: { 'ldap.server.enforce': 1 } }),
    W(1, 'error', /not required/, { targetOs: 'ws2025', peers: { 'ldap.server.enforce': 0 } }),
    W(1, 'warning', /^LDAP signing is set to "None" \(LDAPServerIntegrity = 1\); new Server 2025 DCs still require signing.*upgraded in place/, { targetOs: 'ws2025' }),
    // Older DCs ignore the 2025 enforcement value.
    W(1, 'error', /not required/, { targetOs: 'legacy', peers: { 'ldap.server.enforce': 1 } }),
    U(3),
  ],
  'ldap.server.enforce': [
    H(1),
    H(0, { peers: { 'ldap.server.signing': 2 } }),
    W(0, 'error', /LDAPServerEnforceIntegrity = 0.*LDAPServerIntegrity = 2/),
    W(0, 'error', /not set to 2/, { peers: { 'ldap.server.signing': 1 } }),
    W(0, 'error', /unsigned LDAP binds/, { peers: { 'ldap.server.signing': '2' } }),
    U(2),
  ],
  'ldap.server.cbt': [
    H(2),
    W(1, 'warning', /When supported.*rollout step.*2 \(Always\)/),
    W(0, 'error', /LdapEnforceChannelBinding = 0, Never/),
    U(3),
  ],
  'ldap.client.signing': [H(1), H(2), W(0, 'error', /LDAPClientIntegrity = 0.*man-in-the-middle/), U(3)],
  'ldap.client.sealing': [H(1), H(2), W(0, 'info', /reported/), U(3)],
  'ntlm.lmcompat': [
    H(5),
    W(0, 'error', /LmCompatibilityLevel = 0 .*LM and NTLMv1/),
    W(1, 'error', /LmCompatibilityLevel = 1/),
    W(2, 'error', /NTLMv1/),
    W(3, 'error', /still accepts LM and NTLMv1/),
    W(4, 'error', /LM is refused.*NTLMv1/),
    U(6),
  ],
  'ntlm.nolmhash': [H(1), W(0, 'warning', /NoLMHash = 0/), U(2)],
  'ntlm.minclient': [
    H(537395200),
    H(0x20080000 | 1),
    H(0xffffffff),
    W(536870912, 'warning', /missing "Require NTLMv2 session security" \(0x00080000\)/),
    W(524288, 'warning', /missing "Require 128-bit encryption" \(0x20000000\)/),
    W(0, 'warning', /NTLMv2 session security.*and.*128-bit/),
    W(1, 'warning', /0x00000001/),
    U(0x100000000),
    U(-1),
  ],
  'ntlm.minserver': [
    H(537395200),
    H(0x20080000 | 1),
    W(536870912, 'warning', /NTLMMinServerSec = 536870912 \(0x20000000\).*NTLMv2 session security/),
    W(524288, 'warning', /128-bit/),
    U('537395200'),
  ],
  'ntlm.out': [H(1), H(2), W(0, 'info', /RestrictSendingNTLMTraffic = 0, Allow all/), U(3)],
  'ntlm.in.audit': [H(2), W(1, 'info', /domain accounts only/), W(0, 'info', /not audited/), U(3)],
  'ntlm.in.restrict': [N(0), N(1), N(2), U(3)],
  'ntlm.domain.audit': [
    H(7),
    W(0, 'info', /AuditNTLMInDomain = 0/),
    W(3, 'info', /not confirmed/),
    W(6, 'info', /cannot tell how much/),
    U(8),
  ],
  'ntlm.domain.restrict': [N(0), N(7), N(3), U(8)],
  'netlogon.signorseal': [H(1), W(0, 'error', /RequireSignOrSeal = 0/), U(2)],
  'netlogon.seal': [H(1), W(0, 'warning', /SealSecureChannel = 0/), U(2)],
  'netlogon.sign': [
    H(1),
    W(0, 'warning', /SignSecureChannel = 0/),
    W(0, 'info', /RequireSignOrSeal = 1/, { peers: { 'netlogon.signorseal': 1 } }),
    W(0, 'warning', /man-in-the-middle/, { peers: { 'netlogon.signorseal': 0 } }),
    U(2),
  ],
  'netlogon.strongkey': [H(1), W(0, 'warning', /RequireStrongKey = 0/), U(2)],
};

describe('judge()', () => {
  test('every rule has a table', () => {
    for (const r of settingRules) assert.ok(TABLE[r.id], `no judge table for ${r.id}`);
    for (const id of Object.keys(TABLE)) assert.ok(settingRuleById(id), `table for unknown rule ${id}`);
  });

  for (const [id, rows] of Object.entries(TABLE)) {
    test(id, () => {
      const rule = settingRuleById(id);
      assert.ok(rule, id);
      assert.ok(rows.some((r) => r[1] === 'unknown'), `${id}: needs an undocumented-value row`);
      for (const [value, status, severity, msg, c] of rows) {
        const label = `${id} judge(${JSON.stringify(value)}, ${JSON.stringify(c ?? {})})`;
        const j = rule.judge(value, ctx(c));
        assert.equal(j.status, status, `${label}: status (${j.message ?? ''})`);
        if (status === 'hardened' || msg === null) {
          assert.equal(j.message, undefined, `${label}: ${status} without a message`);
          continue;
        }
        assert.ok(j.message && j.message.length > 20, `${label}: message`);
        assert.ok(j.message.length < 400, `${label}: one or two sentences`);
        if (msg) assert.match(j.message, typeof msg === 'string' ? new RegExp(msg) : msg, label);
        if (status === 'weak') assert.equal(j.severity ?? rule.severity, severity, `${label}: severity`);
      }
      // Values of the wrong type are never judged hardened or weak.
      if (rule.valueType === 'REG_DWORD') {
        for (const v of WRONG_TYPES) {
          const j = rule.judge(v, ctx());
          assert.equal(j.status, 'unknown', `${id} judge(${JSON.stringify(v)})`);
          assert.match(j.message ?? '', /not a documented value/);
        }
      }
    });
  }

  test('weak messages name the value', () => {
    for (const [id, rows] of Object.entries(TABLE)) {
      const rule = settingRuleById(id)!;
      for (const [value, status, , , c] of rows) {
        if (status !== 'weak') continue;
        const j = rule.judge(value, ctx(c));
        const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
        assert.ok(j.message!.includes(shown), `${id}: message should show ${shown}: ${j.message}`);
      }
    }
  });

  test('the CBT rollout value only offers the final step', () => {
    const cbt = settingRuleById('ldap.server.cbt')!;
    const j = cbt.judge(1, ctx({ role: 'dc' }));
    assert.deepEqual(j.fixes?.map((f) => f.value), [2]);
    assert.equal(cbt.judge(0, ctx()).fixes, undefined, 'Never uses the rule fixes (Always, then the rollout step)');
    assert.deepEqual(cbt.fixes.map((f) => f.value), [2, 1]);
  });
});

describe('missingIsWeak()', () => {
  const cases: [string, Ctx, boolean][] = [
    ['smb.server.require', { role: 'member', targetOs: 'legacy' }, true],
    ['smb.server.require', { role: 'any', targetOs: 'legacy' }, true],
    ['smb.server.require', { role: 'member', targetOs: 'win11-24h2' }, false],
    ['smb.server.require', { role: 'dc', targetOs: 'legacy' }, false],
    // Server 2025 server-side default is disputed (§7.1); the outbound-only page is followed.
    ['smb.server.require', { role: 'member', targetOs: 'ws2025' }, true],
    ['smb.client.require', { role: 'any', targetOs: 'legacy' }, true],
    ['smb.client.require', { role: 'any', targetOs: 'win11-24h2' }, false],
    ['smb.client.require', { role: 'any', targetOs: 'ws2025' }, false],
    ['smb.client.guest', { role: 'any', targetOs: 'legacy' }, true],
    ['smb.client.guest', { role: 'any', targetOs: 'win11-24h2' }, false],
    ['smb1.server', { role: 'any', targetOs: 'legacy' }, false],
    ['smb1.client', { role: 'any', targetOs: 'legacy' }, false],
    ['smb.server.enable', { role: 'any', targetOs: 'legacy' }, false],
    ['smb.unc.hardened', { role: 'member', targetOs: 'win11-24h2' }, true],
    ['smb.server.audit.signing', { role: 'any', targetOs: 'legacy' }, false],
    ['smb.client.encrypt', { role: 'any', targetOs: 'legacy' }, false],
    ['ldap.server.signing', { role: 'dc', targetOs: 'legacy' }, true],
    ['ldap.server.signing', { role: 'any', targetOs: 'legacy' }, true],
    ['ldap.server.signing', { role: 'dc', targetOs: 'ws2025' }, false],
    ['ldap.server.signing', { role: 'member', targetOs: 'legacy' }, false],
    ['ldap.server.enforce', { role: 'dc', targetOs: 'ws2025' }, false],
    // When supported (the 2025 default) is still not Always.
    ['ldap.server.cbt', { role: 'dc', targetOs: 'legacy' }, true],
    ['ldap.server.cbt', { role: 'dc', targetOs: 'ws2025' }, true],
    ['ldap.server.cbt', { role: 'member', targetOs: 'legacy' }, false],
    ['ldap.client.signing', { role: 'any', targetOs: 'legacy' }, false],
    ['ntlm.lmcompat', { role: 'dc', targetOs: 'ws2025' }, true],
    ['ntlm.lmcompat', { role: 'member', targetOs: 'legacy' }, false],
    ['ntlm.minclient', { role: 'any', targetOs: 'win11-24h2' }, true],
    ['ntlm.minserver', { role: 'dc', targetOs: 'legacy' }, true],
    ['ntlm.out', { role: 'any', targetOs: 'legacy' }, false],
    ['ntlm.domain.restrict', { role: 'dc', targetOs: 'legacy' }, false],
    ['netlogon.signorseal', { role: 'any', targetOs: 'legacy' }, false],
  ];
  for (const [id, c, expected] of cases) {
    test(`${id} ${c.role}/${c.targetOs} → ${expected}`, () => {
      assert.equal(missingIsWeak(settingRuleById(id)!, ctx(c)), expected);
    });
  }
});
