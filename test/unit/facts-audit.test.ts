/**
 * Checks that keep the fact audit (docs/facts-audit.md) true: the catalog states its evidence events where users read
 * them, secondary-source defaults name their source, and the audit table covers every setting rule.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventsToWatch, missingIsWeak, settingRuleById, settingRules } from '../../server/src/core/catalog';
import { posture } from '../../server/src/core';
import { FAMILIES } from '../../server/src/core/posture/levels';
import { RULE_EVIDENCE } from '../../server/src/core/evidence/events';
import { lint } from '../../server/src/core/engine';
import { parseText } from '../../server/src/core/parse';
import type { TargetOs } from '../../server/src/core/types';

const ROOT = path.resolve(__dirname, '../../..');

/** Whether `text` names event `id`, alone or inside a range such as `3024–3026`. */
function namesEvent(text: string, id: number): boolean {
  if (new RegExp(`\\b${id}\\b`).test(text)) return true;
  for (const m of text.matchAll(/\b(\d{4,5})\s*[–-]\s*(\d{4,5})\b/g)) {
    if (Number(m[1]) <= id && id <= Number(m[2])) return true;
  }
  return false;
}

test('namesEvent finds ids alone and inside ranges, and nothing else', () => {
  const cases: [string, number, boolean][] = [
    ['events 3024–3026 in material', 3025, true],
    ['events 3024-3026', 3026, true],
    ['events 3024–3026', 3027, false],
    ['8001 and 8002', 8002, true],
    ['80021', 8002, false],
    ['4624', 462, false],
  ];
  for (const [text, id, want] of cases) assert.equal(namesEvent(text, id), want, `${text} / ${id}`);
});

test('every event a rule reads as evidence is named in the rule\'s "Events to watch" text', () => {
  const gaps: string[] = [];
  for (const r of settingRules) {
    for (const e of r.evidence?.events ?? []) {
      for (const id of e.ids) if (!namesEvent(eventsToWatch(r) ?? '', id)) gaps.push(`${r.id}: ${e.log} ${id}`);
    }
  }
  assert.deepEqual(gaps, []);
});

test('defaults taken from secondary sources name the source (settings-and-formats.md §1.4, §1.7, §3.2, §4)', () => {
  const secondary: Record<string, RegExp> = {
    'smb.client.plaintext': /HardeningKitty.*STIG/,
    'smb.server.nullsess': /HardeningKitty.*STIG/,
    'ntlm.nolmhash': /HardeningKitty.*STIG/,
    'netlogon.seal': /HardeningKitty/,
    'netlogon.sign': /HardeningKitty/,
    'netlogon.strongkey': /HardeningKitty/,
  };
  for (const [id, source] of Object.entries(secondary)) {
    const r = settingRuleById(id);
    assert.ok(r, id);
    assert.match(r.defaults, source, id);
    assert.match(r.defaults, /secondary source/, id);
    // The rollout text may lean on the default, but not as "the Windows default" stated without its source.
    assert.doesNotMatch(r.explanation.rollout, /the Windows default/, id);
  }
  // The Default Domain Controllers Policy lines are known from public dumps only ([S42], V2).
  const signOrSeal = settingRuleById('netlogon.signorseal')!;
  assert.match(signOrSeal.defaults, /Public dumps of the Default Domain Controllers Policy/);
  assert.doesNotMatch(JSON.stringify(signOrSeal.explanation), /The Default Domain Controllers Policy also defines it/);
});

test('the posture ladder does not give the unconfirmed values of "NTLM authentication in this domain" a meaning', () => {
  const ntlm = FAMILIES.find((f) => f.id === 'ntlm')!;
  const l5 = ntlm.levels.find((l) => l.level === 5)!;
  // 7 is Deny all as CIS lists number it (V2); what 1, 3 and 5 restrict is UNVERIFIED (SF §3.4), so only 7 counts.
  assert.match(l5.text, /ntlm\.domain\.restrict = 7, Deny all as CIS lists number it; what 1, 3 and 5 restrict is not confirmed, so they do not count/);
  assert.doesNotMatch(l5.text, /confirmed meaning|above 0/);
});

test('the posture page labels a safe step without promising that it breaks nothing (channel binding "When supported" refuses wrong tokens)', () => {
  // A DC scope with channel binding Never: the ladder's next step is the "When supported" negotiate step, which is labelled safe.
  const doc: posture.ScanResultJson = {
    gpos: [{ guid: '{AAAAAAAA-0000-0000-0000-000000000001}', name: 'DC policy', computerEnabled: true }],
    scopes: [
      {
        som: 'corp.example/Domain Controllers',
        kind: 'ou',
        role: 'dc',
        gpos: [{ guid: '{AAAAAAAA-0000-0000-0000-000000000001}' }],
        effective: [{ ruleId: 'ldap.server.cbt', status: 'weak', value: 0, exposedWhenMissing: true, winner: { gpo: '{AAAAAAAA-0000-0000-0000-000000000001}', path: 'Policies/x/GptTmpl.inf', line: 4 } }],
      },
    ],
  };
  const parts: string[] = [];
  posture.renderPostureHtml(posture.assess(posture.postureInput(doc)), {}, (c) => parts.push(c));
  const html = parts.join('');
  assert.match(html, /Negotiate first: Domain controller: LDAP server channel binding token requirements/);
  assert.match(html, /\[safe: audits or negotiates; breaks no client that behaves as it advertises\]/);
  assert.doesNotMatch(html, /breaks nothing/);
});

