/**
 * What the posture report reads: the JSON result of `relaylint scan --format json`.
 *
 * The `*Json` types mirror the published output contracts: `coverage` (today's set-level judgement,
 * server/src/core/coverage.ts), `gpos`/`scopes` (issue 11, effective policy per OU) and
 * `evidence`/`readiness` (issue 12, rollout readiness from event logs). Everything beyond `coverage`
 * is optional, so the report works (a) with files only: the whole scanned set is one scope, judged
 * from `coverage`; (b) with scopes; (c) with readiness.
 *
 * `postureInput()` validates an untyped document (a baseline file is user input) and normalises it
 * into per-scope rule states. Bad input gives problems, never a throw.
 */
import { BoundedInterner, same } from '../intern';
import type { RegData, Role, TargetOs } from '../types';

// ---- JSON contracts ---------------------------------------------------------------------------

export interface CoverageSourceJson {
  path: string;
  line?: number;
  offset?: number;
  value: RegData;
  state: string;
  status: 'hardened' | 'weak' | 'unknown' | 'deleted';
  gpo?: string;
}

export interface CoverageEntryJson {
  ruleId: string;
  key: string;
  name: string;
  status: 'hardened' | 'weak' | 'missing' | 'mixed' | 'configured';
  exposedWhenMissing: boolean;
  sources: CoverageSourceJson[];
  sourceCount?: number;
}

export interface GpoJson {
  guid: string;
  name: string;
  computerEnabled?: boolean;
  links?: { som: string; enabled: boolean; enforced: boolean; order?: number }[];
  filters?: { security?: string[]; wmi?: string };
}

export interface EffectiveLocJson {
  /** GPO GUID (names come from `gpos`). */
  gpo: string;
  path: string;
  line?: number;
  offset?: number;
  value?: RegData;
}

export type EffectiveStatus = 'hardened' | 'weak' | 'missing' | 'conditional' | 'conflict' | 'undetermined';

export interface EffectiveJson {
  ruleId: string;
  key?: string;
  name?: string;
  status: EffectiveStatus;
  value?: RegData;
  winner?: EffectiveLocJson;
  shadowed?: EffectiveLocJson[];
  exposedWhenMissing?: boolean;
  why?: string;
}

export interface ScopeJson {
  som: string;
  dn?: string;
  kind: 'domain' | 'ou' | 'site';
  role: 'dc' | 'member';
  blocksInheritance?: boolean;
  /** Precedence order, highest first. */
  gpos: { guid: string; enforced?: boolean; from?: string }[];
  effective: EffectiveJson[];
}

export interface EvidenceJson {
  path: string;
  format: 'evtx' | 'event-xml' | 'event-csv' | string;
  records?: number;
  relevant?: number;
  from?: string;
  to?: string;
  computers?: string[];
  problems?: unknown[];
}

export interface ReadinessClientJson {
  address?: string;
  host?: string;
  account?: string;
  events: number;
  first?: string;
  last?: string;
  eventIds?: number[];
  sources?: { path: string; record?: number }[];
}

export type ReadinessStatus = 'ready' | 'blocked' | 'no-evidence' | 'audit-off' | 'window-short';

export interface ReadinessJson {
  ruleId: string;
  /** Omitted without topology: the whole scanned set. */
  scope?: string;
  status: ReadinessStatus;
  clients?: ReadinessClientJson[];
  ignored?: { reason: string; events: number }[];
  why?: string;
  /** Event logs that could not be read in full and may hold the rule's events: its status holds only as far as the logs read show. */
  unread?: string[];
}

/** A readiness status as the page says it: with the caveat when an event log could not be read in full. */
export function readinessStatusText(r: Pick<ReadinessJson, 'status' | 'unread'>): string {
  return r.unread?.length ? `${r.status}, but not every event log was read in full (${r.unread.join(', ')})` : r.status;
}

export interface ScanResultJson {
  tool?: { name?: string; version?: string };
  options?: { role?: Role; targetOs?: TargetOs };
  files?: unknown[];
  coverage?: CoverageEntryJson[];
  gpos?: GpoJson[];
  scopes?: ScopeJson[];
  evidence?: EvidenceJson[];
  readiness?: ReadinessJson[];
  summary?: { files?: number; skipped?: number; seconds?: number; errors?: number };
}

// ---- normalised model -------------------------------------------------------------------------

/** A place in a GPO file that configures a value. */
export interface Loc {
  path: string;
  line?: number;
  offset?: number;
  /** GPO display name (or GUID when the name is unknown). */
  gpo?: string;
  value?: RegData;
  status?: string;
}

