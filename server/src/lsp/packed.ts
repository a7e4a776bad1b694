/**
 * What the workspace model keeps of one GPO export between passes, packed: the file's policy
 * observations (with the editor range of each value) and its coverage records as rows of numbers
 * in one Int32Array, their strings (and the GPO facts, the same for every file of a GPO) in a pool
 * shared by the files of a pass. The model needs
 * them again only to re-add the set after an edit of one open document (`updateDomain`) and to map
 * a core location (`L<line>` / `O<offset>`) to a range; everything else is computed on request.
 *
 * Why packed: kept as objects, the 5,500-GPO bench tree's 73,000 observations and 58,000 coverage
 * records took about 87 MB, most of it the files' whole texts, kept alive by the parsers' slices
 * (a value or a name is a slice of its file's text, and V8 keeps the parent of a sliced string).
 * Every string here is a copy, so no text outlives its pass.
 */
import type { Position, Range } from 'vscode-languageserver';
import { OBSERVATION_CODES } from '../core';
import type { CoverageSource, Extension, FileFormat, FilePolicy, GpoFacts, Observation, RegData, SettingState } from '../core';

// The core's codes (one list for every store of observations).
const EXTS: readonly Extension[] = OBSERVATION_CODES.extensions;
const STATUSES: readonly Observation['status'][] = OBSERVATION_CODES.statuses;
const STATES: readonly SettingState[] = OBSERVATION_CODES.states;

// Flag bits: extension (bits 0-1), status (2-3), state (4-5), then these.
const F_OFFSET = 1 << 6;
const F_HASPOS = 1 << 7;
const F_SHADOWED = 1 << 8;
const F_COUNTED = 1 << 9;
const V_SHIFT = 10;
// Value kinds (bits 10-12): the value column holds the integer itself, nothing, or a pool id of the
// string, of the number's text, or of the JSON of a string list.
const V_INT = 0;
const V_NULL = 1;
const V_STRING = 2;
const V_NUMBER = 3;
const V_LIST = 4;

/** Columns of an observation row. */
const O_RULE = 0;
const O_GPO = 1;
const O_POS = 2;
const O_FLAGS = 3;
const O_VALUE = 4;
const O_COND = 5;
const O_KEY = 6;
const O_NAME = 7;
const O_RANGE = 8;
export const OBS_WIDTH = 12;
/** Columns of a coverage row. */
const S_RULE = 0;
const S_POS = 1;
const S_FLAGS = 2;
const S_VALUE = 3;
const S_GPO = 4;
export const SRC_WIDTH = 5;

/** A copy that shares no memory with a larger string (see the header). */
function copy(s: string): string {
  return s.length <= 12 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/**
 * Strings of a pass, each stored once (rule ids, keys, value names, GPO ids and names, values).
 * A full pass starts a new pool; an edit of an open document adds its new strings to the pool of
 * the pass it updates.
 */
export class StringPool {
  private readonly list: string[];
  private readonly ids = new Map<string, number>();
  /** `seed`: strings of a pool this one continues (copies already, distinct), with the same ids. */
  constructor(seed: readonly string[] = []) {
    this.list = seed.slice();
    for (let i = 0; i < this.list.length; i++) this.ids.set(this.list[i], i);
  }
  private readonly facts = new Map<string, GpoFacts[]>();
  /** A copy of a file's GPO facts, shared with every file whose facts are the same. */
  gpoFacts(gpos: readonly GpoFacts[]): GpoFacts[] {
    const k = JSON.stringify(gpos);
    let have = this.facts.get(k);
    if (!have) this.facts.set(k, (have = JSON.parse(k) as GpoFacts[]));
    return have;
  }
  id(s: string): number {
    const have = this.ids.get(s);
    if (have !== undefined) return have;
    const d = copy(s);
    this.list.push(d);
    this.ids.set(d, this.list.length - 1);
    return this.list.length - 1;
  }
  /** The id of `s`, -1 when the pool does not hold it (nothing is added). */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }
  opt(s: string | undefined): number {
    return s === undefined ? -1 : this.id(s);
  }
  get(id: number): string {
    return this.list[id];
  }
  get size(): number {
    return this.list.length;
  }
  /** Every string by id (read-only: a built index keeps it and looks ids up directly). */
  get strings(): readonly string[] {
    return this.list;
  }
}

