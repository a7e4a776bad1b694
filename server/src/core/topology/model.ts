/**
 * The domain topology relaylint needs for precedence (scope-and-evidence.md §0, §2): scopes of
 * management (domain, OUs, sites) with their GPO links and block-inheritance flag, and the group
 * policy containers with their status flags and WMI filter. Every reader says which facts its
 * source does not carry (`lacks`), so dependent results become `undetermined` instead of guessed.
 */

import type { ApplyTrustees } from '../policy/filtering';

export type SomKind = 'domain' | 'ou' | 'site';

/** A fact a topology source may not carry (scope-and-evidence.md §0). */
export type TopologyFact =
  | 'link-order'
  | 'disabled-links'
  | 'block-inheritance'
  | 'domain-block-inheritance'
  | 'gpo-status'
  | 'wmi-filter'
  | 'security-filtering'
  | 'sites'
  | 'name-case'
  /** Reports only: GPOs scanned without a report of their own. */
  | 'links';

export interface TopoLink {
  /** `{GUID}` GPO name, upper case with braces. Absent while only the GPC objectGUID is known (SharpHound, resolved on merge). */
  gpo?: string;
  /** SharpHound: the groupPolicyContainer's objectGUID (upper case, no braces) [E24]. */
  gpcObjectGuid?: string;
  enabled: boolean;
  enforced: boolean;
  /** GPMC link order in its SOM, 1 = highest precedence; undefined when the source does not say. */
  order?: number;
  /** Raw option value of a `gPLink` entry. */
  options?: number;
  /** LDIF: the domain part of the container's DN the entry names, as a key (lower case, no spaces around `,` and `=`). */
  gpcDomain?: string;
  /**
   * Set on merge: the link names a group policy container of a domain whose containers an LDIF
   * export holds, and this one is not among them (a deleted GPO, or an incomplete export): the
   * link is dropped (scope-and-evidence.md §1.2 step 3, §2.1).
   */
  gpcMissing?: boolean;
}

export interface Som {
  /** Distinguished name as the source wrote it. */
  dn: string;
  kind: SomKind;
  /** True / false when known; undefined when the source does not say. */
  blocksInheritance?: boolean;
  /** Links in link order (order 1 first) when known, else as the source lists them. */
  links: TopoLink[];
  /** Where the SOM came from (file name), for messages. */
  source: string;
  /** Canonical path with its case from a GPO report, when the source upper-cased it. */
  canonicalHint?: string;
  /** SharpHound: the object's `ObjectIdentifier` (OU objectGUID or domain SID, upper case), what `ContainedBy` points to. */
  objectId?: string;
}

/**
 * A computer object the topology names (LDIF `objectClass: computer`, SharpHound `computers.json`):
 * where it sits decides its scope.
 */
export interface TopoComputer {
  /** Distinguished name; empty when the source gave only the container's identifier. */
  dn: string;
  /** LDIF: `dNSHostName` when exported, else the `cn`. SharpHound: as read (raw), see sharphound.ts. */
  name: string;
  source: string;
  /** SharpHound: the computer's `ObjectIdentifier` (upper case). */
  objectId?: string;
  /** SharpHound v6: `ContainedBy.ObjectIdentifier`, the OU or domain holding it (upper case). */
  containerId?: string;
}

export interface Gpc {
  /** `{GUID}` upper case with braces. */
  guid: string;
  name?: string;
  /** GPO status: 1 user side off, 2 computer side off, 3 both [E1] 3.2.5.1.6. */
  flags?: number;
  /** WMI filter (its name when the filter object was exported, else its id). */
  wmiFilter?: string;
  /** SharpHound: objectGUID of the GPC (what `Links[].GUID` points to). */
  objectGuid?: string;
  /** LDIF: the domain part of the container's own DN, as a key (see `TopoLink.gpcDomain`). */
  domain?: string;
  /**
   * LDIF `gPCFunctionalityVersion` as exported (trimmed, raw): clients use only GPOs whose version
   * is 2 (P9, MS-GPOL [E1] 3.2.5.1.6); absent = not exported, no check.
   */
  functionalityVersion?: string;
  /** LDIF `nTSecurityDescriptor` (when exported): trustees allowed / denied Apply Group Policy (P10). */
  applyTrustees?: ApplyTrustees;
  /** LDIF `nTSecurityDescriptor` that could not be read: why (security filtering unknown). */
  securityUnknown?: string;
  source: string;
}

