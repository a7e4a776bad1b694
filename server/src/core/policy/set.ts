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
import { Column, countingSort } from '../column';
import { BoundedInterner, detach, same } from '../intern';
import { judgeFile, type Judged } from '../judge';
import { displayKey } from '../keys';
import { lineIndexFor, type LineIndex } from '../text';
import { normGuid } from '../topology/model';
import type { FileFormat, Finding, ParsedFile, RegData, ReportGpo, Setting, SettingState, Span, Trustee } from '../types';
import type { ApplyTrustees } from './filtering';
import type { GpoIdentity } from './identity';
import { appliesNowhereReason, nowhereFacts, type FactSource, type NowhereFacts } from './nowhere';

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
  applyTrustees?: ApplyTrustees;
  /** Backup.xml: why its security descriptor could not be read (security filtering unknown). */
  securityUnknown?: string;
  wmiFilter?: string;
  /** RSoP: why the GPO did not apply on the reported computer (per report file). */
  rsopNotApplied?: { path: string; reason: string }[];
  /** `backup`: the computer status and trustees were read from Backup.xml (absent: from a report). */
  from?: 'backup';
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

function observe(path: string, file: ParsedFile, settings: Setting[], fileGpo: string | undefined, index: LineIndex, shadowed: boolean, out: Observation[], given?: readonly Judged[]): void {
  // Judged with role `any`: no judgement depends on the role, and DC-only rules are filtered per scope.
  // The parts (peers) are judge.ts `gpoParts`, the split every judgement of the file uses.
  const judged: readonly Judged[] = given ?? judgeFile({ ...file, settings }, { role: 'any', targetOs: 'legacy' });
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

/**
 * The policy record of one parsed file. `identity` is the GPO the file's folder belongs to (SYSVOL or backup), if any.
 * `judged`: the caller's `judgeFile` result for `file.settings`, when it is the judgement this record
 * needs (`isPolicyJudgement`); otherwise the settings are judged here.
 */
export function filePolicy(path: string, file: ParsedFile, identity?: GpoIdentity, index: LineIndex = lineIndexFor(file.text), judged?: readonly Judged[]): FilePolicy {
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
    if (identity?.applyTrustees) f.applyTrustees = identity.applyTrustees;
    else if (identity?.securityUnknown) f.securityUnknown = identity.securityUnknown;
    if (identity?.computerEnabled !== undefined || identity?.applyTrustees) f.from = 'backup';
    gpos.push(f);
  }
  const observations: Observation[] = [];
  observe(path, file, file.settings, fileGpo, index, false, observations, judged);
  if (file.shadowed?.length) observe(path, file, file.shadowed, fileGpo, index, true, observations);
  return { path, format: file.format, gpos, observations };
}

/** One GPO of the set, merged over every file that describes it. */
export interface PolicyGpo extends GpoFacts {
  /** Whether any report described the GPO's links (an empty list then means "no link in its report"). */
  linksKnown: boolean;
  /** The GPO's number in the set's observation store. */
  ref: number;
  /** Where the disabled computer side (`computerEnabled` false) and the trustees were first read. */
  computerOff?: FactSource;
  trusteesFrom?: FactSource;
}

/** Numeric id of a stored observation (a row of `ObservationStore`). */
export type ObsRef = number;

export interface PolicySet {
  gpos: Map<string, PolicyGpo>;
  /** The relay-relevant observations of the GPOs, as the effective policy reads them. */
  store: ObservationStore;
  /** A path of the set by id (the path table shares folder names between files). */
  path(id: number): string;
  /** The files of a GPO (policy files and reports), in the order they were scanned. */
  filesOf(guid: string): string[];
}

/** Why a GPO applies nowhere, from its own files alone (computer side, security filtering, the links in its report). */
export function appliesNowhereByFiles(g: GpoFacts): string | undefined {
  return appliesNowhereReason(ownFacts(g, undefined))?.why;
}

/**
 * The facts of a GPO's own files (`f`, from a report or Backup.xml; `identity`, its folder's
 * Backup.xml, as a fallback) joined with what the topology says (`reach`): the GPO's files first for
 * its status and trustees, the topology for the version gate, and the topology's links when it has
 * scopes of management (else the links in the report).
 */
