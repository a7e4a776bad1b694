/**
 * Effective policy per scope: the policy set joined with a topology (given, or the reports' own
 * `<LinksTo>` when none is given).
 */
import type { PolicySet } from '../policy/set';
import { mergeTopology, topologyFromReports, type TopologyPart } from '../topology';
import { computeEffective, type EffectiveOptions, type EffectivePolicy } from './effective';

export * from './effective';
export { gpoList, roleOf, somChain, type GpoInfo, type GpoList, type ListEntry, type ScopeRole } from './order';

/**
 * The effective policy of a scanned set. Topology parts with SOMs take precedence; without them the
 * GPO reports' links are used (link order and block inheritance then unknown). Undefined when no
 * input carries any scope data.
 */
export function effectivePolicy(set: PolicySet, parts: readonly TopologyPart[], options: EffectiveOptions): EffectivePolicy | undefined {
  const hasSoms = parts.some((p) => p.soms.length);
  const fromReports = hasSoms ? undefined : topologyFromReports(set.gpos.values());
  const all = fromReports && fromReports.soms.length ? [...parts, fromReports] : [...parts];
  const topo = mergeTopology(all);
  if (topo.soms.size === 0 && parts.every((p) => p.problems.length === 0)) return undefined;
  return computeEffective(set, topo, options);
}
