/**
 * SMB rules. Facts: settings-and-formats.md §1 and §0 (sources [S1]–[S13], [S24], [S26], [S27], [S30]).
 */
import type { SettingRule } from './types';

const LANMAN_SERVER = 'System\\CurrentControlSet\\Services\\LanManServer\\Parameters';

export const smbRules: SettingRule[] = [
  {
    id: 'smb.server.require',
    title: 'SMB server signing must be required',
    category: 'smb',
    severity: 'error',
    displayName: 'Microsoft network server: Digitally sign communications (always)',
    gpoPath:
      'Computer Configuration > Policies > Windows Settings > Security Settings > Local Policies > Security Options',
    locations: [{ hive: 'HKLM', key: LANMAN_SERVER, name: 'RequireSecuritySignature' }],
    valueType: 'REG_DWORD',
    values: { 0: 'Disabled: the server accepts unsigned SMB sessions', 1: 'Enabled: the server requires every SMB session to be signed' },
    secure: '1 (Enabled)',
    side: 'server',
    defaults:
      'Before Windows 11 24H2: disabled on member servers and clients, enabled on domain controllers (the Default Domain Controllers Policy sets it). ' +
      'Windows 11 24H2 Enterprise, Pro and Education require inbound signing by default. For Windows Server 2025 the two Microsoft pages disagree: ' +
      '"Control SMB signing behavior" says only outbound (client) signing is required by default, "SMB security hardening" says inbound too; ' +
      'relaylint follows the first and does not assume that a Server 2025 file server requires signing.',
    baselines: { microsoft: '1', cis: '1 (2.3.9.2, L1)', stig: 'WN10/WN11-SO-000120, WN19-SO-000190' },
    events: 'SMB server audit log (Microsoft-Windows-SMBServer/Audit): 3021 for SMB2/3 clients that cannot sign, 3027 for SMBv1 clients',
    explanation: {
      what:
        'Server side. With 1 the SMB server refuses any session that is not signed; with 0 it signs only when the client insists. ' +
        'On SMB 2 and 3 a session is signed when either side requires it, so this value alone decides whether the server can be reached without signing.',
      why:
        'Whether a host can be the target of an NTLM relay over SMB is decided by this value on that host. Client-side signing settings on other machines do not protect it.',
      attack:
        'An attacker who gets a victim to authenticate to them (name-resolution poisoning, a coerced authentication, a link to a rogue share) forwards that NTLM ' +
        'exchange to a server that does not require signing and receives a working session as the victim: files, services and admin shares, with the victim\'s rights. ' +
        'Without signing the traffic can also be altered in transit.',
      fix:
        'Set "Microsoft network server: Digitally sign communications (always)" to Enabled (RequireSecuritySignature = 1) in the GPO that applies to your servers and workstations. ' +
        'Server EPA (SPN target name validation) or encrypting all traffic while rejecting unencrypted access are the other ways Microsoft names to close the relay path.',
      rollout:
        'Turn on the audit first: "Audit client does not support signing" (Lanman Server, also back-ported by KB5066913). Watch events 3021 (SMB2/3) and 3027 (SMBv1; ' +
        'Microsoft warns this one can be wrong both ways) in Microsoft-Windows-SMBServer/Audit, update or isolate the clients that show up, then require signing. ' +
        'Requiring signing also ends guest fallback, which Microsoft advises against keeping.',
    },
    references: [
      { tag: 'S1', title: 'Overview of SMB signing', url: 'https://learn.microsoft.com/windows-server/storage/file-server/smb-signing-overview' },
      { tag: 'S2', title: 'Control SMB signing behavior', url: 'https://learn.microsoft.com/windows-server/storage/file-server/smb-signing' },
      { tag: 'S3', title: 'SMB security hardening', url: 'https://learn.microsoft.com/windows-server/storage/file-server/smb-security-hardening' },
      {
        tag: 'S11',
        title: 'Microsoft network server: Digitally sign communications (always)',
        url: 'https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/security-policy-settings/microsoft-network-server-digitally-sign-communications-always',
      },
      { tag: 'S24', title: 'KB5066913: audit events to deploy SMB server hardening', url: 'https://support.microsoft.com/help/5066913' },
      { tag: 'S26', title: 'HardeningKitty finding lists (Microsoft baseline and CIS transcriptions)' },
      { tag: 'S27', title: 'MITRE InSpec DISA STIG profiles for Windows 10, 11 and Server 2019' },
    ],
    fixes: [{ value: 1, title: 'Require SMB server signing (always)', preferred: true }],
    judge: (value) =>
      value === 1
        ? { status: 'hardened' }
        : {
            status: 'weak',
            message:
              'SMB server signing is not required (RequireSecuritySignature = ' +
              value +
              '): this host accepts unsigned sessions and can be the target of an NTLM relay over SMB.',
          },
    missingIsWeak: (ctx) => ctx.role !== 'dc' && ctx.targetOs !== 'win11-24h2',
  },
];
