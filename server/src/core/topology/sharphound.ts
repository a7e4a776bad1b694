/**
 * SharpHound CE output (scope-and-evidence.md §2.7 [E24][E25]): `ous.json`, `domains.json` and
 * `gpos.json`, each `{"data":[…],"meta":{"type":…}}`; the type comes from `meta.type`, never from
 * the file name. `Links[]` = `{GUID, IsEnforced}` in gPLink string order (last = link order 1),
 * `GUID` being the GPC's objectGUID, joined to the `{GUID}` GPO name through gpos.json.
 *
 * `computers.json` (same wrapper, `meta.type` `computers`) places computers in their OU: by
 * `Properties.distinguishedname` (upper-cased by SharpHound, as for OUs), else by `ContainedBy`
 * (data version 6: `{ObjectIdentifier, ObjectType}` of the OU or domain), else by the `ChildObjects`
 * of an OU or domain (version 5) — §2.7 names these common fields (V [E24][E25]). The shared doc
 * names no computer-specific property, so the computer's name is read tolerantly and shown as
 * written (UNVERIFIED): `Properties.dnshostname`, else `Properties.name` (without an `@DOMAIN`
 * suffix, the form §2.7 gives for other objects), else the first RDN of its DN, else its
 * `ObjectIdentifier`. Objects marked `IsDeleted` are in no OU and are skipped.
 */
import { parseDn } from './dn';
import { LIMITS } from '../limits';
import { addLacks, emptyPart, normGuid, type Gpc, type Som, type TopoComputer, type TopoLink, type TopologyPart, type TopologyProblem } from './model';

type Json = Record<string, unknown>;

export function isSharpHound(doc: unknown): doc is { data: unknown[]; meta: Json } {
  return !!doc && typeof doc === 'object' && Array.isArray((doc as Json).data) && !!(doc as Json).meta && typeof (doc as Json).meta === 'object';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

const upperId = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().replace(/[{}]/g, '').toUpperCase() : undefined);

/** What `computerOf` reads of a computers.json entry (each as the JSON gives it: only strings count). */
export interface ComputerFields {
  /** `Properties.distinguishedname`, `Properties.dnshostname`, `Properties.name`. */
  dn: unknown;
  dnshostname: unknown;
  name: unknown;
  /** `ObjectIdentifier`, and `ContainedBy.ObjectIdentifier` when ContainedBy is an object. */
  objectId: unknown;
  containerId: unknown;
}

/**
 * A computers.json entry: where it sits and what it is called. One judgement for the file read whole
 * (`readSharpHound`) and read as a stream (computers-stream.ts).
 */
export function computerOf(f: ComputerFields, source: string): TopoComputer | undefined {
  const dn = str(f.dn)?.trim() ?? '';
  const containerId = upperId(f.containerId);
  const objectId = upperId(f.objectId);
  const rawName = str(f.dnshostname)?.trim() || str(f.name)?.trim().replace(/@[^@]*$/, '') || (dn ? parseDn(dn)[0]?.value : undefined) || objectId;
  if (!rawName) return undefined;
  const c: TopoComputer = { dn, name: rawName, source };
  if (objectId) c.objectId = objectId;
  if (containerId) c.containerId = containerId;
  return c;
}

/** The problem for the computers.json entries of one file that name no computer. */
export function unnamedProblem(source: string, unnamed: number): TopologyProblem {
  return { source, severity: 'warning', message: `${unnamed} computers.json entr${unnamed === 1 ? 'y has' : 'ies have'} no name, distinguishedname or ObjectIdentifier; skipped.` };
}

/** What a placed computer holds in text (its DN, name and identifiers, in UTF-16 units): what `ComputerList` counts against LIMITS.maxComputerTextPerFile. */
export function computerText(c: TopoComputer): number {
  return c.dn.length + c.name.length + (c.objectId?.length ?? 0) + (c.containerId?.length ?? 0);
}

/**
 * A cap on computers by their count and the text they hold (`computerText`), one rule for a file's
 * computers (ComputerList) and a scan's (LoadComputers): `take` counts a computer that fits; once a
 * cap is passed (`full` says which) no later computer fits, even a smaller one.
 */
class ComputerBudget {
  private count = 0;
  private text = 0;
  full: 'count' | 'text' | undefined;
  constructor(
    readonly maxCount: number,
    readonly maxText: number,
  ) {}

  take(c: TopoComputer): boolean {
    if (this.full) return false;
    const size = computerText(c);
    if (this.count >= this.maxCount) this.full = 'count';
    else if (this.text + size > this.maxText) this.full = 'text';
    else {
      this.count++;
      this.text += size;
      return true;
    }
    return false;
  }
}

