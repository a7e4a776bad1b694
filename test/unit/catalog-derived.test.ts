/**
 * Facts about a setting have one home, its catalog entry; the texts that quote them are rendered
 * from it. These tables fail when a second copy creeps back: the posture ladder's "not configured"
 * defaults and its level texts, and the next-step messages per target OS, against the entries'
 * `osDefaults`, for every rule, role and target OS; the events texts and the event-log reader's
 * meanings against the one event table (catalog/events.ts).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EVENT_FACTS, eventFact, eventsToWatch, rulesWatching, messageByTargetOs, missingIsWeak, osDefaultFor, settingRuleById, settingRules, type OsDefault } from '../../server/src/core/catalog';
import { EVENT_KINDS } from '../../server/src/core/evidence/events';
import { posture } from '../../server/src/core';
import { evalCond } from '../../server/src/core/posture/assess';
import { defaultsNote, FAMILIES, type Condition, type RuleCondition } from '../../server/src/core/posture/levels';
import { lint } from '../../server/src/core/engine';
import { parseText } from '../../server/src/core/parse';
import type { Role, TargetOs } from '../../server/src/core/types';

const REPO = path.resolve(__dirname, '../../..');
const ROLES: Role[] = ['dc', 'member', 'any'];
const TARGETS: TargetOs[] = ['legacy', 'win11-24h2', 'ws2025'];

const ruleConditions = (c: Condition): RuleCondition[] => ('anyOf' in c ? c.anyOf.flatMap(ruleConditions) : 'evidence' in c ? [] : [c]);

/** Every level condition that falls back to the catalog's default value, with where it is. */
const DEFAULT_VALUE_CONDITIONS = FAMILIES.flatMap((f) =>
  f.levels.flatMap((l) => (l.requires ?? []).flatMap(ruleConditions).filter((c) => c.missing === 'default-value').map((c) => ({ family: f.id, level: l, c }))),
);

/** A scan result where nothing is configured, as the posture page reads it. */
function nothingConfigured(role: Role, targetOs: TargetOs): posture.PostureInput {
  return posture.postureInput({
    options: { role, targetOs },
    coverage: settingRules
      .filter((r) => !(r.dcOnly && role === 'member'))
      .map((r) => ({ ruleId: r.id, key: r.locations[0].key, name: r.locations[0].name, status: 'missing', exposedWhenMissing: missingIsWeak(r, { role, targetOs }), sources: [] })),
    readiness: [],
  });
}

/** What a text may say about a default: "Windows default" only for a primary source's value. */
function sayIt(row: OsDefault): string {
  return row.secondary ? `default ${row.value} as recorded in ${row.secondary} (a secondary source)` : `Windows default ${row.value}`;
}

test('the ladder conditions that fall back to a default are the ones expected, and each has one numeric default per role and target OS', () => {
  assert.deepEqual(
    [...new Set(DEFAULT_VALUE_CONDITIONS.map((x) => x.c.rule))],
    ['smb.client.enable', 'ldap.client.signing', 'ntlm.lmcompat', 'netlogon.sign', 'netlogon.seal', 'netlogon.signorseal', 'netlogon.strongkey'],
  );
  for (const { c } of DEFAULT_VALUE_CONDITIONS) {
    const rule = settingRuleById(c.rule);
    assert.ok(rule, c.rule);
    for (const role of ROLES) for (const targetOs of TARGETS) assert.equal(typeof osDefaultFor(rule, { role, targetOs })?.value, 'number', `${c.rule} ${role}/${targetOs}`);
  }
});