function ownFacts(f: GpoFacts | undefined, identity: GpoIdentity | undefined, reach?: TopologyReach, guid?: string): NowhereFacts {
  const r = reach && guid ? reachIndex(reach) : undefined;
  const t = r && guid ? r.facts.get(guid) : undefined;
  const computerOff: FactSource | undefined = f?.computerEnabled === false ? (f.from ?? 'report') : identity?.computerEnabled === false ? 'backup' : t?.computerOff ? 'topology' : undefined;
  const filtering: NowhereFacts['filtering'] = f?.applyTrustees
    ? { trustees: f.applyTrustees, from: f.from ?? 'report' }
    : identity?.applyTrustees
      ? { trustees: identity.applyTrustees, from: 'backup' }
      : t?.trustees
        ? { trustees: t.trustees, from: 'topology' }
        : undefined;
  let links: NowhereFacts['links'];
  if (r && guid) {
    const enabled = r.linked.has(guid) ? 1 : 0;
    links = { from: 'topology', total: enabled || t?.linksDisabled ? 1 : 0, enabled };
  } else if (f?.links) links = { from: 'report', total: f.links.length, enabled: f.links.filter((l) => l.enabled).length };
  return nowhereFacts(computerOff, t?.version, filtering, links, t?.containerMissing);
}

/**
 * Paths, shared as far as they repeat: the folders down to a GPO's `{GUID}` folder are a trie of
 * `/`-separated segments (the `{GUID}` segment is the GPO's own id string), and what follows it
 * (`Machine/Registry.pol`, the same in every GPO) is one shared string. A file then costs two
 * numbers instead of a string of 100+ characters. Paths without a GPO folder are all trie.
 */
class PathTable {
  private readonly parent = new Column(new Int32Array(1024));
  /** Per node: its segment, an index into `names` (>= 0) or a GPO id (-2 - id, the GPO's `{GUID}` string). */
  private readonly seg = new Column(new Int32Array(1024));
  private n = 0;
  private readonly names: string[] = [];
  /** Bounded: past the cap a new name is stored once per node. */
  private readonly nameIds = new BoundedInterner<number>(10_000);
  /** Per path: its trie node and its suffix (an index into `suffixes`, -1 for none). */
  private readonly pathNode = new Column(new Int32Array(1024));
  private readonly pathSuffix = new Column(new Int32Array(1024));
  private paths = 0;
  private readonly suffixes: string[] = [];
  /** Bounded: past the cap a new suffix is stored once per path. */
  private readonly suffixIds = new BoundedInterner<number>(10_000);
  private last: { path: string; id: number; segs: string[]; nodes: number[] } = { path: '', id: -1, segs: [], nodes: [] };

  /** `gpo`: the id of a GPO whose `{GUID}` is this folder name, -1 for none; `gpoName` its string. */
  constructor(
    private readonly gpo: (s: string) => number,
    private readonly gpoName: (id: number) => string,
  ) {}

  private segment(s: string): number {
    const have = this.nameIds.find(s);
    if (have !== undefined) return have;
    const g = this.gpo(s);
    if (g >= 0) return -2 - g;
    return this.nameIds.add(s, (d) => this.names.push(d) - 1);
  }

  add(path: string): number {
    const last = this.last;
    if (last.id >= 0 && path === last.path) return last.id;
    const all = path.split('/');
    let cut = all.length;
    for (let i = 0; i < all.length; i++) {
      if (this.gpo(all[i]) >= 0) {
        cut = i + 1;
        break;
      }
    }
    const segs = cut < all.length ? all.slice(0, cut) : all;
    let i = 0;
    while (i < segs.length && i < last.segs.length && segs[i] === last.segs[i]) i++;
    const nodes = last.nodes.slice(0, i);
    for (; i < segs.length; i++) {
      const id = this.n++;
      this.parent.ensure(id);
      this.seg.ensure(id);
      this.parent.a[id] = i ? nodes[i - 1] : -1;
      this.seg.a[id] = this.segment(segs[i]);
      nodes.push(id);
    }
    let suffix = -1;
    if (cut < all.length) {
      const text = all.slice(cut).join('/');
      suffix = this.suffixIds.get(text, (d) => this.suffixes.push(d) - 1);
    }
    const id = this.paths++;
    this.pathNode.ensure(id);
    this.pathSuffix.ensure(id);
    this.pathNode.a[id] = nodes[nodes.length - 1];
    this.pathSuffix.a[id] = suffix;
    this.last = { path, id, segs, nodes };
    return id;
  }

