/**
 * The CLI's effective-policy output: `--topology` and topology found by content, `gpos` / `scopes`
 * in JSON, the per-scope table in text, per-scope SARIF results, `--fail-on` over exposed scopes, and
 * the info finding (and lost coverage credit) of GPOs that apply nowhere. Domain and GUIDs made up.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { runCli, tempDir, utf16bom, writeFile } from '../../helpers/cli';
import { toSharpHound, zip } from '../../helpers/domain';
import { APPLY, hex, sd } from '../../helpers/sd';

const SRV = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const G = {
  DOM: '{11111111-0000-4000-8000-000000000001}',
  SRV: '{22222222-0000-4000-8000-000000000002}',
  OLD: '{33333333-0000-4000-8000-000000000003}',
};
const inf = (lines: string[]) => utf16bom(['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n'));
const SEC = 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf';

function domain(): string {
  const dir = tempDir('relaylint-scope-');
  const gpo = (guid: string, name: string, lines: string[]) => {
    writeFile(dir, `sysvol/Policies/${guid}/GPT.INI`, `[General]\r\nVersion=1\r\ndisplayName=${name}\r\n`);
    writeFile(dir, `sysvol/Policies/${guid}/${SEC}`, inf(lines));
  };
  gpo(G.DOM, 'Domain Baseline', [`${SRV}=4,1`]);
  gpo(G.SRV, 'Servers Legacy', [`${SRV}=4,0`]);
  gpo(G.OLD, 'Old Hardening', [`${SRV}=4,1`]);
  const link = (g: string, o: number) => `[LDAP://cn=${g},cn=policies,cn=system,DC=corp,DC=example;${o}]`;
  writeFile(
    dir,
    'corp.ldf',
    ['dn: DC=corp,DC=example', `gPLink: ${link(G.DOM, 0)}`, '', 'dn: OU=Servers,DC=corp,DC=example', `gPLink: ${link(G.SRV, 0)}`, 'gPOptions: 0', '', 'dn: OU=Web,OU=Servers,DC=corp,DC=example', 'gPOptions: 1', ''].join('\n'),
  );
  return dir;
}

test('JSON: gpos and scopes per the output contract, topology found by content next to the scanned folder', () => {
  const dir = domain();
  const r = runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const dom = j.gpos.find((g: { guid: string }) => g.guid === G.DOM);
  assert.deepEqual(dom, {
    guid: G.DOM,
    computerEnabled: null,
    links: [{ som: 'corp.example', enabled: true, enforced: false, order: 1 }],
    filters: {},
    scanned: true,
    files: [`sysvol/Policies/${G.DOM}/${SEC}`],
    name: 'Domain Baseline',
  });
  assert.match(j.gpos.find((g: { guid: string }) => g.guid === G.OLD).appliesNowhere, /no enabled link/);
  assert.deepEqual(
    j.scopes.map((s: { som: string; dn: string; kind: string; role: string; blocksInheritance: boolean; gpos: unknown[] }) => [s.som, s.dn, s.kind, s.role, s.blocksInheritance, s.gpos]),
    [
      ['corp.example', 'DC=corp,DC=example', 'domain', 'member', false, [{ guid: G.DOM, enforced: false, from: 'corp.example', name: 'Domain Baseline', order: 1 }]],
      [
        'corp.example/Servers',
        'OU=Servers,DC=corp,DC=example',
        'ou',
        'member',
        false,
        [
          { guid: G.SRV, enforced: false, from: 'corp.example/Servers', name: 'Servers Legacy', order: 1 },
          { guid: G.DOM, enforced: false, from: 'corp.example', name: 'Domain Baseline', order: 1 },
        ],
      ],
      ['corp.example/Servers/Web', 'OU=Web,OU=Servers,DC=corp,DC=example', 'ou', 'member', true, []],
    ],
  );
  const servers = j.scopes[1].effective.find((e: { ruleId: string }) => e.ruleId === 'smb.server.require');
  assert.deepEqual(servers, {
    ruleId: 'smb.server.require',
    key: 'HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters',
    name: 'RequireSecuritySignature',
    exposedWhenMissing: true,
    status: 'weak',
    shadowed: [{ path: `sysvol/Policies/${G.DOM}/${SEC}`, gpo: G.DOM, line: 4, value: 1, extension: 'security' }],
    exposed: true,
    why: `GPO "Servers Legacy" (linked at corp.example/Servers) sets 0 via Security Options (GptTmpl.inf) at sysvol/Policies/${G.SRV}/${SEC}:4 and wins here.`,
    value: 0,
    winner: { path: `sysvol/Policies/${G.SRV}/${SEC}`, gpo: G.SRV, line: 4, value: 0, extension: 'security' },
  });
  // Every catalog rule that applies to the role appears in every scope.
  assert.equal(j.scopes[0].effective.length, 35);
  assert.equal(j.scopes[2].effective.find((e: { ruleId: string }) => e.ruleId === 'smb.server.require').status, 'missing');
  assert.deepEqual(j.topology.sources, ['ldif:corp.ldf']);
  assert.deepEqual(j.topology.problems, []);
});

test('a GPO that applies nowhere: info finding on its file, and no coverage credit', () => {
  const dir = domain();
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  const old = j.files.find((f: { path: string }) => f.path.includes(G.OLD));
  assert.deepEqual(
    old.findings.map((f: { ruleId: string; severity: string; message: string; line: number }) => [f.ruleId, f.severity, f.line, f.message]),
    [['gpo.applies-nowhere', 'info', 1, `The GPO "Old Hardening" ${G.OLD} applies nowhere: no enabled link to it is in the topology, so its settings apply nowhere. Its values do not count as hardened in coverage or in the effective policy.`]],
  );
  const cov = j.coverage.find((c: { ruleId: string }) => c.ruleId === 'smb.server.require');
  assert.deepEqual(cov.sources.map((s: { path: string }) => s.path), [`sysvol/Policies/${G.DOM}/${SEC}`, `sysvol/Policies/${G.SRV}/${SEC}`]);
  assert.equal(cov.status, 'mixed');
});

test('--fail-on counts exposed scopes; text prints a table per scope', () => {
  const dir = domain();
  fs.rmSync(path.join(dir, 'sysvol', 'Policies', G.OLD), { recursive: true });
  const r = runCli(['scan', '.'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Effective policy per scope \(the topology input lacks: security-filtering, sites, gpo-status, wmi-filter\)\n/);
  assert.match(r.stdout, /  corp\.example\/Servers  ou, member\n    GPOs, highest first: Servers Legacy > Domain Baseline\n/);
  assert.match(r.stdout, /    smb\.server\.require\s+weak\s+Servers Legacy sysvol\/Policies\/\{22222222-0000-4000-8000-000000000002\}\/Machine\/Microsoft\/Windows NT\/SecEdit\/GptTmpl\.inf:4 \(1 shadowed\)\n/);
  assert.match(r.stdout, /  corp\.example\/Servers\/Web  ou, member, blocks inheritance\n/);
  assert.match(r.stdout, /    not applied here: Domain Baseline \(inheritance blocked at corp\.example\/Servers\/Web\); Servers Legacy \(inheritance blocked at corp\.example\/Servers\/Web\)\n/);

  // Hardened files, but the Web OU blocks the domain GPO: only the scope is exposed.
  const d2 = domain();
  fs.rmSync(path.join(d2, 'sysvol', 'Policies', G.SRV), { recursive: true });
  fs.rmSync(path.join(d2, 'sysvol', 'Policies', G.OLD), { recursive: true });
  const scanFiles = runCli(['scan', 'sysvol', '--fail-on', 'warning', '--format', 'json'], { cwd: d2 });
  assert.equal(scanFiles.code, 0, 'without topology nothing is exposed at warning level or above');
  const withTopo = runCli(['scan', 'sysvol', '--topology', 'corp.ldf', '--format', 'json'], { cwd: d2 });
  assert.equal(withTopo.code, 1);
  const j = JSON.parse(withTopo.stdout);
  assert.deepEqual(j.files.flatMap((f: { findings: { severity: string }[] }) => f.findings.map((x) => x.severity)).filter((s: string) => s !== 'info'), []);
  assert.equal(j.scopes[2].effective.find((e: { ruleId: string }) => e.ruleId === 'smb.server.require').status, 'missing');
  assert.equal(runCli(['scan', 'sysvol', '--topology', 'corp.ldf', '--fail-on', 'never'], { cwd: d2 }).code, 0);
});

test('SARIF: one result per exposed scope and rule at the winning line, shadowed values as related locations', () => {
  const dir = domain();
  const s = JSON.parse(runCli(['scan', '.', '--format', 'sarif', '--fail-on', 'never'], { cwd: dir }).stdout);
  const results = s.runs[0].results.filter((r: { properties?: { scope?: string } }) => r.properties?.scope);
  const req = results.filter((r: { ruleId: string }) => r.ruleId === 'smb.server.require');
  assert.deepEqual(
    req.map((r: { properties: { scope: string; status: string }; level: string; locations?: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[]; relatedLocations?: unknown[] }) => [
      r.properties.scope,
      r.properties.status,
      r.level,
      r.locations?.[0].physicalLocation.artifactLocation.uri,
      r.locations?.[0].physicalLocation.region,
      r.relatedLocations?.length ?? 0,
    ]),
    [
      ['corp.example/Servers', 'weak', 'error', `sysvol/Policies/${encodeURIComponent(G.SRV)}/Machine/Microsoft/Windows%20NT/SecEdit/GptTmpl.inf`, { startLine: 4 }, 1],
      ['corp.example/Servers/Web', 'missing', 'error', undefined, undefined, 0],
    ],
  );
  const idx = req[0].ruleIndex;
  assert.equal(s.runs[0].tool.driver.rules[idx].id, 'smb.server.require');
  assert.match(req[0].partialFingerprints['relaylint/v1'], /^[0-9a-f]{32}$/);
});

test('a --topology that is no regular file (a FIFO, /dev/zero) is an I/O error at once, never a hang or an endless read', (t) => {
  const dir = domain();
  const fifo = path.join(dir, 'links.ldf');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('needs mkfifo');
  for (const [arg, what] of [
    ['links.ldf', 'a named pipe \\(FIFO\\)'],
    ['/dev/zero', 'a character device'],
  ] as const) {
    const r = runCli(['scan', 'sysvol', '--topology', arg], { cwd: dir });
    assert.equal(r.code, 2, `${arg}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^relaylint: ${arg.replace(/[./]/g, '\\$&')}: ${what}, not a regular file$`, 'm'));
  }
});

test('bad topology input: a missing --topology file is an I/O error; an unreadable one is a problem and the rest works', () => {
  const dir = domain();
  const missing = runCli(['scan', 'sysvol', '--topology', 'nope.ldf'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /relaylint: nope\.ldf: no such file/);
  writeFile(dir, 'users.json', JSON.stringify({ data: [], meta: { type: 'users', count: 0, version: 6 } }));
  const r = runCli(['scan', 'sysvol', '--topology', 'corp.ldf', '--topology', 'users.json', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.topology.problems, [{ source: 'users.json', severity: 'warning', message: 'This SharpHound file is of type "users"; the topology comes from the ous, domains, gpos and computers files. It was skipped.' }]);
  assert.equal(j.scopes.length, 3);
});

test('a file over the file limit named as SharpHound names its computers file is read as a stream though its end does not say computers: zeros are an error at byte 0; the rest works', () => {
  const dir = domain();
  const big = path.join(dir, '20261206101500_computers.json');
  const fd = fs.openSync(big, 'w');
  fs.ftruncateSync(fd, 64 * 1024 * 1024 + 1);
  fs.closeSync(fd);
  const r = runCli(['scan', 'sysvol', '--topology', 'corp.ldf', '--topology', '20261206101500_computers.json', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.topology.problems, [
    { source: '20261206101500_computers.json', severity: 'error', message: 'Read as a stream (larger than 67108864 bytes): a value expected at byte 0; no computer was read from it.' },
  ]);
  assert.equal(j.scopes.length, 3);
});

test('reports alone: the -All report and LinksTo give scopes with undetermined results where order matters', () => {
  const dir = tempDir('relaylint-scope-');
  const gpo = (guid: string, name: string, v: number) =>
    '<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\r\n' +
    `<Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier></Identifier><Name>${name}</Name>\r\n` +
    `<Computer><Enabled>true</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings"><q1:SecurityOptions><q1:KeyName>${SRV}</q1:KeyName><q1:SettingNumber>${v}</q1:SettingNumber></q1:SecurityOptions></Extension></ExtensionData></Computer>\r\n` +
    '<LinksTo><SOMName>Servers</SOMName><SOMPath>corp.example/Servers</SOMPath><Enabled>true</Enabled><NoOverride>false</NoOverride></LinksTo>\r\n</GPO>\n';
  writeFile(dir, 'all.xml', utf16bom('<?xml version="1.0" encoding="utf-16"?>\n<report>\n' + gpo(G.DOM, 'A', 1) + '\n' + gpo(G.SRV, 'B', 0) + '</report>\n'));
  const j = JSON.parse(runCli(['scan', 'all.xml', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  assert.equal(j.files[0].format, 'gpo-report-xml');
  const e = j.scopes.find((s: { som: string }) => s.som === 'corp.example/Servers').effective.find((x: { ruleId: string }) => x.ruleId === 'smb.server.require');
  assert.equal(e.status, 'undetermined');
  assert.deepEqual(j.topology.lacks.map((l: { fact: string }) => l.fact), ['link-order', 'block-inheritance', 'sites']);
  assert.deepEqual(j.topology.sources, ['reports']);
});

test('a report whose computer side is disabled, and one with no link: info finding, no coverage credit', () => {
  const dir = tempDir('relaylint-scope-');
  const report = (guid: string, name: string, enabled: boolean, links: string) =>
    utf16bom(
      '<?xml version="1.0" encoding="utf-16"?>\r\n<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\r\n' +
        `<Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier></Identifier>\r\n<Name>${name}</Name>\r\n` +
        `<Computer><Enabled>${enabled}</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings"><q1:SecurityOptions><q1:KeyName>${SRV}</q1:KeyName><q1:SettingNumber>1</q1:SettingNumber></q1:SecurityOptions></Extension></ExtensionData></Computer>\r\n` +
        links +
        '</GPO>\r\n',
    );
  writeFile(dir, 'off.xml', report(G.DOM, 'Computer side off', false, '<LinksTo><SOMName>corp</SOMName><SOMPath>corp.example</SOMPath><Enabled>true</Enabled><NoOverride>false</NoOverride></LinksTo>\r\n'));
  writeFile(dir, 'unlinked.xml', report(G.SRV, 'Unlinked', true, ''));
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  assert.deepEqual(
    j.files.map((f: { path: string; findings: { ruleId: string; line: number; message: string }[] }) => [f.path, f.findings.map((x) => [x.ruleId, x.line, x.message])]),
    [
      ['off.xml', [['gpo.applies-nowhere', 2, `The GPO "Computer side off" ${G.DOM} applies nowhere: its computer side is disabled (GPO status), so none of its computer settings apply anywhere. Its values do not count as hardened in coverage or in the effective policy.`]]],
      ['unlinked.xml', [['gpo.applies-nowhere', 2, `The GPO "Unlinked" ${G.SRV} applies nowhere: its report shows no link, so its settings apply nowhere. Its values do not count as hardened in coverage or in the effective policy.`]]],
    ],
  );
  const cov = j.coverage.find((c: { ruleId: string }) => c.ruleId === 'smb.server.require');
  assert.deepEqual([cov.status, cov.sources], ['missing', []]);
  assert.equal(j.scopes[0].effective.find((e: { ruleId: string }) => e.ruleId === 'smb.server.require').status, 'missing');
});

test('a SharpHound zip next to the scanned folder is inflated and read', () => {
  const dir = domain();
  fs.rmSync(path.join(dir, 'corp.ldf'));
  // The helper names GPOs by letter; link the zip's domain to a GPO that is not scanned.
  writeFile(dir, 'bh/20261206101500_BloodHound.zip', zip(toSharpHound({ soms: [{ dn: 'DC=corp,DC=example', links: [['A', 0]] }], gpcs: [{ letter: 'A' }] })));
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  assert.deepEqual(j.topology.sources, ['sharphound:bh/20261206101500_BloodHound.zip:20261206101500_domains.json', 'sharphound:bh/20261206101500_BloodHound.zip:20261206101500_gpos.json']);
  assert.deepEqual(j.scopes.map((s: { som: string }) => s.som), ['CORP.EXAMPLE']);
  assert.match(j.topology.problems[0].message, /links the GPO \{41414141-0000-4000-8000-000000000001\} "GPO A", which is not among the scanned files/);
});

test('relaylint report passes --topology to the scan: the posture page gets the scopes; a missing file is an I/O error', () => {
  const dir = domain();
  const r = runCli(['report', 'sysvol', '--topology', 'corp.ldf', '-o', 'posture.html'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(path.join(dir, 'posture.html'), 'utf8');
  assert.doesNotMatch(html, /effective policy per OU is not available/);
  assert.match(html, /corp\.example\/Servers\/Web/);
  const missing = runCli(['report', 'sysvol', '--topology', 'nope.ldf', '-o', 'posture.html'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /relaylint: nope\.ldf: no such file/);
});

test('the config file`s topology is read when --topology is not given', () => {
  const dir = domain();
  fs.mkdirSync(path.join(dir, 'ad'));
  fs.renameSync(path.join(dir, 'corp.ldf'), path.join(dir, 'ad', 'corp.ldf'));
  writeFile(dir, 'relaylint.json', JSON.stringify({ topology: 'ad/corp.ldf' }));
  const j = JSON.parse(runCli(['scan', 'sysvol', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  assert.deepEqual(j.topology.sources, ['ldif:ad/corp.ldf']);
  assert.equal(j.scopes.length, 3);
  const none = JSON.parse(runCli(['scan', 'sysvol', '--format', 'json', '--fail-on', 'never', '--no-config'], { cwd: dir }).stdout);
  assert.equal(none.scopes, undefined);
});

test('P9: a GPO whose gPCFunctionalityVersion is not 2 applies nowhere: info finding, no coverage credit, gpos[] says why', () => {
  const dir = domain();
  fs.rmSync(path.join(dir, 'sysvol', 'Policies', G.OLD), { recursive: true });
  fs.appendFileSync(
    path.join(dir, 'corp.ldf'),
    ['', `dn: CN=${G.SRV},CN=Policies,CN=System,DC=corp,DC=example`, 'objectClass: groupPolicyContainer', 'displayName: Servers Legacy', 'gPCFunctionalityVersion: 1', '', `dn: CN=${G.DOM},CN=Policies,CN=System,DC=corp,DC=example`, 'objectClass: groupPolicyContainer', 'gPCFunctionalityVersion: 2', ''].join('\n'),
  );
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  const why = 'its gPCFunctionalityVersion is "1", not 2, and clients use only GPOs of version 2 (MS-GPOL 3.2.5.1.6), so its settings apply nowhere';
  const srv = j.files.find((f: { path: string }) => f.path.includes(G.SRV));
  assert.deepEqual(
    srv.findings.map((f: { ruleId: string; severity: string; message: string }) => [f.ruleId, f.severity, f.message]),
    [
      ['smb.server.require', 'error', 'SMB server signing is not required (RequireSecuritySignature = 0): this host accepts unsigned sessions and can be the target of an NTLM relay over SMB.'],
      ['gpo.applies-nowhere', 'info', `The GPO "Servers Legacy" ${G.SRV} applies nowhere: ${why}. Its values do not count as hardened in coverage or in the effective policy.`],
    ],
  );
  const g = j.gpos.find((x: { guid: string }) => x.guid === G.SRV);
  assert.deepEqual([g.functionalityVersion, g.appliesNowhere], [1, why]);
  assert.equal(j.gpos.find((x: { guid: string }) => x.guid === G.DOM).functionalityVersion, 2);
  const servers = j.scopes.find((s: { som: string }) => s.som === 'corp.example/Servers');
  assert.deepEqual(servers.dropped, [{ guid: G.SRV, som: 'corp.example/Servers', reason: 'gPCFunctionalityVersion 1, not 2' }]);
  assert.equal(servers.effective.find((e: { ruleId: string }) => e.ruleId === 'smb.server.require').status, 'hardened');
  const cov = j.coverage.find((c: { ruleId: string }) => c.ruleId === 'smb.server.require');
  assert.deepEqual(cov.sources.map((s: { path: string }) => s.path), [`sysvol/Policies/${G.DOM}/${SEC}`]);
  assert.equal(cov.status, 'hardened');
  const text = runCli(['scan', '.', '--fail-on', 'never'], { cwd: dir }).stdout;
  assert.ok(text.includes('    not applied here: Servers Legacy (gPCFunctionalityVersion 1, not 2)\n'), text);
  assert.ok(text.includes(`  GPO "Servers Legacy" applies nowhere: ${why}\n`), text);
});

/** A GPMC backup of G.SRV (weak value) whose Backup.xml carries `sdHex`, next to an LDIF linking G.DOM at the domain and G.SRV at Servers. */
function backupDomain(sdHex: string): string {
  const dir = domain();
  fs.rmSync(path.join(dir, 'sysvol', 'Policies', G.OLD), { recursive: true });
  fs.rmSync(path.join(dir, 'sysvol', 'Policies', G.SRV), { recursive: true });
  const bk = 'backups/{0A0B0C0D-0000-4000-8000-00000000000A}';
  writeFile(
    dir,
    `${bk}/Backup.xml`,
    `<?xml version="1.0" encoding="utf-8"?><GroupPolicyBackupScheme bkp:version="2.0" bkp:type="GroupPolicyBackupTemplate" xmlns:bkp="http://www.microsoft.com/GroupPolicy/GPOOperations" xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations"><GroupPolicyObject><GroupPolicyCoreSettings><ID><![CDATA[${G.SRV.toLowerCase()}]]></ID><Domain><![CDATA[corp.example]]></Domain><SecurityDescriptor>${sdHex}</SecurityDescriptor><DisplayName><![CDATA[Servers Legacy]]></DisplayName><Options><![CDATA[1]]></Options></GroupPolicyCoreSettings></GroupPolicyObject></GroupPolicyBackupScheme>`,
  );
  writeFile(dir, `${bk}/DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf`, inf([`${SRV}=4,0`]));
  return dir;
}

