/**
 * The effective value of every catalog setting per scope (domain, OU, site), over the policy set
 * and a topology:
 * - Per client-side extension, the first GPO in the scope's precedence list that configures the
 *   value wins (P15); the others are shadowed.
 * - Different extensions writing the same value and disagreeing: `conflict`, every writer listed,
 *   no winner (P17, §1.3: the extension order decides, and the end state is not confirmed).
 * - A winner under a condition (site link, security filtering, WMI filter, GPP item-level
 *   targeting: P10–P12, P18) whose absence would change the result: `conditional`, naming it.
 * - Facts the topology lacks (link order, block inheritance): every possibility is evaluated; if
 *   they disagree the result is `undetermined`, naming the missing fact.
 * - The Domain Controllers OU (and below) is role `dc`: DC-only rules are judged there and left out
 *   of member scopes.
 */
import { settingRules } from '../catalog';
import type { JudgeContext, SettingRule } from '../catalog/types';
import { displayKey } from '../keys';
import { excludedEverywhere } from '../policy/filtering';
import type { Extension, Observation, PolicySet } from '../policy/set';
import { versionGateReason, type Lack, type Topology, type TopologyProblem, type TopoSom } from '../topology';
import type { RegData, TargetOs } from '../types';
import { gpoConditions, gpoList, roleOf, SITE_DOMAIN_ENFORCED, type GpoInfo, type GpoList, type ListEntry, type ScopeRole } from './order';

export type EffectiveStatus = 'hardened' | 'weak' | 'missing' | 'conditional' | 'conflict' | 'undetermined';

export interface Located {
  gpo?: string;
  path: string;
  line?: number;
  offset?: number;
  value?: RegData;
  extension?: Extension;
  /** The value was an RSoP loser on the reported computer. */
  rsop?: boolean;
}

export interface EffectiveEntry {
  ruleId: string;
  key: string;
  name: string;
  status: EffectiveStatus;
  value?: RegData;
  winner?: Located;
  shadowed: Located[];
  /** Conflict: every writer, one per extension. */
  writers?: Located[];
  /** Conditional: the condition of the winner. */
  condition?: string;
  exposedWhenMissing: boolean;
  /** Whether machines of the scope are (or may be) exposed. */
  exposed: boolean;
  why: string;
}

export interface ScopeGpo {
  guid: string;
  name?: string;
  enforced: boolean;
  from: string;
  order?: number;
  conditions?: string[];
  /** Not among the scanned GPOs (its values are unknown). */
  notScanned?: boolean;
}

export interface ScopeResult {
  som: string;
  dn: string;
  kind: TopoSom['kind'];
  role: ScopeRole;
  /** null when the source does not say. */
  blocksInheritance: boolean | null;
  gpos: ScopeGpo[];
  /** Links that do not apply here, and why. */
  dropped?: { guid: string; som: string; reason: string }[];
  notes?: string[];
  effective: EffectiveEntry[];
  /** Computers directly in this OU or domain, when the topology names computers (their effective policy is this scope's). */
  computers?: string[];
  /** Rules whose status is exposed (weak, missing and exposed, conflict, conditional or undetermined with an exposed outcome). */
  exposedRules: number;
}

export interface GpoSummary {
  guid: string;
  name?: string;
  /** null when no input says. */
  computerEnabled: boolean | null;
  links: { som: string; enabled: boolean; enforced: boolean; order: number | null }[];
  filters: { security?: string[]; securityDenied?: string[]; wmi?: string; securityUnknown?: string };
  /** Found among the scanned files. */
  scanned: boolean;
  /** The scanned files of the GPO. */
  files: string[];
  /** LDIF `gPCFunctionalityVersion` when exported (a number when it is one, else the raw text); only 2 is used (P9). */
  functionalityVersion?: number | string;
  /** Why its values apply nowhere, when they do not. */
  appliesNowhere?: string;
  /** RSoP reports that say it did not apply on their computer, and why. */
  rsopNotApplied?: { path: string; reason: string }[];
}

