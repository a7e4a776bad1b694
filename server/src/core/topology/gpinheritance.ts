/**
 * `Get-GPInheritance -Target $dn | ConvertTo-Json -Depth 5` (scope-and-evidence.md §2.8 [E3][E4]):
 * one object or an array of `Som` objects with `Path`, `GpoInheritanceBlocked` and `GpoLinks`
 * (`GpoId`, `DisplayName`, `Enabled`, `Enforced`, `Order`, 1 = highest). Enums may be numbers or
 * strings, `GpoId` a string or `{"Guid": …}`; domain vs OU is derived from `Path`.
 * `InheritedGpoLinks` is not used: precedence is computed from the links themselves.
 */
import { isDomainDn } from './dn';
import { addLacks, emptyPart, normGuid, type Som, type TopoLink, type TopologyPart } from './model';

type Json = Record<string, unknown>;

export function isGpInheritance(doc: unknown): boolean {
  const first = Array.isArray(doc) ? doc[0] : doc;
  return !!first && typeof first === 'object' && typeof (first as Json).Path === 'string' && ('GpoLinks' in (first as Json) || 'GpoInheritanceBlocked' in (first as Json));
}

function guidOf(v: unknown): string | undefined {
  if (typeof v === 'string') return normGuid(v);
  if (v && typeof v === 'object') return normGuid(String((v as Json).Guid ?? (v as Json).guid ?? ''));
  return undefined;
}

export function readGpInheritance(doc: unknown, source: string): TopologyPart {
  const part = emptyPart('gpinheritance', source);
  const items = Array.isArray(doc) ? doc : [doc];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Json;
    const path = typeof o.Path === 'string' ? o.Path : undefined;
    if (!path) {
      part.problems.push({ source, severity: 'warning', message: 'A Get-GPInheritance object has no Path; it was skipped.' });
      continue;
    }
    const links: TopoLink[] = [];
    const raw = o.GpoLinks;
    const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
    if (typeof raw === 'string') {
      part.problems.push({ source, severity: 'error', message: `${path}: GpoLinks was written as the text "${raw.slice(0, 60)}"; export again with ConvertTo-Json -Depth 5.` });
    }
    for (const l of list) {
      if (!l || typeof l !== 'object') {
        part.problems.push({ source, severity: 'error', message: `${path}: a GPO link was written as "${String(l).slice(0, 60)}", not an object; export again with ConvertTo-Json -Depth 5.` });
        continue;
      }
      const lj = l as Json;
      const gpo = guidOf(lj.GpoId);
      if (!gpo) {
        part.problems.push({ source, severity: 'warning', message: `${path}: a GPO link has no GpoId; it was skipped.` });
        continue;
      }
      const link: TopoLink = { gpo, enabled: lj.Enabled !== false, enforced: lj.Enforced === true };
      if (typeof lj.Order === 'number') link.order = lj.Order;
      links.push(link);
    }
    links.sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity));
    const som: Som = { dn: path, kind: isDomainDn(path) ? 'domain' : 'ou', links, source };
    if (typeof o.GpoInheritanceBlocked === 'boolean') som.blocksInheritance = o.GpoInheritanceBlocked;
    else if (typeof o.GpoInheritanceBlocked === 'string') som.blocksInheritance = /^(yes|true)$/i.test(o.GpoInheritanceBlocked);
    part.soms.push(som);
  }
  addLacks(part, 'Get-GPInheritance');
  return part;
}
