import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseText } from '../../../server/src/core/parse';
import { parseGpoReport } from '../../../server/src/core/parsers/report';
import { decode } from '../../../server/src/core/text';
import type { ParsedFile, RegData, Setting, Span } from '../../../server/src/core/types';

// Compiled to .test-out/test/unit/parsers/; fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'xml');

function loadText(file: string): string {
  const d = decode(readFileSync(join(FIXTURES, file)));
  assert.equal(d.encoding, 'utf-16le-bom', `${file} is a GPMC report (UTF-16LE with BOM)`);
  return d.text;
}

function load(file: string): ParsedFile {
  return parseGpoReport(loadText(file), 'utf-16le-bom');
}

function at(pf: { text: string }, s: Span | undefined): string {
  assert.ok(s, 'span expected');
  return pf.text.slice(s.start, s.end);
}

function only<T>(items: T[]): T {
  assert.equal(items.length, 1, `expected exactly one item, got ${items.length}: ${JSON.stringify(items)}`);
  return items[0];
}

function find(pf: ParsedFile, key: string, name: string): Setting {
  return only(pf.settings.filter((s) => s.key.toLowerCase() === key.toLowerCase() && s.name.toLowerCase() === name.toLowerCase()));
}

const NS = {
  security: 'http://www.microsoft.com/GroupPolicy/Settings/Security',
  registry: 'http://www.microsoft.com/GroupPolicy/Settings/Registry',
  gpp: 'http://www.microsoft.com/GroupPolicy/Settings/Windows/Registry',
};
const LSP = 'System\\CurrentControlSet\\Services\\LanManServer\\Parameters';
const LWP = 'System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters';

