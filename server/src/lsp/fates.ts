/**
 * What the effective policy says about each value of the workspace (its fate: where it wins, which
 * lines it shadows there, where it is shadowed and by what, where it is in conflict), kept compact
 * from the model's one pass over the scopes per state (domain.ts `indexScopes`).
 *
 * The effective policy is a stream whose scopes are computed again each time they are read (a
 * large domain holds hundreds of thousands of shadowed values). Before, the fates of a document
 * asked about for the first time (a fate-cache miss: a document opened after the pass, a hover on
 * a file not open) took a new pass over every scope. Now the pass keeps, per scope and rule, the
 * deciding value, the live shadowed values and the conflicting writers as numbers (each distinct
 * location once, in a table), and a miss is a scan of those numbers: on the 5,500-GPO bench tree
 * about 36,000 results, 135,000 references and 54,000 locations, a few MB of Int32Array.
 */
import { Column, type EffectiveEntry, type ScopeResult } from '../core';
import { StringPool } from './packed';

type Located = NonNullable<EffectiveEntry['winner']>;

export interface Fate {
  wins: { som: string; condition?: string }[];
  /** Lines this value shadows where it wins. */
  over: { som: string; loc: Located }[];
  shadowedBy: { som: string; winner?: Located; enforced: boolean }[];
  conflict: string[];
}

/** The key of a value within its file: its offset (Registry.pol) or its line. */
export function keyOf(l: { line?: number; offset?: number }): string {
  return l.offset !== undefined ? `O${l.offset}` : `L${l.line ?? 0}`;
}

/** Per location: path, which of line (1) and offset (2) it has, line, offset, GPO (-1 none), value as JSON (-1 none). */
const LOC_COLS = 6;
/** Per result: scope, rule, winner location (-1 none), condition (-1 none), winner enforced, first shadowed ref, first writer ref, end of its refs. */
const ENTRY_COLS = 8;

/** The fates of one pass, read-only once built. */
export class FateIndex {
  constructor(
    readonly soms: readonly string[],
    readonly strings: readonly string[],
    readonly locs: Int32Array,
    readonly entries: Int32Array,
    readonly refs: Int32Array,
    /** Strings and locations of the last build from a whole pass (SPLICE_SLACK). */
    readonly base: { strings: number; locs: number } = { strings: strings.length, locs: locs.length / LOC_COLS },
  ) {}

  /** Bytes of the packed columns (the strings aside). */
  get packedBytes(): number {
    return this.locs.byteLength + this.entries.byteLength + this.refs.byteLength;
  }

  /** The fates of the values of `paths`, by path, then by `key\0ruleId` (every path gets a map, empty when none of its values is in a scope). */
  fatesOf(paths: ReadonlySet<string>): Map<string, Map<string, Fate>> {
    const out = new Map<string, Map<string, Fate>>();
    for (const p of paths) out.set(p, new Map());
    if (!paths.size) return out;
    const { strings, locs, entries, refs } = this;
    // Which locations are of a wanted file: decided once per path string.
    const wantedPath = new Map<number, boolean>();
    const wanted = (loc: number) => {
      const p = locs[loc * LOC_COLS];
      let w = wantedPath.get(p);
      if (w === undefined) wantedPath.set(p, (w = paths.has(strings[p])));
      return w;
    };
    const located = new Map<number, Located>();
    const locOf = (loc: number): Located => {
      let l = located.get(loc);
      if (!l) {
        const at = loc * LOC_COLS;
        const gpo = locs[at + 4];
        const value = locs[at + 5];
        l = { path: strings[locs[at]] };
        if (gpo >= 0) l.gpo = strings[gpo];
        if (locs[at + 1] & 1) l.line = locs[at + 2];
        if (locs[at + 1] & 2) l.offset = locs[at + 3];
        if (value >= 0) l.value = JSON.parse(strings[value]) as Located['value'];
        located.set(loc, l);
      }
      return l;
    };
    const fate = (loc: number, ruleId: string): Fate => {
      const l = locOf(loc);
      const m = out.get(l.path) as Map<string, Fate>;
      const k = `${keyOf(l)}\u0000${ruleId}`;
      let f = m.get(k);
      if (!f) m.set(k, (f = { wins: [], over: [], shadowedBy: [], conflict: [] }));
      return f;
    };
    for (let e = 0; e < entries.length; e += ENTRY_COLS) {
      const som = this.soms[entries[e]];
      const ruleId = strings[entries[e + 1]];
      const winner = entries[e + 2];
      const shadowStart = entries[e + 5];
      const writersStart = entries[e + 6];
      const end = entries[e + 7];
      if (winner >= 0 && wanted(winner)) {
        const condition = entries[e + 3];
        const f = fate(winner, ruleId);
        f.wins.push({ som, ...(condition >= 0 ? { condition: strings[condition] } : {}) });
        for (let r = shadowStart; r < writersStart; r++) f.over.push({ som, loc: locOf(refs[r]) });
      }
      for (let r = shadowStart; r < writersStart; r++) {
        if (!wanted(refs[r])) continue;
        fate(refs[r], ruleId).shadowedBy.push({ som, ...(winner >= 0 ? { winner: locOf(winner) } : {}), enforced: entries[e + 4] === 1 });
      }
      for (let r = writersStart; r < end; r++) if (wanted(refs[r])) fate(refs[r], ruleId).conflict.push(som);
    }
    return out;
  }
}

