/**
 * Topology inputs recognised by content (never by name): LDIF, SharpHound CE JSON (and its zip),
 * Get-GPInheritance JSON. `readTopologyInput` turns one input's bytes into parts; `mergeTopology`
 * joins the parts (SharpHound links are resolved through gpos.json) into one `Topology`.
 * Without any topology input, the GPO reports' `<LinksTo>` give a reports-only topology: links
 * known, link order and block inheritance unknown (§2.9).
 */
import { LIMITS } from '../limits';
import { excludedEverywhere } from '../policy/filtering';
import { decode } from '../text';
import type { PolicyGpo, TopologyReach } from '../policy/set';
import { canonicalOf, canonicalSegments, dnFacts, dnKey, dnOfCanonical, isDomainDn, parentDnKey } from './dn';
import { isGpInheritance, readGpInheritance } from './gpinheritance';
import { looksLikeLdif, readLdif } from './ldif';
import { addLacks, emptyPart, givesTopology, nothingRead, versionGateReason, type Gpc, type Lack, type Som, type TopoComputer, type TopologyFact, type TopologyKind, type TopologyPart, type TopologyProblem } from './model';
import { isSharpHound, isTopologyType, readSharpHound, sharpHoundTypeByName, sharpHoundTypeOfTail, skippedTypePart } from './sharphound';
import { looksLikeZip, zipEntries, type InflateRaw, type ZipEntry } from './zip';

export * from './model';
export { canonicalOf, dnKey, dnOfCanonical, isDomainControllersDn, parseDn } from './dn';
export { parseGpLink, readLdif } from './ldif';
export { readSharpHound } from './sharphound';
export { readGpInheritance } from './gpinheritance';
export { LoadComputers, sharpHoundTypeByName, sharpHoundTypeOfTail } from './sharphound';
export { emptyPart, givesTopology } from './model';
export { ComputersStream } from './computers-stream';
export { computersAdvice, zipEntries, type InflateRaw, type ZipEntry } from './zip';

export interface ReadTopologyOptions {
  /** Inflates a raw deflate stream (the adapter passes node:zlib's inflateRawSync). Without it a zip is a problem. */
  inflateRaw?: InflateRaw;
  /** Named by the user (`--topology`): a file that is not topology is a problem, not silently skipped. */
  explicit?: boolean;
  /**
   * A zip entry over the file limit (a large domain's computers file), handed over to be read as a
   * stream (`relaylint scan`: io/topology.ts), with the source its part takes. It returns the part
   * that stands for the entry, in the entry's place among the archive's parts, which the caller
   * fills in once the entry is read (so the archive's parts keep their order, as read whole), and
   * then calls `withNothingRead` on the parts. Without it such an entry is an error. At most
   * LIMITS.maxStreamedFileBytes of entries are handed over per archive; past that they are errors.
   */
  streamEntry?: (entry: ZipEntry, source: string) => TopologyPart;
}

function readJson(text: string, source: string, explicit: boolean): TopologyPart[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    if (!explicit) return undefined;
    const p = emptyPart('ldif', source);
    p.problems.push({ source, severity: 'error', message: `Not valid JSON (${(e as Error).message}); no topology was read from it.` });
    return [p];
  }
  if (isSharpHound(doc)) return [readSharpHound(doc, source)];
  if (isGpInheritance(doc)) return [readGpInheritance(doc, source)];
  if (!explicit) return undefined;
  const p = emptyPart('ldif', source);
  p.problems.push({ source, severity: 'error', message: 'This JSON is neither SharpHound output ({"data":[…],"meta":{…}}) nor Get-GPInheritance output (objects with Path and GpoLinks); no topology was read from it.' });
  return [p];
}

/**
 * The topology parts of one input, or undefined when the bytes are not a topology export (only
 * when not `explicit`). Never throws.
 */
export function readTopologyInput(source: string, bytes: Uint8Array, options: ReadTopologyOptions = {}): TopologyPart[] | undefined {
  let handed = 0;
  const stream = options.streamEntry;
  const parts = readInput(source, bytes, stream ? { ...options, streamEntry: (e, at) => (handed++, stream(e, at)) } : options);
  // An entry handed over to be read as a stream is judged once it is read: the caller calls withNothingRead then.
  return handed ? parts : withNothingRead(source, looksLikeZip(bytes), parts);
}

