/**
 * Topology readers: LDIF (RFC 2849 folding, `::` base64), SharpHound CE JSON and zip,
 * Get-GPInheritance JSON, all recognised by content; the same domain in each gives the same scopes
 * except where a source lacks a fact, which is named. Bad input gives a clear problem and the rest works.
 */
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { effectivePolicy, readinessScopes, type EffectivePolicy } from '../../../server/src/core/scope';
import { parseGpLink, readLdif, readTopologyInput, topologyReach, type TopologyPart, type TopologyProblem } from '../../../server/src/core/topology';
import { readLdifRecords } from '../../../server/src/core/topology/ldif';
import { sharpHoundTypeOfTail } from '../../../server/src/core/topology/sharphound';
import { LIMITS } from '../../../server/src/core/limits';
import { APPLY, sd } from '../../helpers/sd';
import { DOMAIN_DN, guid, ouId, policySet, toGpInheritance, toLdif, toSharpHound, zip, zip64, type DomainSpec } from '../../helpers/domain';
import { appliesNowhereFindings } from '../../../server/src/core/policy/set';
import type { ParsedFile } from '../../../server/src/core/types';
import { seededRandom } from '../../helpers/rng';

const inflateRaw = (b: Uint8Array) => inflateRawSync(b);
const bytes = (s: string) => Buffer.from(s, 'utf8');

/** A domain whose facts every source carries (no disabled links, no GPO status, no WMI filter, no block on the domain, no sites). */
const SAME: DomainSpec = {
  soms: [
    { dn: DOMAIN_DN, links: [['A', 0], ['B', 2]] },
    { dn: `OU=Servers,${DOMAIN_DN}`, links: [['C', 0], ['D', 0]] },
    { dn: `OU=Web,OU=Servers,${DOMAIN_DN}`, links: [['E', 0], ['F', 2]], block: true },
    { dn: `OU=Domain Controllers,${DOMAIN_DN}`, links: [['A', 0]] },
  ],
  gpcs: ['A', 'B', 'C', 'D', 'E', 'F'].map((letter) => ({ letter })),
  computers: [
    { dn: `CN=FS01,OU=Servers,${DOMAIN_DN}`, host: 'fs01.corp.example' },
    { dn: `CN=FS02,OU=Servers,${DOMAIN_DN}`, host: 'fs02.corp.example' },
    { dn: `CN=WEB01,OU=Web,OU=Servers,${DOMAIN_DN}`, host: 'web01.corp.example' },
    { dn: `CN=DC01,OU=Domain Controllers,${DOMAIN_DN}`, host: 'dc01.corp.example' },
  ],
};
const SET = () =>
  policySet([
    { gpo: 'A', rule: 'smb.server.require', value: 0, status: 'weak' },
    { gpo: 'B', rule: 'netlogon.sign', value: 1, status: 'hardened' },
    { gpo: 'C', rule: 'smb.server.require', value: 1, status: 'hardened' },
    { gpo: 'D', rule: 'smb.server.require', value: 0, status: 'weak' },
    { gpo: 'E', rule: 'smb.client.require', value: 0, status: 'weak' },
    { gpo: 'F', rule: 'smb.client.require', value: 1, status: 'hardened' },
    { gpo: 'A', rule: 'ldap.server.signing', value: 2, status: 'hardened' },
  ]);

function parts(name: string, data: Uint8Array): TopologyPart[] {
  const p = readTopologyInput(name, data, { inflateRaw, explicit: true });
  assert.ok(p, `${name} is recognised`);
  return p;
}

function scopes(ps: TopologyPart[]): EffectivePolicy {
  const r = effectivePolicy(SET(), ps, { targetOs: 'legacy' });
  assert.ok(r);
  return r;
}

/**
 * Scopes without what a source lacks, as it names it: SharpHound upper-cases DNs (`name-case`), has
 * no block flag on the domain (`domain-block-inheritance`); disabled links (`disabled-links`) are
 * compared in their own test.
 */