test('posture: a missing setting is judged by the catalog default of its role and target OS, worded with the catalog source (every condition × role × target OS)', () => {
  let secondary = 0;
  for (const role of ROLES) {
    for (const targetOs of TARGETS) {
      const p = nothingConfigured(role, targetOs);
      const scope = p.scopes[0];
      for (const { family, level, c } of DEFAULT_VALUE_CONDITIONS) {
        const what = `${family} L${level.level} ${c.rule} ${role}/${targetOs}`;
        const row = osDefaultFor(settingRuleById(c.rule)!, { role, targetOs })!;
        const out = evalCond(p, scope, c);
        assert.equal(out.text, `${c.rule}: not configured; ${sayIt(row)}`, what);
        assert.equal(out.ok, (c.values ?? []).includes(row.value as number), what);
        if (row.secondary) {
          secondary++;
          assert.doesNotMatch(out.text, /Windows default/, what);
        }
      }
    }
  }
  // netlogon: sign and seal in L2, sign, seal and strongkey in L3, strongkey in L4; for 9 role × target pairs.
  assert.equal(secondary, 6 * 9);
});

test('posture: a level text that quotes a default says it with the catalog confidence (a secondary record is never "the Windows default")', () => {
  for (const { family, level, c } of DEFAULT_VALUE_CONDITIONS) {
    const row = osDefaultFor(settingRuleById(c.rule)!, { role: 'any', targetOs: 'legacy' })!;
    // Only texts that quote a default (netlogon L4 names strongkey without quoting it).
    if (!row.secondary || !/\bdefault\b/.test(level.text)) continue;
    assert.ok(level.text.includes(`as recorded in ${row.secondary}, a secondary source`), `${family} L${level.level}: ${c.rule}'s default is quoted without its secondary source`);
  }
  assert.equal(defaultsNote(['ldap.client.signing']), '1 is the Windows default');
  assert.equal(defaultsNote(['netlogon.sign', 'netlogon.seal']), '1 is the default of both as recorded in the HardeningKitty lists, a secondary source');
  assert.equal(
    defaultsNote(['netlogon.signorseal', 'netlogon.strongkey']),
    '1 is the Windows default of netlogon.signorseal, and the default of netlogon.strongkey as recorded in the HardeningKitty lists, a secondary source',
  );
  assert.throws(() => defaultsNote(['smb.server.require']), /no single numeric OS default/);
  // levels.ts writes no default value itself: no `{ default: n }` policy and no "Windows default" in a literal text.
  const src = fs.readFileSync(path.join(REPO, 'server/src/core/posture/levels.ts'), 'utf8');
  assert.doesNotMatch(src, /\{ default: \d/);
  assert.doesNotMatch(src.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''), /'[^'\n]*Windows default[^'\n]*'/);
});

/** A one-value .reg export. */
function reg(key: string, name: string, value: number): string {
  return `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\${key}]\r\n"${name}"=dword:${value.toString(16).padStart(8, '0')}\r\n`;
}

test('next steps: the text per target OS is rendered from the next rule\'s OS default row (every step × target OS)', () => {
  const steps = settingRules.flatMap((r) => (r.nextSteps ?? []).map((s) => ({ have: r, step: s })));
  assert.deepEqual(
    steps.map((x) => `${x.have.id}=${x.step.value}→${x.step.next}:${Object.keys(messageByTargetOs(x.step) ?? {}).join(',')}`),
    [
      'smb.server.enable=1→smb.server.require:win11-24h2,ws2025',
      'smb.client.enable=1→smb.client.require:win11-24h2,ws2025',
      'smb.server.audit.signing=1→smb.server.require:',
      'ldap.server.signing=2→ldap.server.cbt:ws2025',
    ],
  );
  for (const { have, step } of steps) {
    const next = settingRuleById(step.next)!;
    for (const targetOs of TARGETS) {
      const what = `${have.id} → ${step.next} ${targetOs}`;
      const row = osDefaultFor(next, { role: next.dcOnly ? 'dc' : 'member', targetOs });
      const loc = have.locations[0];
      const found = lint(parseText('x.reg', reg(loc.key, loc.name, step.value), 'utf-8'), { role: 'any', targetOs }).filter((f) => f.ruleId === step.next && f.severity === 'info');
      assert.equal(found.length, 1, what);
      const dc = next.dcOnly ? 'On domain controllers: ' : '';
      const message = found[0].message.startsWith(dc) ? found[0].message.slice(dc.length) : found[0].message;
      if (row?.says && step.byDefault) {
        assert.ok(message.startsWith(`${step.byDefault.lead} ${row.says}`), `${what}: ${message}`);
        assert.ok(message.endsWith((row.exposed ? step.byDefault.whenExposed : step.byDefault.whenSecure) ?? '\0'), what);
        // A default that leaves machines exposed is never told as protecting them, and the other way round.
        assert.equal(/keeps it so where that default was changed/.test(message), !row.exposed, what);
      } else {
        assert.equal(message, step.message, what);
      }
    }
  }
  // No entry writes a per-OS text itself.
  for (const f of fs.readdirSync(path.join(REPO, 'server/src/core/catalog'))) {
    if (f === 'types.ts' || f === 'index.ts') continue;
    assert.doesNotMatch(fs.readFileSync(path.join(REPO, 'server/src/core/catalog', f), 'utf8'), /messageByTargetOs\s*:/, `${f} writes messageByTargetOs by hand`);
    assert.doesNotMatch(fs.readFileSync(path.join(REPO, 'server/src/core/catalog', f), 'utf8'), /missingIsWeak/, `${f} writes missingIsWeak by hand`);
  }
});

