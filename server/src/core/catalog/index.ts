/**
 * The rule catalog: every rule relaylint knows, and lookups by registry value.
 */
import { cleanKey, cleanKeyIsLower, keyId, valueId } from '../keys';
import { renderWatch } from './events';
import type { Hive, Role, TargetOs } from '../types';
import { ldapRules } from './ldap';
import { metaRules } from './meta';
import { netlogonRules } from './netlogon';
import { ntlmRules } from './ntlm';
import { smbRules } from './smb';
import type { JudgeContext, MetaRule, NextStep, OsDefault, Rule, SettingRule, Stage, ValueChoice } from './types';

export * from './types';
export { EVENT_FACTS, EVENT_LOGS, eventFact, type Confidence, type EventFact, type EventLog } from './events';

/** The OS default row that applies to a role and target OS: the first matching row, or undefined. */
export function osDefaultFor(rule: Pick<SettingRule, 'osDefaults'>, ctx: { role: Role; targetOs: TargetOs }): OsDefault | undefined {
  return rule.osDefaults.find((d) => (!d.roles || d.roles.includes(ctx.role)) && (!d.targetOs || d.targetOs.includes(ctx.targetOs)));
}

/** The target OSes the OS default rows tell apart. */
const TARGETS: readonly TargetOs[] = ['legacy', 'win11-24h2', 'ws2025'];

/**
 * A next step's text per target OS, rendered from the `next` rule's OS default rows: for each target
 * whose row (a DC's when `next` is DC-only, else a member's) carries a `says` sentence, `lead`, that
 * sentence, then the tail for the row's `exposed`. Targets without such a row keep `message`.
 */
export function nextStepTexts(step: Pick<NextStep, 'byDefault'>, next: SettingRule): Partial<Record<TargetOs, string>> {
  const out: Partial<Record<TargetOs, string>> = {};
  const t = step.byDefault;
  if (!t) return out;
  for (const targetOs of TARGETS) {
    const row = osDefaultFor(next, { role: next.dcOnly ? 'dc' : 'member', targetOs });
    if (!row?.says) continue;
    const tail = row.exposed ? t.whenExposed : t.whenSecure;
    if (tail === undefined) throw new Error(`${next.id}: the next step has no text for a default that is ${row.exposed ? 'exposed' : 'secure'} (${targetOs})`);
    out[targetOs] = `${t.lead} ${row.says}${tail}`;
  }
  return out;
}

export const settingRules: readonly SettingRule[] = [...smbRules, ...ldapRules, ...ntlmRules, ...netlogonRules];
for (const rule of settingRules) {
  for (const step of rule.nextSteps ?? []) {
    if (!settingRules.some((r) => r.id === step.next)) throw new Error(`${rule.id}: next step ${step.next} is not a catalog rule`);
  }
}

const weakWhenMissing = new WeakMap<SettingRule, Map<string, boolean>>();

/**
 * Whether "not configured anywhere" leaves the machine exposed for this role and target OS: the
 * `exposed` of the entry's OS default row for them (osDefaultFor), false without one. Derived once
 * per rule, role and target OS; nothing is written onto the entry. Used by the set-level coverage
 * and the effective policy, never per file.
 */
export function missingIsWeak(rule: SettingRule, ctx: Pick<JudgeContext, 'role' | 'targetOs'>): boolean {
  let byCtx = weakWhenMissing.get(rule);
  if (!byCtx) weakWhenMissing.set(rule, (byCtx = new Map()));
  const k = `${ctx.role}|${ctx.targetOs}`;
  let weak = byCtx.get(k);
  if (weak === undefined) byCtx.set(k, (weak = osDefaultFor(rule, ctx)?.exposed ?? false));
  return weak;
}

const eventsTexts = new WeakMap<SettingRule, string>();

/**
 * What writing a value does to machines (the catalog's `stage`): the choice's own stage when it has
 * one, else the rule's, else `enforce`. Audit and negotiate stages are the safe ones.
 */
export function stageOf(choice: Pick<ValueChoice, 'stage'> | undefined, rule: Pick<SettingRule, 'stage'>): Stage {
  return choice?.stage ?? rule.stage ?? 'enforce';
}

