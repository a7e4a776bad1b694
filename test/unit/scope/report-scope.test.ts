/**
 * Scope data in GPO reports: real `<LinksTo>` from the corpus reports (test/fixtures/xml, sources in
 * SOURCES.md there), `Computer/Enabled`, Apply trustees, the `<report>` root of
 * `Get-GPOReport -All`, RSoP losers as shadowed observations; GPO identity from Backup.xml and GPT.INI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lint } from '../../../server/src/core/engine';
import { parseBytes, parseText } from '../../../server/src/core/parse';
import { parseBackupXml, parseBkupInfo, parseGptIni } from '../../../server/src/core/policy/identity';
import { appliesNowhereByFiles, filePolicy, PolicySetBuilder } from '../../../server/src/core/policy/set';
import { effectivePolicy } from '../../../server/src/core/scope';

const ROOT = join(__dirname, '..', '..', '..', '..');
const XML = join(ROOT, 'test', 'fixtures', 'xml');
const load = (f: string) => parseBytes(f, readFileSync(join(XML, f)));

describe('real <LinksTo> from corpus reports', () => {
  const cases: [string, { somName: string; somPath: string; enabled: boolean; enforced: boolean }[]][] = [
    ['sos-ddcp-soslan__gpreport.xml', [{ somName: 'Domain Controllers', somPath: 'sos.lan/Domain Controllers', enabled: true, enforced: false }]],
    ['sos-dod-ws2019-dc__gpreport.xml', [{ somName: 'Domain Controllers', somPath: 'sos.lan/Domain Controllers', enabled: true, enforced: true }]],
    // An OU whose name contains dots.
    ['sos-dod-ws2019-ms__gpreport.xml', [{ somName: '2019', somPath: 'sos.lan/SOS.LAN/Member Servers/2019', enabled: true, enforced: true }]],
    // A domain link: SOMPath without a trailing slash, SOMName the first label.
    ['hardenad-security-logs__gpreport.xml', [{ somName: 'HARDEN', somPath: 'HARDEN.ad', enabled: true, enforced: true }]],
    [
      'detectionlab-disable-defender__gpreport.xml',
      [
        { somName: 'Servers', somPath: 'windomain.local/Servers', enabled: true, enforced: true },
        { somName: 'Workstations', somPath: 'windomain.local/Workstations', enabled: true, enforced: true },
      ],
    ],
    ['hardenad-smb-signing-configuration__gpreport.xml', []],
  ];
  for (const [file, links] of cases) {
    test(file, () => {
      const pf = load(file);
      const g = pf.reportGpos?.[0];
      assert.ok(g);
      assert.deepEqual(
        g.links?.map(({ span, ...rest }) => {
          assert.ok(pf.text.slice(span.start, span.end).startsWith('<LinksTo>'));
          assert.ok(pf.text.slice(span.start, span.end).endsWith('</LinksTo>'));
          return rest;
        }),
        links,
      );
      assert.equal(g.computerEnabled, true);
    });
  }

  test('security filtering: the trustees with Apply Group Policy (sos-dod-ws2019-dc: Authenticated Users)', () => {
    const g = load('hardenad-smb-signing-configuration__gpreport.xml').reportGpos?.[0];
    assert.deepEqual(g?.applyTrustees, { allow: [{ sid: 'S-1-5-11', name: 'NT AUTHORITY\\Authenticated Users' }], deny: [] });
    assert.equal(g?.userEnabled, false);
  });

  test('a real report whose permission list names only a deny (hardenad-security-logs; the SDDL beside it allows Authenticated Users): a condition, never "applies nowhere"', () => {
    const f = 'hardenad-security-logs__gpreport.xml';
    const pf = load(f);
    const deny = { sid: 'S-1-5-21-4189652191-1631342966-2998408092-2214', name: 'HARDEN\\G-S-T0-GPO_HAD-Secu-Logs_DENY' };
    assert.deepEqual(pf.reportGpos?.[0].applyTrustees, { allow: [], deny: [deny] });
    const b = new PolicySetBuilder();
    b.add(filePolicy(f, pf));
    const r = effectivePolicy(b.build(), [], { targetOs: 'legacy' });
    assert.ok(r);
    const g = r.gpos.find((x) => x.name === 'HAD-Security-Logs');
    assert.deepEqual([g?.appliesNowhere, g?.filters], [undefined, { security: [], securityDenied: [deny.name] }]);
    assert.deepEqual(r.scopes[0].gpos.map((x) => x.conditions), [
      ['security filtering: no trustee is granted Apply Group Policy in the permission list', `security filtering: Apply Group Policy denied to ${deny.name}`],
    ]);
  });

  test('the two sos.lan DC reports, reports only: the enforced DoD GPO wins over the Default Domain Controllers Policy', () => {
    const b = new PolicySetBuilder();
    for (const f of ['sos-ddcp-soslan__gpreport.xml', 'sos-dod-ws2019-dc__gpreport.xml', 'sos-dod-ws2019-ms__gpreport.xml']) b.add(filePolicy(f, load(f)));
    const r = effectivePolicy(b.build(), [], { targetOs: 'legacy' });
    assert.ok(r);
    assert.deepEqual(
      r.scopes.map((s) => [s.som, s.role, s.gpos.map((g) => [g.name, g.enforced])]),
      [
        ['sos.lan', 'member', []],
        ['sos.lan/Domain Controllers', 'dc', [['DoD - Windows Server 2019 DC - Computer', true], ['Default Domain Controllers Policy', false]]],
        ['sos.lan/SOS.LAN', 'member', []],
        ['sos.lan/SOS.LAN/Member Servers', 'member', []],
        ['sos.lan/SOS.LAN/Member Servers/2019', 'member', [['DoD - Windows Server 2019 MS - Computer', true]]],
      ],
    );
    const dc = r.scopes[1];
    const req = dc.effective.find((e) => e.ruleId === 'smb.server.require');
    assert.equal(req?.status, 'hardened');
    assert.equal(req?.winner?.path, 'sos-dod-ws2019-dc__gpreport.xml');
    assert.equal(r.scopes[4].dn, 'OU=2019,OU=Member Servers,OU=SOS.LAN,DC=sos,DC=lan');
  });
});

/*
 * CONSTRUCTED `Get-GPOReport -All` export (the only real one seen, ADRecon's sample, is not copied:
 * its licence is unclear, scope-and-evidence.md §2.9). Structure as described there: UTF-16LE with
 * BOM, `<report>` root without namespace, `<GPO>` children with the Settings namespace, CRLF inside
 * GPOs and bare LF around them, a blank line between GPOs. GUIDs, names and values are made up.
 */