/**
 * The parts of one topology file with the error of a file from which nothing was read, named or
 * found (fuzz audit D4), in front: one that already has an error says why itself, and a SharpHound
 * file of another type (users.json…) has its warning. `zip`: the file is an archive. The adapter
 * that reads a large file or zip entry as a stream calls it on the parts it read (one judgement
 * with the file read whole). `gave`: whether a part gave topology, when the caller has already
 * held the parts' computers to the scan's cap (LoadComputers), which may have left a part none.
 */
export function withNothingRead(source: string, zip: boolean, parts: TopologyPart[] | undefined, gave = parts?.some(givesTopology) ?? false): TopologyPart[] | undefined {
  if (parts && !gave && !parts.some((p) => p.problems.some((x) => x.severity === 'error'))) {
    const skipped = parts.length === 1 && parts[0].source === source && parts[0].skippedType;
    if (!skipped) {
      const why = zip
        ? 'none of its SharpHound files has an OU, domain, GPO or computer entry relaylint reads'
        : parts[0]?.kind === 'sharphound'
          ? 'its data holds no entry relaylint reads (an OU or domain with a distinguishedname, a GPO, a computer)'
          : parts[0]?.kind === 'gpinheritance'
            ? 'it holds no Get-GPInheritance object with a Path'
            : 'it holds no domain, organizationalUnit, site, groupPolicyContainer or computer object';
      const p = emptyPart(parts[0]?.kind ?? 'ldif', source);
      p.problems.push(nothingRead(source, why));
      parts.unshift(p);
    }
  }
  return parts;
}

/** A zip entry named like a SharpHound file of the types the topology comes from (`20261206101500_ous.json`). */
function topologyName(name: string): boolean {
  return isTopologyType(sharpHoundTypeByName(name) ?? '');
}

function readInput(source: string, bytes: Uint8Array, options: ReadTopologyOptions): TopologyPart[] | undefined {
  const explicit = !!options.explicit;
  if (looksLikeZip(bytes)) {
    const problems: TopologyProblem[] = [];
    // Entries whose names suggest the types the topology comes from are taken first, so the caps
    // below reach the others (users, groups: large in a large domain) first. The name only orders: the
    // type is read from each entry's content.
    const entries = zipEntries(bytes, source, problems, !!options.streamEntry)
      .map((e, i) => ({ e, i, first: topologyName(e.name) ? 0 : 1 }))
      .sort((a, b) => a.first - b.first || a.i - b.i)
      .map((x) => x.e);
    const parts: TopologyPart[] = [];
    // Bytes inflated from this archive so far, held to LIMITS.maxZipInflateBytes, and bytes read
    // (entries of the topology's types, parsed and kept), held to LIMITS.maxZipTotalBytes. Each entry
    // is held to its declared size by the inflater, so the declared sizes bound the work.
    let inflated = 0;
    let read = 0;
    // Bytes of entries over the file limit handed over to be read as a stream, held to LIMITS.maxStreamedFileBytes.
    let streamed = 0;
    for (const e of entries) {
      if (!/\.json$/i.test(e.name)) continue;
      if (e.large) {
        if (streamed + e.size > LIMITS.maxStreamedFileBytes) {
          problems.push({ source, severity: 'error', message: `${e.name}: ${e.size} bytes uncompressed; with the archive's other entries over the file limit that is more than the ${LIMITS.maxStreamedFileBytes} bytes read as a stream from one archive; not read.` });
          continue;
        }
        streamed += e.size;
        if (options.streamEntry) parts.push(options.streamEntry(e, `${source}:${e.name}`));
        continue;
      }
      const cost = e.method === 0 ? e.data.length : e.size;
      if (inflated + cost > LIMITS.maxZipInflateBytes) {
        problems.push({
          source,
          severity: 'error',
          message: `The archive's entries inflate to more than ${LIMITS.maxZipInflateBytes} bytes together (the cap on one archive); ${e.name} and any later entry were not read.`,
        });
        break;
      }
      inflated += cost;
      let data: Uint8Array;
      try {
        if (e.method === 0) data = e.data;
        else if (options.inflateRaw) data = options.inflateRaw(e.data, e.size);
        else throw new Error('relaylint cannot inflate compressed zip entries here');
      } catch (err) {
        problems.push({ source, severity: 'error', message: `${e.name}: ${(err as Error).message}; not read.` });
        continue;
      }
      const at = `${source}:${e.name}`;
      // A SharpHound file of another type is dropped unparsed: its type is at its end.
      const type = sharpHoundTypeOfTail(data);
      if (type !== undefined && !isTopologyType(type)) {
        parts.push(skippedTypePart(type, at));
        continue;
      }
      if (read + data.length > LIMITS.maxZipTotalBytes) {
        problems.push({
          source,
          severity: 'error',
          message: `The archive's ous, domains, gpos and computers files come to more than ${LIMITS.maxZipTotalBytes} bytes together (the cap on what is read from one archive); ${e.name} was not read.`,
        });
        continue;
      }
      read += data.length;
      // An entry that says it is one of the topology's files (by its end, else by its name) and does
      // not parse is an error; any other JSON that is not SharpHound's is not topology, as outside a zip.
      const got = readJson(decode(data).text, at, type !== undefined || topologyName(e.name));
      if (got) parts.push(...got);
    }
    if (!parts.length && !problems.length && !explicit) return undefined;
    // A refused or unreadable archive has said so already.
    if (!parts.length && !problems.some((p) => p.severity === 'error')) problems.push({ source, severity: explicit ? 'error' : 'warning', message: 'The zip holds no SharpHound ous/domains/gpos/computers JSON.' });
    if (problems.length) {
      const p = emptyPart('sharphound', source);
      p.problems = problems;
      parts.unshift(p);
    }
    return parts;
  }
  const d = decode(bytes);
  const text = d.text;
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return readJson(text, source, explicit);
  if (looksLikeLdif(text)) return [readLdif(text, source)];
  if (!explicit) return undefined;
  const p = emptyPart('ldif', source);
  p.problems.push(nothingRead(source, 'it is not a topology export relaylint reads (LDIF, SharpHound JSON or zip, Get-GPInheritance JSON)'));
  return [p];
}

