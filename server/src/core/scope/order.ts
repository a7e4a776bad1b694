/**
 * The ordered GPO list of one scope of management (scope-and-evidence.md §1.2, from P1–P12):
 * 1. SOM chain top to bottom: sites → domain → OUs from the top-most parent to the scope.
 * 2. The lowest SOM with block inheritance: every SOM strictly above it contributes only enforced
 *    links (P6; site links included, V2).
 * 3. Disabled links (P7) and GPOs whose computer side is disabled (P8) are dropped; security
 *    filtering (P10), WMI filters (P11) and site links (P12) make an entry conditional.
 * 4. Non-enforced links apply site → domain → OUs, each SOM in string order (link order N … 1).
 * 5. Enforced links apply after them, child-most SOM first, top-most last (P4, P5).
 * 6. Precedence (highest first) = reverse application order.
 * Where the source lacks link order or block inheritance, entries carry what is unknown so the
 * evaluation can try every possibility instead of guessing.
 */
import { canonicalOf, isDomainControllersDn } from '../topology/dn';
import type { Topology, TopoSom } from '../topology';
import { filterConditions, type ApplyTrustees } from '../policy/filtering';
import { appliesNowhereReason, CONTAINER_MISSING_SHORT, nowhereFacts, type FactSource, type NowhereFacts, type NowhereReason } from '../policy/nowhere';

export interface GpoInfo {
  name?: string;
  computerEnabled?: boolean;
  /** Where the disabled computer side was first read (set when `computerEnabled` is false). */
  computerOff?: FactSource;
  wmiFilter?: string;
  applyTrustees?: ApplyTrustees;
  /** Where `applyTrustees` were read: the GPO's own files (report, Backup.xml), else the topology. */
  trusteesFrom?: FactSource;
  /** Why the security filtering could not be read (Backup.xml descriptor), when it could not. */
  securityUnknown?: string;
  /** LDIF `gPCFunctionalityVersion` (raw), when exported (P9). */
  functionalityVersion?: string;
  /** Found among the scanned GPOs. */
  inSet: boolean;
}

export interface ListEntry {
  guid: string;
  enforced: boolean;
  /** The SOM the link is on. */
  som: TopoSom;
  /** Position of that SOM in the chain (sites 0, domain 1, …). */
  depth: number;
  order?: number;
  /** Conditions under which the GPO applies (site, security filtering, WMI filter). */
  conditions: string[];
  /** Keys of the SOMs (at or below the scope's chain, under this link's SOM) whose block inheritance is unknown: if one blocks, this entry is dropped. */
  blockableBy: string[];
  /** Other entries of the same SOM and kind whose order relative to this one is unknown share this id. */
  tieGroup?: string;
  /** The GPO's number in the policy set's observation store (set by the evaluation, with `refStore`; -1: nothing scanned; -2 before). */
  ref?: number;
  /** The store `ref` numbers it in (a list a stream frame keeps serves the streams of several sets). */
  refStore?: object;
}

export interface Dropped {
  guid: string;
  som: string;
  reason: string;
}

export interface GpoList {
  chain: TopoSom[];
  /** Highest precedence first. */
  entries: ListEntry[];
  dropped: Dropped[];
  /** Chain problems (an orphaned OU whose parent is not in the topology). */
  notes: string[];
  /** SOMs in the chain whose block inheritance is unknown. */
  unknownBlock: TopoSom[];
}

export type ScopeRole = 'dc' | 'member';

/** Tie group of enforced site and domain links (scope-and-evidence.md P5, UNVERIFIED). */
export const SITE_DOMAIN_ENFORCED = 'site-vs-domain-enforced';

export function roleOf(som: TopoSom): ScopeRole {
  return som.kind === 'ou' && isDomainControllersDn(som.dn) ? 'dc' : 'member';
}

/** Conditions of a GPO for a scope role (P10 via policy/filtering, P11). */
export function gpoConditions(info: GpoInfo | undefined, role: ScopeRole): string[] {
  const out: string[] = [];
  if (!info) return out;
  if (info.applyTrustees) out.push(...filterConditions(info.applyTrustees, role));
  else if (info.securityUnknown) out.push(`security filtering unknown (${info.securityUnknown})`);
  if (info.wmiFilter) out.push(`WMI filter "${info.wmiFilter}"`);
  return out;
}