/** The stage of writing `value` for a rule: its own fix choice for that value, else the rule's stage. */
export function stageOfValue(rule: SettingRule, value: number | string | undefined): Stage {
  return stageOf(rule.fixes.find((c) => c.value === value && (c.target === undefined || c.target === rule.id)), rule);
}

/**
 * The "Events to watch" text of a rule, rendered from its `watch` list, the event table and its
 * `watchNote` (renderWatch, once per rule); undefined when it names no events to watch.
 */
export function eventsToWatch(rule: SettingRule): string | undefined {
  if (!rule.watch) return undefined;
  let text = eventsTexts.get(rule);
  if (text === undefined) eventsTexts.set(rule, (text = renderWatch(rule.watch, rule.watchNote)));
  return text;
}

/** The setting rules whose "Events to watch" list names this event (log matched case-insensitively). */
export function rulesWatching(log: string, id: number): string[] {
  const l = log.toLowerCase();
  return settingRules.filter((r) => r.watch?.some((w) => w.log.toLowerCase() === l && w.ids.includes(id))).map((r) => r.id);
}

const stepTexts = new WeakMap<NextStep, Partial<Record<TargetOs, string>> | null>();

/**
 * A next step's text per target OS where the advice changes, rendered from its `byDefault` and the
 * `next` rule's OS default rows (nextStepTexts, once per step); undefined when no target OS differs.
 */
export function messageByTargetOs(step: NextStep): Partial<Record<TargetOs, string>> | undefined {
  let texts = stepTexts.get(step);
  if (texts === undefined) {
    const next = settingRules.find((r) => r.id === step.next) as SettingRule;
    const all = nextStepTexts(step, next);
    stepTexts.set(step, (texts = Object.keys(all).length ? all : null));
  }
  return texts ?? undefined;
}
export const allRules: readonly Rule[] = [...settingRules, ...metaRules];

const byId = new Map<string, Rule>(allRules.map((r) => [r.id, r]));
/** Lower-cased value names of every rule: a cheap first test before building the full lookup key. */
const knownNames = new Set<string>(settingRules.flatMap((r) => r.locations.map((l) => l.name.toLowerCase())));
/**
 * Length and lower-cased first character of every known name: a test that allocates nothing and
 * settles most unrelated values before `toLowerCase`. Exact for ASCII names: a name whose lower
 * case is an ASCII name has that name's length (the one character whose lower case is longer,
 * U+0130, lower-cases to a non-ASCII pair), and a first character outside ASCII goes to the full test.
 */
const knownShapes = new Set<number>([...knownNames].map((n) => n.length * 128 + n.charCodeAt(0)));
const shapesExact = [...knownNames].every((n) => n.length > 0 && /^[\x00-\x7f]+$/.test(n));
export function mayBeKnownName(name: string): boolean {
  if (!shapesExact) return true;
  const c = name.charCodeAt(0);
  if (!(c < 128)) return true;
  return knownShapes.has(name.length * 128 + (c >= 65 && c <= 90 ? c + 32 : c));
}
const byValue = new Map<string, SettingRule>();
const byKey = new Map<string, SettingRule[]>();
for (const rule of settingRules) {
  for (const loc of rule.locations) {
    byValue.set(valueId(loc.hive, loc.key, loc.name), rule);
    const k = keyId(loc.hive, loc.key);
    const list = byKey.get(k) ?? [];
    if (!list.includes(rule)) list.push(rule);
    byKey.set(k, list);
  }
}

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}

export function settingRuleById(id: string): SettingRule | undefined {
  const r = byId.get(id);
  return r && r.category !== 'meta' ? (r as SettingRule) : undefined;
}

export function metaRuleById(id: string): MetaRule | undefined {
  const r = byId.get(id);
  return r && r.category === 'meta' ? (r as MetaRule) : undefined;
}

/** A value a rule knows: its hive, its key cleaned and lower-cased (ASCII, as every catalog key), its rule. */
interface ValueSite {
  hive: Hive;
  key: string;
  rule: SettingRule;
}
/**
 * The known values by name, each name under its lower case and under the catalog's spelling (the
 * spelling exports use): most lookups find their name without lower-casing it. One site per value,
 * with the rule `byValue` keeps for it (the last one listed).
 */