test('the "if agrees" next steps agree, per target OS, with the default of the setting they point to (SF §1.1, §1.2, §7.1)', () => {
  const M = 'MACHINE\\System\\CurrentControlSet\\Services\\';
  const inf = (line: string) => ['[Unicode]', 'Unicode=yes', '[Registry Values]', line, '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');
  const cases: [line: string, next: string, target: TargetOs, secureByDefault: boolean, must: RegExp][] = [
    [`${M}LanManServer\\Parameters\\EnableSecuritySignature=4,1`, 'smb.server.require', 'legacy', false, /still accepts unsigned SMB 2\/3 sessions/],
    [`${M}LanManServer\\Parameters\\EnableSecuritySignature=4,1`, 'smb.server.require', 'win11-24h2', true, /already require inbound signing by default/],
    [`${M}LanManServer\\Parameters\\EnableSecuritySignature=4,1`, 'smb.server.require', 'ws2025', false, /pages disagree.*may still accept unsigned/],
    [`${M}LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,1`, 'smb.client.require', 'legacy', false, /then require client signing/],
    [`${M}LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,1`, 'smb.client.require', 'win11-24h2', true, /already require client signing by default/],
    [`${M}LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,1`, 'smb.client.require', 'ws2025', true, /Windows Server 2025 already require client signing by default/],
  ];
  for (const [line, next, targetOs, secureByDefault, must] of cases) {
    const what = `${next} / ${targetOs}`;
    // The case table restates the catalog's OS default, so a change there has to come here too.
    assert.equal(missingIsWeak(settingRuleById(next)!, { role: 'member', targetOs }), !secureByDefault, what);
    const found = lint(parseText('GptTmpl.inf', inf(line), 'utf-16le-bom'), { role: 'member', targetOs }).filter((f) => f.ruleId === next);
    assert.equal(found.length, 1, what);
    assert.match(found[0].message, must, what);
    if (secureByDefault) assert.doesNotMatch(found[0].message, /still accepts unsigned/, what);
  }
});

test('a ladder level that asks the event logs about a rule says so when relaylint reads no event of that rule', () => {
  const read = new Set(RULE_EVIDENCE.map((e) => e.ruleId));
  const checked: string[] = [];
  for (const f of FAMILIES) {
    for (const l of f.levels) {
      for (const c of l.requires ?? []) {
        if (!('evidence' in c)) continue;
        for (const rule of c.evidence) {
          if (read.has(rule)) continue;
          checked.push(`${f.id} L${l.level} ${rule}`);
          assert.match(l.text, /not read yet|No event source for this is read yet/, `${f.id} L${l.level}: ${rule} has no event relaylint reads`);
        }
      }
    }
  }
  // The two known cases: guest logons (smb.client.guest) and the secure channel (netlogon.signorseal).
  assert.deepEqual(checked, ['smb1-guest L4 smb.client.guest', 'netlogon L4 netlogon.signorseal']);
});

test('docs/facts-audit.md covers every setting rule, and every verdict is ok, fixed or softened', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/facts-audit.md'), 'utf8');
  const missing = settingRules.map((r) => r.id).filter((id) => !doc.includes(`\`${id}\``));
  assert.deepEqual(missing, []);
  const rows = doc.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  assert.ok(rows.length >= 150, `only ${rows.length} numbered rows`);
  const bad = rows.filter((l) => !/\| (ok|fixed|softened)(\b[^|]*)?\|\s*$/.test(l));
  assert.deepEqual(bad, []);
  // Row numbers run 1..n without gaps, so the count in the summary can be checked.
  assert.deepEqual(rows.map((l) => Number(/^\| (\d+) \|/.exec(l)![1])), rows.map((_, i) => i + 1));
  assert.match(doc, new RegExp(`\\b${rows.length} facts\\b`));
  // The summary's counts are the table's.
  const count = (v: string) => rows.filter((l) => new RegExp(`\\| ${v}\\b[^|]*\\|\\s*$`).test(l)).length;
  assert.match(doc, new RegExp(`${rows.length} facts checked: ${count('ok')} ok, ${count('fixed')} fixed, ${count('softened')} softened`));
});