/** One GPO export as the model keeps it. */
export interface PackedFile {
  /** Hash of the text the model used (see textHash in domain.ts). */
  hash: number;
  format: FileFormat;
  /** A binary format (Registry.pol): its locations open the `relaylint-pol:` view. */
  binary: boolean;
  /** The text came from the document open in the editor (unsaved edits included). */
  fromEditor: boolean;
  /**
   * The file as last read from disk for the model: the hash of its bytes (bytesHash in domain.ts)
   * and of the text a pass judged from them (textHash). Kept when the editor's text is judged
   * instead, so that closing a document compares the bytes on disk with it, without parsing them.
   * Absent when the model never read the file (open in the editor since before the pass).
   */
  disk?: { bytes: number; text: number };
  /** The bytes read (an open document: its characters), counted against the pass's budget. */
  bytes: number;
  /** The GPOs the file describes (its own folder's, a report's), copied (shared, never changed). */
  gpos: GpoFacts[];
  /**
   * The observation rows (OBS_WIDTH numbers each, in the file policy's order), then the coverage
   * rows (SRC_WIDTH numbers each, in `coverageSources`' order).
   */
  rows: Int32Array;
  /** Number of observation rows. */
  nObs: number;
  /** The file's GPOs that apply nowhere (`{GUID}` → why), as its `gpo.applies-nowhere` findings say; absent: none. */
  nowhere?: Record<string, string>;
}

/** One observation as the editor's queries read it. */
export interface ObsView {
  ruleId: string;
  gpo?: string;
  /** `L<line>` or `O<offset>`: how the core's locations name the value. */
  key: string;
  range: Range;
}

function packValue(v: RegData, pool: StringPool): [number, number] {
  if (v === null || v === undefined) return [V_NULL, 0];
  if (typeof v === 'number') return (v | 0) === v && !Object.is(v, -0) ? [V_INT, v] : [V_NUMBER, pool.id(Object.is(v, -0) ? '-0' : String(v))];
  if (typeof v === 'string') return [V_STRING, pool.id(v)];
  return [V_LIST, pool.id(JSON.stringify(v))];
}

function unpackValue(kind: number, x: number, pool: StringPool): RegData {
  switch (kind) {
    case V_INT:
      return x;
    case V_STRING:
      return pool.get(x);
    case V_NUMBER:
      return Number(pool.get(x));
    case V_LIST:
      return JSON.parse(pool.get(x)) as string[];
    default:
      return null;
  }
}

function baseFlags(status: Observation['status'], state: SettingState, offset: number | undefined, line: number | undefined): number {
  let f = (Math.max(0, STATUSES.indexOf(status)) << 2) | (Math.max(0, STATES.indexOf(state)) << 4);
  if (offset !== undefined) f |= F_OFFSET | F_HASPOS;
  else if (line !== undefined) f |= F_HASPOS;
  return f;
}

/**
 * Packs a file's policy record, the editor range of each observation (`ranges`, same order) and its
 * coverage records.
 */
