/**
 * Effective policy per scope: the policy set joined with a topology (given, or the reports' own
 * `<LinksTo>` when none is given).
 */
import type { PolicySet } from '../policy/set';
import { mergedTopology, topologyFromReports, type TopologyPart } from '../topology';
import { auditSwitchesFrom, type ReadinessScope } from '../evidence/readiness';
import { computeEffective, effectiveStream, type EffectiveOptions, type EffectivePolicy, type EffectiveStream, type EffectiveView, type GpoSummary, type ScopeResult, type StreamFrame, type StreamOptions } from './effective';
import type { TopologyProblem } from '../topology';

export * from './effective';
export { gpoList, roleOf, somChain, type GpoInfo, type GpoList, type ListEntry, type ScopeRole } from './order';

/**
 * The effective policy of a scanned set. Topology parts with SOMs take precedence; without them the
 * GPO reports' links are used (link order and block inheritance then unknown). Undefined when no
 * input carries any scope data.
 */
export function effectivePolicy(set: PolicySet, parts: readonly TopologyPart[], options: EffectiveOptions): EffectivePolicy | undefined {
  const topo = topologyOf(set, parts);
  return topo ? computeEffective(set, topo, options) : undefined;
}

/**
 * The same as `effectivePolicy`, with the scopes computed one at a time as they are read (see
 * `EffectiveStream`). `stream.reuse`: the frame of a stream over these same parts, files, GPOs and
 * GPO facts (only values differ: the caller says so), taken over with its topology; a frame of
 * other parts is not.
 */
export function effectivePolicyStream(set: PolicySet, parts: readonly TopologyPart[], options: EffectiveOptions, stream: StreamOptions = {}): EffectiveStream | undefined {
  const reuse = stream.reuse && partsOf.get(stream.reuse) === parts ? stream.reuse : undefined;
  const topo = reuse ? reuse.topo : topologyOf(set, parts);
  const eff = topo ? effectiveStream(set, topo, options, { ...stream, reuse }) : undefined;
  if (eff) partsOf.set(eff.frame, parts);
  return eff;
}

/** The parts each frame's topology was merged from. */
const partsOf = new WeakMap<StreamFrame, readonly TopologyPart[]>();

function topologyOf(set: PolicySet, parts: readonly TopologyPart[]) {
  const hasSoms = parts.some((p) => p.soms.length);
  const fromReports = hasSoms ? undefined : topologyFromReports(set.gpos.values());
  const all = fromReports && fromReports.soms.length ? [...parts, fromReports] : [...parts];
  const topo = mergedTopology(all);
  if (topo.soms.size === 0 && parts.every((p) => p.problems.length === 0)) return undefined;
  return topo;
}

/**
 * The scopes the readiness judge (issue 12) works per: every domain and OU scope of the effective
 * policy with the computers the topology puts there (undefined when it names none, so every log
 * counts), the rules judged there (DC-only rules only where DCs are) and, per rule, whether its
 * hardened value applies there (`on`), does not (`off`: weak or not configured; an audit switch is
 * off by default) or cannot be said (`unknown`: conditional, conflict, undetermined), the same
 * reading the CLI gives the set-level coverage without topology. Sites are left out: a site
 * holds computers by address, which no topology export names.
 */
export function readinessScopes(eff: { scopes: Iterable<ScopeResult> }): ReadinessScope[] {
  const out: ReadinessScope[] = [];
  for (const s of eff.scopes) {
    const r = readinessScope(s);
    if (r) out.push(r);
  }
  return out;
}

/** The readiness scope of one effective-policy scope (undefined for a site). */
export function readinessScope(s: ScopeResult): ReadinessScope | undefined {
  if (s.kind === 'site') return undefined;
  // The same mapping as a file set's coverage: hardened is on, weak or missing is off.
  const auditSwitches = auditSwitchesFrom(s.effective) as Record<string, 'on' | 'off' | 'unknown'>;
  const scope: ReadinessScope = { name: s.som, auditSwitches, rules: s.effective.map((e) => e.ruleId) };
  if (s.computers) scope.servers = s.computers;
  return scope;
}

/**
 * The set-level sections of a report when scope data is known: `gpos`, `scopes`, `topology` (its
 * sources, what they lack, its problems). `scopes` is whatever the view holds: with a stream's pass,
 * the JSON reporter writes each scope as it is computed and keeps none. The CLI's JSON output and the
 * editor's posture page both take them from here.
 */
export function scopeSections(eff: EffectiveView, parts: readonly TopologyPart[]): { gpos: GpoSummary[]; scopes: Iterable<ScopeResult>; topology: { sources: string[]; lacks: EffectivePolicy['lacks']; problems: TopologyProblem[] } } {
  const sources = [...new Set(parts.filter((p) => p.soms.length || p.gpcs.length).map((p) => `${p.kind}:${p.source}`))];
  return { gpos: eff.gpos, scopes: eff.scopes, topology: { sources: sources.length ? sources : ['reports'], lacks: eff.lacks, problems: eff.problems } };
}
