/**
 * The event catalogue: which event (log, provider, id) is evidence for which catalog rule, which
 * fields name the client, and how sure we are of each ([E..] tags: scope-and-evidence.md §3).
 *
 * Which rule an event is evidence for lives in the rule's catalog entry (`evidence.events`, next to
 * its rollout text, with `howToAudit` and the `auditSwitch`), and what each event means, how sure
 * that is and its sources live in the catalog's event table (catalog/events.ts); this file keeps
 * how each event's fields are parsed and how sure that is. `rules`, `meaning`, `confidence` and
 * `sources` of each kind and RULE_EVIDENCE are derived from the catalog.
 *
 * Rules for this table (team rule: never hard-code an UNVERIFIED fact):
 * - Events are keyed on (channel, id), never on the id alone (GroupPolicy/Operational 8001 is
 *   not NTLM 8001, §3.1); the provider is checked when the export carries one.
 * - Where the meaning of a field is UNVERIFIED the client is not given an address, host or
 *   account: the raw values are shown under their own names (`fields`) and no meaning is stated.
 */
import { EVENT_FACTS, eventFact, settingRules, type Confidence, type EventFact } from '../catalog';
import { SID, wellKnownSid } from '../sids';
import { datum, type EventRecord } from './types';

export type { Confidence };

/** What a relevant event says about one client. */
export interface ClientFacts {
  address?: string;
  port?: string;
  host?: string;
  account?: string;
  /** Raw values shown under their own names (fields whose meaning is not verified, or extra detail). */
  fields?: Record<string, string>;
}

export type Classified =
  | { kind: 'client'; eventKind: EventKind; client: ClientFacts }
  | { kind: 'ignored'; eventKind: EventKind; reason: 'anonymous-logon' }
  | { kind: 'summary'; eventKind: EventKind; counts: Record<string, string> }
  | { kind: 'other'; eventKind: EventKind };

export interface EventKind {
  /** Stable key, e.g. `ldap.2889`. */
  key: string;
  channel: string;
  /** Accepted provider names (any when the export has none). */
  providers: string[];
  id: number;
  /** Catalog rules this event is evidence for: derived from the entries' `evidence.events`. */
  rules: string[];
  /** What the event means, in our words, with its confidence and sources: from the catalog's event table. */
  meaning: string;
  confidence: Confidence;
  /** Which fields name the client, and how sure that is. */
  clientFields: string;
  fieldConfidence: Confidence;
  sources: string[];
  /** The recording machine is the client (client-side audit events). */
  recordedOnClient?: boolean;
  classify(e: EventRecord): Classified;
}

const SMB_SERVER = 'Microsoft-Windows-SMBServer/Audit';
const SMB_CLIENT = 'Microsoft-Windows-SMBClient/Audit';
const DS = 'Directory Service';
const DS_PROVIDERS = ['Microsoft-Windows-ActiveDirectory_DomainService', 'NTDS LDAP', 'NTDS General'];
const NTLM = 'Microsoft-Windows-NTLM/Operational';
const SECURITY = 'Security';

/** All values raw, under their own names (UNVERIFIED field meanings). */
function rawFields(e: EventRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of e.data.slice(0, 32)) out[d.name] = d.value.length > 512 ? d.value.slice(0, 512) + '…' : d.value;
  return out;
}

/** `IP:port`, `[v6]:port`, `v6:port`: split at the last colon (scope-and-evidence.md §3.4). */
export function splitAddressPort(s: string): { address: string; port?: string } {
  const t = s.trim();
  const last = t.lastIndexOf(':');
  if (last < 0) return { address: t };
  let address = t.slice(0, last);
  const port = t.slice(last + 1);
  if (!/^\d{1,5}$/.test(port)) return { address: t.replace(/^\[|\]$/g, '') };
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  return { address, port };
}

const IP_PORT = /^\[?(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]*)\]?:\d{1,5}$/i;

/** Present and not a placeholder (`-`, empty). */
function real(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' || t === '-' ? undefined : t;
}

function account(domain: string | undefined, user: string | undefined): string | undefined {
  const u = real(user);
  if (!u) return undefined;
  const d = real(domain);
  return d ? `${d}\\${u}` : u;
}

function isAnonymous(e: EventRecord): boolean {
  const sid = datum(e, 'TargetUserSid');
  const name = datum(e, 'TargetUserName');
  return (sid !== undefined && wellKnownSid(sid.trim()) === SID.anonymousLogon) || (name !== undefined && name.trim().toUpperCase() === SID.anonymousLogon.name.toUpperCase());
}

