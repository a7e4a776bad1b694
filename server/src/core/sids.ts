/**
 * The well-known security identifiers relaylint reads, in one list: the groups every computer of a
 * scope is in, which decide security filtering (scope-and-evidence.md P10, V [E1] 3.2.5.1.6), and
 * the anonymous logon of event 4624 (§3.8, [E15]). Domain-relative groups are matched by their RID
 * under any domain SID (`S-1-5-21-a-b-c-RID`).
 */

export type SidRole = 'dc' | 'member';

export interface WellKnownSid {
  /** The SID itself, for a group that is the same in every domain. */
  sid?: string;
  /** The relative id, for a group of each domain (`S-1-5-21-…-RID`). */
  rid?: number;
  /** The name shown for the SID, and matched (case-insensitive, after any `DOMAIN\`) when a file gives a name without a SID. */
  name: string;
  /** The roles whose computers are all in the group: a grant of Apply Group Policy to it puts no condition on them. */
  holdsEvery?: readonly SidRole[];
  /** The fact base gives the SID without its name: a trustee with only the SID keeps it raw (the name is still matched where a file gives it). */
  unnamed?: true;
}

export const SID = {
  authenticatedUsers: { sid: 'S-1-5-11', name: 'Authenticated Users', holdsEvery: ['member', 'dc'] },
  everyone: { sid: 'S-1-1-0', name: 'Everyone', holdsEvery: ['member', 'dc'] },
  domainComputers: { rid: 515, name: 'Domain Computers', holdsEvery: ['member'] },
  domainControllers: { rid: 516, name: 'Domain Controllers', holdsEvery: ['dc'] },
  enterpriseDomainControllers: { sid: 'S-1-5-9', name: 'Enterprise Domain Controllers', holdsEvery: ['dc'], unnamed: true },
  anonymousLogon: { sid: 'S-1-5-7', name: 'ANONYMOUS LOGON' },
} as const satisfies Record<string, WellKnownSid>;

export const WELL_KNOWN_SIDS: readonly WellKnownSid[] = Object.values(SID);

const BY_SID = new Map<string, WellKnownSid>(WELL_KNOWN_SIDS.filter((s) => s.sid).map((s) => [(s.sid as string).toUpperCase(), s]));
const BY_RID = new Map<number, WellKnownSid>(WELL_KNOWN_SIDS.filter((s) => s.rid !== undefined).map((s) => [s.rid as number, s]));
const BY_NAME = new Map<string, WellKnownSid>(WELL_KNOWN_SIDS.map((s) => [s.name.toLowerCase(), s]));

/** The well-known entry of a SID (case-insensitive; a domain SID by its RID), or undefined. */
export function wellKnownSid(sid: string): WellKnownSid | undefined {
  const s = sid.toUpperCase();
  const own = BY_SID.get(s);
  if (own) return own;
  const rid = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/.exec(s)?.[1];
  return rid === undefined ? undefined : BY_RID.get(Number(rid));
}

/** The well-known entry of an account name (`Everyone`, `CORP\Domain Computers`; case-insensitive), or undefined. */
export function wellKnownName(name: string): WellKnownSid | undefined {
  const n = name.toLowerCase();
  return BY_NAME.get(n.slice(n.lastIndexOf('\\') + 1));
}