export function packFile(
  path: string,
  policy: FilePolicy,
  ranges: readonly Range[],
  sources: readonly [string, CoverageSource][],
  meta: { hash: number; binary: boolean; fromEditor: boolean; bytes: number; disk?: PackedFile['disk'] },
  pool: StringPool,
): PackedFile {
  const nObs = policy.observations.length;
  const rows = new Int32Array(nObs * OBS_WIDTH + sources.length * SRC_WIDTH);
  const obs = rows;
  policy.observations.forEach((o, i) => {
    const r = i * OBS_WIDTH;
    const [vk, v] = packValue(o.value, pool);
    obs[r + O_RULE] = pool.id(o.ruleId);
    obs[r + O_GPO] = pool.opt(o.gpo);
    obs[r + O_POS] = o.offset ?? o.line ?? 0;
    obs[r + O_FLAGS] = baseFlags(o.status, o.state, o.offset, o.line) | Math.max(0, EXTS.indexOf(o.extension)) | (o.shadowed ? F_SHADOWED : 0) | (vk << V_SHIFT);
    obs[r + O_VALUE] = v;
    obs[r + O_COND] = pool.opt(o.condition);
    obs[r + O_KEY] = pool.id(o.key);
    obs[r + O_NAME] = pool.id(o.name);
    const g = ranges[i];
    obs[r + O_RANGE] = g.start.line;
    obs[r + O_RANGE + 1] = g.start.character;
    obs[r + O_RANGE + 2] = g.end.line;
    obs[r + O_RANGE + 3] = g.end.character;
  });
  const src = rows;
  const base = nObs * OBS_WIDTH;
  sources.forEach(([ruleId, s], i) => {
    const r = base + i * SRC_WIDTH;
    const [vk, v] = packValue(s.value, pool);
    src[r + S_RULE] = pool.id(ruleId);
    src[r + S_POS] = s.offset ?? s.line ?? 0;
    // A record that is only counted (past the listed sources of a rule in one file) has no path.
    src[r + S_FLAGS] = baseFlags(s.status, s.state, s.offset, s.line) | (s.path === path ? 0 : F_COUNTED) | (vk << V_SHIFT);
    src[r + S_VALUE] = v;
    src[r + S_GPO] = pool.opt(s.gpo);
  });
  const out: PackedFile = { hash: meta.hash, format: policy.format, binary: meta.binary, fromEditor: meta.fromEditor, bytes: meta.bytes, gpos: pool.gpoFacts(policy.gpos), rows, nObs };
  if (meta.disk) out.disk = meta.disk;
  return out;
}

/** Whether the value column of a row with these flags holds a pool id. */
function valueIsId(flags: number): boolean {
  const k = (flags >> V_SHIFT) & 7;
  return k === V_STRING || k === V_NUMBER || k === V_LIST;
}

/** Calls `at(column index)` for every column of the file's rows that holds a pool id (optional ids may be -1). */
function eachId(f: PackedFile, at: (i: number) => void): void {
  const rows = f.rows;
  const end = f.nObs * OBS_WIDTH;
  for (let r = 0; r < end; r += OBS_WIDTH) {
    at(r + O_RULE);
    at(r + O_GPO);
    if (valueIsId(rows[r + O_FLAGS])) at(r + O_VALUE);
    at(r + O_COND);
    at(r + O_KEY);
    at(r + O_NAME);
  }
  for (let r = end; r < rows.length; r += SRC_WIDTH) {
    at(r + S_RULE);
    if (valueIsId(rows[r + S_FLAGS])) at(r + S_VALUE);
    at(r + S_GPO);
  }
}

/** How many of the pool's strings the files use. */
export function liveStrings(files: Iterable<PackedFile>, pool: StringPool): number {
  const mark = new Uint8Array(pool.size);
  let live = 0;
  for (const f of files) {
    const rows = f.rows;
    eachId(f, (i) => {
      const id = rows[i];
      if (id >= 0 && !mark[id]) {
        mark[id] = 1;
        live++;
      }
    });
  }
  return live;
}

/** The file with its strings moved from `from` to `to` (new rows; `f` is left as it was). */
export function repackFile(f: PackedFile, from: StringPool, to: StringPool): PackedFile {
  const rows = f.rows.slice();
  eachId(f, (i) => {
    if (rows[i] >= 0) rows[i] = to.id(from.get(rows[i]));
  });
  return { ...f, rows, gpos: to.gpoFacts(f.gpos) };
}

/** Whether two packings of a file are of the same format and kind and describe the same GPO facts. */
function sameKindAndFacts(a: PackedFile, b: PackedFile): boolean {
  return a.format === b.format && a.binary === b.binary && (a.gpos === b.gpos || JSON.stringify(a.gpos) === JSON.stringify(b.gpos));
}

/**
 * Whether two packings of a file (of one pool) hold the same records: every column but the editor
 * ranges of the observations is equal, and so are the format and the GPO facts.
 */
