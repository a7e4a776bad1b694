/**
 * Rollout readiness from exported event logs (issue 12): which clients would fail if a rule were
 * enforced now, and whether the rule is ready to enforce.
 *
 * The collector takes events one at a time (memory: one entry per distinct client and rule, the
 * event times of relevant events, and a first/last per recording server and log); the judge runs
 * once all files are read, because the window ends at the newest event of all of them.
 */
import { compareText } from '../collate';
import { EVENT_KINDS, eventKindOf, RULE_EVIDENCE, type ClientFacts, type RuleEvidence } from './events';
import type { EventRecord, EvidenceFormat, EvidenceProblem } from './types';
import { MAX_UNREAD_LISTED, unreadCaveat, unreadFor } from './unread';

const DAY = 86_400_000;
/** Slack when comparing a log's first event with the window start (exports are taken at different hours). */
const WINDOW_SLACK = DAY;
const MAX_CLIENTS_PER_RULE = 5000;
const MAX_SOURCES_PER_CLIENT = 5;
/** Event times kept in all (bounds memory); beyond it events count as inside the window. */
const MAX_TIMES = 5_000_000;
/** Two event times within this agree with each other (the window anchor must be agreed on, docs/evidence.md). */
const AGREE = DAY;
/** The newest event times kept to find the newest agreed one. */
const NEWEST_KEPT = 64;
/** Problems per file about event times later than the scan's clock (and, apart, before `OLDEST_REAL_TIME`). */
const MAX_FUTURE_PROBLEMS = 20;
/**
 * Event times before this cannot be real. The logs read here are EVTX 3.1 and later, written from
 * Windows Vista / Server 2008 on (scope-and-evidence.md §4.1; 4624's first version is Vista/2008's,
 * §3.8), so no event of them is older than 2007; 2000-01-01 leaves years of room for a clock set
 * wrong, and refuses the zero FILETIME (1601-01-01), 1970 and year 1, which made a log of a day and
 * a half seem to reach back for centuries (and so cover the window).
 */
export const OLDEST_REAL_TIME = Date.UTC(2000, 0, 1);
/**
 * Distinct clients past `MAX_CLIENTS_PER_RULE` told apart per rule (counted, not listed); past it
 * the count is a lower bound ("at least"). Servers kept per such client, to judge scope and window.
 */
const MAX_OVERFLOW_CLIENTS = 50_000;
const MAX_OVERFLOW_SERVERS = 16;
/**
 * (computer, log, record id, time) of the events relaylint uses, kept to count an event given twice
 * (an EVTX and its own XML export, one CSV twice) once; past it duplicates are no longer looked for.
 */
export const MAX_SEEN_EVENTS = 1_000_000;

/** One of the newest event times, and where it is. */
interface TimeAt {
  t: number;
  file: EvidenceFileSummary;
  record?: number;
  line?: number;
  offset?: number;
}

/** The first three clients by what names them best (host, address, account, raw fields), for a `why`. */
function firstNames(clients: readonly ReadinessClient[]): string {
  return clients
    .slice(0, 3)
    .map((c) => c.host ?? c.address ?? c.account ?? rawLabel(c.fields))
    .join(', ');
}

function whereIs(a: { record?: number; line?: number; offset?: number }): string {
  if (a.line !== undefined) return `Line ${a.line}`;
  if (a.record !== undefined) return `Record ${a.record}${a.offset !== undefined ? ` at byte ${a.offset}` : ''}`;
  return 'An event';
}

export interface EvidenceSource {
  path: string;
  record?: number;
  line?: number;
}

export interface EvidenceFileSummary {
  path: string;
  format: EvidenceFormat;
  records: number;
  relevant: number;
  from?: string;
  to?: string;
  computers: string[];
  channels: string[];
  problems: EvidenceProblem[];
  /** Query-InsecureLDAPBinds CSV and other exports without times: the window cannot be judged from them. */
  untimed?: boolean;
}

interface Group {
  key: string;
  facts: ClientFacts;
  /** Per recording server (lower case) → times (ms; NaN = unknown). */
  times: Map<string, number[]>;
  servers: Set<string>;
  logs: Set<string>;
  eventIds: Set<number>;
  sources: EvidenceSource[];
}

/** A client past the per-rule cap: per recording server (lower case), its name and newest time. */
interface OverflowClient {
  servers: Map<string, { name: string; newest: number; untimed: boolean }>;
  ids: Set<number>;
}

