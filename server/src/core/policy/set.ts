/**
 * The policy set: every GPO the scanned files describe (identity, links, enabled flags, computer-side
 * status, filters) and every catalog-relevant value as an observation with its GPO, file, line or
 * byte offset, client-side extension, state, condition and status (from the one judgement,
 * judge.ts). RSoP losers are kept as shadowed observations. Coverage and the effective policy per
 * scope are views over it.
 *
 * A file contributes one small, serialisable `FilePolicy` (what a worker thread sends back); the
 * `PolicySetBuilder` merges them.
 */
import { judgeFile, type Judged } from '../judge';
import { displayKey } from '../keys';
import { lineIndexFor, type LineIndex } from '../text';
import { normGuid } from '../topology/model';
import type { FileFormat, Finding, ParsedFile, RegData, ReportGpo, Setting, SettingState, Span, Trustee } from '../types';
import { excludedEverywhere } from './filtering';
import type { GpoIdentity } from './identity';

/** The client-side extension that writes a value; `none` for a loose `.reg` or template outside a GPO. */
export type Extension = 'registry' | 'security' | 'gpp' | 'none';

export interface Observation {
  ruleId: string;
  /** `{GUID}` of the GPO, when known. */
  gpo?: string;
  path: string;
  line?: number;
  offset?: number;
  extension: Extension;
  /** The file format it was read from. */
  format: FileFormat;
  key: string;
  name: string;
  value: RegData;
  state: SettingState;
  condition?: string;
  status: 'hardened' | 'weak' | 'unknown' | 'deleted';
  /** An RSoP loser: this GPO's value did not win on the reported computer. */
  shadowed?: boolean;
}

export interface PolicyLink {
  /** Canonical path (`corp.example/Servers`). */
  som: string;
  somName?: string;
  enabled: boolean;
  enforced: boolean;
}

/** What the files say about one GPO. */
export interface GpoFacts {
  guid: string;
  name?: string;
  computerEnabled?: boolean;
  /** From a report: its `<LinksTo>`; undefined when no report described the GPO. */
  links?: PolicyLink[];
  applyTrustees?: { allow: Trustee[]; deny: Trustee[] };
  /** Backup.xml: why its security descriptor could not be read (security filtering unknown). */
  securityUnknown?: string;
  wmiFilter?: string;
  /** RSoP: why the GPO did not apply on the reported computer (per report file). */
  rsopNotApplied?: { path: string; reason: string }[];
}

export interface FilePolicy {
  path: string;
  format: FileFormat;
  gpos: GpoFacts[];
  observations: Observation[];
}

function extensionOf(file: ParsedFile, s: Setting, inGpo: boolean): Extension {
  switch (file.format) {
    case 'registry-pol':
      return inGpo ? 'registry' : 'none';
    case 'inf':
      return inGpo ? 'security' : 'none';
    case 'gpp-registry-xml':
      return inGpo ? 'gpp' : 'none';
    case 'gpo-report-xml':
    case 'rsop-xml':
      return s.cse ?? 'registry';
    default:
      return 'none';
  }
}

function factsOfRef(ref: ReportGpo): GpoFacts | undefined {
  const guid = normGuid(ref.guid);
  if (!guid) return undefined;
  const f: GpoFacts = { guid };
  if (ref.name) f.name = ref.name;
  if (ref.computerEnabled !== undefined) f.computerEnabled = ref.computerEnabled;
  if (ref.links) f.links = ref.links.map((l) => ({ som: l.somPath, ...(l.somName ? { somName: l.somName } : {}), enabled: l.enabled, enforced: l.enforced }));
  if (ref.applyTrustees) f.applyTrustees = ref.applyTrustees;
  if (ref.wmiFilter) f.wmiFilter = ref.wmiFilter;
  return f;
}

/** Settings grouped by their GPO (a `Get-GPOReport -All` export holds many): each GPO is judged with its own peers. */
function byGpo(settings: readonly Setting[]): Setting[][] {
  const groups = new Map<object | undefined, Setting[]>();
  for (const s of settings) {
    const g = groups.get(s.gpo);
    if (g) g.push(s);
    else groups.set(s.gpo, [s]);
  }
  return [...groups.values()];
}

