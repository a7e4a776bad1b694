/**
 * The policy set: every GPO the scanned files describe (identity, links, enabled flags, computer-side
 * status, filters) and every catalog-relevant value as an observation with its GPO, file, line or
 * byte offset, client-side extension, state, condition and status (from the one judgement,
 * judge.ts). RSoP losers are kept as shadowed observations. Coverage and the effective policy per
 * scope are views over it.
 *
 * A file contributes one small, serialisable `FilePolicy` (what a worker thread sends back); the
 * `PolicySetBuilder` merges them.
 */
import { judgeFile } from '../judge';
import { displayKey } from '../keys';
import { lineIndexFor, type LineIndex } from '../text';
import { normGuid } from '../topology/model';
import type { FileFormat, Finding, ParsedFile, RegData, ReportGpo, Setting, SettingState, Span, Trustee } from '../types';
import type { GpoIdentity } from './identity';

/** The client-side extension that writes a value; `none` for a loose `.reg` or template outside a GPO. */
export type Extension = 'registry' | 'security' | 'gpp' | 'none';

export interface Observation {
  ruleId: string;
  /** `{GUID}` of the GPO, when known. */
  gpo?: string;
  path: string;
  line?: number;
  offset?: number;
  extension: Extension;
  /** The file format it was read from. */
  format: FileFormat;
  key: string;
  name: string;
  value: RegData;
  state: SettingState;
  condition?: string;
  status: 'hardened' | 'weak' | 'unknown' | 'deleted';
  /** An RSoP loser: this GPO's value did not win on the reported computer. */
  shadowed?: boolean;
}

export interface PolicyLink {
  /** Canonical path (`corp.example/Servers`). */
  som: string;
  somName?: string;
  enabled: boolean;
  enforced: boolean;
}

/** What the files say about one GPO. */
export interface GpoFacts {
  guid: string;
  name?: string;
  computerEnabled?: boolean;
  /** From a report: its `<LinksTo>`; undefined when no report described the GPO. */
  links?: PolicyLink[];
  applyTrustees?: { allow: Trustee[]; deny: Trustee[] };
  wmiFilter?: string;
  /** RSoP: why the GPO did not apply on the reported computer (per report file). */
  rsopNotApplied?: { path: string; reason: string }[];
}

export interface FilePolicy {
  path: string;
  format: FileFormat;
  gpos: GpoFacts[];
  observations: Observation[];
}

function extensionOf(file: ParsedFile, s: Setting, inGpo: boolean): Extension {
  switch (file.format) {
    case 'registry-pol':
      return inGpo ? 'registry' : 'none';
    case 'inf':
      return inGpo ? 'security' : 'none';
    case 'gpp-registry-xml':
      return inGpo ? 'gpp' : 'none';
    case 'gpo-report-xml':
    case 'rsop-xml':
      return s.cse ?? 'registry';
    default:
      return 'none';
  }
}

function factsOfRef(ref: ReportGpo): GpoFacts | undefined {
  const guid = normGuid(ref.guid);
  if (!guid) return undefined;
  const f: GpoFacts = { guid };
  if (ref.name) f.name = ref.name;
  if (ref.computerEnabled !== undefined) f.computerEnabled = ref.computerEnabled;
  if (ref.links) f.links = ref.links.map((l) => ({ som: l.somPath, ...(l.somName ? { somName: l.somName } : {}), enabled: l.enabled, enforced: l.enforced }));
  if (ref.applyTrustees) f.applyTrustees = ref.applyTrustees;
  if (ref.wmiFilter) f.wmiFilter = ref.wmiFilter;
  return f;
}

/** Settings grouped by their GPO (a `Get-GPOReport -All` export holds many): each GPO is judged with its own peers. */
function byGpo(settings: readonly Setting[]): Setting[][] {
  const groups = new Map<object | undefined, Setting[]>();
  for (const s of settings) {
    const g = groups.get(s.gpo);
    if (g) g.push(s);
    else groups.set(s.gpo, [s]);
  }
  return [...groups.values()];
}

