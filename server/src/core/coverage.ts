/**
 * "Missing" is a judgement on the whole set of GPOs scanned, not on one file. The accumulator takes
 * one file at a time (the CLI streams the tree and keeps only these small records) and says, per
 * rule, where the setting is configured and whether the set is hardened, weak, missing or mixed.
 */
import { ruleForValue, rulesInKey, rulesUnderKey, settingRules } from './catalog';
import type { SettingRule } from './catalog/types';
import { judgeContext, peerValues } from './engine';
import { displayKey } from './keys';
import type { LineIndex } from './text';
import type { LintOptions, ParsedFile, RegData, SettingState } from './types';

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
  sources: CoverageSource[];
}

/** The coverage records of one file: (rule id, source) pairs. */
export function coverageSources(path: string, file: ParsedFile, index: LineIndex, options: LintOptions): [string, CoverageSource][] {
  const out: [string, CoverageSource][] = [];
  const ctx = judgeContext(options, peerValues(file.settings));
  for (const s of file.settings) {
    if (s.state === 'disabled') continue;
    const rules: SettingRule[] =
      s.state !== 'deleted' || s.deleteScope === 'value' || !s.deleteScope
        ? [ruleForValue(s.hive, s.key, s.name)].filter((r): r is SettingRule => !!r)
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

export class CoverageAccumulator {
  private readonly sources = new Map<string, CoverageSource[]>();
  constructor(private readonly options: LintOptions) {}

  add(records: readonly [string, CoverageSource][]): void {
    for (const [ruleId, src] of records) {
      const list = this.sources.get(ruleId) ?? [];
      list.push(src);
      this.sources.set(ruleId, list);
    }
  }

  result(): CoverageEntry[] {
    const out: CoverageEntry[] = [];
    const ctx = judgeContext(this.options, new Map());
    for (const rule of settingRules) {
      if (rule.dcOnly && this.options.role === 'member') continue;
      const sources = this.sources.get(rule.id) ?? [];
      const hardened = sources.filter((s) => s.status === 'hardened').length;
      const status: CoverageEntry['status'] =
        sources.length === 0 ? 'missing' : hardened === sources.length ? 'hardened' : hardened === 0 ? 'weak' : 'mixed';
      const loc = rule.locations[0];
      out.push({
        ruleId: rule.id,
        key: displayKey(loc.hive, loc.key),
        name: loc.name,
        status,
        exposedWhenMissing: rule.missingIsWeak?.(ctx) ?? false,
        sources,
      });
    }
    return out;
  }
}
