/**
 * The effective value of every catalog setting per scope (domain, OU, site), over the policy set
 * and a topology:
 * - Per client-side extension, the first GPO in the scope's precedence list that configures the
 *   value wins (P15); the others are shadowed.
 * - Different extensions writing the same value and disagreeing: `conflict`, every writer listed,
 *   no winner (P17, §1.3: the extension order decides, and the end state is not confirmed).
 * - A writer under a condition (site link, security filtering, WMI filter, GPP item-level
 *   targeting: P10–P12, P18) whose absence would change the result: `conditional`, naming it. Every
 *   writer is checked, the one that lands and those of the other extensions; a conflict that holds
 *   only under a condition is `conditional` too, its writers listed and no winner named.
 * - Facts the topology lacks (link order, block inheritance): every possibility is evaluated; if
 *   they disagree the result is `undetermined`, naming the missing fact.
 * - The Domain Controllers OU (and below) is role `dc`: DC-only rules are judged there and left out
 *   of member scopes.
 */
import { missingIsWeak, settingRules } from '../catalog';
import { compareKeyed, compareText, keyedText } from '../collate';
import type { JudgeContext, SettingRule } from '../catalog/types';
import { displayKey } from '../keys';
import { appliesNowhereReason } from '../policy/nowhere';
import type { Extension, ObservationStore, ObsRef, PolicySet } from '../policy/set';
import { linkUse, type Lack, type Topology, type TopologyProblem, type TopoSom } from '../topology';
import type { RegData, TargetOs } from '../types';
import { gpoConditions, gpoList, nowhereFactsOf, roleOf, SITE_DOMAIN_ENFORCED, somChain, type GpoInfo, type GpoList, type ListEntry, type ScopeRole } from './order';

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

/**
 * The effective policy with its scopes computed one at a time, on demand: each call of `scopes()`
 * computes them anew in order, so a writer can stream them (a domain with thousands of OUs holds
 * hundreds of thousands of shadowed values) and keep none. Everything else is known up front:
 * `problems` is complete before the first scope.
 */
export interface EffectiveStream {
  gpos: GpoSummary[];
  problems: TopologyProblem[];
  lacks: Lack[];
  scopeCount: number;
  /**
   * `only`: judge only these rules (by id) in each scope, so `effective` holds their entries alone
   * and `exposedRules` counts among them (the language server's update after an edit that changed
   * the values of a few rules: every other rule's entries are what they were).
   */
  scopes(only?: ReadonlySet<string>): IterableIterator<ScopeResult>;
  /** What the stream worked out from the topology and the GPOs' facts alone (see `StreamFrame`). */
  readonly frame: StreamFrame;
}

/**
 * What a stream works out from the topology and the GPOs' facts (names, links, filters, the files
 * of each GPO), never from their values: the GPO summaries, the problems and lacks, the scopes in
 * order and, when kept (`keepLists`), each scope's precedence list. A stream over a set whose files,
 * GPOs and GPO facts are those of the stream it came from, with other values (the language
 * server's edit of a value), takes it over instead of working it out again (`reuse`).
 */
export interface StreamFrame {
  readonly topo: Topology;
  readonly targetOs: TargetOs;
  readonly gpos: GpoSummary[];
  readonly problems: TopologyProblem[];
  readonly lacks: Lack[];
  readonly soms: readonly TopoSom[];
  readonly gpoInfo: (guid: string) => GpoInfo | undefined;
  readonly canonical: (s: TopoSom) => string;
  /** Each scope's list, once computed, when the frame keeps them. */
  readonly lists: Map<TopoSom, GpoList> | undefined;
}

export interface StreamOptions {
  /** The scopes will be kept together: a located value is one object shared by every scope it appears in. */
  share?: boolean;
  /** Keep each scope's precedence list in the frame (the language server, whose edits reuse it). */
  keepLists?: boolean;
  /** The frame of a stream over the same files, GPOs, GPO facts and topology (values may differ). */
  reuse?: StreamFrame;
}

/** What a consumer of the scopes reads: the materialised policy or a stream's pass. */
export interface EffectiveView {
  gpos: GpoSummary[];
  problems: TopologyProblem[];
  lacks: Lack[];
  scopes: Iterable<ScopeResult>;
}

export interface EffectiveOptions {
  targetOs: TargetOs;
}

/** How outputs name each client-side extension (the `why` texts here, the CLI's SARIF writers). */
export const EXTENSION_LABEL: Record<Extension, string> = { registry: 'Administrative Templates (Registry.pol)', security: 'Security Options (GptTmpl.inf)', gpp: 'GPP Registry', none: 'no extension' };
/** Extensions in the order they run (§1.3): Registry first, then by CSE GUID. */
const EXT_ORDER: Extension[] = ['registry', 'security', 'gpp'];

interface Writer {
  entry: ListEntry;
  obs: ObsRef;
}

interface Outcome {
  status: EffectiveStatus;
  winner?: Writer;
  writers: Writer[];
  condition?: string;
  exposed: boolean;
  /** Conditional: what holds where the condition does not. */
  fallback?: Outcome;
  /** Conditional: the writer under the condition, and the status where it applies (winner and writers are this outcome's). */
  by?: Writer;
  heldStatus?: EffectiveStatus;
}