function observe(path: string, file: ParsedFile, settings: Setting[], fileGpo: string | undefined, index: LineIndex, shadowed: boolean, out: Observation[]): void {
  // Judged with role `any`: no judgement depends on the role, and DC-only rules are filtered per scope.
  const judged = byGpo(settings).flatMap((group) => judgeFile({ ...file, settings: group }, { role: 'any', targetOs: 'legacy' }));
  // Back in file order.
  const order = new Map(settings.map((s, i) => [s, i]));
  judged.sort((a, b) => (order.get(a.setting) ?? 0) - (order.get(b.setting) ?? 0));
  for (const j of judged) {
    const s = j.setting;
    const gpo = normGuid(s.gpo?.guid) ?? fileGpo;
    const o: Observation = {
      ruleId: j.rule.id,
      path,
      extension: extensionOf(file, s, !!gpo),
      format: file.format,
      key: displayKey(s.hive, s.key),
      name: s.name,
      value: s.state === 'deleted' ? null : s.value,
      state: s.state,
      status: j.status,
    };
    if (gpo) o.gpo = gpo;
    if (s.offset !== undefined) o.offset = s.offset;
    else o.line = index.positionAt(s.span.start).line + 1;
    if (s.condition) o.condition = s.condition;
    if (shadowed) o.shadowed = true;
    out.push(o);
  }
}

/** The policy record of one parsed file. `identity` is the GPO the file's folder belongs to (SYSVOL or backup), if any. */
export function filePolicy(path: string, file: ParsedFile, identity?: GpoIdentity, index: LineIndex = lineIndexFor(file.text)): FilePolicy {
  const fileGpo = normGuid(identity?.guid);
  const gpos: GpoFacts[] = [];
  for (const ref of file.reportGpos ?? []) {
    const f = factsOfRef(ref);
    if (f) gpos.push(f);
  }
  for (const r of file.rsopGpos ?? []) {
    const guid = normGuid(r.guid);
    if (!guid || !r.notApplied) continue;
    gpos.push({ guid, ...(r.name ? { name: r.name } : {}), rsopNotApplied: [{ path, reason: r.notApplied }] });
  }
  if (fileGpo && !gpos.some((g) => g.guid === fileGpo)) {
    const f: GpoFacts = { guid: fileGpo };
    if (identity?.name) f.name = identity.name;
    if (identity?.computerEnabled !== undefined) f.computerEnabled = identity.computerEnabled;
    if (identity?.wmiFilter) f.wmiFilter = identity.wmiFilter;
    gpos.push(f);
  }
  const observations: Observation[] = [];
  observe(path, file, file.settings, fileGpo, index, false, observations);
  if (file.shadowed?.length) observe(path, file, file.shadowed, fileGpo, index, true, observations);
  return { path, format: file.format, gpos, observations };
}

/** One GPO of the set, merged over every file that describes it. */
export interface PolicyGpo extends GpoFacts {
  /** Files of the GPO (policy files and reports), as ids of the set's path table (`PolicySet.path`). */
  fileIds: number[];
  /** Whether any report described the GPO's links (an empty list then means "no link in its report"). */
  linksKnown: boolean;
}

/** Numeric id of a stored observation (a row of `ObservationStore`). */
export type ObsRef = number;

export interface PolicySet {
  gpos: Map<string, PolicyGpo>;
  /** The relay-relevant observations of the GPOs, as the effective policy reads them. */
  store: ObservationStore;
  /** A path of the set by id (the path table shares folder names between files). */
  path(id: number): string;
}

/** Why a GPO applies nowhere, from its own files (computer side disabled, no enabled link in its report). */
export function appliesNowhereByFiles(g: GpoFacts): string | undefined {
  if (g.computerEnabled === false) return 'its computer side is disabled (GPO status), so none of its computer settings apply anywhere';
  if (g.links) {
    if (g.links.length === 0) return 'its report shows no link, so its settings apply nowhere';
    if (g.links.every((l) => !l.enabled)) return 'every link in its report is disabled, so its settings apply nowhere';
  }
  return undefined;
}

