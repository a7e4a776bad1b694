/**
 * "Missing" is a judgement on the whole set of GPOs scanned, not on one file. The accumulator takes
 * one file at a time (the CLI streams the tree and keeps only these small records) and says, per
 * rule, where the setting is configured and whether the set is hardened, weak, missing or mixed.
 */
import { missingIsWeak, settingRules } from './catalog';
import { judgeContext, judgeFile, type Judged } from './judge';
import { displayKey } from './keys';
import type { LineIndex } from './text';
import type { LintOptions, ParsedFile, RegData, Setting, SettingState } from './types';


export interface CoverageSource {
  path: string;
  /** 1-based; absent for .pol (see offset). */
  line?: number;
  offset?: number;
  value: RegData;
  state: SettingState;
  status: 'hardened' | 'weak' | 'unknown' | 'deleted';
  gpo?: string;
}

export interface CoverageEntry {
  ruleId: string;
  key: string;
  name: string;
  /**
   * Over the judged sources (hardened, weak, deleted): all hardened, none hardened, some of each;
   * `missing` when no scanned file configures it; `configured` when every source is one relaylint
   * does not rate (environment-specific settings, values of an undocumented type or range).
   */
  status: 'hardened' | 'weak' | 'missing' | 'mixed' | 'configured';
  /** Whether machines are exposed when no scanned GPO configures the setting (role and target OS dependent). */
  exposedWhenMissing: boolean;
  /** The first MAX_COVERAGE_SOURCES sources, in scan order. */
  sources: CoverageSource[];
  /** Present when there are more sources than listed: how many there are in all. */
  sourceCount?: number;
}

/** Sources listed per rule; the rest are counted. Keeps memory flat on a SYSVOL of any size. */
export const MAX_COVERAGE_SOURCES = 50;

/** Shared read-only records that are only counted (see `coverageSources`), per rule and status. */
const counted = new Map<string, [string, CoverageSource]>();
function countedRecord(ruleId: string, status: CoverageSource['status']): [string, CoverageSource] {
  const k = `${ruleId}|${status}`;
  let r = counted.get(k);
  if (!r) counted.set(k, (r = [ruleId, Object.freeze({ path: '', value: null, state: 'set', status })]));
  return r;
}

/**
 * The coverage records of one file: (rule id, source) pairs. `appliesNowhere` leaves out the values
 * of GPOs that apply nowhere (unlinked, all links disabled, computer side disabled): they protect no
 * machine, so they never count as hardened (the policy set, policy/set.ts, says which).
 */
export function coverageSources(
  path: string,
  file: ParsedFile,
  index: LineIndex,
  options: LintOptions,
  appliesNowhere?: (s: Setting) => boolean,
  /** The caller's `judgeFile(file, options)` result, when it has one (else the file is judged here). */
  judged: readonly Judged[] = judgeFile(file, options),
): [string, CoverageSource][] {
  const out: [string, CoverageSource][] = [];
  const perRule = new Map<string, number>();
  for (const j of judged) {
    const s = j.setting;
    if (appliesNowhere?.(s)) continue;
    // Past MAX_COVERAGE_SOURCES records of a rule in one file, the accumulator has at least that
    // many sources of the rule already and only counts the rest by status: one shared record each.
    const n = (perRule.get(j.rule.id) ?? 0) + 1;
    perRule.set(j.rule.id, n);
    if (n > MAX_COVERAGE_SOURCES) {
      out.push(countedRecord(j.rule.id, j.status));
      continue;
    }
    const src: CoverageSource = { path, value: s.state === 'deleted' ? null : s.value, state: s.state, status: j.status };
    if (s.offset !== undefined) src.offset = s.offset;
    else src.line = index.positionAt(s.span.start).line + 1;
    if (s.gpo?.name) src.gpo = s.gpo.name;
    out.push([j.rule.id, src]);
  }
  return out;
}


interface RuleTally {
  total: number;
  /** Sources judged hardened, weak or deleted (not `unknown`). */
  judged: number;
  hardened: number;
  sources: CoverageSource[];
}

export class CoverageAccumulator {
  private readonly tallies = new Map<string, RuleTally>();
  constructor(private readonly options: LintOptions) {}

  add(records: readonly [string, CoverageSource][]): void {
    for (const [ruleId, src] of records) {
      let t = this.tallies.get(ruleId);
      if (!t) this.tallies.set(ruleId, (t = { total: 0, judged: 0, hardened: 0, sources: [] }));
      t.total++;
      if (src.status !== 'unknown') t.judged++;
      if (src.status === 'hardened') t.hardened++;
      if (t.sources.length < MAX_COVERAGE_SOURCES) t.sources.push(src);
    }
  }

  result(): CoverageEntry[] {
    const out: CoverageEntry[] = [];
    const ctx = judgeContext(this.options, new Map());
    for (const rule of settingRules) {
      if (rule.dcOnly && this.options.role === 'member') continue;
      const t = this.tallies.get(rule.id) ?? { total: 0, judged: 0, hardened: 0, sources: [] };
      const status: CoverageEntry['status'] =
        t.total === 0 ? 'missing' : t.judged === 0 ? 'configured' : t.hardened === t.judged ? 'hardened' : t.hardened === 0 ? 'weak' : 'mixed';
      const loc = rule.locations[0];
      const entry: CoverageEntry = {
        ruleId: rule.id,
        key: displayKey(loc.hive, loc.key),
        name: loc.name,
        status,
        exposedWhenMissing: missingIsWeak(rule, ctx),
        sources: t.sources,
      };
      if (t.total > t.sources.length) entry.sourceCount = t.total;
      out.push(entry);
    }
    return out;
  }
}