  /**
   * The text of each folder node, made when a path under it is first asked for: the files of a GPO
   * share its `{GUID}` folder's node, and a scan with a topology asks for every file's path twice
   * (the GPO summaries, the located values). Only read paths ask, so a scan without a topology holds
   * none of them.
   */
  private nodeTexts: (string | undefined)[] | undefined;

  private nodeText(node: number): string {
    const texts = (this.nodeTexts ??= []);
    const have = texts[node];
    if (have !== undefined) return have;
    // The nodes above it that have no text yet, then their texts from the top down.
    const up: number[] = [];
    let x = node;
    for (; x >= 0 && texts[x] === undefined; x = this.parent.a[x]) up.push(x);
    let text = x >= 0 ? (texts[x] as string) : undefined;
    for (let i = up.length - 1; i >= 0; i--) {
      const sg = this.seg.a[up[i]];
      const name = sg >= 0 ? this.names[sg] : this.gpoName(-2 - sg);
      text = text === undefined ? name : `${text}/${name}`;
      texts[up[i]] = text;
    }
    return text as string;
  }

  get(id: number): string {
    const sf = this.pathSuffix.a[id];
    const dir = this.nodeText(this.pathNode.a[id]);
    return sf >= 0 ? `${dir}/${this.suffixes[sf]}` : dir;
  }
}

/**
 * The two-bit codes of an observation's extension, status and state, in this order: one list for
 * every store of observations (this one and the language server's packed files), so they cannot
 * drift apart. Each has four members, so each fits two bits.
 */
export const OBSERVATION_CODES = {
  extensions: ['registry', 'security', 'gpp', 'none'],
  statuses: ['hardened', 'weak', 'unknown', 'deleted'],
  states: ['set', 'deleted', 'disabled', 'conditional'],
} as const;
/** Compiles only when `T` is never: a member of a union missing from its code list is an error here. */
type NoneMissing<T extends never> = T;
export type ObservationCodesComplete = [
  NoneMissing<Exclude<Extension, (typeof OBSERVATION_CODES.extensions)[number]>>,
  NoneMissing<Exclude<Observation['status'], (typeof OBSERVATION_CODES.statuses)[number]>>,
  NoneMissing<Exclude<SettingState, (typeof OBSERVATION_CODES.states)[number]>>,
];
const EXTS: readonly Extension[] = OBSERVATION_CODES.extensions;
const STATUSES: readonly Observation['status'][] = OBSERVATION_CODES.statuses;
const STATES: readonly SettingState[] = OBSERVATION_CODES.states;
// Flag bits of a row: extension (2), status (2), state (2), read from a report, position is a byte
// offset, RSoP loser, has a position, the value column holds the value itself (a 32-bit integer).
const F_REPORT = 1 << 6;
const F_OFFSET = 1 << 7;
const F_SHADOWED = 1 << 8;
const F_HASPOS = 1 << 9;
const F_INT = 1 << 10;
/** `value` column when the value is null. */
const V_NULL = -1;

interface Groups {
  /** Per group (one GPO and rule): its rule, the row per extension (-1: none), where its RSoP losers start. */
  rule: Uint16Array;
  ext: Int32Array;
  loserStart: Int32Array;
  losers: Int32Array;
  /** Per GPO: its first group. */
  gpoStart: Int32Array;
}

/** Each row's GPO, from the runs (a run: rows of one file and GPO in a row). */
function rowGpos(n: number, runRow: Int32Array, runGpo: Int32Array, nRuns: number): Int32Array {
  const gpoCol = new Int32Array(n);
  for (let k = 0; k < nRuns; k++) gpoCol.fill(runGpo[k], runRow[k], k + 1 < nRuns ? runRow[k + 1] : n);
  return gpoCol;
}

/** Whether the grouped row at `i` starts a group: the first row, or another GPO or rule than the row before. */
function startsGroup(rows: Int32Array, i: number, gpoCol: Int32Array, ruleCol: Uint16Array): boolean {
  return i === 0 || gpoCol[rows[i]] !== gpoCol[rows[i - 1]] || ruleCol[rows[i]] !== ruleCol[rows[i - 1]];
}