describe('GPO report: Security extension (real files)', () => {
  test('hardenad-smb-signing-configuration: three client SMB options, exact values and spans', () => {
    const pf = load('hardenad-smb-signing-configuration__gpreport.xml');
    assert.equal(pf.format, 'gpo-report-xml');
    assert.equal(pf.eol, '\r\n');
    assert.deepEqual(pf.problems, []);
    const gpo = { name: 'HAD_SMB-Signing_Configuration', guid: '{5894e193-3248-4484-a1f5-e7409640e822}' };
    assert.deepEqual(pf.gpos, [gpo]);
    assert.deepEqual(
      pf.settings.map((s) => [s.hive, s.key, s.name, s.type, s.value, s.state, s.origin, s.policyName]),
      [
        ['HKLM', LWP, 'EnablePlainTextPassword', 'REG_DWORD', 0, 'set', 'Security Option "Microsoft network client: Send unencrypted password to third-party SMB servers"', 'Microsoft network client: Send unencrypted password to third-party SMB servers'],
        ['HKLM', LWP, 'EnableSecuritySignature', 'REG_DWORD', 1, 'set', 'Security Option "Microsoft network client: Digitally sign communications (if server agrees)"', 'Microsoft network client: Digitally sign communications (if server agrees)'],
        ['HKLM', LWP, 'RequireSecuritySignature', 'REG_DWORD', 1, 'set', 'Security Option "Microsoft network client: Digitally sign communications (always)"', 'Microsoft network client: Digitally sign communications (always)'],
      ],
    );
    for (const s of pf.settings) {
      assert.deepEqual(s.gpo, gpo);
      assert.equal(s.valueSyntax, undefined, 'reports get no text fix');
      assert.equal(at(pf, s.valueSpan), String(s.value));
      assert.ok(pf.text.slice(0, s.valueSpan!.start).endsWith('<q1:SettingNumber>'));
      assert.equal(at(pf, s.nameSpan), s.name);
      assert.ok(at(pf, s.span).startsWith('<q1:SecurityOptions>\r\n          <q1:KeyName>MACHINE\\System\\'));
      assert.ok(at(pf, s.span).endsWith('</q1:SecurityOptions>'));
    }
  });

  test('hardenad-ldap-cbt-enabled: LdapEnforceChannelBinding = 2', () => {
    const pf = load('hardenad-ldap-cbt-enabled__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(pf.gpos, [{ name: 'HAD_LDAP_CBT_Enabled', guid: '{B5F9A74A-8AF6-4766-8BB3-A91659FA549A}' }]);
    const s = only(pf.settings);
    assert.deepEqual(
      [s.hive, s.key, s.name, s.value, s.origin],
      ['HKLM', 'System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding', 2, 'Security Option "Domain controller: LDAP server channel binding token requirements"'],
    );
  });

  test('hardenad-smb1-disabled: a GPO holding only a startup script yields no setting and no problem', () => {
    const pf = load('hardenad-smb1-disabled__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(pf.settings, []);
    assert.deepEqual(pf.gpos, [{ name: 'HAD_SMB1_Disabled', guid: '{8DFF57FA-3105-462C-9D4A-F15A0CD0FF8A}' }]);
  });

  test('sos-ddcp-soslan: Default Domain Controllers Policy signing values (hand-checked in corpus SOURCES.md)', () => {
    const pf = load('sos-ddcp-soslan__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(pf.gpos, [{ name: 'Default Domain Controllers Policy', guid: '{6AC1786C-016F-11D2-945F-00C04fB984F9}' }]);
    assert.deepEqual(
      pf.settings.map((s) => [s.key, s.name, s.value]),
      [
        [LSP, 'EnableSecuritySignature', 1],
        [LSP, 'RequireSecuritySignature', 1],
        ['System\\CurrentControlSet\\Services\\Netlogon\\Parameters', 'RequireSignOrSeal', 1],
        ['System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LDAPServerIntegrity', 1],
      ],
    );
    // User rights assignments and other security content are not registry values.
    assert.ok(pf.settings.every((s) => s.origin.startsWith('Security Option "')));
  });

  test('sos-dod-ws2019-dc: 42 registry-backed options; System Access entries skipped; strings, quotes and trailing newlines', () => {
    const pf = load('sos-dod-ws2019-dc__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    const sec = pf.settings.filter((s) => s.origin.startsWith('Security Option'));
    assert.equal(sec.length, 42);
    assert.ok(!pf.settings.some((s) => /NewAdministratorName|NewGuestName|LSAAnonymousNameLookup/.test(s.name)));
    const rows: [key: string, name: string, type: string, value: RegData, raw: string][] = [
      [LSP, 'RequireSecuritySignature', 'REG_DWORD', 1, '1'],
      [LWP, 'EnablePlainTextPassword', 'REG_DWORD', 0, '0'],
      ['System\\CurrentControlSet\\Control\\Lsa', 'LmCompatibilityLevel', 'REG_DWORD', 5, '5'],
      ['System\\CurrentControlSet\\Control\\Lsa\\MSV1_0', 'NTLMMinClientSec', 'REG_DWORD', 537395200, '537395200'],
      ['System\\CurrentControlSet\\Services\\LDAP', 'LDAPClientIntegrity', 'REG_DWORD', 1, '1'],
      ['System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LDAPServerIntegrity', 'REG_DWORD', 2, '2'],
      ['Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'ScRemoveOption', 'REG_SZ', '1', '"1"'],
      ['System\\CurrentControlSet\\Control\\Lsa', 'RestrictRemoteSAM', 'REG_SZ', 'O:BAG:BAD:(A;;RC;;;BA)', '"O:BAG:BAD:(A;;RC;;;BA)"'],
    ];
    for (const [key, name, type, value, raw] of rows) {
      const s = find(pf, key, name);
      assert.equal(s.type, type, name);
      assert.deepEqual(s.value, value, name);
      assert.equal(at(pf, s.valueSpan), raw, name);
    }
    const pku2u = find(pf, 'System\\CurrentControlSet\\Control\\Lsa\\pku2u', 'AllowOnlineID');
    assert.equal(pku2u.policyName, 'Network security: Allow PKU2U authentication requests to this computer to use online identities.');
    assert.equal(pku2u.origin, 'Security Option "Network security: Allow PKU2U authentication requests to this computer to use online identities."');
  });
});

describe('GPO report: ADMX policies (real files)', () => {
  test('sos-dod-ws2019-dc: SMBv1 client/server, guest logons, hardened UNC paths', () => {
    const pf = load('sos-dod-ws2019-dc__gpreport.xml');
    const admx = pf.settings.filter((s) => s.origin.startsWith('ADMX policy'));
    assert.deepEqual(
      admx.map((s) => [s.hive, s.key, s.name, s.type, s.value, s.origin, at(pf, s.valueSpan)]),
      [
        ['HKLM', 'System\\CurrentControlSet\\Services\\MrxSmb10', 'Start', 'REG_DWORD', 4, 'ADMX policy "Configure SMB v1 client driver" (Enabled)', 'Enabled'],
        ['HKLM', 'System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1', 'REG_DWORD', 0, 'ADMX policy "Configure SMB v1 server" (Disabled)', 'Disabled'],
        ['HKLM', 'Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation', 'AllowInsecureGuestAuth', 'REG_DWORD', 0, 'ADMX policy "Enable insecure guest logons" (Disabled)', 'Disabled'],
        ['HKLM', 'Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths', '\\\\*\\NETLOGON', 'REG_SZ', 'RequireMutualAuthentication=1,RequireIntegrity=1', 'ADMX policy "Hardened UNC Paths" (Enabled)', 'RequireMutualAuthentication=1,RequireIntegrity=1'],
        ['HKLM', 'Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths', '\\\\*\\SYSVOL', 'REG_SZ', 'RequireMutualAuthentication=1,RequireIntegrity=1', 'ADMX policy "Hardened UNC Paths" (Enabled)', 'RequireMutualAuthentication=1,RequireIntegrity=1'],
      ],
    );
    const client = admx[0];
    assert.equal(client.policyName, 'Configure SMB v1 client driver');
    assert.ok(at(pf, client.span).startsWith('<q3:Policy>\r\n          <q3:Name>Configure SMB v1 client driver</q3:Name>'));
    assert.ok(at(pf, client.span).endsWith('</q3:Policy>'));
    assert.ok(at(pf, client.span).includes('<q3:Name>Disable driver (recommended)</q3:Name>'));
  });

  test('nsa-shb-windows: hardened UNC paths; the Text parts with bare LFs give nothing', () => {
    const pf = load('nsa-shb-windows__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    const unc = pf.settings.filter((s) => s.policyName === 'Hardened UNC Paths');
    assert.deepEqual(
      unc.map((s) => [s.name, s.value]),
      [
        ['\\\\*\\NETLOGON', 'RequireMutualAuthentication=1,RequireIntegrity=1'],
        ['\\\\*\\SYSVOL', 'RequireMutualAuthentication=1,RequireIntegrity=1'],
      ],
    );
    // The fixture property this relies on: the policy holds LFs that are not part of a CRLF.
    const policyText = at(pf, unc[0].span);
    assert.match(policyText, /[^\r]\n/);
    assert.match(policyText, /\r\n/);
    assert.deepEqual(
      pf.settings.filter((s) => s.origin.startsWith('ADMX')).map((s) => s.name),
      ['AllowInsecureGuestAuth', '\\\\*\\NETLOGON', '\\\\*\\SYSVOL'],
    );
  });

  test('detectionlab-disable-defender: GPP inside a report; an unmapped ADMX policy gives nothing', () => {
    const pf = load('detectionlab-disable-defender__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    const s = only(pf.settings);
    assert.deepEqual(
      [s.hive, s.key, s.name, s.type, s.value, s.state, s.origin, s.valueSyntax, s.gpo],
      ['HKLM', 'SOFTWARE\\Microsoft\\Windows Script Host\\Settings', 'AmsiEnable', 'REG_DWORD', 0, 'set', 'GPP item "AmsiEnable" (action C)', undefined, { name: 'Disable Windows Defender', guid: '{2C55A216-EFB4-4959-8F7B-E049518C4DF2}' }],
    );
    assert.equal(at(pf, s.valueSpan), '00000000');
    assert.ok(at(pf, s.span).startsWith('<q1:Registry clsid='));
  });

  test('hardenad-security-logs: 102 GPP items nested in collections, 3 security options', () => {
    const pf = load('hardenad-security-logs__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    const gppItems = pf.settings.filter((s) => s.origin.startsWith('GPP item'));
    assert.equal(gppItems.length, 102);
    assert.equal(pf.settings.length, 105);
    const first = gppItems[0];
    assert.deepEqual(
      [first.key, first.name, first.value, first.origin],
      ['SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\Channels\\Microsoft-Windows-Application-Experience/Program-Inventory', 'MaxSize', 0x01400000, 'GPP item "MaxSize" (action U) in collection "Microsoft-Windows-Application-Experience/Program-Inventory"'],
    );
    assert.ok(gppItems.every((s) => s.state === 'set'), 'empty <Filters /> is not targeting');
  });

  test('sos-dod-win10: extra registry settings, numbers and strings', () => {
    const pf = load('sos-dod-win10__gpreport.xml');
    assert.deepEqual(pf.problems, []);
    const extra = pf.settings.filter((s) => s.origin === 'extra registry setting');
    assert.equal(extra.length, 19);
    const sp = extra[0];
    assert.deepEqual([sp.hive, sp.key, sp.name, sp.type, sp.value], ['HKLM', 'Software\\Classes\\batfile\\shell\\runasuser', 'SuppressionPolicy', 'REG_DWORD', 4096]);
    assert.equal(at(pf, sp.valueSpan), '4096');
    assert.equal(at(pf, sp.nameSpan), 'SuppressionPolicy');
    assert.ok(at(pf, sp.span).startsWith('<q3:RegistrySetting>'));
    const str = find(pf, 'Software\\Policies\\Microsoft\\MicrosoftEdge\\Main', 'FormSuggest Passwords');
    assert.deepEqual([str.type, str.value, at(pf, str.valueSpan)], ['REG_SZ', 'no', 'no']);
  });

  test('parseText recognises a report by its root element', () => {
    const pf = parseText('gpreport.xml', loadText('hardenad-ldap-cbt-enabled__gpreport.xml'), 'utf-16le-bom');
    assert.equal(pf.format, 'gpo-report-xml');
    assert.equal(only(pf.settings).value, 2);
  });
});

// ---------------------------------------------------------------------------------------------
// Constructed reports (layout from settings-and-formats.md §6.4; prefixes deliberately unusual).

function report(computerExtensions: string, userExtensions = '', name = 'Test GPO', guid = '{11111111-2222-3333-4444-555555555555}'): string {
  const section = (tag: string, body: string) => `<${tag}><VersionDirectory>1</VersionDirectory><VersionSysvol>1</VersionSysvol><Enabled>true</Enabled>${body}</${tag}>`;
  return (
    '<?xml version="1.0" encoding="utf-16"?>\r\n' +
    '<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\r\n' +
    `<Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier><Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">corp.example</Domain></Identifier>\r\n` +
    `<Name>${name}</Name>\r\n` +
    section('Computer', computerExtensions) +
    '\r\n' +
    section('User', userExtensions) +
    '\r\n</GPO>\r\n'
  );
}

function ext(prefix: string, ns: string, type: string, body: string, name = 'Ext'): string {
  return `<ExtensionData><Extension xmlns:${prefix}="${ns}" xsi:type="${prefix}:${type}">${body}</Extension><Name>${name}</Name></ExtensionData>`;
}

function policy(name: string, state: string, category: string, parts = '', p = 'z'): string {
  return `<${p}:Policy><${p}:Name>${name}</${p}:Name><${p}:State>${state}</${p}:State><${p}:Explain>help</${p}:Explain><${p}:Supported>x</${p}:Supported><${p}:Category>${category}</${p}:Category>${parts}</${p}:Policy>`;
}

function dropDown(choice: string, p = 'z'): string {
  return `<${p}:DropDownList><${p}:Name>Choose</${p}:Name><${p}:State>Enabled</${p}:State><${p}:Value><${p}:Name>${choice}</${p}:Name></${p}:Value></${p}:DropDownList>`;
}

function admx(...policies: string[]): ParsedFile {
  return parseGpoReport(report(ext('z', NS.registry, 'RegistrySettings', policies.join(''))), 'utf-16le-bom');
}

const LS = 'Software\\Policies\\Microsoft\\Windows\\LanmanServer';
const LW = 'Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation';
const SEC = 'MS Security Guide';
const NLS = 'Network/Lanman Server';
const NLW = 'Network/Lanman Workstation';

describe('GPO report: the ADMX mapping table', () => {
  type Expect = [key: string, name: string, value: RegData][];
  const rows: [label: string, xml: string, expect: Expect, note?: RegExp][] = [
    ['SMBv1 server Enabled', policy('Configure SMB v1 server', 'Enabled', SEC), [['System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1', 1]]],
    ['SMBv1 server Disabled', policy('Configure SMB v1 server', 'Disabled', SEC), [['System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1', 0]]],
    ['SMBv1 client: Disable driver', policy('Configure SMB v1 client driver', 'Enabled', SEC, dropDown('Disable driver (recommended)')), [['System\\CurrentControlSet\\Services\\MrxSmb10', 'Start', 4]]],
    ['SMBv1 client: Manual start', policy('Configure SMB v1 client driver', 'Enabled', SEC, dropDown('Manual start (default for Win7/2008/2008R2/2012)')), [['System\\CurrentControlSet\\Services\\MrxSmb10', 'Start', 3]]],
    ['SMBv1 client: Automatic start', policy('Configure SMB v1 client driver', 'Enabled', SEC, dropDown('Automatic start (default for Win8.1/2012R2/newer)')), [['System\\CurrentControlSet\\Services\\MrxSmb10', 'Start', 2]]],
    ['SMBv1 client: Disabled radio button', policy('Configure SMB v1 client driver', 'Disabled', SEC), [], /never to choose Disabled/],
    ['SMBv1 client: unknown choice', policy('Configure SMB v1 client driver', 'Enabled', SEC, dropDown('Whatever')), [], /"Whatever".*not recognised/],
    ['insecure guest logons Enabled', policy('Enable insecure guest logons', 'Enabled', NLW), [[LW, 'AllowInsecureGuestAuth', 1]]],
    ['insecure guest logons Disabled', policy('Enable insecure guest logons', 'Disabled', NLW), [[LW, 'AllowInsecureGuestAuth', 0]]],
    ['LDAP EPA: always', policy('Extended Protection for LDAP Authentication (Domain Controllers only)', 'Enabled', SEC, dropDown('Enabled, always (recommended)')), [['System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding', 2]]],
    ['LDAP EPA: when supported', policy('Extended Protection for LDAP Authentication (Domain Controllers only)', 'Enabled', SEC, dropDown('Enabled, when supported')), [['System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding', 1]], /^Drop-down choice "Enabled, when supported" of policy "Extended Protection for LDAP Authentication \(Domain Controllers only\)" was read as LdapEnforceChannelBinding = 1 from its wording; the value behind this label is not confirmed against a real GPO\.$/],
    ['LDAP EPA: never', policy('Extended Protection for LDAP Authentication (Domain Controllers only)', 'Enabled', SEC, dropDown('Never')), [['System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding', 0]], /"Never" .* was read as LdapEnforceChannelBinding = 0 from its wording; .* not confirmed/],
    ['LDAP EPA: disabled item', policy('Extended Protection for LDAP Authentication (Domain Controllers only)', 'Enabled', SEC, dropDown('Disabled')), [['System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding', 0]], /"Disabled" .* was read as LdapEnforceChannelBinding = 0 from its wording; .* not confirmed/],
    ['LDAP EPA: case-insensitive', policy('Extended Protection for LDAP Authentication (Domain Controllers only)', 'Enabled', SEC, dropDown('ENABLED, ALWAYS')), [['System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding', 2]]],
    ['LDAP EPA: unknown item', policy('Extended Protection for LDAP Authentication (Domain Controllers only)', 'Enabled', SEC, dropDown('Sometimes')), [], /"Sometimes".*LdapEnforceChannelBinding was not derived/],
    ['audit client signing', policy('Audit client does not support signing', 'Enabled', NLS), [[LS, 'AuditClientDoesNotSupportSigning', 1]]],
    ['audit client encryption', policy('Audit client does not support encryption', 'Disabled', NLS), [[LS, 'AuditClientDoesNotSupportEncryption', 0]]],
    ['audit guest (server)', policy('Audit insecure guest logon', 'Enabled', NLS), [[LS, 'AuditInsecureGuestLogon', 1]]],
    ['audit guest (workstation)', policy('Audit insecure guest logon', 'Enabled', NLW), [[LW, 'AuditInsecureGuestLogon', 1]]],
    ['audit server signing', policy('Audit server does not support signing', 'Enabled', NLW), [[LW, 'AuditServerDoesNotSupportSigning', 1]]],
    ['audit server encryption', policy('Audit server does not support encryption', 'Enabled', NLW), [[LW, 'AuditServerDoesNotSupportEncryption', 1]]],
    ['audit client signing under the wrong category', policy('Audit client does not support signing', 'Enabled', NLW), []],
    ['min dialect server 3.0.0', policy('Mandate the minimum version of SMB', 'Enabled', NLS, dropDown('SMB 3.0.0')), [[LS, 'MinSmb2Dialect', 768]]],
    ['min dialect workstation 3.1.1', policy('Mandate the minimum version of SMB', 'Enabled', NLW, dropDown('SMB 3.1.1')), [[LW, 'MinSmb2Dialect', 785]]],
    ['max dialect 2.0.2', policy('Mandate the maximum version of SMB', 'Enabled', NLS, dropDown('2.0.2')), [[LS, 'MaxSmb2Dialect', 514]]],
    ['max dialect 2.1.0', policy('Mandate the maximum version of SMB', 'Enabled', NLW, dropDown('SMB 2.1.0')), [[LW, 'MaxSmb2Dialect', 528]]],
    ['max dialect 3.0.2', policy('Mandate the maximum version of SMB', 'Enabled', NLW, dropDown('SMB 3.0.2 (Windows 8.1)')), [[LW, 'MaxSmb2Dialect', 770]]],
    ['dialect without a version', policy('Mandate the minimum version of SMB', 'Enabled', NLS, dropDown('SMB 3.x')), [], /no SMB dialect .* found in its choice "SMB 3.x"; MinSmb2Dialect was not derived/],
    ['dialect policy Disabled', policy('Mandate the minimum version of SMB', 'Disabled', NLS), []],
    ['require encryption Enabled', policy('Require Encryption', 'Enabled', NLW), [[LW, 'RequireEncryption', 1]]],
    ['require encryption Disabled', policy('Require Encryption', 'Disabled', NLW), [[LW, 'RequireEncryption', 0]]],
    ['"Require Encryption" elsewhere is another policy', policy('Require Encryption', 'Enabled', 'Windows Components/Other'), []],
    ['display name with odd spacing and case', policy(' configure  SMB v1\r\n server ', 'Disabled', SEC), [['System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1', 0]]],
    ['unknown policy', policy('Turn off Windows Defender', 'Enabled', 'Windows Components/Windows Defender'), []],
    ['unknown state', policy('Configure SMB v1 server', 'Not Configured', SEC), [], /State "Not Configured"/],
  ];
  for (const [label, xml, expect, note] of rows) {
    test(label, () => {
      const pf = admx(xml);
      assert.deepEqual(
        pf.settings.map((s) => [s.key, s.name, s.value]),
        expect,
      );
      for (const s of pf.settings) {
        assert.equal(s.hive, 'HKLM');
        assert.equal(s.type, 'REG_DWORD');
        assert.equal(s.state, 'set');
        assert.equal(at(pf, s.span), xml);
        const state = /<z:State>([^<]*)<\/z:State>/.exec(xml)![1];
        assert.equal(at(pf, s.valueSpan), state);
        assert.equal(s.origin, `ADMX policy "${s.policyName}" (${state})`);
        assert.deepEqual(s.gpo, { name: 'Test GPO', guid: '{11111111-2222-3333-4444-555555555555}' });
      }
      if (note) {
        const p = only(pf.problems);
        assert.deepEqual([p.code, p.severity], ['parse', 'info']);
        assert.match(p.message, note);
        assert.ok(at(pf, p.span).startsWith('<z:State>'));
      } else {
        assert.deepEqual(pf.problems, []);
      }
    });
  }

  test('hardened UNC paths: names with bare LFs and padding are trimmed; Data spans', () => {
    const el = (n: string, d: string) => `<z:Element><z:Name>${n}</z:Name><z:Data>${d}</z:Data></z:Element>`;
    const lb =
      '<z:ListBox><z:Name>Hardened UNC Paths:</z:Name><z:State>Enabled</z:State><z:ExplicitValue>true</z:ExplicitValue><z:Additive>true</z:Additive><z:Value>' +
      el('\n    \\\\*\\NETLOGON  ', 'RequireMutualAuthentication=1, RequireIntegrity=1') +
      el('\\\\*\\SYSVOL', ' RequireMutualAuthentication=1, RequireIntegrity=1, RequirePrivacy=1\n') +
      el('\n   ', 'ignored: no name') +
      '</z:Value></z:ListBox>';
    const pf = admx(policy('Hardened UNC Paths', 'Enabled', 'Network/Network Provider', `<z:Text><z:Name>Specify hardened network paths.\nIn the name field…</z:Name></z:Text>${lb}`));
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(
      pf.settings.map((s) => [s.key, s.name, s.type, s.value, at(pf, s.valueSpan)]),
      [
        ['Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths', '\\\\*\\NETLOGON', 'REG_SZ', 'RequireMutualAuthentication=1, RequireIntegrity=1', 'RequireMutualAuthentication=1, RequireIntegrity=1'],
        ['Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths', '\\\\*\\SYSVOL', 'REG_SZ', 'RequireMutualAuthentication=1, RequireIntegrity=1, RequirePrivacy=1', ' RequireMutualAuthentication=1, RequireIntegrity=1, RequirePrivacy=1\n'],
      ],
    );
    assert.equal(admx(policy('Hardened UNC Paths', 'Disabled', 'Network/Network Provider')).settings.length, 0);
  });

  test('a policy under the User section maps to HKCU', () => {
    const pf = parseGpoReport(report('', ext('z', NS.registry, 'RegistrySettings', policy('Require Encryption', 'Enabled', NLW))), 'utf-8');
    assert.deepEqual(
      pf.settings.map((s) => [s.hive, s.name]),
      [['HKCU', 'RequireEncryption']],
    );
  });
});

describe('GPO report: namespaces, sections, several GPOs', () => {
  const secOpt = (p: string, key: string, num: string) =>
    `<${p}:SecurityOptions><${p}:KeyName>MACHINE\\${key}</${p}:KeyName><${p}:SettingNumber>${num}</${p}:SettingNumber><${p}:Display><${p}:Name>Opt ${num}\r\n</${p}:Name><${p}:Units /><${p}:DisplayBoolean>true</${p}:DisplayBoolean></${p}:Display></${p}:SecurityOptions>`;

  test('extensions are recognised by namespace URI, whatever the prefix; a look-alike prefix is not trusted', () => {
    const good = ext('q3', NS.security, 'SecuritySettings', secOpt('q3', `${LSP}\\RequireSecuritySignature`, '1'));
    // q1 here is bound to a different namespace: its SecurityOptions are not security settings.
    const fake = ext('q1', 'urn:not-security', 'SecuritySettings', secOpt('q1', `${LSP}\\EnableSecuritySignature`, '0'));
    const pf = parseGpoReport(report(good + fake), 'utf-16le-bom');
    assert.deepEqual(pf.problems, []);
    const s = only(pf.settings);
    assert.deepEqual([s.name, s.value, s.policyName], ['RequireSecuritySignature', 1, 'Opt 1']);
  });

  test('the default namespace works as well as a prefix', () => {
    const body = `<SecurityOptions xmlns="${NS.security}"><KeyName>MACHINE\\${LSP}\\RequireSecuritySignature</KeyName><SettingNumber>0</SettingNumber></SecurityOptions>`;
    const pf = parseGpoReport(report(`<ExtensionData><Extension xmlns:s="${NS.security}" xsi:type="s:SecuritySettings">${body}</Extension></ExtensionData>`), 'utf-8');
    const s = only(pf.settings);
    assert.deepEqual([s.value, s.origin, s.policyName], [0, `Security Option "MACHINE\\${LSP}\\RequireSecuritySignature"`, undefined]);
  });

  test('SettingStrings becomes REG_MULTI_SZ; an empty list is []', () => {
    const body =
      `<s:SecurityOptions><s:KeyName>MACHINE\\${LSP}\\NullSessionPipes</s:KeyName><s:SettingStrings><s:Value>a</s:Value><s:Value>b c</s:Value></s:SettingStrings></s:SecurityOptions>` +
      `<s:SecurityOptions><s:KeyName>MACHINE\\${LSP}\\NullSessionShares</s:KeyName><s:SettingStrings /></s:SecurityOptions>`;
    const pf = parseGpoReport(report(ext('s', NS.security, 'SecuritySettings', body)), 'utf-8');
    assert.deepEqual(
      pf.settings.map((s) => [s.name, s.type, s.value, at(pf, s.valueSpan)]),
      [
        ['NullSessionPipes', 'REG_MULTI_SZ', ['a', 'b c'], '<s:Value>a</s:Value><s:Value>b c</s:Value>'],
        ['NullSessionShares', 'REG_MULTI_SZ', [], '<s:SettingStrings />'],
      ],
    );
  });

  test('GPOs root: each GPO its own gpo ref, settings tagged with theirs', () => {
    const one = report(ext('q1', NS.security, 'SecuritySettings', secOpt('q1', `${LSP}\\RequireSecuritySignature`, '1')), '', 'A', '{AAAAAAAA-0000-0000-0000-000000000000}');
    const two = report(ext('q2', NS.security, 'SecuritySettings', secOpt('q2', `${LSP}\\RequireSecuritySignature`, '0')), '', 'B', '{BBBBBBBB-0000-0000-0000-000000000000}');
    const strip = (x: string) => x.replace(/^<\?xml[^>]*>\r\n/, '').replace('<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">', '<GPO>');
    const text = `<GPOs xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">${strip(one)}${strip(two)}</GPOs>`;
    const pf = parseText('all.xml', text, 'utf-8');
    assert.equal(pf.format, 'gpo-report-xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(pf.gpos, [
      { name: 'A', guid: '{AAAAAAAA-0000-0000-0000-000000000000}' },
      { name: 'B', guid: '{BBBBBBBB-0000-0000-0000-000000000000}' },
    ]);
    assert.deepEqual(
      pf.settings.map((s) => [s.value, s.gpo?.name]),
      [
        [1, 'A'],
        [0, 'B'],
      ],
    );
  });

  test('extra registry settings follow the section: Computer → HKLM, User → HKCU', () => {
    const reg = (n: string) =>
      `<r:RegistrySetting><r:KeyPath>Software\\Policies\\X</r:KeyPath><r:AdmSetting>false</r:AdmSetting><r:Value><r:Name>${n}</r:Name><r:Number>7</r:Number></r:Value></r:RegistrySetting>` +
      '<r:RegistrySetting><r:KeyPath>Software\\Policies\\KeyOnly</r:KeyPath><r:AdmSetting>false</r:AdmSetting></r:RegistrySetting>';
    const pf = parseGpoReport(report(ext('r', NS.registry, 'RegistrySettings', reg('M')), ext('r', NS.registry, 'RegistrySettings', reg('U'))), 'utf-8');
    assert.deepEqual(
      pf.settings.map((s) => [s.hive, s.key, s.name, s.value, s.origin]),
      [
        ['HKLM', 'Software\\Policies\\X', 'M', 7, 'extra registry setting'],
        ['HKCU', 'Software\\Policies\\X', 'U', 7, 'extra registry setting'],
      ],
    );
  });

  test('GPP duplicates inside one GPO report are flagged', () => {
    const item = (v: string) =>
      `<g:Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="SMB1"><g:GPOSettingOrder>1</g:GPOSettingOrder><g:Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1" type="REG_DWORD" value="${v}"><g:Values /></g:Properties><g:Filters /></g:Registry>`;
    const pf = parseGpoReport(report(ext('g', NS.gpp, 'RegistrySettings', `<g:RegistrySettings>${item('00000000')}${item('00000001')}</g:RegistrySettings>`)), 'utf-8');
    assert.deepEqual(
      pf.settings.map((s) => s.value),
      [0, 1],
    );
    assert.deepEqual(
      pf.problems.map((p) => [p.code, p.severity]),
      [['duplicate', 'warning']],
    );
  });
});

describe('GPO report: damage and hostile input', () => {
  test('a truncated report still yields the settings read before the cut', () => {
    const full = loadText('sos-ddcp-soslan__gpreport.xml');
    const cutAt = full.indexOf('<q1:SettingNumber>', full.indexOf('RequireSignOrSeal')) + '<q1:SettingNumber>1'.length;
    const pf = parseGpoReport(full.slice(0, cutAt), 'utf-16le-bom');
    assert.deepEqual(
      pf.settings.map((s) => [s.name, s.value]),
      [
        ['EnableSecuritySignature', 1],
        ['RequireSecuritySignature', 1],
      ],
      'the option whose SettingNumber was cut is not guessed',
    );
    assert.deepEqual(pf.gpos, [{ name: 'Default Domain Controllers Policy', guid: '{6AC1786C-016F-11D2-945F-00C04fB984F9}' }]);
    const p = only(pf.problems);
    assert.equal(p.code, 'parse');
    assert.match(p.message, /truncated/);
    assert.equal(at(pf, p.span), '<q1:SettingNumber>');
  });

  test('a DOCTYPE in a report is refused (unsafe-xml) and the settings are still read', () => {
    const text = loadText('hardenad-ldap-cbt-enabled__gpreport.xml').replace('<GPO ', '<!DOCTYPE GPO [<!ENTITY x SYSTEM "file:///etc/passwd">]>\r\n<GPO ');
    const pf = parseGpoReport(text, 'utf-16le-bom');
    const p = only(pf.problems);
    assert.deepEqual([p.code, p.severity], ['unsafe-xml', 'error']);
    assert.equal(at(pf, p.span), '<!DOCTYPE GPO [<!ENTITY x SYSTEM "file:///etc/passwd">]>');
    assert.equal(only(pf.settings).value, 2);
  });

  test('comments in a report are kept', () => {
    const text = report(`<!-- relaylint-disable ldap.server.cbt: lab DC -->${ext('s', NS.security, 'SecuritySettings', '')}`);
    const pf = parseGpoReport(text, 'utf-8');
    assert.deepEqual(
      pf.comments.map((c) => [c.text, at(pf, c.span)]),
      [[' relaylint-disable ldap.server.cbt: lab DC ', '<!-- relaylint-disable ldap.server.cbt: lab DC -->']],
    );
  });

  test('a bad SettingNumber is a parse error with a null value', () => {
    const body = `<s:SecurityOptions><s:KeyName>MACHINE\\${LSP}\\RequireSecuritySignature</s:KeyName><s:SettingNumber>one</s:SettingNumber></s:SecurityOptions>`;
    const pf = parseGpoReport(report(ext('s', NS.security, 'SecuritySettings', body)), 'utf-8');
    assert.equal(only(pf.settings).value, null);
    const p = only(pf.problems);
    assert.deepEqual([p.code, p.severity, at(pf, p.span)], ['parse', 'error', 'one']);
  });

  test('an unrelated XML root is reported, not read', () => {
    const pf = parseGpoReport('<Backup/>', 'utf-8');
    assert.deepEqual(pf.settings, []);
    assert.match(only(pf.problems).message, /not a GPO or RSoP report/);
  });
});

describe('RSoP report', () => {
  /*
   * CONSTRUCTED fixture: the corpus has no RSoP file. Layout from settings-and-formats.md §6.4 [S38]:
   * root Rsop (ns …/GroupPolicy/Rsop), ComputerResults/UserResults with a GPO list (Name,
   * Path/Identifier in the Types namespace), and ExtensionData/Extension whose setting elements carry
   * a GPO (ns …/Settings/Base, Identifier/Domain in …/Types) and a Precedence (ns …/Settings/Base).
   * GUIDs, names and values are made up.
   */
  const A = '{31B2F340-016D-11D2-945F-00C04FB984F9}';
  const B = '{8B7EF719-3FFF-437A-B318-E77A0ACB8FD9}';
  const gpoOf = (guid: string, prec: number) =>
    `<GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base"><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier><Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">corp.example</Domain></GPO><Precedence xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base">${prec}</Precedence>`;
  const gpoEntry = (name: string, guid: string) =>
    `<GPO><Name>${name}</Name><Path><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier><Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">corp.example</Domain></Path><VersionDirectory>3</VersionDirectory><Enabled>true</Enabled></GPO>`;
  const secOpt = (guid: string, prec: number, value: number) =>
    `<q1:SecurityOptions>${gpoOf(guid, prec)}<q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature</q1:KeyName><q1:SettingNumber>${value}</q1:SettingNumber><q1:Display><q1:Name>Microsoft network server: Digitally sign communications (always)</q1:Name><q1:Units /><q1:DisplayBoolean>true</q1:DisplayBoolean></q1:Display></q1:SecurityOptions>`;
  const text =
    '<?xml version="1.0" encoding="utf-16"?>\r\n' +
    '<Rsop xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Rsop">\r\n' +
    '<ReadTime>2025-01-15T09:00:00Z</ReadTime><DataType>RSOP</DataType>\r\n' +
    '<ComputerResults><Version>1</Version><Name>CORP\\SRV1$</Name>' +
    gpoEntry('Default Domain Policy', A) +
    gpoEntry('Server Hardening', B) +
    '<ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings" xmlns="http://www.microsoft.com/GroupPolicy/Settings">' +
    secOpt(B, 1, 1) +
    secOpt(A, 2, 0) +
    '</Extension><Name>Security</Name></ExtensionData>' +
    '<ExtensionData><Extension xmlns:q2="http://www.microsoft.com/GroupPolicy/Settings/Registry" xsi:type="q2:RegistrySettings" xmlns="http://www.microsoft.com/GroupPolicy/Settings">' +
    `<q2:Policy>${gpoOf(A, 1)}<q2:Name>Configure SMB v1 server</q2:Name><q2:State>Disabled</q2:State><q2:Category>MS Security Guide</q2:Category></q2:Policy>` +
    '</Extension><Name>Registry</Name></ExtensionData>' +
    '</ComputerResults>\r\n' +
    '<UserResults><Version>1</Version>' +
    gpoEntry('Default Domain Policy', A) +
    '<ExtensionData><Extension xmlns:q3="http://www.microsoft.com/GroupPolicy/Settings/Registry" xsi:type="q3:RegistrySettings" xmlns="http://www.microsoft.com/GroupPolicy/Settings">' +
    `<q3:RegistrySetting>${gpoOf(A, 1)}<q3:KeyPath>Software\\Policies\\Y</q3:KeyPath><q3:AdmSetting>false</q3:AdmSetting><q3:Value><q3:Name>V</q3:Name><q3:Number>3</q3:Number></q3:Value></q3:RegistrySetting>` +
    '</Extension><Name>Registry</Name></ExtensionData>' +
    '</UserResults>\r\n</Rsop>\r\n';

  test('format, GPO list, and only the winning (precedence 1) settings', () => {
    const pf = parseText('rsop.xml', text, 'utf-16le-bom');
    assert.equal(pf.format, 'rsop-xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(pf.gpos, [
      { name: 'Default Domain Policy', guid: A },
      { name: 'Server Hardening', guid: B },
    ]);
    assert.deepEqual(
      pf.settings.map((s) => [s.hive, s.name, s.value, s.gpo]),
      [
        ['HKLM', 'RequireSecuritySignature', 1, { name: 'Server Hardening', guid: B, precedence: 1 }],
        ['HKLM', 'SMB1', 0, { name: 'Default Domain Policy', guid: A, precedence: 1 }],
        ['HKCU', 'V', 3, { name: 'Default Domain Policy', guid: A, precedence: 1 }],
      ],
    );
    const win = pf.settings[0];
    assert.equal(at(pf, win.valueSpan), '1');
    assert.ok(at(pf, win.span).startsWith('<q1:SecurityOptions><GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base"><Identifier'));
    assert.ok(at(pf, win.span).includes(B));
  });

  test('a setting without Precedence counts as the winner', () => {
    const noPrec = text.replace(/<Precedence xmlns="http:\/\/www.microsoft.com\/GroupPolicy\/Settings\/Base">2<\/Precedence>/, '');
    const pf = parseGpoReport(noPrec, 'utf-16le-bom');
    const sig = pf.settings.filter((s) => s.name === 'RequireSecuritySignature');
    assert.deepEqual(
      sig.map((s) => [s.value, s.gpo]),
      [
        [1, { name: 'Server Hardening', guid: B, precedence: 1 }],
        [0, { name: 'Default Domain Policy', guid: A }],
      ],
    );
  });
});