export interface TopoSom extends Som {
  key: string;
  canonical: string;
  parentKey?: string;
}

export interface Topology {
  soms: Map<string, TopoSom>;
  gpcs: Map<string, Gpc>;
  /** Computer objects by the key of their parent container's DN. */
  computers: Map<string, TopoComputer[]>;
  /** Whether any source named computers. */
  namesComputers: boolean;
  /** Facts no given source carries. */
  lacks: Lack[];
  problems: TopologyProblem[];
  kinds: TopologyKind[];
}

let lastMerge: { parts: readonly TopologyPart[]; topo: Topology } | undefined;

/** What the effective policy does with a GPO's links (`linkUse`). */
export interface LinkUse {
  /** The links it keeps: all but those dropped for a missing container. */
  kept: { enabled: boolean }[];
  /** Some link was dropped because an LDIF export that holds the other containers of its domain lacks the GPO's group policy container. */
  containerMissing: boolean;
}

/**
 * Per GPO linked anywhere, what the effective policy does with its links: a link to a GPO whose
 * group policy container an LDIF export lacks is dropped (scope/order.ts `gpoList`, §1.2 step 3).
 * One reading for coverage (`topologyReach`) and the GPO summaries (scope/effective.ts), so the two
 * cannot disagree on where a GPO applies.
 */
export function linkUse(topo: Topology): Map<string, LinkUse> {
  const out = new Map<string, LinkUse>();
  for (const s of topo.soms.values()) {
    for (const l of s.links) {
      const g = l.gpo as string;
      let use = out.get(g);
      if (!use) out.set(g, (use = { kept: [], containerMissing: false }));
      if (l.gpcMissing) use.containerMissing = true;
      else use.kept.push({ enabled: l.enabled });
    }
  }
  return out;
}

/**
 * `mergeTopology`, once for the same parts: a scan asks at its start (the reach of each GPO, for
 * every file's report) and at its end (the scopes), and a domain's merge parses every SOM's DN.
 * The merged topology is never changed after it is made. The last one is kept.
 */
export function mergedTopology(parts: readonly TopologyPart[]): Topology {
  const last = lastMerge;
  if (last && last.parts.length === parts.length && last.parts.every((p, i) => p === parts[i])) return last.topo;
  const topo = mergeTopology(parts);
  lastMerge = { parts: [...parts], topo };
  return topo;
}