function countGroups(rows: Int32Array, gpoCol: Int32Array, ruleCol: Uint16Array): number {
  let groups = 0;
  for (let i = 0; i < rows.length; i++) if (startsGroup(rows, i, gpoCol, ruleCol)) groups++;
  return groups;
}

function countLosers(rows: Int32Array, flagCol: Uint16Array): number {
  let losers = 0;
  for (let i = 0; i < rows.length; i++) if (flagCol[rows[i]] & F_SHADOWED) losers++;
  return losers;
}

/**
 * The groups (one per GPO and rule) of the grouped rows: per extension the row it writes (the last
 * in arrival order, where a policy file beats a later report of the same GPO), the RSoP losers, and
 * where each GPO's groups start.
 */
function makeGroups(rows: Int32Array, gpoCol: Int32Array, ruleCol: Uint16Array, flagCol: Uint16Array, gpos: number): Groups {
  const n = rows.length;
  const groups = countGroups(rows, gpoCol, ruleCol);
  const nLosers = countLosers(rows, flagCol);
  const rule = new Uint16Array(groups);
  const ext = new Int32Array(groups * 3).fill(-1);
  const loserStart = new Int32Array(groups + 1);
  const losers = new Int32Array(nLosers);
  const gpoStart = new Int32Array(gpos + 1);
  let g = -1;
  let k = -1;
  let l = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const gpo = gpoCol[r];
    if (startsGroup(rows, i, gpoCol, ruleCol)) {
      k++;
      while (g < gpo) gpoStart[++g] = k;
      rule[k] = ruleCol[r];
      loserStart[k] = l;
    }
    const f = flagCol[r];
    if (f & F_SHADOWED) {
      losers[l++] = r;
      continue;
    }
    const x = f & 3;
    if (x > 2) continue;
    const had = ext[k * 3 + x];
    if (had < 0 || !(f & F_REPORT) || flagCol[had] & F_REPORT) ext[k * 3 + x] = r;
  }
  while (g < gpos) gpoStart[++g] = k + 1;
  loserStart[groups] = l;
  return { rule, ext, loserStart, losers, gpoStart };
}

/**
 * The observations of a policy set in columns (typed arrays, one row of 12 bytes per value a GPO
 * writes): the effective policy needs per GPO and rule the value each extension writes and the
 * RSoP losers; nothing reads the key path or value name again (the rule has them), and values of
 * files outside any GPO are in no scope, so neither is kept. 55,000 GPOs stay near 12 MB.
 */
export class ObservationStore {
  private size = 0;
  private readonly ruleCol = new Column(new Uint16Array(1024));
  /** Rows arrive file by file, GPO by GPO: runs of rows of one file and GPO (where each starts, its GPO and path). */
  private readonly runRow = new Column(new Int32Array(1024));
  private readonly runGpo = new Column(new Int32Array(1024));
  private readonly runPath = new Column(new Int32Array(1024));
  private nRuns = 0;
  private readonly posCol = new Column(new Int32Array(1024));
  private readonly flagCol = new Column(new Uint16Array(1024));
  /** The value itself (F_INT), else an index into `values` (V_NULL: null). */
  private readonly valCol = new Column(new Int32Array(1024));
  /** Conditions are rare (GPP item-level targeting): by row. */
  private readonly condOf = new Map<number, string>();
  private readonly values: RegData[] = [];
  /** Bounded: past the cap every new value is stored on its own. */
  private readonly valueIds = new BoundedInterner<number>(100_000);
  private readonly conds = new BoundedInterner(10_000);
  readonly ruleIds: string[] = [];
  /** Rule ids come from the catalog: never forgotten (`ruleRef` answers from it). */
  private readonly ruleIndex = new BoundedInterner<number>(Infinity);
  readonly gpoIds: string[] = [];
  private groups?: Groups;

  /** `find`: the number of a GPO given to `addGpo` (the builder's map of GPOs is the index: no second map). */
  constructor(private readonly find: (guid: string) => number | undefined) {}

  /** Numbers a new GPO. */
  addGpo(guid: string): number {
    this.gpoIds.push(guid);
    return this.gpoIds.length - 1;
  }

  /** The rule's id in this store, -1 when no row has it. */
  ruleRef(ruleId: string): number {
    return this.ruleIndex.find(ruleId) ?? -1;
  }