const sitesByName = new Map<string, ValueSite[]>();
{
  const sites = new Map<string, ValueSite>();
  for (const rule of settingRules) {
    for (const loc of rule.locations) {
      const id = valueId(loc.hive, loc.key, loc.name);
      const site = sites.get(id);
      if (site) site.rule = rule;
      else sites.set(id, { hive: loc.hive, key: cleanKey(loc.key).toLowerCase(), rule });
      const lower = loc.name.toLowerCase();
      const list = sitesByName.get(lower) ?? [];
      if (!site) list.push(sites.get(id)!);
      sitesByName.set(lower, list);
    }
  }
  for (const r of settingRules) for (const l of r.locations) sitesByName.set(l.name, sitesByName.get(l.name.toLowerCase())!);
}
const keysAscii = [...sitesByName.values()].every((list) => list.every((site) => /^[\x00-\x7f]*$/.test(site.key)));

/** The known values with this name (any case); undefined for a name no rule knows. */
function sitesOf(name: string): ValueSite[] | undefined {
  if (!mayBeKnownName(name)) return undefined;
  return sitesByName.get(name) ?? sitesByName.get(name.toLowerCase());
}

/** `byValue.get(valueId(hive, key, name))` among the name's `sites`, making no id string for the values of most exports. */
function lookupIn(sites: readonly ValueSite[], hive: Hive, key: string, name: string): SettingRule | undefined {
  if (!keysAscii) return byValue.get(valueId(hive, key, name));
  for (const site of sites) {
    if (site.hive !== hive) continue;
    const m = cleanKeyIsLower(key, site.key);
    if (m === undefined) return byValue.get(valueId(hive, key, name));
    if (m) return site.rule;
  }
  return undefined;
}

function lookupValue(hive: Hive, key: string, name: string): SettingRule | undefined {
  const sites = sitesOf(name);
  return sites && lookupIn(sites, hive, key, name);
}

/** The rule for one registry value, if relaylint knows it. */
export function ruleForValue(hive: Hive, key: string, name: string): SettingRule | undefined {
  return lookupValue(hive, key, name);
}

const ruleOfSetting = new WeakMap<object, SettingRule | null>();

/** The rule for a parsed setting, looked up once per setting object. */
export function ruleOf(setting: { hive: Hive; key: string; name: string }): SettingRule | undefined {
  // Asked several times per setting (peers, findings, coverage, policy): the cache first.
  let r = ruleOfSetting.get(setting);
  if (r !== undefined) return r ?? undefined;
  // Most values in a GPO are not relay settings: a name test settles them without a cache entry
  // (an entry per value of every open document would hold memory in the editor).
  const sites = sitesOf(setting.name);
  if (!sites) return undefined;
  r = lookupIn(sites, setting.hive, setting.key, setting.name) ?? null;
  ruleOfSetting.set(setting, r);
  return r ?? undefined;
}

/**
 * Whether a parsed value matters to any rule: a value a rule knows (by key and name, whatever its
 * state), a deletion of every value of a key that holds one, or a deletion of a key at or above one.
 * Everything the rules judge comes from such values (see `rulesOfSetting` in judge.ts).
 */
export function isRelayRelevant(s: { hive: Hive; key: string; name: string; state: string; deleteScope?: string }): boolean {
  if (s.state === 'deleted' && s.deleteScope === 'key') return rulesUnderKey(s.hive, s.key).length > 0;
  if (s.state === 'deleted' && s.deleteScope === 'values') return rulesInKey(s.hive, s.key).length > 0;
  return lookupValue(s.hive, s.key, s.name) !== undefined;
}

/** Rules whose value lives directly in this key. */
export function rulesInKey(hive: Hive, key: string): readonly SettingRule[] {
  return byKey.get(keyId(hive, key)) ?? [];
}

/** Rules whose value lives in this key or below it (for whole-key deletes). */
export function rulesUnderKey(hive: Hive, key: string): SettingRule[] {
  const prefix = keyId(hive, key);
  const out: SettingRule[] = [];
  for (const [k, rules] of byKey) {
    if (k === prefix || k.startsWith(prefix + '\\')) for (const r of rules) if (!out.includes(r)) out.push(r);
  }
  return out;
}

/** Where the rule docs are published; the language server passes the bundled folder instead. */
export const DEFAULT_DOCS_BASE = 'https://github.com/relaylint/relaylint/blob/main/docs/rules/';

export function docsUrl(ruleId: string, base: string = DEFAULT_DOCS_BASE): string {
  return `${base}${ruleId}.md`;
}