const BK_INF = 'backups/{0A0B0C0D-0000-4000-8000-00000000000A}/DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf';

test('P10 from a backup: a Backup.xml descriptor that denies Apply to Authenticated Users makes the GPO apply nowhere', () => {
  const deny = hex(sd([{ type: 5, flags: 2, mask: 0x100, sid: 'S-1-5-11', object: APPLY }, { type: 6, mask: 0x100, sid: 'S-1-5-11', object: APPLY }]));
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: backupDomain(deny) }).stdout);
  const why = 'security filtering denies Apply Group Policy to Authenticated Users';
  const f = j.files.find((x: { path: string }) => x.path === BK_INF);
  assert.deepEqual(
    f.findings.filter((x: { ruleId: string }) => x.ruleId === 'gpo.applies-nowhere').map((x: { message: string }) => x.message),
    [`The GPO "Servers Legacy" ${G.SRV} applies nowhere: ${why} (Backup.xml security descriptor), so its settings apply nowhere. Its values do not count as hardened in coverage or in the effective policy.`],
  );
  const g = j.gpos.find((x: { guid: string }) => x.guid === G.SRV);
  assert.deepEqual([g.filters, g.appliesNowhere], [{ security: ['Authenticated Users'], securityDenied: ['Authenticated Users'] }, `${why} (Backup.xml security descriptor), so its settings apply nowhere`]);
  const servers = j.scopes.find((s: { som: string }) => s.som === 'corp.example/Servers');
  assert.deepEqual(servers.dropped, [{ guid: G.SRV, som: 'corp.example/Servers', reason: why }]);
  assert.equal(servers.effective.find((e: { ruleId: string }) => e.ruleId === 'smb.server.require').status, 'hardened');
  assert.deepEqual(j.topology.problems, []);
});