  /** The GPO's id in this store, -1 when no row has it. */
  findGpo(guid: string): number {
    return this.find(guid) ?? -1;
  }

  add(o: Observation, gpo: number, pathId: number): void {
    if (this.groups) throw new Error('the observation store is sealed');
    const r = this.size++;
    for (const c of [this.ruleCol, this.posCol, this.flagCol, this.valCol]) c.ensure(r);
    const last = this.nRuns - 1;
    if (last < 0 || this.runPath.a[last] !== pathId || this.runGpo.a[last] !== gpo) {
      const k = this.nRuns++;
      for (const c of [this.runRow, this.runGpo, this.runPath]) c.ensure(k);
      this.runRow.a[k] = r;
      this.runGpo.a[k] = gpo;
      this.runPath.a[k] = pathId;
    }
    this.ruleCol.a[r] = this.ruleIndex.get(o.ruleId, (d) => this.ruleIds.push(d) - 1);
    let flags = EXTS.indexOf(o.extension) | (Math.max(0, STATUSES.indexOf(o.status)) << 2) | (Math.max(0, STATES.indexOf(o.state)) << 4);
    if (o.format === 'gpo-report-xml' || o.format === 'rsop-xml') flags |= F_REPORT;
    if (o.offset !== undefined) {
      flags |= F_OFFSET | F_HASPOS;
      this.posCol.a[r] = o.offset;
    } else if (o.line !== undefined) {
      flags |= F_HASPOS;
      this.posCol.a[r] = o.line;
    }
    if (o.shadowed) flags |= F_SHADOWED;
    const v = o.value;
    if (typeof v === 'number' && (v | 0) === v && !Object.is(v, -0)) {
      flags |= F_INT;
      this.valCol.a[r] = v;
    } else if (v === null || v === undefined) {
      this.valCol.a[r] = V_NULL;
    } else {
      const k = typeof v === 'number' ? `n${v}` : typeof v === 'string' ? `s${v}` : JSON.stringify(v);
      this.valCol.a[r] = this.valueIds.get(k, () => this.values.push(typeof v === 'string' ? detach(v) : typeof v === 'number' ? v : v.map(detach)) - 1);
    }
    this.flagCol.a[r] = flags;
    if (o.condition) {
      this.condOf.set(r, this.conds.get(o.condition, same));
    }
  }

  /** How many rows the store holds. */
  get rowCount(): number {
    return this.size;
  }

  /** Whether `seal` has grouped the rows (the store then takes no more). */
  get sealed(): boolean {
    return !!this.groups;
  }