/**
 * The observations of the set as the rules of one scope read them: per GPO and rule, the row each
 * extension writes (the store keeps the last in file order; a policy file before a report of the
 * same GPO) and the RSoP losers. Looked up for every rule of every scope: numbers, no string keys.
 */
class ObservationIndex {
  readonly store: ObservationStore;
  private readonly gids = new Map<string, number>();
  /**
   * Located form of a row, one object shared by every scope it appears in (a value of a GPO linked
   * at the domain is shadowed in every OU below). Bounded, so a huge domain that is streamed does
   * not keep them all.
   */
  private readonly locs: Located[] = [];
  /**
   * Per row, 1 + its index in `locs` (0: not made yet), made on first use: a map by row before,
   * whose lookups and growth were a large part of a scope's own time (bench/README.md, wave 12).
   */
  private locOf: Int32Array | undefined;
  constructor(
    private readonly set: PolicySet,
    private readonly share: boolean,
  ) {
    this.store = set.store;
  }
  gid(guid: string): number {
    let g = this.gids.get(guid);
    if (g === undefined) this.gids.set(guid, (g = this.store.findGpo(guid)));
    return g;
  }
  private ref(e: ListEntry): number {
    // A list kept in a frame serves the streams of several sets: its number is per store.
    if (e.ref === undefined || e.refStore !== this.store) {
      e.ref = this.gid(e.guid);
      e.refStore = this.store;
    }
    return e.ref;
  }
  writes(e: ListEntry, rule: number): boolean {
    const g = this.ref(e);
    return this.store.written(g, rule, 0) >= 0 || this.store.written(g, rule, 1) >= 0 || this.store.written(g, rule, 2) >= 0;
  }
  /** The store group of the entry's GPO and a rule, -1 for none. */
  groupOf(e: ListEntry, rule: number): number {
    return this.store.groupOf(this.ref(e), rule);
  }
  /** Appends `e` to the list of each rule its GPO writes (or has RSoP losers for) in `out`. */
  rulesOf(e: ListEntry, out: Map<number, ListEntry[]>): void {
    this.store.eachRule(this.ref(e), (rule) => {
      const l = out.get(rule);
      if (l) l.push(e);
      else out.set(rule, [e]);
    });
  }
  /**
   * The text of each file path, by the store's path id: a row's path is rebuilt from the store's
   * path table otherwise, and a file holds many rows. Bounded like the located values.
   */
  private readonly paths = new Map<number, string>();
  path(r: ObsRef): string {
    const id = this.store.pathId(r);
    let p = this.paths.get(id);
    if (p === undefined) {
      p = this.set.path(id);
      if (this.share || this.paths.size < 100_000) this.paths.set(id, p);
    }
    return p;
  }
  located(r: ObsRef): Located {
    const at = (this.locOf ??= new Int32Array(this.store.rowCount))[r];
    if (at > 0) return this.locs[at - 1];
    const st = this.store;
    const l: Located = { path: this.path(r) };
    l.gpo = st.gpoOf(r);
    const off = st.offset(r);
    const line = st.line(r);
    if (off !== undefined) l.offset = off;
    else if (line !== undefined) l.line = line;
    l.value = st.value(r);
    l.extension = st.extension(r);
    if (st.shadowed(r)) l.rsop = true;
    if (this.share || this.locs.length < 100_000) (this.locOf as Int32Array)[r] = this.locs.push(l);
    return l;
  }
  /** Drops the located values kept for sharing, unless the scopes are kept together (`share`). */
  forget(): void {
    if (this.share) return;
    this.locs.length = 0;
    this.locOf = undefined;
    this.paths.clear();
  }
  same(a: ObsRef, b: ObsRef): boolean {
    return this.store.status(a) === this.store.status(b) && this.store.sameValue(a, b);
  }
}

export function computeEffective(set: PolicySet, topo: Topology, options: EffectiveOptions): EffectivePolicy {
  const stream = effectiveStream(set, topo, options, { share: true });
  return { gpos: stream.gpos, scopes: [...stream.scopes()], problems: stream.problems, lacks: stream.lacks };
}