test('P10 from a backup: a group allowed in Backup.xml makes the result conditional, naming it; a damaged descriptor is an error that fails the scan', () => {
  const web = hex(sd([{ type: 5, flags: 2, mask: 0x100, sid: 'S-1-5-21-1-2-3-1108', object: APPLY }]));
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: backupDomain(web) }).stdout);
  const e = j.scopes.find((s: { som: string }) => s.som === 'corp.example/Servers').effective.find((x: { ruleId: string }) => x.ruleId === 'smb.server.require');
  assert.deepEqual([e.status, e.condition, e.winner.path], ['conditional', 'security filtering: applies only to S-1-5-21-1-2-3-1108 (a GPO applies only to computers granted both Read and Apply Group Policy; relaylint checked the security descriptor for Apply Group Policy only: scope-and-evidence.md P10)', BK_INF]);
  assert.deepEqual(j.gpos.find((x: { guid: string }) => x.guid === G.SRV).filters, { security: ['S-1-5-21-1-2-3-1108'] });

  const broken = backupDomain(web.slice(0, 50));
  const r = runCli(['scan', '.', '--format', 'json', '--fail-on', 'error'], { cwd: broken });
  assert.equal(r.code, 1, r.stderr);
  const k = JSON.parse(r.stdout);
  const why = "its Backup.xml SecurityDescriptor could not be read: the security descriptor is 17 bytes, shorter than its 20-byte header (truncated?)";
  assert.deepEqual(k.topology.problems, [{ source: 'backups/{0A0B0C0D-0000-4000-8000-00000000000A}/Backup.xml', severity: 'error', message: `GPO "Servers Legacy" ${G.SRV}: ${why}. Its security filtering is unknown, so results it decides are conditional.` }]);
  assert.deepEqual(k.gpos.find((x: { guid: string }) => x.guid === G.SRV).filters, { securityUnknown: why });
  const e2 = k.scopes.find((s: { som: string }) => s.som === 'corp.example/Servers').effective.find((x: { ruleId: string }) => x.ruleId === 'smb.server.require');
  assert.deepEqual([e2.status, e2.condition], ['conditional', `security filtering unknown (${why})`]);
  const text = runCli(['scan', '.', '--fail-on', 'never'], { cwd: broken }).stdout;
  assert.ok(text.includes(`  error backups/{0A0B0C0D-0000-4000-8000-00000000000A}/Backup.xml: GPO "Servers Legacy" ${G.SRV}: ${why}.`), text);
  const sarif = JSON.parse(runCli(['scan', '.', '--format', 'sarif', '--fail-on', 'never'], { cwd: broken }).stdout);
  const res = sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === 'topology.problem');
  assert.deepEqual(
    res.map((x: { level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[] }) => [x.level, x.message.text, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region]),
    [['error', `GPO "Servers Legacy" ${G.SRV}: ${why}. Its security filtering is unknown, so results it decides are conditional.`, 'backups/%7B0A0B0C0D-0000-4000-8000-00000000000A%7D/Backup.xml', { startLine: 1 }]],
  );
});

