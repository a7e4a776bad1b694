/**
 * Invariants of the rule catalog: every rule in settings-and-formats.md §0 exists, carries complete
 * documentation, unique registry locations and consistent fixes, and states no unconfirmed fact as one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allRules,
  eventsToWatch,
  missingIsWeak,
  ruleForValue,
  settingRuleById,
  settingRules,
  type JudgeContext,
  type SettingRule,
} from '../../server/src/core/catalog';
import { valueId } from '../../server/src/core/keys';
import type { RegData, Role, TargetOs } from '../../server/src/core/types';

const ROLES: Role[] = ['dc', 'member', 'any'];
const OSES: TargetOs[] = ['legacy', 'win11-24h2', 'ws2025'];

function contexts(): JudgeContext[] {
  const out: JudgeContext[] = [];
  for (const role of ROLES) for (const targetOs of OSES) out.push({ role, targetOs, peers: new Map() });
  return out;
}

/** Values worth probing: every documented value, plus weak and secure samples for string rules. */
function probeValues(rule: SettingRule): RegData[] {
  if (rule.valueType === 'REG_SZ') {
    return [
      'RequireMutualAuthentication=0, RequireIntegrity=0',
      ...rule.fixes.map((f) => f.value).filter((v): v is string => typeof v === 'string'),
    ];
  }
  return Object.keys(rule.values).map(Number);
}

function canBeWeak(rule: SettingRule): boolean {
  return probeValues(rule).some((v) => contexts().some((ctx) => rule.judge(v, ctx).status === 'weak'));
}

/** All user-facing text of a rule. */
function texts(rule: SettingRule): string[] {
  return [
    rule.title,
    rule.displayName,
    rule.gpoPath,
    rule.secure,
    rule.defaults,
    eventsToWatch(rule) ?? '',
    ...Object.values(rule.baselines).filter((b): b is string => !!b),
    ...Object.values(rule.values),
    ...Object.values(rule.explanation),
    ...rule.fixes.map((f) => f.title),
  ];
}

function allText(rule: SettingRule): string {
  const judged = probeValues(rule)
    .map((v) => rule.judge(v, contexts()[0]).message ?? '')
    .join('\n');
  return texts(rule).join('\n') + '\n' + judged;
}

function sentences(s: string): number {
  return s.split(/(?<=[.!?])\s+(?=\S)/).filter((x) => x.trim().length > 0).length;
}