export interface EffectivePolicy {
  gpos: GpoSummary[];
  scopes: ScopeResult[];
  problems: TopologyProblem[];
  lacks: Lack[];
}

export interface EffectiveOptions {
  targetOs: TargetOs;
}

const EXT_LABEL: Record<Extension, string> = { registry: 'Administrative Templates (Registry.pol)', security: 'Security Options (GptTmpl.inf)', gpp: 'GPP Registry', none: 'no extension' };
/** Extensions in the order they run (§1.3): Registry first, then by CSE GUID. */
const EXT_ORDER: Extension[] = ['registry', 'security', 'gpp'];

interface Writer {
  entry: ListEntry;
  obs: Observation;
}

interface Outcome {
  status: EffectiveStatus;
  winner?: Writer;
  writers: Writer[];
  condition?: string;
  exposed: boolean;
  fallback?: Outcome;
}

/**
 * Observations per GPO and rule, per extension: the value that extension writes (last in file
 * order; a policy file before a report of the same GPO). Two-level maps, no string keys: this is
 * looked up for every rule of every scope.
 */
class ObservationIndex {
  private readonly map = new Map<string, Map<string, Map<Extension, Observation>>>();
  private readonly losers = new Map<string, Map<string, Observation[]>>();
  constructor(set: PolicySet) {
    const isReport = (x: Observation) => x.format === 'gpo-report-xml' || x.format === 'rsop-xml';
    for (const [gpo, list] of set.byGpo) {
      if (!gpo) continue;
      for (const o of list) {
        if (o.shadowed) {
          let byRule = this.losers.get(gpo);
          if (!byRule) this.losers.set(gpo, (byRule = new Map()));
          const l = byRule.get(o.ruleId);
          if (l) l.push(o);
          else byRule.set(o.ruleId, [o]);
          continue;
        }
        let byRule = this.map.get(gpo);
        if (!byRule) this.map.set(gpo, (byRule = new Map()));
        let m = byRule.get(o.ruleId);
        if (!m) byRule.set(o.ruleId, (m = new Map()));
        const had = m.get(o.extension);
        if (!had || !isReport(o) || isReport(had)) m.set(o.extension, o);
      }
    }
  }
  get(gpo: string, ruleId: string): Map<Extension, Observation> | undefined {
    return this.map.get(gpo)?.get(ruleId);
  }
  shadowed(gpo: string, ruleId: string): readonly Observation[] {
    return this.losers.get(gpo)?.get(ruleId) ?? [];
  }
}

function located(w: Writer | Observation): Located {
  const o = 'obs' in w ? w.obs : w;
  const l: Located = { path: o.path };
  if (o.gpo) l.gpo = o.gpo;
  if (o.offset !== undefined) l.offset = o.offset;
  else if (o.line !== undefined) l.line = o.line;
  l.value = o.value;
  l.extension = o.extension;
  if (o.shadowed) l.rsop = true;
  return l;
}

function same(a: Observation, b: Observation): boolean {
  return a.status === b.status && JSON.stringify(a.value) === JSON.stringify(b.value);
}