function comparable(r: EffectivePolicy, foldCase: boolean) {
  const f = (s: string) => (foldCase ? s.toLowerCase() : s);
  const lacks = new Set(r.lacks.map((l) => l.fact as string));
  return r.scopes.map((s) => ({
    ...s,
    som: f(s.som),
    dn: f(s.dn),
    blocksInheritance: s.kind === 'domain' && lacks.has('domain-block-inheritance') ? false : s.blocksInheritance,
    dropped: s.dropped?.map((d) => ({ ...d, som: f(d.som), reason: f(d.reason) })),
    gpos: s.gpos.map((g) => ({ ...g, from: f(g.from), name: undefined })),
    computers: s.computers?.map(f),
    effective: s.effective.map((e) => ({ ...e, why: f(e.why).replace(/gpo "[^"]*"/gi, 'GPO') })),
  }));
}

describe('the same domain from every source', () => {
  const ldif = scopes(parts('corp.ldf', bytes(toLdif(SAME))));
  const sh = toSharpHound(SAME);
  const sharp = scopes(Object.entries(sh).flatMap(([n, t]) => parts(n, bytes(t))));
  const sharpZip = scopes(parts('20261206101500_BloodHound.zip', zip(sh)));
  const gpi = scopes(parts('gpinheritance.json', bytes(toGpInheritance(SAME))));

  test('LDIF: the scopes and their precedence', () => {
    assert.deepEqual(
      ldif.scopes.map((s) => [s.som, s.role, s.gpos.length]),
      [
        ['corp.example', 'member', 2],
        // A is linked at the domain and at the OU: both links are in the list.
        ['corp.example/Domain Controllers', 'dc', 3],
        ['corp.example/Servers', 'member', 4],
        ['corp.example/Servers/Web', 'member', 3],
      ],
    );
    const servers = ldif.scopes[2].effective.find((e) => e.ruleId === 'smb.server.require');
    assert.equal(servers?.status, 'weak');
    assert.equal(servers?.winner?.gpo, guid('D'));
    assert.deepEqual(ldif.problems, []);
  });

  test('LDIF and SharpHound computers.json place the computers in their OU (readiness per scope uses them)', () => {
    const hosts = (r: EffectivePolicy) => r.scopes.map((s) => [s.som.toLowerCase(), s.computers]);
    assert.deepEqual(hosts(ldif), [
      ['corp.example', []],
      ['corp.example/domain controllers', ['dc01.corp.example']],
      ['corp.example/servers', ['fs01.corp.example', 'fs02.corp.example']],
      ['corp.example/servers/web', ['web01.corp.example']],
    ]);
    assert.deepEqual(hosts(sharp), [
      ['corp.example', []],
      ['corp.example/domain controllers', ['DC01.CORP.EXAMPLE']],
      ['corp.example/servers', ['FS01.CORP.EXAMPLE', 'FS02.CORP.EXAMPLE']],
      ['corp.example/servers/web', ['WEB01.CORP.EXAMPLE']],
    ]);
    assert.deepEqual(readinessScopes(sharp).map((s) => [s.name, s.servers]), readinessScopes(ldif).map((s) => [s.name.toUpperCase(), s.servers?.map((x) => x.toUpperCase())]));
  });

  test('Get-GPInheritance JSON gives the same scopes as LDIF (it names no computers)', () => {
    assert.deepEqual(gpi.scopes.map((s) => s.computers), [undefined, undefined, undefined, undefined]);
    const noComputers = (x: ReturnType<typeof comparable>) => x.map((sc) => ({ ...sc, computers: undefined }));
    assert.deepEqual(comparable(gpi, false), noComputers(comparable(ldif, false)));
  });

  test('SharpHound JSON gives the same scopes as LDIF except the case of names, which it names as lacking', () => {
    assert.deepEqual(comparable(sharp, true), comparable(ldif, true));
    assert.ok(sharp.lacks.some((l) => l.fact === 'name-case'));
    assert.equal(sharp.scopes[0].blocksInheritance, null);
    assert.equal(ldif.scopes[0].blocksInheritance, false);
    assert.equal(sharp.scopes[2].som, 'CORP.EXAMPLE/SERVERS');
  });

  test('the SharpHound zip gives the same as the JSON files', () => {
    assert.deepEqual(sharpZip.scopes, sharp.scopes);
    assert.deepEqual(sharpZip.problems, []);
  });

  test('each source names the facts it lacks', () => {
    assert.deepEqual(ldif.lacks.map((l) => l.fact), ['security-filtering', 'sites']);
    assert.deepEqual(gpi.lacks.map((l) => l.fact), ['gpo-status', 'wmi-filter', 'security-filtering', 'sites']);
    assert.deepEqual(sharp.lacks.map((l) => l.fact), ['disabled-links', 'gpo-status', 'wmi-filter', 'security-filtering', 'domain-block-inheritance', 'sites', 'name-case']);
  });

  test('a disabled link: LDIF and Get-GPInheritance drop it; SharpHound never sees it and says so', () => {
    const d: DomainSpec = { ...SAME, soms: [{ dn: DOMAIN_DN, links: [['A', 1], ['B', 2]] }, ...SAME.soms.slice(1)] };
    const l = scopes(parts('corp.ldf', bytes(toLdif(d))));
    const g = scopes(parts('gpi.json', bytes(toGpInheritance(d))));
    const s = scopes(Object.entries(toSharpHound(d)).flatMap(([n, t]) => parts(n, bytes(t))));
    assert.deepEqual(l.scopes[0].dropped, [{ guid: guid('A'), som: 'corp.example', reason: 'link disabled' }]);
    assert.deepEqual(g.scopes[0].dropped, l.scopes[0].dropped);
    assert.equal(s.scopes[0].dropped, undefined);
    const noDisabled = (x: ReturnType<typeof comparable>) => x.map((sc) => ({ ...sc, dropped: sc.dropped?.filter((dd) => dd.reason !== 'link disabled') }));
    const noEmpty = (x: ReturnType<typeof comparable>) => x.map((sc) => ({ ...sc, dropped: sc.dropped?.length ? sc.dropped : undefined }));
    assert.deepEqual(noEmpty(comparable(s, true)), noEmpty(noDisabled(comparable(l, true))));
    assert.equal(l.gpos.find((x) => x.guid === guid('A'))?.links[0].enabled, false);
    assert.match(s.lacks.find((x) => x.fact === 'disabled-links')?.message ?? '', /drops disabled links/);
  });

  test('GPO status: LDIF flags 2 drops the GPO; SharpHound and Get-GPInheritance cannot tell (named)', () => {
    const d: DomainSpec = { ...SAME, gpcs: SAME.gpcs.map((g) => (g.letter === 'D' ? { ...g, flags: 2 } : g)) };
    const l = scopes(parts('corp.ldf', bytes(toLdif(d))));
    const g = scopes(parts('gpi.json', bytes(toGpInheritance(d))));
    assert.equal(l.scopes[2].effective.find((e) => e.ruleId === 'smb.server.require')?.status, 'hardened');
    assert.equal(g.scopes[2].effective.find((e) => e.ruleId === 'smb.server.require')?.status, 'weak');
    assert.ok(g.lacks.some((x) => x.fact === 'gpo-status'));
  });
});

describe('LDIF reading (RFC 2849)', () => {
  const text = [
    '# extended LDIF',
    'version: 1',
    '',
    'dn: OU=Servers,DC=corp,DC=example',
    'changetype: add',
    'name: Servers',
    'gPLink: [LDAP://cn={0D8C54A1-7E2B-4F39-9A61-3B5E2C7D9F10},cn=policies,cn=system,DC=corp,DC=',
    ' example;1][LDAP://cn={4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24},cn=policies,cn=syst',
    ' em,DC=corp,DC=example;2][LDAP://CN={9E7B1D05-3A4C-4B2E-8F61-0C2D4E6F8A93},CN=Policies,CN=System,DC=corp,DC=example;0]',
    'gPOptions: 1',
    '',
    'dn:: T1U9QsO8cm8gWsO8cmljaCxPVT1TZXJ2ZXJzLERDPWNvcnAsREM9ZXhhbXBsZQ==',
    'changetype: add',
    'name:: QsO8cm8gWsO8cmljaA==',
    '',
    'dn: CN={4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24},CN=Policies,CN=System,DC=corp,D',
    ' C=example',
    'displayName: SEC - Servers',
    'flags: 0',
    '',
  ].join('\r\n');
  const p = readLdif(text, 'corp.ldf');

  test('folded gPLink, mixed-case DNs: link order from the end, bits 1 = disabled, 2 = enforced', () => {
    assert.deepEqual(p.soms[0].links, [
      // gpcDomain: the domain of the container each entry names, as a key (folded, mixed case): a link to a container of that domain that the export lacks is dropped on merge.
      { gpo: '{9E7B1D05-3A4C-4B2E-8F61-0C2D4E6F8A93}', enabled: true, enforced: false, order: 1, options: 0, gpcDomain: 'dc=corp,dc=example' },
      { gpo: '{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}', enabled: true, enforced: true, order: 2, options: 2, gpcDomain: 'dc=corp,dc=example' },
      { gpo: '{0D8C54A1-7E2B-4F39-9A61-3B5E2C7D9F10}', enabled: false, enforced: false, order: 3, options: 1, gpcDomain: 'dc=corp,dc=example' },
    ]);
    assert.equal(p.soms[0].blocksInheritance, true);
  });

  test('a :: base64 DN is decoded (UTF-8) and its OU becomes a SOM', () => {
    assert.equal(p.soms[1].dn, 'OU=Büro Zürich,OU=Servers,DC=corp,DC=example');
    assert.equal(p.soms[1].kind, 'ou');
  });

  test('a folded GPC DN and its display name', () => {
    assert.deepEqual(p.gpcs, [{ guid: '{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}', domain: 'dc=corp,dc=example', name: 'SEC - Servers', flags: 0, source: 'corp.ldf' }]);
    assert.deepEqual(p.problems, []);
  });

  test('a GPC nTSecurityDescriptor that is not base64 cannot be the binary descriptor: an error, security filtering unknown', () => {
    const q = readLdif(['dn: CN={4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24},CN=Policies,CN=System,DC=corp,DC=example', 'objectClass: groupPolicyContainer', 'nTSecurityDescriptor: O:DAG:DAD:PAI(A;;CR;;;AU)', ''].join('\n'), 'x.ldf');
    const why = 'its nTSecurityDescriptor could not be read: the value is not base64 ("::"), so it cannot be the binary descriptor';
    assert.deepEqual(q.gpcs[0].securityUnknown, why);
    assert.deepEqual(q.problems, [{ source: 'x.ldf', severity: 'error', line: 3, message: `{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}: ${why}. Its security filtering is unknown, so results it decides are conditional.` }]);
    // The reader no longer decides the lack; the effective policy does, over every GPO it knows:
    // this GPC's descriptor was exported (damaged: an error of its own), so filtering is not lacking.
    assert.deepEqual(q.lacks.map((l) => l.fact), ['security-filtering', 'sites']);
    assert.deepEqual(effectivePolicy(policySet([]), [q], { targetOs: 'legacy' })?.lacks.map((l) => l.fact), ['sites']);
  });

  test('the gPLink grammar: empty, whitespace, odd options by bits, garbage reported', () => {
    const msgs: string[] = [];
    assert.deepEqual(parseGpLink('   ', (m) => msgs.push(m)), []);
    const l = parseGpLink('[LDAP://cn={0D8C54A1-7E2B-4F39-9A61-3B5E2C7D9F10},cn=policies;7] [ldap://cn={4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24},cn=x;0', (m) => msgs.push(m));
    assert.deepEqual(l, [{ gpo: '{0D8C54A1-7E2B-4F39-9A61-3B5E2C7D9F10}', enabled: false, enforced: true, order: 1, options: 7 }]);
    assert.deepEqual(msgs, [
      'gPLink text "[ldap://cn={4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24},cn=x;0" is not a [LDAP://…;N] entry (truncated?); it was skipped.',
      'gPLink entry for {0D8C54A1-7E2B-4F39-9A61-3B5E2C7D9F10} has option 7; read by its bits (1 = disabled, 2 = enforced).',
    ]);
  });
});

describe('bad topology input', () => {
  test('a truncated LDIF: the cut record gives a problem, the records before it still work', () => {
    const full = toLdif(SAME);
    const cut = full.slice(0, full.indexOf('[LDAP://', full.indexOf('OU=Web')) + 30);
    const ps = parts('cut.ldf', bytes(cut));
    const r = scopes(ps);
    assert.deepEqual(
      r.problems.map((p) => [p.severity, p.line, p.message.replace(/"[^"]*"/, '"…"')]),
      [['warning', 15, 'corp.example/Servers/Web: gPLink text "…" is not a [LDAP://…;N] entry (truncated?); it was skipped.']],
    );
    assert.equal(r.scopes.find((s) => s.som === 'corp.example/Servers')?.gpos.length, 4);
    assert.ok(r.scopes.find((s) => s.som === 'corp.example/Servers/Web'));
  });

  test('LDIF lines are read as split(/\r?\n/) and unfolded read them: records and line problems equal the reference reading (table and random texts)', () => {
    // The reading before it walked the text in place: every line split out, then unfolded.
    const reference = (text: string) => {
      const problems: { line: number; message: string }[] = [];
      const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
      const logical: { text: string; line: number }[] = [];
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l.startsWith(' ') && logical.length && logical[logical.length - 1].text !== '') logical[logical.length - 1].text += l.slice(1);
        else logical.push({ text: l, line: i + 1 });
      }
      const records: { dn: string; line: number; attrs: { name: string; value: string; line: number }[] }[] = [];
      let cur: (typeof records)[number] | undefined;
      for (const { text: l, line } of logical) {
        if (l === '') {
          cur = undefined;
          continue;
        }
        if (l.startsWith('#')) continue;
        const m = /^([A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9=-]+)*)(::|:<|:)\s*(.*)$/.exec(l);
        if (!m) {
          problems.push({ line, message: 'not attribute' });
          continue;
        }
        const name = m[1].split(';')[0].toLowerCase();
        if (m[2] === ':<') {
          problems.push({ line, message: ':<' });
          continue;
        }
        const b64 = m[3].replace(/\s+/g, '');
        if (m[2] === '::' && (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)) {
          problems.push({ line, message: '::' });
          continue;
        }
        const value = m[2] === '::' ? Buffer.from(b64, 'base64').toString('utf8') : m[3];
        if (name === 'version' && !cur) continue;
        if (name === 'dn') {
          cur = { dn: value, line, attrs: [] };
          records.push(cur);
          continue;
        }
        if (!cur) {
          problems.push({ line, message: 'before dn' });
          continue;
        }
        cur.attrs.push({ name, value, line });
      }
      return { records, problems };
    };
    const kind = (m: string) => (m.includes('is not "attribute: value"') ? 'not attribute' : m.includes('before any "dn:"') ? 'before dn' : m.includes('external file') ? ':<' : '::');
    const table = [
      '',
      '\n',
      '\uFEFFdn: DC=a\nx: 1',
      'version: 1\ndn: DC=a\r\nname: b\r\n\r\ndn: OU=c,DC=a\n gPOptions: 1\n',
      'dn: DC=a\n folded\n  twice\n\n continued after blank\nx: 1',
      '# comment\n more comment\ndn: DC=a\nx;lang-en: y\nx:< file:///z\nx:: QQ==\n',
      'x: before\ndn: DC=a\rx: lone CR\n\r\n\r',
      'dn: DC=a\n\n\n\ndn: DC=b\nbad line\n:\n9x: y\n',
    ];
    const rnd = seededRandom(5);
    const pieces = ['dn: DC=a', 'dn: OU=b,DC=a', 'x: 1', ' y', '  z', '', '#c', 'bad', 'v;o: w', 'version: 1', '\r', 'n:: QQ==', 'x:\t\u00a0v', 'x: a\rb', 'x:\r a', 'x: \u2028', 'x: a\u2029', 'x;: y', 'x;a=b;c: d', 'x:<u', 'x::', 'x:', '-x: y', 'x-1:y', 'x ;a: b', 'x:\ufeff\u3000v ', 'é: v'];
    const random: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(rnd() * 12);
      const ls: string[] = [];
      for (let j = 0; j < n; j++) ls.push(pieces[Math.floor(rnd() * pieces.length)]);
      random.push(ls.join(rnd() < 0.5 ? '\n' : '\r\n') + (rnd() < 0.5 ? '\n' : ''));
    }
    for (const text of [...table, ...random]) {
      const problems: TopologyProblem[] = [];
      const got = readLdifRecords(text, 't.ldf', problems);
      const want = reference(text);
      assert.deepEqual(
        got.map((r) => ({ dn: r.dn, line: r.line, attrs: r.attrs.map((a) => ({ name: a.name, value: a.value, line: a.line })) })),
        want.records,
        JSON.stringify(text),
      );
      assert.deepEqual(
        problems.map((p) => ({ line: p.line, message: kind(p.message) })),
        want.problems,
        JSON.stringify(text),
      );
    }
  });

  test('LDIF problems: those of its lines first, in line order, then those of its records, as before the reader walked the text in place', () => {
    const text = ['dn: DC=corp,DC=example', 'gPLink: [LDAP://cn=x;0]junk', 'bad line', '', `dn: CN=NotAGuid,CN=Policies,CN=System,${DOMAIN_DN}`, 'objectClass: groupPolicyContainer', 'flags: x', 'another bad line', ''].join('\n');
    const ps = parts('order.ldf', bytes(text));
    assert.deepEqual(
      ps[0].problems.map((p) => [p.line, p.message]),
      [
        [3, 'LDIF line 3 is not "attribute: value" (a truncated or damaged export?); it was skipped.'],
        [8, 'LDIF line 8 is not "attribute: value" (a truncated or damaged export?); it was skipped.'],
        [2, 'corp.example: gPLink text "junk" is not a [LDAP://…;N] entry (truncated?); it was skipped.'],
        [2, 'corp.example: gPLink entry "cn=x" does not name a GPO {GUID}; it was skipped.'],
        [5, `Group policy container "CN=NotAGuid,CN=Policies,CN=System,${DOMAIN_DN}" is not named by a {GUID}; it was skipped.`],
      ],
    );
  });

  test('a base64 value cut short is reported with its line', () => {
    const ps = parts('bad.ldf', bytes('dn: DC=corp,DC=example\nname:: QsO8cm8gWsO8cm\n'));
    assert.deepEqual(ps[0].problems, [{ source: 'bad.ldf', severity: 'warning', line: 2, message: 'LDIF line 2: the base64 value of name is not valid base64 (truncated?); it was skipped.' }]);
    assert.equal(ps[0].soms.length, 1);
  });

  test('a link to a GPO that is not among the scanned files: a problem, marked in the scope, the rest works', () => {
    const d: DomainSpec = { ...SAME, soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 2], ['Z', 0]] }, ...SAME.soms.slice(1)], gpcs: [...SAME.gpcs, { letter: 'Z', name: 'Old baseline' }] };
    const r = scopes(parts('corp.ldf', bytes(toLdif(d))));
    assert.deepEqual(r.problems.map((p) => p.message), [`corp.example links the GPO ${guid('Z')} "Old baseline", which is not among the scanned files; its values are unknown, so results there may be incomplete.`]);
    assert.equal(r.scopes[0].gpos.find((g) => g.guid === guid('Z'))?.notScanned, true);
    assert.equal(r.gpos.find((g) => g.guid === guid('Z'))?.scanned, false);
    assert.equal(r.scopes[2].effective.find((e) => e.ruleId === 'smb.server.require')?.status, 'weak');
  });

  test('an orphaned OU (its parent is not in the export): a problem, its chain starts at the next known SOM', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: `OU=Web,OU=Gone,${DOMAIN_DN}`, links: [['E', 0]] }], gpcs: [] };
    const r = scopes(parts('orphan.ldf', bytes(toLdif(d))));
    const web = r.scopes.find((s) => s.som === 'corp.example/Gone/Web');
    assert.ok(web);
    assert.deepEqual(web.gpos.map((g) => g.guid), [guid('E'), guid('A')]);
    assert.deepEqual(web.notes, ['corp.example/Gone/Web: its parent ou=gone,dc=corp,dc=example is not in the topology; links there (if any) are unknown']);
    assert.equal(r.problems.length, 1);
  });

  test('a SharpHound file of the wrong type: a problem naming the type, the other files still work', () => {
    const sh = toSharpHound(SAME);
    const users = JSON.stringify({ data: [{ ObjectIdentifier: 'S-1-5-21-1-2-3-1104', Properties: { name: 'ALICE@CORP.EXAMPLE' } }], meta: { type: 'users', count: 1, version: 6, methods: 1 } });
    const ps = [...Object.entries(sh).flatMap(([n, t]) => parts(n, bytes(t))), ...parts('20261206101500_users.json', bytes(users))];
    const r = scopes(ps);
    assert.deepEqual(r.problems, [
      { source: '20261206101500_users.json', severity: 'warning', message: 'This SharpHound file is of type "users"; the topology comes from the ous, domains, gpos and computers files. It was skipped.' },
    ]);
    assert.equal(r.scopes.length, 4);
  });

  test('SharpHound ous.json without gpos.json: links cannot be joined to GPOs, which is said', () => {
    const sh = toSharpHound(SAME);
    const r = scopes(parts('ous.json', bytes(sh['20261206101500_ous.json'])));
    assert.match(r.problems[0].message, /objectGUID 0B1EC700-0000-4000-8000-00000000000[0-9], which no gpos.json entry names; give SharpHound's gpos.json too/);
  });

  test('a password-protected zip is unreadable, said so', () => {
    const ps = parts('x.zip', zip(toSharpHound(SAME), true));
    assert.deepEqual(
      ps.flatMap((p) => p.problems).map((p) => p.message),
      [
        '20261206101500_ous.json: the zip entry is password-protected; relaylint cannot read it (export without a password).',
        '20261206101500_domains.json: the zip entry is password-protected; relaylint cannot read it (export without a password).',
        '20261206101500_gpos.json: the zip entry is password-protected; relaylint cannot read it (export without a password).',
        '20261206101500_computers.json: the zip entry is password-protected; relaylint cannot read it (export without a password).',
      ],
    );
  });

  test('audit wave 18: a zip64 archive (sizes in the zip64 extra field, with and without a zip64 end record) gives the same scopes as the classic one; damaged zip64 data is said', () => {
    const z = zip(toSharpHound(SAME));
    const want = scopes(parts('x.zip', z)).scopes;
    assert.equal(want.length, 4);
    for (const end of [false, true]) {
      const z64 = zip64(z, end);
      assert.notDeepEqual(z64, z);
      const ps = parts('x.zip', z64);
      assert.deepEqual(ps.flatMap((p) => p.problems), [], `end record: ${end}`);
      assert.deepEqual(scopes(ps).scopes, want, `end record: ${end}`);
    }
    const damaged = parts('d.zip', zip64(z, false, true));
    assert.deepEqual(damaged[0].problems.map((p) => p.message).slice(0, 2), [
      "20261206101500_ous.json: the zip entry's sizes are in a zip64 extra field that is missing or damaged; not read.",
      "20261206101500_domains.json: the zip entry's sizes are in a zip64 extra field that is missing or damaged; not read.",
    ]);
    // The classic end record says zip64, but no locator precedes it.
    const noLocator = zip64(z, true);
    noLocator.writeUInt32LE(0, noLocator.length - 22 - 20);
    assert.deepEqual(parts('n.zip', noLocator)[0].problems.map((p) => p.message), ['The zip file says it is a zip64 archive, but its zip64 end record is missing or damaged; it was not read.']);
  });

  test(`audit wave 18: OUs nested deeper than ${LIMITS.maxOuDepth} levels are left out with an error (the work per scope grows with its depth); the rest are scopes`, () => {
    // The domain, then a chain of 66 OUs: OU=L1 under the domain, OU=L2 under it, and so on.
    let dn = 'DC=corp,DC=example';
    const records = [`dn: ${dn}\nobjectClass: domain\n`];
    for (let i = 1; i <= LIMITS.maxOuDepth + 2; i++) {
      dn = `OU=L${i},${dn}`;
      records.push(`dn: ${dn}\nobjectClass: organizationalUnit\n`);
    }
    const ps = parts('deep.ldf', bytes(records.join('\n')));
    const r = effectivePolicy(SET(), ps, { targetOs: 'legacy' });
    assert.ok(r);
    assert.equal(r.scopes.length, 1 + LIMITS.maxOuDepth);
    assert.equal(r.scopes.at(-1)?.som, `corp.example/${Array.from({ length: LIMITS.maxOuDepth }, (_, i) => `L${i + 1}`).join('/')}`);
    const first = `corp.example/${Array.from({ length: LIMITS.maxOuDepth + 1 }, (_, i) => `L${i + 1}`).join('/')}`;
    assert.deepEqual(r.problems.filter((p) => p.severity === 'error'), [
      { source: 'deep.ldf', severity: 'error', message: `2 OUs are nested deeper than ${LIMITS.maxOuDepth} levels (the first: ${first.slice(0, 200)}…); relaylint reads OUs to that depth, so their scopes and those below were left out.` },
    ]);
  });

  test('a truncated zip is a problem, never a crash', () => {
    const z = zip(toSharpHound(SAME));
    const ps = parts('cut.zip', z.subarray(0, z.length - 30));
    assert.equal(ps[0].problems[0].message, 'The zip file has no central directory (truncated or damaged); it was not read.');
  });

  test('Get-GPInheritance exported with too small a -Depth says how to export again', () => {
    const ps = parts('gpi.json', bytes(JSON.stringify({ Path: DOMAIN_DN, GpoInheritanceBlocked: false, GpoLinks: ['Microsoft.GroupPolicy.GpoLink'] })));
    assert.deepEqual(ps[0].problems.map((p) => p.message), ['DC=corp,DC=example: a GPO link was written as "Microsoft.GroupPolicy.GpoLink", not an object; export again with ConvertTo-Json -Depth 5.']);
  });

  test('recognised by content, not by name; other JSON and text is not topology unless named', () => {
    assert.equal(readTopologyInput('package.json', bytes('{"name":"x"}')), undefined);
    assert.equal(readTopologyInput('notes.ldf', bytes('hello')), undefined);
    assert.ok(readTopologyInput('export.txt', bytes(toLdif(SAME))));
    assert.deepEqual(readTopologyInput('x.json', bytes('{"name":"x"}'), { explicit: true })?.[0].problems.map((p) => p.severity), ['error']);
    // Windows PowerShell 5.1 `>` writes UTF-16LE with a BOM.
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(toGpInheritance(SAME), 'utf16le')]);
    assert.equal(readTopologyInput('gpi.json', utf16)?.[0].soms.length, 4);
  });
});