  /**
   * Groups the rows per GPO and rule, and keeps per extension the value that extension writes (the
   * last in arrival order, where a policy file beats a later report of the same GPO).
   */
  seal(): void {
    if (this.groups) return;
    const n = this.size;
    for (const c of [this.ruleCol, this.posCol, this.flagCol, this.valCol]) c.trim(n);
    for (const c of [this.runRow, this.runGpo, this.runPath]) c.trim(this.nRuns);
    // Each loop is in a function of its own (here and in `countingSort`): `seal` runs once per scan,
    // so its loops run as on-stack replacement code, and in one function the code made for the
    // first loop was dropped at the next loop it had not seen run, which then ran in the
    // interpreter until it was compiled again (bench/README.md, wave 12).
    const gpoCol = rowGpos(n, this.runRow.a, this.runGpo.a, this.nRuns);
    // By GPO, then rule, then arrival: sorted by rule, then (stably) by GPO.
    const rows = countingSort(gpoCol, this.gpoIds.length, countingSort(this.ruleCol.a, this.ruleIds.length).order).order;
    this.groups = makeGroups(rows, gpoCol, this.ruleCol.a, this.flagCol.a, this.gpoIds.length);
    // Only `seal` needed the rule column.
    this.ruleCol.a = new Uint16Array(0);
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

  /** Calls `fn` with each rule a GPO writes (or has RSoP losers for), as store rule ids, in store order. */
  eachRule(gpo: number, fn: (rule: number) => void): void {
    const gr = this.groups;
    if (!gr || gpo < 0 || gpo >= gr.gpoStart.length - 1) return;
    for (let i = gr.gpoStart[gpo]; i < gr.gpoStart[gpo + 1]; i++) fn(gr.rule[i]);
  }

  /** The group of a GPO and rule (what `slot` and `losersStart` read), -1 for none. */
  groupOf(gpo: number, rule: number): number {
    return this.group(gpo, rule);
  }

  /** The row an extension (0 registry, 1 security, 2 gpp) writes in a group, -1 for none. */
  slot(group: number, ext: number): ObsRef {
    return (this.groups as Groups).ext[group * 3 + ext];
  }

  /** Where the RSoP losers of a group start and end (`loserAt` reads them): no array to fill per group. */
  losersStart(group: number): number {
    return (this.groups as Groups).loserStart[group];
  }

  losersEnd(group: number): number {
    return (this.groups as Groups).loserStart[group + 1];
  }

  loserAt(j: number): ObsRef {
    return (this.groups as Groups).losers[j];
  }

  /** The row each extension (registry, security, gpp) writes for a GPO and rule, -1 for none. */
  written(gpo: number, rule: number, ext: 0 | 1 | 2): ObsRef {
    const i = this.group(gpo, rule);
    return i < 0 ? -1 : (this.groups as Groups).ext[i * 3 + ext];
  }


  /** The run a row is in: the last run that starts at or before it. */
  private runOf(r: ObsRef): number {
    const starts = this.runRow.a;
    let lo = 0;
    let hi = this.nRuns - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= r) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  gpoOf(r: ObsRef): string {
    return this.gpoIds[this.runGpo.a[this.runOf(r)]];
  }
  pathId(r: ObsRef): number {
    return this.runPath.a[this.runOf(r)];
  }
  extension(r: ObsRef): Extension {
    return EXTS[this.flagCol.a[r] & 3];
  }
  status(r: ObsRef): Observation['status'] {
    return STATUSES[(this.flagCol.a[r] >> 2) & 3];
  }
  state(r: ObsRef): SettingState {
    return STATES[(this.flagCol.a[r] >> 4) & 3];
  }
  shadowed(r: ObsRef): boolean {
    return (this.flagCol.a[r] & F_SHADOWED) !== 0;
  }
  line(r: ObsRef): number | undefined {
    const f = this.flagCol.a[r];
    return f & F_HASPOS && !(f & F_OFFSET) ? this.posCol.a[r] : undefined;
  }
  offset(r: ObsRef): number | undefined {
    return this.flagCol.a[r] & F_OFFSET ? this.posCol.a[r] : undefined;
  }
  value(r: ObsRef): RegData {
    const v = this.valCol.a[r];
    return this.flagCol.a[r] & F_INT ? v : v === V_NULL ? null : this.values[v];
  }
  /** Whether two rows hold the same value (the JSON text of the values, as judged before). */
  sameValue(a: ObsRef, b: ObsRef): boolean {
    const fa = this.flagCol.a[a] & F_INT;
    const fb = this.flagCol.a[b] & F_INT;
    if (fa && fb) return this.valCol.a[a] === this.valCol.a[b];
    if (!fa && !fb && this.valCol.a[a] === this.valCol.a[b]) return true;
    return JSON.stringify(this.value(a)) === JSON.stringify(this.value(b));
  }
  condition(r: ObsRef): string | undefined {
    return this.condOf.get(r);
  }
  get rows(): number {
    return this.size;
  }
}

export class PolicySetBuilder {
  private readonly gpos = new Map<string, PolicyGpo>();
  private readonly store = new ObservationStore((guid) => this.gpos.get(guid)?.ref);
  // A GPO folder's name is its `{GUID}`: the GPO id string is already held.
  private readonly paths = new PathTable(
    (s) => (s.length === 38 && s[0] === '{' ? this.store.findGpo(s) : -1),
    (id) => this.store.gpoIds[id],
  );
  /** The GPO files: (GPO, path) pairs in scan order. */
  private readonly fileGpo = new Column(new Int32Array(1024));
  private readonly filePath = new Column(new Int32Array(1024));
  private files = 0;
  /** One copy of each repeated fact string (names, SOM paths, trustees). Bounded. */
  private readonly strings = new BoundedInterner(50_000);

  private intern(s: string): string {
    return this.strings.get(s, same);
  }

