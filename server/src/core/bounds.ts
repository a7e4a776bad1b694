/**
 * Bounds on the work and output per file, kept apart from the engine so that they apply the same
 * way whatever produced the findings:
 *
 * - `boundFindings`: at most `FINDING_LIMITS.perRule` findings per rule and `perFile` per file are
 *   listed; the rest of each rule become one summary finding (its count, the highest severity among
 *   them, at the first one's place). A 50 MB template with 273,000 weak lines gives a report of
 *   bounded size.
 * - `selectFixEdits`: the edits of every preferred, non-overlapping fix, in O(n log n) (fix-all over
 *   200,000 findings; the straightforward overlap scan was quadratic).
 */
import type { Finding, Severity, TextEdit } from './types';

export const FINDING_LIMITS = {
  /** Findings listed per rule and file. */
  perRule: 1000,
  /** Findings listed per file, all rules together. */
  perFile: 10_000,
} as const;

export const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

/**
 * A finding that stands for this many unlisted findings of its rule (the engine's light findings,
 * see `ListedLimit` in engine.ts): its severity is the highest among them, its place the first one's.
 */
const standsFor = new WeakMap<Finding, number>();

export function markLight(f: Finding, count: number): void {
  standsFor.set(f, count);
}

export function lightCount(f: Finding): number | undefined {
  return standsFor.get(f);
}

/** The findings to list for one file, with one summary finding per rule that went over a limit. */
export function boundFindings(findings: Finding[], limits: { perRule: number; perFile: number } = FINDING_LIMITS): Finding[] {
  if (findings.length <= Math.min(limits.perRule, limits.perFile) && !findings.some((f) => standsFor.has(f))) return findings;
  const perRule = new Map<string, number>();
  const dropped = new Map<string, { count: number; severity: Severity; first: Finding }>();
  const out: Finding[] = [];
  for (const f of findings) {
    const light = standsFor.get(f);
    const n = (perRule.get(f.ruleId) ?? 0) + 1;
    perRule.set(f.ruleId, n + (light ?? 1) - 1);
    if (light === undefined && n <= limits.perRule && out.length < limits.perFile) {
      out.push(f);
      continue;
    }
    const d = dropped.get(f.ruleId);
    if (!d) dropped.set(f.ruleId, { count: light ?? 1, severity: f.severity, first: f });
    else {
      d.count += light ?? 1;
      if (RANK[f.severity] > RANK[d.severity]) d.severity = f.severity;
    }
  }
  for (const [ruleId, d] of dropped) {
    const summary: Finding = {
      ruleId,
      severity: d.severity,
      message: `${d.count} more ${ruleId} finding${d.count === 1 ? ' is' : 's are'} not listed; relaylint lists at most ${limits.perRule} per rule and ${limits.perFile} per file.`,
      span: d.first.span,
      fixes: [],
    };
    if (d.first.offset !== undefined) summary.offset = d.first.offset;
    out.push(summary);
  }
  return out;
}

/**
 * The edits of every preferred, non-overlapping fix (what `--fix`, fix-all and fix-on-save apply),
 * earlier findings first; the result is sorted by position.
 */
export function selectFixEdits(findings: readonly Finding[], options: { onlyRule?: string; unsafe?: boolean } = {}): TextEdit[] {
  const { onlyRule, unsafe = false } = options;
  const taken = new SortedEdits();
  for (const f of findings) {
    if (f.suppressed || (onlyRule && f.ruleId !== onlyRule)) continue;
    const fix = f.fixes.find((x) => x.isPreferred);
    // Safe fixes only unless the caller opted in to unsafe (enforcing) ones.
    if (!fix || (!unsafe && fix.applicability !== 'safe')) continue;
    if (fix.edits.some((e) => taken.overlaps(e))) continue;
    for (const e of fix.edits) taken.insert(e);
  }
  return taken.toArray();
}

const before = (a: TextEdit, b: TextEdit) => a.start < b.start || (a.start === b.start && a.end <= b.end);

/**
 * Non-overlapping edits sorted by (start, end), so their ends are sorted too. Kept in blocks of at
 * most BLOCK edits: an insertion moves at most one block, whatever order the edits come in.
 */
class SortedEdits {
  private static readonly BLOCK = 512;
  private readonly blocks: TextEdit[][] = [];

  /** Whether `e` overlaps a taken edit: the first taken edit ending after e.start must start at or after e.end. */
  overlaps(e: TextEdit): boolean {
    const bs = this.blocks;
    let lo = 0;
    let hi = bs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bs[mid][bs[mid].length - 1].end > e.start) hi = mid;
      else lo = mid + 1;
    }
    if (lo === bs.length) return false;
    const b = bs[lo];
    let i = 0;
    let j = b.length;
    while (i < j) {
      const mid = (i + j) >> 1;
      if (b[mid].end > e.start) j = mid;
      else i = mid + 1;
    }
    const t = b[i];
    return t.start < e.end && e.start < t.end;
  }

  insert(e: TextEdit): void {
    const bs = this.blocks;
    if (bs.length === 0) {
      bs.push([e]);
      return;
    }
    // The first block whose last edit does not come before e (or the last block).
    let lo = 0;
    let hi = bs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(bs[mid][bs[mid].length - 1], e)) lo = mid + 1;
      else hi = mid;
    }
    const b = bs[lo];
    let i = 0;
    let j = b.length;
    while (i < j) {
      const mid = (i + j) >> 1;
      if (before(b[mid], e)) i = mid + 1;
      else j = mid;
    }
    b.splice(i, 0, e);
    if (b.length > SortedEdits.BLOCK) bs.splice(lo + 1, 0, b.splice(b.length >> 1));
  }

  toArray(): TextEdit[] {
    const out: TextEdit[] = [];
    for (const b of this.blocks) for (const e of b) out.push(e);
    return out;
  }
}