describe('SharpHound computers.json: every placement and name variant', () => {
  const NO_COMPUTERS: DomainSpec = { ...SAME, computers: undefined };
  const base = toSharpHound(NO_COMPUTERS);
  // ous.json order in SAME: Servers (0), Web (1), Domain Controllers (2).
  const computers = (data: unknown[], version = 6) => JSON.stringify({ data, meta: { methods: 46067, type: 'computers', count: data.length, version, collectorversion: '2.5.0' } });
  const run = (files: Record<string, string>) => {
    const r = scopes(Object.entries(files).flatMap(([n, t]) => parts(n, bytes(t))));
    return { hosts: Object.fromEntries(r.scopes.map((s) => [s.som, s.computers])), problems: r.problems.map((p) => [p.severity, p.message]) };
  };

  test('v6 without distinguishedname: ContainedBy (OU objectGUID or domain SID) places it; names: dnshostname, name without @DOMAIN, the DN\'s CN, the ObjectIdentifier', () => {
    const got = run({
      ...base,
      'c.json': computers([
        { ObjectIdentifier: 'S-1-5-21-1-2-3-1201', Properties: { name: 'FS01.CORP.EXAMPLE', dnshostname: 'fs01.corp.example' }, ContainedBy: { ObjectIdentifier: ouId(0).toLowerCase(), ObjectType: 'OU' } },
        { ObjectIdentifier: 'S-1-5-21-1-2-3-1202', Properties: { name: 'FS02@CORP.EXAMPLE' }, ContainedBy: { ObjectIdentifier: ouId(0), ObjectType: 'OU' } },
        { ObjectIdentifier: 'S-1-5-21-1-2-3-1203', Properties: { distinguishedname: `CN=WEB01,OU=WEB,OU=SERVERS,DC=CORP,DC=EXAMPLE` } },
        { ObjectIdentifier: 'S-1-5-21-1-2-3-1204', Properties: {}, ContainedBy: { ObjectIdentifier: 'S-1-5-21-1-2-3', ObjectType: 'Domain' } },
        { ObjectIdentifier: 'S-1-5-21-1-2-3-1205', Properties: { name: 'GONE.CORP.EXAMPLE', distinguishedname: `CN=GONE,OU=SERVERS,DC=CORP,DC=EXAMPLE` }, IsDeleted: true },
      ]),
    });
    assert.deepEqual(got.hosts, {
      'CORP.EXAMPLE': ['S-1-5-21-1-2-3-1204'],
      'CORP.EXAMPLE/DOMAIN CONTROLLERS': [],
      'CORP.EXAMPLE/SERVERS': ['fs01.corp.example', 'FS02'],
      'CORP.EXAMPLE/SERVERS/WEB': ['WEB01'],
    });
    assert.deepEqual(got.problems, []);
  });

  test('v5: the OU\'s ChildObjects list the computer (no distinguishedname, no ContainedBy)', () => {
    const ous = JSON.parse(base['20261206101500_ous.json']);
    ous.data[1].ChildObjects = [{ ObjectIdentifier: 'S-1-5-21-1-2-3-1301', ObjectType: 'Computer' }, { ObjectIdentifier: 'S-1-5-21-1-2-3-1105', ObjectType: 'User' }];
    ous.meta.version = 5;
    const got = run({ ...base, '20261206101500_ous.json': JSON.stringify(ous), 'c.json': computers([{ ObjectIdentifier: 'S-1-5-21-1-2-3-1301', Properties: { name: 'WEB02.CORP.EXAMPLE' } }], 5) });
    assert.deepEqual(got.hosts['CORP.EXAMPLE/SERVERS/WEB'], ['WEB02.CORP.EXAMPLE']);
  });

  test('a computer that cannot be placed, and a DN that disagrees with ContainedBy, are said', () => {
    const got = run({
      ...base,
      'c.json': computers([
        { ObjectIdentifier: 'S-1-5-21-1-2-3-1401', Properties: { name: 'LOST.CORP.EXAMPLE' }, ContainedBy: { ObjectIdentifier: 'AB000000-0000-4000-8000-000000000000', ObjectType: 'Container' } },
        { ObjectIdentifier: 'S-1-5-21-1-2-3-1402', Properties: { name: 'FS09.CORP.EXAMPLE', distinguishedname: 'CN=FS09,OU=SERVERS,DC=CORP,DC=EXAMPLE' }, ContainedBy: { ObjectIdentifier: ouId(1), ObjectType: 'OU' } },
      ]),
    });
    assert.deepEqual(got.hosts['CORP.EXAMPLE/SERVERS'], ['FS09.CORP.EXAMPLE']);
    assert.deepEqual(got.problems, [
      ['warning', 'Computer FS09.CORP.EXAMPLE: its distinguishedname puts it in ou=servers,dc=corp,dc=example, its container identifier in ou=web,ou=servers,dc=corp,dc=example; the distinguishedname is used.'],
      ['warning', "1 computer has no distinguishedname and no container (ContainedBy, or an OU's ChildObjects) that is an OU or domain of the topology; it is in no scope. Give SharpHound's ous.json and domains.json too."],
    ]);
  });

  test('computers.json next to an LDIF: the LDIF gives the tree, SharpHound adds the computers; a computer in both is listed once', () => {
    const ldif = parts('corp.ldf', bytes(toLdif({ ...NO_COMPUTERS, computers: [{ dn: `CN=FS01,OU=Servers,${DOMAIN_DN}`, host: 'fs01.corp.example' }] })));
    const sh = parts('c.json', bytes(toSharpHound(SAME)['20261206101500_computers.json']));
    const r = scopes([...ldif, ...sh]);
    assert.deepEqual(r.scopes.find((s) => s.som === 'corp.example/Servers')?.computers, ['fs01.corp.example', 'FS02.CORP.EXAMPLE']);
    assert.deepEqual(r.scopes.find((s) => s.som === 'corp.example/Domain Controllers')?.computers, ['DC01.CORP.EXAMPLE']);
    assert.deepEqual(r.problems, []);
  });

  test('an empty computers.json names no computer anywhere', () => {
    const got = run({ ...base, 'c.json': computers([]) });
    assert.deepEqual(Object.values(got.hosts), [[], [], [], []]);
  });
});

