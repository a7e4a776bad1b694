/**
 * Distinguished names and GPMC canonical paths (scope-and-evidence.md §2.12 [E7][E8]).
 * DN → canonical: the `DC=` labels joined with `.`, then the other RDN values from the top down
 * joined with `/` (a `/` inside a value written `\/`). Compared case-insensitively.
 */

export interface Rdn {
  type: string;
  value: string;
}

/** Split a DN into RDNs, unescaping `\,` and `\XX`. Multi-valued RDNs (`+`) are kept as one value. */
export function parseDn(dn: string): Rdn[] {
  // Nearly every DN has no escape: split it (the same result as the scan below, several times faster;
  // a domain's topology parses each of thousands of DNs several times).
  if (dn.indexOf('\\') < 0) return parsePlainDn(dn);
  const out: Rdn[] = [];
  let type = '';
  let value = '';
  let inValue = false;
  let hexBytes: number[] = [];
  const flushHex = () => {
    if (hexBytes.length) {
      value += new TextDecoder().decode(new Uint8Array(hexBytes));
      hexBytes = [];
    }
  };
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === '\\' && i + 1 < dn.length) {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        hexBytes.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
      flushHex();
      if (inValue) value += dn[i + 1];
      else type += dn[i + 1];
      i++;
      continue;
    }
    flushHex();
    if (!inValue && c === '=') {
      inValue = true;
      continue;
    }
    if (c === ',' || c === ';') {
      out.push({ type: type.trim(), value: value.trim() });
      type = '';
      value = '';
      inValue = false;
      continue;
    }
    if (inValue) value += c;
    else type += c;
  }
  flushHex();
  if (type.trim() || value.trim()) out.push({ type: type.trim(), value: value.trim() });
  return out;
}

/** `parseDn` of a DN without a backslash; the first `max` RDNs only, when given. */
function parsePlainDn(dn: string, max = Infinity): Rdn[] {
  const out: Rdn[] = [];
  let start = 0;
  let eq = -1;
  for (let i = 0; i <= dn.length && out.length < max; i++) {
    const c = i < dn.length ? dn.charCodeAt(i) : -1;
    if (c === 61 && eq < 0) eq = i; // the first '=' of this RDN
    if (c !== 44 && c !== 59 && c !== -1) continue; // ',' ';' or the end
    // The RDN's type and value sliced from the DN (no slice of the RDN first).
    const type = (eq < 0 ? dn.slice(start, i) : dn.slice(start, eq)).trim();
    const value = eq < 0 ? '' : dn.slice(eq + 1, i).trim();
    start = i + 1;
    eq = -1;
    // A separator always ends an RDN; the end only when something is left.
    if (c !== -1 || type || value) out.push({ type, value });
  }
  return out;
}

/** A comparison key: lower case, normalised spacing and escapes. */
export function dnKey(dn: string): string {
  return keyOfRdns(parseDn(dn));
}

/** `dnKey` of a DN already parsed (RDNs from `start` on). */
export function keyOfRdns(rdns: readonly Rdn[], start = 0): string {
  let key = '';
  for (let i = start; i < rdns.length; i++) key += `${i > start ? ',' : ''}${rdns[i].type.toLowerCase()}=${rdns[i].value.toLowerCase()}`;
  return key;
}

/**
 * What a topology reader needs of one DN, from one parse: its RDNs, `dnKey`, `parentDnKey` and
 * `canonicalOf` (a domain's LDIF names thousands of DNs; each used to be parsed four times).
 */
export interface DnFacts {
  rdns: Rdn[];
  key: string;
  parentKey: string | undefined;
  canonical: string;
}