export function sameExceptRanges(a: PackedFile, b: PackedFile): boolean {
  if (a.nObs !== b.nObs || a.rows.length !== b.rows.length || !sameKindAndFacts(a, b)) return false;
  const end = a.nObs * OBS_WIDTH;
  for (let i = 0; i < a.rows.length; i++) {
    if (i < end && i % OBS_WIDTH >= O_RANGE && i % OBS_WIDTH < O_RANGE + 4) continue;
    if (a.rows[i] !== b.rows[i]) return false;
  }
  return true;
}

/**
 * The rules whose values differ between two packings of a file (of one pool): per rule, its
 * observation rows in order, compared on every column but the editor ranges (value, status, state,
 * line or offset, GPO, condition...). Undefined when more than values changed: the format, the GPO
 * facts, or the GPOs the values name (the policy set's GPOs and their files could then differ).
 */
export function changedRules(a: PackedFile, b: PackedFile, pool: StringPool): Set<string> | undefined {
  if (!sameKindAndFacts(a, b)) return undefined;
  const facts = new Set(a.gpos.map((g) => g.guid));
  const byRule = (f: PackedFile, gpos: Set<number>) => {
    const out = new Map<number, string[]>();
    for (let r = 0; r < f.nObs * OBS_WIDTH; r += OBS_WIDTH) {
      const g = f.rows[r + O_GPO];
      if (g >= 0 && !facts.has(pool.get(g))) gpos.add(g);
      const rule = f.rows[r + O_RULE];
      let l = out.get(rule);
      if (!l) out.set(rule, (l = []));
      l.push(f.rows.subarray(r, r + O_RANGE).join(','));
    }
    return out;
  };
  const ga = new Set<number>();
  const gb = new Set<number>();
  const ra = byRule(a, ga);
  const rb = byRule(b, gb);
  if (ga.size !== gb.size || [...ga].some((g) => !gb.has(g))) return undefined;
  const changed = new Set<string>();
  for (const [rule, rows] of ra) {
    const other = rb.get(rule);
    if (!other || other.length !== rows.length || rows.some((x, i) => x !== other[i])) changed.add(pool.get(rule));
  }
  for (const rule of rb.keys()) if (!ra.has(rule)) changed.add(pool.get(rule));
  return changed;
}

/** The file policy record again (for the policy set of a pass). */
export function unpackPolicy(path: string, f: PackedFile, pool: StringPool): FilePolicy {
  const observations: Observation[] = [];
  const obs = f.rows;
  for (let r = 0; r < f.nObs * OBS_WIDTH; r += OBS_WIDTH) {
    const flags = obs[r + O_FLAGS];
    const o: Observation = {
      ruleId: pool.get(obs[r + O_RULE]),
      path,
      extension: EXTS[flags & 3],
      format: f.format,
      key: pool.get(obs[r + O_KEY]),
      name: pool.get(obs[r + O_NAME]),
      value: unpackValue((flags >> V_SHIFT) & 7, obs[r + O_VALUE], pool),
      state: STATES[(flags >> 4) & 3],
      status: STATUSES[(flags >> 2) & 3],
    };
    if (obs[r + O_GPO] >= 0) o.gpo = pool.get(obs[r + O_GPO]);
    if (flags & F_OFFSET) o.offset = obs[r + O_POS];
    else if (flags & F_HASPOS) o.line = obs[r + O_POS];
    if (obs[r + O_COND] >= 0) o.condition = pool.get(obs[r + O_COND]);
    if (flags & F_SHADOWED) o.shadowed = true;
    observations.push(o);
  }
  return { path, format: f.format, gpos: f.gpos, observations };
}

/** The coverage records again (for the coverage of a pass). */
export function unpackSources(path: string, f: PackedFile, pool: StringPool): [string, CoverageSource][] {
  const out: [string, CoverageSource][] = [];
  const src = f.rows;
  for (let r = f.nObs * OBS_WIDTH; r < src.length; r += SRC_WIDTH) {
    const flags = src[r + S_FLAGS];
    const status = STATUSES[(flags >> 2) & 3];
    const ruleId = pool.get(src[r + S_RULE]);
    if (flags & F_COUNTED) {
      out.push([ruleId, { path: '', value: null, state: 'set', status }]);
      continue;
    }
    const s: CoverageSource = { path, value: unpackValue((flags >> V_SHIFT) & 7, src[r + S_VALUE], pool), state: STATES[(flags >> 4) & 3], status };
    if (flags & F_OFFSET) s.offset = src[r + S_POS];
    else if (flags & F_HASPOS) s.line = src[r + S_POS];
    if (src[r + S_GPO] >= 0) s.gpo = pool.get(src[r + S_GPO]);
    out.push([ruleId, s]);
  }
  return out;
}