/** The effective policy as a stream of scopes (see `EffectiveStream` and `StreamOptions`). */
export function effectiveStream(set: PolicySet, topo: Topology, options: EffectiveOptions, streamOptions: StreamOptions = {}): EffectiveStream {
  const index = new ObservationIndex(set, !!streamOptions.share);
  const reuse = streamOptions.reuse;
  const frame = reuse && reuse.topo === topo && reuse.targetOs === options.targetOs ? reuse : streamFrame(set, topo, options, !!streamOptions.keepLists);
  const { soms, gpoInfo, canonical, lists } = frame;
  const nameOf = (guid: string | undefined) => (guid ? (gpoInfo(guid)?.name ?? guid) : 'no GPO');

  // Rules as the store numbers them, and the "not configured" result per rule and role: the same
  // in every scope no GPO of which writes the rule (most rules in most scopes), so one object.
  const ruleRefs = settingRules.map((r) => index.store.ruleRef(r.id));
  // Per role, by rule index: whether a missing value is exposed there, and the rule's one "not
  // configured" result (made when first needed).
  const byRole = new Map<string, { weak: boolean[]; missing: (EffectiveEntry | undefined)[] }>();
  const forRole = (ctx: JudgeContext) => {
    let r = byRole.get(ctx.role);
    if (!r) byRole.set(ctx.role, (r = { weak: settingRules.map((rule) => missingIsWeak(rule, ctx)), missing: [] }));
    return r;
  };
  const missingEntry = (rule: SettingRule, i: number, perRole: { weak: boolean[]; missing: (EffectiveEntry | undefined)[] }): EffectiveEntry => {
    let e = perRole.missing[i];
    if (!e) {
      const exposedWhenMissing = perRole.weak[i];
      e = entryOf(rule.id, keyText(rule), rule.locations[0].name, exposedWhenMissing, 'missing', [], exposedWhenMissing, `No GPO that applies here configures ${rule.displayName}; ${missingText(exposedWhenMissing)}.`);
      perRole.missing[i] = e;
    }
    return e;
  };

  const listOf = (som: TopoSom): GpoList => {
    let list = lists?.get(som);
    if (!list) {
      list = gpoList(topo, som, gpoInfo);
      lists?.set(som, list);
    }
    return list;
  };

  const scopeOf = (som: TopoSom, only: ReadonlySet<string> | undefined): ScopeResult => {
    const list = listOf(som);
    const role = roleOf(som);
    const ctx: JudgeContext = { role, targetOs: options.targetOs, peers: new Map() };
    // Per rule, the entries whose GPO writes it (or has RSoP losers for it), in list order: a rule
    // is judged over those alone (an entry that does not write the rule changes nothing below), so
    // a scope with dozens of GPOs does not walk all of them for each rule.
    const byRule = new Map<number, ListEntry[]>();
    for (const e of list.entries) index.rulesOf(e, byRule);
    const effective: EffectiveEntry[] = [];
    const perRole = forRole(ctx);
    for (let i = 0; i < settingRules.length; i++) {
      const rule = settingRules[i];
      if (rule.dcOnly && role === 'member') continue;
      if (only && !only.has(rule.id)) continue;
      const ref = ruleRefs[i];
      const writing = ref >= 0 ? byRule.get(ref) : undefined;
      effective.push(writing ? evaluateRule(rule, ref, list, writing, perRole.weak[i], index, nameOf, canonical) : missingEntry(rule, i, perRole));
    }
    // Loops, not map() and filter() with callbacks: this runs once per scope (bench/README.md, wave 16).
    const gpos: ScopeGpo[] = [];
    for (const e of list.entries) gpos.push(scopeGpo(e, gpoInfo(e.guid)?.name, canonical(e.som), !set.gpos.has(e.guid)));
    let exposedRules = 0;
    for (const x of effective) if (x.exposed) exposedRules++;
    const result: ScopeResult = {
      som: canonical(som),
      dn: som.dn,
      kind: som.kind,
      role,
      blocksInheritance: som.blocksInheritance ?? null,
      gpos,
      effective,
      exposedRules,
    };
    if (topo.namesComputers && som.kind !== 'site') {
      const names: string[] = [];
      for (const c of topo.computers.get(som.key) ?? []) names.push(c.name);
      result.computers = names.sort(compareText);
    }
    if (list.dropped.length) result.dropped = list.dropped;
    if (list.notes.length) result.notes = list.notes;
    return result;
  };

  return {
    gpos: frame.gpos,
    problems: frame.problems,
    lacks: frame.lacks,
    scopeCount: soms.length,
    frame,
    *scopes(only?: ReadonlySet<string>) {
      try {
        for (const som of soms) yield scopeOf(som, only);
      } finally {
        // A stream keeps nothing of a pass over its scopes (the language server keeps the stream).
        index.forget();
      }
    },
  };
}

/** A scope's line for one GPO of its precedence list (members in the order JSON writes them, as before). */
function scopeGpo(e: ListEntry, name: string | undefined, from: string, notScanned: boolean): ScopeGpo {
  const g: ScopeGpo = { guid: e.guid, enforced: e.enforced, from };
  if (name) g.name = name;
  if (e.order !== undefined) g.order = e.order;
  if (e.conditions.length) g.conditions = e.conditions;
  if (notScanned) g.notScanned = true;
  return g;
}