interface Coverage {
  server: string;
  channel: string;
  first: number;
  last: number;
  untimed: boolean;
}

interface SummaryEvent {
  ruleId: string;
  kind: string;
  server: string;
  time: number;
  counts: Record<string, string>;
}

export interface ReadinessClient {
  address?: string;
  host?: string;
  account?: string;
  port?: string;
  fields?: Record<string, string>;
  events: number;
  first?: string;
  last?: string;
  eventIds: number[];
  logs: string[];
  servers: string[];
  sources: EvidenceSource[];
}

export type ReadinessStatus = 'ready' | 'blocked' | 'no-evidence' | 'audit-off' | 'window-short';

export interface Readiness {
  ruleId: string;
  scope?: string;
  status: ReadinessStatus;
  clients: ReadinessClient[];
  /** Distinct clients beyond the per-rule cap (in the window and scope), counted only. */
  moreClients?: number;
  /** `moreClients` is a lower bound: past `MAX_OVERFLOW_CLIENTS` of them clients were no longer told apart. */
  moreClientsAtLeast?: boolean;
  ignored: { reason: 'anonymous-logon' | 'shared-event-id'; events: number; source: string }[];
  /** Servers whose logs were used for this rule, and servers of the scope without logs. */
  servers: string[];
  missingServers?: string[];
  window: { from?: string; to?: string; days: number };
  why: string;
  /** Event logs that could not be read in full and may hold this rule's events (unread.ts); `why` says so. */
  unread?: string[];
}

/** A scope of the effective-policy engine (`readinessScopes` in core/scope); optional. */
export interface ReadinessScope {
  /** Canonical name, e.g. `corp.example/Domain Controllers`. */
  name: string;
  /** Computer names of the scope's servers (short or FQDN), when the topology names them. */
  servers?: string[];
  /** Per audit-switch rule id: whether its hardened value applies in this scope. */
  auditSwitches?: Record<string, 'on' | 'off' | 'unknown'>;
  /** The rules judged in this scope (e.g. DC-only rules only in the domain controllers' scope); default every rule. */
  rules?: readonly string[];
}

export interface ReadinessOptions {
  /** Window length in days (default 30), back from the newest event of all sources. */
  windowDays?: number;
  /** Scopes; default one unscoped result. */
  scopes?: ReadinessScope[];
  /** Audit switch state without topology (from the GPO set), by switch rule id. */
  auditSwitches?: Record<string, 'on' | 'off' | 'unknown'>;
  /** Leave out these rules (e.g. DC-only rules for role member). */
  skipRules?: ReadonlySet<string>;
}