/**
 * A copy of `s` that does not keep a larger string alive. Parsers hand out slices of a whole
 * file's text (V8 keeps the parent of a sliced string alive), so a name or trustee from a 300 KB
 * report would otherwise pin the whole report for the rest of the scan.
 */
export function detach(s: string): string {
  return s.length <= 12 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/**
 * Paths as a trie of `/`-separated segments: a SYSVOL repeats the same root and folder names in
 * every file's path, so each file costs a few numbers instead of a string of 100+ characters.
 * Paths arrive in walk order, so the previous path's chain is reused for the common prefix.
 */
class PathTable {
  private parent = new Int32Array(1024);
  private segs: string[] = [];
  private n = 0;
  private readonly common = new Map<string, string>();
  private last: { segs: string[]; nodes: number[] } = { segs: [], nodes: [] };

  private segment(s: string): string {
    const have = this.common.get(s);
    if (have !== undefined) return have;
    const d = detach(s);
    if (this.common.size < 4096) this.common.set(d, d);
    return d;
  }

  add(path: string): number {
    const segs = path.split('/');
    const last = this.last;
    let i = 0;
    while (i < segs.length && i < last.segs.length && segs[i] === last.segs[i]) i++;
    if (i === segs.length && i === last.segs.length) return last.nodes[i - 1];
    const nodes = last.nodes.slice(0, i);
    for (; i < segs.length; i++) {
      if (this.n === this.parent.length) {
        const grown = new Int32Array(this.parent.length * 2);
        grown.set(this.parent);
        this.parent = grown;
      }
      const id = this.n++;
      this.parent[id] = i ? nodes[i - 1] : -1;
      this.segs.push(this.segment(segs[i]));
      nodes.push(id);
    }
    this.last = { segs, nodes };
    return nodes[nodes.length - 1];
  }

  get(id: number): string {
    const parts: string[] = [];
    for (let x = id; x >= 0; x = this.parent[x]) parts.push(this.segs[x]);
    return parts.reverse().join('/');
  }
}

const EXTS: readonly Extension[] = ['registry', 'security', 'gpp', 'none'];
const STATUSES: readonly Observation['status'][] = ['hardened', 'weak', 'unknown', 'deleted'];
const STATES: readonly SettingState[] = ['set', 'deleted', 'disabled', 'conditional'];
// Flag bits of a row: extension (2), status (2), state (2), read from a report, position is a byte offset, RSoP loser.
const F_REPORT = 1 << 6;
const F_OFFSET = 1 << 7;
const F_SHADOWED = 1 << 8;
const F_HASPOS = 1 << 9;
/** `value` column markers for a row whose value is not a number. */
const V_NULL = -1;

/**
 * The observations of a policy set in columns (typed arrays, one row per value a GPO writes): the
 * effective policy needs per GPO and rule the value each extension writes and the RSoP losers;
 * nothing reads the key path or value name again (the rule has them), and values of files outside
 * any GPO are in no scope, so neither is kept. 55,000 GPOs stay a few tens of MB.
 */
export class ObservationStore {
  private cap = 1024;
  private size = 0;
  private gpoCol = new Int32Array(this.cap);
  private ruleCol = new Uint16Array(this.cap);
  private pathCol = new Int32Array(this.cap);
  private posCol = new Int32Array(this.cap);
  private flagCol = new Uint16Array(this.cap);
  private numCol = new Float64Array(this.cap);
  /** -1: the number column holds the value; else an index into `values` (V_NULL: null). */
  private refCol = new Int32Array(this.cap);
  private condCol = new Int32Array(this.cap);
  private readonly values: RegData[] = [];
  private readonly valueIds = new Map<string, number>();
  private readonly conds: string[] = [];
  private readonly condIds = new Map<string, number>();
  readonly ruleIds: string[] = [];
  private readonly ruleIndex = new Map<string, number>();
  readonly gpoIds: string[] = [];
  private readonly gpoIndex = new Map<string, number>();
  // Built by `seal()`: rows grouped per GPO and rule.
  private groups?: { start: Int32Array; rule: Uint16Array; ext: Int32Array; loserStart: Int32Array; losers: Int32Array; gpoStart: Int32Array };

  gpoRef(guid: string): number {
    let id = this.gpoIndex.get(guid);
    if (id === undefined) {
      id = this.gpoIds.length;
      this.gpoIds.push(guid);
      this.gpoIndex.set(guid, id);
    }
    return id;
  }

  /** The rule's id in this store, -1 when no row has it. */
  ruleRef(ruleId: string): number {
    return this.ruleIndex.get(ruleId) ?? -1;
  }

  /** The GPO's id in this store, -1 when no row has it. */
  findGpo(guid: string): number {
    return this.gpoIndex.get(guid) ?? -1;
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Int32Array | Uint16Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(this.cap);
      b.set(a);
      return b;
    };
    this.gpoCol = g(this.gpoCol);
    this.ruleCol = g(this.ruleCol);
    this.pathCol = g(this.pathCol);
    this.posCol = g(this.posCol);
    this.flagCol = g(this.flagCol);
    this.numCol = g(this.numCol);
    this.refCol = g(this.refCol);
    this.condCol = g(this.condCol);
  }

  add(o: Observation, gpo: number, pathId: number): void {
    if (this.groups) throw new Error('the observation store is sealed');
    if (this.size === this.cap) this.grow();
    const r = this.size++;
    let rule = this.ruleIndex.get(o.ruleId);
    if (rule === undefined) {
      rule = this.ruleIds.length;
      this.ruleIds.push(detach(o.ruleId));
      this.ruleIndex.set(this.ruleIds[rule], rule);
    }
    this.gpoCol[r] = gpo;
    this.ruleCol[r] = rule;
    this.pathCol[r] = pathId;
    let flags = EXTS.indexOf(o.extension) | (Math.max(0, STATUSES.indexOf(o.status)) << 2) | (Math.max(0, STATES.indexOf(o.state)) << 4);
    if (o.format === 'gpo-report-xml' || o.format === 'rsop-xml') flags |= F_REPORT;
    if (o.offset !== undefined) {
      flags |= F_OFFSET | F_HASPOS;
      this.posCol[r] = o.offset;
    } else if (o.line !== undefined) {
      flags |= F_HASPOS;
      this.posCol[r] = o.line;
    }
    if (o.shadowed) flags |= F_SHADOWED;
    this.flagCol[r] = flags;
    const v = o.value;
    if (typeof v === 'number') {
      this.numCol[r] = v;
      this.refCol[r] = -2;
    } else if (v === null || v === undefined) {
      this.refCol[r] = V_NULL;
    } else {
      const k = typeof v === 'string' ? `s${v}` : JSON.stringify(v);
      let id = this.valueIds.get(k);
      if (id === undefined) {
        id = this.values.length;
        this.values.push(typeof v === 'string' ? detach(v) : v.map(detach));
        // Bounded: past the cap every new value is stored on its own.
        if (this.valueIds.size < 100_000) this.valueIds.set(k, id);
      }
      this.refCol[r] = id;
    }
    if (o.condition) {
      let id = this.condIds.get(o.condition);
      if (id === undefined) {
        id = this.conds.length;
        this.conds.push(detach(o.condition));
        if (this.condIds.size < 100_000) this.condIds.set(this.conds[id], id);
      }
      this.condCol[r] = id;
    } else this.condCol[r] = -1;
  }

  /**
   * Groups the rows per GPO and rule, and keeps per extension the value that extension writes (the
   * last in arrival order, where a policy file beats a later report of the same GPO).
   */
  seal(): void {
    if (this.groups) return;
    const n = this.size;
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = i;
    // Stable: by GPO, then rule, then arrival.
    rows.sort((a, b) => this.gpoCol[a] - this.gpoCol[b] || this.ruleCol[a] - this.ruleCol[b] || a - b);
    const start: number[] = [];
    const rule: number[] = [];
    const ext: number[] = [];
    const loserStart: number[] = [];
    const losers: number[] = [];
    const gpoStart = new Int32Array(this.gpoIds.length + 1);
    let g = -1;
    for (let i = 0; i < n; ) {
      const gpo = this.gpoCol[rows[i]];
      const rl = this.ruleCol[rows[i]];
      while (g < gpo) gpoStart[++g] = rule.length;
      const slot = [-1, -1, -1];
      start.push(gpo);
      rule.push(rl);
      loserStart.push(losers.length);
      for (; i < n && this.gpoCol[rows[i]] === gpo && this.ruleCol[rows[i]] === rl; i++) {
        const r = rows[i];
        const f = this.flagCol[r];
        if (f & F_SHADOWED) {
          losers.push(r);
          continue;
        }
        const x = f & 3;
        if (x > 2) continue;
        const had = slot[x];
        if (had < 0 || !(f & F_REPORT) || this.flagCol[had] & F_REPORT) slot[x] = r;
      }
      ext.push(...slot);
    }
    while (g < this.gpoIds.length) gpoStart[++g] = rule.length;
    loserStart.push(losers.length);
    this.groups = { start: Int32Array.from(start), rule: Uint16Array.from(rule), ext: Int32Array.from(ext), loserStart: Int32Array.from(loserStart), losers: Int32Array.from(losers), gpoStart };
    // The column that only `seal` needed.
    this.ruleCol = new Uint16Array(0);
  }

  /** Per GPO, rule → group, built on first use (only GPOs some scope reads). */
  private readonly dense: (Int32Array | undefined)[] = [];

  private group(gpo: number, rule: number): number {
    const gr = this.groups;
    if (!gr || gpo < 0 || rule < 0 || gpo >= gr.gpoStart.length - 1) return -1;
    let d = this.dense[gpo];
    if (!d) {
      d = new Int32Array(this.ruleIds.length).fill(-1);
      for (let i = gr.gpoStart[gpo]; i < gr.gpoStart[gpo + 1]; i++) d[gr.rule[i]] = i;
      this.dense[gpo] = d;
    }
    return rule < d.length ? d[rule] : -1;
  }

  /** Per GPO: adds the rules it writes (or has RSoP losers for), as store rule ids, to `out`. */
  rulesOf(gpo: number, out: Set<number>): void {
    const gr = this.groups;
    if (!gr || gpo < 0 || gpo >= gr.gpoStart.length - 1) return;
    for (let i = gr.gpoStart[gpo]; i < gr.gpoStart[gpo + 1]; i++) out.add(gr.rule[i]);
  }

  /** The row each extension (registry, security, gpp) writes for a GPO and rule, -1 for none. */
  written(gpo: number, rule: number, ext: 0 | 1 | 2): ObsRef {
    const i = this.group(gpo, rule);
    return i < 0 ? -1 : (this.groups as NonNullable<ObservationStore['groups']>).ext[i * 3 + ext];
  }

  /** RSoP losers of a GPO and rule, added to `out`. */
  losers(gpo: number, rule: number, out: ObsRef[]): void {
    const i = this.group(gpo, rule);
    const gr = this.groups;
    if (i < 0 || !gr) return;
    for (let j = gr.loserStart[i]; j < gr.loserStart[i + 1]; j++) out.push(gr.losers[j]);
  }

  gpoOf(r: ObsRef): string {
    return this.gpoIds[this.gpoCol[r]];
  }
  pathId(r: ObsRef): number {
    return this.pathCol[r];
  }
  extension(r: ObsRef): Extension {
    return EXTS[this.flagCol[r] & 3];
  }
  status(r: ObsRef): Observation['status'] {
    return STATUSES[(this.flagCol[r] >> 2) & 3];
  }
  state(r: ObsRef): SettingState {
    return STATES[(this.flagCol[r] >> 4) & 3];
  }
  shadowed(r: ObsRef): boolean {
    return (this.flagCol[r] & F_SHADOWED) !== 0;
  }
  line(r: ObsRef): number | undefined {
    const f = this.flagCol[r];
    return f & F_HASPOS && !(f & F_OFFSET) ? this.posCol[r] : undefined;
  }
  offset(r: ObsRef): number | undefined {
    return this.flagCol[r] & F_OFFSET ? this.posCol[r] : undefined;
  }
  value(r: ObsRef): RegData {
    const ref = this.refCol[r];
    return ref === -2 ? this.numCol[r] : ref === V_NULL ? null : this.values[ref];
  }
  /** Whether two rows hold the same value (numbers compared directly, others by identity of their stored value, else by content). */
  sameValue(a: ObsRef, b: ObsRef): boolean {
    const ra = this.refCol[a];
    const rb = this.refCol[b];
    if (ra === -2 || rb === -2) return ra === rb && this.numCol[a] === this.numCol[b];
    if (ra === rb) return true;
    return JSON.stringify(this.value(a)) === JSON.stringify(this.value(b));
  }
  condition(r: ObsRef): string | undefined {
    const c = this.condCol[r];
    return c < 0 ? undefined : this.conds[c];
  }
  get rows(): number {
    return this.size;
  }
}

