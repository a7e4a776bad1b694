/**
 * LDIF (RFC 2849 [E9]) from `ldifde` or `ldapsearch`: domain, OU and site objects with `gPLink` /
 * `gPOptions`, group policy containers with `displayName`, `flags`, `gPCWQLFilter`,
 * `gPCFunctionalityVersion` (P9), and `msWMI-Som`
 * filter objects (scope-and-evidence.md §2.1–§2.6). Folded lines are unfolded before `::` base64
 * values are decoded; CRLF and LF both end lines; `version:` is optional; `#` comments are skipped.
 */
import { canonicalOfRdns, firstRdnValue, isDomainRdns, keyOfRdns, parseDn } from './dn';
import { applyTrusteesOfSd } from '../policy/security-descriptor';
import { addLacks, emptyPart, normGuid, nothingRead, type Gpc, type Som, type TopoLink, type TopologyPart, type TopologyProblem } from './model';

interface Attr {
  name: string;
  value: string;
  line: number;
  /** The raw bytes of a `::` base64 value (binary attributes such as `nTSecurityDescriptor`). */
  bytes?: Uint8Array;
}

export interface LdifRecord {
  dn: string;
  line: number;
  attrs: Attr[];
}

function decodeBase64(b64: string): { text: string; bytes: Uint8Array } | undefined {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(clean, 'base64');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), bytes };
  } catch {
    return { text: bytes.toString('latin1'), bytes };
  }
}

/** Whether a text looks like LDIF: after comments, blank lines and `version:`, the first line is `dn:`. */
export function looksLikeLdif(text: string): boolean {
  for (const raw of text.slice(0, 64 * 1024).split(/\r?\n/)) {
    const line = raw.replace(/^\uFEFF/, '');
    if (!line.trim() || line.startsWith('#') || line.startsWith(' ') || /^version:\s*\d+\s*$/i.test(line)) continue;
    return /^dn::?\s?/i.test(line);
  }
  return false;
}

/** Every record of an LDIF text, in order, and the problems of its lines (see `eachLdifRecord`). */
export function readLdifRecords(text: string, source: string, problems: TopologyProblem[]): LdifRecord[] {
  const records: LdifRecord[] = [];
  eachLdifRecord(text, source, problems, (r) => records.push(r));
  return records;
}

/**
 * The records of an LDIF text, each handed to `onRecord` once its last line is read; `problems` gets
 * lines that are not `attr: value`, bad base64 and `:<` URLs. The text is
 * walked line by line, with no array of its lines and no record kept here (a domain's export has
 * tens of thousands of lines, and each kept object is one more for the garbage collector to move).
 */
function eachLdifRecord(text: string, source: string, problems: TopologyProblem[], onRecord: (r: LdifRecord) => void): void {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let cur: LdifRecord | undefined;
  const done = () => {
    if (cur) onRecord(cur);
    cur = undefined;
  };
  const take = (l: string, line: number) => {
    if (l === '') {
      done();
      return;
    }
    if (l.startsWith('#')) return;
    const m = /^([A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9=-]+)*)(::|:<|:)\s*(.*)$/.exec(l);
    if (!m) {
      problems.push({ source, severity: 'warning', line, message: `LDIF line ${line} is not "attribute: value" (a truncated or damaged export?); it was skipped.` });
      return;
    }
    const semi = m[1].indexOf(';');
    const name = (semi < 0 ? m[1] : m[1].slice(0, semi)).toLowerCase();
    let value = m[3];
    let bytes: Uint8Array | undefined;
    if (m[2] === ':<') {
      problems.push({ source, severity: 'warning', line, message: `LDIF line ${line}: ${m[1]} refers to an external file (":<"), which relaylint does not read.` });
      return;
    }
    if (m[2] === '::') {
      const d = decodeBase64(value);
      if (d === undefined) {
        problems.push({ source, severity: 'warning', line, message: `LDIF line ${line}: the base64 value of ${m[1]} is not valid base64 (truncated?); it was skipped.` });
        return;
      }
      value = d.text;
      bytes = d.bytes;
    }
    if (name === 'version' && !cur) return;
    if (name === 'dn') {
      done();
      cur = { dn: value, line, attrs: [] };
      return;
    }
    if (!cur) {
      problems.push({ source, severity: 'warning', line, message: `LDIF line ${line}: "${m[1]}" comes before any "dn:" line; it was skipped.` });
      return;
    }
    cur.attrs.push(bytes ? { name, value, line, bytes } : { name, value, line });
  };
  // Lines end at LF, a CR before it dropped (as `split(/\r?\n/)`); a line that starts with one
  // space continues the logical line before it, unless that one is empty.
  let logical: string | undefined;
  let logicalLine = 0;
  let lineNo = 0;
  for (let start = 0; ; ) {
    const nl = t.indexOf('\n', start);
    const end = nl < 0 ? t.length : nl > start && t.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const l = t.slice(start, end);
    lineNo++;
    if (logical !== undefined && logical !== '' && l.charCodeAt(0) === 32) logical += l.slice(1);
    else {
      if (logical !== undefined) take(logical, logicalLine);
      logical = l;
      logicalLine = lineNo;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  if (logical !== undefined) take(logical, logicalLine);
  done();
}

/**
 * The domain part of a group policy container's DN (`cn={GUID},cn=policies,cn=system,<domain>`),
 * as a key (lower case, no spaces around `,` and `=`), one string per distinct text (the same few
 * domains repeat in every link). Kept on the links and containers an LDIF gives, as plain fields
 * (they cross to the language server's topology thread), for the merge to tell a link to a
 * container the export should hold from one of another domain.
 */
const domainKeys = new Map<string, string>();
const GPC_DOMAIN = /^\s*cn\s*=[^,]*,\s*cn\s*=\s*policies\s*,\s*cn\s*=\s*system\s*,(.*)$/i;

function gpcDomainKey(dn: string): string | undefined {
  const m = GPC_DOMAIN.exec(dn);
  if (!m) return undefined;
  let k = domainKeys.get(m[1]);
  if (k === undefined) {
    k = m[1].toLowerCase().replace(/\s*([,=])\s*/g, '$1').trim();
    if (domainKeys.size < 1000) domainKeys.set(m[1], k);
  }
  return k;
}

const GPLINK_ENTRY = /\[\s*LDAP:\/\/([^;\]]*);\s*(\d+)\s*\]/giy;