/**
 * P9 version gate (scope-and-evidence.md §1.1 P9 and §2.3, V [E1] 3.2.5.1.6): only GPOs whose
 * `gPCFunctionalityVersion` is 2 are used, checked only when the attribute was exported. The reason
 * a GPO fails it, or undefined when it passes or the value is unknown.
 */
export function versionGateReason(version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  if (/^\d+$/.test(version) && Number(version) === 2) return undefined;
  return `its gPCFunctionalityVersion is ${JSON.stringify(version)}, not 2, and clients use only GPOs of version 2 (MS-GPOL 3.2.5.1.6), so its settings apply nowhere`;
}

export interface TopologyProblem {
  /** File (or input name) the problem is about. */
  source: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** 1-based line, when known. */
  line?: number;
}

export interface Lack {
  fact: TopologyFact;
  /** The source kind that lacks it, e.g. `SharpHound`. */
  source: string;
  message: string;
}

export type TopologyKind = 'ldif' | 'sharphound' | 'gpinheritance' | 'reports';

/** What one reader got from one input. */
export interface TopologyPart {
  kind: TopologyKind;
  source: string;
  soms: Som[];
  gpcs: Gpc[];
  /** LDIF: WMI filter id (upper, braces) → display name. */
  wmiNames?: Map<string, string>;
  /** Computer objects, when the export has them (readiness per scope names the servers of a scope). */
  computers?: TopoComputer[];
  /** SharpHound v5: `ChildObjects` of OUs and domains that are computers: computer id → container id (upper case). */
  childOf?: Map<string, string>;
  problems: TopologyProblem[];
  lacks: Lack[];
  /** SharpHound: the `meta.type` of a file that carries no topology (users, groups…), skipped with a warning. */
  skippedType?: string;
}

/** Whether a part gave anything the topology uses: a SOM, a group policy container or a computer. */
export function givesTopology(part: TopologyPart): boolean {
  return part.soms.length > 0 || part.gpcs.length > 0 || (part.computers?.length ?? 0) > 0;
}

/**
 * The error of a topology file (named with --topology or recognised by content) from which nothing
 * was read: the same words for every format (fuzz audit D4).
 */
export function nothingRead(source: string, why: string): TopologyProblem {
  return { source, severity: 'error', message: `No domain, OU or site was read from ${source}: ${why}.` };
}

export const GUID_RE = /\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?/i;

/** `{GUID}` upper case with braces, or undefined when the text holds no GUID. */
export function normGuid(text: string | undefined): string | undefined {
  const m = text ? GUID_RE.exec(text) : null;
  return m ? `{${m[1].toUpperCase()}}` : undefined;
}

export function emptyPart(kind: TopologyKind, source: string): TopologyPart {
  return { kind, source, soms: [], gpcs: [], problems: [], lacks: [] };
}

/** What each source kind lacks (scope-and-evidence.md §0); the readers add these to their part. */
export const LACKS: Record<TopologyKind, [TopologyFact, string][]> = {
  ldif: [['security-filtering', 'LDIF exports do not carry security filtering (it needs nTSecurityDescriptor, which is rarely exported)']],
  sharphound: [
    ['disabled-links', 'SharpHound drops disabled links, so a disabled link is invisible (it looks unlinked)'],
    ['gpo-status', 'SharpHound does not collect the GPO status flags, so a GPO whose computer side is disabled looks enabled'],
    ['wmi-filter', 'SharpHound does not collect WMI filters'],
    ['security-filtering', 'SharpHound ACEs carry no Apply Group Policy right, so security filtering is unknown'],
    ['domain-block-inheritance', 'SharpHound domains.json has no blocksinheritance'],
    ['sites', 'SharpHound does not collect site links'],
    ['name-case', 'SharpHound upper-cases distinguished names, so OU names lose their case'],
  ],
  gpinheritance: [
    ['gpo-status', 'Get-GPInheritance does not say whether a GPO\'s computer side is disabled'],
    ['wmi-filter', 'Get-GPInheritance does not name WMI filters'],
    ['security-filtering', 'Get-GPInheritance does not show security filtering'],
    ['sites', 'Get-GPInheritance does not cover sites'],
  ],
  reports: [
    ['link-order', 'GPO reports do not carry link order'],
    ['block-inheritance', 'GPO reports do not carry block inheritance'],
    ['sites', 'the SOMPath form of site links in reports is not confirmed'],
  ],
};

export function addLacks(part: TopologyPart, sourceName: string): void {
  for (const [fact, message] of LACKS[part.kind]) part.lacks.push({ fact, source: sourceName, message });
}
