/**
 * Level assignment per control family × scope, the canary headline and the audit-first next steps.
 * Pure and table-driven: everything family-specific is in levels.ts; the texts of settings come from
 * the catalog entries (display names, values, fix titles, event texts).
 */
import { eventsToWatch, osDefaultFor, settingRuleById, stageOfValue } from '../catalog';
import type { RegData } from '../types';
import { ALL_SCOPE, readinessStatusText, type Loc, type PostureInput, type PostureScope, type ReadinessClientJson, type ReadinessJson, type RuleState } from './input';
import { FAMILIES, LEVEL_NAMES, ROLLOUT_ORDER, topLevel, type Condition, type FamilyDef, type FamilyId, type LevelDef, type RuleCondition } from './levels';

/** The outcome of one condition in one scope. */
export interface CondOutcome {
  ok: boolean;
  /** Rule conditions: the rule and the scope it was judged in (the DCs' scope for `on: 'dc'`). */
  rule?: string;
  judgedIn?: string;
  state?: RuleState;
  /** Human text: what was found ("smb.server.require = 1", "not configured; Windows default 1"). */
  text: string;
  /** Why the outcome is uncertain (conditional, conflict, undetermined, DC scope unknown, evidence missing). */
  uncertain?: string;
  /** Evidence conditions: the readiness entries consulted. */
  readiness?: ReadinessJson[];
  kind: 'rule' | 'evidence' | 'any';
  /** For `anyOf`: the alternatives. */
  alternatives?: CondOutcome[];
  cond: Condition;
}

export interface Cell {
  family: FamilyId;
  level: number;
  name: string;
  /** Outcomes of the reached level's conditions (why this level). */
  reached: CondOutcome[];
  /** The next defined level and the conditions it still misses (why not higher). */
  next?: { level: number; name: string; missing: CondOutcome[] };
  /** The level stops below L4 only because event-log evidence is missing. */
  evidenceMissing: boolean;
  /** Clients that would fail if the next enforcement step were taken now (from readiness). */
  clients: ReadinessClientJson[];
  /** Readiness entries of the family's gate rules in this scope. */
  readiness: ReadinessJson[];
  /** The state of every rule of the family in this scope (DC-only rules from the DCs' scope). */
  states: Map<string, RuleState>;
}

export interface ScopePosture {
  scope: PostureScope;
  cells: Cell[];
  headline: string;
}

export interface Step {
  order: number;
  family: FamilyId;
  kind: 'audit' | 'negotiate' | 'watch' | 'fix-clients' | 'require';
  applicability: 'safe' | 'unsafe';
  title: string;
  /** The fix text (GPO setting and value). */
  fix: string;
  /** Where to make the change, and for which scopes: one target per GPO (or place). */
  targets: StepTarget[];
}

export interface StepTarget {
  /** Where to make the change. */
  where: string;
  /** Lines to change (the deciding or weak lines). */
  lines: Loc[];
  scopes: string[];
}

export interface Posture {
  input: PostureInput;
  scopes: ScopePosture[];
  steps: Step[];
}

