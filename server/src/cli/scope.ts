/**
 * Effective policy per scope in the CLI: writes the `gpos` / `scopes` of the JSON output, the
 * per-scope table of the text output and the per-scope SARIF results. The computation is the core's.
 */
import { EXTENSION_LABEL, readinessScope, readinessScopes, settingRuleById, type EffectiveEntry, type EffectivePolicy, type EffectiveStream, type EffectiveView, type GpoSummary, type ReadinessScope, type ScopeResult, type Severity, type TopologyProblem } from '../core/index';
import { fingerprint } from './report';
import { artifact, LEVEL, sarifMessage } from './sarif';
import { escapeControls } from './text';

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

/** Severity of an exposed scope result: the rule's; at most warning when the result is conditional or undetermined. */
export function scopeSeverity(e: EffectiveEntry): Severity {
  const sev = settingRuleById(e.ruleId)?.severity ?? 'warning';
  if ((e.status === 'conditional' || e.status === 'undetermined') && RANK[sev] > RANK.warning) return 'warning';
  return sev;
}

/** The worst severity rank among one scope's exposed results, -1 for none. */
export function scopeWorstOf(s: ScopeResult): number {
  let worst = -1;
  for (const e of s.effective) if (e.exposed) worst = Math.max(worst, RANK[scopeSeverity(e)]);
  return worst;
}

/** GPO display names by GUID (looked up for every row of every scope). */
function namer(eff: EffectiveView): (guid: string) => string {
  const names = new Map<string, string>();
  for (const g of eff.gpos) if (g.name && !names.has(g.guid)) names.set(g.guid, g.name);
  return (guid) => escapeControls(names.get(guid) ?? guid);
}

function where(l: { path: string; line?: number; offset?: number } | undefined): string {
  if (!l) return '';
  return `${escapeControls(l.path)}${l.line !== undefined ? `:${l.line}` : l.offset !== undefined ? `@${l.offset}` : ''}`;
}

/** The text output: a compact table per scope (rows: rules that are exposed or not decided). */
export function scopeText(eff: EffectiveView, out: (s: string) => void, c: { bold(s: string): string; dim(s: string): string; red(s: string): string; yellow(s: string): string; green(s: string): string }): void {
  out(c.bold('Effective policy per scope') + c.dim(eff.lacks.length ? ` (the topology input lacks: ${eff.lacks.map((l) => l.fact).join(', ')})` : '') + '\n');
  const name = namer(eff);
  for (const s of eff.scopes) {
    const flags = [s.kind, s.role, s.blocksInheritance ? 'blocks inheritance' : s.blocksInheritance === null ? 'block inheritance unknown' : ''].filter(Boolean).join(', ');
    const order = s.gpos.map((g) => `${name(g.guid)}${g.enforced ? ' (enforced)' : ''}`).join(' > ') || 'no GPO';
    out(`  ${c.bold(escapeControls(s.som))}  ${c.dim(flags)}\n    ${c.dim('GPOs, highest first: ' + order)}\n`);
    const rows = s.effective.filter((e) => e.exposed || e.status === 'conflict' || e.status === 'conditional' || e.status === 'undetermined');
    const w = Math.max(0, ...rows.map((e) => e.ruleId.length));
    for (const e of rows) {
      const st = e.status === 'weak' || e.status === 'conflict' ? c.red(e.status.padEnd(12)) : c.yellow(e.status.padEnd(12));
      const win = e.winner ? `${name(e.winner.gpo ?? '')} ${where(e.winner)}` : e.writers ? e.writers.map((x) => `${name(x.gpo ?? '')} ${where(x)}`).join(' vs ') : 'not configured';
      const extra = e.condition ? ` (${escapeControls(e.condition)})` : e.shadowed.length ? c.dim(` (${e.shadowed.length} shadowed)`) : '';
      out(`    ${e.ruleId.padEnd(w)}  ${st}  ${win}${extra}\n`);
    }
    const over = s.effective.filter((e) => e.status === 'hardened' && e.winner && e.shadowed.some((x) => !x.rsop));
    if (over.length) {
      const items = over.map((e) => `${e.ruleId} (${name(e.winner?.gpo ?? '')} over ${[...new Set(e.shadowed.filter((x) => !x.rsop).map((x) => name(x.gpo ?? '')))].join(', ')})`);
      out(c.dim(`    hardened over shadowed values: ${items.join('; ')}\n`));
    }
    if (s.dropped?.length) out(c.dim(`    not applied here: ${s.dropped.map((d) => `${name(d.guid)} (${escapeControls(d.reason)})`).join('; ')}\n`));
    const hardened = s.effective.filter((e) => e.status === 'hardened').length;
    const quiet = s.effective.length - hardened - rows.length;
    out(c.dim(`    ${hardened} hardened${quiet ? `, ${quiet} not configured with an acceptable OS default` : ''}\n`));
  }
  for (const g of eff.gpos) if (g.appliesNowhere && g.scanned) out(c.dim(`  GPO "${escapeControls(g.name ?? g.guid)}" applies nowhere: ${escapeControls(g.appliesNowhere)}\n`));
  for (const p of eff.problems) out(`  ${p.severity === 'error' ? c.red('error') : c.yellow(p.severity)} ${escapeControls(p.source)}${p.line ? ':' + p.line : ''}: ${escapeControls(p.message)}\n`);
  out('\n');
}