describe('what the topology says about reach (the applies-nowhere finding and coverage credit)', () => {
  test('P9 version other than 2, and an nTSecurityDescriptor denying Apply to Authenticated Users, apply nowhere; version 2 and absent pass', () => {
    const deny = sd([{ type: 5, mask: 0x100, sid: 'S-1-5-11', object: APPLY }, { type: 6, mask: 0x100, sid: 'S-1-5-11', object: APPLY }]);
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0], ['C', 0], ['D', 0]] }],
      gpcs: [{ letter: 'A', version: '2' }, { letter: 'B', version: '0' }, { letter: 'C', sd: deny }, { letter: 'D' }],
    };
    const reach = topologyReach([readLdif(toLdif(d), 'corp.ldf')]);
    assert.ok(reach);
    assert.deepEqual(['A', 'B', 'C', 'D'].map((l) => reach.linked.includes(guid(l))), [true, true, true, true]);
    // The topology's facts; the reason is judged with the GPO's own facts (policy/nowhere.ts).
    const trustees = { allow: [{ sid: 'S-1-5-11', name: 'Authenticated Users' }], deny: [{ sid: 'S-1-5-11', name: 'Authenticated Users' }], complete: true };
    assert.deepEqual(reach.facts, { [guid('B')]: { version: '0' }, [guid('C')]: { trustees } });
    assert.deepEqual(
      ['B', 'C'].map((l) => appliesNowhereFindings({ format: 'inf', text: '', settings: [], problems: [] } as unknown as ParsedFile, { guid: guid(l) }, reach).findings.map((f) => f.message)),
      [
        [`The GPO ${guid('B')} applies nowhere: its gPCFunctionalityVersion is "0", not 2, and clients use only GPOs of version 2 (MS-GPOL 3.2.5.1.6), so its settings apply nowhere. Its values do not count as hardened in coverage or in the effective policy.`],
        [`The GPO ${guid('C')} applies nowhere: security filtering denies Apply Group Policy to Authenticated Users (nTSecurityDescriptor in the topology), so its settings apply nowhere. Its values do not count as hardened in coverage or in the effective policy.`],
      ],
    );
  });
});

