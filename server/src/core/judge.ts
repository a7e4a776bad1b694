/**
 * One judgement per configured value, shared by the file findings, coverage and the effective
 * policy. Minimal version on today's catalog lookups (`ruleOf`, `rule.judge`, `rulesInKey`,
 * `rulesUnderKey`); the reshaped core replaces this file with the same signature.
 *
 * Peers (the other values a judgement may depend on) are those of the same GPO: a report holding
 * several GPOs judges each with its own values.
 */
import { ruleOf, rulesInKey, rulesUnderKey } from './catalog';
import type { Judgement, SettingRule } from './catalog/types';
import { judgeContext, peerValues } from './engine';
import type { LintOptions, ParsedFile, RegData, Setting } from './types';

export interface Judged {
  rule: SettingRule;
  setting: Setting;
  status: 'hardened' | 'weak' | 'unknown' | 'deleted';
  judgement?: Judgement;
}

function rulesOf(s: Setting): readonly SettingRule[] {
  if (s.state !== 'deleted' || !s.deleteScope || s.deleteScope === 'value') {
    const r = ruleOf(s);
    return r ? [r] : [];
  }
  return s.deleteScope === 'key' ? rulesUnderKey(s.hive, s.key) : rulesInKey(s.hive, s.key);
}

/** Every (rule, setting) pair of a file with its status; disabled GPP items and DC-only rules under role `member` are left out. */
export function judgeFile(file: ParsedFile, options: LintOptions): Judged[] {
  const byGpo = new Map<object | undefined, Setting[]>();
  for (const s of file.settings) {
    const list = byGpo.get(s.gpo);
    if (list) list.push(s);
    else byGpo.set(s.gpo, [s]);
  }
  const peersOf = new Map<object | undefined, ReadonlyMap<string, RegData>>();
  for (const [g, list] of byGpo) peersOf.set(g, peerValues(list));
  const out: Judged[] = [];
  for (const s of file.settings) {
    if (s.state === 'disabled') continue;
    for (const rule of rulesOf(s)) {
      if (rule.dcOnly && options.role === 'member') continue;
      if (s.state === 'deleted') {
        out.push({ rule, setting: s, status: 'deleted' });
        continue;
      }
      const judgement = rule.judge(s.value, judgeContext(options, peersOf.get(s.gpo) ?? new Map()));
      out.push({ rule, setting: s, status: judgement.status, judgement });
    }
  }
  return out;
}