function region(l: { line?: number; offset?: number }) {
  return l.offset !== undefined ? { byteOffset: l.offset } : { startLine: l.line ?? 1 };
}

/** SARIF results: one per exposed scope and rule, at the winning line (or the GPO's file when nothing configures it), shadowed values as related locations; and the topology problems. */
export function scopeSarifResults(eff: EffectiveView): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const byGuid = new Map<string, GpoSummary>();
  for (const g of eff.gpos) if (!byGuid.has(g.guid)) byGuid.set(g.guid, g);
  const firstFile = (guid: string | undefined) => (guid ? byGuid.get(guid) : undefined);
  for (const s of eff.scopes) {
    for (const e of s.effective) {
      if (!e.exposed) continue;
      const at = e.winner ?? e.writers?.[0];
      let location: Record<string, unknown> | undefined;
      if (at) location = { physicalLocation: { artifactLocation: artifact(at.path), region: region(at) } };
      else {
        // Missing: the file of the scope's highest-precedence scanned GPO.
        const top = s.gpos.map((g) => firstFile(g.guid)).find((g) => g?.scanned && g.files.length);
        const file = top?.files[0];
        if (file) location = { physicalLocation: { artifactLocation: artifact(file), region: { startLine: 1 } } };
      }
      // A conflict's other writers (the first is the result's location) are writers, not shadowed values.
      const writers = (e.writers ?? []).slice(1).map((x) => ({ x, text: `writes ${JSON.stringify(x.value)}${x.gpo ? ` in ${x.gpo}` : ''}${x.extension ? ` via ${EXTENSION_LABEL[x.extension]}` : ''}; the extensions disagree, no winner` }));
      const shadowed = e.shadowed.map((x) => ({ x, text: `${x.rsop ? 'RSoP loser' : 'shadowed'}: ${JSON.stringify(x.value)}${x.gpo ? ` in ${x.gpo}` : ''}` }));
      const related = [...writers, ...shadowed].map(({ x, text }, i) => ({
        id: i + 1,
        physicalLocation: { artifactLocation: artifact(x.path), region: region(x) },
        message: sarifMessage(text),
      }));
      const r: Record<string, unknown> = {
        ruleId: e.ruleId,
        level: LEVEL[scopeSeverity(e)],
        message: sarifMessage(`${s.som} (${s.role}): ${e.status}. ${e.why}`),
        partialFingerprints: { 'relaylint/v1': fingerprint(['scope', e.ruleId, s.som.toLowerCase()]) },
        properties: { scope: s.som, status: e.status },
      };
      if (location) r.locations = [location];
      if (related.length) r.relatedLocations = related;
      out.push(r);
    }
  }
  for (const p of eff.problems) out.push(topologyProblemResult(p));
  return out;
}

