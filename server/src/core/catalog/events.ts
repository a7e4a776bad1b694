/**
 * The events the catalog entries name, one row per (log, id): what each means, in our words, how
 * sure that is, and the sources. This is the one home of event facts. A rule's "Events to watch"
 * text (`events`) is rendered from these rows by the events the entry names in `watch`, and the
 * event-log reader (core/evidence/events.ts) takes each event's meaning, confidence and sources
 * from here, adding only how its fields are parsed.
 *
 * Facts: settings-and-formats.md §1.9, §2.6, §3.5 and scope-and-evidence.md §3 ([S..] and [E..] tags).
 * Confidence marks as in those docs: V (primary source), V2 (secondary material only), UNVERIFIED.
 */

export type Confidence = 'V' | 'V2' | 'UNVERIFIED';

/** The logs relaylint names, by channel as Windows writes it, and how the rule texts call them. */
export const EVENT_LOGS = {
  'Microsoft-Windows-SMBServer/Audit': 'SMB server audit log (Microsoft-Windows-SMBServer/Audit)',
  'Microsoft-Windows-SMBClient/Audit': 'SMB client audit log (Microsoft-Windows-SMBClient/Audit)',
  'Microsoft-Windows-SmbClient/Security': 'Microsoft-Windows-SmbClient/Security',
  'Microsoft-Windows-SmbServer/Security': 'Microsoft-Windows-SmbServer/Security',
  'Directory Service': 'Directory Service log',
  'Microsoft-Windows-NTLM/Operational': 'Microsoft-Windows-NTLM/Operational (Applications and Services Logs > Microsoft > Windows > NTLM > Operational)',
  Security: 'Security log',
} as const;

export type EventLog = keyof typeof EVENT_LOGS;

export interface EventFact {
  log: EventLog;
  id: number;
  /** What the event says, in our words. */
  meaning: string;
  /** How sure the meaning is (a V2 or UNVERIFIED meaning is said to be so wherever it is quoted). */
  confidence: Confidence;
  sources: readonly string[];
  /** A source the fact base names without a tag (shown beside the tags in the docs). */
  citation?: string;
}

const SMB_SERVER = 'Microsoft-Windows-SMBServer/Audit';
const SMB_CLIENT = 'Microsoft-Windows-SMBClient/Audit';
const DS = 'Directory Service';
const NTLM = 'Microsoft-Windows-NTLM/Operational';
const CBT_UPDATES = 'added by the August 2023 (WS2022) and October 2023 (WS2019) updates, and needs the LDAP interface diagnostic level 2';
const KB_NOT_LEARN = 'as in KB935834; the shorter table on the Learn page "LDAP signing for AD DS" describes it differently';
const CBT_NOT_LEARN = 'meaning as in the channel-binding page and KB935834; the Learn page "LDAP signing for AD DS" describes it differently';