export type RuleStatus = 'hardened' | 'weak' | 'missing' | 'mixed' | 'configured' | EffectiveStatus;

export interface RuleState {
  ruleId: string;
  status: RuleStatus;
  /** The values that apply: the winner's (scopes) or every listed source's (coverage, where GPOs may disagree). `null` = deleted. */
  values: RegData[];
  /** False when some sources were not listed (coverage keeps 50 per rule). */
  complete: boolean;
  exposedWhenMissing: boolean;
  /** The deciding line(s): the winner with scopes; every configuring source in files-only mode. */
  deciders: Loc[];
  shadowed: Loc[];
  why?: string;
}

export type ScopeGroup = 'dc' | 'server' | 'workstation' | 'member' | 'all';

export interface PostureScope {
  /** Canonical path (`corp.example/Servers`) or `ALL` for the files-only scope. */
  id: string;
  label: string;
  dn?: string;
  kind: 'domain' | 'ou' | 'site' | 'files';
  role: Role;
  group: ScopeGroup;
  /** GPO names in precedence order, highest first. */
  gpos: string[];
  rules: Map<string, RuleState>;
}

export interface PostureInput {
  version: string;
  role: Role;
  targetOs: TargetOs;
  mode: 'files' | 'scopes';
  scopes: PostureScope[];
  readiness: ReadinessJson[];
  evidence: EvidenceJson[];
  files: number;
  problems: string[];
}

export const ALL_SCOPE = 'ALL';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

function regData(x: unknown): RegData {
  if (typeof x === 'number' || typeof x === 'string' || x === null) return x;
  if (Array.isArray(x) && x.every((s) => typeof s === 'string')) return x as string[];
  return null;
}

/** Which role group a scope belongs to on the page. issue 11 gives dc|member; servers and workstations are told apart by OU name. */
export function groupOf(role: Role, som: string, kind: PostureScope['kind']): ScopeGroup {
  if (kind === 'files') return 'all';
  if (role === 'dc') return 'dc';
  const leafPath = som.toLowerCase();
  if (/(^|\/)[^/]*server/.test(leafPath)) return 'server';
  if (/(^|\/)[^/]*(workstation|desktop|laptop|client|computers|pcs?\b)/.test(leafPath)) return 'workstation';
  return 'member';
}

function loc(x: unknown, gpoNames: ReadonlyMap<string, string>): Loc | undefined {
  if (!isObj(x)) return undefined;
  const path = str(x.path);
  if (path === undefined) return undefined;
  const l: Loc = { path };
  const line = num(x.line);
  const offset = num(x.offset);
  if (line !== undefined) l.line = line;
  if (offset !== undefined) l.offset = offset;
  const g = str(x.gpo);
  if (g !== undefined) l.gpo = gpoNames.get(g.toLowerCase()) ?? g;
  if ('value' in x) l.value = regData(x.value);
  const status = str(x.status);
  if (status) l.status = status;
  return l;
}

/** A status given as one of `statuses` (anything else, an array or an object included, is not one). */
function known(statuses: ReadonlySet<string>, v: unknown): boolean {
  return typeof v === 'string' && statuses.has(v);
}

const COVERAGE_STATUS = new Set(['hardened', 'weak', 'missing', 'mixed', 'configured']);
const EFFECTIVE_STATUS = new Set(['hardened', 'weak', 'missing', 'conditional', 'conflict', 'undetermined']);
const READINESS_STATUS = new Set(['ready', 'blocked', 'no-evidence', 'audit-off', 'window-short']);

function fromCoverage(entries: unknown[], problems: string[]): Map<string, RuleState> {
  const out = new Map<string, RuleState>();
  for (const e of entries) {
    if (!isObj(e) || typeof e.ruleId !== 'string' || !known(COVERAGE_STATUS, e.status)) {
      problems.push('a coverage entry without a rule id or a known status was ignored');
      continue;
    }
    const sources = arr(e.sources)
      .map((s) => loc(s, new Map()))
      .filter((s): s is Loc => !!s);
    const count = num(e.sourceCount) ?? sources.length;
    out.set(e.ruleId, {
      ruleId: e.ruleId,
      status: e.status as RuleStatus,
      values: sources.map((s) => (s.status === 'deleted' ? null : (s.value ?? null))),
      complete: count <= sources.length,
      exposedWhenMissing: e.exposedWhenMissing === true,
      deciders: sources,
      shadowed: [],
    });
  }
  return out;
}