/** Counts of a summary event: every value raw, under its own name. */
function summary(e: EventRecord, k: EventKind): Classified {
  return { kind: 'summary', eventKind: k, counts: rawFields(e) };
}

/** The catalog rules whose entry names this (log, id) as evidence. */
export function rulesForEvent(channel: string, id: number): string[] {
  const ch = channel.toLowerCase();
  return settingRules.filter((r) => r.evidence?.events.some((e) => e.log.toLowerCase() === ch && e.ids.includes(id))).map((r) => r.id);
}

/** Client-naming event whose field meanings are UNVERIFIED: raw fields only. */
const unverifiedClient = (e: EventRecord, k: EventKind): Classified => ({ kind: 'client', eventKind: k, client: { fields: rawFields(e) } });

/** An LDAP per-bind event with positions UNVERIFIED: the client address is found by its `IP:port` shape (§3.5). */
function ldapByPattern(e: EventRecord, k: EventKind): Classified {
  const hit = e.data.find((d) => IP_PORT.test(d.value.trim()));
  const client: ClientFacts = { fields: rawFields(e) };
  if (hit) Object.assign(client, splitAddressPort(hit.value));
  return { kind: 'client', eventKind: k, client };
}

/** The logs events come from: the prefix of their kinds' keys → channel and the providers that write it. */
const LOGS = {
  smb: { channel: SMB_SERVER, providers: ['Microsoft-Windows-SMBServer'] },
  smbclient: { channel: SMB_CLIENT, providers: ['Microsoft-Windows-SMBClient'] },
  ldap: { channel: DS, providers: DS_PROVIDERS },
  ntlm: { channel: NTLM, providers: ['Microsoft-Windows-NTLM'] },
  security: { channel: SECURITY, providers: ['Microsoft-Windows-Security-Auditing'] },
} as const;

/**
 * One event kind this reader parses: its log and id, which fields name the client and how sure that
 * is. What the event means, how sure that is and the sources come from the catalog's event table.
 */
interface KindRow {
  log: keyof typeof LOGS;
  id: number;
  clientFields: string;
  fieldConfidence: Confidence;
  /** Providers other than the log's own. */
  providers?: string[];
  recordedOnClient?: true;
  classify: (e: EventRecord, k: EventKind) => Classified;
}

function kind(row: KindRow): EventKind {
  const { log, id, classify, providers, recordedOnClient, ...facts } = row;
  const fact = eventFact(LOGS[log].channel, id);
  if (!fact) throw new Error(`event ${LOGS[log].channel} ${id} is not in the catalog's event table`);
  const full = {
    key: `${log}.${id}`,
    channel: LOGS[log].channel,
    providers: [...(providers ?? LOGS[log].providers)],
    id,
    meaning: fact.meaning,
    confidence: fact.confidence,
    ...facts,
    sources: [...fact.sources],
    ...(recordedOnClient ? { recordedOnClient } : {}),
    rules: rulesForEvent(LOGS[log].channel, id),
  } as EventKind;
  full.classify = (e) => classify(e, full);
  return full;
}

const RAW = 'UNVERIFIED: values shown raw';
const BY_PATTERN = 'positions UNVERIFIED: the client is found by its IP:port value, all values shown raw';