describe('rule catalog', () => {
  test('ids are unique and well formed', () => {
    const ids = allRules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
    for (const r of settingRules) assert.match(r.id, /^[a-z0-9]+(\.[a-z0-9]+)+$/, r.id);
  });

  // The set of setting ids is pinned once, by the judge table (test/unit/rules/judge.test.ts: every
  // rule has a table, every table names a rule), so a new setting adds one test table, not two lists.

  test('every setting rule is fully documented', () => {
    for (const r of settingRules) {
      assert.ok(r.title.trim(), `${r.id}: title`);
      assert.ok(r.displayName.trim(), `${r.id}: displayName`);
      assert.ok(r.gpoPath.startsWith('Computer Configuration > Policies'), `${r.id}: gpoPath`);
      assert.ok(r.secure.trim(), `${r.id}: secure`);
      assert.ok(r.defaults.trim(), `${r.id}: defaults`);
      assert.ok(r.locations.length > 0, `${r.id}: locations`);
      assert.ok(Object.keys(r.values).length > 0, `${r.id}: values`);
      for (const [section, text] of Object.entries(r.explanation)) {
        assert.ok(text.trim().length > 0, `${r.id}: explanation.${section} is empty`);
        const n = sentences(text);
        assert.ok(n >= 2 && n <= 5, `${r.id}: explanation.${section} has ${n} sentences`);
      }
      assert.deepEqual(Object.keys(r.explanation).sort(), ['attack', 'fix', 'rollout', 'what', 'why']);
      assert.ok(r.references.length > 0, `${r.id}: references`);
      for (const ref of r.references) {
        assert.ok(ref.title.trim(), `${r.id}: reference title`);
        if (ref.tag) assert.match(ref.tag, /^[SE]\d+$/, `${r.id}: reference tag (S: settings-and-formats.md, E: scope-and-evidence.md)`);
        if (ref.url) {
          assert.match(ref.url, /^https:\/\//, `${r.id}: reference url`);
          assert.doesNotMatch(ref.url, /\/en-us\//, `${r.id}: Learn urls without locale`);
        }
      }
      for (const ctx of contexts()) assert.equal(typeof missingIsWeak(r, ctx), 'boolean', `${r.id}: missingIsWeak`);
    }
  });

  test('fixes exist exactly for rules that can be weak', () => {
    for (const r of settingRules) {
      assert.equal(r.fixes.length > 0, canBeWeak(r), `${r.id}: fixes ${r.fixes.length}, can be weak ${canBeWeak(r)}`);
    }
    // The environment-specific and optional ones can never be weak.
    for (const id of ['smb.client.encrypt', 'ntlm.in.restrict', 'ntlm.domain.restrict']) {
      assert.equal(settingRuleById(id)!.fixes.length, 0, id);
    }
  });

  test('exactly one preferred fix per fixable rule, listed first, and it hardens the value', () => {
    for (const r of settingRules.filter((x) => x.fixes.length > 0)) {
      const preferred = r.fixes.filter((f) => f.preferred);
      assert.equal(preferred.length, 1, `${r.id}: preferred fixes`);
      assert.equal(r.fixes[0], preferred[0], `${r.id}: preferred fix first`);
      assert.equal(preferred[0].target, undefined, `${r.id}: the preferred fix writes the rule's own value`);
      for (const ctx of contexts()) {
        assert.equal(r.judge(preferred[0].value, ctx).status, 'hardened', `${r.id}: preferred fix value ${preferred[0].value}`);
      }
    }
  });

  test('every fix value is a documented value of the rule it writes', () => {
    for (const r of settingRules) {
      for (const f of r.fixes) {
        const target = f.target ? settingRuleById(f.target) : r;
        assert.ok(target, `${r.id}: fix target ${f.target}`);
        if (target.valueType === 'REG_SZ') assert.equal(typeof f.value, 'string', `${r.id}: string fix`);
        else assert.ok(String(f.value) in target.values, `${r.id}: fix value ${f.value} not in values of ${target.id}`);
        assert.ok(f.title.trim(), `${r.id}: fix title`);
      }
    }
    const staged = settingRuleById('smb.client.require')!.fixes[1];
    assert.equal(staged.target, 'smb.client.enable');
    assert.equal(staged.value, 1);
  });

  test('no two rules claim the same registry location', () => {
    const seen = new Map<string, string>();
    for (const r of settingRules) {
      for (const loc of r.locations) {
        const id = valueId(loc.hive, loc.key, loc.name);
        assert.ok(!seen.has(id), `${id} claimed by ${seen.get(id)} and ${r.id}`);
        seen.set(id, r.id);
      }
    }
  });

  test('ruleForValue finds every location in any casing', () => {
    for (const r of settingRules) {
      for (const loc of r.locations) {
        assert.equal(ruleForValue(loc.hive, loc.key, loc.name)?.id, r.id);
        assert.equal(ruleForValue(loc.hive, loc.key.toUpperCase(), loc.name.toUpperCase())?.id, r.id);
        assert.equal(ruleForValue(loc.hive, loc.key.toLowerCase(), loc.name.toLowerCase())?.id, r.id);
        assert.equal(ruleForValue(loc.hive, '\\' + loc.key + '\\', loc.name)?.id, r.id, 'separators trimmed');
      }
    }
    assert.equal(
      ruleForValue('HKLM', 'SYSTEM\\CURRENTCONTROLSET\\SERVICES\\LANMANSERVER\\PARAMETERS', 'REQUIRESECURITYSIGNATURE')?.id,
      'smb.server.require',
    );
    assert.equal(ruleForValue('HKLM', 'System\\CurrentControlSet\\Services\\mrxsmb10', 'start')?.id, 'smb1.client');
    assert.equal(
      ruleForValue('HKLM', 'SOFTWARE\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths', '\\\\*\\sysvol')?.id,
      'smb.unc.hardened',
    );
  });

  test('switches that can be set by policy or directly list both locations, canonical first', () => {
    const both = [
      'smb.server.audit.signing',
      'smb.server.audit.encryption',
      'smb.client.audit.signing',
      'smb.client.audit.encryption',
      'smb.server.audit.guest',
      'smb.client.audit.guest',
      'smb.server.dialect.min',
      'smb.client.dialect.min',
      'smb.server.dialect.max',
      'smb.client.dialect.max',
      'smb.client.encrypt',
      'smb.client.guest',
    ];
    for (const id of both) {
      const r = settingRuleById(id)!;
      assert.equal(r.locations.length, 2, id);
      assert.match(r.locations[0].key, /^Software\\Policies\\Microsoft\\Windows\\Lanman(Server|Workstation)$/, id);
      assert.match(r.locations[1].key, /^System\\CurrentControlSet\\Services\\Lanman(Server|Workstation)\\Parameters$/i, id);
    }
    const unc = settingRuleById('smb.unc.hardened')!;
    assert.equal(unc.valueType, 'REG_SZ');
    assert.deepEqual(unc.locations.map((l) => l.name), ['\\\\*\\NETLOGON', '\\\\*\\SYSVOL']);
  });

  test('severities and domain-controller scope follow the brief', () => {
    const expected: Record<string, string> = {
      'smb.server.require': 'error',
      'ldap.server.signing': 'error',
      'ldap.server.enforce': 'error',
      'ldap.server.cbt': 'error',
      'ldap.client.signing': 'error',
      'ntlm.lmcompat': 'error',
      'smb1.server': 'error',
      'smb1.client': 'error',
      'smb.client.plaintext': 'error',
      'smb.client.guest': 'error',
      'netlogon.signorseal': 'error',
      'smb.client.require': 'warning',
      'smb.server.spn': 'warning',
      'smb.server.nullsess': 'warning',
      'ntlm.nolmhash': 'warning',
      'ntlm.minclient': 'warning',
      'ntlm.minserver': 'warning',
      'netlogon.seal': 'warning',
      'netlogon.sign': 'warning',
      'netlogon.strongkey': 'warning',
      'smb.unc.hardened': 'warning',
      'smb.server.dialect.max': 'warning',
      'smb.client.dialect.max': 'warning',
      'smb.server.enable': 'info',
      'smb.client.enable': 'info',
      'smb.server.audit.signing': 'info',
      'smb.server.audit.encryption': 'info',
      'smb.client.audit.signing': 'info',
      'smb.client.audit.encryption': 'info',
      'smb.server.audit.guest': 'info',
      'smb.client.audit.guest': 'info',
      'smb.server.dialect.min': 'info',
      'smb.client.dialect.min': 'info',
      'smb.client.encrypt': 'info',
      'ntlm.out': 'info',
      'ntlm.in.audit': 'info',
      'ntlm.domain.audit': 'info',
      'ldap.client.sealing': 'info',
    };
    for (const [id, sev] of Object.entries(expected)) assert.equal(settingRuleById(id)!.severity, sev, id);
    const dcOnly = settingRules.filter((r) => r.dcOnly).map((r) => r.id).sort();
    assert.deepEqual(dcOnly, ['ldap.server.cbt', 'ldap.server.enforce', 'ldap.server.signing', 'ntlm.domain.audit', 'ntlm.domain.restrict']);
  });

  test('unconfirmed facts are not stated as facts', () => {
    for (const r of settingRules) {
      const text = allText(r);
      assert.doesNotMatch(text, /UNVERIFIED/, `${r.id}: internal confidence marker in user text`);
      // NTLM operational ids 8001–8004 are confirmed (scope-and-evidence.md §6 C3): no text may call them unconfirmed.
      assert.doesNotMatch(text, /event ids are not confirmed|ids are unconfirmed/, `${r.id}: NTLM operational ids are confirmed now`);
      // 8003: which machines log it is not confirmed (§3.6).
      if (/\b8003\b/.test(text)) assert.match(text, /which machines log it is not confirmed/, `${r.id}: 8003 logging scope hedged`);
      // The client audit ids 31998/31999: their signing/encryption mapping is unconfirmed.
      if (/3199[89]/.test(text)) assert.match(text, /not confirmed/, `${r.id}: 31998/31999 mapping must be hedged`);
      // Server event 3022: its meaning is an inference.
      if (/\b3022\b/.test(text)) assert.match(text, /not confirmed|inference/, `${r.id}: 3022 must be hedged`);
      // The SMB1 audit event 3000: its message is in the srv2.sys message table (§6 C4), the name of its data field is not confirmed.
      if (/\b3000\b/.test(text)) assert.match(text, /data field is not confirmed/, `${r.id}: 3000 field name must be hedged`);
      // 3021/3027 meanings come from third-party material.
      if (/\b3027\b/.test(eventsToWatch(r) ?? '')) assert.match(eventsToWatch(r)!, /third-party/, `${r.id}: 3021/3027 must be hedged`);
      // The SMB server EPA = SPN validation equivalence is an inference.
      if (/\bEPA\b/.test(text) && /SPN/.test(text)) assert.match(text, /assume|takes|inferred|not state/, `${r.id}: EPA equivalence hedged`);
    }
    // The NTLM entries name the events that are their evidence, in the text a user reads (no NTLM event carries an address).
    for (const [id, ids] of [['ntlm.out', ['8001']], ['ntlm.in.audit', ['8002']], ['ntlm.in.restrict', ['8002']], ['ntlm.domain.audit', ['8003', '8004']], ['ntlm.domain.restrict', ['8003', '8004']]] as const) {
      const events = eventsToWatch(settingRuleById(id)!) ?? '';
      for (const n of ids) assert.match(events, new RegExp(`\\b${n}\\b`), `${id}: names ${n}`);
      assert.match(events, /no (client address|IP address)|carries an IP address/, `${id}: says the event has no address`);
    }
    // NTLMv1 shows in 4624 LmPackageName, and anonymous logons are not NTLMv1 use (KB4090105).
    assert.match(eventsToWatch(settingRuleById('ntlm.lmcompat')!) ?? '', /4624.*NTLM V1.*ANONYMOUS LOGON.*KB4090105/s);
    // Numbers of the Restrict NTLM audit/incoming/domain settings come from CIS lists only (§3.4): every value says so.
    for (const id of ['ntlm.in.audit', 'ntlm.in.restrict', 'ntlm.domain.audit', 'ntlm.domain.restrict']) {
      for (const v of Object.values(settingRuleById(id)!.values)) assert.match(v, /numbering as in CIS lists/, id);
    }
    // Intermediate values of the domain settings are unconfirmed: only 0 and 7 are named.
    for (const id of ['ntlm.domain.audit', 'ntlm.domain.restrict']) {
      assert.deepEqual(Object.keys(settingRuleById(id)!.values), ['0', '7'], id);
    }
    // LDAPClientConfidentiality: secondary material only.
    const sealing = settingRuleById('ldap.client.sealing')!;
    assert.match(sealing.explanation.what, /reported/);
    assert.match(sealing.explanation.what, /not confirmed/);
    for (const v of Object.values(sealing.values)) assert.match(v, /reported/);
    // LDAPServerEnforceIntegrity: GptTmpl line shape and the tattoo claim.
    const enforce = settingRuleById('ldap.server.enforce')!;
    assert.match(enforce.explanation.fix, /GptTmpl\.inf.*not confirmed/s);
    assert.match(enforce.explanation.rollout, /reports/);
    assert.match(enforce.baselines.microsoft ?? '', /not confirmed/);
  });

  test('conflicts between sources are stated where they touch a rule', () => {
    assert.match(settingRuleById('smb.server.require')!.defaults, /disagree/);
    for (const id of ['ldap.server.signing', 'ldap.server.cbt']) {
      const r = settingRuleById(id)!;
      assert.match(eventsToWatch(r) ?? '', /differently/, `${id}: LDAP event table conflict`);
    }
    assert.match(eventsToWatch(settingRuleById('smb.server.audit.guest')!) ?? '', /SmbServer\/Security/);
    assert.match(settingRuleById('smb.client.guest')!.defaults, /help text/);
  });

  test('dialect and CBT values are the documented codes', () => {
    for (const id of ['smb.server.dialect.min', 'smb.client.dialect.min', 'smb.server.dialect.max', 'smb.client.dialect.max']) {
      assert.deepEqual(Object.keys(settingRuleById(id)!.values), ['514', '528', '768', '770', '785'], id);
    }
    assert.deepEqual(Object.keys(settingRuleById('ldap.server.cbt')!.values), ['0', '1', '2']);
    assert.deepEqual(Object.keys(settingRuleById('smb1.client')!.values), ['2', '3', '4']);
  });
});