/**
 * Fuzz audit D1 (zip bombs) and D4 (a topology file from which nothing is read). Every zip is
 * made here: the helper's honest zip, then its central directory patched to the hostile form.
 */
describe('topology inputs that read nothing, and zips that would read too much', () => {
  const CD = 0x02014b50;
  /** Offsets of the central directory headers of a zip made by the helper. */
  const centrals = (z: Buffer): number[] => {
    const out: number[] = [];
    for (let i = 0; i + 4 <= z.length; i++) if (z.readUInt32LE(i) === CD) out.push(i);
    return out;
  };
  const errorsOf = (ps: TopologyPart[] | undefined) => (ps ?? []).flatMap((p) => p.problems).filter((p) => p.severity === 'error').map((p) => p.message);
  const nothing = (source: string) => new RegExp(`^No domain, OU or site was read from ${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  const sh = (type: string, data: unknown[] = []) => JSON.stringify({ data, meta: { methods: 0, type, count: data.length, version: 6 } });

  const EMPTY: { name: string; source: string; data: () => Uint8Array; namedOnly?: boolean }[] = [
    { name: 'an LDIF holding only a user object', source: 'users.ldf', data: () => bytes('version: 1\n\ndn: CN=svc,CN=Users,DC=corp,DC=example\nchangetype: add\nobjectClass: user\n\n') },
    { name: 'an LDIF holding only "version: 1"', source: 'v.ldf', data: () => bytes('version: 1\n'), namedOnly: true },
    { name: 'a SharpHound domains.json with "data":[]', source: 'domains.json', data: () => bytes(sh('domains')) },
    { name: 'a SharpHound ous.json whose entries have no distinguishedname', source: 'ous.json', data: () => bytes(sh('ous', [{ ObjectIdentifier: 'X' }])) },
    { name: 'Get-GPInheritance JSON whose only object has an empty Path', source: 'gpi.json', data: () => bytes(JSON.stringify([{ Path: '', GpoLinks: [] }])) },
    { name: 'a SharpHound zip whose domains.json has "data":[]', source: 'bh.zip', data: () => zip({ '1_domains.json': sh('domains') }) },
    { name: 'a SharpHound zip holding only users.json', source: 'bh.zip', data: () => zip({ '1_users.json': sh('users', [{ ObjectIdentifier: 'S-1-5-21-1-2-3-1104', Properties: {} }]) }) },
  ];
  for (const c of EMPTY) {
    for (const explicit of c.namedOnly ? [true] : [true, false]) {
      test(`${c.name} (${explicit ? '--topology' : 'found by content'}): an error says no domain, OU or site was read`, () => {
        const errors = errorsOf(readTopologyInput(c.source, c.data(), { inflateRaw, explicit }));
        assert.ok(errors.some((m) => nothing(c.source).test(m)), JSON.stringify(errors));
      });
    }
  }

  test('a SharpHound file of another type named alone keeps its warning; gpos.json or computers.json alone is no error', () => {
    assert.deepEqual(errorsOf(readTopologyInput('users.json', bytes(sh('users', [{ ObjectIdentifier: 'S-1' }])), { explicit: true })), []);
    const hound = toSharpHound(SAME);
    for (const n of ['20261206101500_gpos.json', '20261206101500_computers.json']) assert.deepEqual(errorsOf(readTopologyInput(n, bytes(hound[n]), { explicit: true })), [], n);
  });

  const HOSTILE: { name: string; make: () => Buffer; expect: RegExp; inflates?: number }[] = [
    {
      name: `more than ${LIMITS.maxZipEntries} entries`,
      make: () => zip(Object.fromEntries(Array.from({ length: LIMITS.maxZipEntries + 1 }, (_, i) => [`${i}_domains.json`, sh('domains')]))),
      expect: new RegExp(`^The archive has ${LIMITS.maxZipEntries + 1} entries; relaylint reads at most ${LIMITS.maxZipEntries} from one archive\\. It was not read\\.$`),
      inflates: 0,
    },
    {
      name: 'two entries sharing one data offset (overlapping members)',
      make: () => {
        const z = zip({ '1_domains.json': toSharpHound(SAME)['20261206101500_domains.json'], '2_ous.json': toSharpHound(SAME)['20261206101500_ous.json'] });
        z.writeUInt32LE(0, centrals(z)[1] + 42);
        return z;
      },
      expect: /^The entries 1_domains\.json and 2_ous\.json share the same data \(overlapping members, a zip-bomb construction\)\. The archive was not read\.$/,
      inflates: 0,
    },
    {
      name: `entries that inflate to more than ${LIMITS.maxZipInflateBytes} bytes together`,
      make: () => {
        const n = Math.floor(LIMITS.maxZipInflateBytes / (60 * 1024 * 1024)) + 1;
        const z = zip(Object.fromEntries(Array.from({ length: n }, (_, i) => [`${i + 1}_users.json`, sh('users')])));
        // Each declares 60 MiB (under the per-file limit); the last would take the total past the cap.
        for (const at of centrals(z)) z.writeUInt32LE(60 * 1024 * 1024, at + 24);
        return z;
      },
      expect: new RegExp(`^The archive's entries inflate to more than ${LIMITS.maxZipInflateBytes} bytes together \\(the cap on one archive\\); ${Math.floor(LIMITS.maxZipInflateBytes / (60 * 1024 * 1024)) + 1}_users\\.json and any later entry were not read\\.$`),
      inflates: Math.floor(LIMITS.maxZipInflateBytes / (60 * 1024 * 1024)),
    },
  ];
  /**
   * A zip whose entries inflate as declared: `mib` MiB of spaces before the JSON (JSON allows them),
   * so an entry is as large as a large domain's without a large test file.
   */
  const padded = (files: Record<string, { json: string; mib: number }>) => {
    const z = zip(Object.fromEntries(Object.entries(files).map(([n, f]) => [n, f.json])));
    const sizes = Object.values(files).map((f) => f.mib * 1024 * 1024 + Buffer.byteLength(f.json));
    centrals(z).forEach((at, i) => z.writeUInt32LE(sizes[i], at + 24));
    const inflate = (d: Uint8Array, max: number) => {
      const json = inflateRawSync(d);
      // After the BOM SharpHound writes (the spaces are then JSON's own whitespace).
      const bom = json[0] === 0xef ? 3 : 0;
      return Buffer.concat([json.subarray(0, bom), Buffer.alloc(max - json.length, 0x20), json.subarray(bom)]);
    };
    return { z, inflate };
  };
  const hound = toSharpHound(SAME);
  const OUS = hound['20261206101500_ous.json'];
  const DOMAINS = hound['20261206101500_domains.json'];
  const GPOS = hound['20261206101500_gpos.json'];

  test('users.json and groups.json of a large domain (inflating past 64 MiB together) are dropped unparsed; the topology is read', () => {
    // Zip order puts them first, as SharpHound may; relaylint takes the topology's files first.
    const { z, inflate } = padded({
      '20261206101500_users.json': { json: sh('users', [{ ObjectIdentifier: 'S-1-5-21-1-2-3-1104' }]), mib: 60 },
      '20261206101500_groups.json': { json: sh('groups'), mib: 40 },
      '20261206101500_domains.json': { json: DOMAINS, mib: 0 },
      '20261206101500_ous.json': { json: OUS, mib: 0 },
      '20261206101500_gpos.json': { json: GPOS, mib: 0 },
    });
    const ps = readTopologyInput('big.zip', z, { inflateRaw: inflate, explicit: true }) ?? [];
    assert.deepEqual(errorsOf(ps), []);
    assert.deepEqual(
      ps.map((p) => [p.source, p.skippedType ?? null, p.problems.map((x) => x.severity)]),
      [
        ['big.zip:20261206101500_domains.json', null, []],
        ['big.zip:20261206101500_ous.json', null, []],
        ['big.zip:20261206101500_gpos.json', null, []],
        ['big.zip:20261206101500_users.json', 'users', ['warning']],
        ['big.zip:20261206101500_groups.json', 'groups', ['warning']],
      ],
    );
    assert.deepEqual(scopes(ps).scopes.map((x) => x.som), scopes(parts('same.zip', zip(hound))).scopes.map((x) => x.som));
  });

  test('the type read from the end of a SharpHound file: meta last (as SharpHound writes it), else unknown (parsed whole)', () => {
    const rows: [string, string | undefined][] = [
      ['{"data":[],"meta":{"methods":0,"type":"users","count":0,"version":6}}', 'users'],
      ['\uFEFF{"data":[],"meta":{"type":"OUs"}}\r\n', 'ous'],
      ['{"meta":{"type":"ous"},"data":[]}', undefined],
      ['{"data":[],"meta":{"type":"ous","x":{"y":1}}}', undefined],
      ['[{"Path":"x","GpoLinks":[]}]', undefined],
      ['x"meta":'.repeat(1000) + '{"data":[],"meta":{"type":"gpos"}}', 'gpos'],
      [`{"data":[${'1,'.repeat(5000)}1],"meta":{"type":"computers"}}`, 'computers'],
    ];
    assert.deepEqual(
      rows.map(([t]) => sharpHoundTypeOfTail(Buffer.from(t, 'utf8'))),
      rows.map(([, want]) => want),
    );
  });

  test('an entry of another type is not parsed: its type is read from its end', () => {
    // Not JSON before its meta: parsing it would be an error.
    const broken = `{"data":[{"ObjectIdentifier":"S-1",,,]],"meta":{"methods":0,"type":"users","count":1,"version":6}}`;
    const ps = readTopologyInput('bh.zip', zip({ '1_users.json': broken, '2_ous.json': OUS, '3_domains.json': DOMAINS }), { inflateRaw, explicit: true }) ?? [];
    assert.deepEqual(errorsOf(ps), []);
    assert.deepEqual(ps.find((p) => p.skippedType)?.problems.map((x) => x.message), ['This SharpHound file is of type "users"; the topology comes from the ous, domains, gpos and computers files. It was skipped.']);
  });

  test(`the topology's own files are held to ${LIMITS.maxZipTotalBytes} bytes together: the one past it is an error, named`, () => {
    const { z, inflate } = padded({
      '1_domains.json': { json: DOMAINS, mib: 40 },
      '2_ous.json': { json: OUS, mib: 30 },
      '3_gpos.json': { json: GPOS, mib: 0 },
    });
    const ps = readTopologyInput('bh.zip', z, { inflateRaw: inflate, explicit: true }) ?? [];
    assert.deepEqual(errorsOf(ps), [
      `The archive's ous, domains, gpos and computers files come to more than ${LIMITS.maxZipTotalBytes} bytes together (the cap on what is read from one archive); 2_ous.json was not read.`,
    ]);
    assert.deepEqual(
      ps.filter((p) => p.source.startsWith('bh.zip:')).map((p) => p.source),
      ['bh.zip:1_domains.json', 'bh.zip:3_gpos.json'],
    );
  });

  test('an entry of the topology\'s types that does not parse is an error (it was dropped without a word); other JSON in the zip is not topology, as outside one', () => {
    const cut = OUS.slice(0, OUS.length - 40);
    const ps = readTopologyInput('bh.zip', zip({ '1_domains.json': DOMAINS, '2_ous.json': cut, 'package.json': '{"name":"x"}', '3_gpos.json': GPOS }), { inflateRaw, explicit: true }) ?? [];
    assert.deepEqual(
      ps.flatMap((p) => p.problems).map((x) => `${x.severity} ${x.source}: ${x.message.replace(/ \(.*\);/, ' (…);')}`),
      ['error bh.zip:2_ous.json: Not valid JSON (…); no topology was read from it.'],
    );
    assert.deepEqual(ps.map((p) => p.source), ['bh.zip:1_domains.json', 'bh.zip:2_ous.json', 'bh.zip:3_gpos.json']);
  });

  test('an entry over the per-file limit, read without a stream (the editor): a warning when SharpHound\'s name says users, groups or containers, else an error', () => {
    const z = zip({ '20261206101500_users.json': sh('users'), 'export_20261206101500_groups.json': sh('groups'), '20261206101500_ous.json': OUS, 'data.json': sh('ous'), '20261206101500_computers.json': sh('computers') });
    for (const at of [centrals(z)[0], centrals(z)[1], centrals(z)[3], centrals(z)[4]]) z.writeUInt32LE(LIMITS.maxFileBytes + 1, at + 24);
    const ps = readTopologyInput('bh.zip', z, { inflateRaw, explicit: true }) ?? [];
    assert.deepEqual(
      ps.flatMap((p) => p.problems).map((x) => `${x.severity}: ${x.message}`),
      [
        `warning: 20261206101500_users.json: ${LIMITS.maxFileBytes + 1} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read. By its name it holds SharpHound's users, which the topology does not use (its content could not be checked).`,
        `warning: export_20261206101500_groups.json: ${LIMITS.maxFileBytes + 1} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read. By its name it holds SharpHound's groups, which the topology does not use (its content could not be checked).`,
        `error: data.json: ${LIMITS.maxFileBytes + 1} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read.`,
        `error: 20261206101500_computers.json: ${LIMITS.maxFileBytes + 1} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read. A large domain's SharpHound computers file often is this large (each computer object carries its properties and access-control entries): the topology still comes from the ous, domains and gpos files. The editor reads topology files up to 64 MiB; relaylint scan reads a SharpHound computers file as a stream (loose or in its zip), up to 4096 MiB. Or give the computers of each OU as an LDIF of computer objects (docs/evidence.md, "Per scope, with a topology").`,
      ],
    );
  });

  for (const c of HOSTILE) {
    test(`a zip with ${c.name} is refused with an error naming the archive and the cap`, () => {
      let calls = 0;
      const counting = (d: Uint8Array) => {
        calls++;
        return inflateRawSync(d);
      };
      const ps = readTopologyInput('bomb.zip', c.make(), { inflateRaw: counting, explicit: false });
      const errors = errorsOf(ps);
      assert.ok(errors.some((m) => c.expect.test(m)), JSON.stringify(errors));
      if (c.inflates !== undefined) assert.equal(calls, c.inflates);
    });
  }
});