/**
 * Strings or locations an index continued by edits (FateIndexBuilder.continuing) may hold beyond
 * twice those of its last whole build (dead ones of values edited away) before it is built anew.
 */
export const SPLICE_SLACK = 4096;

/** Whether a table continued by edits (`now` entries) has outgrown its last whole build (`base`): then a whole pass makes it anew. */
export function outgrown(now: number, base: number): boolean {
  return now > 2 * base + SPLICE_SLACK;
}

/** A column of at least 1,024 values that doubles when full. */
function column(capacity: number): Column<Int32Array> {
  return new Column(new Int32Array(Math.max(1024, capacity)), 2);
}

/** Takes the scopes of one pass over the effective-policy stream, one at a time, and keeps the fates of their values. */
export class FateIndexBuilder {
  private readonly soms: string[] = [];
  /** Each distinct text once (columns hold its number): the pool the packed files use. */
  private readonly strings: StringPool;
  private readonly locIds = new Map<string, number>();
  /** The stream shares a Located between the scopes it appears in: known ones are found without building a key. */
  private readonly seen = new WeakMap<Located, number>();
  private readonly locs: Column<Int32Array>;
  private readonly entries: Column<Int32Array>;
  private readonly refs: Column<Int32Array>;

  /** The sizes of the last whole build, when this builder continues one (`continuing`). */
  private base?: { strings: number; locs: number };

  /** `resultsHint`: the scope results to expect (scopes × rules), so the columns seldom grow. `strings`: a pool to continue. */
  constructor(resultsHint = 0, strings: readonly string[] = []) {
    this.strings = new StringPool(strings);
    this.entries = column(resultsHint * ENTRY_COLS);
    this.refs = column(resultsHint * 4);
    this.locs = column(resultsHint * LOC_COLS);
  }

  private loc(l: Located): number {
    const known = this.seen.get(l);
    if (known !== undefined) return known;
    const value = l.value === undefined ? -1 : this.strings.id(JSON.stringify(l.value));
    const gpo = l.gpo === undefined ? -1 : this.strings.id(l.gpo);
    const path = this.strings.id(l.path);
    const has = (l.line !== undefined ? 1 : 0) | (l.offset !== undefined ? 2 : 0);
    const k = `${path},${has},${l.line ?? 0},${l.offset ?? 0},${gpo},${value}`;
    let id = this.locIds.get(k);
    if (id === undefined) {
      id = this.locs.length / LOC_COLS;
      this.locIds.set(k, id);
      this.locs.pushAll([path, has, l.line ?? 0, l.offset ?? 0, gpo, value]);
    }
    this.seen.set(l, id);
    return id;
  }