export function computeEffective(set: PolicySet, topo: Topology, options: EffectiveOptions): EffectivePolicy {
  const index = new ObservationIndex(set);
  const gpoInfo = (guid: string): GpoInfo | undefined => {
    const g = set.gpos.get(guid);
    const c = topo.gpcs.get(guid);
    if (!g && !c) return undefined;
    const info: GpoInfo = { inSet: !!g };
    const name = g?.name ?? c?.name;
    if (name) info.name = name;
    const ce = g?.computerEnabled === false || (c?.flags !== undefined && (c.flags & 2) !== 0) ? false : (g?.computerEnabled ?? (c?.flags !== undefined ? true : undefined));
    if (ce !== undefined) info.computerEnabled = ce;
    const wmi = g?.wmiFilter ?? c?.wmiFilter;
    if (wmi) info.wmiFilter = wmi;
    // Security filtering: the GPO's own files (report, Backup.xml), else the topology's nTSecurityDescriptor.
    const tr = g?.applyTrustees ?? c?.applyTrustees;
    const unknown = g?.securityUnknown ?? c?.securityUnknown;
    if (tr) info.applyTrustees = tr;
    else if (unknown) info.securityUnknown = unknown;
    if (c?.functionalityVersion !== undefined) info.functionalityVersion = c.functionalityVersion;
    return info;
  };
  const nameOf = (guid: string | undefined) => (guid ? (gpoInfo(guid)?.name ?? guid) : 'no GPO');
  const problems: TopologyProblem[] = [...topo.problems];

  // Case of canonical paths from reports, for sources that upper-case DNs (SharpHound).
  const hints = new Map<string, string>();
  for (const g of set.gpos.values()) for (const l of g.links ?? []) hints.set(l.som.toLowerCase(), l.som);
  const canonical = (s: TopoSom) => s.canonicalHint ?? hints.get(s.canonical.toLowerCase()) ?? s.canonical;

  // Security filtering that could not be read (a damaged Backup.xml descriptor): fail closed, said once per GPO.
  for (const g of set.gpos.values()) {
    if (g.applyTrustees || !g.securityUnknown) continue;
    // A GPMC backup keeps Backup.xml beside its DomainSysvol folder (§2.10): point at it when a file of the GPO is in one.
    const folder = g.files.map((f) => /^(.*[\\/])DomainSysvol[\\/]/i.exec(f)?.[1]).find((x) => x !== undefined);
    problems.push({
      source: folder !== undefined ? `${folder}Backup.xml` : 'Backup.xml',
      severity: 'error',
      message: `GPO ${g.name ? `"${g.name}" ` : ''}${g.guid}: ${g.securityUnknown}. Its security filtering is unknown, so results it decides are conditional.`,
    });
  }

  // Links pointing to GPOs that were not scanned.
  const reported = new Set<string>();
  for (const s of topo.soms.values()) {
    for (const l of s.links) {
      const g = l.gpo as string;
      if (set.gpos.has(g) || reported.has(g)) continue;
      reported.add(g);
      const name = topo.gpcs.get(g)?.name;
      problems.push({
        source: s.source,
        severity: 'warning',
        message: `${canonical(s)} links the GPO ${g}${name ? ` "${name}"` : ''}, which is not among the scanned files; its values are unknown, so results there may be incomplete.`,
      });
    }
  }

  const scopes: ScopeResult[] = [];
  const soms = [...topo.soms.values()].sort((a, b) => kindRank(a) - kindRank(b) || canonical(a).localeCompare(canonical(b)));
  for (const som of soms) {
    const list = gpoList(topo, som, gpoInfo);
    const role = roleOf(som);
    const ctx: JudgeContext = { role, targetOs: options.targetOs, peers: new Map() };
    const effective: EffectiveEntry[] = [];
    for (const rule of settingRules) {
      if (rule.dcOnly && role === 'member') continue;
      effective.push(evaluateRule(rule, list, ctx, index, nameOf, canonical));
    }
    const result: ScopeResult = {
      som: canonical(som),
      dn: som.dn,
      kind: som.kind,
      role,
      blocksInheritance: som.blocksInheritance ?? null,
      gpos: list.entries.map((e) => {
        const g: ScopeGpo = { guid: e.guid, enforced: e.enforced, from: canonical(e.som) };
        const name = gpoInfo(e.guid)?.name;
        if (name) g.name = name;
        if (e.order !== undefined) g.order = e.order;
        if (e.conditions.length) g.conditions = e.conditions;
        if (!set.gpos.has(e.guid)) g.notScanned = true;
        return g;
      }),
      effective,
      exposedRules: effective.filter((x) => x.exposed).length,
    };
    if (topo.namesComputers && som.kind !== 'site') result.computers = (topo.computers.get(som.key) ?? []).map((c) => c.name).sort((a, b) => a.localeCompare(b));
    if (list.dropped.length) result.dropped = list.dropped;
    if (list.notes.length) {
      result.notes = list.notes;
      for (const n of list.notes) problems.push({ source: som.source, severity: 'warning', message: n });
    }
    scopes.push(result);
  }

  // GPO summaries.
  const guids = new Set<string>([...set.gpos.keys(), ...topo.gpcs.keys()]);
  const linksOf = new Map<string, GpoSummary['links']>();
  for (const s of topo.soms.values()) {
    for (const l of s.links) {
      const list = linksOf.get(l.gpo as string) ?? [];
      list.push({ som: canonical(s), enabled: l.enabled, enforced: l.enforced, order: l.order ?? null });
      linksOf.set(l.gpo as string, list);
      guids.add(l.gpo as string);
    }
  }
  const reportsOnly = topo.kinds.length === 1 && topo.kinds[0] === 'reports';
  // Security filtering no topology source carries may come from every scanned GPO's own files
  // (report trustees, Backup.xml descriptors): then it is not lacking.
  const filteringKnown = set.gpos.size > 0 && [...set.gpos.values()].every((g) => g.applyTrustees);
  const lacks = topo.lacks.filter((l) => !(filteringKnown && l.fact === 'security-filtering'));
  if (reportsOnly) {
    const unknown = [...set.gpos.values()].filter((g) => !g.linksKnown);
    if (unknown.length) {
      lacks.push({
        fact: 'links',
        source: 'GPO reports',
        message: `${unknown.length} scanned GPO${unknown.length === 1 ? ' has' : 's have'} no report, so where ${unknown.length === 1 ? 'it is' : 'they are'} linked is unknown and ${unknown.length === 1 ? 'its' : 'their'} values are in no scope (${unknown
          .slice(0, 5)
          .map((g) => g.name ?? g.guid)
          .join(', ')}${unknown.length > 5 ? ', …' : ''}); give a topology export`,
      });
    }
  }
  const gpos: GpoSummary[] = [];
  for (const guid of [...guids].sort()) {
    const info = gpoInfo(guid);
    const g = set.gpos.get(guid);
    const links = linksOf.get(guid) ?? [];
    const s: GpoSummary = { guid, computerEnabled: info?.computerEnabled ?? null, links, filters: {}, scanned: !!g, files: (g?.files ?? []).filter(Boolean) };
    if (info?.name) s.name = info.name;
    const tr = info?.applyTrustees;
    if (tr) {
      s.filters.security = tr.allow.map((t) => t.name ?? t.sid ?? '?');
      if (tr.deny.length) s.filters.securityDenied = tr.deny.map((t) => t.name ?? t.sid ?? '?');
    } else if (info?.securityUnknown) s.filters.securityUnknown = info.securityUnknown;
    if (info?.wmiFilter) s.filters.wmi = info.wmiFilter;
    const fv = info?.functionalityVersion;
    if (fv !== undefined) s.functionalityVersion = /^\d+$/.test(fv) ? Number(fv) : fv;
    // Reports-only topology: a GPO without a report of its own has unknown links, not no links.
    const linksKnown = reportsOnly ? !!g?.linksKnown : topo.soms.size > 0;
    const why = appliesNowhere(info, links, linksKnown);
    if (why) s.appliesNowhere = why;
    if (g?.rsopNotApplied?.length) s.rsopNotApplied = g.rsopNotApplied;
    gpos.push(s);
  }
  return { gpos, scopes, problems, lacks };
}