/**
 * The computers of one file as both readers place them (read whole and as a stream: one rule): at
 * most LIMITS.maxComputersPerFile computers holding at most LIMITS.maxComputerTextPerFile units of
 * text (a file read whole cannot pass that; a streamed one of 4 GiB could). Past either, this
 * computer and every later one are counted, not placed, and a warning says which limit and how many.
 */
export class ComputerList {
  readonly placed: TopoComputer[] = [];
  private readonly budget: ComputerBudget;
  private unnamed = 0;
  private over = 0;
  constructor(maxCount: number = LIMITS.maxComputersPerFile, maxText: number = LIMITS.maxComputerTextPerFile) {
    this.budget = new ComputerBudget(maxCount, maxText);
  }

  add(c: TopoComputer | undefined): void {
    if (!c) this.unnamed++;
    else if (this.budget.take(c)) this.placed.push(c);
    else this.over++;
  }

  /** The warnings of the file: entries that name no computer, computers past a limit. */
  problems(source: string): TopologyProblem[] {
    const out: TopologyProblem[] = [];
    if (this.unnamed) out.push(unnamedProblem(source, this.unnamed));
    if (this.over) {
      const b = this.budget;
      const limit =
        b.full === 'count'
          ? `more than ${b.maxCount} computers`
          : `computers whose names, distinguished names and identifiers come to more than ${b.maxText} characters (the memory one file may take)`;
      out.push({ source, severity: 'warning', message: `The file names ${limit}; the ${this.over} after them were not placed in a scope (their event-log clients count toward no OU).` });
    }
    return out;
  }
}

/**
 * The computers of all the topology files of one scan, held to LIMITS.maxComputersPerLoad and
 * LIMITS.maxComputerTextPerLoad: each file's own caps do not bound their sum (ten domains' computers
 * files). The loaders call `admit` on each part as it is read, so memory holds at most the load's
 * cap and one file. Past a cap the part keeps the computers that fit before it, and a warning says
 * how many were not placed; every later computer is left out too.
 */
export class LoadComputers {
  private readonly budget: ComputerBudget;
  constructor(maxCount: number = LIMITS.maxComputersPerLoad, maxText: number = LIMITS.maxComputerTextPerLoad) {
    this.budget = new ComputerBudget(maxCount, maxText);
  }

  admit(part: TopologyPart): void {
    const list = part.computers;
    if (!list?.length) return;
    let keep = 0;
    while (keep < list.length && this.budget.take(list[keep])) keep++;
    if (keep === list.length) return;
    const over = list.length - keep;
    list.length = keep;
    const b = this.budget;
    const limit = b.full === 'count' ? `${b.maxCount} computers` : `${b.maxText} characters of computer names, distinguished names and identifiers`;
    part.problems.push({
      source: part.source,
      severity: 'warning',
      message: `With the topology files read before it, this one passes the ${limit} one scan places; its ${over} computer${over === 1 ? '' : 's'} after that were not placed in a scope (their event-log clients count toward no OU).`,
    });
  }
}