function allReport(): Buffer {
  const gpo = (guid: string, name: string, computerEnabled: boolean, body: string, extra: string) =>
    '<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\r\n' +
    `  <Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier><Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">corp.example</Domain></Identifier>\r\n` +
    `  <Name>${name}</Name>\r\n` +
    '  <SecurityDescriptor><Permissions xmlns="http://www.microsoft.com/GroupPolicy/Types/Security"><TrusteePermissions><Trustee><SID xmlns="http://www.microsoft.com/GroupPolicy/Types">S-1-5-21-1-2-3-1108</SID><Name xmlns="http://www.microsoft.com/GroupPolicy/Types">CORP\\Web Servers</Name></Trustee><Type xsi:type="PermissionType"><PermissionType>Allow</PermissionType></Type><Inherited>false</Inherited><Standard><GPOGroupedAccessEnum>Apply Group Policy</GPOGroupedAccessEnum></Standard><AccessMask>0</AccessMask></TrusteePermissions></Permissions></SecurityDescriptor>\r\n' +
    '  <FilterDataAvailable>true</FilterDataAvailable>\r\n' +
    extra +
    `  <Computer><VersionDirectory>3</VersionDirectory><VersionSysvol>3</VersionSysvol><Enabled>${computerEnabled}</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">${body}</Extension><Name>Security</Name></ExtensionData></Computer>\r\n` +
    '  <User><VersionDirectory>0</VersionDirectory><VersionSysvol>0</VersionSysvol><Enabled>false</Enabled></User>\r\n';
  const opt = (key: string, v: number) =>
    `<q1:SecurityOptions><q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\${key}</q1:KeyName><q1:SettingNumber>${v}</q1:SettingNumber></q1:SecurityOptions>`;
  const text =
    '<?xml version="1.0" encoding="utf-16"?>\n<report>\n' +
    gpo('{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}', 'SEC - Servers', true, opt('EnableSecuritySignature', 0) + opt('SMB1', 1), '  <FilterName>Servers only</FilterName>\r\n') +
    '  <LinksTo><SOMName>Servers</SOMName><SOMPath>corp.example/Servers</SOMPath><Enabled>true</Enabled><NoOverride>true</NoOverride></LinksTo>\r\n</GPO>\n\n' +
    gpo('{9E7B1D05-3A4C-4B2E-8F61-0C2D4E6F8A93}', 'Legacy', false, opt('EnableSecuritySignature', 0) + opt('RequireSecuritySignature', 0), '') +
    '</GPO>\n</report>\n';
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

describe('Get-GPOReport -All (<report> root)', () => {
  const pf = parseBytes('all.xml', allReport());

  test('recognised as a GPO report; every GPO with its own scope data', () => {
    assert.equal(pf.format, 'gpo-report-xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(
      pf.reportGpos?.map((g) => [g.name, g.computerEnabled, g.links?.map((l) => l.somPath), g.wmiFilter, g.applyTrustees?.allow.map((t) => t.name)]),
      [
        ['SEC - Servers', true, ['corp.example/Servers'], 'Servers only', ['CORP\\Web Servers']],
        ['Legacy', false, [], undefined, ['CORP\\Web Servers']],
      ],
    );
  });

  test('every GPO is judged with its own peers in the policy set: LDAP signing = 2 in one GPO does not harden enforce = 0 in the other', () => {
    // ldap.server.enforce is hardened when ldap.server.signing = 2 in the same scope (its peer).
    const ntds = (name: string, v: number) =>
      `<q1:SecurityOptions><q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\${name}</q1:KeyName><q1:SettingNumber>${v}</q1:SettingNumber></q1:SecurityOptions>`;
    const g = (guid: string, body: string) =>
      `<GPO xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings"><Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier></Identifier><Name>${guid}</Name>` +
      `<Computer><Enabled>true</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">${body}</Extension></ExtensionData></Computer></GPO>\n`;
    const text = '<report>\n' + g('{11111111-0000-4000-8000-000000000001}', ntds('LDAPServerIntegrity', 2)) + g('{22222222-0000-4000-8000-000000000002}', ntds('LDAPServerEnforceIntegrity', 0)) + '</report>\n';
    const two = parseText('all.xml', text);
    assert.deepEqual(
      filePolicy('all.xml', two).observations.map((o) => [o.ruleId, o.gpo, o.status]),
      [
        ['ldap.server.signing', '{11111111-0000-4000-8000-000000000001}', 'hardened'],
        ['ldap.server.enforce', '{22222222-0000-4000-8000-000000000002}', 'weak'],
      ],
    );
    // The file findings (editor, CLI) judge the same way: enforce = 0 in the second GPO is a finding.
    const ANY = { role: 'any' as const, targetOs: 'legacy' as const };
    assert.deepEqual(
      lint(two, ANY)
        .filter((f) => f.ruleId === 'ldap.server.enforce')
        .map((f) => [f.ruleId, f.severity, f.setting?.gpo?.guid]),
      [['ldap.server.enforce', 'error', '{22222222-0000-4000-8000-000000000002}']],
    );
    // In one GPO the peer counts.
    const one = parseText('one.xml', '<report>\n' + g('{11111111-0000-4000-8000-000000000001}', ntds('LDAPServerIntegrity', 2) + ntds('LDAPServerEnforceIntegrity', 0)) + '</report>\n');
    assert.deepEqual(filePolicy('one.xml', one).observations.map((o) => o.status), ['hardened', 'hardened']);
    assert.deepEqual(lint(one, ANY).filter((f) => f.ruleId === 'ldap.server.enforce'), []);
  });

  test('a GPO whose computer side is disabled and a GPO without link apply nowhere, said by its files', () => {
    const rec = filePolicy('all.xml', pf);
    assert.deepEqual(rec.gpos.map((g) => appliesNowhereByFiles(g)), [undefined, 'its computer side is disabled (GPO status), so none of its computer settings apply anywhere']);
    assert.equal(appliesNowhereByFiles({ guid: '{X}', links: [] }), 'its report shows no link, so its settings apply nowhere');
    assert.equal(appliesNowhereByFiles({ guid: '{X}', links: [{ som: 'a', enabled: false, enforced: false }] }), 'every link in its report is disabled, so its settings apply nowhere');
  });

  test('observations carry GPO, file, line, extension and status', () => {
    const rec = filePolicy('all.xml', pf);
    assert.deepEqual(
      rec.observations.map((o) => [o.ruleId, o.gpo, o.line, o.extension, o.format, o.value, o.status]),
      [
        ['smb.server.enable', '{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}', 9, 'security', 'gpo-report-xml', 0, 'weak'],
        ['smb1.server', '{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}', 9, 'security', 'gpo-report-xml', 1, 'weak'],
        ['smb.server.enable', '{9E7B1D05-3A4C-4B2E-8F61-0C2D4E6F8A93}', 19, 'security', 'gpo-report-xml', 0, 'weak'],
        ['smb.server.require', '{9E7B1D05-3A4C-4B2E-8F61-0C2D4E6F8A93}', 19, 'security', 'gpo-report-xml', 0, 'weak'],
      ],
    );
  });

  test('an unrelated <report> root is not a GPO report', () => {
    assert.equal(parseText('r.xml', '<?xml version="1.0"?><report><item/></report>').format, 'unknown');
  });
});

describe('RSoP losers', () => {
  const A = '{31B2F340-016D-11D2-945F-00C04FB984F9}';
  const B = '{8B7EF719-3FFF-437A-B318-E77A0ACB8FD9}';
  // CONSTRUCTED, the layout of the RSoP fixture in test/unit/parsers/report.test.ts.
  const gpoOf = (guid: string, prec: number) =>
    `<GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base"><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier></GPO><Precedence xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base">${prec}</Precedence>`;
  const secOpt = (guid: string, prec: number, value: string) =>
    `<q1:SecurityOptions>${gpoOf(guid, prec)}<q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature</q1:KeyName><q1:SettingNumber>${value}</q1:SettingNumber></q1:SecurityOptions>\r\n`;
  const text =
    '<?xml version="1.0" encoding="utf-16"?>\r\n<Rsop xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Rsop">\r\n<ComputerResults>' +
    `<GPO><Name>Default Domain Policy</Name><Path><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${A}</Identifier></Path></GPO>` +
    `<GPO><Name>Server Hardening</Name><Path><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${B}</Identifier></Path></GPO>\r\n` +
    '<ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\r\n' +
    secOpt(B, 1, '1') +
    secOpt(A, 2, 'zero') +
    '</Extension></ExtensionData></ComputerResults>\r\n</Rsop>\r\n';
  const pf = parseText('rsop.xml', text, 'utf-16le-bom');

  test('the loser is kept in shadowed, never a setting, a finding or a problem of the file', () => {
    assert.deepEqual(pf.settings.map((s) => [s.value, s.gpo?.guid]), [[1, B]]);
    assert.deepEqual(pf.shadowed?.map((s) => [s.value, s.gpo?.guid, s.gpo?.precedence]), [[null, A, 2]]);
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(lint(pf, { role: 'any', targetOs: 'legacy' }).map((f) => f.ruleId), []);
  });

  test('the policy record lists the loser as a shadowed observation of its GPO', () => {
    const rec = filePolicy('rsop.xml', pf);
    assert.deepEqual(
      rec.observations.map((o) => [o.gpo, o.line, o.status, !!o.shadowed]),
      [
        [B, 5, 'hardened', false],
        [A, 6, 'unknown', true],
      ],
    );
  });
});

describe('GPO identity as pure functions', () => {
  const other = join(ROOT, 'test', 'fixtures', 'other');

  test('Backup.xml of the corpus: ID, DisplayName, Options 1 = user side off (computer on), no WMI filter, Apply granted to Authenticated Users', () => {
    assert.deepEqual(parseBackupXml(readFileSync(join(other, 'hardenad-smb-signing-configuration__Backup.xml'), 'utf8')), {
      source: 'Backup.xml',
      guid: '{5894E193-3248-4484-A1F5-E7409640E822}',
      name: 'HAD_SMB-Signing_Configuration',
      statusFlags: 1,
      computerEnabled: true,
      applyTrustees: { allow: [{ sid: 'S-1-5-11', name: 'Authenticated Users' }], deny: [], complete: true },
    });
  });

  test('Backup.xml with Options 2 and a WMI filter (constructed)', () => {
    const text =
      '<?xml version="1.0" encoding="utf-8"?><GroupPolicyBackupScheme xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations"><GroupPolicyObject><GroupPolicyCoreSettings>' +
      '<ID><![CDATA[{4f2a9b33-1c6d-4e8f-b0a2-7d5c9e1f3a24}]]></ID><Domain><![CDATA[corp.example]]></Domain><DisplayName><![CDATA[SEC - Servers]]></DisplayName><Options><![CDATA[2]]></Options>' +
      '<WMIFilter><![CDATA[MSFT_SomFilter.ID="{7B0E0000-0000-4000-8000-000000000001}",Domain="corp.example"]]></WMIFilter><WMIFilterName><![CDATA[Servers only]]></WMIFilterName>' +
      '</GroupPolicyCoreSettings></GroupPolicyObject></GroupPolicyBackupScheme>';
    assert.deepEqual(parseBackupXml(text), { source: 'Backup.xml', guid: '{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}', name: 'SEC - Servers', statusFlags: 2, computerEnabled: false, wmiFilter: 'Servers only' });
  });

  test('a Backup.xml with a DTD is refused (no entity expansion)', () => {
    assert.equal(parseBackupXml('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><GroupPolicyBackupScheme><ID>&a;</ID></GroupPolicyBackupScheme>'), undefined);
  });

  test('bkupInfo.xml and GPT.INI', () => {
    assert.deepEqual(parseBkupInfo('<BackupInst xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest"><GPOGuid><![CDATA[{31b2f340-016d-11d2-945f-00c04fb984f9}]]></GPOGuid><GPODisplayName><![CDATA[Default Domain Policy]]></GPODisplayName></BackupInst>'), {
      source: 'bkupInfo.xml',
      guid: '{31B2F340-016D-11D2-945F-00C04FB984F9}',
      name: 'Default Domain Policy',
    });
    assert.deepEqual(parseGptIni('[General]\r\nVersion=65537\r\ndisplayName=SEC - Servers\r\n'), { name: 'SEC - Servers', source: 'GPT.INI' });
    assert.deepEqual(parseGptIni('[General]\r\nVersion=1\r\n'), { source: 'GPT.INI' });
  });
});

describe('RSoP: why a GPO did not apply on the computer', () => {
  // CONSTRUCTED from the element names of scope-and-evidence.md §2.11 (a real gpresult /x layout); GUIDs made up.
  const T = 'http://www.microsoft.com/GroupPolicy/Types';
  const entry = (guid: string, name: string, inner: string) =>
    `<GPO><Name>${name}</Name><Path><Identifier xmlns="${T}">${guid}</Identifier></Path><VersionDirectory>1</VersionDirectory>${inner}</GPO>`;
  const link = (som: string, applied: number) =>
    `<Link><SOMPath>${som}</SOMPath><SOMOrder>1</SOMOrder><AppliedOrder>${applied}</AppliedOrder><LinkOrder>2</LinkOrder><Enabled>true</Enabled><NoOverride>false</NoOverride></Link>`;
  const text =
    '<?xml version="1.0" encoding="utf-16"?>\r\n<Rsop xmlns="http://www.microsoft.com/GroupPolicy/Rsop"><ComputerResults>' +
    entry('{11111111-0000-4000-8000-000000000001}', 'Applied', `<Enabled>true</Enabled><IsValid>true</IsValid><FilterAllowed>true</FilterAllowed><AccessDenied>false</AccessDenied>${link('corp.example', 1)}`) +
    entry('{22222222-0000-4000-8000-000000000002}', 'Filtered', `<Enabled>true</Enabled><IsValid>true</IsValid><FilterAllowed>true</FilterAllowed><AccessDenied>true</AccessDenied>${link('corp.example/Servers', 0)}`) +
    entry('{33333333-0000-4000-8000-000000000003}', 'WMI', `<Enabled>true</Enabled><IsValid>true</IsValid><FilterAllowed>false</FilterAllowed><AccessDenied>false</AccessDenied>${link('corp.example/Servers', 0)}`) +
    entry('{44444444-0000-4000-8000-000000000004}', 'Not applied', `<IsValid>true</IsValid>${link('corp.example/Servers', 0)}`) +
    '</ComputerResults></Rsop>\r\n';
  const pf = parseText('rsop.xml', text, 'utf-16le-bom');

  test('AccessDenied, FilterAllowed, IsValid, Enabled and the links with AppliedOrder are read', () => {
    assert.deepEqual(
      pf.rsopGpos?.map((g) => [g.name, g.notApplied, g.links.map((l) => [l.somPath, l.appliedOrder, l.linkOrder, l.enabled, l.enforced])]),
      [
        ['Applied', undefined, [['corp.example', 1, 2, true, false]]],
        ['Filtered', 'security filtering denied it on this computer (AccessDenied)', [['corp.example/Servers', 0, 2, true, false]]],
        ['WMI', 'its WMI filter excluded this computer (FilterAllowed false)', [['corp.example/Servers', 0, 2, true, false]]],
        ['Not applied', 'none of its links applied on this computer (AppliedOrder 0)', [['corp.example/Servers', 0, 2, true, false]]],
      ],
    );
    assert.deepEqual(lint(pf, { role: 'any', targetOs: 'legacy' }), []);
  });

  test('the policy set carries the reasons to the GPO summary', () => {
    const b = new PolicySetBuilder();
    b.add(filePolicy('rsop.xml', pf));
    assert.deepEqual(b.build().gpos.get('{22222222-0000-4000-8000-000000000002}')?.rsopNotApplied, [{ path: 'rsop.xml', reason: 'security filtering denied it on this computer (AccessDenied)' }]);
  });
});