/** What the scopes of one input share: Locs by the object they come from, and equal texts. */
class Made {
  /** Only when the caller says the input's objects are shared (see postureInput). */
  readonly locs: WeakMap<object, Loc> | undefined;
  /**
   * One string for equal reasons: a winner inherited by many OUs gives the same reason in each (at
   * 5,500 GPOs, 38,575 reasons, 10,962 distinct). Bounded, as the policy set's tables are.
   */
  readonly whys = new BoundedInterner(100_000);
  constructor(sharedObjects: boolean) {
    this.locs = sharedObjects ? new WeakMap() : undefined;
  }
}

/**
 * `loc` once per located object of the input: the effective policy hands one object for a value in
 * every scope it reaches (a value of a GPO linked at the domain is shadowed in every OU below), and
 * that is one Loc here too, not one per scope (at 5,500 GPOs, hundreds of thousands of Locs). A
 * Loc is never changed once made. Parsed JSON shares no object: there (`sharedObjects` not given)
 * no table of the objects seen is kept, it would only cost memory.
 */
function sharedLoc(x: unknown, gpoNames: ReadonlyMap<string, string>, made: Made): Loc | undefined {
  if (!isObj(x) || !made.locs) return loc(x, gpoNames);
  let l = made.locs.get(x);
  if (l === undefined) {
    l = loc(x, gpoNames);
    if (l) made.locs.set(x, l);
  }
  return l;
}

function fromEffective(entries: unknown[], gpoNames: ReadonlyMap<string, string>, problems: string[], som: string, made: Made): Map<string, RuleState> {
  const out = new Map<string, RuleState>();
  for (const e of entries) {
    if (!isObj(e) || typeof e.ruleId !== 'string' || !known(EFFECTIVE_STATUS, e.status)) {
      problems.push(`scope ${som}: an effective entry without a rule id or a known status was ignored`);
      continue;
    }
    let winner = sharedLoc(e.winner, gpoNames, made);
    const shadowed = arr(e.shadowed)
      .map((s) => sharedLoc(s, gpoNames, made))
      .filter((s): s is Loc => !!s);
    const status = e.status as EffectiveStatus;
    let values: RegData[] = [];
    // An entry in memory has every member, the absent ones undefined (scope/effective.ts `entryOf`); one read from JSON has them or not.
    const hasValue = 'value' in e && e.value !== undefined;
    if (status === 'conflict') values = [regData(e.value), ...shadowed.map((s) => s.value ?? null)].filter((v) => v !== null);
    else if (status !== 'missing') values = [regData(hasValue ? e.value : winner?.value)];
    // The entry's value on a winner that names none: on a copy (the Loc may be shared).
    if (winner && !('value' in winner) && hasValue) winner = { ...winner, value: regData(e.value) };
    const st: RuleState = {
      ruleId: e.ruleId,
      status,
      values,
      complete: true,
      exposedWhenMissing: e.exposedWhenMissing === true,
      deciders: winner ? [winner] : [],
      shadowed,
    };
    const why = str(e.why);
    if (why) st.why = made.whys.get(why, same);
    out.set(e.ruleId, st);
  }
  return out;
}

/**
 * The scopes of a scan result: its array, or any other iterable (the editor hands an effective-policy
 * stream's pass, so each scope is normalised as it is computed and none is kept); anything else has
 * none. Parsed JSON holds no iterable but an array.
 */
function scopesOf(x: unknown): Iterable<unknown> {
  if (Array.isArray(x)) return x;
  return isObj(x) && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' ? (x as unknown as Iterable<unknown>) : [];
}

/**
 * Normalises a scan result (parsed JSON, any shape; its scopes may be any iterable) into the posture
 * model. `sharedObjects`: the result is the effective policy's own objects (the CLI's scan, the
 * editor's model), where one located value is one object in every scope it reaches.
 */