/** The frame of a stream (`StreamFrame`): everything it works out from the topology and the GPOs' facts. */
function streamFrame(set: PolicySet, topo: Topology, options: EffectiveOptions, keepLists: boolean): StreamFrame {
  // null: a GPO that is neither in the set nor in the topology (one lookup per call either way).
  const infos = new Map<string, GpoInfo | null>();
  // Read while the frame is made, and let go after: every GPO asked for later is in `infos` or in
  // neither the set nor the topology (a frame that outlives its set must not hold it).
  let facts: PolicySet | undefined = set;
  const gpoInfo = (guid: string): GpoInfo | undefined => {
    const known = infos.get(guid);
    if (known !== undefined) return known ?? undefined;
    if (!facts) return undefined;
    const g = facts.gpos.get(guid);
    const c = topo.gpcs.get(guid);
    let info: GpoInfo | undefined;
    if (g || c) {
      info = { inSet: !!g };
      const name = g?.name ?? c?.name;
      if (name) info.name = name;
      const topoOff = c?.flags !== undefined && (c.flags & 2) !== 0;
      const ce = g?.computerEnabled === false || topoOff ? false : (g?.computerEnabled ?? (c?.flags !== undefined ? true : undefined));
      if (ce !== undefined) info.computerEnabled = ce;
      // The GPO's own files are named before the topology (policy/nowhere.ts).
      if (ce === false) info.computerOff = g?.computerEnabled === false ? (g.computerOff ?? 'report') : 'topology';
      const wmi = g?.wmiFilter ?? c?.wmiFilter;
      if (wmi) info.wmiFilter = wmi;
      // Security filtering: the GPO's own files (report, Backup.xml), else the topology's nTSecurityDescriptor.
      const tr = g?.applyTrustees ?? c?.applyTrustees;
      const unknown = g?.securityUnknown ?? c?.securityUnknown;
      if (tr) {
        info.applyTrustees = tr;
        info.trusteesFrom = g?.applyTrustees ? (g.trusteesFrom ?? 'report') : 'topology';
      } else if (unknown) info.securityUnknown = unknown;
      if (c?.functionalityVersion !== undefined) info.functionalityVersion = c.functionalityVersion;
    }
    infos.set(guid, info ?? null);
    return info;
  };
  const problems: TopologyProblem[] = [...topo.problems];

  // Case of canonical paths from reports, for sources that upper-case DNs (SharpHound).
  const hints = new Map<string, string>();
  for (const g of set.gpos.values()) for (const l of g.links ?? []) hints.set(l.som.toLowerCase(), l.som);
  const canonicals = new Map<TopoSom, string>();
  const canonical = (s: TopoSom) => {
    let c = canonicals.get(s);
    if (c === undefined) canonicals.set(s, (c = s.canonicalHint ?? hints.get(s.canonical.toLowerCase()) ?? s.canonical));
    return c;
  };

  // Security filtering that could not be read (a damaged Backup.xml descriptor): fail closed, said once per GPO.
  for (const g of set.gpos.values()) {
    if (g.applyTrustees || !g.securityUnknown) continue;
    // A GPMC backup keeps Backup.xml beside its DomainSysvol folder (§2.10): point at it when a file of the GPO is in one.
    const folder = set.filesOf(g.guid).map((f) => /^(.*[\\/])DomainSysvol[\\/]/i.exec(f)?.[1]).find((x) => x !== undefined);
    problems.push({
      source: folder !== undefined ? `${folder}Backup.xml` : 'Backup.xml',
      severity: 'error',
      message: `GPO ${g.name ? `"${g.name}" ` : ''}${g.guid}: ${g.securityUnknown}. Its security filtering is unknown, so results it decides are conditional.`,
    });
  }

  // Links pointing to GPOs that were not scanned, or whose container an LDIF export that holds the
  // other containers of its domain lacks (dropped: order.ts).
  const reported = new Set<string>();
  for (const s of topo.soms.values()) {
    for (const l of s.links) {
      const g = l.gpo as string;
      if (l.gpcMissing) {
        const name = gpoInfo(g)?.name;
        problems.push({
          source: s.source,
          severity: 'warning',
          message: `${canonical(s)} links the GPO ${g}${name ? ` "${name}"` : ''}, whose group policy container is not in the LDIF export, which holds other containers of its domain: the GPO was deleted (its SYSVOL folder left behind) or the export is incomplete. The link is dropped (scope-and-evidence.md §1.2, §2.1); if the GPO exists, export its container too.`,
        });
        continue;
      }
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

  // Sorted by kind, then canonical path, each path's collation key made once (not per comparison).
  const soms = [...topo.soms.values()]
    .map((s) => ({ s, rank: kindRank(s), name: keyedText(canonical(s)) }))
    .sort((a, b) => a.rank - b.rank || compareKeyed(a.name, b.name))
    .map((x) => x.s);
  // The chain notes (orphaned OUs) of every scope, up front: `problems` is complete before the first scope.
  for (const som of soms) {
    if (som.kind === 'site') continue;
    const notes: string[] = [];
    somChain(topo, som, notes);
    for (const n of notes) problems.push({ source: som.source, severity: 'warning', message: n });
  }

  // GPO summaries.
  const guids = new Set<string>([...set.gpos.keys(), ...topo.gpcs.keys()]);
  const linksOf = new Map<string, GpoSummary['links']>();
  for (const s of topo.soms.values()) {
    for (const l of s.links) {
      const g = l.gpo as string;
      const list = linksOf.get(g) ?? [];
      list.push({ som: canonical(s), enabled: l.enabled, enforced: l.enforced, order: l.order ?? null });
      linksOf.set(g, list);
      guids.add(g);
    }
  }
  // The links the precedence lists keep (not those dropped for a missing container), as coverage reads them.
  const uses = linkUse(topo);
  const reportsOnly = topo.kinds.length === 1 && topo.kinds[0] === 'reports';
  // Security filtering is lacking unless every GPO known (scanned, or a group policy container of
  // the topology) carries it, from whichever input: its report's trustees, its Backup.xml
  // descriptor or the topology's nTSecurityDescriptor. A descriptor that could not be read counts as
  // carried: it is an error of its own, and the result it decides is conditional.
  const known = new Set<string>([...set.gpos.keys(), ...topo.gpcs.keys()]);
  const filteringKnown = known.size > 0 && [...known].every((guid) => {
    const info = gpoInfo(guid);
    return !!(info?.applyTrustees || info?.securityUnknown);
  });
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
    const s: GpoSummary = { guid, computerEnabled: info?.computerEnabled ?? null, links, filters: {}, scanned: !!g, files: g ? set.filesOf(guid).filter(Boolean) : [] };
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
    const use = uses.get(guid);
    const why = appliesNowhere(info, reportsOnly ? links : (use?.kept ?? []), linksKnown, reportsOnly ? 'report' : 'topology', !!use?.containerMissing);
    if (why) s.appliesNowhere = why;
    if (g?.rsopNotApplied?.length) s.rsopNotApplied = g.rsopNotApplied;
    gpos.push(s);
  }
  facts = undefined;
  return { topo, targetOs: options.targetOs, gpos, problems, lacks, soms, gpoInfo, canonical, lists: keepLists ? new Map() : undefined };
}

/**
 * Why a GPO applies nowhere, given its links (`linksFrom`: the topology's, or the reports' when the
 * topology is built from reports alone; links dropped for a missing container left out, and
 * `containerMissing` when there were such links); undefined when it applies somewhere (or cannot be told).
 */
export function appliesNowhere(info: GpoInfo | undefined, links: readonly { enabled: boolean }[], linksKnown: boolean, linksFrom: 'report' | 'topology' = 'topology', containerMissing = false): string | undefined {
  const facts = nowhereFactsOf(info);
  if (linksKnown) {
    const enabled = links.filter((l) => l.enabled).length;
    facts.links = { from: linksFrom, total: links.length, enabled };
    facts.containerMissing = containerMissing && enabled === 0;
  }
  return appliesNowhereReason(facts)?.why;
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
  ruleRef: number,
  list: GpoList,
  /** The entries of `list` whose GPO writes the rule or has RSoP losers for it, in list order. */
  writing: readonly ListEntry[],
  /** Whether a missing value is exposed for the scope's role and target OS (the catalog's `missingIsWeak`). */
  exposedWhenMissing: boolean,
  index: ObservationIndex,
  nameOf: (guid: string | undefined) => string,
  canonical: (s: TopoSom) => string,
): EffectiveEntry {
  const loc = rule.locations[0];
  const base: Pick<EffectiveEntry, 'ruleId' | 'key' | 'name' | 'exposedWhenMissing'> = {
    ruleId: rule.id,
    key: keyText(rule),
    name: loc.name,
    exposedWhenMissing,
  };

  // The common case: block inheritance known everywhere and no tie, so one scenario.
  if (!list.unknownBlock.length) {
    const picks = pickWriters(writing, ruleRef, index, NONE);
    if (!picks.tie) {
      const o = outcomeOf(firstOfEach(picks.perExt), writing, ruleRef, index, exposedWhenMissing, 0);
      const shadowed = shadowedOf(writing, ruleRef, index, o.winner ? [o.winner] : o.writers);
      return decided(rule, base, o, shadowed, o.exposed, false, exposedWhenMissing, index, nameOf, canonical);
    }
  }
  // Scenarios for unknown block inheritance: none blocks, or one of the unknown SOMs blocks.
  const cuts: (string | undefined)[] = [undefined, ...list.unknownBlock.map((s) => s.key)];
  const outcomes: { outcome: Outcome; cut?: string; tie: boolean }[] = [];
  let truncated = false;
  for (const cut of cuts) {
    const entries = cut ? writing.filter((e) => !e.blockableBy.includes(cut)) : writing;
    const picks = pickWriters(entries, ruleRef, index, NONE);
    let combos = cartesian(picks.perExt);
    if (combos.length > MAX_SCENARIOS) {
      combos = combos.slice(0, MAX_SCENARIOS);
      truncated = true;
    }
    for (const combo of combos) outcomes.push({ outcome: outcomeOf(combo, entries, ruleRef, index, exposedWhenMissing, 0), cut, tie: picks.tie });
  }
  const first = outcomes[0].outcome;
  const shadowed = shadowedOf(writing, ruleRef, index, first.winner ? [first.winner] : first.writers);
  const statuses = new Set(outcomes.map((o) => o.outcome.status));
  if (statuses.size > 1 || truncated) {
    // Facts the topology input does not carry (an export can decide them), and behaviour Microsoft
    // does not confirm (no export can: scope-and-evidence.md §8).
    const facts: string[] = [];
    let unconfirmed: string | undefined;
    // A SOM whose unknown block changes the set of possible results is named.
    const setOf = (cut: string | undefined) => [...new Set(outcomes.filter((o) => o.cut === cut).map((o) => o.outcome.status))].sort().join();
    const base0 = setOf(undefined);
    const cutSoms = list.unknownBlock.filter((s) => setOf(s.key) !== base0);
    if (cutSoms.length) facts.push(`whether ${cutSoms.map(canonical).join(' or ')} blocks inheritance`);
    if (outcomes.some((o) => o.tie)) {
      const tiedWriters = writing.filter((e) => e.tieGroup && index.writes(e, ruleRef));
      if (tiedWriters.some((e) => e.tieGroup === SITE_DOMAIN_ENFORCED && e.som.kind === 'site') && tiedWriters.some((e) => e.tieGroup === SITE_DOMAIN_ENFORCED && e.som.kind === 'domain')) {
        unconfirmed = "whether an enforced site link beats an enforced domain link: presumed, but not confirmed by Microsoft's documentation (scope-and-evidence.md P5), so no topology export can decide it";
      }
      const tied = [...new Set(tiedWriters.filter((e) => e.tieGroup !== SITE_DOMAIN_ENFORCED).map((e) => canonical(e.som)))];
      if (tied.length) facts.push(`the link order in ${tied.join(', ')}`);
    }
    const possible = [...statuses].join(' or ');
    const missing = facts.length || !unconfirmed ? `${facts.join(' and ') || 'facts the topology does not carry'}, which the topology input does not carry; give an LDIF or Get-GPInheritance export to decide it` : '';
    return entryOf(
      base.ruleId,
      base.key,
      base.name,
      base.exposedWhenMissing,
      'undetermined',
      shadowed,
      outcomes.some((o) => o.outcome.exposed),
      `The result is ${possible} depending on ${[missing, unconfirmed].filter(Boolean).join(', and on ')}.`,
    );
  }
  const winners = new Set(outcomes.map((x) => x.outcome.winner?.obs));
  return decided(rule, base, first, shadowed, outcomes.some((x) => x.outcome.exposed), winners.size > 1, exposedWhenMissing, index, nameOf, canonical);
}

/** The entry of a rule whose status every scenario agrees on (`o` is the first scenario's outcome). */
function decided(
  rule: SettingRule,
  base: Pick<EffectiveEntry, 'ruleId' | 'key' | 'name' | 'exposedWhenMissing'>,
  o: Outcome,
  shadowed: Located[],
  exposed: boolean,
  winnerUnknown: boolean,
  exposedWhenMissing: boolean,
  index: ObservationIndex,
  nameOf: (guid: string | undefined) => string,
  canonical: (s: TopoSom) => string,
): EffectiveEntry {
  const why = whyOf(rule, o, exposedWhenMissing, nameOf, canonical, index) + (winnerUnknown ? ' Which of the equal values wins depends on link order the topology does not carry; the status is the same either way.' : '');
  return entryOf(
    base.ruleId,
    base.key,
    base.name,
    base.exposedWhenMissing,
    o.status,
    shadowed,
    exposed,
    why,
    o.winner ? index.store.value(o.winner.obs) : undefined,
    o.winner ? index.located(o.winner.obs) : undefined,
    o.condition || undefined,
    // A conflict, also one that holds only under a condition: every writer, no winner.
    !o.winner && o.writers.length ? o.writers.map((w) => index.located(w.obs)) : undefined,
  );
}

/**
 * Every entry with one shape, its members in the order JSON writes them (absent ones undefined,
 * which JSON leaves out): entries made with members added as they applied had five shapes, and each
 * new one sent the functions that read them back to the optimizing compiler (bench/README.md, wave 16).
 */
function entryOf(
  ruleId: string,
  key: string,
  name: string,
  exposedWhenMissing: boolean,
  status: EffectiveStatus,
  shadowed: Located[],
  exposed: boolean,
  why: string,
  value?: RegData,
  winner?: Located,
  condition?: string,
  writers?: Located[],
): EffectiveEntry {
  return { ruleId, key, name, exposedWhenMissing, status, shadowed, exposed, why, value, winner, condition, writers };
}

/**
 * Every combination of one possible winner per extension (each combination in extension order):
 * the scenarios of a rule whose order or block inheritance is not known. Arrays, like the winners
 * per extension that every rule of every scope picks (`pickWriters`; maps before, bench/README.md,
 * wave 11).
 */
function cartesian(perExt: readonly Writer[][]): Writer[][] {
  let acc: Writer[][] = [[]];
  for (const ws of perExt) {
    const next: Writer[][] = [];
    for (const a of acc) for (const w of ws) next.push([...a, w]);
    acc = next;
    if (acc.length > MAX_SCENARIOS * 4) break;
  }
  return acc;
}

/** The first possible winner of each extension, in extension order. */
function firstOfEach(perExt: readonly Writer[][]): Writer[] {
  const out: Writer[] = [];
  for (let i = 0; i < perExt.length; i++) out.push(perExt[i][0]);
  return out;
}

/** No writer excluded (`pickWriters`, `outcomeOf`). */
const NONE: ReadonlySet<string> = new Set();

/** Each entry's store group for the rule being picked (`pickWriters`; reused: it calls nothing that picks). */
const groupsOf: number[] = [];

/**
 * Per extension, the possible winners: the configuring entries of the first (tie) group that
 * configures the rule. `perExt`: for each extension that some entry writes, in extension order.
 * Each entry's group is looked up once and the extensions are read from it by number (a lookup per
 * entry and extension by name before: bench/README.md, wave 12).
 */
function pickWriters(entries: readonly ListEntry[], rule: number, index: ObservationIndex, excluded: ReadonlySet<string>): { perExt: Writer[][]; tie: boolean } {
  const n = entries.length;
  const gs = groupsOf;
  for (let i = 0; i < n; i++) gs[i] = index.groupOf(entries[i], rule);
  const st = index.store;
  const perExt: Writer[][] = [];
  let tie = false;
  // Extensions in EXT_ORDER: registry, security, gpp (the store's slots 0, 1, 2).
  for (let x = 0; x < 3; x++) {
    for (let i = 0; i < n; i++) {
      const g = gs[i];
      const obs = g < 0 ? -1 : st.slot(g, x);
      if (obs < 0) continue;
      const e = entries[i];
      if (excluded.size && excluded.has(`${e.guid}|${EXT_ORDER[x]}`)) continue;
      const ws: Writer[] = [{ entry: e, obs }];
      if (e.tieGroup) {
        for (let j = i + 1; j < n; j++) {
          const f = entries[j];
          if (f.tieGroup !== e.tieGroup) continue;
          const g2 = gs[j];
          const o2 = g2 < 0 ? -1 : st.slot(g2, x);
          if (o2 >= 0 && !(excluded.size && excluded.has(`${f.guid}|${EXT_ORDER[x]}`))) ws.push({ entry: f, obs: o2 });
        }
        if (ws.length > 1) tie = true;
      }
      perExt.push(ws);
      break;
    }
  }
  return { perExt, tie };
}

type ValueStatus = Readonly<{ status: EffectiveStatus; exposed: boolean }>;
const HARDENED: ValueStatus = Object.freeze({ status: 'hardened', exposed: false });
const WEAK: ValueStatus = Object.freeze({ status: 'weak', exposed: true });
const UNDETERMINED: ValueStatus = Object.freeze({ status: 'undetermined', exposed: true });
const MISSING_EXPOSED: ValueStatus = Object.freeze({ status: 'missing', exposed: true });
const MISSING_NOT_EXPOSED: ValueStatus = Object.freeze({ status: 'missing', exposed: false });

/** What one value gives on its own (shared objects: read, never changed). */
function statusOfValue(index: ObservationIndex, obs: ObsRef, exposedWhenMissing: boolean): ValueStatus {
  const missing = exposedWhenMissing ? MISSING_EXPOSED : MISSING_NOT_EXPOSED;
  // A deletion leaves the OS default, whether or not the judgement calls it a weakening.
  if (index.store.state(obs) === 'deleted') return missing;
  switch (index.store.status(obs)) {
    case 'hardened':
      return HARDENED;
    case 'weak':
      return WEAK;
    case 'deleted':
      return missing;
    default:
      return UNDETERMINED;
  }
}

/**
 * Every outcome with one shape (absent parts undefined): the code that reads outcomes then sees one
 * kind of object, where four literal shapes sent it back to the optimizing compiler again and
 * again (bench/README.md, wave 10).
 */
function outcome(status: EffectiveStatus, winner: Writer | undefined, writers: Writer[], condition: string | undefined, exposed: boolean, fallback: Outcome | undefined, by?: Writer, heldStatus?: EffectiveStatus): Outcome {
  return { status, winner, writers, condition, exposed, fallback, by, heldStatus };
}

function outcomeOf(
  /** One writer per extension that writes the rule, in extension order. */
  writers: Writer[],
  entries: readonly ListEntry[],
  rule: number,
  index: ObservationIndex,
  exposedWhenMissing: boolean,
  depth: number,
  excluded: ReadonlySet<string> = NONE,
): Outcome {
  if (writers.length === 0) return outcome('missing', undefined, writers, undefined, exposedWhenMissing, undefined);
  let plain: Outcome;
  if (writers.some((w) => !index.same(w.obs, writers[0].obs))) {
    const exposed = writers.some((w) => statusOfValue(index, w.obs, exposedWhenMissing).exposed);
    plain = outcome('conflict', undefined, writers, undefined, exposed, undefined);
  } else {
    // Agreeing writers: the one of the extension that runs last lands.
    const winner = writers[writers.length - 1];
    const own = statusOfValue(index, winner.obs, exposedWhenMissing);
    plain = outcome(own.status, winner, writers, undefined, own.exposed, undefined);
  }
  if (depth >= 4) return plain;
  // Every writer under a condition (P10–P12, P18), not only the one that lands: where it does not
  // apply, its extension falls back to the next writer of the list, which may disagree with the
  // others (effective-policy.md §7). The one that lands is tried first. A fallback's own conditions
  // are looked at for its landing writer only (as they were for every writer before this check
  // went wider): trying every writer at every depth multiplies the work, and the fallback only says
  // what holds elsewhere.
  const last = depth === 0 ? 0 : writers.length - 1;
  let triedGpo: string | undefined;
  for (let i = writers.length - 1; i >= last; i--) {
    const w = writers[i];
    const targeted = index.store.state(w.obs) === 'conditional';
    const gpoWide = w.entry.conditions.length > 0;
    if (!gpoWide && !targeted) continue;
    // A GPO under a condition is left out whole: its other writers give the same fallback.
    if (gpoWide && !targeted && w.entry.guid === triedGpo) continue;
    const ex = new Set(excluded);
    if (gpoWide) {
      // The GPO does not apply: none of its extensions writes.
      for (const x of EXT_ORDER) ex.add(`${w.entry.guid}|${x}`);
      triedGpo = w.entry.guid;
    } else ex.add(`${w.entry.guid}|${index.store.extension(w.obs)}`);
    // What holds where the condition does not: the same list without this writer.
    const picks = pickWriters(entries, rule, index, ex);
    const fallback = outcomeOf(firstOfEach(picks.perExt), entries, rule, index, exposedWhenMissing, depth + 1, ex);
    if (fallback.status !== plain.status) {
      const conds = [...w.entry.conditions];
      if (targeted) {
        const c = index.store.condition(w.obs);
        conds.push(`GPP item-level targeting${c ? ` (${c})` : ''}`);
      }
      return outcome('conditional', plain.winner, writers, conds.join('; '), plain.exposed || fallback.exposed, fallback, w, plain.status);
    }
  }
  return plain;
}

function shadowedOf(entries: readonly ListEntry[], rule: number, index: ObservationIndex, winners: readonly Writer[]): Located[] {
  const out: Located[] = [];
  const st = index.store;
  for (const e of entries) {
    const g = index.groupOf(e, rule);
    if (g < 0) continue;
    // Extensions in EXT_ORDER: registry, security, gpp.
    for (let x = 0; x < 3; x++) {
      const o = st.slot(g, x);
      if (o < 0) continue;
      let won = false;
      for (const w of winners) if (w.obs === o) won = true;
      if (!won) out.push(index.located(o));
    }
    // Read in place: emptying a shared array for each group went through a runtime call each time (bench/README.md, wave 16).
    for (let j = st.losersStart(g), end = st.losersEnd(g); j < end; j++) out.push(index.located(st.loserAt(j)));
  }
  return out;
}

function describe(w: Writer, nameOf: (g: string | undefined) => string, canonical: (s: TopoSom) => string, index: ObservationIndex): string {
  const st = index.store;
  const line = st.line(w.obs);
  const offset = st.offset(w.obs);
  const where = `${index.path(w.obs)}${line !== undefined ? `:${line}` : offset !== undefined ? ` @${offset}` : ''}`;
  const v = st.state(w.obs) === 'deleted' ? 'deletes it' : `sets ${jsonText(st.value(w.obs))}`;
  return `GPO "${nameOf(w.entry.guid)}" (linked at ${canonical(w.entry.som)}${w.entry.enforced ? ', enforced' : ''}) ${v} via ${EXTENSION_LABEL[st.extension(w.obs)]} at ${where}`;
}

/** A value as JSON writes it; a number without a call of `JSON.stringify` (one per described winner). */
function jsonText(v: RegData): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : JSON.stringify(v);
}