export class PolicySetBuilder {
  private readonly gpos = new Map<string, PolicyGpo>();
  private readonly store = new ObservationStore();
  private readonly paths = new PathTable();
  /** One copy of each repeated fact string (names, SOM paths, trustees). Bounded. */
  private readonly strings = new Map<string, string>();

  private intern(s: string): string {
    const have = this.strings.get(s);
    if (have !== undefined) return have;
    const d = detach(s);
    if (this.strings.size < 50_000) this.strings.set(d, d);
    return d;
  }

  private gpo(guid: string): PolicyGpo {
    let g = this.gpos.get(guid);
    if (!g) {
      const id = this.store.gpoRef(detach(guid));
      g = { guid: this.store.gpoIds[id], fileIds: [], linksKnown: false };
      this.gpos.set(g.guid, g);
    }
    return g;
  }

  add(rec: FilePolicy): void {
    const pathId = this.paths.add(rec.path);
    const trustee = (t: Trustee): Trustee => ({ ...(t.sid ? { sid: this.intern(t.sid) } : {}), ...(t.name ? { name: this.intern(t.name) } : {}) });
    for (const f of rec.gpos) {
      const g = this.gpo(f.guid);
      if (!g.name && f.name) g.name = this.intern(f.name);
      if (f.computerEnabled === false || (g.computerEnabled === undefined && f.computerEnabled !== undefined)) g.computerEnabled = f.computerEnabled;
      if (f.links) {
        g.linksKnown = true;
        const seen = new Set((g.links ?? []).map((l) => l.som.toLowerCase()));
        const added = f.links.filter((l) => !seen.has(l.som.toLowerCase())).map((l) => ({ som: this.intern(l.som), ...(l.somName ? { somName: this.intern(l.somName) } : {}), enabled: l.enabled, enforced: l.enforced }));
        g.links = [...(g.links ?? []), ...added];
      }
      if (f.applyTrustees && !g.applyTrustees) g.applyTrustees = { allow: f.applyTrustees.allow.map(trustee), deny: f.applyTrustees.deny.map(trustee) };
      if (f.wmiFilter && !g.wmiFilter) g.wmiFilter = this.intern(f.wmiFilter);
      if (f.rsopNotApplied) g.rsopNotApplied = [...(g.rsopNotApplied ?? []), ...f.rsopNotApplied.map((x) => ({ path: this.intern(x.path), reason: this.intern(x.reason) }))];
      if (!g.fileIds.includes(pathId)) g.fileIds.push(pathId);
    }
    for (const o of rec.observations) {
      // Values outside any GPO are in no scope: nothing reads them from the set.
      if (!o.gpo) continue;
      const g = this.gpo(o.gpo);
      if (!g.fileIds.includes(pathId)) g.fileIds.push(pathId);
      this.store.add(o, this.store.gpoRef(g.guid), pathId);
    }
  }