function valueText(v: RegData | undefined): string {
  if (v === undefined) return '?';
  if (v === null) return 'deleted';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

function ruleLabel(ruleId: string): string {
  return ruleId;
}

function dcScopeOf(p: PostureInput, scope: PostureScope): PostureScope | undefined {
  if (scope.role === 'dc' || scope.role === 'any') return scope;
  const dcs = p.scopes.filter((s) => s.role === 'dc');
  return dcs.find((s) => /\/domain controllers$/i.test(s.id)) ?? dcs[0];
}

/**
 * The readiness entries of these rules for this scope. Per-scope readiness judges DC-only rules
 * only in the domain controllers' scope; a member scope then reads them there, as rule conditions
 * with `on: 'dc'` do.
 */
function readinessFor(p: PostureInput, scope: PostureScope, rules: readonly string[]): ReadinessJson[] {
  const out: ReadinessJson[] = [];
  for (const rule of rules) {
    const own = p.readiness.filter((r) => r.ruleId === rule && (r.scope === undefined || r.scope === scope.id || scope.id === ALL_SCOPE));
    if (own.length) {
      out.push(...own);
      continue;
    }
    const dc = dcScopeOf(p, scope);
    if (dc && dc !== scope) out.push(...p.readiness.filter((r) => r.ruleId === rule && r.scope === dc.id));
  }
  return out;
}

function testValue(c: RuleCondition, v: RegData): boolean {
  if (typeof v !== 'number') return false;
  return c.values ? c.values.includes(v) : false;
}

function evalRule(p: PostureInput, scope: PostureScope, c: RuleCondition): CondOutcome {
  const where = c.on === 'dc' ? dcScopeOf(p, scope) : scope;
  const base = { kind: 'rule' as const, rule: c.rule, cond: c };
  if (!where) {
    return { ...base, ok: false, text: `${ruleLabel(c.rule)}: decided on domain controllers, and no domain controllers' scope is in the input`, uncertain: 'no DC scope' };
  }
  const judgedIn = where.id;
  const st = where.rules.get(c.rule);
  const viaDc = where !== scope ? ` (in ${where.label})` : '';
  if (!st) {
    return { ...base, judgedIn, ok: false, text: `${ruleLabel(c.rule)}: not judged for this scope's role${viaDc}` };
  }
  const out = { ...base, judgedIn, state: st };
  if (st.status === 'conditional' || st.status === 'conflict' || st.status === 'undetermined') {
    return { ...out, ok: false, text: `${ruleLabel(c.rule)}: ${st.status}${viaDc}${st.why ? `: ${st.why}` : ''}`, uncertain: st.status };
  }
  if (st.status === 'missing') {
    if (c.missing === 'fail') return { ...out, ok: false, text: `${ruleLabel(c.rule)}: not configured${viaDc}` };
    if (c.missing === 'os-default') {
      return st.exposedWhenMissing
        ? { ...out, ok: false, text: `${ruleLabel(c.rule)}: not configured, and the Windows default leaves machines exposed for this role and target OS${viaDc}` }
        : { ...out, ok: true, text: `${ruleLabel(c.rule)}: not configured; the Windows default is secure for this role and target OS${viaDc}` };
    }
    // 'default-value': the catalog's OS default for the role and target OS of the scope it is judged in.
    const rule = settingRuleById(c.rule);
    const d = rule ? osDefaultFor(rule, { role: where.role, targetOs: p.targetOs }) : undefined;
    if (typeof d?.value !== 'number') return { ...out, ok: false, text: `${ruleLabel(c.rule)}: not configured, and the catalog records no default value for this role and target OS${viaDc}` };
    const ok = c.hardened ? false : testValue(c, d.value);
    const said = d.secondary ? `default ${d.value} as recorded in ${d.secondary} (a secondary source)` : `Windows default ${d.value}`;
    return { ...out, ok, text: `${ruleLabel(c.rule)}: not configured; ${said}${viaDc}` };
  }
  // Configured (hardened, weak or mixed).
  if (c.hardened) {
    const ok = st.status === 'hardened';
    return { ...out, ok, text: `${ruleLabel(c.rule)} = ${st.values.map(valueText).join(' / ') || '?'} (${st.status})${viaDc}` };
  }
  const values = st.values;
  let ok = values.length > 0 && values.every((v) => (v === null ? false : testValue(c, v)));
  let uncertain: string | undefined;
  if (ok && !st.complete && st.status !== 'hardened') {
    ok = false;
    uncertain = 'more sources than listed';
  }
  const distinct = [...new Set(values.map(valueText))];
  const r: CondOutcome = { ...out, ok, text: `${ruleLabel(c.rule)} = ${distinct.join(' / ') || '?'}${st.status === 'mixed' ? ' (GPOs disagree)' : ''}${viaDc}` };
  if (uncertain) r.uncertain = uncertain;
  return r;
}

/** The outcome of one condition in one scope (exported for the table tests of the catalog-derived texts). */
export function evalCond(p: PostureInput, scope: PostureScope, c: Condition): CondOutcome {
  if ('anyOf' in c) {
    const alts = c.anyOf.map((a) => evalCond(p, scope, a));
    const hit = alts.find((a) => a.ok);
    return {
      kind: 'any',
      cond: c,
      ok: !!hit,
      alternatives: alts,
      text: hit ? hit.text : `none of: ${alts.map((a) => a.text).join('; ')}`,
    };
  }
  if ('evidence' in c) {
    const rs = readinessFor(p, scope, c.evidence);
    if (rs.length === 0) {
      return { kind: 'evidence', cond: c, ok: false, readiness: rs, text: `no event-log evidence for ${c.evidence.join(', ')}`, uncertain: 'no evidence' };
    }
    if (c.need === 'audit-on') {
      const on = rs.filter((r) => r.status !== 'audit-off' && r.status !== 'no-evidence');
      return { kind: 'evidence', cond: c, ok: on.length > 0, readiness: rs, text: on.length > 0 ? `event logs show the audit for ${c.evidence.join(', ')}` : `event logs: ${rs.map((r) => `${r.ruleId} ${r.status}`).join(', ')}` };
    }
    // Ready only as far as the logs read show (an event log could not be read in full): not proof.
    const ok = rs.every((r) => r.status === 'ready' && !r.unread?.length);
    const failing = rs.reduce((n, r) => n + (r.status === 'blocked' ? (r.clients?.length ?? 0) : 0), 0);
    const text = ok
      ? `event logs: no failing client (${rs.map((r) => r.ruleId).join(', ')} ready)`
      : `event logs: ${rs.map((r) => `${r.ruleId} ${readinessStatusText(r)}${r.status === 'blocked' ? ` (${r.clients?.length ?? 0} clients)` : ''}`).join(', ')}`;
    const out: CondOutcome = { kind: 'evidence', cond: c, ok, readiness: rs, text };
    if (!ok && failing === 0) out.uncertain = rs.map(readinessStatusText).join(', ');
    return out;
  }
  return evalRule(p, scope, c);
}

/** Assigns the level of one family in one scope: the highest defined level whose conditions all hold. */
export function assessCell(p: PostureInput, scope: PostureScope, f: FamilyDef): Cell {
  const outcomes = new Map<LevelDef, CondOutcome[]>();
  for (const l of f.levels) if (l.requires) outcomes.set(l, l.requires.map((c) => evalCond(p, scope, c)));
  let reached = f.levels[0];
  for (const l of f.levels) {
    const o = outcomes.get(l);
    if (o && o.every((x) => x.ok) && l.level > reached.level) reached = l;
  }
  const nextDef = f.levels.find((l) => l.requires && l.level > reached.level);
  const readiness = readinessFor(p, scope, f.gate);
  const clients = readiness.flatMap((r) => (r.status === 'blocked' ? (r.clients ?? []) : []));
  const states = new Map<string, RuleState>();
  const dc = dcScopeOf(p, scope);
  for (const id of f.rules) {
    const st = scope.rules.get(id) ?? dc?.rules.get(id);
    if (st) states.set(id, st);
  }
  const cell: Cell = {
    states,
    family: f.id,
    level: reached.level,
    name: reached.name,
    reached: outcomes.get(reached) ?? [],
    evidenceMissing: false,
    clients,
    readiness,
  };
  if (nextDef) {
    const missing = (outcomes.get(nextDef) ?? []).filter((x) => !x.ok);
    cell.next = { level: nextDef.level, name: nextDef.name, missing };
    cell.evidenceMissing = nextDef.level >= 4 && missing.length > 0 && missing.every((m) => m.kind === 'evidence' && m.uncertain === 'no evidence');
  }
  return cell;
}

/** One sentence per scope: where SMB signing stands and what should come next or wait. */
export function canaryHeadline(scope: PostureScope, cells: readonly Cell[]): string {
  const by = new Map(cells.map((c) => [c.family, c]));
  const smb = by.get('smb-signing');
  const lvl = smb?.level ?? 0;
  const where = scope.id === ALL_SCOPE ? 'Across the scanned GPOs' : `In ${scope.label}`;
  const order: { id: FamilyId; title: string; done: number }[] = [
    { id: 'ldap-signing', title: 'LDAP signing', done: 3 },
    { id: 'ldap-cbt', title: 'LDAP channel binding', done: 3 },
    { id: 'ntlm', title: 'NTLM restriction', done: 5 },
  ];
  const pending = order.filter((o) => (by.get(o.id)?.level ?? 0) < o.done);
  if (lvl < 3) {
    const stage = lvl === 0 ? 'neither required nor audited' : `only ${LEVEL_NAMES[lvl].toLowerCase()} (L${lvl})`;
    const first = lvl === 0 ? 'turn on the SMB signing audit first' : 'fix the clients the audit names and require SMB signing first';
    return `${where}, SMB signing is ${stage}: ${pending.length ? pending.map((o) => o.title).join(', ') + ' should wait' : 'the later stages are in place, but the canary is not'}; ${first}.`;
  }
  const state = lvl >= 4 ? 'required everywhere with no failing client (L4)' : 'required on servers and domain controllers (L3)';
  if (pending.length === 0) return `${where}, SMB signing is ${state}, and LDAP signing, channel binding and NTLM restriction are in place too.`;
  return `${where}, SMB signing is ${state}: ${pending[0].title} should come next${pending.length > 1 ? `, then ${pending.slice(1).map((o) => o.title).join(', ')}` : ''}.`;
}

function describeLoc(l: Loc): string {
  const at = l.line !== undefined ? `:${l.line}` : l.offset !== undefined ? ` @${l.offset}` : '';
  return `${l.gpo ? `GPO "${l.gpo}", ` : ''}${l.path}${at}`;
}

/** Where to change a rule in a scope: its deciding GPO, else the scope's highest-precedence GPO. */
function whereFor(scope: PostureScope, state: RuleState | undefined, weakOnly = false): { where: string; lines: Loc[] } {
  const all = state?.deciders ?? [];
  // For an enforcing step, the lines to change are the ones not yet at the secure value.
  const weak = all.filter((l) => l.status !== 'hardened');
  const lines = weakOnly && weak.length ? weak : all;
  const named = [...new Set(lines.map((l) => l.gpo).filter((g): g is string => !!g))];
  if (named.length) return { where: named.length === 1 ? `GPO "${named[0]}"` : `GPOs ${named.map((n) => `"${n}"`).join(', ')}`, lines };
  if (scope.kind === 'files' && lines.length) return { where: `the GPO that holds ${lines.length > 1 ? 'these lines' : 'this line'}`, lines };
  // Without topology the scanned GPOs have no precedence order, so no GPO is singled out.
  if (scope.kind !== 'files' && scope.gpos.length) return { where: `GPO "${scope.gpos[0]}" (highest precedence in ${scope.label}) or a new GPO linked there`, lines };
  return { where: scope.id === ALL_SCOPE ? 'a GPO that applies to every machine in scope' : `a GPO linked to ${scope.label}`, lines };
}

function ruleConds(c: Condition): RuleCondition[] {
  if ('anyOf' in c) return c.anyOf.flatMap(ruleConds).slice(0, 1);
  if ('evidence' in c) return [];
  return [c];
}

function settingFix(ruleId: string, value: number | undefined): string {
  const rule = settingRuleById(ruleId);
  if (!rule) return `${ruleId} = ${value ?? '?'}`;
  const v = value ?? (typeof rule.fixes[0]?.value === 'number' ? (rule.fixes[0].value as number) : undefined);
  const meaning = v !== undefined ? rule.values[v] : undefined;
  const valueName = rule.locations[0].name;
  return `Set "${rule.displayName}" (${rule.gpoPath}) to ${v ?? rule.secure}${meaning ? ` (${meaning.split(':')[0]})` : ''}: ${valueName} = ${v ?? rule.secure}`;
}

/** The ordered audit-first plan: per family in rollout order, audit, negotiate, watch, fix clients, require. Identical steps are merged across scopes. */
export function nextSteps(p: PostureInput, scopes: readonly ScopePosture[], window = '30 days'): Step[] {
  const merged = new Map<string, Step>();
  const targets = new Map<Step, Map<string, StepTarget>>();
  const add = (s: Omit<Step, 'order' | 'targets'> & { where: string; lines: Loc[] }, scope: PostureScope, rank: number) => {
    const key = `${rank}|${s.family}|${s.kind}|${s.title}|${s.fix}`;
    let st = merged.get(key);
    if (!st) {
      st = { order: rank, family: s.family, kind: s.kind, applicability: s.applicability, title: s.title, fix: s.fix, targets: [] };
      merged.set(key, st);
      targets.set(st, new Map());
    }
    const byWhere = targets.get(st) as Map<string, StepTarget>;
    let t = byWhere.get(s.where);
    if (!t) {
      t = { where: s.where, lines: [], scopes: [] };
      byWhere.set(s.where, t);
      st.targets.push(t);
    }
    for (const l of s.lines) if (!t.lines.some((x) => x.path === l.path && x.line === l.line && x.offset === l.offset)) t.lines.push(l);
    if (t.scopes[t.scopes.length - 1] !== scope.label && !t.scopes.includes(scope.label)) t.scopes.push(scope.label);
  };
  for (const sp of scopes) {
    const cells = new Map(sp.cells.map((c) => [c.family, c]));
    ROLLOUT_ORDER.forEach((fid, fi) => {
      const cell = cells.get(fid);
      const f = FAMILIES.find((x) => x.id === fid);
      if (!cell || !f || !cell.next) return;
      const base = fi * 10;
      const scopeOf = (o: CondOutcome) => (o.judgedIn ? (p.scopes.find((s) => s.id === o.judgedIn) ?? sp.scope) : sp.scope);
      // 1. Audit switch (safe), whatever the next level is, unless the level is already past L3.
      const audit = f.levels.find((l) => l.level === 1);
      if (audit?.requires && cell.level < 4) {
        for (const c of audit.requires) {
          const o = evalCond(p, sp.scope, c);
          if (o.ok) continue;
          for (const rc of ruleConds(c)) {
            const target = scopeOf({ ...o, judgedIn: rc.on === 'dc' ? dcScopeOf(p, sp.scope)?.id : sp.scope.id });
            const w = whereFor(target, target.rules.get(rc.rule));
            add({ family: fid, kind: 'audit', applicability: 'safe', title: `Turn on the audit: ${settingRuleById(rc.rule)?.displayName ?? rc.rule}`, fix: settingFix(rc.rule, rc.values?.[0]), where: w.where, lines: w.lines }, target, base + 1);
          }
          if ('evidence' in c) {
            add(
              {
                family: fid,
                kind: 'audit',
                applicability: 'safe',
                title: `Turn on the per-client events for ${f.title}`,
                fix: 'Set "16 LDAP Interface Events" = 2 (REG_DWORD) under HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics on every domain controller (no restart needed; set it back to 0 after the audit window, as it logs one event per bind)',
                where: 'each domain controller (registry or a GPP registry item)',
                lines: [],
              },
              dcScopeOf(p, sp.scope) ?? sp.scope,
              base + 1,
            );
          }
        }
      }
      const outcomesOf = (lvl: number): CondOutcome[] | undefined => {
        const d = f.levels.find((l) => l.level === lvl);
        return d?.requires ? d.requires.map((c) => evalCond(p, sp.scope, c)) : undefined;
      };
      // 2 and 4. What the plan writes: level 2's conditions when the scope is below it, then those of
      // the level it leads to (L3 below it, otherwise the next level). Each goes by what its value
      // does (the catalog's stage): an audit or negotiate value is a safe step now; any other value
      // enforces and waits for the events with the requires (NTLM's level 2 already enforces: NTLMv2
      // only and session security).
      const neg = cell.level < 2 ? (outcomesOf(2) ?? []).filter((x) => !x.ok) : [];
      const targetLevel = cell.level < 3 ? 3 : cell.next.level;
      const missing = (outcomesOf(targetLevel) ?? []).filter((x) => !x.ok);
      const requires: { rule: string; target: PostureScope; value: number | undefined }[] = [];
      for (const [outcomes, least] of [
        [neg, true],
        [missing, false],
      ] as const) {
        for (const o of outcomes) {
          for (const rc of ruleConds(o.cond)) {
            const rule = settingRuleById(rc.rule);
            const target = scopeOf(o);
            // Level 2 writes the least value that reaches it (NTLMv2 only: 3), a target level its strictest.
            const preferred = rule?.fixes.find((x) => x.preferred)?.value;
            const chosen = rc.values ? rc.values[least ? 0 : rc.values.length - 1] : least ? undefined : typeof preferred === 'number' ? preferred : undefined;
            const written = chosen ?? rule?.fixes[0]?.value;
            const stage = rule ? stageOfValue(rule, written) : 'enforce';
            if (stage === 'audit' || stage === 'negotiate') {
              const w = whereFor(target, target.rules.get(rc.rule));
              add({ family: fid, kind: 'negotiate', applicability: 'safe', title: `Negotiate first: ${rule?.displayName ?? rc.rule}`, fix: settingFix(rc.rule, chosen), where: w.where, lines: w.lines }, target, base + 2);
            } else requires.push({ rule: rc.rule, target, value: chosen });
          }
        }
      }
      if (requires.length === 0 && !missing.some((o) => o.kind === 'evidence')) return;
      // 3. Watch the events for the readiness window, then fix the clients named.
      const gate = settingRuleById(f.gate[0]);
      const events = gate && eventsToWatch(gate);
      if (events) {
        add({ family: fid, kind: 'watch', applicability: 'safe', title: `Watch the events for at least ${window}`, fix: events, where: 'the event logs of the servers and domain controllers in scope', lines: [] }, sp.scope, base + 3);
      }
      if (cell.clients.length > 0) {
        add(
          {
            family: fid,
            kind: 'fix-clients',
            applicability: 'safe',
            title: `Fix or replace the ${cell.clients.length} client(s) that would fail`,
            fix: cell.clients.slice(0, 20).map((c) => [c.host, c.address, c.account].filter(Boolean).join(' ')).join('; ') + (cell.clients.length > 20 ? `; and ${cell.clients.length - 20} more` : ''),
            where: 'the clients named in the event logs',
            lines: [],
          },
          sp.scope,
          base + 4,
        );
      }
      // 4. Require (unsafe: it enforces).
      for (const { rule, target, value } of requires) {
        const w = whereFor(target, target.rules.get(rule), true);
        add(
          {
            family: fid,
            kind: 'require',
            applicability: 'unsafe',
            title: `Then require: ${settingRuleById(rule)?.displayName ?? rule}`,
            fix: settingFix(rule, value),
            where: w.where,
            lines: w.lines,
          },
          target,
          base + 5,
        );
      }
    });
  }
  return [...merged.values()].sort((a, b) => a.order - b.order);
}

export function assess(p: PostureInput, window?: string): Posture {
  const scopes: ScopePosture[] = p.scopes.map((scope) => {
    const cells = FAMILIES.map((f) => assessCell(p, scope, f));
    return { scope, cells, headline: canaryHeadline(scope, cells) };
  });
  return { input: p, scopes, steps: nextSteps(p, scopes, window) };
}

export { describeLoc, topLevel, valueText };