const KIND_ROWS: KindRow[] = [
  {
    log: 'smb',
    id: 3000,
    clientFields: 'one value, the client address (its field name is UNVERIFIED: the first value is taken)',
    fieldConfidence: 'V',
    classify: (e, k) => {
      const first = e.data[0];
      const client: ClientFacts = { fields: rawFields(e) };
      if (first && real(first.value)) client.address = first.value.trim();
      return { kind: 'client', eventKind: k, client };
    },
  },
  {
    log: 'smb',
    id: 3021,
    clientFields: RAW,
    fieldConfidence: 'UNVERIFIED',
    classify: unverifiedClient,
  },
  {
    log: 'smb',
    id: 3027,
    clientFields: RAW,
    fieldConfidence: 'UNVERIFIED',
    classify: unverifiedClient,
  },
  ...([3024, 3025, 3026] as const).map(
    (id): KindRow => ({
      log: 'smb',
      id,
      clientFields: RAW,
      fieldConfidence: 'UNVERIFIED',
      classify: unverifiedClient,
    }),
  ),
  ...[31998, 31999].map(
    (id): KindRow => ({
      log: 'smbclient',
      id,
      clientFields: 'the recording machine is the client; the values (expected to name the server) are UNVERIFIED and shown raw',
      fieldConfidence: 'UNVERIFIED',
      recordedOnClient: true,
      classify: (e, k) => ({ kind: 'client', eventKind: k, client: { host: real(e.computer), fields: rawFields(e) } }),
    }),
  ),
  {
    log: 'ldap',
    id: 2887,
    clientFields: 'none (counts only: Data[0] simple binds without SSL/TLS, Data[1] SASL binds without signing)',
    fieldConfidence: 'V2',
    classify: summary,
  },
  {
    log: 'ldap',
    id: 2888,
    clientFields: 'none (counts only, positions UNVERIFIED)',
    fieldConfidence: 'UNVERIFIED',
    classify: summary,
  },
  {
    log: 'ldap',
    id: 2889,
    clientFields: 'Data[0] client IP:port, Data[1] the identity it tried to authenticate as, Data[2] 0 = SASL bind without signing, 1 = simple bind on a clear-text connection',
    fieldConfidence: 'V2',
    classify: (e, k) => {
      const at = real(datum(e, 'Data[0]'));
      const client: ClientFacts = {};
      if (at) Object.assign(client, splitAddressPort(at));
      const who = real(datum(e, 'Data[1]'));
      if (who) client.account = who;
      const type = datum(e, 'Data[2]')?.trim();
      client.fields = { bindType: type === '0' ? '0 (SASL without signing)' : type === '1' ? '1 (simple bind, clear text)' : (type ?? '') };
      return { kind: 'client', eventKind: k, client };
    },
  },
  { log: 'ldap', id: 3039, clientFields: BY_PATTERN, fieldConfidence: 'UNVERIFIED', classify: ldapByPattern },
  {
    log: 'ldap',
    id: 3040,
    clientFields: 'none (count, position UNVERIFIED)',
    fieldConfidence: 'UNVERIFIED',
    classify: summary,
  },
  { log: 'ldap', id: 3074, clientFields: BY_PATTERN, fieldConfidence: 'UNVERIFIED', classify: ldapByPattern },
  { log: 'ldap', id: 3075, clientFields: BY_PATTERN, fieldConfidence: 'UNVERIFIED', classify: ldapByPattern },
  {
    log: 'ntlm',
    id: 8001,
    clientFields: 'the recording machine is the client; TargetName is the server that still needs NTLM (names V2)',
    fieldConfidence: 'V2',
    recordedOnClient: true,
    classify: (e, k) => ({
      kind: 'client',
      eventKind: k,
      client: { host: real(e.computer), account: account(datum(e, 'DomainName'), datum(e, 'UserName')), fields: pick(e, ['TargetName', 'ProcessName']) },
    }),
  },
  {
    log: 'ntlm',
    id: 8002,
    clientFields: 'ClientDomainName\\ClientUserName (names V2)',
    fieldConfidence: 'V2',
    classify: (e, k) => ({ kind: 'client', eventKind: k, client: { account: account(datum(e, 'ClientDomainName'), datum(e, 'ClientUserName')), fields: pick(e, ['ProcessName']) } }),
  },
  {
    log: 'ntlm',
    id: 8003,
    clientFields: 'Workstation (client-supplied name), DomainName\\UserName (names V2)',
    fieldConfidence: 'V2',
    classify: (e, k) => ({ kind: 'client', eventKind: k, client: { host: real(datum(e, 'Workstation')), account: account(datum(e, 'DomainName'), datum(e, 'UserName')) } }),
  },
  {
    log: 'ntlm',
    id: 8004,
    providers: ['Microsoft-Windows-Security-Netlogon', 'Microsoft-Windows-NTLM'],
    clientFields: 'WorkstationName (client), SChannelName (the server that forwarded it), DomainName\\UserName (names V2)',
    fieldConfidence: 'V2',
    classify: (e, k) => ({
      kind: 'client',
      eventKind: k,
      client: { host: real(datum(e, 'WorkstationName')), account: account(datum(e, 'DomainName'), datum(e, 'UserName')), fields: pick(e, ['SChannelName']) },
    }),
  },
  {
    log: 'security',
    id: 4624,
    clientFields: 'IpAddress (unless "-"), WorkstationName, TargetDomainName\\TargetUserName',
    fieldConfidence: 'V',
    classify: (e, k) => {
      const pkg = datum(e, 'AuthenticationPackageName')?.trim().toUpperCase();
      const lm = datum(e, 'LmPackageName')?.trim().toUpperCase();
      if (pkg !== 'NTLM' || (lm !== 'NTLM V1' && lm !== 'LM')) return { kind: 'other', eventKind: k };
      // KB4090105 [E15]: anonymous NTLM always reads "NTLM V1"; recognised only by the SID or name.
      if (isAnonymous(e)) return { kind: 'ignored', eventKind: k, reason: 'anonymous-logon' };
      return {
        kind: 'client',
        eventKind: k,
        client: {
          address: real(datum(e, 'IpAddress')),
          port: real(datum(e, 'IpPort')),
          host: real(datum(e, 'WorkstationName')),
          account: account(datum(e, 'TargetDomainName'), datum(e, 'TargetUserName')),
          fields: { LmPackageName: datum(e, 'LmPackageName') ?? '' },
        },
      };
    },
  },
];