/** The facts `appliesNowhereReason` judges, from a GPO's info (links are the caller's: per link, or over all its links). */
export function nowhereFactsOf(info: GpoInfo | undefined): NowhereFacts {
  if (!info) return nowhereFacts();
  return nowhereFacts(
    info.computerEnabled === false ? (info.computerOff ?? 'report') : undefined,
    info.functionalityVersion,
    info.applyTrustees ? { trustees: info.applyTrustees, from: info.trusteesFrom ?? 'report' } : undefined,
  );
}

/** Per GPO info and role, the reason a scope drops each of its links (one info object serves every scope). */
const dropCache = new WeakMap<GpoInfo, Partial<Record<ScopeRole, { r: NowhereReason | undefined }>>>();

function dropReason(info: GpoInfo | undefined, role: ScopeRole): NowhereReason | undefined {
  if (!info) return undefined;
  let byRole = dropCache.get(info);
  if (!byRole) dropCache.set(info, (byRole = {}));
  return (byRole[role] ??= { r: appliesNowhereReason(nowhereFactsOf(info), role) }).r;
}

/** The SOM chain of a scope, top to bottom (sites not included). */
export function somChain(topo: Topology, som: TopoSom, notes: string[]): TopoSom[] {
  const chain: TopoSom[] = [som];
  let cur = som;
  for (let guard = 0; cur.parentKey && guard < 256; guard++) {
    const parent = topo.soms.get(cur.parentKey);
    if (parent) {
      chain.unshift(parent);
      cur = parent;
      continue;
    }
    // Orphan: the parent is not in the topology; climb the DN to the next SOM that is.
    let key: string | undefined = cur.parentKey;
    let found: TopoSom | undefined;
    while (key && !found) {
      found = topo.soms.get(key);
      if (!found) {
        const i = key.indexOf(',');
        key = i < 0 ? undefined : key.slice(i + 1);
      }
    }
    notes.push(`${canonicalOf(cur.dn)}: its parent ${cur.parentKey} is not in the topology; links there (if any) are unknown`);
    if (!found) break;
    chain.unshift(found);
    cur = found;
  }
  return chain;
}

const siteCache = new WeakMap<Topology, TopoSom[]>();

/** The site SOMs of a topology, found once (not once per scope: a domain may have thousands of OUs). */
function sitesOf(topo: Topology): TopoSom[] {
  let s = siteCache.get(topo);
  if (!s) siteCache.set(topo, (s = [...topo.soms.values()].filter((x) => x.kind === 'site')));
  return s;
}

