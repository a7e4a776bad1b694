/**
 * SharpHound CE output (scope-and-evidence.md §2.7 [E24][E25]): `ous.json`, `domains.json` and
 * `gpos.json`, each `{"data":[…],"meta":{"type":…}}`; the type comes from `meta.type`, never from
 * the file name. `Links[]` = `{GUID, IsEnforced}` in gPLink string order (last = link order 1),
 * `GUID` being the GPC's objectGUID, joined to the `{GUID}` GPO name through gpos.json.
 */
import { addLacks, emptyPart, normGuid, type Gpc, type Som, type TopoLink, type TopologyPart } from './model';

type Json = Record<string, unknown>;

export function isSharpHound(doc: unknown): doc is { data: unknown[]; meta: Json } {
  return !!doc && typeof doc === 'object' && Array.isArray((doc as Json).data) && !!(doc as Json).meta && typeof (doc as Json).meta === 'object';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
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

/** Read one SharpHound JSON document (already parsed). Never throws. */
export function readSharpHound(doc: { data: unknown[]; meta: Json }, source: string): TopologyPart {
  const part = emptyPart('sharphound', source);
  const type = String(doc.meta.type ?? '').toLowerCase();
  if (type !== 'ous' && type !== 'domains' && type !== 'gpos') {
    part.problems.push({
      source,
      severity: 'warning',
      message: `This SharpHound file is of type "${type || '?'}"; the topology comes from the ous, domains and gpos files. It was skipped.`,
    });
    return part;
  }
  for (const item of doc.data) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Json;
    const props = (o.Properties && typeof o.Properties === 'object' ? o.Properties : {}) as Json;
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
    part.soms.push(som);
  }
  addLacks(part, 'SharpHound');
  return part;
}