export const EVENT_FACTS: readonly EventFact[] = [
  {
    log: SMB_SERVER,
    id: 3000,
    meaning: '"SMB1 access": a client used SMBv1 against this server; its one data value is the client address, but the name of that data field is not confirmed (the message text is in the srv2.sys message table)',
    confidence: 'V',
    sources: ['E31', 'S39', 'E37'],
  },
  { log: SMB_SERVER, id: 3021, meaning: 'an SMB2/3 client that does not support signing, which would fail once this server requires signing', confidence: 'V2', sources: ['S1', 'S41'] },
  { log: SMB_SERVER, id: 3027, meaning: 'an SMBv1 client without signing; Microsoft warns that this SMBv1 result can be wrong both ways', confidence: 'V2', sources: ['S24', 'S41'] },
  { log: SMB_SERVER, id: 3022, meaning: 'the other server-side audit event Microsoft lists; that it reports clients that cannot encrypt is an inference', confidence: 'UNVERIFIED', sources: ['S1'] },
  ...([
    [3024, 'no SPN'],
    [3025, 'an unknown SPN'],
    [3026, 'an empty SPN'],
  ] as const).map(([id, spn]): EventFact => ({ log: SMB_SERVER, id, meaning: `SMB server SPN audit of KB5066913: the client sent ${spn}`, confidence: 'V2', sources: ['S24', 'S41'] })),
  ...[31998, 31999].map(
    (id): EventFact => ({
      log: SMB_CLIENT,
      id,
      meaning: 'this client met a server that does not support signing or encryption; which of 31998 and 31999 is which is not confirmed',
      // The ids and the pair's meaning are Microsoft's [S1] (V); the mapping of each id is UNVERIFIED and the text says so.
      confidence: 'V',
      sources: ['S1'],
    }),
  ),
  { log: 'Microsoft-Windows-SmbClient/Security', id: 31017, meaning: 'an insecure guest logon was rejected', confidence: 'V', sources: ['S5'] },
  { log: 'Microsoft-Windows-SmbClient/Security', id: 31018, meaning: 'an administrator enabled AllowInsecureGuestAuth', confidence: 'V', sources: ['S5'] },
  { log: 'Microsoft-Windows-SmbClient/Security', id: 31022, meaning: 'an insecure guest logon was allowed', confidence: 'V', sources: ['S5'] },
  {
    log: 'Microsoft-Windows-SmbServer/Security',
    id: 3023,
    meaning: 'a client was logged on as guest; the guest-logon page shows it under an SMB client heading, but the event record names this log',
    confidence: 'V',
    sources: ['S5'],
  },
  {
    log: 'Security',
    id: 5168,
    meaning: 'SPN check for SMB/SMB2 failed; needs File Share auditing',
    confidence: 'V',
    sources: [],
    // settings-and-formats.md §1.9 and its event table cite the page itself; it has no [S..] tag there.
    citation: 'Learn event page "5168(F): SPN check for SMB/SMB2 failed" (an excerpt was read)',
  },
  {
    log: 'Security',
    id: 4624,
    meaning:
      'a logon; with AuthenticationPackageName NTLM and LmPackageName "NTLM V1" or "LM" it is one that LAN Manager authentication level 5 refuses, logged on the machine that accepts it. ' +
      'ANONYMOUS LOGON events always read "NTLM V1" and are not NTLMv1 use (KB4090105)',
    confidence: 'V',
    sources: ['E16', 'E15'],
  },
  { log: DS, id: 2886, meaning: 'start-up reminder that unsigned SASL binds and clear-text simple binds are not rejected', confidence: 'V', sources: ['E12'] },
  {
    log: DS,
    id: 2887,
    meaning: 'daily count of unsigned SASL binds and clear-text simple binds that were allowed while the DC does not require signing; it names no client',
    confidence: 'V',
    sources: ['E12', 'E37'],
  },
  { log: DS, id: 2888, meaning: `daily count of binds rejected once the DC requires signing, ${KB_NOT_LEARN}`, confidence: 'V', sources: ['E12'] },
  {
    log: DS,
    id: 2889,
    meaning:
      'one event per unsigned SASL bind or clear-text simple bind, with the client address and account; needs "16 LDAP Interface Events" = 2 under HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics; ' +
      `meaning ${KB_NOT_LEARN}`,
    confidence: 'V',
    sources: ['E12', 'E36', 'E37'],
  },
  { log: DS, id: 3039, meaning: "a client's TLS bind failed channel-binding validation; needs the LDAP interface diagnostic level 2", confidence: 'V', sources: ['E13'] },
  { log: DS, id: 3040, meaning: `daily summary of LDAPS binds without a channel binding token while the policy is Never; it names no client; ${CBT_NOT_LEARN}`, confidence: 'V', sources: ['E13'] },
  { log: DS, id: 3041, meaning: `reminder to enforce channel binding while the policy is Never; ${CBT_NOT_LEARN}`, confidence: 'V', sources: ['E13'] },
  { log: DS, id: 3074, meaning: `per client: this bind would fail if channel binding were enforced; ${CBT_UPDATES}`, confidence: 'V', sources: ['E13'] },
  { log: DS, id: 3075, meaning: `per client: the client sent no channel binding token; ${CBT_UPDATES}`, confidence: 'V', sources: ['E13'] },
  {
    log: NTLM,
    id: 8001,
    meaning: 'logged by the client: outgoing NTLM that "Restrict NTLM: Outgoing NTLM traffic" would block; TargetName names the server that still needs NTLM, and no IP address is recorded',
    confidence: 'V',
    sources: ['E31', 'E32'],
  },
  {
    log: NTLM,
    id: 8002,
    meaning: 'logged by the server: incoming NTLM that "Restrict NTLM: Incoming NTLM traffic" would block; it names the account only, with no client address or workstation',
    confidence: 'V',
    sources: ['E31', 'E32'],
  },
  {
    log: NTLM,
    id: 8003,
    meaning:
      'NTLM that "Restrict NTLM: NTLM authentication in this domain" would block, with the workstation name the client supplied; which machines log it is not confirmed, and it carries no IP address',
    confidence: 'V',
    sources: ['E31', 'E32'],
  },
  {
    log: NTLM,
    id: 8004,
    meaning: 'logged by the DC: pass-through NTLM that the domain restriction would block, naming the workstation and the server that forwarded the logon; it carries no IP address',
    confidence: 'V',
    sources: ['E31', 'E32'],
  },
];

const BY_KEY = new Map<string, EventFact>(EVENT_FACTS.map((e) => [`${e.log.toLowerCase()}|${e.id}`, e]));

/** The row of one event (log matched case-insensitively), or undefined. */
export function eventFact(log: string, id: number): EventFact | undefined {
  return BY_KEY.get(`${log.toLowerCase()}|${id}`);
}

const HEDGE: Record<Confidence, string> = { V: '', V2: '; meaning from third-party material', UNVERIFIED: '; meaning not confirmed' };

/** `a`, `a and b`, `a, b and c`. */
function andList(items: readonly (string | number)[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The "Events to watch" text of a rule: per log, its label and each event with its meaning (hedged
 * by its confidence; neighbours with the same meaning share it), then the entry's note. Throws for
 * an event the table does not hold.
 */
export function renderWatch(watch: readonly { log: string; ids: readonly number[] }[], note?: string): string {
  const parts = watch.map((w) => {
    const groups: EventFact[][] = [];
    for (const id of w.ids) {
      const f = eventFact(w.log, id);
      if (!f) throw new Error(`event ${w.log} ${id} is not in the event table (catalog/events.ts)`);
      const last = groups[groups.length - 1];
      if (last && last[0].meaning === f.meaning && last[0].confidence === f.confidence) last.push(f);
      else groups.push([f]);
    }
    return `${EVENT_LOGS[groups[0][0].log]}: ${groups.map((g) => `${andList(g.map((f) => f.id))} (${g[0].meaning}${HEDGE[g[0].confidence]})`).join(', ')}`;
  });
  return parts.join('; ') + (note ? `. ${note}` : '');
}