function observe(path: string, file: ParsedFile, settings: Setting[], fileGpo: string | undefined, index: LineIndex, shadowed: boolean, out: Observation[], given?: readonly Judged[]): void {
  let judged: readonly Judged[];
  if (given) judged = given;
  else {
    // Judged with role `any`: no judgement depends on the role, and DC-only rules are filtered per scope.
    const own = byGpo(settings).flatMap((group) => judgeFile({ ...file, settings: group }, { role: 'any', targetOs: 'legacy' }));
    // Back in file order.
    const order = new Map(settings.map((s, i) => [s, i]));
    own.sort((a, b) => (order.get(a.setting) ?? 0) - (order.get(b.setting) ?? 0));
    judged = own;
  }
  for (const j of judged) {
    const s = j.setting;
    const gpo = normGuid(s.gpo?.guid) ?? fileGpo;
    const o: Observation = {
      ruleId: j.rule.id,
      path,
      extension: extensionOf(file, s, !!gpo),
      format: file.format,
      key: displayKey(s.hive, s.key),
      name: s.name,
      value: s.state === 'deleted' ? null : s.value,
      state: s.state,
      status: j.status,
    };
    if (gpo) o.gpo = gpo;
    if (s.offset !== undefined) o.offset = s.offset;
    else o.line = index.positionAt(s.span.start).line + 1;
    if (s.condition) o.condition = s.condition;
    if (shadowed) o.shadowed = true;
    out.push(o);
  }
}

/**
 * The policy record of one parsed file. `identity` is the GPO the file's folder belongs to (SYSVOL or backup), if any.
 * `judged`: the caller's `judgeFile` result for `file.settings`, when it is the judgement this record
 * needs (`isPolicyJudgement`); otherwise the settings are judged here.
 */
export function filePolicy(path: string, file: ParsedFile, identity?: GpoIdentity, index: LineIndex = lineIndexFor(file.text), judged?: readonly Judged[]): FilePolicy {
  const fileGpo = normGuid(identity?.guid);
  const gpos: GpoFacts[] = [];
  for (const ref of file.reportGpos ?? []) {
    const f = factsOfRef(ref);
    if (f) gpos.push(f);
  }
  for (const r of file.rsopGpos ?? []) {
    const guid = normGuid(r.guid);
    if (!guid || !r.notApplied) continue;
    gpos.push({ guid, ...(r.name ? { name: r.name } : {}), rsopNotApplied: [{ path, reason: r.notApplied }] });
  }
  if (fileGpo && !gpos.some((g) => g.guid === fileGpo)) {
    const f: GpoFacts = { guid: fileGpo };
    if (identity?.name) f.name = identity.name;
    if (identity?.computerEnabled !== undefined) f.computerEnabled = identity.computerEnabled;
    if (identity?.wmiFilter) f.wmiFilter = identity.wmiFilter;
    if (identity?.applyTrustees) f.applyTrustees = identity.applyTrustees;
    else if (identity?.securityUnknown) f.securityUnknown = identity.securityUnknown;
    gpos.push(f);
  }
  const observations: Observation[] = [];
  observe(path, file, file.settings, fileGpo, index, false, observations, judged);
  if (file.shadowed?.length) observe(path, file, file.shadowed, fileGpo, index, true, observations);
  return { path, format: file.format, gpos, observations };
}

/** One GPO of the set, merged over every file that describes it. */
export interface PolicyGpo extends GpoFacts {
  /** Files of the GPO (policy files and reports). */
  files: string[];
  /** Whether any report described the GPO's links (an empty list then means "no link in its report"). */
  linksKnown: boolean;
}

export interface PolicySet {
  gpos: Map<string, PolicyGpo>;
  /** Observations by GPO `{GUID}`; the ones without a GPO under ''. */
  byGpo: Map<string, Observation[]>;
}

/** Why a GPO applies nowhere, from its own files (computer side disabled, no enabled link in its report). */
export function appliesNowhereByFiles(g: GpoFacts): string | undefined {
  if (g.computerEnabled === false) return 'its computer side is disabled (GPO status), so none of its computer settings apply anywhere';
  const excluded = excludedEverywhere(g.applyTrustees);
  if (excluded) return `${excluded}, so its settings apply nowhere`;
  if (g.links) {
    if (g.links.length === 0) return 'its report shows no link, so its settings apply nowhere';
    if (g.links.every((l) => !l.enabled)) return 'every link in its report is disabled, so its settings apply nowhere';
  }
  return undefined;
}

export class PolicySetBuilder {
  private readonly gpos = new Map<string, PolicyGpo>();
  private readonly byGpo = new Map<string, Observation[]>();
  /**
   * One copy of each repeated string (key paths, value names, GPO ids, paths): records arrive from
   * worker threads as fresh copies, and a SYSVOL repeats the same few keys in every GPO. Bounded.
   */
  private readonly strings = new Map<string, string>();

  private intern(s: string): string {
    const have = this.strings.get(s);
    if (have !== undefined) return have;
    if (this.strings.size < 200_000) this.strings.set(s, s);
    return s;
  }