  /** Names are mostly different, but a few ("New Group Policy Object") repeat thousands of times: a small table. */
  private readonly names = new BoundedInterner(2048);
  private name(s: string): string {
    return this.names.get(s, same);
  }

  private gpo(guid: string): PolicyGpo {
    let g = this.gpos.get(guid);
    if (!g) {
      const d = detach(guid);
      g = { guid: d, linksKnown: false, ref: this.store.addGpo(d) };
      this.gpos.set(d, g);
    }
    return g;
  }

  add(rec: FilePolicy): void {
    const touched = new Set<string>();
    for (const f of rec.gpos) {
      const g = this.gpo(f.guid);
      touched.add(g.guid);
      if (!g.name && f.name) g.name = this.name(f.name);
      if (f.computerEnabled === false || (g.computerEnabled === undefined && f.computerEnabled !== undefined)) g.computerEnabled = f.computerEnabled;
      // Named by a report before Backup.xml, as a report file's own finding names it (policy/nowhere.ts).
      if (f.computerEnabled === false && (!g.computerOff || (g.computerOff === 'backup' && !f.from))) g.computerOff = f.from ?? 'report';
      if (f.links) {
        g.linksKnown = true;
        // Loops, not spreads of mapped arrays: their element kind changed from file to file, which
        // sent this method back to the optimizing compiler (bench/README.md, wave 10).
        const had = g.links;
        const seen = new Set<string>();
        const links: NonNullable<PolicyGpo['links']> = [];
        if (had) for (const l of had) {
          seen.add(l.som.toLowerCase());
          links.push(l);
        }
        for (const l of f.links) {
          if (seen.has(l.som.toLowerCase())) continue;
          links.push(l.somName ? { som: this.intern(l.som), somName: this.intern(l.somName), enabled: l.enabled, enforced: l.enforced } : { som: this.intern(l.som), enabled: l.enabled, enforced: l.enforced });
        }
        g.links = links;
      }
      if (f.applyTrustees && !g.applyTrustees) {
        g.applyTrustees = { allow: f.applyTrustees.allow.map((t) => this.trustee(t)), deny: f.applyTrustees.deny.map((t) => this.trustee(t)), ...(f.applyTrustees.complete ? { complete: true } : {}) };
        g.trusteesFrom = f.from ?? 'report';
      }
      if (f.securityUnknown && !g.securityUnknown) g.securityUnknown = this.intern(f.securityUnknown);
      if (f.wmiFilter && !g.wmiFilter) g.wmiFilter = this.intern(f.wmiFilter);
      if (f.rsopNotApplied) g.rsopNotApplied = [...(g.rsopNotApplied ?? []), ...f.rsopNotApplied.map((x) => ({ path: this.intern(x.path), reason: this.intern(x.reason) }))];
    }
    // Values outside any GPO are in no scope: nothing reads them from the set.
    for (const o of rec.observations) if (o.gpo) touched.add(this.gpo(o.gpo).guid);
    if (!touched.size) return;
    // After the GPOs are known, so the path's `{GUID}` folder shares the GPO's string.
    const pathId = this.paths.add(rec.path);
    for (const guid of touched) {
      const i = this.files++;
      this.fileGpo.ensure(i);
      this.filePath.ensure(i);
      this.fileGpo.a[i] = (this.gpos.get(guid) as PolicyGpo).ref;
      this.filePath.a[i] = pathId;
    }
    for (const o of rec.observations) if (o.gpo) this.store.add(o, this.gpo(o.gpo).ref, pathId);
  }

  private trustee(t: Trustee): Trustee {
    return { ...(t.sid ? { sid: this.intern(t.sid) } : {}), ...(t.name ? { name: this.intern(t.name) } : {}) };
  }