function missingText(exposedWhenMissing: boolean): string {
  return exposedWhenMissing
    ? 'machines use their OS default, which leaves them exposed for this role and target OS'
    : 'machines use their OS default, which is not exposed for this role and target OS';
}

/** Why a conflict names no winner (P17, §1.3). */
const NO_WINNER = 'the extension order, not the link order, decides which lands, so relaylint names no winner';

/** Every writer of an outcome, described, in extension order. */
function writersText(o: Outcome, nameOf: (g: string | undefined) => string, canonical: (s: TopoSom) => string, index: ObservationIndex): string {
  // A loop, not map().join(): the arrays map() returned changed kind once this was optimized, which sent it back to the compiler.
  let all = '';
  for (const w of o.writers) all += (all ? '; ' : '') + describe(w, nameOf, canonical, index);
  return all;
}

/** What holds where a condition does not (the fallback of a conditional result), in a few words. */
function outcomeText(fb: Outcome, exposedWhenMissing: boolean, nameOf: (g: string | undefined) => string, canonical: (s: TopoSom) => string, index: ObservationIndex): string {
  if (fb.status === 'conflict') return `conflict (${writersText(fb, nameOf, canonical, index)}: different client-side extensions write the same value and disagree, so relaylint names no winner)`;
  if (fb.winner) return `${fb.status} (${describe(fb.winner, nameOf, canonical, index)})`;
  if (fb.status === 'missing') return `not configured (${missingText(exposedWhenMissing)})`;
  return fb.status;
}