  add(rec: FilePolicy): void {
    for (const f of rec.gpos) {
      let g = this.gpos.get(f.guid);
      if (!g) this.gpos.set(f.guid, (g = { guid: f.guid, files: [], linksKnown: false }));
      if (!g.name && f.name) g.name = f.name;
      if (f.computerEnabled === false || (g.computerEnabled === undefined && f.computerEnabled !== undefined)) g.computerEnabled = f.computerEnabled;
      if (f.links) {
        g.linksKnown = true;
        const seen = new Set((g.links ?? []).map((l) => l.som.toLowerCase()));
        g.links = [...(g.links ?? []), ...f.links.filter((l) => !seen.has(l.som.toLowerCase()))];
      }
      if (f.applyTrustees && !g.applyTrustees) g.applyTrustees = f.applyTrustees;
      if (f.securityUnknown && !g.securityUnknown) g.securityUnknown = f.securityUnknown;
      if (f.wmiFilter && !g.wmiFilter) g.wmiFilter = f.wmiFilter;
      if (f.rsopNotApplied) g.rsopNotApplied = [...(g.rsopNotApplied ?? []), ...f.rsopNotApplied];
      if (!g.files.includes(rec.path)) g.files.push(rec.path);
    }
    for (const o of rec.observations) {
      o.path = this.intern(o.path);
      o.key = this.intern(o.key);
      o.name = this.intern(o.name);
      o.ruleId = this.intern(o.ruleId);
      if (o.gpo) o.gpo = this.intern(o.gpo);
      o.format = this.intern(o.format) as FileFormat;
      o.extension = this.intern(o.extension) as Extension;
      o.state = this.intern(o.state) as SettingState;
      o.status = this.intern(o.status) as Observation['status'];
      if (typeof o.value === 'string') o.value = this.intern(o.value);
      if (o.condition) o.condition = this.intern(o.condition);
      const k = o.gpo ?? '';
      const list = this.byGpo.get(k);
      if (list) list.push(o);
      else this.byGpo.set(k, [o]);
      if (o.gpo) {
        let g = this.gpos.get(o.gpo);
        if (!g) this.gpos.set(o.gpo, (g = { guid: o.gpo, files: [], linksKnown: false }));
        if (!g.files.includes(o.path)) g.files.push(o.path);
      }
    }
  }

  build(): PolicySet {
    return { gpos: this.gpos, byGpo: this.byGpo };
  }
}

/**
 * What the topology says about whether GPOs reach any machine, as plain data (it crosses to worker
 * threads): the GPOs with at least one enabled link, and a reason for those that apply nowhere
 * although linked (computer side disabled per the GPC flags, every link disabled).
 */
export interface TopologyReach {
  linked: string[];
  reasons: Record<string, string>;
}

const NO_LINK = 'no enabled link to it is in the topology, so its settings apply nowhere';

function reachReason(reach: TopologyReach | undefined, guid: string): string | undefined {
  if (!reach) return undefined;
  return reach.reasons[guid] ?? (reach.linked.includes(guid) ? undefined : NO_LINK);
}

/**
 * The info findings of a file whose GPO(s) apply nowhere, and which settings to leave out of
 * coverage. A report says it per GPO (its `Computer/Enabled` and `<LinksTo>`); a SYSVOL or backup
 * file through its folder's identity (Backup.xml `Options`) and the topology.
 */
export function appliesNowhereFindings(file: ParsedFile, identity: GpoIdentity | undefined, reach?: TopologyReach): { findings: Finding[]; skip: (s: Setting) => boolean } {
  const reasons = new Map<string, { why: string; name?: string; span: Span }>();
  for (const g of file.reportGpos ?? []) {
    const f = factsOfRef(g);
    if (!f) continue;
    const why = appliesNowhereByFiles(f) ?? reachReason(reach, f.guid);
    if (why) reasons.set(f.guid, { why, ...(f.name ? { name: f.name } : {}), span: g.span ?? { start: 0, end: 0 } });
  }
  const own = normGuid(identity?.guid);
  if (own && !reasons.has(own)) {
    const excluded = excludedEverywhere(identity?.applyTrustees);
    const why =
      identity?.computerEnabled === false
        ? 'its computer side is disabled (GPO status in Backup.xml), so none of its computer settings apply anywhere'
        : excluded
          ? `${excluded} (Backup.xml security descriptor), so its settings apply nowhere`
          : reachReason(reach, own);
    if (why) reasons.set(own, { why, ...(identity?.name ? { name: identity.name } : {}), span: { start: 0, end: 0 } });
  }
  const findings: Finding[] = [];
  for (const [guid, r] of reasons) {
    const f: Finding = {
      ruleId: 'gpo.applies-nowhere',
      severity: 'info',
      message: `The GPO ${r.name ? `"${r.name}" ` : ''}${guid} applies nowhere: ${r.why}. Its values do not count as hardened in coverage or in the effective policy.`,
      span: r.span,
      fixes: [],
    };
    if (file.format === 'registry-pol') f.offset = 0;
    findings.push(f);
  }
  const skip = (s: Setting) => {
    if (!reasons.size) return false;
    const g = normGuid(s.gpo?.guid) ?? own;
    return !!g && reasons.has(g);
  };
  return { findings, skip };
}
