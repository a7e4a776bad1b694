/**
 * Small hand-built domains for the effective-policy tests: one description, written out as LDIF,
 * SharpHound CE JSON (and zip) or Get-GPInheritance JSON, plus a policy set of hand-made observations.
 * Every domain and GUID here is made up for the tests (`corp.example`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import * as assert from 'node:assert/strict';
import { effectivePolicy, type EffectiveEntry, type EffectivePolicy, type ScopeResult } from '../../server/src/core/scope';
import { readLdif } from '../../server/src/core/topology';
import { PolicySetBuilder, type Observation, type PolicySet } from '../../server/src/core/policy/set';
import type { Extension } from '../../server/src/core/policy/set';
import type { Trustee } from '../../server/src/core/types';
import type { DomainInputs } from '../../server/src/lsp/domain';

export const DOMAIN_DN = 'DC=corp,DC=example';

/** `{41414141-0000-4000-8000-000000000001}` for `A` (the letter's code four times), … */
export function guid(letter: string): string {
  const n = letter.charCodeAt(0) - 64;
  return `{${letter.charCodeAt(0).toString(16).toUpperCase().repeat(4)}-0000-4000-8000-${String(n).padStart(12, '0')}}`;
}

/** GPC objectGUID for SharpHound (upper case, no braces): different from the {GUID} name, as in real data. */
export function objectGuid(letter: string): string {
  const n = letter.charCodeAt(0) - 64;
  return `0B1EC700-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export interface SomSpec {
  /** DN; the domain is DOMAIN_DN. */
  dn: string;
  /** gPLink entries in string order: [letter, option] (0 enabled, 1 disabled, 2 enforced, 3 both). */
  links: [string, number][];
  block?: boolean;
}

export interface GpcSpec {
  letter: string;
  name?: string;
  flags?: number;
  wmi?: { id: string; name: string };
  /** LDIF `gPCFunctionalityVersion` (raw text); absent = not exported. */
  version?: string;
  /** LDIF `nTSecurityDescriptor` (binary, written as folded `::` base64); absent = not exported. */
  sd?: Uint8Array;
}

export interface ComputerSpec {
  /** DN of the computer object, e.g. `CN=FS01,OU=Servers,DC=corp,DC=example`. */
  dn: string;
  /** `dNSHostName`, e.g. `fs01.corp.example`. */
  host: string;
}

export interface DomainSpec {
  soms: SomSpec[];
  gpcs: GpcSpec[];
  /** Computer objects (LDIF `objectClass: computer`, SharpHound computers.json). */
  computers?: ComputerSpec[];
}

const gpcDn = (l: string) => `cn=${guid(l)},cn=policies,cn=system,${DOMAIN_DN}`;

export function toLdif(d: DomainSpec): string {
  const out: string[] = ['version: 1', ''];
  for (const s of d.soms) {
    out.push(`dn: ${s.dn}`, `objectClass: ${s.dn.startsWith('DC=') ? 'domainDNS' : s.dn.startsWith('CN=') ? 'site' : 'organizationalUnit'}`);
    if (s.links.length) out.push(`gPLink: ${s.links.map(([l, o]) => `[LDAP://${gpcDn(l)};${o}]`).join('')}`);
    out.push(`gPOptions: ${s.block ? 1 : 0}`, '');
  }
  for (const g of d.gpcs) {
    out.push(`dn: CN=${guid(g.letter)},CN=Policies,CN=System,${DOMAIN_DN}`, 'objectClass: groupPolicyContainer', `displayName: ${g.name ?? `GPO ${g.letter}`}`, `flags: ${g.flags ?? 0}`);
    if (g.wmi) out.push(`gPCWQLFilter: [corp.example;${g.wmi.id};0]`);
    if (g.version !== undefined) out.push(`gPCFunctionalityVersion: ${g.version}`);
    if (g.sd) {
      // Folded at 78 characters per physical line, as ldapsearch does (§2.6).
      const line = `nTSecurityDescriptor:: ${Buffer.from(g.sd).toString('base64')}`;
      out.push(line.slice(0, 78));
      for (let i = 78; i < line.length; i += 77) out.push(` ${line.slice(i, i + 77)}`);
    }
    out.push('');
    if (g.wmi) out.push(`dn: CN=${g.wmi.id},CN=SOM,CN=WMIPolicy,CN=System,${DOMAIN_DN}`, 'objectClass: msWMI-Som', `msWMI-ID: ${g.wmi.id}`, `msWMI-Name: ${g.wmi.name}`, '');
  }
  for (const c of d.computers ?? []) out.push(`dn: ${c.dn}`, 'objectClass: top', 'objectClass: computer', `dNSHostName: ${c.host}`, '');
  return out.join('\n');
}

/** SharpHound CE v6 files (ous, domains, gpos). Disabled links are dropped, as the collector does. */
export function toSharpHound(d: DomainSpec): Record<string, string> {
  const links = (s: SomSpec) => s.links.filter(([, o]) => (o & 1) === 0).map(([l, o]) => ({ IsEnforced: (o & 2) !== 0, GUID: objectGuid(l) }));
  const meta = (type: string, count: number) => ({ methods: 46067, type, count, version: 6, collectorversion: '2.5.0' });
  const ous = d.soms.filter((s) => s.dn.startsWith('OU='));
  const doms = d.soms.filter((s) => s.dn.startsWith('DC='));
  const files: Record<string, string> = {
    '20261206101500_ous.json': JSON.stringify({
      data: ous.map((s, i) => ({
        ObjectIdentifier: ouId(i),
        Properties: { domain: 'CORP.EXAMPLE', name: `${s.dn.split(',')[0].slice(3).toUpperCase()}@CORP.EXAMPLE`, distinguishedname: s.dn.toUpperCase(), blocksinheritance: !!s.block },
        Links: links(s),
        ChildObjects: [],
        Aces: [],
        IsDeleted: false,
        IsACLProtected: false,
      })),
      meta: meta('ous', ous.length),
    }),
    '20261206101500_domains.json': '\uFEFF' + JSON.stringify({
      data: doms.map((s) => ({ ObjectIdentifier: 'S-1-5-21-1-2-3', Properties: { name: 'CORP.EXAMPLE', distinguishedname: s.dn.toUpperCase() }, Links: links(s), ChildObjects: [] })),
      meta: meta('domains', doms.length),
    }),
    '20261206101500_gpos.json': JSON.stringify({
      data: d.gpcs.map((g) => ({
        ObjectIdentifier: objectGuid(g.letter),
        Properties: { name: `${(g.name ?? `GPO ${g.letter}`).toUpperCase()}@CORP.EXAMPLE`, distinguishedname: gpcDn(g.letter).toUpperCase(), gpcpath: `\\\\CORP.EXAMPLE\\SYSVOL\\CORP.EXAMPLE\\POLICIES\\${guid(g.letter)}` },
      })),
      meta: meta('gpos', d.gpcs.length),
    }),
  };
  if (d.computers) {
    const container = (dn: string) => {
      const parent = dn.slice(dn.indexOf(',') + 1).toLowerCase();
      const i = ous.findIndex((s) => s.dn.toLowerCase() === parent);
      return i >= 0 ? { ObjectIdentifier: ouId(i), ObjectType: 'OU' } : { ObjectIdentifier: 'S-1-5-21-1-2-3', ObjectType: 'Domain' };
    };
    files['20261206101500_computers.json'] = JSON.stringify({
      data: d.computers.map((c, i) => ({
        ObjectIdentifier: `S-1-5-21-1-2-3-${1200 + i}`,
        Properties: { domain: 'CORP.EXAMPLE', name: c.host.toUpperCase(), distinguishedname: c.dn.toUpperCase() },
        ContainedBy: container(c.dn),
        Aces: [],
        IsDeleted: false,
        IsACLProtected: false,
      })),
      meta: meta('computers', d.computers.length),
    });
  }
  return files;
}

/** SharpHound ObjectIdentifier of the i-th OU (its objectGUID). */
export const ouId = (i: number): string => `2B6E0C41-93D7-4F55-A1C8-${String(i).padStart(12, '0')}`;

/** Get-GPInheritance | ConvertTo-Json -Depth 5 (PowerShell 7 style). */
export function toGpInheritance(d: DomainSpec): string {
  const soms = d.soms.filter((s) => !s.dn.startsWith('CN='));
  return JSON.stringify(
    soms.map((s) => ({
      Name: s.dn.split(',')[0].split('=')[1],
      ContainerType: s.dn.startsWith('DC=') ? 1 : 2,
      Path: s.dn,
      GpoInheritanceBlocked: !!s.block,
      GpoLinks: s.links.map(([l, o], i) => ({
        GpoId: guid(l).slice(1, -1).toLowerCase(),
        DisplayName: d.gpcs.find((g) => g.letter === l)?.name ?? `GPO ${l}`,
        Enabled: (o & 1) === 0,
        Enforced: (o & 2) !== 0,
        Order: s.links.length - i,
        Target: s.dn,
      })),
      InheritedGpoLinks: [],
    })),
    null,
    2,
  );
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A deflate zip as SharpHound writes it (optionally with the encrypted flag set on every entry). */
export function zip(files: Record<string, string>, encrypted = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const raw = Buffer.from(text, 'utf8');
    const data = deflateRawSync(raw, { level: 9 });
    const nameB = Buffer.from(name, 'utf8');
    // Version needed, flags, method, time, date, CRC, sizes, name and extra lengths: the local header
    // holds them at byte 4, the central directory header at byte 6.
    const common = Buffer.alloc(26);
    common.writeUInt16LE(20, 0);
    common.writeUInt16LE(encrypted ? 1 : 0, 2);
    common.writeUInt16LE(8, 4);
    common.writeUInt32LE(crc32(raw), 10);
    common.writeUInt32LE(data.length, 14);
    common.writeUInt32LE(raw.length, 18);
    common.writeUInt16LE(nameB.length, 22);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    common.copy(lh, 4);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    common.copy(ch, 6);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, nameB, data);
    centrals.push(ch, nameB);
    offset += 30 + nameB.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(files).length, 8);
  eocd.writeUInt16LE(Object.keys(files).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/**
 * The archive `zip` wrote, rewritten in zip64 form (APPNOTE 4.5.3): each directory entry gives its
 * sizes and local header offset as 0xFFFFFFFF and the values in a zip64 extra field (header 0x0001,
 * before any other extra data); with `end`, the count and directory offset also go to a zip64 end
 * record and its locator, the classic end record giving 0xFFFF and 0xFFFFFFFF. `damage`: the extra
 * field says it holds 16 bytes where three values need 24.
 */
export function zip64(z: Buffer, end: boolean, damage = false): Buffer {
  const eocd = z.length - 22;
  const count = z.readUInt16LE(eocd + 10);
  const cdAt = z.readUInt32LE(eocd + 16);
  const entries: Buffer[] = [];
  let p = cdAt;
  for (let n = 0; n < count; n++) {
    const head = Buffer.from(z.subarray(p, p + 46));
    const [nlen, elen, clen] = [head.readUInt16LE(28), head.readUInt16LE(30), head.readUInt16LE(32)];
    const extra = Buffer.alloc(28);
    extra.writeUInt16LE(1, 0);
    extra.writeUInt16LE(damage ? 16 : 24, 2);
    extra.writeBigUInt64LE(BigInt(head.readUInt32LE(24)), 4);
    extra.writeBigUInt64LE(BigInt(head.readUInt32LE(20)), 12);
    extra.writeBigUInt64LE(BigInt(head.readUInt32LE(42)), 20);
    for (const at of [20, 24, 42]) head.writeUInt32LE(0xffffffff, at);
    head.writeUInt16LE(elen + 28, 30);
    entries.push(head, z.subarray(p + 46, p + 46 + nlen), extra, z.subarray(p + 46 + nlen, p + 46 + nlen + elen + clen));
    p += 46 + nlen + elen + clen;
  }
  const cd = Buffer.concat(entries);
  const tail: Buffer[] = [];
  if (end) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(cdAt), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdAt + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const classic = Buffer.alloc(22);
  classic.writeUInt32LE(0x06054b50, 0);
  classic.writeUInt16LE(end ? 0xffff : count, 8);
  classic.writeUInt16LE(end ? 0xffff : count, 10);
  classic.writeUInt32LE(end ? 0xffffffff : cd.length, 12);
  classic.writeUInt32LE(end ? 0xffffffff : cdAt, 16);
  return Buffer.concat([z.subarray(0, cdAt), cd, ...tail, classic]);
}

export interface ObsSpec {
  gpo: string;
  rule: string;
  value: number | null;
  status: Observation['status'];
  ext?: Extension;
  line?: number;
  state?: Observation['state'];
  condition?: string;
  shadowed?: boolean;
}

/** A policy set of hand-made observations; `facts` adds report facts per GPO letter. */
export function policySet(
  obs: ObsSpec[],
  facts: Record<string, { name?: string; computerEnabled?: boolean; trustees?: { allow: Trustee[]; deny: Trustee[] }; securityUnknown?: string; wmi?: string; links?: { som: string; enabled: boolean; enforced: boolean }[] }> = {},
  alsoGpos: string[] = [],
): PolicySet {
  const b = new PolicySetBuilder();
  const letters = new Set([...obs.map((o) => o.gpo), ...Object.keys(facts), ...alsoGpos]);
  for (const l of letters) {
    const f = facts[l] ?? {};
    b.add({
      path: `Policies/${guid(l)}/GPT.INI`,
      format: 'unknown',
      gpos: [
        {
          guid: guid(l),
          name: f.name ?? `GPO ${l}`,
          ...(f.computerEnabled !== undefined ? { computerEnabled: f.computerEnabled } : {}),
          ...(f.trustees ? { applyTrustees: f.trustees } : {}),
          ...(f.securityUnknown ? { securityUnknown: f.securityUnknown } : {}),
          ...(f.wmi ? { wmiFilter: f.wmi } : {}),
          ...(f.links ? { links: f.links } : {}),
        },
      ],
      observations: [],
    });
  }
  for (const o of obs) {
    const ext = o.ext ?? 'security';
    const file = ext === 'security' ? 'GptTmpl.inf' : ext === 'registry' ? 'Registry.pol' : 'Registry.xml';
    const rec: Observation = {
      ruleId: o.rule,
      gpo: guid(o.gpo),
      path: `Policies/${guid(o.gpo)}/${file}`,
      extension: ext,
      format: ext === 'security' ? 'inf' : ext === 'registry' ? 'registry-pol' : 'gpp-registry-xml',
      key: 'HKLM\\x',
      name: 'x',
      value: o.value,
      state: o.state ?? 'set',
      status: o.status,
    };
    if (ext === 'registry') rec.offset = o.line ?? 8;
    else rec.line = o.line ?? 10;
    if (o.condition) rec.condition = o.condition;
    if (o.shadowed) rec.shadowed = true;
    b.add({ path: rec.path, format: rec.format, gpos: [], observations: [rec] });
  }
  return b.build();
}

/**
 * The small domain of the language server's workspace-model tests (test/lsp/domain*.test.ts):
 * GPO A linked at the domain, D enforced there, B at Servers, C at Workstations (gPLink string
 * order: the last entry is link order 1).
 */
export const LSP_DOMAIN: DomainSpec = {
  soms: [
    { dn: 'DC=corp,DC=example', links: [['A', 0], ['D', 2]] },
    { dn: 'OU=Domain Controllers,DC=corp,DC=example', links: [] },
    { dn: 'OU=Servers,DC=corp,DC=example', links: [['B', 0]] },
    { dn: 'OU=Workstations,DC=corp,DC=example', links: [['C', 0]] },
  ],
  gpcs: [
    { letter: 'A', name: 'Baseline' },
    { letter: 'B', name: 'Servers Hardening' },
    { letter: 'C', name: 'Workstations Legacy' },
    { letter: 'D', name: 'Client Signing' },
  ],
};

/** Template lines of the values those tests write. */
export const INF_SMB_SERVER = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
export const INF_SMB_CLIENT = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature';
export const INF_LMCOMPAT = 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel';

/** A security template with these `[Registry Values]` lines; the first is on line 7 (6 counted from 0, as the editor does). */
export function gptTmpl(values: string[]): string {
  return ['[Unicode]', 'Unicode=yes', '[Version]', 'signature="$CHICAGO$"', 'Revision=1', '[Registry Values]', ...values, ''].join('\r\n');
}

/** The template values of LSP_DOMAIN's four GPOs in those tests. */
export const LSP_FILES: Record<string, string[]> = {
  A: [`${INF_SMB_SERVER}=4,0`, `${INF_LMCOMPAT}=4,3`],
  B: [`${INF_SMB_SERVER}=4,1`],
  C: [`${INF_SMB_CLIENT}=4,0`],
  D: [`${INF_SMB_CLIENT}=4,1`],
};

/** Text as UTF-16LE with its BOM, as a GptTmpl.inf is written. */
export const utf16bom = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

/**
 * LSP_DOMAIN's GPOs as SYSVOL folders under `root`: per GPO a GPT.INI with its display name and a
 * UTF-16LE GptTmpl.inf of its `files` values. Returns the template path of a GPO by letter.
 */
export function writeLspSysvol(root: string, files: Record<string, string[]> = LSP_FILES): (letter: string) => string {
  const inf = (l: string) => path.join(root, 'Policies', guid(l), 'Machine', 'Microsoft', 'Windows NT', 'SecEdit', 'GptTmpl.inf');
  for (const [l, values] of Object.entries(files)) {
    fs.mkdirSync(path.join(inf(l), '..'), { recursive: true });
    fs.writeFileSync(path.join(root, 'Policies', guid(l), 'GPT.INI'), `[General]\r\nVersion=1\r\ndisplayName=${LSP_DOMAIN.gpcs.find((g) => g.letter === l)?.name}\r\n`);
    fs.writeFileSync(inf(l), utf16bom(gptTmpl(values)));
  }
  return inf;
}

/** LSP_DOMAIN's topology as LDIF at `topology/corp.ldf` under `root`, where a workspace pass finds it. Returns its path. */
export function writeLspTopology(root: string): string {
  const ldf = path.join(root, 'topology', 'corp.ldf');
  fs.mkdirSync(path.dirname(ldf), { recursive: true });
  fs.writeFileSync(ldf, toLdif(LSP_DOMAIN));
  return ldf;
}

/** The workspace model's inputs in those tests: the folder `root`, role any, legacy targets, 30 days, trusted (`more` overrides). */
export function lspInputs(root: string, more: Partial<DomainInputs> = {}): DomainInputs {
  return { folders: [root], topology: [], evidence: [], lint: { role: 'any', targetOs: 'legacy' }, windowDays: 30, trusted: true, ...more };
}

/** The effective policy of a hand-built domain given as LDIF (target OS legacy); fails when there is no scope data. */
export function effectiveOfLdif(d: DomainSpec, set: PolicySet): EffectivePolicy {
  const r = effectivePolicy(set, [readLdif(toLdif(d), 'corp.ldf')], { targetOs: 'legacy' });
  assert.ok(r, 'scope data expected');
  return r;
}

/** The scope of that canonical name; fails naming the scopes there are. */
export function scopeNamed(r: EffectivePolicy, som: string): ScopeResult {
  const s = r.scopes.find((x) => x.som === som);
  assert.ok(s, `scope ${som} expected; have ${r.scopes.map((x) => x.som).join(', ')}`);
  return s;
}

/** A rule's entry in a scope; fails when the scope does not list it. */
/**
 * The entry of a rule in a scope, with the members JSON writes: an entry has every member, the
 * absent ones undefined (one shape: scope/effective.ts `entryOf`), which JSON and this leave out.
 */
export function ruleIn(s: ScopeResult, id: string): EffectiveEntry {
  const e = s.effective.find((x) => x.ruleId === id);
  assert.ok(e, `${id} expected in ${s.som}`);
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as EffectiveEntry;
}