/** Join parts into one topology. Parts earlier in the list win for a SOM or GPC given twice. */
export function mergeTopology(parts: readonly TopologyPart[]): Topology {
  const topo: Topology = { soms: new Map(), gpcs: new Map(), computers: new Map(), namesComputers: false, lacks: [], problems: [], kinds: [] };
  const byObjectGuid = new Map<string, Gpc>();
  // Domains whose group policy containers an LDIF export holds: a link there to a container that is
  // not among them names a GPO that is not found (scope-and-evidence.md §1.2 step 3, §2.1).
  const exported = new Set<string>();
  const pending: TopoComputer[] = [];
  const childOf = new Map<string, string>();
  const ordered = [...parts].sort((a, b) => rank(a.kind) - rank(b.kind));
  for (const p of ordered) {
    topo.problems.push(...p.problems);
    if (!topo.kinds.includes(p.kind) && (p.soms.length || p.gpcs.length)) topo.kinds.push(p.kind);
    if (p.computers) {
      topo.namesComputers = true;
      // A loop, not push(...): a spread of some 120,000 computers overflows the call stack.
      for (const c of p.computers) pending.push(c);
    }
    for (const [c, parent] of p.childOf ?? []) if (!childOf.has(c)) childOf.set(c, parent);
    for (const g of p.gpcs) {
      const had = topo.gpcs.get(g.guid);
      if (!had) topo.gpcs.set(g.guid, { ...g });
      else {
        had.name ??= g.name;
        had.flags ??= g.flags;
        had.wmiFilter ??= g.wmiFilter;
        had.objectGuid ??= g.objectGuid;
        had.functionalityVersion ??= g.functionalityVersion;
        had.applyTrustees ??= g.applyTrustees;
        had.securityUnknown ??= g.securityUnknown;
      }
      if (g.objectGuid) byObjectGuid.set(g.objectGuid, topo.gpcs.get(g.guid) as Gpc);
      if (g.domain !== undefined) exported.add(g.domain);
    }
  }
  // OUs nested past LIMITS.maxOuDepth, by source: left out, with an error each source.
  const tooDeep = new Map<string, { n: number; first: string }>();
  for (const p of ordered) {
    for (const s of p.soms) {
      // One parse of the DN for its key, parent and canonical path.
      const dn = dnFacts(s.dn);
      const key = dn.key;
      if (topo.soms.has(key)) continue;
      if (ouDepth(dn.rdns) > LIMITS.maxOuDepth) {
        const had = tooDeep.get(s.source);
        if (had) had.n++;
        else tooDeep.set(s.source, { n: 1, first: dn.canonical });
        continue;
      }
      const links = [];
      for (const l of s.links) {
        if (l.gpo) {
          links.push(l.gpcDomain !== undefined && exported.has(l.gpcDomain) && !topo.gpcs.has(l.gpo) ? { ...l, gpcMissing: true } : l);
          continue;
        }
        const gpc = l.gpcObjectGuid ? byObjectGuid.get(l.gpcObjectGuid) : undefined;
        if (!gpc) {
          topo.problems.push({
            source: s.source,
            severity: 'warning',
            message: `${canonicalOf(s.dn)}: a link points to the group policy container with objectGUID ${l.gpcObjectGuid}, which no gpos.json entry names; give SharpHound's gpos.json too. The link was skipped.`,
          });
          continue;
        }
        links.push({ ...l, gpo: gpc.guid });
      }
      const som: TopoSom = { ...s, links, key, canonical: dn.canonical };
      const parent = dn.parentKey;
      if (parent && s.kind !== 'domain') som.parentKey = parent;
      topo.soms.set(key, som);
    }
  }
  for (const [source, { n, first }] of tooDeep) {
    const at = first.length > 200 ? `${first.slice(0, 200)}…` : first;
    topo.problems.push({ source, severity: 'error', message: `${n} OU${n === 1 ? ' is' : 's are'} nested deeper than ${LIMITS.maxOuDepth} levels (the first: ${at}); relaylint reads OUs to that depth, so ${n === 1 ? 'its scope and those' : 'their scopes and those'} below were left out.` });
  }
  placeComputers(topo, pending, childOf);
  // Facts lacking: a fact counts as known when any source that gave SOMs carries it.
  const givers = ordered.filter((p) => p.soms.length || p.gpcs.length);
  const facts = new Set<TopologyFact>();
  for (const p of givers) for (const l of p.lacks) facts.add(l.fact);
  for (const f of facts) {
    if (givers.every((p) => p.lacks.some((l) => l.fact === f))) {
      const first = givers.flatMap((p) => p.lacks).find((l) => l.fact === f) as Lack;
      topo.lacks.push(first);
    }
  }
  return topo;
}

/** How many OU components a DN has (its depth below its domain). */
function ouDepth(rdns: readonly { type: string }[]): number {
  let n = 0;
  for (const r of rdns) if (r.type.length === 2 && r.type.toLowerCase() === 'ou') n++;
  return n;
}

