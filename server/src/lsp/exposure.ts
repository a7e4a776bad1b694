/**
 * The Relay exposure of one workspace pass, kept compact between requests (the lazy protocol of
 * wire.ts: `relaylint/exposure` lists the scopes with their counts, `relaylint/exposureScope` gives
 * the rules of one scope when the view expands it).
 *
 * The workspace model keeps the effective policy as a stream whose scopes are computed again each
 * time they are read. The model's pass over them after each recompute (domain.ts `indexScopes`)
 * hands every scope to an ExposureCollector, which keeps of each rule only what the view shows:
 * the rule, its status, whether it is exposed, why, and where the deciding line is (a path, a line
 * or an offset, a GPO). So a request reads no scope of the stream, and what is kept is a few
 * numbers per scope and rule (columns of Int32Array) plus each distinct text once: on the
 * 5,500-GPO bench tree (1,102 scopes) well under the 26 MB of JSON the whole exposure takes.
 * Turning a row into its wire form (URI, editor range, GPO name, readiness) is the model's job
 * (DomainModel.exposureScope), with the files of the same pass.
 */
import { Column, type EffectiveEntry, type ScopeResult } from '../core';
import { outgrown } from './fates';
import { StringPool } from './packed';
import type { ExposureScope, ExposureStatus } from './wire';

type EffectiveStatus = EffectiveEntry['status'];
type Located = NonNullable<EffectiveEntry['winner']>;

const STATUSES: readonly EffectiveStatus[] = ['hardened', 'weak', 'missing', 'conditional', 'conflict', 'undetermined'];
const STATUS_CODE = new Map(STATUSES.map((s, i) => [s, i]));

/**
 * Columns per row: rule, status, exposed, why, winner path, winner offset (1) or line (0), winner
 * line/offset, winner GPO, why after the winner's path. A `why` that names the winner's path is
 * kept as the text before it and the text after it (-1: not split): on the 5,500-GPO tree 11,000
 * distinct texts (3.6 million characters) differ mostly by that path, and the parts repeat.
 */
const COLS = 9;

/** One rule of one scope as kept: what ExposureRule is made of, before its location is resolved. */
export interface ExposureRow {
  ruleId: string;
  status: ExposureStatus;
  exposed: boolean;
  why: string;
  winner?: { path: string; line?: number; offset?: number; gpo?: string };
}

/** The exposure of a pass: the scopes' summaries and their rules, packed. Read-only once built. */
export class ExposureIndex {
  constructor(
    readonly scopes: readonly ExposureScope[],
    /** Row r of scope s for r in [starts[s], starts[s + 1]). */
    readonly starts: Int32Array,
    readonly rows: Int32Array,
    readonly strings: readonly string[],
    /** Strings of the last build from a whole pass (SPLICE_SLACK). */
    readonly baseStrings = strings.length,
  ) {}

  get scopeCount(): number {
    return this.scopes.length;
  }

  /** The rules of scope `i` (undefined when there is no such scope). */
  rulesOf(i: number): ExposureRow[] | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.scopes.length) return undefined;
    const out: ExposureRow[] = [];
    const str = this.strings;
    for (let r = this.starts[i]; r < this.starts[i + 1]; r++) {
      const at = r * COLS;
      const p = this.rows[at + 4];
      const post = this.rows[at + 8];
      const why = post >= 0 ? str[this.rows[at + 3]] + str[p] + str[post] : str[this.rows[at + 3]];
      const row: ExposureRow = { ruleId: str[this.rows[at]], status: STATUSES[this.rows[at + 1]] as ExposureStatus, exposed: this.rows[at + 2] === 1, why };
      if (p >= 0) {
        const gpo = this.rows[at + 7];
        row.winner = { path: str[p], ...(this.rows[at + 5] === 1 ? { offset: this.rows[at + 6] } : { line: this.rows[at + 6] }), ...(gpo >= 0 ? { gpo: str[gpo] } : {}) };
      }
      out.push(row);
    }
    return out;
  }

  /** Bytes held by the packed columns (the strings and summaries aside): for the log and the tests. */
  get packedBytes(): number {
    return this.rows.byteLength + this.starts.byteLength;
  }

  get stringCount(): number {
    return this.strings.length;
  }
}

/** Takes the scopes of one pass over the effective-policy stream, one at a time, and keeps their exposure. */
export class ExposureCollector {
  private readonly scopes: ExposureScope[] = [];
  private readonly starts: number[] = [0];
  private readonly rows: Column<Int32Array>;
  /** Each distinct text once (rows hold its number): the pool the packed files use. */
  private readonly strings: StringPool;
  /** The index this collector continues (`continuing`), and the strings of its last whole build. */
  private from?: ExposureIndex;
  private baseStrings?: number;