function readLinks(v: unknown): TopoLink[] {
  if (!Array.isArray(v)) return [];
  const n = v.length;
  return v
    .map((l, i): TopoLink | undefined => {
      if (!l || typeof l !== 'object') return undefined;
      const g = str((l as Json).GUID);
      if (!g) return undefined;
      return { gpcObjectGuid: g.replace(/[{}]/g, '').toUpperCase(), enabled: true, enforced: (l as Json).IsEnforced === true, order: n - i };
    })
    .filter((l): l is TopoLink => !!l)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

/**
 * The type a file name gives in SharpHound's form (`…_ous.json`, lower case), only to order a zip's
 * entries and to word a problem about a file that could not be read: the type of a file that is read
 * comes from its `meta.type`, never from its name (§2.7). `strict`: the whole form,
 * `[<prefix>_]<yyyyMMddHHmmss>_<type>.json`, for a problem whose severity depends on it.
 */
export function sharpHoundTypeByName(name: string, strict = false): string | undefined {
  const m = (strict ? /(?:^|[\\/_])\d{14}_([a-z]+)\.json$/i : /(?:^|[\\/_.-])([a-z]+)\.json$/i).exec(name);
  return m?.[1].toLowerCase();
}

/** The SharpHound types the topology is read from (`meta.type`, lower case). */
export function isTopologyType(type: string): boolean {
  return type === 'ous' || type === 'domains' || type === 'gpos' || type === 'computers';
}

/** The part of a SharpHound file of another type (users, groups…): skipped, with a warning. */
export function skippedTypePart(type: string, source: string): TopologyPart {
  const part = emptyPart('sharphound', source);
  part.problems.push({
    source,
    severity: 'warning',
    message: `This SharpHound file is of type "${type || '?'}"; the topology comes from the ous, domains, gpos and computers files. It was skipped.`,
  });
  part.skippedType = type || '?';
  return part;
}

/**
 * `meta.type` of a SharpHound file read from its last bytes, without parsing it: SharpHound writes
 * `{"data":[…],"meta":{…}}`, data first (§2.7), so `meta` is in the tail. Undefined when the tail
 * does not end with a `meta` object naming a type (then the whole file is parsed to tell).
 */
export function sharpHoundTypeOfTail(bytes: Uint8Array): string | undefined {
  const from = Math.max(0, bytes.length - 4096);
  let tail = '';
  for (let i = from; i < bytes.length; i++) tail += String.fromCharCode(bytes[i]);
  // From the last "meta" only: one pass over the tail, however many times the text repeats it.
  const at = tail.lastIndexOf('"meta"');
  const m = at < 0 ? null : /^"meta"\s*:\s*\{[^{}]*"type"\s*:\s*"([A-Za-z]{1,40})"[^{}]*\}\s*\}\s*$/.exec(tail.slice(at));
  return m ? m[1].toLowerCase() : undefined;
}

/** Read one SharpHound JSON document (already parsed). Never throws. */
export function readSharpHound(doc: { data: unknown[]; meta: Json }, source: string): TopologyPart {
  const type = String(doc.meta.type ?? '').toLowerCase();
  if (!isTopologyType(type)) return skippedTypePart(type, source);
  const part = emptyPart('sharphound', source);
  const computers = type === 'computers' ? new ComputerList() : undefined;
  for (const item of doc.data) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Json;
    const props = (o.Properties && typeof o.Properties === 'object' ? o.Properties : {}) as Json;
    if (type === 'computers') {
      if (o.IsDeleted === true) continue;
      const by = o.ContainedBy && typeof o.ContainedBy === 'object' ? (o.ContainedBy as Json) : undefined;
      computers?.add(computerOf({ dn: props.distinguishedname, dnshostname: props.dnshostname, name: props.name, objectId: o.ObjectIdentifier, containerId: by?.ObjectIdentifier }, source));
      continue;
    }
    const dn = str(props.distinguishedname);
    if (type === 'gpos') {
      const guid = normGuid(str(props.gpcpath)?.split('\\').pop()) ?? normGuid(dn?.split(',')[0]);
      if (!guid) {
        part.problems.push({ source, severity: 'warning', message: `A gpos.json entry (${str(o.ObjectIdentifier) ?? '?'}) names no {GUID} in gpcpath or distinguishedname; it was skipped.` });
        continue;
      }
      const gpc: Gpc = { guid, source };
      const name = str(props.name);
      if (name) gpc.name = name.replace(/@[^@]*$/, '');
      const oid = str(o.ObjectIdentifier);
      if (oid) gpc.objectGuid = oid.replace(/[{}]/g, '').toUpperCase();
      part.gpcs.push(gpc);
      continue;
    }
    if (!dn) {
      part.problems.push({ source, severity: 'warning', message: `A ${type}.json entry (${str(o.ObjectIdentifier) ?? '?'}) has no distinguishedname; it was skipped.` });
      continue;
    }
    const som: Som = { dn, kind: type === 'domains' ? 'domain' : 'ou', links: readLinks(o.Links), source };
    if (type === 'ous') som.blocksInheritance = props.blocksinheritance === true;
    const id = upperId(o.ObjectIdentifier);
    if (id) {
      som.objectId = id;
      // Data version 5: the OU's / domain's children, computers among them.
      if (Array.isArray(o.ChildObjects)) {
        for (const ch of o.ChildObjects) {
          if (!ch || typeof ch !== 'object' || !/^computer$/i.test(String((ch as Json).ObjectType ?? ''))) continue;
          const cid = upperId((ch as Json).ObjectIdentifier);
          if (cid) (part.childOf ??= new Map()).set(cid, id);
        }
      }
    }
    part.soms.push(som);
  }
  if (computers) {
    part.computers = computers.placed;
    part.problems.push(...computers.problems(source));
    return part;
  }
  addLacks(part, 'SharpHound');
  return part;
}