/**
 * Computers into the container that holds them: by DN (LDIF, SharpHound `distinguishedname`), else
 * by SharpHound's `ContainedBy` (v6) or the container's `ChildObjects` (v5) joined to an OU or domain
 * `ObjectIdentifier`. The first source wins for a computer given twice (same DN, or same name in the
 * same container). A DN that disagrees with ContainedBy is said; computers that cannot be placed too.
 */
function placeComputers(topo: Topology, pending: readonly TopoComputer[], childOf: ReadonlyMap<string, string>): void {
  const byId = new Map<string, string>();
  for (const s of topo.soms.values()) if (s.objectId) byId.set(s.objectId, s.key);
  const seen = new Set<string>();
  const unplaced = new Map<string, number>();
  for (const c of pending) {
    const fromDn = c.dn ? parentDnKey(c.dn) : undefined;
    const containerId = c.containerId ?? (c.objectId ? childOf.get(c.objectId) : undefined);
    const viaId = containerId ? byId.get(containerId) : undefined;
    if (fromDn && viaId && fromDn !== viaId) {
      topo.problems.push({ source: c.source, severity: 'warning', message: `Computer ${c.name}: its distinguishedname puts it in ${fromDn}, its container identifier in ${viaId}; the distinguishedname is used.` });
    }
    const parent = fromDn ?? viaId;
    if (!parent) {
      unplaced.set(c.source, (unplaced.get(c.source) ?? 0) + 1);
      continue;
    }
    const keys = [`${parent}|${c.name.toLowerCase()}`, ...(c.dn ? [dnKey(c.dn)] : [])];
    if (keys.some((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    const list = topo.computers.get(parent) ?? [];
    list.push(c);
    topo.computers.set(parent, list);
  }
  for (const [source, n] of unplaced) {
    topo.problems.push({
      source,
      severity: 'warning',
      message: `${n} computer${n === 1 ? ' has' : 's have'} no distinguishedname and no container (ContainedBy, or an OU's ChildObjects) that is an OU or domain of the topology; ${n === 1 ? 'it is' : 'they are'} in no scope. Give SharpHound's ous.json and domains.json too.`,
    });
  }
}

function rank(k: TopologyKind): number {
  return k === 'ldif' ? 0 : k === 'gpinheritance' ? 1 : k === 'sharphound' ? 2 : 3;
}

/** A reports-only topology from the GPOs' `<LinksTo>`: link order and block inheritance unknown. */
export function topologyFromReports(gpos: Iterable<PolicyGpo>): TopologyPart {
  const part = emptyPart('reports', 'GPO reports');
  const soms = new Map<string, Som>();
  const ensure = (canonical: string): Som => {
    const dn = dnOfCanonical(canonical);
    const key = dnKey(dn);
    let s = soms.get(key);
    if (!s) {
      s = { dn, kind: isDomainDn(dn) ? 'domain' : 'ou', links: [], source: 'GPO reports', canonicalHint: canonical };
      soms.set(key, s);
      const segs = canonicalSegments(canonical);
      if (segs.length > 1) ensure(segs.slice(0, -1).map((x) => x.replace(/\//g, '\\/')).join('/'));
    }
    return s;
  };
  for (const g of gpos) {
    for (const l of g.links ?? []) ensure(l.som).links.push({ gpo: g.guid, enabled: l.enabled, enforced: l.enforced });
  }
  part.soms = [...soms.values()];
  if (part.soms.length) addLacks(part, 'GPO reports');
  return part;
}

/**
 * Which GPOs the topology links (enabled), and per GPO what it says that can make it apply nowhere
 * (`appliesNowhereReason` judges those facts with the GPO's own); undefined without SOMs.
 */
export function topologyReach(parts: readonly TopologyPart[]): TopologyReach | undefined {
  const topo = mergedTopology(parts);
  if (topo.soms.size === 0) return undefined;
  const linked = new Set<string>();
  const facts: TopologyReach['facts'] = {};
  const of = (guid: string) => (facts[guid] ??= {});
  for (const [g, use] of linkUse(topo)) {
    if (use.kept.some((l) => l.enabled)) linked.add(g);
    else if (use.containerMissing) of(g).containerMissing = true;
    else of(g).linksDisabled = true;
  }
  for (const [guid, c] of topo.gpcs) {
    if (versionGateReason(c.functionalityVersion)) of(guid).version = c.functionalityVersion;
    if (excludedEverywhere(c.applyTrustees)) of(guid).trustees = c.applyTrustees;
    if (c.flags !== undefined && (c.flags & 2) !== 0) of(guid).computerOff = true;
  }
  return { linked: [...linked].join('\n'), facts };
}