  build(): PolicySet {
    this.store.seal();
    const paths = this.paths;
    return { gpos: this.gpos, store: this.store, path: (id) => paths.get(id) };
  }
}

/**
 * What the topology says about whether GPOs reach any machine, as plain data (it crosses to worker
 * threads): the GPOs with at least one enabled link, and a reason for those that apply nowhere
 * although linked (computer side disabled per the GPC flags, every link disabled).
 */
export interface TopologyReach {
  /**
   * The linked GPOs' `{GUID}`s, one per line: one string, because this object is copied to the
   * worker threads with every batch of files, and one string copies far faster than thousands.
   */
  linked: string;
  reasons: Record<string, string>;
}

const NO_LINK = 'no enabled link to it is in the topology, so its settings apply nowhere';

const linkedSets = new WeakMap<TopologyReach, Set<string>>();
let lastLinked: { text: string; set: Set<string> } | undefined;

function reachReason(reach: TopologyReach | undefined, guid: string): string | undefined {
  if (!reach) return undefined;
  // A set per reach object (a new copy arrives with each batch in a worker; the text is the same).
  let linked = linkedSets.get(reach);
  if (!linked) {
    if (lastLinked?.text !== reach.linked) lastLinked = { text: reach.linked, set: new Set(reach.linked ? reach.linked.split('\n') : []) };
    linked = lastLinked.set;
    linkedSets.set(reach, linked);
  }
  return reach.reasons[guid] ?? (linked.has(guid) ? undefined : NO_LINK);
}