test('the derived texts are rendered by accessors: loading the catalog writes nothing onto its entries', () => {
  for (const r of settingRules) {
    assert.ok(!Object.hasOwn(r, 'events'), `${r.id}: an events text written onto the entry`);
    assert.ok(!('missingIsWeak' in r), `${r.id}: missingIsWeak written onto the entry (or its prototype)`);
    // Derived from the entry's OS default rows, per role and target OS, the same answer each time it is asked.
    for (const role of ROLES) {
      for (const targetOs of TARGETS) {
        const exposed = osDefaultFor(r, { role, targetOs })?.exposed ?? false;
        assert.equal(missingIsWeak(r, { role, targetOs }), exposed, `${r.id} ${role}/${targetOs}`);
        assert.equal(missingIsWeak(r, { role, targetOs }), exposed, `${r.id} ${role}/${targetOs}, asked again`);
      }
    }
    for (const step of r.nextSteps ?? []) assert.ok(!Object.hasOwn(step, 'messageByTargetOs'), `${r.id}: a per-OS text written onto its next step`);
    // Rendered once: the same object each time it is asked for.
    for (const step of r.nextSteps ?? []) assert.equal(messageByTargetOs(step), messageByTargetOs(step));
  }
  assert.ok(!Object.hasOwn(settingRuleById('ldap.server.signing')!, 'events'));
  assert.deepEqual(Object.keys(messageByTargetOs(settingRuleById('ldap.server.signing')!.nextSteps![0]) ?? {}), ['ws2025']);
});