/** Why a GPO applies nowhere, given the topology's links; undefined when it applies somewhere (or cannot be told). */
export function appliesNowhere(info: GpoInfo | undefined, links: readonly { enabled: boolean }[], topologyKnown: boolean): string | undefined {
  if (info?.computerEnabled === false) return 'its computer side is disabled (GPO status), so none of its computer settings apply anywhere';
  const gate = versionGateReason(info?.functionalityVersion);
  if (gate) return gate;
  const excluded = excludedEverywhere(info?.applyTrustees);
  if (excluded) return `${excluded}, so its settings apply nowhere`;
  if (!topologyKnown) return undefined;
  if (links.length === 0) return 'no enabled link to it is in the topology, so its settings apply nowhere';
  if (links.every((l) => !l.enabled)) return 'every link to it is disabled, so its settings apply nowhere';
  return undefined;
}

function kindRank(s: TopoSom): number {
  return s.kind === 'site' ? 2 : s.kind === 'domain' ? 0 : 1;
}

const MAX_SCENARIOS = 64;

const keyTexts = new Map<string, string>();
function keyText(rule: SettingRule): string {
  let k = keyTexts.get(rule.id);
  if (k === undefined) keyTexts.set(rule.id, (k = displayKey(rule.locations[0].hive, rule.locations[0].key)));
  return k;
}

