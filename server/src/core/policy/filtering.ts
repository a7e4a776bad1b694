/**
 * Security filtering (P10, scope-and-evidence.md §1.1, V [E1] 3.2.5.1.6, [E3], [E7], [E28]), one
 * judgement for every place that needs it (scope lists, `gpos[]`, the applies-nowhere finding and
 * coverage): a GPO applies to a computer only if the computer is granted Apply Group Policy, and a
 * deny for any of its groups excludes it.
 * - Groups every computer of the scope is in (`holdsEvery` in core/sids.ts): Authenticated Users,
 *   Everyone, and Domain Computers for member computers; for domain controllers Domain Controllers
 *   and Enterprise Domain Controllers. Allowed to one of them: no condition.
 * - Allowed only to other trustees: conditional, naming them.
 * - Denied to one of those groups, or allowed to no one: the GPO applies nowhere (in that role).
 *   "Allowed to no one" is concluded only from a whole DACL (a Backup.xml descriptor): a report's
 *   permission list can leave out the trustees the SDDL beside it allows (seen in the corpus file
 *   `hardenad-security-logs__gpreport.xml`: only a deny is listed), so there it stays a condition.
 * - Denied to another trustee: conditional, naming it.
 * The Read half (P10: a GPO applies only to a computer granted Read **and** Apply Group Policy; GPMC's
 * "Apply" is both, [E3] `GPMPermissionType`): a report's "Apply Group Policy" permission is GPMC's
 * Apply, so Read is in it (a trustee with Apply but no Read is listed as custom, and not read as
 * allowed). A security descriptor (Backup.xml, the topology's nTSecurityDescriptor: `complete`) is
 * read for the Apply Group Policy right only, so the conditions drawn from one say so (`READ_CAVEAT`).
 * A deny, or Apply granted to no one, excludes whatever Read says, so those verdicts need no caveat.
 */
import { wellKnownName, wellKnownSid } from '../sids';
import type { Trustee } from '../types';

export type FilterRole = 'dc' | 'member';

export interface ApplyTrustees {
  allow: Trustee[];
  deny: Trustee[];
  /** True when read from the whole DACL (Backup.xml descriptor): an empty `allow` then means no one. */
  complete?: boolean;
}

/** Whether every computer of the role is in the trustee (by SID; by name only when the SID is not given). */
export function coversAll(t: Trustee, role: FilterRole): boolean {
  const known = t.sid ? wellKnownSid(t.sid) : wellKnownName(t.name ?? '');
  return known?.holdsEvery?.includes(role) ?? false;
}

export const trusteeText = (t: Trustee): string => t.name ?? t.sid ?? '?';

/** Said with every condition drawn from a security descriptor, which is read for Apply Group Policy only (P10). */
export const READ_CAVEAT = ' (a GPO applies only to computers granted both Read and Apply Group Policy; relaylint checked the security descriptor for Apply Group Policy only: scope-and-evidence.md P10)';

/** Why the GPO applies to no computer of the role, or undefined. */
export function excludedReason(tr: ApplyTrustees, role: FilterRole): string | undefined {
  const denied = tr.deny.find((t) => coversAll(t, role));
  if (denied) return `security filtering denies Apply Group Policy to ${trusteeText(denied)}`;
  if (!tr.allow.length && tr.complete) return 'security filtering grants Apply Group Policy to no one';
  return undefined;
}

/** Why the GPO applies to no computer at all (excluded for members and for domain controllers), or undefined. */
export function excludedEverywhere(tr: ApplyTrustees | undefined): string | undefined {
  if (!tr) return undefined;
  const member = excludedReason(tr, 'member');
  const dc = excludedReason(tr, 'dc');
  if (!member || !dc) return undefined;
  return member === dc ? member : `${member} (member computers) and ${dc.replace(/^security filtering /, '')} (domain controllers)`;
}

/** The conditions security filtering puts on a GPO that is not excluded for the role. */
export function filterConditions(tr: ApplyTrustees, role: FilterRole): string[] {
  const out: string[] = [];
  if (tr.allow.length && !tr.allow.some((t) => coversAll(t, role))) out.push(`security filtering: applies only to ${tr.allow.map(trusteeText).join(', ')}`);
  if (!tr.allow.length && !tr.complete) out.push('security filtering: no trustee is granted Apply Group Policy in the permission list');
  const others = tr.deny.filter((t) => !coversAll(t, role));
  if (others.length) out.push(`security filtering: Apply Group Policy denied to ${others.map(trusteeText).join(', ')}`);
  // Once per GPO, after the last condition the descriptor gives.
  if (tr.complete && out.length) out[out.length - 1] += READ_CAVEAT;
  return out;
}