  /**
   * `gpoName`: how the deciding GPO is named in the view (its display name, else its GUID).
   * `rowsHint`: the rows to expect (scopes × rules), so the columns are allocated once.
   */
  constructor(
    private readonly gpoName: (guid: string) => string,
    rowsHint = 1024,
    strings: readonly string[] = [],
  ) {
    this.strings = new StringPool(strings);
    // Doubles when full (a hint below 114 rows grows to 1,024 values first).
    this.rows = new Column(new Int32Array(Math.max(1, rowsHint) * COLS), 2);
  }

  scope(s: ScopeResult): void {
    const statuses: ExposureScope['statuses'] = {};
    let exposed = 0;
    for (const e of s.effective) {
      statuses[e.status] = (statuses[e.status] ?? 0) + 1;
      if (e.exposed) exposed++;
      this.entry(e);
    }
    this.scopes.push({ som: s.som, kind: s.kind, role: s.role, rules: s.effective.length, exposed, statuses });
    this.starts.push(this.rows.length / COLS);
  }

  /**
   * A collector that continues `old` (its strings keep their numbers, so its rows are copied as they
   * are), for `spliced`. Undefined when `old` holds more than twice the strings of its last whole
   * build with what edits added (outgrown, fates.ts): then a whole pass makes it anew.
   */
  static continuing(old: ExposureIndex, gpoName: (guid: string) => string, rowsHint = 1024): ExposureCollector | undefined {
    if (outgrown(old.strings.length, old.baseStrings)) return undefined;
    const c = new ExposureCollector(gpoName, rowsHint, old.strings);
    c.from = old;
    c.baseStrings = old.baseStrings;
    return c;
  }

  /**
   * Scope `i` of the index this collector continues, with the rules of `fresh` judged again:
   * `fresh` is that scope as judged for the rules `rules` alone (EffectiveStream.scopes(only)), so
   * each of its entries takes the place of its rule's row, in the same order; every other row is
   * copied. The same rows and summary as `scope` of the whole scope judged again. False (nothing
   * kept) when `fresh` is not that scope.
   */
  spliced(i: number, fresh: ScopeResult, rules: ReadonlySet<string>): boolean {
    const old = this.from;
    const summary = old?.scopes[i];
    if (!old || !summary || summary.som !== fresh.som) return false;
    const mark = this.rows.length;
    const statuses: ExposureScope['statuses'] = {};
    let exposed = 0;
    let next = 0;
    const { rows, strings } = old;
    for (let r = old.starts[i]; r < old.starts[i + 1]; r++) {
      const at = r * COLS;
      const ruleId = strings[rows[at]];
      if (rules.has(ruleId)) {
        const e = fresh.effective[next++];
        if (e?.ruleId !== ruleId) {
          this.rows.length = mark;
          return false;
        }
        statuses[e.status] = (statuses[e.status] ?? 0) + 1;
        if (e.exposed) exposed++;
        this.entry(e);
        continue;
      }
      const status = STATUSES[rows[at + 1]];
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (rows[at + 2] === 1) exposed++;
      this.rows.pushAll(rows.subarray(at, at + COLS));
    }
    if (next !== fresh.effective.length) {
      this.rows.length = mark;
      return false;
    }
    this.scopes.push({ som: summary.som, kind: summary.kind, role: summary.role, rules: summary.rules, exposed, statuses });
    this.starts.push(this.rows.length / COLS);
    return true;
  }

  /** Appends the row of one entry. */
  private entry(e: EffectiveEntry): void {
    const status = STATUS_CODE.get(e.status) ?? STATUS_CODE.get('undetermined')!;
    const w = e.winner;
    const why = e.why ?? '';
    const cut = w ? why.indexOf(w.path) : -1;
    this.rows.pushAll([
      this.strings.id(e.ruleId),
      status,
      e.exposed ? 1 : 0,
      this.strings.id(cut >= 0 ? why.slice(0, cut) : why),
      w ? this.strings.id(w.path) : -1,
      w?.offset !== undefined ? 1 : 0,
      w ? (w.offset ?? w.line ?? 0) : 0,
      w?.gpo ? this.strings.id(this.gpoName(w.gpo)) : -1,
      cut >= 0 ? this.strings.id(why.slice(cut + (w as Located).path.length)) : -1,
    ]);
  }

  build(): ExposureIndex {
    return new ExposureIndex(this.scopes, Int32Array.from(this.starts), this.rows.done(), this.strings.strings, this.baseStrings);
  }
}