function evaluateRule(
  rule: SettingRule,
  list: GpoList,
  ctx: JudgeContext,
  index: ObservationIndex,
  nameOf: (guid: string | undefined) => string,
  canonical: (s: TopoSom) => string,
): EffectiveEntry {
  const loc = rule.locations[0];
  const exposedWhenMissing = rule.missingIsWeak?.(ctx) ?? false;
  const base: Pick<EffectiveEntry, 'ruleId' | 'key' | 'name' | 'exposedWhenMissing'> = {
    ruleId: rule.id,
    key: keyText(rule),
    name: loc.name,
    exposedWhenMissing,
  };

  // Fast path: no GPO of the scope writes the value (most rules in most scopes).
  if (!list.entries.some((e) => index.get(e.guid, rule.id) || index.shadowed(e.guid, rule.id).length)) {
    return { ...base, status: 'missing', shadowed: [], exposed: exposedWhenMissing, why: `No GPO that applies here configures ${rule.displayName}; ${missingText(exposedWhenMissing)}.` };
  }
  // Scenarios for unknown block inheritance: none blocks, or one of the unknown SOMs blocks.
  const cuts: (string | undefined)[] = [undefined, ...list.unknownBlock.map((s) => s.key)];
  const outcomes: { outcome: Outcome; cut?: string; tie: boolean }[] = [];
  let truncated = false;
  for (const cut of cuts) {
    const entries = cut ? list.entries.filter((e) => !e.blockableBy.includes(cut)) : list.entries;
    const picks = pickWriters(entries, rule.id, index, new Set());
    let combos = cartesian(picks.perExt);
    if (combos.length > MAX_SCENARIOS) {
      combos = combos.slice(0, MAX_SCENARIOS);
      truncated = true;
    }
    for (const combo of combos) outcomes.push({ outcome: outcomeOf(combo, entries, rule.id, index, exposedWhenMissing, 0), cut, tie: picks.tie });
  }
  const first = outcomes[0].outcome;
  const shadowed = shadowedOf(list.entries, rule.id, index, first.status === 'conflict' ? first.writers : first.winner ? [first.winner] : []);
  const statuses = new Set(outcomes.map((o) => o.outcome.status));
  if (statuses.size > 1 || truncated) {
    const facts: string[] = [];
    // A SOM whose unknown block changes the set of possible results is named.
    const setOf = (cut: string | undefined) => [...new Set(outcomes.filter((o) => o.cut === cut).map((o) => o.outcome.status))].sort().join();
    const base0 = setOf(undefined);
    const cutSoms = list.unknownBlock.filter((s) => setOf(s.key) !== base0);
    if (cutSoms.length) facts.push(`whether ${cutSoms.map(canonical).join(' or ')} blocks inheritance`);
    if (outcomes.some((o) => o.tie)) {
      const writing = list.entries.filter((e) => e.tieGroup && (index.get(e.guid, rule.id)?.size ?? 0) > 0);
      if (writing.some((e) => e.tieGroup === SITE_DOMAIN_ENFORCED && e.som.kind === 'site') && writing.some((e) => e.tieGroup === SITE_DOMAIN_ENFORCED && e.som.kind === 'domain')) {
        facts.push('whether an enforced site link beats an enforced domain link (presumed, not confirmed: scope-and-evidence.md P5)');
      }
      const tied = [...new Set(writing.filter((e) => e.tieGroup !== SITE_DOMAIN_ENFORCED).map((e) => canonical(e.som)))];
      if (tied.length) facts.push(`the link order in ${tied.join(', ')}`);
    }
    const possible = [...statuses].join(' or ');
    return {
      ...base,
      status: 'undetermined',
      shadowed,
      exposed: outcomes.some((o) => o.outcome.exposed),
      why: `The result is ${possible} depending on ${facts.join(' and ') || 'facts the topology does not carry'}, which the topology input does not carry; give an LDIF or Get-GPInheritance export to decide it.`,
    };
  }
  const o = first;
  const entry: EffectiveEntry = { ...base, status: o.status, shadowed, exposed: outcomes.some((x) => x.outcome.exposed), why: '' };
  const winners = new Set(outcomes.map((x) => x.outcome.winner?.obs));
  if (o.winner) {
    entry.value = o.winner.obs.value;
    entry.winner = located(o.winner);
  }
  if (o.condition) entry.condition = o.condition;
  if (o.status === 'conflict') entry.writers = o.writers.map(located);
  entry.why = whyOf(rule, o, exposedWhenMissing, nameOf, canonical) + (winners.size > 1 ? ' Which of the equal values wins depends on link order the topology does not carry; the status is the same either way.' : '');
  return entry;
}