export function postureInput(doc: unknown, options: { sharedObjects?: boolean } = {}): PostureInput {
  const problems: string[] = [];
  const d = isObj(doc) ? doc : {};
  if (!isObj(doc)) problems.push('the result is not a JSON object');
  const opts = isObj(d.options) ? d.options : {};
  const role: Role = opts.role === 'dc' || opts.role === 'member' ? opts.role : 'any';
  const targetOs: TargetOs = opts.targetOs === 'win11-24h2' || opts.targetOs === 'ws2025' ? opts.targetOs : 'legacy';
  const tool = isObj(d.tool) ? d.tool : {};
  const gpoNames = new Map<string, string>();
  for (const g of arr(d.gpos)) if (isObj(g) && typeof g.guid === 'string' && typeof g.name === 'string') gpoNames.set(g.guid.toLowerCase(), g.name);

  const scopes: PostureScope[] = [];
  const made = new Made(!!options.sharedObjects);
  let scoped = false;
  for (const s of scopesOf(d.scopes)) {
    scoped = true;
    if (!isObj(s) || typeof s.som !== 'string') {
      problems.push('a scope without a "som" path was ignored');
      continue;
    }
    const kind = s.kind === 'domain' || s.kind === 'site' ? s.kind : 'ou';
    const r: Role = s.role === 'dc' ? 'dc' : 'member';
    const sc: PostureScope = {
      id: s.som,
      label: s.som,
      kind,
      role: r,
      group: groupOf(r, s.som, kind),
      gpos: arr(s.gpos)
        .map((g) => (isObj(g) && typeof g.guid === 'string' ? (gpoNames.get(g.guid.toLowerCase()) ?? g.guid) : undefined))
        .filter((g): g is string => !!g),
      rules: fromEffective(arr(s.effective), gpoNames, problems, s.som, made),
    };
    const dn = str(s.dn);
    if (dn) sc.dn = dn;
    scopes.push(sc);
  }
  if (!scoped) {
    if (!Array.isArray(d.coverage)) problems.push('the result has neither "scopes" nor "coverage": nothing to assess');
    const rules = fromCoverage(arr(d.coverage), problems);
    const gpos = new Set<string>();
    for (const st of rules.values()) for (const l of st.deciders) if (l.gpo) gpos.add(l.gpo);
    scopes.push({
      id: ALL_SCOPE,
      label: `All scanned files (role ${role}, no topology)`,
      kind: 'files',
      role,
      group: 'all',
      gpos: [...gpos].sort(),
      rules,
    });
  }

  // The topology's errors: an export that was refused leaves the scopes (or all of them) out.
  for (const x of arr(isObj(d.topology) ? d.topology.problems : undefined)) {
    if (isObj(x) && x.severity === 'error' && typeof x.message === 'string') problems.push(`the topology${typeof x.source === 'string' ? ` ${x.source}` : ''}: ${x.message}`);
  }

  const readiness: ReadinessJson[] = [];
  for (const r of arr(d.readiness)) {
    if (!isObj(r) || typeof r.ruleId !== 'string' || !known(READINESS_STATUS, r.status)) {
      problems.push('a readiness entry without a rule id or a known status was ignored');
      continue;
    }
    const entry: ReadinessJson = { ruleId: r.ruleId, status: r.status as ReadinessStatus };
    const scope = str(r.scope);
    if (scope !== undefined) entry.scope = scope;
    const why = str(r.why);
    if (why !== undefined) entry.why = why;
    const unread = arr(r.unread).filter((x): x is string => typeof x === 'string');
    if (unread.length) entry.unread = unread;
    entry.clients = arr(r.clients).filter(isObj).map((c) => {
      const cl: ReadinessClientJson = { events: num(c.events) ?? 0 };
      for (const k of ['address', 'host', 'account', 'first', 'last'] as const) {
        const v = str(c[k]);
        if (v !== undefined) cl[k] = v;
      }
      const ids = arr(c.eventIds).filter((x): x is number => typeof x === 'number');
      if (ids.length) cl.eventIds = ids;
      const srcs = arr(c.sources).filter(isObj).filter((x) => typeof x.path === 'string') as { path: string; record?: number }[];
      if (srcs.length) cl.sources = srcs;
      return cl;
    });
    entry.ignored = arr(r.ignored)
      .filter(isObj)
      .map((i) => ({ reason: str(i.reason) ?? 'unknown', events: num(i.events) ?? 0 }));
    readiness.push(entry);
  }
  const evidence = arr(d.evidence).filter((e): e is EvidenceJson => isObj(e) && typeof e.path === 'string') as EvidenceJson[];
  // The event logs' errors: a log that could not be read in full may hide clients (as scan prints them).
  for (const e of evidence) {
    for (const x of arr(e.problems)) {
      if (isObj(x) && x.severity === 'error' && typeof x.message === 'string') problems.push(`the event log ${e.path}: ${x.message}`);
    }
  }
  const summary = isObj(d.summary) ? d.summary : {};
  return {
    version: str(tool.version) ?? '',
    role,
    targetOs,
    mode: scoped ? 'scopes' : 'files',
    scopes,
    readiness,
    evidence,
    files: num(summary.files) ?? arr(d.files).length,
    problems,
  };
}