  scope(s: ScopeResult): void {
    const scope = this.soms.length;
    this.soms.push(s.som);
    const enforced = enforcedIn(s);
    for (const e of s.effective) this.entry(scope, e, enforced);
  }

  private entry(scope: number, e: EffectiveEntry, enforcedOf: () => Set<string>): void {
    const live = e.shadowed.filter((x) => !x.rsop);
    const writers = e.writers ?? [];
    if (!e.winner && !live.length && !writers.length) return;
    const enforced = e.winner?.gpo && enforcedOf().has(e.winner.gpo) ? 1 : 0;
    const winner = e.winner ? this.loc(e.winner) : -1;
    const condition = e.winner && e.condition ? this.strings.id(e.condition) : -1;
    const shadowStart = this.refs.length;
    for (const x of live) this.refs.push(this.loc(x));
    const writersStart = this.refs.length;
    for (const x of writers) this.refs.push(this.loc(x));
    this.entries.pushAll([scope, this.strings.id(e.ruleId), winner, condition, enforced, shadowStart, writersStart, this.refs.length]);
  }

  /** The index this builder continues (`continuing`), and its next entry. */
  private from?: { index: FateIndex; at: number };

  /**
   * A builder that continues `old` (its strings and locations keep their numbers, so its entries are
   * copied as they are), for `spliced`. Undefined when `old` has grown past twice its last whole
   * build (plus SPLICE_SLACK) with what edits added: then a whole pass makes it anew.
   */
  static continuing(old: FateIndex, resultsHint = 0): FateIndexBuilder | undefined {
    if (outgrown(old.strings.length, old.base.strings) || outgrown(old.locs.length / LOC_COLS, old.base.locs)) return undefined;
    const b = new FateIndexBuilder(resultsHint, old.strings);
    b.locs.pushAll(old.locs);
    b.base = old.base;
    b.from = { index: old, at: 0 };
    return b;
  }

  /**
   * Scope `i` of the index this builder continues, with the rules `rules` judged again (`fresh`:
   * that scope as judged for those rules alone, EffectiveStream.scopes(only)): the entries of the
   * other rules are copied, then those of `fresh` take the place of the old ones (the order of the
   * rules within a scope is never read: a fate is per value and rule, and each rule's entries stay
   * in scope order). Called for the scopes in order. False when `fresh` is not scope `i`.
   */
  spliced(i: number, fresh: ScopeResult, rules: ReadonlySet<string>): boolean {
    const from = this.from;
    if (!from || from.index.soms[i] !== fresh.som) return false;
    const { entries, strings, refs } = from.index;
    while (from.at < entries.length && entries[from.at] < i) from.at += ENTRY_COLS;
    const scope = this.soms.length;
    this.soms.push(fresh.som);
    const enforced = enforcedIn(fresh);
    for (; from.at < entries.length && entries[from.at] === i; from.at += ENTRY_COLS) {
      const e = from.at;
      const ruleId = strings[entries[e + 1]];
      if (rules.has(ruleId)) continue;
      const shadowStart = this.refs.length;
      for (let r = entries[e + 5]; r < entries[e + 7]; r++) this.refs.push(refs[r]);
      this.entries.pushAll([scope, entries[e + 1], entries[e + 2], entries[e + 3], entries[e + 4], shadowStart, shadowStart + entries[e + 6] - entries[e + 5], this.refs.length]);
    }
    for (const e of fresh.effective) this.entry(scope, e, enforced);
    return true;
  }

  build(): FateIndex {
    this.from = undefined;
    const locs = this.locs.done();
    return new FateIndex(this.soms, this.strings.strings, locs, this.entries.done(), this.refs.done(), this.base ?? { strings: this.strings.size, locs: locs.length / LOC_COLS });
  }
}

/** The GPOs enforced in a scope, made when first asked for. */
function enforcedIn(s: ScopeResult): () => Set<string> {
  let set: Set<string> | undefined;
  return () => (set ??= new Set(s.gpos.filter((g) => g.enforced).map((g) => g.guid)));
}
