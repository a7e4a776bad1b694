/**
 * Drift against a baseline result: which settings and levels regressed, improved, appeared or went
 * away since an earlier scan (its JSON result, normalised by postureInput()).
 *
 * - regressed / improved: configured in both, judged worse / better; or a family's level went down / up;
 * - new: configured now, not in the baseline (or a scope that is new);
 * - removed: configured in the baseline, not now (or a scope that is gone).
 */
import type { Posture } from './assess';
import type { Loc, RuleState } from './input';
import { FAMILIES } from './levels';

export type DriftKind = 'regressed' | 'improved' | 'new' | 'removed';

export interface DriftItem {
  kind: DriftKind;
  scope: string;
  ruleId?: string;
  family?: string;
  before: string;
  after: string;
  /** The line behind the change (current for regressed/improved/new, baseline for removed). */
  at?: Loc;
}

export interface Drift {
  items: DriftItem[];
  counts: Record<DriftKind, number>;
}

function rank(st: RuleState): number {
  switch (st.status) {
    case 'hardened':
      return 3;
    case 'missing':
      return st.exposedWhenMissing ? 0 : 2;
    case 'weak':
      return 0;
    default:
      return 1;
  }
}

function show(st: RuleState | undefined): string {
  if (!st) return 'not judged';
  if (st.status === 'missing') return 'not configured';
  const vals = [...new Set(st.values.map((v) => (v === null ? 'deleted' : Array.isArray(v) ? v.join(',') : String(v))))];
  return `${vals.join(' / ')} (${st.status})`;
}

const configured = (st: RuleState | undefined): boolean => !!st && st.status !== 'missing';

export function drift(baseline: Posture, current: Posture): Drift {
  const items: DriftItem[] = [];
  const levels = new Map(baseline.scopes.map((sp) => [sp.scope.id, new Map(sp.cells.map((c) => [c.family as string, c.level]))]));
  const before = new Map(baseline.input.scopes.map((s) => [s.id, s]));
  const after = new Map(current.input.scopes.map((s) => [s.id, s]));
  for (const [id, s] of after) {
    const b = before.get(id);
    if (!b) {
      items.push({ kind: 'new', scope: s.label, before: 'not in the baseline', after: `${[...s.rules.values()].filter(configured).length} settings configured` });
      continue;
    }
    const ids = new Set([...s.rules.keys(), ...b.rules.keys()]);
    for (const ruleId of [...ids].sort()) {
      const was = b.rules.get(ruleId);
      const now = s.rules.get(ruleId);
      const at = now?.deciders[0] ?? was?.deciders[0];
      const item = (kind: DriftKind, loc?: Loc): DriftItem => {
        const it: DriftItem = { kind, scope: s.label, ruleId, before: show(was), after: show(now) };
        if (loc) it.at = loc;
        return it;
      };
      if (configured(now) && !configured(was)) items.push(item('new', now?.deciders[0]));
      else if (!configured(now) && configured(was)) items.push(item('removed', was?.deciders[0]));
      else if (now && was && configured(now)) {
        const d = rank(now) - rank(was);
        if (d < 0) items.push(item('regressed', at));
        else if (d > 0) items.push(item('improved', at));
        else if (show(now) !== show(was) && now.status !== 'hardened') items.push(item('regressed', at));
      }
    }
    const lb = levels.get(id);
    const cur = current.scopes.find((x) => x.scope.id === id);
    if (lb && cur) {
      for (const c of cur.cells) {
        const old = lb.get(c.family);
        if (old === undefined || old === c.level) continue;
        const title = FAMILIES.find((f) => f.id === c.family)?.title ?? c.family;
        items.push({ kind: c.level < old ? 'regressed' : 'improved', scope: s.label, family: title, before: `L${old}`, after: `L${c.level}` });
      }
    }
  }
  for (const [id, b] of before) {
    if (!after.has(id)) items.push({ kind: 'removed', scope: b.label, before: `${[...b.rules.values()].filter(configured).length} settings configured`, after: 'not in this result' });
  }
  const counts: Record<DriftKind, number> = { regressed: 0, improved: 0, new: 0, removed: 0 };
  for (const i of items) counts[i.kind]++;
  return { items, counts };
}