/** Number of observation rows. */
export function obsCount(f: PackedFile): number {
  return f.nObs;
}

/** Observation row `i` as the editor's queries read it. */
export function obsAt(f: PackedFile, i: number, pool: StringPool): ObsView {
  const r = i * OBS_WIDTH;
  const obs = f.rows;
  const flags = obs[r + O_FLAGS];
  const pos = obs[r + O_POS];
  const o: ObsView = {
    ruleId: pool.get(obs[r + O_RULE]),
    key: flags & F_OFFSET ? `O${pos}` : `L${flags & F_HASPOS ? pos : 0}`,
    range: { start: { line: obs[r + O_RANGE], character: obs[r + O_RANGE + 1] }, end: { line: obs[r + O_RANGE + 2], character: obs[r + O_RANGE + 3] } },
  };
  if (obs[r + O_GPO] >= 0) o.gpo = pool.get(obs[r + O_GPO]);
  return o;
}

/**
 * Which observation `findObs` looks for: one of rule `ruleId` (when given) whose editor range
 * contains `contains` (a range, or a position) or starts on line `startLine`; of the two location
 * tests, any one given that holds is enough (none given: any location).
 */
export interface ObsQuery {
  ruleId?: string;
  contains?: Range | Position;
  startLine?: number;
}

/**
 * The first observation of the file that `q` asks for. Rows are tested on their columns (the rule
 * as a pool id, the range as four numbers); only the match is made into an `ObsView`.
 */
export function findObs(f: PackedFile, pool: StringPool, q: ObsQuery): ObsView | undefined {
  const rule = q.ruleId === undefined ? -2 : pool.find(q.ruleId);
  // A rule the pool does not hold is on no row.
  if (rule === -1) return undefined;
  const c = q.contains;
  const inner = c === undefined ? undefined : 'start' in c ? c : { start: c, end: c };
  const line = q.startLine;
  const anyLocation = inner === undefined && line === undefined;
  const obs = f.rows;
  const end = f.nObs * OBS_WIDTH;
  for (let r = 0; r < end; r += OBS_WIDTH) {
    if (rule >= 0 && obs[r + O_RULE] !== rule) continue;
    if (!anyLocation) {
      const sl = obs[r + O_RANGE];
      const hit =
        (line !== undefined && sl === line) ||
        (inner !== undefined &&
          // start <= inner.start and inner.end <= end, positions compared as (line, character)
          (sl < inner.start.line || (sl === inner.start.line && obs[r + O_RANGE + 1] <= inner.start.character)) &&
          (inner.end.line < obs[r + O_RANGE + 2] || (inner.end.line === obs[r + O_RANGE + 2] && inner.end.character <= obs[r + O_RANGE + 3])));
      if (!hit) continue;
    }
    return obsAt(f, r / OBS_WIDTH, pool);
  }
  return undefined;
}

/** The range of the first observation at a line (`L<line>`, 0 when it has none) or byte offset (`O<offset>`). */
export function rangeAt(f: PackedFile, offset: boolean, pos: number): Range | undefined {
  const obs = f.rows;
  for (let r = 0; r < f.nObs * OBS_WIDTH; r += OBS_WIDTH) {
    const flags = obs[r + O_FLAGS];
    if (!!(flags & F_OFFSET) !== offset) continue;
    if ((offset || flags & F_HASPOS ? obs[r + O_POS] : 0) !== pos) continue;
    return { start: { line: obs[r + O_RANGE], character: obs[r + O_RANGE + 1] }, end: { line: obs[r + O_RANGE + 2], character: obs[r + O_RANGE + 3] } };
  }
  return undefined;
}
