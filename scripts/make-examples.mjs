// Writes examples/: a small SYSVOL with weak and hardened GPOs in every format relaylint reads,
// plus a GPMC backup folder, a loose .reg file, an RSoP report and the domain topology (LDIF). The files are written the way
// Windows tools write them (UTF-16LE + BOM + CRLF for security templates and reports, UTF-8 for
// GPP XML, binary PReg for Registry.pol). Run `node scripts/make-examples.mjs` to regenerate; the
// output is committed so the README's first command works on a fresh clone.
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = new URL('../examples/', import.meta.url).pathname;
const crlf = (lines) => lines.join('\r\n') + '\r\n';
const utf16 = (text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

function write(rel, data) {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

function pol(records) {
  const parts = [Buffer.from('PReg', 'ascii'), Buffer.from([1, 0, 0, 0])];
  const u16 = (s) => Buffer.from(s, 'utf16le');
  const u32 = (n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  for (const [key, name, type, value] of records) {
    let data;
    if (type === 4) data = u32(value);
    else data = Buffer.concat([u16(value), Buffer.from([0, 0])]);
    parts.push(u16('['), u16(key), Buffer.from([0, 0]), u16(';'), u16(name), Buffer.from([0, 0]), u16(';'), u32(type), u16(';'), u32(data.length), u16(';'), data, u16(']'));
  }
  return Buffer.concat(parts);
}

const gptIni = (name) => Buffer.from(`[General]\r\nVersion=65538\r\ndisplayName=${name}\r\n`, 'ascii');
const POL = 'corp.example/Policies';
const SEC = 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf';
const secHead = ['[Unicode]', 'Unicode=yes', '[Version]', 'signature="$CHICAGO$"', 'Revision=1'];

/** A GPP Registry.xml of REG_DWORD items in one collection: [name, uid, action, key, value, disabled]. */
function gppRegistry(collection, items) {
  const item = ([name, uid, action, key, value, disabled]) =>
    `\t\t<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="${name}" status="${name}" image="12" changed="2026-01-15 09:00:00" uid="${uid}"${disabled ? ' disabled="1"' : ''}>` +
    `<Properties action="${action}" displayDecimal="1" default="0" hive="HKEY_LOCAL_MACHINE" key="${key}" name="${name}" type="REG_DWORD" value="${value}"/></Registry>`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">',
    `\t<Collection clsid="{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}" name="${collection}">`,
    ...items.map(item),
    '\t</Collection>',
    '</RegistrySettings>',
    '',
  ].join('\r\n');
}

const LSA = 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa';
const SRV = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters';
const WKS = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters';
const NETLOGON = 'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters';
const POL_WKS = 'Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation';
const HARDENED_PATHS = 'Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths';

/**
 * The SYSVOL GPOs: GUID, display name, and what each writes: the security template's sections
 * (after the [Unicode]/[Version] head), Registry.pol records [key, name, type, value], GPP registry items.
 */
const SYSVOL = [
  // 1. Default Domain Policy: weak NTLM and client signing.
  {
    guid: '{31B2F340-016D-11D2-945F-00C04FB984F9}',
    name: 'Default Domain Policy',
    template: {
      'System Access': ['MinimumPasswordLength = 14', 'LSAAnonymousNameLookup = 0'],
      'Registry Values': [
        `${LSA}\\LmCompatibilityLevel=4,3`,
        `${LSA}\\NoLMHash=4,1`,
        `${LSA}\\MSV1_0\\NTLMMinClientSec=4,536870912`,
        `${WKS}\\EnableSecuritySignature=4,1`,
        `${WKS}\\RequireSecuritySignature=4,0`,
        `${WKS}\\EnablePlainTextPassword=4,0`,
      ],
      'Privilege Rights': ['SeDenyNetworkLogonRight = *S-1-5-32-546'],
    },
  },
  // 2. Default Domain Controllers Policy: LDAP signing "None", no channel binding yet.
  {
    guid: '{6AC1786C-016F-11D2-945F-00C04fB984F9}',
    name: 'Default Domain Controllers Policy',
    template: {
      'Registry Values': [
        `${SRV}\\RequireSecuritySignature=4,1`,
        `${SRV}\\EnableSecuritySignature=4,1`,
        `${NETLOGON}\\RequireSignOrSeal=4,1`,
        'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,1',
      ],
      'Privilege Rights': ['SeMachineAccountPrivilege = *S-1-5-11'],
    },
  },
  // 3. Workstation SMB hardening: ADMX (Registry.pol) and GPP (Registry.xml), partly weak.
  {
    guid: '{5C3E2A10-7B44-4F0E-9E7A-1D2B3C4D5E6F}',
    name: 'Workstation SMB hardening',
    pol: [
      [POL_WKS, 'AllowInsecureGuestAuth', 4, 1],
      [POL_WKS, 'AuditServerDoesNotSupportSigning', 4, 1],
      [HARDENED_PATHS, '\\\\*\\SYSVOL', 1, 'RequireMutualAuthentication=1, RequireIntegrity=1'],
      [HARDENED_PATHS, '\\\\*\\NETLOGON', 1, 'RequireMutualAuthentication=1, RequireIntegrity=0'],
    ],
    gpp: gppRegistry('SMB', [
      ['SMB1', '{0B7D5C3A-1E2F-4A5B-8C9D-0E1F2A3B4C5D}', 'U', 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', '00000001'],
      ['RequireSecuritySignature', '{1C8E6D4B-2F3A-4B6C-9D0E-1F2A3B4C5D6E}', 'U', 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', '00000000', true],
      ['EnableSecuritySignature', '{2D9F7E5C-3A4B-4C7D-8E1F-2A3B4C5D6E7F}', 'D', 'SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters', '00000000'],
    ]),
  },
  // 4. Member server baseline: hardened.
  {
    guid: '{8E1D4F2A-6C3B-4D5E-A7F8-091A2B3C4D5E}',
    name: 'Member Server Baseline',
    template: {
      'Registry Values': [
        `${SRV}\\RequireSecuritySignature=4,1`,
        `${SRV}\\RestrictNullSessAccess=4,1`,
        `${WKS}\\RequireSecuritySignature=4,1`,
        'MACHINE\\System\\CurrentControlSet\\Services\\LDAP\\LDAPClientIntegrity=4,1',
        `${LSA}\\LmCompatibilityLevel=4,5`,
        `${LSA}\\MSV1_0\\NTLMMinClientSec=4,537395200`,
        `${LSA}\\MSV1_0\\NTLMMinServerSec=4,537395200`,
        `${NETLOGON}\\RequireSignOrSeal=4,1`,
        `${NETLOGON}\\SealSecureChannel=4,1`,
        `${NETLOGON}\\SignSecureChannel=4,1`,
        `${NETLOGON}\\RequireStrongKey=4,1`,
      ],
    },
    pol: [
      ['System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1', 4, 0],
      ['System\\CurrentControlSet\\Services\\MrxSmb10', 'Start', 4, 4],
      [POL_WKS, 'AllowInsecureGuestAuth', 4, 0],
    ],
  },
  // 8. Two more GPOs for the domain topology below, so the demo shows the effective policy per OU:
  //    an enforced domain GPO that shadows the Default Domain Policy everywhere, and the GPO of an
  //    OU that blocks inheritance.
  {
    guid: '{0F5E6D7C-8B9A-4C1D-9E2F-3A4B5C6D7E8F}',
    name: 'Domain Security Baseline',
    template: { 'Registry Values': [`${WKS}\\RequireSecuritySignature=4,1`, `${NETLOGON}\\RequireSignOrSeal=4,1`] },
  },
  {
    guid: '{7A6B5C4D-3E2F-4A1B-8C9D-0E1F2A3B4C5D}',
    name: 'File Servers - legacy clients',
    template: { 'Registry Values': [`${SRV}\\RequireSecuritySignature=4,0`, `${LSA}\\LmCompatibilityLevel=4,5`] },
  },
];

// Only what this script writes is replaced (examples/logs comes from elsewhere).
for (const dir of ['corp.example', 'backups', 'loose', 'rsop', 'topology']) fs.rmSync(path.join(root, dir), { recursive: true, force: true });

for (const g of SYSVOL) {
  const dir = `${POL}/${g.guid}`;
  write(`${dir}/GPT.INI`, gptIni(g.name));
  if (g.template) write(`${dir}/${SEC}`, utf16(crlf([...secHead, ...Object.entries(g.template).flatMap(([section, lines]) => [`[${section}]`, ...lines])])));
  if (g.pol) write(`${dir}/Machine/Registry.pol`, pol(g.pol));
  if (g.gpp) write(`${dir}/Machine/Preferences/Registry/Registry.xml`, Buffer.from(g.gpp, 'utf8'));
}

// 5. A GPMC backup of a "legacy file server" GPO: the report says SMB1 is on.
{
  const b = 'backups/{D41D8CD9-8F00-4B20-9E80-0998ECF8427E}';
  write(
    `${b}/bkupInfo.xml`,
    Buffer.from(
      '<?xml version="1.0" encoding="utf-8"?><BackupInst xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest"><GPOGuid><![CDATA[{7F3A9C21-4B6D-4E8F-A0B1-C2D3E4F5A6B7}]]></GPOGuid><GPODisplayName><![CDATA[Legacy file servers]]></GPODisplayName></BackupInst>\r\n',
      'utf8',
    ),
  );
  const report = [
    '<?xml version="1.0" encoding="utf-16"?>',
    '<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">',
    '  <Identifier>',
    '    <Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{7F3A9C21-4B6D-4E8F-A0B1-C2D3E4F5A6B7}</Identifier>',
    '    <Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">corp.example</Domain>',
    '  </Identifier>',
    '  <Name>Legacy file servers</Name>',
    '  <Computer>',
    '    <VersionDirectory>3</VersionDirectory>',
    '    <VersionSysvol>3</VersionSysvol>',
    '    <Enabled>true</Enabled>',
    '    <ExtensionData>',
    '      <Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">',
    '        <q1:SecurityOptions>',
    '          <q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature</q1:KeyName>',
    '          <q1:SettingNumber>0</q1:SettingNumber>',
    '          <q1:Display>',
    '            <q1:Name>Microsoft network server: Digitally sign communications (always)</q1:Name>',
    '            <q1:Units />',
    '            <q1:DisplayBoolean>false</q1:DisplayBoolean>',
    '          </q1:Display>',
    '        </q1:SecurityOptions>',
    '      </Extension>',
    '      <Name>Security</Name>',
    '    </ExtensionData>',
    '    <ExtensionData>',
    '      <Extension xmlns:q2="http://www.microsoft.com/GroupPolicy/Settings/Registry" xsi:type="q2:RegistrySettings">',
    '        <q2:Policy>',
    '          <q2:Name>Configure SMB v1 server</q2:Name>',
    '          <q2:State>Enabled</q2:State>',
    '          <q2:Explain>Turns the SMBv1 server on or off.</q2:Explain>',
    '          <q2:Supported>At least Windows Vista</q2:Supported>',
    '          <q2:Category>MS Security Guide</q2:Category>',
    '        </q2:Policy>',
    '      </Extension>',
    '      <Name>Registry</Name>',
    '    </ExtensionData>',
    '  </Computer>',
    '  <User>',
    '    <VersionDirectory>0</VersionDirectory>',
    '    <VersionSysvol>0</VersionSysvol>',
    '    <Enabled>true</Enabled>',
    '  </User>',
    '</GPO>',
  ];
  write(`${b}/gpreport.xml`, utf16(crlf(report)));
}

// 6. A loose .reg file someone wants to import on a NAS gateway.
write(
  'loose/nas-gateway.reg',
  utf16(
    crlf([
      'Windows Registry Editor Version 5.00',
      '',
      '; Settings requested by the NAS vendor',
      '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]',
      '"RequireSecuritySignature"=dword:00000000',
      '"EnablePlainTextPassword"=dword:00000001',
      '',
      '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa]',
      '"LmCompatibilityLevel"=dword:00000005',
      '',
    ]),
  ),
);

// 7. An RSoP report of one member server: the winning value per setting, with its GPO.
{
  const A = '{31B2F340-016D-11D2-945F-00C04FB984F9}';
  const B = '{8E1D4F2A-6C3B-4D5E-A7F8-091A2B3C4D5E}';
  const T = 'http://www.microsoft.com/GroupPolicy/Types';
  const gpoOf = (guid, prec) =>
    `<GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base"><Identifier xmlns="${T}">${guid}</Identifier><Domain xmlns="${T}">corp.example</Domain></GPO><Precedence xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base">${prec}</Precedence>`;
  const gpoEntry = (name, guid) =>
    `    <GPO><Name>${name}</Name><Path><Identifier xmlns="${T}">${guid}</Identifier><Domain xmlns="${T}">corp.example</Domain></Path><Enabled>true</Enabled></GPO>`;
  const opt = (guid, prec, key, value, display) =>
    `        <q1:SecurityOptions>${gpoOf(guid, prec)}<q1:KeyName>${key}</q1:KeyName><q1:SettingNumber>${value}</q1:SettingNumber><q1:Display><q1:Name>${display}</q1:Name></q1:Display></q1:SecurityOptions>`;
  const lsa = 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel';
  const srv = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
  const rsop = [
    '<?xml version="1.0" encoding="utf-16"?>',
    '<Rsop xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Rsop">',
    '  <ReadTime>2026-01-15T09:00:00Z</ReadTime>',
    '  <ComputerResults>',
    '    <Name>CORP\\FS01$</Name>',
    gpoEntry('Default Domain Policy', A),
    gpoEntry('Member Server Baseline', B),
    '    <ExtensionData>',
    '      <Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings" xmlns="http://www.microsoft.com/GroupPolicy/Settings">',
    opt(B, 1, srv, 1, 'Microsoft network server: Digitally sign communications (always)'),
    opt(A, 2, srv, 0, 'Microsoft network server: Digitally sign communications (always)'),
    opt(A, 1, lsa, 3, 'Network security: LAN Manager authentication level'),
    '      </Extension>',
    '      <Name>Security</Name>',
    '    </ExtensionData>',
    '  </ComputerResults>',
    '</Rsop>',
  ];
  write('rsop/FS01-rsop.xml', utf16(crlf(rsop)));
}

// 8. The domain topology (an ldifde-style LDIF, as docs/effective-policy.md shows how to export it):
//    the enforced "Domain Security Baseline" at the domain, an OU that blocks inheritance, a disabled link.
{
  const DN = 'DC=corp,DC=example';
  const link = (guid, opt) => `[LDAP://cn=${guid},cn=policies,cn=system,${DN};${opt}]`;
  const DDP = '{31B2F340-016D-11D2-945F-00C04FB984F9}';
  const DDCP = '{6AC1786C-016F-11D2-945F-00C04fB984F9}';
  const WKS = '{5C3E2A10-7B44-4F0E-9E7A-1D2B3C4D5E6F}';
  const MSB = '{8E1D4F2A-6C3B-4D5E-A7F8-091A2B3C4D5E}';
  const ENF = '{0F5E6D7C-8B9A-4C1D-9E2F-3A4B5C6D7E8F}';
  const FILE = '{7A6B5C4D-3E2F-4A1B-8C9D-0E1F2A3B4C5D}';
  // ldifde folds nothing by default; this file folds one long line the RFC 2849 way to show it is read.
  const fold = (line) => {
    const out = [line.slice(0, 78)];
    for (let i = 78; i < line.length; i += 77) out.push(' ' + line.slice(i, i + 77));
    return out;
  };
  const som = (dn, cls, links, block) => ['', `dn: ${dn}`, 'changetype: add', `objectClass: ${cls}`, ...fold(`gPLink: ${links}`), `gPOptions: ${block ? 1 : 0}`];
  const gpc = (guid, name) => ['', `dn: CN=${guid},CN=Policies,CN=System,${DN}`, 'changetype: add', 'objectClass: groupPolicyContainer', `displayName: ${name}`, 'flags: 0'];
  const ldif = [
    '# corp.example: domain, OUs and group policy containers (ldifde -f corp-gp.ldf, see docs/effective-policy.md)',
    ...som(DN, 'domainDNS', link(DDP, 0) + link(ENF, 2), false),
    ...som(`OU=Domain Controllers,${DN}`, 'organizationalUnit', link(DDCP, 0), false),
    ...som(`OU=Servers,${DN}`, 'organizationalUnit', link(MSB, 0), false),
    ...som(`OU=File,OU=Servers,${DN}`, 'organizationalUnit', link(FILE, 0), true),
    ...som(`OU=Workstations,${DN}`, 'organizationalUnit', link(MSB, 1) + link(WKS, 0), false),
    ...gpc(DDP, 'Default Domain Policy'),
    ...gpc(DDCP, 'Default Domain Controllers Policy'),
    ...gpc(WKS, 'Workstation SMB hardening'),
    ...gpc(MSB, 'Member Server Baseline'),
    ...gpc(ENF, 'Domain Security Baseline'),
    ...gpc(FILE, 'File Servers - legacy clients'),
    '',
  ];
  write('topology/corp-gp.ldf', Buffer.from(crlf(ldif), 'ascii'));
  // The computer objects (where each server sits decides which scope its event logs speak for):
  // ldifde -f corp-computers.ldf -d "DC=corp,DC=example" -r "(objectClass=computer)" -l "dNSHostName"
  const computer = (cn, ou) => ['', `dn: CN=${cn},${ou}${DN}`, 'changetype: add', 'objectClass: computer', `dNSHostName: ${cn}.corp.example`];
  const computers = [
    '# corp.example: computer objects (ldifde -f corp-computers.ldf -r "(objectClass=computer)" -l "dNSHostName", see docs/evidence.md)',
    ...computer('DC01', 'OU=Domain Controllers,'),
    ...computer('FS01', 'OU=File,OU=Servers,'),
    ...computer('WS0142', 'OU=Workstations,'),
    '',
  ];
  write('topology/corp-computers.ldf', Buffer.from(crlf(computers), 'ascii'));
}

console.log(`examples written to ${root}`);