test('events: one table holds what each event means; the rule texts and the event-log reader both take it from there', () => {
  const key = (log: string, id: number) => `${log.toLowerCase()}|${id}`;
  const named = new Set<string>();
  for (const r of settingRules) {
    // Every event the readiness judge reads for a rule is among the events its text names.
    const watched = new Set((r.watch ?? []).flatMap((w) => w.ids.map((id) => key(w.log, id))));
    for (const e of r.evidence?.events ?? []) for (const id of e.ids) assert.ok(watched.has(key(e.log, id)), `${r.id}: evidence ${e.log} ${id} is not in its watch list`);
    assert.equal(eventsToWatch(r) === undefined, r.watch === undefined, `${r.id}: events text without a watch list, or the reverse`);
    for (const w of r.watch ?? []) {
      for (const id of w.ids) {
        const f = eventFact(w.log, id);
        assert.ok(f, `${r.id}: ${w.log} ${id} is not in the event table`);
        named.add(key(f.log, f.id));
        // The rule text quotes the table's meaning, hedged by its confidence.
        assert.ok(eventsToWatch(r)?.includes(f.meaning), `${r.id}: ${id}'s meaning is not the table's`);
        if (f.confidence === 'V2') assert.match(eventsToWatch(r) ?? '', new RegExp(`${escape(f.meaning)}; meaning from third-party material`), `${r.id} ${id}`);
        if (f.confidence === 'UNVERIFIED') assert.match(eventsToWatch(r) ?? '', new RegExp(`${escape(f.meaning)}; meaning not confirmed`), `${r.id} ${id}`);
      }
    }
  }
  assert.deepEqual(EVENT_FACTS.filter((f) => !named.has(key(f.log, f.id))).map((f) => `${f.log} ${f.id}`), [], 'events in the table that no rule names');
  // rulesWatching answers the same from the event's side, whatever the case of the log.
  for (const f of EVENT_FACTS) {
    const by = settingRules.filter((r) => (r.watch ?? []).some((w) => key(w.log, 0) === key(f.log, 0) && w.ids.includes(f.id))).map((r) => r.id);
    assert.deepEqual(rulesWatching(f.log.toUpperCase(), f.id), by, `${f.log} ${f.id}`);
  }
  assert.deepEqual(rulesWatching('Security', 5168), ['smb.server.spn']);
  assert.deepEqual(rulesWatching('Security', 1), []);
  // Every event names where its facts come from: a fact-base tag, or the page the fact base cites untagged.
  assert.deepEqual(EVENT_FACTS.filter((f) => !f.sources.length && !f.citation?.trim()).map((f) => `${f.log} ${f.id}`), [], 'events without a source');
  for (const f of EVENT_FACTS) for (const t of f.sources) assert.match(t, /^[SE]\d+$/, `${f.log} ${f.id}: source tag ${t}`);
  // The reader's kinds carry the table's facts, not their own.
  for (const k of EVENT_KINDS) {
    const f = eventFact(k.channel, k.id);
    assert.ok(f, k.key);
    assert.deepEqual([k.meaning, k.confidence, k.sources], [f.meaning, f.confidence, [...f.sources]], k.key);
  }
  // No entry writes an events text, and the reader writes no meaning.
  for (const f of fs.readdirSync(path.join(REPO, 'server/src/core/catalog'))) {
    if (f === 'types.ts' || f === 'events.ts') continue;
    assert.doesNotMatch(fs.readFileSync(path.join(REPO, 'server/src/core/catalog', f), 'utf8'), /^\s*events\??:\s*['"`A-Z]/m, `${f} writes an events text by hand`);
  }
  const reader = fs.readFileSync(path.join(REPO, 'server/src/core/evidence/events.ts'), 'utf8');
  const rows = reader.slice(reader.indexOf('const KIND_ROWS'), reader.indexOf('export const EVENT_KINDS'));
  assert.ok(rows.length > 1000, 'the reader keeps its rows in KIND_ROWS');
  assert.doesNotMatch(rows, /\b(meaning|confidence|sources):/);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('the synthetic SYSVOL takes the Security Options relaylint knows from the catalog, and its bytes stay as they were', () => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'relaylint-gen-'));
  try {
    const gen = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO, 'scripts', 'gen-sysvol.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });
    const made = gen('--gpos', '20', '--seed', '1', '--out', tree);
    assert.equal(made.status, 0, made.stderr);
    // The hash of the tree the generator wrote before its rows came from the catalog (20 GPOs, seed 1).
    assert.equal(gen('--hash', '--out', tree).stdout.trim(), 'a5d6b9b16a8d84fc0d225058ea946ae6b0ec297bcb9597f5c9a14aa1c4f0c69b');
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
  // No catalog setting's key path or display name is spelled in the generator's Security Options.
  const src = fs.readFileSync(path.join(REPO, 'scripts', 'gen-sysvol.mjs'), 'utf8');
  const secopt = src.slice(src.indexOf('const SECOPT = ['), src.indexOf('const EXTRA_REGVALUES'));
  assert.ok(secopt.length > 1000);
  for (const r of settingRules) {
    if (!r.securityOption) continue;
    assert.ok(!secopt.includes(`'${r.securityOption.name}'`), `${r.id}: display name written in SECOPT`);
    assert.ok(!secopt.includes(`\\\\${r.locations[0].name}\``) && !secopt.includes(`\\\\${r.locations[0].name}'`), `${r.id}: key path written in SECOPT`);
  }
});
