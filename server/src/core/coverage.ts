/**
 * "Missing" is a judgement on the whole set of GPOs scanned, not on one file. The accumulator takes
 * one file at a time (the CLI streams the tree and keeps only these small records) and says, per
 * rule, where the setting is configured and whether the set is hardened, weak, missing or mixed.
 */
import { ruleOf, rulesInKey, rulesUnderKey, settingRules } from './catalog';
import type { SettingRule } from './catalog/types';
import { judgeContext, peerValues } from './engine';
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
  status: 'hardened' | 'weak' | 'missing' | 'mixed';
  /** Whether machines are exposed when no scanned GPO configures the setting (role and target OS dependent). */
  exposedWhenMissing: boolean;
  /** The first MAX_COVERAGE_SOURCES sources, in scan order. */
  sources: CoverageSource[];
  /** Present when there are more sources than listed: how many there are in all. */
  sourceCount?: number;
}

/**
 * The coverage records of one file: (rule id, source) pairs. `appliesNowhere` leaves out the values
 * of GPOs that apply nowhere (unlinked, all links disabled, computer side disabled): they protect no
 * machine, so they never count as hardened (the policy set, policy/set.ts, says which).
 */
export function coverageSources(path: string, file: ParsedFile, index: LineIndex, options: LintOptions, appliesNowhere?: (s: Setting) => boolean): [string, CoverageSource][] {
  const out: [string, CoverageSource][] = [];
  const ctx = judgeContext(options, peerValues(file.settings));
  for (const s of file.settings) {
    if (s.state === 'disabled') continue;
    if (appliesNowhere?.(s)) continue;
    const rules: SettingRule[] =
      s.state !== 'deleted' || s.deleteScope === 'value' || !s.deleteScope
        ? [ruleOf(s)].filter((r): r is SettingRule => !!r)
        : s.deleteScope === 'key'
          ? rulesUnderKey(s.hive, s.key)
          : [...rulesInKey(s.hive, s.key)];
    for (const rule of rules) {
      if (rule.dcOnly && options.role === 'member') continue;
      const status: CoverageSource['status'] = s.state === 'deleted' ? 'deleted' : rule.judge(s.value, ctx).status;
      const src: CoverageSource = { path, value: s.state === 'deleted' ? null : s.value, state: s.state, status };
      if (s.offset !== undefined) src.offset = s.offset;
      else src.line = index.positionAt(s.span.start).line + 1;
      if (s.gpo?.name) src.gpo = s.gpo.name;
      out.push([rule.id, src]);
    }
  }
  return out;
}

/** Sources listed per rule; the rest are counted. Keeps memory flat on a SYSVOL of any size. */
export const MAX_COVERAGE_SOURCES = 50;

interface RuleTally {
  total: number;
  hardened: number;
  sources: CoverageSource[];
}

export class CoverageAccumulator {
  private readonly tallies = new Map<string, RuleTally>();
  constructor(private readonly options: LintOptions) {}

  add(records: readonly [string, CoverageSource][]): void {
    for (const [ruleId, src] of records) {
      let t = this.tallies.get(ruleId);
      if (!t) this.tallies.set(ruleId, (t = { total: 0, hardened: 0, sources: [] }));
      t.total++;
      if (src.status === 'hardened') t.hardened++;
      if (t.sources.length < MAX_COVERAGE_SOURCES) t.sources.push(src);
    }
  }

  result(): CoverageEntry[] {
    const out: CoverageEntry[] = [];
    const ctx = judgeContext(this.options, new Map());
    for (const rule of settingRules) {
      if (rule.dcOnly && this.options.role === 'member') continue;
      const t = this.tallies.get(rule.id) ?? { total: 0, hardened: 0, sources: [] };
      const status: CoverageEntry['status'] =
        t.total === 0 ? 'missing' : t.hardened === t.total ? 'hardened' : t.hardened === 0 ? 'weak' : 'mixed';
      const loc = rule.locations[0];
      const entry: CoverageEntry = {
        ruleId: rule.id,
        key: displayKey(loc.hive, loc.key),
        name: loc.name,
        status,
        exposedWhenMissing: rule.missingIsWeak?.(ctx) ?? false,
        sources: t.sources,
      };
      if (t.total > t.sources.length) entry.sourceCount = t.total;
      out.push(entry);
    }
    return out;
  }
}