function norm(s: string | undefined): string {
  return (s ?? '').trim().toLowerCase();
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

/** Same machine: equal names, or equal up to the first dot (short name vs FQDN). */
export function sameComputer(a: string, b: string): boolean {
  const x = norm(a);
  const y = norm(b);
  if (x === y) return true;
  return x.split('.')[0] === y.split('.')[0] && (!x.includes('.') || !y.includes('.'));
}

export class EvidenceCollector {
  readonly files: EvidenceFileSummary[] = [];
  private readonly groups = new Map<string, Map<string, Group>>();
  private readonly overflow = new Map<string, { clients: Map<string, OverflowClient>; capped: boolean }>();
  private readonly ignored = new Map<string, { events: number; times: number[] }>();
  private readonly coverage = new Map<string, Coverage>();
  private readonly summaries: SummaryEvent[] = [];
  private timesKept = 0;
  newest: number | undefined;

  /** The newest event times (descending), to find the newest time two events agree on. */
  private readonly newestKept: TimeAt[] = [];
  private readonly futureProblems = new Map<EvidenceFileSummary, number>();
  private readonly oldProblems = new Map<EvidenceFileSummary, number>();
  /** Per computer and log (lower case): record id → event time in seconds (NaN: none), of the events used. */
  private readonly seen = new Map<string, Map<number, number>>();
  private seenCount = 0;
  private readonly duplicates = new Map<EvidenceFileSummary, number>();

  /**
   * `now`: the scan's clock (ms). Event times more than a day after it cannot be real: they do not
   * place the window (a warning names them). Without it (tests) no time is judged against a clock.
   */
  constructor(readonly options: { now?: number } = {}) {}

  /** Whether a time is among the newest kept so far (asked before a `TimeAt` is made: `add` runs per event). */
  private isNewest(t: number): boolean {
    const k = this.newestKept;
    return k.length < NEWEST_KEPT || t > k[k.length - 1].t;
  }

  private keepNewest(a: TimeAt): void {
    const k = this.newestKept;
    let i = k.length;
    while (i > 0 && k[i - 1].t < a.t) i--;
    k.splice(i, 0, a);
    if (k.length > NEWEST_KEPT) k.pop();
  }

  /**
   * The newest event time that two events agree on (within a day), else the second-newest time;
   * undefined with fewer than two timed events. The window of clients also reaches back from it, so
   * one event far newer than the rest cannot push clients out of the window.
   */
  agreedNewest(): number | undefined {
    const k = this.newestKept;
    for (let i = 0; i + 1 < k.length; i++) if (k[i].t - k[i + 1].t <= AGREE) return k[i].t;
    return k.length >= 2 ? k[1].t : undefined;
  }

  /** Start a file; feed its events with `add`, then `end`. */
  begin(path: string, format: EvidenceFormat): EvidenceFileSummary {
    const f: EvidenceFileSummary = { path, format, records: 0, relevant: 0, computers: [], channels: [], problems: [] };
    this.files.push(f);
    return f;
  }

  /**
   * Whether an event relaylint uses was read already (same computer, log, record id and time: the
   * time too, so that two events are never merged on their id alone). Events without a computer,
   * log or record id (Query-InsecureLDAPBinds rows, recipe rows without RecordId) are never.
   */
  private isDuplicate(file: EvidenceFileSummary, e: EventRecord): boolean {
    const computer = norm(e.computer);
    const channel = norm(e.channel);
    if (!computer || !channel || e.recordId === undefined) return false;
    const k = `${computer}\u0000${channel}`;
    const ids = this.seen.get(k);
    // To the second: exports write the time with 7 (EVTX, the recipe), 6 (python-evtx) or 3 digits.
    const t = e.timeMs === undefined ? NaN : Math.floor(e.timeMs / 1000);
    const had = ids?.get(e.recordId);
    if (had !== undefined && Object.is(had, t)) {
      this.duplicates.set(file, (this.duplicates.get(file) ?? 0) + 1);
      return true;
    }
    if (had !== undefined) return false;
    if (this.seenCount >= MAX_SEEN_EVENTS) {
      if (this.seenCount++ === MAX_SEEN_EVENTS) {
        file.problems.push({
          severity: 'warning',
          message: `More than ${MAX_SEEN_EVENTS.toLocaleString('en-US')} events relaylint uses were read; events after them are not checked for duplicates (an export given twice may count twice).`,
        });
      }
      return false;
    }
    if (ids) ids.set(e.recordId, t);
    else this.seen.set(k, new Map([[e.recordId, t]]));
    this.seenCount++;
    return false;
  }

  /** End a file: says how many of its events were dropped as duplicates. */
  end(file: EvidenceFileSummary): void {
    const n = this.duplicates.get(file);
    if (!n) return;
    file.problems.push({
      severity: 'warning',
      message: `${n} event${n === 1 ? '' : 's'} of this file ${n === 1 ? 'was' : 'were'} read already (same computer, log, record id and time: the same export given twice, or an EVTX and its own XML export); ${n === 1 ? 'the duplicate was' : 'the duplicates were'} dropped, so each event counts once.`,
    });
  }

  /** A time that cannot be real: a warning (at most `MAX_FUTURE_PROBLEMS` per file and kind). */
  private badTime(file: EvidenceFileSummary, e: EventRecord, counts: Map<EvidenceFileSummary, number>, why: string): void {
    const n = counts.get(file) ?? 0;
    counts.set(file, n + 1);
    if (n >= MAX_FUTURE_PROBLEMS) return;
    const p: EvidenceProblem = {
      severity: 'warning',
      message: `${whereIs({ record: e.recordId, line: e.line, offset: e.offset })}: the event time ${e.time ?? iso(e.timeMs)} ${why}, so it cannot be real; it does not place the readiness window (the event counts as inside it).`,
    };
    if (e.line !== undefined) p.line = e.line;
    if (e.offset !== undefined) p.offset = e.offset;
    file.problems.push(p);
  }

  add(file: EvidenceFileSummary, e: EventRecord): void {
    // Every event of the file counts in its records; one read already (from any file) counts nowhere else.
    file.records++;
    const kind = eventKindOf(e);
    if (kind && this.isDuplicate(file, e)) return;
    let t = e.timeMs;
    const now = this.options.now;
    if (t !== undefined && now !== undefined && t > now + DAY) {
      // Later than the scan's clock: not a real time; it does not place the window (the event still counts as inside it).
      this.badTime(file, e, this.futureProblems, `is later than the scan's clock (${iso(now)}) by more than a day`);
      t = undefined;
    } else if (t !== undefined && t < OLDEST_REAL_TIME) {
      // Before any Windows that writes these logs (a zero FILETIME reads 1601-01-01): the same.
      this.badTime(file, e, this.oldProblems, `is before ${iso(OLDEST_REAL_TIME)?.slice(0, 10)}, older than any Windows that writes these logs`);
      t = undefined;
    }
    if (t !== undefined) {
      if (this.newest === undefined || t > this.newest) this.newest = t;
      if (this.isNewest(t)) {
        const at: TimeAt = { t, file };
        if (e.recordId !== undefined) at.record = e.recordId;
        if (e.line !== undefined) at.line = e.line;
        if (e.offset !== undefined) at.offset = e.offset;
        this.keepNewest(at);
      }
      if (file.from === undefined || t < Date.parse(file.from)) file.from = iso(t);
      if (file.to === undefined || t > Date.parse(file.to)) file.to = iso(t);
    } else file.untimed = true;
    const server = e.computer?.trim() || '';
    if (server && file.computers.length < 100 && !file.computers.some((c) => c.toLowerCase() === server.toLowerCase())) file.computers.push(server);
    const channel = e.channel?.trim() || '';
    if (channel && file.channels.length < 50 && !file.channels.includes(channel)) file.channels.push(channel);
    if (channel) {
      const ck = `${norm(server)}\u0000${norm(channel)}`;
      const c = this.coverage.get(ck);
      if (!c) this.coverage.set(ck, { server, channel, first: t ?? NaN, last: t ?? NaN, untimed: t === undefined });
      else if (t !== undefined) {
        if (!(c.first <= t)) c.first = t;
        if (!(c.last >= t)) c.last = t;
      } else c.untimed = true;
    }
    if (!kind) return;
    const cls = kind.classify(e);
    if (cls.kind === 'other') return;
    file.relevant++;
    for (const ruleId of kind.rules) {
      if (cls.kind === 'ignored') {
        const k = `${ruleId}\u0000${cls.reason}\u0000${norm(server)}`;
        const g = this.ignored.get(k) ?? { events: 0, times: [] };
        g.events++;
        if (t !== undefined && this.timesKept++ < MAX_TIMES) g.times.push(t);
        this.ignored.set(k, g);
      } else if (cls.kind === 'summary') {
        if (this.summaries.length < 100_000) this.summaries.push({ ruleId, kind: kind.key, server, time: t ?? NaN, counts: cls.counts });
      } else {
        this.addClient(ruleId, kind.key, kind.channel, e, t, cls.client, server, file.path);
      }
    }
  }

  /** `t`: the event's time as judged (undefined when unknown or not real). */
  private addClient(ruleId: string, kindKey: string, channel: string, e: EventRecord, t: number | undefined, facts: ClientFacts, server: string, path: string): void {
    let rule = this.groups.get(ruleId);
    if (!rule) this.groups.set(ruleId, (rule = new Map()));
    const key = [norm(facts.address), norm(facts.host), norm(facts.account), facts.address || facts.host || facts.account ? '' : JSON.stringify(facts.fields ?? {})].join('\u0000');
    let g = rule.get(key);
    if (!g) {
      if (rule.size >= MAX_CLIENTS_PER_RULE) {
        this.addOverflow(ruleId, key, e, t, server);
        return;
      }
      g = { key, facts, times: new Map(), servers: new Set(), logs: new Set(), eventIds: new Set(), sources: [] };
      rule.set(key, g);
    }
    const sk = norm(server);
    let list = g.times.get(sk);
    if (!list) g.times.set(sk, (list = []));
    if (this.timesKept++ < MAX_TIMES) list.push(t ?? NaN);
    else list.push(NaN);
    if (server) g.servers.add(server);
    g.logs.add(e.channel || channel);
    if (e.eventId !== undefined) g.eventIds.add(e.eventId);
    if (g.sources.length < MAX_SOURCES_PER_CLIENT) {
      const s: EvidenceSource = { path };
      if (e.recordId !== undefined) s.record = e.recordId;
      if (e.line !== undefined) s.line = e.line;
      g.sources.push(s);
    }
    void kindKey;
  }

  /** A client past the per-rule cap: told apart by its key, with its servers' newest times (for window and scope). */
  private addOverflow(ruleId: string, key: string, e: EventRecord, t: number | undefined, server: string): void {
    let o = this.overflow.get(ruleId);
    if (!o) this.overflow.set(ruleId, (o = { clients: new Map(), capped: false }));
    let c = o.clients.get(key);
    if (!c) {
      if (o.clients.size >= MAX_OVERFLOW_CLIENTS) {
        o.capped = true;
        return;
      }
      o.clients.set(key, (c = { servers: new Map(), ids: new Set() }));
    }
    const sk = norm(server);
    let s = c.servers.get(sk);
    if (!s) {
      // Past MAX_OVERFLOW_SERVERS servers for one client, further servers are not kept for it.
      if (c.servers.size >= MAX_OVERFLOW_SERVERS) return;
      c.servers.set(sk, (s = { name: server, newest: -Infinity, untimed: false }));
    }
    if (t === undefined) s.untimed = true;
    else if (t > s.newest) s.newest = t;
    if (e.eventId !== undefined) c.ids.add(e.eventId);
  }

  /** The rules that have evidence events. */
  ruleIds(): string[] {
    return RULE_EVIDENCE.map((r) => r.ruleId);
  }

  /** Judge every rule that has evidence events in the catalogue. */
  judge(options: ReadinessOptions = {}): Readiness[] {
    const days = options.windowDays ?? 30;
    const to = this.newest;
    const from = to === undefined ? undefined : to - days * DAY;
    // Clients are counted back from the newest agreed time too: an outlier cannot hide them.
    const agreed = this.agreedNewest();
    const clientsFrom = from === undefined || agreed === undefined ? from : Math.min(from, agreed - days * DAY);
    this.outlierWarned = false;
    const scopes: (ReadinessScope | undefined)[] = options.scopes?.length ? options.scopes : [undefined];
    const out: Readiness[] = [];
    for (const scope of scopes) {
      for (const re of RULE_EVIDENCE) {
        if (options.skipRules?.has(re.ruleId)) continue;
        if (scope?.rules && !scope.rules.includes(re.ruleId)) continue;
        const r = this.judgeRule(re, scope, days, from, to, options, clientsFrom);
        const unread = unreadFor(this.files, re.channels);
        if (unread.length) {
          r.unread = unread.slice(0, MAX_UNREAD_LISTED).map((f) => f.path);
          r.why += unreadCaveat(unread);
        }
        out.push(r);
      }
    }
    return out;
  }

  private inScope(server: string, scope: ReadinessScope | undefined): boolean {
    if (!scope?.servers) return true;
    return scope.servers.some((s) => sameComputer(s, server));
  }

  private outlierWarned = false;

  /** A warning on the file of the newest event when it alone moved the window past clients (once per judge). */
  private warnOutlier(): string {
    const top = this.newestKept[0];
    const agreed = this.agreedNewest();
    if (!top || agreed === undefined) return '';
    const text = `${whereIs(top)}: the event time ${iso(top.t)} is more than a day newer than any other event given (the newest time two events agree on is ${iso(agreed)}); the window would end at it and leave out clients seen before, so clients are counted back from ${iso(agreed)} as well.`;
    if (!this.outlierWarned) {
      this.outlierWarned = true;
      if (!top.file.problems.some((p) => p.message === text)) {
        const p: EvidenceProblem = { severity: 'warning', message: text };
        if (top.line !== undefined) p.line = top.line;
        if (top.offset !== undefined) p.offset = top.offset;
        top.file.problems.push(p);
      }
    }
    return ` The newest event (${iso(top.t)}, ${top.file.path}${top.line !== undefined ? ` line ${top.line}` : top.record !== undefined ? ` record ${top.record}` : ''}) is more than a day newer than any other; clients were counted back from ${iso(agreed)} as well, so it cannot hide them.`;
  }

  private judgeRule(
    re: RuleEvidence,
    scope: ReadinessScope | undefined,
    days: number,
    from: number | undefined,
    to: number | undefined,
    options: ReadinessOptions,
    clientsFrom: number | undefined = from,
  ): Readiness {
    // Clients (and the events left out) count from the earlier of the window start and the agreed one.
    let outlierMatters = false;
    const inWindow = (t: number): boolean => {
      if (Number.isNaN(t) || clientsFrom === undefined || from === undefined) return true;
      if (t >= from) return true;
      if (t >= clientsFrom) {
        outlierMatters = true;
        return true;
      }
      return false;
    };
    const channels = re.channels.map(norm);
    // Logs of this rule's channels, per server.
    const all = [...this.coverage.values()].filter((c) => channels.includes(norm(c.channel)) && this.inScope(c.server, scope));
    // Logs that end before the window starts say nothing about it.
    const stale = all.filter((c) => from !== undefined && !Number.isNaN(c.last) && c.last < from);
    const covs = all.filter((c) => !stale.includes(c));
    const servers = [...new Set(covs.map((c) => c.server).filter(Boolean))].sort();
    const missing = scope?.servers ? scope.servers.filter((s) => !covs.some((c) => c.server && sameComputer(s, c.server))) : [];
    const staleNote = stale.length
      ? ` The logs of ${[...new Set(stale.map((c) => c.server || 'a server'))].sort().join(', ')} end before the window (last event ${iso(Math.max(...stale.map((c) => c.last)))}) and were not used.`
      : '';

    const clients: ReadinessClient[] = [];
    for (const g of this.groups.get(re.ruleId)?.values() ?? []) {
      let events = 0;
      let first = Infinity;
      let last = -Infinity;
      const usedServers: string[] = [];
      for (const [sk, times] of g.times) {
        const serverName = [...g.servers].find((s) => norm(s) === sk) ?? '';
        if (!this.inScope(serverName, scope)) continue;
        let n = 0;
        for (const t of times) {
          if (!inWindow(t)) continue;
          n++;
          if (!Number.isNaN(t)) {
            if (t < first) first = t;
            if (t > last) last = t;
          }
        }
        if (n) {
          events += n;
          if (serverName) usedServers.push(serverName);
        }
      }
      if (!events) continue;
      const c: ReadinessClient = { events, eventIds: [...g.eventIds].sort((a, b) => a - b), logs: [...g.logs].sort(), servers: usedServers.sort(), sources: g.sources };
      if (g.facts.address) c.address = g.facts.address;
      if (g.facts.port) c.port = g.facts.port;
      if (g.facts.host) c.host = g.facts.host;
      if (g.facts.account) c.account = g.facts.account;
      if (g.facts.fields && Object.keys(g.facts.fields).length) c.fields = g.facts.fields;
      if (first !== Infinity) c.first = iso(first);
      if (last !== -Infinity) c.last = iso(last);
      clients.push(c);
    }
    clients.sort((a, b) => b.events - a.events || compareText(a.address ?? a.host ?? a.account ?? '', b.address ?? b.host ?? b.account ?? ''));

    const ignored: Readiness['ignored'] = [];
    let anon = 0;
    for (const [k, g] of this.ignored) {
      const [ruleId, , server] = k.split('\u0000');
      if (ruleId !== re.ruleId) continue;
      if (scope?.servers && !scope.servers.some((s) => sameComputer(s, server))) continue;
      const untimed = g.events - g.times.length;
      anon += untimed + g.times.filter(inWindow).length;
    }
    if (anon) ignored.push({ reason: 'anonymous-logon', events: anon, source: 'KB4090105' });

    const result: Readiness = {
      ruleId: re.ruleId,
      status: 'ready',
      clients,
      ignored,
      servers,
      window: { from: iso(from), to: iso(to), days },
      why: '',
    };
    if (scope) result.scope = scope.name;
    if (missing.length) result.missingServers = missing;

    const serverList = servers.length ? servers.join(', ') : 'unnamed servers';
    const kindsSeen = clients.length > 0;
    // 0. Events whose id another audit shares (which id is which is not confirmed) count only where
    // that audit's switch is off; elsewhere they decide nothing and are listed under `ignored`.
    const shared = re.sharedWith;
    const sharedState = shared ? ((scope?.auditSwitches ?? options.auditSwitches)?.[shared.switchRule] ?? 'unknown') : undefined;
    const where = scope ? ` in ${scope.name}` : ' in the GPOs scanned';
    let unsure: ReadinessClient[] = [];
    if (shared && sharedState !== 'off') {
      unsure = clients.filter((c) => c.eventIds.every((id) => shared.ids.includes(id)));
      if (unsure.length) {
        for (const c of unsure) clients.splice(clients.indexOf(c), 1);
        ignored.push({ reason: 'shared-event-id', events: unsure.reduce((n, c) => n + c.events, 0), source: 'settings-and-formats.md §1.9' });
      }
    }
    const sharedIds = shared ? shared.ids.join(' / ') : '';
    // Clients past the cap: counted as the listed ones are (scope, window, shared ids).
    let more = 0;
    const overflow = this.overflow.get(re.ruleId);
    for (const oc of overflow?.clients.values() ?? []) {
      let seen = false;
      for (const sv of oc.servers.values()) {
        if (this.inScope(sv.name, scope) && (sv.untimed || inWindow(sv.newest))) {
          seen = true;
          break;
        }
      }
      if (!seen) continue;
      if (shared && sharedState !== 'off' && [...oc.ids].every((id) => shared.ids.includes(id))) continue;
      more++;
    }
    const atLeast = overflow?.capped ? 'at least ' : '';
    if (more) result.moreClients = more;
    if (more && overflow?.capped) result.moreClientsAtLeast = true;
    // 1. Clients that would fail.
    if (clients.length || more) {
      const names = clients.length ? ` (${firstNames(clients)}${clients.length > 3 ? ', …' : ''})` : '';
      const total = clients.length + more;
      result.status = 'blocked';
      result.why = `${atLeast}${total} client${total === 1 ? '' : 's'} would fail if this were enforced now${names}, seen in the logs of ${serverList}.`;
      if (anon) result.why += ` ${anon} anonymous NTLM logons were left out: they always read "NTLM V1" and are not NTLMv1 use (KB4090105).`;
      if (shared && sharedState === 'off' && clients.some((c) => c.eventIds.some((id) => shared.ids.includes(id)))) {
        result.why += ` Events ${sharedIds} were counted: one of these ids is the ${shared.switchRule} audit's (which one is not confirmed), and that audit is off${where}.`;
      }
      if (outlierMatters) result.why += this.warnOutlier();
      return result;
    }
    // 1b. Only events another audit shares: they may be that audit's, so they show nothing either way.
    if (unsure.length) {
      const names = firstNames(unsure);
      result.status = 'no-evidence';
      result.why =
        `${unsure.length} client${unsure.length === 1 ? '' : 's'} (${names}${unsure.length > 3 ? ', …' : ''}) logged events ${sharedIds}, but one of these ids is the ${shared?.switchRule} audit's and which one is not confirmed, ` +
        `and that audit is ${sharedState === 'on' ? 'on' : 'not known to be off'}${where}: they may be servers that cannot encrypt rather than sign, so they do not show whether enforcing would break anything. ` +
        `Turn the ${shared?.switchRule} audit off for the audit window, or read the events' text, to tell them apart.`;
      return result;
    }
    // 2. Audit switch off where the GPOs say so (events of this rule prove it on).
    const switchState = re.switchRule ? (scope?.auditSwitches ?? options.auditSwitches)?.[re.switchRule] : undefined;
    if (re.switchRule && switchState === 'off' && !kindsSeen) {
      result.status = 'audit-off';
      result.why = `The audit switch (${re.switchRule}) is not on${scope ? ` in ${scope.name}` : ' in the GPOs scanned'}, so a quiet log proves nothing: ${re.howToAudit}.`;
      return result;
    }
    // 3. The 2887 trap: counts without 2889.
    if (re.ruleId === 'ldap.server.signing') {
      const busy = this.summaries.filter(
        (s) => s.ruleId === re.ruleId && s.kind === 'ldap.2887' && inWindow(s.time) && this.inScope(s.server, scope) && Object.values(s.counts).some((v) => /^\s*[1-9]\d*\s*$/.test(v)),
      );
      if (busy.length) {
        const dcs = [...new Set(busy.map((s) => s.server || 'a DC'))].sort();
        const c = busy[busy.length - 1].counts;
        result.status = 'audit-off';
        result.why =
          `${dcs.join(', ')} logged event 2887 (binds without signing in 24 hours: ${c['Data[0]'] ?? '?'} simple without TLS, ${c['Data[1]'] ?? '?'} SASL without signing), but 2887 names no client and no 2889 was found: ` +
          `${re.howToAudit}.`;
        return result;
      }
    }
    // 3b. The 3040 summary (policy Never): LDAPS binds without a token, counted but not named.
    if (re.ruleId === 'ldap.server.cbt') {
      const busy = this.summaries.filter(
        (s) => s.ruleId === re.ruleId && s.kind === 'ldap.3040' && inWindow(s.time) && this.inScope(s.server, scope) && Object.values(s.counts).some((v) => /^\s*[1-9]\d*\s*$/.test(v)),
      );
      if (busy.length) {
        const dcs = [...new Set(busy.map((s) => s.server || 'a DC'))].sort();
        const raw = Object.entries(busy[busy.length - 1].counts)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        result.status = 'audit-off';
        result.why = `${dcs.join(', ')} logged event 3040 (LDAPS binds without a channel binding token in 24 hours; values ${raw}), which names no client, and no 3039 / 3074 / 3075 was found: ${re.howToAudit}.`;
        return result;
      }
    }
    // 4. No logs of the rule's channels from the scope's servers.
    if (!covs.length) {
      result.status = 'no-evidence';
      result.why =
        scope?.servers && scope.servers.length === 0
          ? `The topology names no computer in ${scope.name}, so no log is known to come from it: ${re.howToAudit}.`
          : `No ${re.channels.join(' or ')} log ${stale.length ? 'covering the window ' : ''}was given${scope ? ` from the servers of ${scope.name}${scope.servers ? ` (${scope.servers.join(', ')})` : ''}` : ''}: ${re.howToAudit}.${staleNote}`;
      return result;
    }
    if (missing.length) {
      result.status = 'no-evidence';
      result.why = `No ${re.channels.join(' or ')} log from ${missing.join(', ')} (logs were given from ${serverList}).${staleNote}`;
      return result;
    }
    // 5. The window: every server's log must reach back to the window start.
    if (covs.some((c) => c.untimed && Number.isNaN(c.first))) {
      result.status = 'window-short';
      result.why = 'The evidence has no event times (Query-InsecureLDAPBinds.ps1 writes none), so the window cannot be judged: export the Directory Service log itself (EVTX or the recipe in docs/evidence.md).';
      return result;
    }
    const short = covs.filter((c) => from === undefined || Number.isNaN(c.first) || c.first > from + WINDOW_SLACK);
    if (short.length) {
      const parts = short.map((c) => `${c.server || 'a server'}: ${Number.isNaN(c.first) || to === undefined ? 0 : Math.max(0, Math.floor((to - c.first) / DAY))} days`);
      result.status = 'window-short';
      result.why = `The logs cover less than the ${days}-day window (${parts.join(', ')}): export a longer period or wait before enforcing.`;
      return result;
    }
    result.why = `Ready: no failing client in ${days} days of logs from ${serverList}.${staleNote}`;
    if (anon) result.why += ` ${anon} anonymous NTLM logons were left out: they always read "NTLM V1" and are not NTLMv1 use (KB4090105).`;
    if (re.ruleId === 'ldap.server.cbt') result.why += ' Events 3074 / 3075 exist only on DCs with the 2023 updates or later and with channel binding at "When supported" or "Always"; at "Never" only the 3040 summary counts binds without a token.';
    if (re.switchRule && switchState === undefined) result.why += ` Whether the audit switch (${re.switchRule}) applies was not checked (no GPO in the scan sets it).`;
    return result;
  }
}

function rawLabel(fields: Record<string, string> | undefined): string {
  if (!fields) return 'unnamed client';
  const e = Object.entries(fields)[0];
  return e ? `${e[0]}=${e[1]}` : 'unnamed client';
}

/** The event kinds, for docs and tests. */
export { EVENT_KINDS };

/**
 * Audit switch states from the set-level coverage of the GPOs scanned (undefined when none was):
 * hardened is on; weak or missing is off; mixed, or set to values relaylint does not rate, unknown.
 */
export function auditSwitchesFrom(coverage: readonly { ruleId: string; status: string }[] | undefined): Record<string, 'on' | 'off' | 'unknown'> | undefined {
  if (!coverage) return undefined;
  const out: Record<string, 'on' | 'off' | 'unknown'> = {};
  for (const e of coverage) out[e.ruleId] = e.status === 'hardened' ? 'on' : e.status === 'weak' || e.status === 'missing' ? 'off' : 'unknown';
  return out;
}