function cartesian(perExt: Map<Extension, Writer[]>): Map<Extension, Writer>[] {
  let acc: Map<Extension, Writer>[] = [new Map()];
  for (const [ext, ws] of perExt) {
    const next: Map<Extension, Writer>[] = [];
    for (const a of acc) for (const w of ws) next.push(new Map(a).set(ext, w));
    acc = next;
    if (acc.length > MAX_SCENARIOS * 4) break;
  }
  return acc;
}

/** Per extension, the possible winners: the configuring entries of the first (tie) group that configures the rule. */
function pickWriters(entries: readonly ListEntry[], ruleId: string, index: ObservationIndex, excluded: ReadonlySet<string>): { perExt: Map<Extension, Writer[]>; tie: boolean } {
  const perExt = new Map<Extension, Writer[]>();
  let tie = false;
  for (const ext of EXT_ORDER) {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const obs = excluded.size && excluded.has(`${e.guid}|${ext}`) ? undefined : index.get(e.guid, ruleId)?.get(ext);
      if (!obs) continue;
      const ws: Writer[] = [{ entry: e, obs }];
      if (e.tieGroup) {
        for (let j = i + 1; j < entries.length; j++) {
          const f = entries[j];
          if (f.tieGroup !== e.tieGroup) continue;
          const o2 = excluded.size && excluded.has(`${f.guid}|${ext}`) ? undefined : index.get(f.guid, ruleId)?.get(ext);
          if (o2) ws.push({ entry: f, obs: o2 });
        }
        if (ws.length > 1) tie = true;
      }
      perExt.set(ext, ws);
      break;
    }
  }
  return { perExt, tie };
}

function statusOfValue(obs: Observation, exposedWhenMissing: boolean): { status: EffectiveStatus; exposed: boolean } {
  // A deletion leaves the OS default, whether or not the judgement calls it a weakening.
  if (obs.state === 'deleted') return { status: 'missing', exposed: exposedWhenMissing };
  switch (obs.status) {
    case 'hardened':
      return { status: 'hardened', exposed: false };
    case 'weak':
      return { status: 'weak', exposed: true };
    case 'deleted':
      return { status: 'missing', exposed: exposedWhenMissing };
    default:
      return { status: 'undetermined', exposed: true };
  }
}