export function dnFacts(dn: string): DnFacts {
  const rdns = parseDn(dn);
  // Without a backslash no RDN type can hold a separator, so the parent's RDNs written out and
  // parsed again (what `parentDnKey` does) are these RDNs, unless the last is empty (`=`), which
  // the second parse drops: the key of the rest is the parent's key.
  const last = rdns[rdns.length - 1];
  const same = dn.indexOf('\\') < 0 && !!last && (last.type !== '' || last.value !== '');
  const parentKey = rdns.length < 2 ? undefined : same ? keyOfRdns(rdns, 1) : parentDnKey(dn);
  return { rdns, key: keyOfRdns(rdns), parentKey, canonical: canonicalOfRdns(rdns) };
}

/**
 * `parseDn(dn)[0]?.value` without parsing the rest (the GPO `{GUID}` of a `gPLink` entry's
 * `cn={GUID},cn=policies,…`).
 */
export function firstRdnValue(dn: string): string | undefined {
  return (dn.indexOf('\\') < 0 ? parsePlainDn(dn, 1) : parseDn(dn))[0]?.value;
}

export function formatDn(rdns: readonly Rdn[]): string {
  return rdns.map((r) => `${r.type}=${r.value.replace(/([,+"\\<>;=])/g, '\\$1')}`).join(',');
}

/** The parent's DN key, or undefined at the top. */
export function parentDnKey(dn: string): string | undefined {
  const r = parseDn(dn);
  return r.length > 1 ? dnKey(formatDn(r.slice(1))) : undefined;
}

/** The domain part of a DN (its `DC=` RDNs) as a DNS name. */
export function dnsNameOf(dn: string): string {
  return parseDn(dn)
    .filter((r) => r.type.toLowerCase() === 'dc')
    .map((r) => r.value)
    .join('.');
}

export function isDomainDn(dn: string): boolean {
  return isDomainRdns(parseDn(dn));
}

export function isDomainRdns(r: readonly Rdn[]): boolean {
  return r.length > 0 && r.every((x) => x.type.toLowerCase() === 'dc');
}

/** GPMC canonical path: `corp.example/Servers/Web`; the domain alone has no trailing slash. */
export function canonicalOf(dn: string): string {
  return canonicalOfRdns(parseDn(dn));
}

export function canonicalOfRdns(rdns: readonly Rdn[]): string {
  const dns = rdns.filter((r) => r.type.toLowerCase() === 'dc').map((r) => r.value).join('.');
  const rest = rdns
    .filter((r) => r.type.toLowerCase() !== 'dc')
    .reverse()
    .map((r) => r.value.replace(/\//g, '\\/'));
  return [dns, ...rest].join('/');
}

/** Segments of a canonical path (split on unescaped `/`; never on `.`: OU names may contain dots). */
export function canonicalSegments(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (path[i] === '/') {
      out.push(cur);
      cur = '';
    } else cur += path[i];
  }
  out.push(cur);
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

/** DN for a canonical path; later segments become `OU=` (a canonical path does not say OU or CN, §2.12). */
export function dnOfCanonical(path: string): string {
  const [dns, ...rest] = canonicalSegments(path);
  const rdns: Rdn[] = [...rest.reverse().map((v) => ({ type: 'OU', value: v })), ...dns.split('.').filter(Boolean).map((v) => ({ type: 'DC', value: v }))];
  return formatDn(rdns);
}

/** Whether the SOM is the Domain Controllers OU of its domain (or below it). */
export function isDomainControllersDn(dn: string): boolean {
  // Without an escape every RDN value is text of the DN itself, so a DN that does not hold the name
  // is not the OU's (nor below it). Asked twice per scope: for the thousand OUs of a domain the
  // parse cost 63 M instructions, mostly unoptimized code (bench/README.md, wave 14).
  if (dn.indexOf('\\') < 0 && !DC_OU_NAME.test(dn)) return false;
  const r = parseDn(dn).filter((x) => x.type.toLowerCase() !== 'dc');
  const top = r[r.length - 1];
  return !!top && top.type.toLowerCase() === 'ou' && top.value.toLowerCase() === 'domain controllers';
}

const DC_OU_NAME = /domain controllers/i;