  /**
   * The set. Its observation store is sealed (grouped by GPO and rule) when it is first read: a scan
   * without a topology, whose set gives no scope, never reads it and so never pays for the grouping,
   * which on a large tree allocates tens of MB at the very end of the scan.
   */
  build(): PolicySet {
    this.fileGpo.trim(this.files);
    this.filePath.trim(this.files);
    const paths = this.paths;
    const store = this.store;
    const fileGpo = this.fileGpo.a;
    const filePath = this.filePath.a;
    // Per GPO, its file rows, found on first use.
    let byGpo: Int32Array | undefined;
    let starts: Int32Array | undefined;
    const filesOf = (guid: string): string[] => {
      const g = store.findGpo(guid);
      if (g < 0) return [];
      if (!byGpo || !starts) ({ order: byGpo, starts } = countingSort(fileGpo, store.gpoIds.length));
      const out: string[] = [];
      for (let j = starts[g]; j < starts[g + 1]; j++) {
        const p = paths.get(filePath[byGpo[j]]);
        if (!out.includes(p)) out.push(p);
      }
      return out;
    };
    return {
      gpos: this.gpos,
      get store() {
        store.seal();
        return store;
      },
      path: (id) => paths.get(id),
      filesOf,
    };
  }
}

/**
 * What the topology says about whether GPOs reach any machine, as plain data (it crosses to worker
 * threads): the GPOs with at least one enabled link, and per GPO the topology's facts that can make
 * it apply nowhere (judged with the GPO's own facts by `appliesNowhereReason`).
 */
export interface TopologyReach {
  /**
   * The linked GPOs' `{GUID}`s, one per line: one string, because this object is copied to the
   * worker threads with every batch of files, and one string copies far faster than thousands.
   */
  linked: string;
  /** Only GPOs the topology says something of: computer side off (GPC flags), version, trustees that exclude every computer, links all disabled, container missing. */
  facts: Record<string, TopologyGpoFacts>;
}

export interface TopologyGpoFacts {
  computerOff?: true;
  version?: string;
  /** The GPC's trustees, kept only when they exclude every computer. */
  trustees?: ApplyTrustees;
  /** Linked, but every link is disabled. */
  linksDisabled?: true;
  /** Linked only where an LDIF export lacks its group policy container (while it holds the others of its domain): every link is dropped. */
  containerMissing?: true;
}

/**
 * A reach as sets to look GPOs up in: the GUID of each file is a new string, and a lookup of one
 * as a property name of `facts` first looks for it among the engine's internalized strings, which
 * cost more than the rest of the file's applies-nowhere check (bench/README.md, wave 11).
 */
interface ReachIndex {
  linked: Set<string>;
  facts: Map<string, TopologyGpoFacts>;
}

/** The index of the last reach asked for: a scan asks with one reach for every file. */
let last: { reach: TopologyReach; index: ReachIndex } | undefined;

function reachIndex(reach: TopologyReach): ReachIndex {
  if (last?.reach === reach) return last.index;
  // A worker gets a new copy of the same reach with each batch: its set of linked GPOs is kept
  // while the text is the same (the facts are the few GPOs the topology says something of).
  const linked = last && last.reach.linked === reach.linked ? last.index.linked : new Set(reach.linked ? reach.linked.split('\n') : []);
  last = { reach, index: { linked, facts: new Map(Object.entries(reach.facts)) } };
  return last.index;
}

/**
 * The info findings of a file whose GPO(s) apply nowhere, and which settings to leave out of
 * coverage. A report says it per GPO (its `Computer/Enabled` and `<LinksTo>`); a SYSVOL or backup
 * file through its folder's identity (Backup.xml `Options`) and the topology. `reasons`: the why
 * of each such GPO, as the findings say it.
 */
export function appliesNowhereFindings(file: ParsedFile, identity: GpoIdentity | undefined, reach?: TopologyReach): { findings: Finding[]; skip: (s: Setting) => boolean; reasons: Map<string, string> } {
  const reasons = new Map<string, { why: string; name?: string; span: Span }>();
  const own = normGuid(identity?.guid);
  const judged = new Set<string>();
  for (const g of file.reportGpos ?? []) {
    const f = factsOfRef(g);
    if (!f) continue;
    judged.add(f.guid);
    const why = appliesNowhereReason(ownFacts(f, f.guid === own ? identity : undefined, reach, f.guid))?.why;
    if (why) reasons.set(f.guid, { why, ...(f.name ? { name: f.name } : {}), span: g.span ?? { start: 0, end: 0 } });
  }
  if (own && !judged.has(own)) {
    const why = appliesNowhereReason(ownFacts(undefined, identity, reach, own))?.why;
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
  // The same reasons by GPO (`{GUID}` → why), for outputs that say them beside a value (the editor).
  const whys = new Map<string, string>();
  for (const [guid, r] of reasons) whys.set(guid, r.why);
  return { findings, skip, reasons: whys };
}