function topologyProblemResult(p: TopologyProblem): Record<string, unknown> {
  const file = p.source.replace(/:[^:/\\]*\.json$/i, '');
  return {
    ruleId: 'topology.problem',
    level: LEVEL[p.severity === 'error' ? 'error' : p.severity === 'info' ? 'info' : 'warning'],
    message: sarifMessage(p.message),
    locations: [{ physicalLocation: { artifactLocation: artifact(file), region: { startLine: p.line ?? 1 } } }],
    partialFingerprints: { 'relaylint/v1': fingerprint(['topology.problem', p.source, p.message]) },
  };
}

/**
 * The scopes of a scan, computed as they are read (one pass per consumer: the JSON reporter, the
 * text table or the SARIF results), timed for `npm run bench` and with the worst exposed result
 * noted on the first pass, so the scopes are never all in memory at once.
 */
export class ScopeRun {
  private passes = 0;
  private worstRank = -1;
  private ns = 0n;
  /** Whether the first pass collects the readiness scopes (event logs were read). */
  private readinessWanted = false;
  private readiness: ReadinessScope[] | undefined;
  scopes = 0;
  results = 0;

  constructor(
    readonly eff: EffectiveStream,
    setupNs: bigint,
  ) {
    this.ns = setupNs;
  }

  private *pass(): IterableIterator<ScopeResult> {
    const first = this.passes++ === 0;
    const collected: ReadinessScope[] | undefined = first && this.readinessWanted ? [] : undefined;
    const it = this.eff.scopes();
    for (;;) {
      const t = first ? process.hrtime.bigint() : 0n;
      const r = it.next();
      if (first) this.ns += process.hrtime.bigint() - t;
      if (r.done) {
        // Only a pass read to its end holds every scope.
        if (collected) this.readiness = collected;
        return;
      }
      if (first) {
        this.scopes++;
        this.results += r.value.effective.length;
        this.worstRank = Math.max(this.worstRank, scopeWorstOf(r.value));
        if (collected) {
          const rs = readinessScope(r.value);
          if (rs) collected.push(rs);
        }
      }
      yield r.value;
    }
  }

  /**
   * Event logs were read: the first pass (the one that writes the scopes, or keeps them) also
   * notes each scope's readiness scope, so readiness does not compute every scope a second time.
   */
  collectReadiness(): void {
    this.readinessWanted = true;
  }

  /** The readiness scope of every scope: the first pass's when it was read to its end, else from a pass of its own. */
  readinessScopes(): ReadinessScope[] {
    this.readiness ??= readinessScopes(this.view());
    return this.readiness;
  }

  /** A view whose `scopes` is one new pass. */
  view(): EffectiveView {
    return { gpos: this.eff.gpos, problems: this.eff.problems, lacks: this.eff.lacks, scopes: this.pass() };
  }

  /** The same with every scope computed and kept (the posture page reads them all). */
  materialised(): EffectivePolicy {
    return { gpos: this.eff.gpos, problems: this.eff.problems, lacks: this.eff.lacks, scopes: [...this.pass()] };
  }

  /** Worst severity rank of the exposed results and problems (computes a pass if none was read). */
  worst(): number {
    if (this.passes === 0) for (const _ of this.pass());
    let worst = this.worstRank;
    for (const p of this.eff.problems) worst = Math.max(worst, RANK[p.severity]);
    return worst;
  }

  /** Milliseconds spent computing the effective policy (set-up and the first pass's scopes, not writing them). */
  get ms(): number {
    return Number(this.ns) / 1e6;
  }

}