export function gpoList(topo: Topology, scope: TopoSom, info: (guid: string) => GpoInfo | undefined): GpoList {
  const notes: string[] = [];
  const role = roleOf(scope);
  const chain = scope.kind === 'site' ? [scope] : somChain(topo, scope, notes);
  // depth: sites 0, then the chain from 1; a site scope is its own only level. Built with plain
  // pushes: arrays made by spreading mapped arrays change their element kind with the number of
  // sites, and each change sent this function back to the optimizing compiler (bench/README.md, wave 10).
  const levels: { som: TopoSom; depth: number }[] = [];
  if (scope.kind === 'site') levels.push({ som: scope, depth: 0 });
  else {
    for (const s of sitesOf(topo)) levels.push({ som: s, depth: 0 });
    for (let i = 0; i < chain.length; i++) levels.push({ som: chain[i], depth: i + 1 });
  }

  // Step 2: the lowest SOM that blocks; SOMs (of the chain) whose block is unknown, with their depths.
  // Plain loops here and below: this runs once per scope, and the array methods with callbacks it
  // used made its optimized code the largest the topology compiles (bench/README.md, wave 16).
  let blockDepth = -1;
  let blockSom: TopoSom | undefined;
  const unknownBlock: TopoSom[] = [];
  const unknownDepth: number[] = [];
  for (const { som, depth } of levels) {
    if (som.kind === 'site') continue;
    if (som.blocksInheritance === true && depth > blockDepth) blockDepth = depth;
  }
  for (const { som, depth } of levels) {
    if (som.kind === 'site') continue;
    if (som.blocksInheritance === true && depth === blockDepth && !blockSom) blockSom = som;
    if (som.blocksInheritance === undefined && depth > blockDepth) {
      unknownBlock.push(som);
      unknownDepth.push(depth);
    }
  }

  const dropped: Dropped[] = [];
  const enforced: ListEntry[] = [];
  const normal: ListEntry[] = [];
  let siteEnforced = false;
  for (const { som, depth } of levels) {
    let orderKnown = true;
    for (const l of som.links) if (l.order === undefined) orderKnown = false;
    for (const link of som.links) {
      const guid = link.gpo as string;
      if (!link.enabled) {
        dropped.push({ guid, som: som.canonical, reason: 'link disabled' });
        continue;
      }
      if (link.gpcMissing) {
        // §1.2 step 3: an entry whose GPO is not found is dropped (the problem is the stream's).
        dropped.push({ guid, som: som.canonical, reason: CONTAINER_MISSING_SHORT });
        continue;
      }
      const gi = info(guid);
      // The GPO's own reasons (computer side, version, security filtering for this role), in the one precedence order.
      const nowhere = dropReason(gi, role);
      if (nowhere) {
        dropped.push({ guid, som: som.canonical, reason: nowhere.short });
        continue;
      }
      if (!link.enforced && depth < blockDepth) {
        dropped.push({ guid, som: som.canonical, reason: `inheritance blocked at ${blockSom?.canonical}` });
        continue;
      }
      const conditions = gpoConditions(gi, role);
      if (som.kind === 'site' && scope.kind !== 'site') conditions.unshift(`computers in site "${som.canonical.split('/').pop()}"`);
      const blockableBy: string[] = [];
      if (!link.enforced) for (let i = 0; i < unknownBlock.length; i++) if (unknownDepth[i] > depth) blockableBy.push(unknownBlock[i].key);
      let tieGroup: string | undefined;
      if (!orderKnown) {
        let alike = 0;
        for (const l of som.links) if (l.enabled && l.enforced === link.enforced) alike++;
        if (alike > 1) tieGroup = `${som.key}|${link.enforced}`;
      }
      const e = listEntry(guid, link.enforced, som, depth, link.order, conditions, blockableBy, tieGroup);
      if (link.enforced) {
        enforced.push(e);
        if (som.kind === 'site') siteEnforced = true;
      } else normal.push(e);
    }
  }
  // P5: an enforced site link against an enforced domain link: the site presumably wins, which is
  // UNVERIFIED, so their relative order is treated as unknown.
  if (siteEnforced) {
    for (const e of enforced) if (e.som.kind === 'site' || e.som.kind === 'domain') e.tieGroup = SITE_DOMAIN_ENFORCED;
  }
  enforced.sort(byDepthThenOrder);
  normal.sort(byDepthDownThenOrder);
  const entries: ListEntry[] = [];
  for (const e of enforced) entries.push(e);
  for (const e of normal) entries.push(e);
  return { chain, entries, dropped, notes, unknownBlock };
}

/** A list entry with every member (absent ones undefined; `ref` -2 until an evaluation numbers it): one shape for the code that reads entries. */
function listEntry(guid: string, enforced: boolean, som: TopoSom, depth: number, order: number | undefined, conditions: string[], blockableBy: string[], tieGroup: string | undefined): ListEntry {
  return { guid, enforced, som, depth, order, conditions, blockableBy, tieGroup, ref: -2, refStore: undefined };
}

function byDepthThenOrder(a: ListEntry, b: ListEntry): number {
  return a.depth - b.depth || (a.order ?? 0) - (b.order ?? 0);
}

function byDepthDownThenOrder(a: ListEntry, b: ListEntry): number {
  return b.depth - a.depth || (a.order ?? 0) - (b.order ?? 0);
}