/**
 * The info findings of a file whose GPO(s) apply nowhere, and which settings to leave out of
 * coverage. A report says it per GPO (its `Computer/Enabled` and `<LinksTo>`); a SYSVOL or backup
 * file through its folder's identity (Backup.xml `Options`) and the topology.
 */
export function appliesNowhereFindings(file: ParsedFile, identity: GpoIdentity | undefined, reach?: TopologyReach): { findings: Finding[]; skip: (s: Setting) => boolean } {
  const reasons = new Map<string, { why: string; name?: string; span: Span }>();
  for (const g of file.reportGpos ?? []) {
    const f = factsOfRef(g);
    if (!f) continue;
    const why = appliesNowhereByFiles(f) ?? reachReason(reach, f.guid);
    if (why) reasons.set(f.guid, { why, ...(f.name ? { name: f.name } : {}), span: g.span ?? { start: 0, end: 0 } });
  }
  const own = normGuid(identity?.guid);
  if (own && !reasons.has(own)) {
    const why = identity?.computerEnabled === false ? 'its computer side is disabled (GPO status in Backup.xml), so none of its computer settings apply anywhere' : reachReason(reach, own);
    if (why) reasons.set(own, { why, ...(identity?.name ? { name: identity.name } : {}), span: { start: 0, end: 0 } });
  }
  const findings: Finding[] = [];
  for (const [guid, r] of reasons) {
    const f: Finding = {
      ruleId: 'gpo.applies-nowhere',
      severity: 'info',
      message: `The GPO ${r.name ? `"${r.name}" ` : ''}${guid} applies nowhere: ${r.why}. Its values do not count as hardened in coverage or in the effective policy.`,
      span: r.span,
      fixes: [],
    };
    if (file.format === 'registry-pol') f.offset = 0;
    findings.push(f);
  }
  const skip = (s: Setting) => {
    if (!reasons.size) return false;
    const g = normGuid(s.gpo?.guid) ?? own;
    return !!g && reasons.has(g);
  };
  return { findings, skip };
}