export const EVENT_KINDS: EventKind[] = KIND_ROWS.map(kind);

function pick(e: EventRecord, names: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const n of names) {
    const v = datum(e, n);
    if (v !== undefined) {
      out[n] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

const BY_ID = new Map<number, EventKind[]>();
for (const k of EVENT_KINDS) {
  const list = BY_ID.get(k.id) ?? [];
  list.push(k);
  BY_ID.set(k.id, list);
}

/** The kind the reader has for a (channel, id), channel matched case-insensitively. */
export function eventKindFor(channel: string, id: number): EventKind | undefined {
  const ch = channel.toLowerCase();
  return BY_ID.get(id)?.find((k) => k.channel.toLowerCase() === ch);
}

/** The events of the catalog's table that the reader does not count (named in rule texts only). */
export const UNREAD_EVENT_FACTS: readonly EventFact[] = EVENT_FACTS.filter((f) => !eventKindFor(f.log, f.id));

/** Channels that carry evidence, and the rules each serves. */
export const EVIDENCE_CHANNELS: ReadonlyMap<string, string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const k of EVENT_KINDS) {
    const list = m.get(k.channel.toLowerCase()) ?? [];
    for (const r of k.rules) if (!list.includes(r)) list.push(r);
    m.set(k.channel.toLowerCase(), list);
  }
  return m;
})();

/** The kind of an event, keyed on (channel, id) and checked against the provider when there is one. */
export function eventKindOf(e: EventRecord): EventKind | undefined {
  if (e.eventId === undefined) return undefined;
  const list = BY_ID.get(e.eventId);
  if (!list) return undefined;
  const ch = e.channel?.trim().toLowerCase();
  const prov = e.provider?.trim().toLowerCase();
  for (const k of list) {
    if (ch !== undefined && ch !== '' && ch !== k.channel.toLowerCase()) continue;
    if (prov && !k.providers.some((p) => p.toLowerCase() === prov)) continue;
    if ((ch === undefined || ch === '') && !prov) continue; // neither channel nor provider: never guess from the id alone
    return k;
  }
  return undefined;
}

/**
 * Per rule, from its catalog entry: the audit switch (a catalog rule whose hardened value turns the
 * audit on) and how to see the events. `switchRule` absent: no GPO-managed switch the catalog knows.
 */
export interface RuleEvidence {
  ruleId: string;
  kinds: string[];
  channels: string[];
  switchRule?: string;
  /** How to turn on the events, in our words. */
  howToAudit: string;
  /** Ids shared with another audit (the catalog's `evidence.sharedWith`). */
  sharedWith?: { switchRule: string; ids: readonly number[] };
}

export const RULE_EVIDENCE: RuleEvidence[] = (() => {
  const out: RuleEvidence[] = [];
  for (const k of EVENT_KINDS) {
    for (const r of k.rules) {
      let e = out.find((x) => x.ruleId === r);
      if (!e) {
        const rule = settingRules.find((x) => x.id === r);
        e = { ruleId: r, kinds: [], channels: [], howToAudit: rule?.evidence?.howToAudit ?? 'export the log that carries its events' };
        if (rule?.auditSwitch) e.switchRule = rule.auditSwitch;
        if (rule?.evidence?.sharedWith) e.sharedWith = rule.evidence.sharedWith;
        out.push(e);
      }
      e.kinds.push(k.key);
      if (!e.channels.includes(k.channel)) e.channels.push(k.channel);
    }
  }
  return out;
})();
