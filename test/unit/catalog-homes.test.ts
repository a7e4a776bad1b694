/**
 * Everything about a setting lives in its catalog entry: the evidence events the readiness judge
 * reads and the place on the posture ladder are entry data, and the event table
 * (core/evidence/events.ts) and the family table (core/posture/levels.ts) derive from it. These
 * invariants fail when an entry and the derived tables disagree.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ruleById, settingRuleById, settingRules } from '../../server/src/core/catalog';
import { EVENT_KINDS, RULE_EVIDENCE } from '../../server/src/core/evidence/events';
import { FAMILIES, type Condition } from '../../server/src/core/posture/levels';

const REPO = path.resolve(__dirname, '../../..');

test('every rule with an audit switch names its evidence events, and the switch is a catalog rule', () => {
  const withSwitch = settingRules.filter((r) => r.auditSwitch);
  assert.deepEqual(
    withSwitch.map((r) => r.id),
    ['smb.server.require', 'smb.client.require', 'smb.client.guest', 'ntlm.out', 'ntlm.in.restrict', 'ntlm.domain.restrict'],
  );
  for (const r of withSwitch) {
    assert.ok(r.evidence && r.evidence.events.length > 0 && r.evidence.events.every((e) => e.log && e.ids.length > 0), `${r.id} names no evidence events`);
    assert.ok(settingRuleById(r.auditSwitch as string), `${r.id}: audit switch ${r.auditSwitch} is not a catalog rule`);
    assert.ok(r.evidence.howToAudit.length > 20, `${r.id}: no text on how to log the events`);
  }
});

test('every setting rule belongs to a posture family or is explicitly outside the ladder, with the reason', () => {
  const families = new Set(FAMILIES.map((f) => f.id));
  const outside: string[] = [];
  for (const r of settingRules) {
    if ('outside' in r.posture) {
      assert.ok(r.posture.outside.length > 20, `${r.id}: outside the ladder without a reason`);
      outside.push(r.id);
    } else assert.ok(families.has(r.posture.family), `${r.id}: unknown family ${r.posture.family}`);
  }
  assert.deepEqual(outside, [
    'smb.client.plaintext',
    'smb.server.nullsess',
    'smb.unc.hardened',
    'smb.server.audit.encryption',
    'smb.client.audit.encryption',
    'smb.server.dialect.min',
    'smb.client.dialect.min',
    'smb.server.dialect.max',
    'smb.client.dialect.max',
    'smb.client.encrypt',
  ]);
  // The derived families hold exactly the entries that name them; each has a gate among its rules.
  for (const f of FAMILIES) {
    assert.deepEqual(
      f.rules,
      settingRules.filter((r) => 'family' in r.posture && r.posture.family === f.id).map((r) => r.id),
    );
    assert.ok(f.gate.length > 0 && f.gate.every((g) => f.rules.includes(g)), `${f.id}: gate ${f.gate} not among its rules`);
  }
  assert.deepEqual(
    FAMILIES.map((f) => [f.id, f.gate]),
    [
      ['smb-signing', ['smb.server.require']],
      ['smb1-guest', ['smb1.server', 'smb.client.guest']],
      ['ldap-signing', ['ldap.server.signing']],
      ['ldap-cbt', ['ldap.server.cbt']],
      ['ntlm', ['ntlm.lmcompat', 'ntlm.out']],
      ['netlogon', ['netlogon.signorseal']],
    ],
  );
});

test('the level definitions only name rules of their own family (the catalog and levels.ts agree)', () => {
  const named = (c: Condition): string[] => ('anyOf' in c ? c.anyOf.flatMap(named) : 'evidence' in c ? [...c.evidence] : [c.rule]);
  for (const f of FAMILIES) {
    for (const l of f.levels) {
      for (const id of (l.requires ?? []).flatMap(named)) {
        assert.ok(f.rules.includes(id), `${f.id} L${l.level} names ${id}, whose catalog entry is not in the family`);
      }
    }
  }
});

test('every evidence event names catalog rules, and each of them lists that event in its entry', () => {
  for (const k of EVENT_KINDS) {
    assert.ok(k.rules.length > 0, `event ${k.key} (${k.channel} ${k.id}) is evidence for no catalog rule`);
    for (const id of k.rules) {
      const r = settingRuleById(id);
      assert.ok(r, `event ${k.key}: rule ${id} does not exist`);
      assert.ok(r.evidence?.events.some((e) => e.log.toLowerCase() === k.channel.toLowerCase() && e.ids.includes(k.id)));
    }
  }
  assert.deepEqual(
    EVENT_KINDS.map((k) => `${k.key}→${k.rules.join(',')}`),
    [
      'smb.3000→smb1.server',
      'smb.3021→smb.server.require',
      'smb.3027→smb.server.require',
      'smb.3024→smb.server.spn',
      'smb.3025→smb.server.spn',
      'smb.3026→smb.server.spn',
      'smbclient.31998→smb.client.require',
      'smbclient.31999→smb.client.require',
      'ldap.2887→ldap.server.signing',
      'ldap.2888→ldap.server.signing',
      'ldap.2889→ldap.server.signing',
      'ldap.3039→ldap.server.cbt',
      'ldap.3040→ldap.server.cbt',
      'ldap.3074→ldap.server.cbt',
      'ldap.3075→ldap.server.cbt',
      'ntlm.8001→ntlm.out',
      'ntlm.8002→ntlm.in.restrict',
      'ntlm.8003→ntlm.domain.restrict',
      'ntlm.8004→ntlm.domain.restrict',
      'security.4624→ntlm.lmcompat',
    ],
  );
  // The readiness table takes the switch and the how-to text from the entries.
  for (const re of RULE_EVIDENCE) {
    const r = settingRuleById(re.ruleId);
    assert.equal(re.switchRule, r?.auditSwitch);
    assert.equal(re.howToAudit, r?.evidence?.howToAudit);
  }
  // Every rule named in a catalog entry's evidence is a real rule (ids and logs only, no typos).
  for (const r of settingRules) for (const e of r.evidence?.events ?? []) assert.ok(ruleById(r.id) && /\S/.test(e.log));
});

test('the generated rule pages show the evidence events and the place on the ladder', () => {
  const page = (id: string) => fs.readFileSync(path.join(REPO, 'docs/rules', `${id}.md`), 'utf8');
  const smb = page('smb.server.require');
  assert.match(smb, /## Evidence in event logs\n\nAudit switch: `smb\.server\.audit\.signing`; turn it on before enforcing this setting\.\n\n\| Log \| Event ids \|\n\| --- \| --- \|\n\| Microsoft-Windows-SMBServer\/Audit \| 3021, 3027 \|/);
  assert.match(smb, /## On the posture ladder\n\nFamily: \*\*SMB signing\*\*; its readiness in the event logs gates the family's next enforcement step\.\n\n- \*\*L3 Required on servers and DCs\*\*: /);
  assert.match(page('ntlm.lmcompat'), /\| Security \| 4624 \|/);
  assert.match(page('smb.unc.hardened'), /## On the posture ladder\n\nNot on the ladder: /);
  assert.doesNotMatch(page('smb.unc.hardened'), /## Evidence in event logs/);
});