function outcomeOf(
  combo: Map<Extension, Writer>,
  entries: readonly ListEntry[],
  ruleId: string,
  index: ObservationIndex,
  exposedWhenMissing: boolean,
  depth: number,
  excluded: Set<string> = new Set(),
): Outcome {
  const writers = EXT_ORDER.map((x) => combo.get(x)).filter((w): w is Writer => !!w);
  if (writers.length === 0) return { status: 'missing', writers, exposed: exposedWhenMissing };
  if (writers.some((w) => !same(w.obs, writers[0].obs))) {
    const exposed = writers.some((w) => statusOfValue(w.obs, exposedWhenMissing).exposed);
    return { status: 'conflict', writers, exposed };
  }
  // Agreeing writers: the one of the extension that runs last lands.
  const winner = writers[writers.length - 1];
  const own = statusOfValue(winner.obs, exposedWhenMissing);
  const conds = [...winner.entry.conditions];
  if (winner.obs.state === 'conditional') conds.push(`GPP item-level targeting${winner.obs.condition ? ` (${winner.obs.condition})` : ''}`);
  if (conds.length && depth < 4) {
    // What holds where the condition does not: the same list without this GPO's writer(s).
    const ex = new Set(excluded);
    for (const w of writers) ex.add(`${w.entry.guid}|${w.obs.extension}`);
    const picks = pickWriters(entries, ruleId, index, ex);
    const fallbackCombo = new Map<Extension, Writer>();
    for (const [ext, ws] of picks.perExt) fallbackCombo.set(ext, ws[0]);
    const fallback = outcomeOf(fallbackCombo, entries, ruleId, index, exposedWhenMissing, depth + 1, ex);
    if (fallback.status !== own.status) {
      return { status: 'conditional', winner, writers, condition: conds.join('; '), exposed: own.exposed || fallback.exposed, fallback };
    }
  }
  return { status: own.status, winner, writers, exposed: own.exposed };
}

function shadowedOf(entries: readonly ListEntry[], ruleId: string, index: ObservationIndex, winners: readonly Writer[]): Located[] {
  const out: Located[] = [];
  for (const e of entries) {
    for (const ext of EXT_ORDER) {
      const o = index.get(e.guid, ruleId)?.get(ext);
      if (o && !winners.some((w) => w.obs === o)) out.push(located(o));
    }
    for (const o of index.shadowed(e.guid, ruleId)) out.push(located(o));
  }
  return out;
}

function describe(w: Writer, nameOf: (g: string | undefined) => string, canonical: (s: TopoSom) => string): string {
  const where = `${w.obs.path}${w.obs.line !== undefined ? `:${w.obs.line}` : w.obs.offset !== undefined ? ` @${w.obs.offset}` : ''}`;
  const v = w.obs.state === 'deleted' ? 'deletes it' : `sets ${JSON.stringify(w.obs.value)}`;
  return `GPO "${nameOf(w.entry.guid)}" (linked at ${canonical(w.entry.som)}${w.entry.enforced ? ', enforced' : ''}) ${v} via ${EXT_LABEL[w.obs.extension]} at ${where}`;
}

function missingText(exposedWhenMissing: boolean): string {
  return exposedWhenMissing
    ? 'machines use their OS default, which leaves them exposed for this role and target OS'
    : 'machines use their OS default, which is not exposed for this role and target OS';
}

function whyOf(rule: SettingRule, o: Outcome, exposedWhenMissing: boolean, nameOf: (g: string | undefined) => string, canonical: (s: TopoSom) => string): string {
  switch (o.status) {
    case 'missing':
      if (o.winner) return `${describe(o.winner, nameOf, canonical)}; ${missingText(exposedWhenMissing)}.`;
      return `No GPO that applies here configures ${rule.displayName}; ${missingText(exposedWhenMissing)}.`;
    case 'conflict':
      return `${o.writers.map((w) => describe(w, nameOf, canonical)).join('; ')}. Different client-side extensions write the same value and disagree: the extension order, not the link order, decides which lands, so relaylint names no winner.`;
    case 'conditional': {
      const fb = o.fallback;
      const other = fb ? (fb.winner ? `${fb.status} (${describe(fb.winner, nameOf, canonical)})` : fb.status === 'missing' ? `not configured (${missingText(exposedWhenMissing)})` : fb.status) : 'unknown';
      return `${describe(o.winner as Writer, nameOf, canonical)}, which gives ${statusOfValue((o.winner as Writer).obs, exposedWhenMissing).status} only where ${o.condition}; elsewhere the result is ${other}.`;
    }
    case 'undetermined':
      return `${describe(o.winner as Writer, nameOf, canonical)}; relaylint cannot judge this value.`;
    default: {
      return `${describe(o.winner as Writer, nameOf, canonical)} and wins here.`;
    }
  }
}

export { gpoConditions };