test('fuzz audit D1: a zip whose entries all point at one member, found next to the scan, is refused quickly and fails --fail-on error', () => {
  const dir = domain();
  const hound = toSharpHound({ soms: [{ dn: 'DC=corp,DC=example', links: [['A', 0]] }], gpcs: [{ letter: 'A' }] });
  const files: Record<string, string> = {};
  for (let i = 0; i < 50; i++) files[`${i}_domains.json`] = hound['20261206101500_domains.json'];
  const z = zip(files);
  // Every central directory entry points at the first member's local header.
  for (let i = 0; i + 4 <= z.length; i++) if (z.readUInt32LE(i) === 0x02014b50) z.writeUInt32LE(0, i + 42);
  writeFile(dir, 'bh/bomb.zip', z);
  const r = runCli(['scan', '.', '--format', 'json', '--fail-on', 'error'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(
    j.topology.problems.filter((p: { severity: string }) => p.severity === 'error'),
    [{ source: 'bh/bomb.zip', severity: 'error', message: 'The entries 0_domains.json and 1_domains.json share the same data (overlapping members, a zip-bomb construction). The archive was not read.' }],
  );
});

test('fuzz audit D4: --topology naming an LDIF with only a user object is an error that fails the scan, like one with only "version: 1"', () => {
  for (const text of ['version: 1\n\ndn: CN=svc,CN=Users,DC=corp,DC=example\nchangetype: add\nobjectClass: user\n\n', 'version: 1\n']) {
    const dir = domain();
    fs.rmSync(path.join(dir, 'corp.ldf'));
    writeFile(dir, 'topo/users.ldf', text);
    const r = runCli(['scan', 'sysvol', '--topology', 'topo/users.ldf', '--format', 'json', '--fail-on', 'error'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.topology.problems.some((p: { severity: string; message: string }) => p.severity === 'error' && p.message.startsWith('No domain, OU or site was read from topo/users.ldf')), JSON.stringify(j.topology?.problems));
  }
});