function whyOf(rule: SettingRule, o: Outcome, exposedWhenMissing: boolean, nameOf: (g: string | undefined) => string, canonical: (s: TopoSom) => string, index: ObservationIndex): string {
  switch (o.status) {
    case 'missing':
      if (o.winner) return `${describe(o.winner, nameOf, canonical, index)}; ${missingText(exposedWhenMissing)}.`;
      return `No GPO that applies here configures ${rule.displayName}; ${missingText(exposedWhenMissing)}.`;
    case 'conflict':
      return `${writersText(o, nameOf, canonical, index)}. Different client-side extensions write the same value and disagree: ${NO_WINNER}.`;
    case 'conditional': {
      const fb = o.fallback;
      const other = fb ? outcomeText(fb, exposedWhenMissing, nameOf, canonical, index) : 'unknown';
      const held = o.heldStatus as EffectiveStatus;
      const by = o.by as Writer;
      if (held === 'conflict') {
        return `${writersText(o, nameOf, canonical, index)}. Where ${o.condition} (the condition of GPO "${nameOf(by.entry.guid)}"), these client-side extensions write the same value and disagree: ${NO_WINNER} there. Elsewhere the result is ${other}.`;
      }
      const winner = o.winner as Writer;
      if (by.entry.guid === winner.entry.guid) {
        return `${describe(winner, nameOf, canonical, index)}, which gives ${held} only where ${o.condition}; elsewhere the result is ${other}.`;
      }
      return `${describe(winner, nameOf, canonical, index)} and wins here; ${describe(by, nameOf, canonical, index)} too, and applies only where ${o.condition}. The result is ${held} only there; elsewhere the result is ${other}.`;
    }
    case 'undetermined':
      return `${describe(o.winner as Writer, nameOf, canonical, index)}; relaylint cannot judge this value.`;
    default: {
      return `${describe(o.winner as Writer, nameOf, canonical, index)} and wins here.`;
    }
  }
}

export { gpoConditions };