/**
 * `gPLink` (§2.1): `[LDAP://<gpc dn>;<options>]…`; the last entry is link order 1. Options by bits:
 * 1 = disabled, 2 = enforced [E21][E22][E23]. Text that is not an entry is reported.
 */
export function parseGpLink(value: string, report: (message: string) => void): TopoLink[] {
  const entries: { dn: string; options: number }[] = [];
  let i = 0;
  const v = value.trim();
  while (i < v.length) {
    GPLINK_ENTRY.lastIndex = i;
    const m = GPLINK_ENTRY.exec(v);
    if (!m) {
      const rest = v.slice(i).trim();
      if (rest) report(`gPLink text "${rest.slice(0, 80)}" is not a [LDAP://…;N] entry (truncated?); it was skipped.`);
      break;
    }
    entries.push({ dn: m[1], options: Number(m[2]) });
    i = GPLINK_ENTRY.lastIndex;
  }
  const n = entries.length;
  const links: TopoLink[] = [];
  entries.forEach((e, idx) => {
    const gpo = normGuid(firstRdnValue(e.dn));
    if (!gpo) {
      report(`gPLink entry "${e.dn.slice(0, 80)}" does not name a GPO {GUID}; it was skipped.`);
      return;
    }
    if (e.options > 3) report(`gPLink entry for ${gpo} has option ${e.options}; read by its bits (1 = disabled, 2 = enforced).`);
    const link: TopoLink = { gpo, enabled: (e.options & 1) === 0, enforced: (e.options & 2) !== 0, order: n - idx, options: e.options };
    const domain = gpcDomainKey(e.dn);
    if (domain !== undefined) link.gpcDomain = domain;
    links.push(link);
  });
  return links.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

function attr(r: LdifRecord, name: string): Attr | undefined {
  return r.attrs.find((a) => a.name === name);
}

function classes(r: LdifRecord): string[] {
  return r.attrs.filter((a) => a.name === 'objectclass').map((a) => a.value.toLowerCase());
}

/** Read the topology facts of an LDIF export. Never throws. */
export function readLdif(text: string, source: string): TopologyPart {
  const part = emptyPart('ldif', source);
  const wmiNames = new Map<string, string>();
  const gpcWql: { gpc: Gpc; id: string }[] = [];
  let sawSite = false;
  let sawGpc = false;
  let records = 0;
  // The problems of its lines come before those of its records, as when every line was read first.
  const lineProblems: TopologyProblem[] = [];
  eachLdifRecord(text, source, lineProblems, (r) => {
    records++;
    if (!r.dn.trim()) return;
    const rdns = parseDn(r.dn);
    const first = rdns[0];
    if (!first) return;
    const cls = classes(r);
    const key = keyOfRdns(rdns);
    const t = first.type.toLowerCase();
    if (cls.includes('mswmi-som') || /,cn=som,cn=wmipolicy,cn=system,/.test(key)) {
      const id = normGuid(attr(r, 'mswmi-id')?.value ?? first.value);
      const name = attr(r, 'mswmi-name')?.value;
      if (id && name) wmiNames.set(id, name);
      return;
    }
    if (cls.includes('grouppolicycontainer') || /^cn=\{[^}]*\},cn=policies,cn=system,/.test(key)) {
      sawGpc = true;
      const guid = normGuid(first.value);
      if (!guid) {
        part.problems.push({ source, severity: 'warning', line: r.line, message: `Group policy container "${r.dn}" is not named by a {GUID}; it was skipped.` });
        return;
      }
      const gpc: Gpc = { guid, source };
      const domain = gpcDomainKey(r.dn);
      if (domain !== undefined) gpc.domain = domain;
      const dn = attr(r, 'displayname')?.value;
      if (dn) gpc.name = dn;
      const flags = attr(r, 'flags')?.value;
      if (flags !== undefined) {
        if (/^\d+$/.test(flags.trim())) gpc.flags = Number(flags.trim());
        else part.problems.push({ source, severity: 'warning', line: r.line, message: `flags "${flags}" of ${guid} is not a number; its GPO status is unknown.` });
      }
      // Security filtering (P10), when the export holds the GPC's nTSecurityDescriptor (§0, §2.6: binary, `::` base64).
      const sd = attr(r, 'ntsecuritydescriptor');
      if (sd) {
        const got = sd.bytes ? applyTrusteesOfSd(sd.bytes) : ({ ok: false, problem: 'the value is not base64 ("::"), so it cannot be the binary descriptor' } as const);
        if (got.ok) gpc.applyTrustees = { allow: got.allow, deny: got.deny, complete: true };
        else {
          gpc.securityUnknown = `its nTSecurityDescriptor could not be read: ${got.problem}`;
          part.problems.push({ source, severity: 'error', line: sd.line, message: `${guid}: ${gpc.securityUnknown}. Its security filtering is unknown, so results it decides are conditional.` });
        }
      }
      const version = attr(r, 'gpcfunctionalityversion')?.value;
      if (version !== undefined) {
        gpc.functionalityVersion = version.trim();
        if (!/^\d+$/.test(gpc.functionalityVersion)) {
          part.problems.push({ source, severity: 'warning', line: r.line, message: `gPCFunctionalityVersion ${JSON.stringify(gpc.functionalityVersion)} of ${guid} is not a number; clients use only GPOs of version 2, so it is treated as applying nowhere.` });
        }
      }
      const wql = attr(r, 'gpcwqlfilter')?.value;
      const wqlId = wql ? normGuid(wql.split(';')[1] ?? wql) : undefined;
      if (wqlId) gpcWql.push({ gpc, id: wqlId });
      part.gpcs.push(gpc);
      return;
    }
    if (cls.includes('computer')) {
      const name = attr(r, 'dnshostname')?.value?.trim() || first.value;
      (part.computers ??= []).push({ dn: r.dn, name, source });
      return;
    }
    const isSite = cls.includes('site') || (t === 'cn' && /^cn=[^,]+,cn=sites,cn=configuration,/.test(key));
    const isDomain = cls.includes('domaindns') || isDomainRdns(rdns);
    const isOu = cls.includes('organizationalunit') || t === 'ou';
    if (!isSite && !isDomain && !isOu) return;
    if (isSite) sawSite = true;
    const som: Som = { dn: r.dn, kind: isSite ? 'site' : isDomain ? 'domain' : 'ou', links: [], source };
    const gpLink = attr(r, 'gplink');
    if (gpLink) {
      som.links = parseGpLink(gpLink.value, (message) =>
        part.problems.push({ source, severity: 'warning', line: gpLink.line, message: `${canonicalOfRdns(rdns)}: ${message}` }),
      );
    }
    const opts = attr(r, 'gpoptions')?.value;
    som.blocksInheritance = opts !== undefined && /^\d+$/.test(opts.trim()) ? (Number(opts.trim()) & 1) === 1 : false;
    part.soms.push(som);
  });
  if (lineProblems.length) {
    for (const p of part.problems) lineProblems.push(p);
    part.problems = lineProblems;
  }
  for (const { gpc, id } of gpcWql) gpc.wmiFilter = wmiNames.get(id) ?? id;
  part.wmiNames = wmiNames;
  if (records === 0) part.problems.push(nothingRead(source, 'the LDIF export holds no records'));
  addLacks(part, 'LDIF');
  // Whether security filtering is still lacking is decided once, over every GPO and every input that
  // carries trustees (scope/effective.ts), not here from this export alone.
  if (!sawSite) part.lacks.push({ fact: 'sites', source: 'LDIF', message: `${source} holds no site objects (export CN=Sites of the configuration partition for site links)` });
  if (!sawGpc && part.soms.length) {
    part.lacks.push({ fact: 'gpo-status', source: 'LDIF', message: `${source} holds no group policy containers, so GPO status flags are unknown` });
    part.lacks.push({ fact: 'wmi-filter', source: 'LDIF', message: `${source} holds no group policy containers, so WMI filters are unknown` });
  }
  return part;
}
