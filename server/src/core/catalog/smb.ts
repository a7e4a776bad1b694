/**
 * SMB rules. Facts: settings-and-formats.md §1 and §0 (sources [S1]–[S13], [S24], [S26], [S27], [S30]).
 *
 * The first part of this file holds the helpers and reference entries shared by every catalog file
 * (ldap.ts, ntlm.ts and netlogon.ts import them from here).
 */
import type { RegData } from '../types';
import type { Judgement, JudgeContext, PosturePlace, Reference, SettingRule, ValueChoice } from './types';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

export const SEC_OPT =
  'Computer Configuration > Policies > Windows Settings > Security Settings > Local Policies > Security Options';
export const ADMIN_TEMPLATES = 'Computer Configuration > Policies > Administrative Templates';

export const HARDENED: Judgement = Object.freeze({ status: 'hardened' }) as Judgement;

/** A registry value as it should appear in a message: `1`, `"text"`, `[a, b]`, `empty`. */
export function describe(value: RegData): string {
  if (value === null) return 'empty';
  if (typeof value === 'number') return String(value);
  // Messages quote at most a short prefix: a hostile 1 MB value must not become a 1 MB message.
  const clip = (s: string) => (s.length > 120 ? JSON.stringify(s.slice(0, 120)).slice(0, -1) + '…"' : JSON.stringify(s));
  if (typeof value === 'string') return clip(value);
  const items = value.slice(0, 10).map(clip);
  return '[' + items.join(', ') + (value.length > 10 ? `, … ${value.length - 10} more` : '') + ']';
}

function listOf(values: readonly number[]): string {
  if (values.length <= 1) return values.join('');
  return values.slice(0, -1).join(', ') + ' or ' + values[values.length - 1];
}

/** `unknown` for a value that is not one of the documented ones (or not a number at all). */
export function notDocumented(name: string, value: RegData, expected: string): Judgement {
  const kind =
    typeof value === 'number'
      ? ''
      : ` (a ${value === null ? 'missing value' : Array.isArray(value) ? 'multi-string' : 'string'} where a REG_DWORD number is expected)`;
  return {
    status: 'unknown',
    message: `${name} = ${describe(value)} is not a documented value${kind}; expected ${expected}. relaylint cannot tell what Windows does with it.`,
  };
}

/**
 * The DWORD if it is one of `documented`, otherwise an `unknown` judgement saying so.
 * Usage: `const v = documented(value, 'Name', [0, 1]); if (typeof v !== 'number') return v;`
 */
export function documented(value: RegData, name: string, allowed: readonly number[]): number | Judgement {
  if (typeof value === 'number' && Number.isInteger(value) && allowed.includes(value)) return value;
  return notDocumented(name, value, listOf(allowed));
}

/** The DWORD if it is a 32-bit unsigned integer (bit masks), otherwise `unknown`. */
export function anyDword(value: RegData, name: string, expected: string): number | Judgement {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  return notDocumented(name, value, expected);
}

export function weak(message: string, severity?: Judgement['severity'], fixes?: ValueChoice[]): Judgement {
  const j: Judgement = { status: 'weak', message };
  if (severity) j.severity = severity;
  if (fixes) j.fixes = fixes;
  return j;
}

/** Judge for a plain 0/1 switch; `secure` is the hardened value (1 unless the switch turns a weakness on). */
export function onOffJudge(
  name: string,
  weakMessage: (ctx: JudgeContext) => string,
  severity?: Judgement['severity'],
  secure: 0 | 1 = 1,
): SettingRule['judge'] {
  return (value, ctx) => {
    const v = documented(value, name, [0, 1]);
    if (typeof v !== 'number') return v;
    return v === secure ? HARDENED : weak(weakMessage(ctx), severity);
  };
}

// ---------------------------------------------------------------------------------------------
// References (settings-and-formats.md §9)
// ---------------------------------------------------------------------------------------------

const LEARN_SMB = 'https://learn.microsoft.com/windows-server/storage/file-server/';
const LEARN_SECPOL =
  'https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/security-policy-settings/';

export const REF = {
  S1: { tag: 'S1', title: 'Overview of SMB signing', url: LEARN_SMB + 'smb-signing-overview' },
  S2: { tag: 'S2', title: 'Control SMB signing behavior', url: LEARN_SMB + 'smb-signing' },
  S3: { tag: 'S3', title: 'SMB security hardening', url: LEARN_SMB + 'smb-security-hardening' },
  S4: { tag: 'S4', title: 'Managing SMB dialects', url: LEARN_SMB + 'manage-smb-dialects' },
  S5: {
    tag: 'S5',
    title: 'Enable insecure guest logons in SMB2 and SMB3',
    url: LEARN_SMB + 'enable-insecure-guest-logons-smb2-and-smb3',
  },
  S6: {
    tag: 'S6',
    title: 'Configure the SMB client to require encryption',
    url: LEARN_SMB + 'configure-smb-client-require-encryption',
  },
  S8: {
    tag: 'S8',
    title: 'How to detect, enable and disable SMBv1, SMBv2 and SMBv3',
    url: LEARN_SMB + 'troubleshoot/detect-enable-and-disable-smbv1-v2-v3',
  },
  S9: {
    tag: 'S9',
    title: 'Policy CSP - LanmanServer',
    url: 'https://learn.microsoft.com/windows/client-management/mdm/policy-csp-lanmanserver',
  },
  S10: {
    tag: 'S10',
    title: 'Policy CSP - LanmanWorkstation',
    url: 'https://learn.microsoft.com/windows/client-management/mdm/policy-csp-lanmanworkstation',
  },
  S11: {
    tag: 'S11',
    title: 'Microsoft network server: Digitally sign communications (always)',
    url: LEARN_SECPOL + 'microsoft-network-server-digitally-sign-communications-always',
  },
  S12: {
    tag: 'S12',
    title: 'SMBv1 Microsoft network client: Digitally sign communications (if server agrees)',
    url: LEARN_SECPOL + 'smbv1-microsoft-network-client-digitally-sign-communications-if-server-agrees',
  },
  S13: {
    tag: 'S13',
    title: 'Microsoft network server: Server SPN target name validation level',
    url: LEARN_SECPOL + 'microsoft-network-server-server-spn-target-name-validation-level',
  },
  S14: {
    tag: 'S14',
    title: 'Domain controller: LDAP server signing requirements',
    url: LEARN_SECPOL + 'domain-controller-ldap-server-signing-requirements',
  },
  S15: {
    tag: 'S15',
    title: 'Domain controller: LDAP server channel binding token requirements',
    url: LEARN_SECPOL + 'domain-controller-ldap-server-channel-binding-token-requirements',
  },
  S16: {
    tag: 'S16',
    title: 'Network security: LAN Manager authentication level',
    url: LEARN_SECPOL + 'network-security-lan-manager-authentication-level',
  },
  S17: {
    tag: 'S17',
    title: 'Network security: Minimum session security for NTLM SSP based (including secure RPC) clients',
    url: LEARN_SECPOL + 'network-security-minimum-session-security-for-ntlm-ssp-based-including-secure-rpc-clients',
  },
  S18: {
    tag: 'S18',
    title: 'Network security: Restrict NTLM: Outgoing NTLM traffic to remote servers',
    url: LEARN_SECPOL + 'network-security-restrict-ntlm-outgoing-ntlm-traffic-to-remote-servers',
  },
  S19: {
    tag: 'S19',
    title: 'Domain member: Digitally encrypt or sign secure channel data (always)',
    url: LEARN_SECPOL + 'domain-member-digitally-encrypt-or-sign-secure-channel-data-always',
  },
  S20: { tag: 'S20', title: 'LDAP signing for AD DS', url: 'https://learn.microsoft.com/windows-server/identity/ad-ds/ldap-signing' },
  S21: {
    tag: 'S21',
    title: 'LDAP channel binding overview',
    url: 'https://learn.microsoft.com/windows-server/identity/ad-ds/ldap-channel-binding',
  },
  S22: { tag: 'S22', title: 'Configure LDAP signing by using Group Policy (Microsoft Learn)' },
  S23: { tag: 'S23', title: 'KB935834: How to enable LDAP signing in Windows Server' },
  S24: { tag: 'S24', title: 'KB5066913: audit events to deploy SMB server hardening', url: 'https://support.microsoft.com/help/5066913' },
  S25: { tag: 'S25', title: 'Security baseline for Windows Server 2025, version 2602 (Microsoft Security Baselines blog)' },
  S26: { tag: 'S26', title: 'HardeningKitty finding lists (Microsoft baseline and CIS transcriptions)' },
  S27: { tag: 'S27', title: 'MITRE InSpec DISA STIG profiles for Windows 10, 11 and Server 2019' },
  S28: { tag: 'S28', title: 'NSA Windows Secure Host Baseline GPO backup (real GPMC output)' },
  S30: { tag: 'S30', title: 'SecGuide.admx (MS Security Guide template of the Microsoft security baselines)' },
  S31: { tag: 'S31', title: 'PingCastle health-check rule descriptions' },
  S38: { tag: 'S38', title: 'Public PowerShell script embedding a real RSoP XML output (LDAPServerIntegrity 1 shown as "None")' },
  S39: {
    tag: 'S39',
    title: 'Set-SmbServerConfiguration',
    url: 'https://learn.microsoft.com/powershell/module/smbshare/set-smbserverconfiguration',
  },
  S41: { tag: 'S41', title: 'Third-party KB5066913 helper script (Find-SmbSigningExposure.ps1)' },
  S42: { tag: 'S42', title: 'Public dumps of the Default Domain Controllers Policy GptTmpl.inf' },
  E15: { tag: 'E15', title: 'KB4090105: auditing NTLMv1 on domain controllers (anonymous logons are recorded as NTLM V1)' },
  E16: { tag: 'E16', title: 'Microsoft Learn security auditing page 4624(S): An account was successfully logged on' },
  E31: { tag: 'E31', title: 'Message tables of srv2.sys, msv1_0.dll and netlogon.dll, as extracted by libyal/winevt-kb (event texts and insertion order)' },
  E32: { tag: 'E32', title: 'OTRF OSSEM data dictionaries for the NTLM operational events (field names; secondary material)' },
  EVENT5168: {
    title: '5168(F): SPN check for SMB/SMB2 failed',
    url: 'https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-5168',
  },
  CIS_SCRIPTS: { title: 'Public CIS-derived scripts and InSpec controls for Windows Server 2025 and Windows 11 (secondary material)' },
  LDAP_CLIENT: {
    title: 'Network security: LDAP client signing requirements',
    url: LEARN_SECPOL + 'network-security-ldap-client-signing-requirements',
  },
} satisfies Record<string, Reference>;

// ---------------------------------------------------------------------------------------------
// SMB
// ---------------------------------------------------------------------------------------------

/** GPMC and the Learn page write `LanManServer`; the ADMX files write `LanmanServer` (§1.1). Keys are compared case-insensitively. */
const LANMAN_SERVER = 'System\\CurrentControlSet\\Services\\LanManServer\\Parameters';
const LANMAN_WKS = 'System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters';
const POL_SERVER = 'Software\\Policies\\Microsoft\\Windows\\LanmanServer';
const POL_WKS = 'Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation';
const HARDENED_PATHS = 'Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths';

const AT_LANMAN_SERVER = ADMIN_TEMPLATES + ' > Network > Lanman Server';
const AT_LANMAN_WKS = ADMIN_TEMPLATES + ' > Network > Lanman Workstation';
const AT_SECGUIDE = ADMIN_TEMPLATES + ' > MS Security Guide (SecGuide.admx, shipped with the Microsoft security baselines)';

/** The 24H2 administrative templates: CSP applicability and the policy-key-or-Parameters note (§1.8, §1.9, §5.2). */
const NEW_TEMPLATE_NOTE =
  'The Policy CSP lists this template setting for Windows 11 24H2 (10.0.26100.3613) and later. relaylint accepts it both under the policy key and directly under the service\'s Parameters key, because it can be written either way.';

const DIALECTS: Record<number, string> = {
  514: 'SMB 2.0.2',
  528: 'SMB 2.1.0',
  768: 'SMB 3.0.0',
  770: 'SMB 3.0.2',
  785: 'SMB 3.1.1',
};
const DIALECT_CODES = Object.keys(DIALECTS).map(Number);

interface SwitchSpec {
  nextSteps?: SettingRule['nextSteps'];
  id: string;
  title: string;
  displayName: string;
  side: 'server' | 'client';
  name: string;
  values: Record<number, string>;
  defaults: string;
  baselines: SettingRule['baselines'];
  watch?: SettingRule['watch'];
  explanation: SettingRule['explanation'];
  references: Reference[];
  offMessage: string;
  fixTitle: string;
  posture: PosturePlace;
}

/** An audit switch of the 24H2 Lanman Server / Lanman Workstation templates: 1 = on, 0 = off (info). */
function auditSwitch(s: SwitchSpec): SettingRule {
  const server = s.side === 'server';
  return {
    id: s.id,
    posture: s.posture,
    stage: 'audit',
    ...(s.nextSteps ? { nextSteps: s.nextSteps } : {}),
    admx: [
      {
        name: s.displayName,
        category: server ? 'Network/Lanman Server' : 'Network/Lanman Workstation',
        categoryMustMatch: true,
        key: server ? POL_SERVER : POL_WKS,
        valueName: s.name,
        state: { kind: 'on-off', enabled: 1, disabled: 0 },
      },
    ],
    title: s.title,
    category: 'smb',
    severity: 'info',
    displayName: s.displayName,
    gpoPath: server ? AT_LANMAN_SERVER : AT_LANMAN_WKS,
    locations: [
      { hive: 'HKLM', key: server ? POL_SERVER : POL_WKS, name: s.name },
      { hive: 'HKLM', key: server ? LANMAN_SERVER : LANMAN_WKS, name: s.name },
    ],
    valueType: 'REG_DWORD',
    values: s.values,
    secure: '1 (Enabled)',
    side: s.side,
    defaults: s.defaults,
    baselines: s.baselines,
    ...(s.watch ? { watch: s.watch } : {}),
    explanation: s.explanation,
    references: s.references,
    fixes: [{ value: 1, title: s.fixTitle, preferred: true }],
    judge: onOffJudge(s.name, () => s.offMessage),
    // An audit switch only produces events; leaving it unset exposes nothing by itself. Default 0 (§1.8 [S9][S10]).
    osDefaults: [{ value: 0, exposed: false }],
  };
}

function dialectRule(side: 'server' | 'client', bound: 'min' | 'max'): SettingRule {
  const server = side === 'server';
  const name = bound === 'min' ? 'MinSmb2Dialect' : 'MaxSmb2Dialect';
  const who = server ? 'this SMB server' : 'this SMB client';
  const other = server ? 'clients' : 'servers';
  const isMin = bound === 'min';
  const secureCode = isMin ? 768 : 785;
  return {
    id: `smb.${side}.dialect.${bound}`,
    posture: { outside: 'the SMB dialect range is judged by its finding; the ladder rates signing, not dialects' },
    title: isMin
      ? `SMB ${side} minimum dialect should be SMB 3.0 or newer`
      : `SMB ${side} maximum dialect should not be capped below SMB 3.1.1`,
    category: 'smb',
    severity: isMin ? 'info' : 'warning',
    displayName: isMin ? 'Mandate the minimum version of SMB' : 'Mandate the maximum version of SMB',
    admx: [
      {
        name: isMin ? 'Mandate the minimum version of SMB' : 'Mandate the maximum version of SMB',
        category: server ? 'Network/Lanman Server' : 'Network/Lanman Workstation',
        categoryMustMatch: true,
        key: server ? POL_SERVER : POL_WKS,
        valueName: name,
        state: { kind: 'smb-dialect' },
      },
    ],
    gpoPath: server ? AT_LANMAN_SERVER : AT_LANMAN_WKS,
    locations: [
      { hive: 'HKLM', key: server ? POL_SERVER : POL_WKS, name },
      { hive: 'HKLM', key: server ? LANMAN_SERVER : LANMAN_WKS, name },
    ],
    valueType: 'REG_DWORD',
    values: Object.fromEntries(
      DIALECT_CODES.map((c) => [c, `${DIALECTS[c]} (0x0${c.toString(16)})`]),
    ) as Record<number, string>,
    secure: isMin ? '768 (SMB 3.0.0) or higher' : '785 (SMB 3.1.1)',
    side,
    defaults: isMin
      ? 'Not configured: 514 (SMB 2.0.2), so every SMB 2 and 3 dialect is allowed.'
      : 'Not configured: 785 (SMB 3.1.1), the newest dialect.',
    baselines: { microsoft: isMin ? '768 (Windows 11 24H2 baseline)' : '785 (Windows 11 24H2 baseline)' },
    explanation: {
      what:
        `${server ? 'Server' : 'Client'} side. Sets the ${isMin ? 'oldest' : 'newest'} SMB 2/3 dialect ${who} will negotiate, as the dialect code in decimal: ` +
        '514 = 2.0.2, 528 = 2.1.0, 768 = 3.0.0, 770 = 3.0.2, 785 = 3.1.1. ' +
        `The value name ${name} comes from the Microsoft baseline transcription; the Policy CSP page does not spell it out.`,
      why: isMin
        ? 'SMB 2.x dialects cannot carry SMB encryption (it needs SMB 3.0 or newer) and lack the pre-authentication integrity check that SMB 3.1.1 adds against downgrades. ' +
          `Raising the floor keeps ${other} that only speak those old dialects from getting a session at all.`
        : 'SMB 3.1.1 adds pre-authentication integrity, which protects the negotiation itself against downgrade by someone on the path. ' +
          'A maximum below 785 throws that protection away for every session, with no security gain.',
      attack: isMin
        ? 'An attacker in the path has more room when a session may settle on an old dialect: no encryption is possible and the negotiation is not integrity-protected the way SMB 3.1.1 is. ' +
          'Note that this policy does not disable SMBv1; a machine with the SMBv1 component installed and enabled still speaks it.'
        : 'With the cap below 3.1.1, a man-in-the-middle who tampers with dialect negotiation is not detected by the 3.1.1 pre-authentication integrity hash. ' +
          'The cap also never disables SMBv1, which is configured separately.',
      fix: isMin
        ? `Set "Mandate the minimum version of SMB" (${server ? 'Lanman Server' : 'Lanman Workstation'}) to SMB 3.0.0 (768) or higher, as the Microsoft baseline does. ` +
          'To turn off SMBv1, use the MS Security Guide SMBv1 policies instead; the dialect floor does not do that.'
        : `Set "Mandate the maximum version of SMB" (${server ? 'Lanman Server' : 'Lanman Workstation'}) to SMB 3.1.1 (785), or leave it not configured, which has the same effect. ` +
          'The Microsoft baseline sets 785 explicitly.',
      rollout: isMin
        ? `Before raising the floor, find ${other} that only speak SMB 2.0.2 or 2.1 (old operating systems, appliances, NAS firmware); they will fail to connect afterwards. ` +
          'PowerShell exposes the same limits as Smb2DialectMin / Smb2DialectMax. ' +
          NEW_TEMPLATE_NOTE
        : 'Capping the dialect is sometimes done to work around a device bug; fix or replace that device instead and remove the cap. ' + NEW_TEMPLATE_NOTE,
    },
    references: [REF.S4, server ? REF.S9 : REF.S10, REF.S1, REF.S26],
    fixes: [
      {
        value: secureCode,
        title: isMin ? 'Mandate SMB 3.0.0 (768) as the minimum dialect' : 'Allow SMB 3.1.1 (785) as the maximum dialect',
        preferred: true,
      },
    ],
    judge: (value) => {
      const v = documented(value, name, DIALECT_CODES);
      if (typeof v !== 'number') return v;
      if (isMin) {
        return v >= 768
          ? HARDENED
          : weak(
              `${name} = ${v} (${DIALECTS[v]}) lets ${who} still negotiate SMB 2.x with ${other}; those sessions cannot be encrypted and lack the SMB 3.1.1 downgrade protection.`,
            );
      }
      return v >= 785
        ? HARDENED
        : weak(
            `${name} = ${v} (${DIALECTS[v]}) caps ${who} below SMB 3.1.1, so no session gets the 3.1.1 pre-authentication integrity (downgrade) protection.`,
          );
    },
    // The defaults (514 floor, 785 cap) are what Windows ships with; not configuring the policy opens nothing new.
    osDefaults: [{ value: isMin ? 514 : 785, exposed: false }],
  };
}

/** `RequireMutualAuthentication=1, RequireIntegrity=1` (case-insensitive, spaces and commas tolerated). */
const REQUIRED_FLAGS = ['RequireMutualAuthentication', 'RequireIntegrity'] as const;

function judgeHardenedPath(value: RegData): Judgement {
  const expected = 'a string such as "RequireMutualAuthentication=1, RequireIntegrity=1"';
  if (typeof value !== 'string') {
    return {
      status: 'unknown',
      message: `${describe(value)} is not a documented value for a hardened UNC path; expected ${expected} (REG_SZ).`,
    };
  }
  const flags = new Map<string, string>();
  for (const m of value.matchAll(/(RequireMutualAuthentication|RequireIntegrity|RequirePrivacy)\s*=\s*([^\s,;]*)/gi)) {
    flags.set(m[1].toLowerCase(), m[2]);
  }
  const bad = [...flags.entries()].find(([, v]) => v !== '0' && v !== '1');
  if (flags.size === 0 || bad) {
    return {
      status: 'unknown',
      message: `${describe(value)} is not a documented value for a hardened UNC path; expected ${expected}, each flag 0 or 1.`,
    };
  }
  const off = REQUIRED_FLAGS.filter((f) => flags.get(f.toLowerCase()) === '0');
  if (off.length > 0) {
    return weak(
      `The hardened path ${describe(value)} turns ${off.join(' and ')} off (= 0): ` +
        'clients may then accept an unauthenticated or unsigned connection to this share, and what they fetch from it could be altered in transit.',
    );
  }
  const missing = REQUIRED_FLAGS.filter((f) => !flags.has(f.toLowerCase()));
  if (missing.length > 0) {
    return weak(
      `The hardened path ${describe(value)} does not set ${missing.map((f) => f + '=1').join(' or ')}; ` +
        'the baselines require both RequireMutualAuthentication=1 and RequireIntegrity=1 for SYSVOL and NETLOGON.',
    );
  }
  return HARDENED;
}

export const smbRules: SettingRule[] = [
  {
    id: 'smb.server.require',
    posture: { family: 'smb-signing', gate: true },
    evidence: {
      events: [{ log: 'Microsoft-Windows-SMBServer/Audit', ids: [3021, 3027] }],
      howToAudit:
        'turn on "Audit client does not support signing" (AuditClientDoesNotSupportSigning = 1) on the SMB servers, then export Microsoft-Windows-SMBServer/Audit',
    },
    auditSwitch: 'smb.server.audit.signing',
    related: ['smb.server.enable'],
    securityOption: { name: 'Microsoft network server: Digitally sign communications (always)', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature' },
    title: 'SMB server signing must be required',
    category: 'smb',
    severity: 'error',
    displayName: 'Microsoft network server: Digitally sign communications (always)',
    gpoPath: SEC_OPT,
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
    watch: [{ log: 'Microsoft-Windows-SMBServer/Audit', ids: [3021, 3027] }],
    explanation: {
      what:
        'Server side. With 1 the SMB server refuses any session that is not signed; with 0 it signs only when the client insists. ' +
        'On SMB 2 and 3 a session is signed when either side requires it, so this value alone decides whether the server can be reached without signing.',
      why:
        'Whether a host can be the target of an NTLM relay over SMB is decided on that host, by this value or one of the alternatives KB5066913 names (see How to fix). Client-side signing settings on other machines do not protect it.',
      attack:
        'An attacker who gets a victim to authenticate to them (name-resolution poisoning, a coerced authentication, a link to a rogue share) forwards that NTLM ' +
        'exchange to a server that does not require signing and receives a working session as the victim: files, services and admin shares, with the victim\'s rights. ' +
        'Without signing the traffic can also be altered in transit.',
      fix:
        'Set "Microsoft network server: Digitally sign communications (always)" to Enabled (RequireSecuritySignature = 1) in the GPO that applies to your servers and workstations. ' +
        'KB5066913 names SMB server EPA, and encrypting all traffic while rejecting unencrypted access, as the other ways to close the relay path; ' +
        'relaylint takes SMB server EPA to be the SPN target name validation setting (smb.server.spn).',
      rollout:
        'Turn on the audit first: "Audit client does not support signing" (Lanman Server, also back-ported by KB5066913). Watch Microsoft-Windows-SMBServer/Audit for events ' +
        'reported as 3021 (SMB2/3 clients) and 3027 (SMBv1 clients; reported to be unreliable in both directions), update or isolate the clients that show up, then require signing. ' +
        'Requiring signing also ends guest fallback, which Microsoft advises against keeping.',
    },
    references: [REF.S1, REF.S2, REF.S3, REF.S11, REF.S24, REF.S41, REF.S26, REF.S27],
    fixes: [{ value: 1, title: 'Require SMB server signing (always)', preferred: true }],
    judge: onOffJudge(
      'RequireSecuritySignature',
      () =>
        'SMB server signing is not required (RequireSecuritySignature = 0): this host accepts unsigned sessions and can be the target of an NTLM relay over SMB.',
    ),
    // Pre-24H2 members and clients default to "not required"; 24H2 Ent/Pro/Edu require inbound signing by default;
    // DCs get it from the Default Domain Controllers Policy; Server 2025: [S2] (outbound only) is followed, see §7.1.
    osDefaults: [
      // Domain controllers: the Default Domain Controllers Policy requires it; Windows 11 24H2 requires inbound signing by default.
      { roles: ['dc'], value: 1, exposed: false },
      { targetOs: ['win11-24h2'], value: 1, exposed: false, says: 'Windows 11 24H2 Enterprise, Pro and Education already require inbound signing by default' },
      // Server 2025: the two pages disagree (§7.1); relaylint follows [S2], which says only outbound signing is required there.
      {
        targetOs: ['ws2025'],
        value: 0,
        exposed: true,
        says: 'For Windows Server 2025 Microsoft\'s pages disagree on whether inbound signing is required by default; relaylint follows "Control SMB signing behavior", which says only outbound signing is',
      },
      // Members before 24H2.
      { value: 0, exposed: true },
    ],
  },
  {
    id: 'smb.server.enable',
    posture: { family: 'smb-signing' },
    related: ['smb1.server', 'smb.server.require'],
    nextSteps: [
      {
        value: 1,
        next: 'smb.server.require',
        message:
          "SMB server signing is enabled 'if client agrees' but not required (always) in this file, so the server still accepts unsigned SMB 2/3 sessions. Next step: turn on the signing audit, watch the SMB server audit log (the events reported as 3021/3027), then require signing.",
        // Per target OS: rendered from smb.server.require's osDefaults rows ([S2] for 24H2, [S2] vs [S3] for Server 2025, §7.1).
        byDefault: {
          lead: "SMB server signing is enabled 'if client agrees' but not required (always) in this file.",
          whenSecure:
            '; requiring it here keeps it so where that default was changed. Before you do, turn on the signing audit and watch the SMB server audit log (the events reported as 3021/3027).',
          whenExposed:
            ', so the server may still accept unsigned SMB 2/3 sessions. Next step: turn on the signing audit, watch the SMB server audit log (the events reported as 3021/3027), then require signing.',
        },
      },
    ],
    stage: 'negotiate',
    securityOption: { name: 'Microsoft network server: Digitally sign communications (if client agrees)', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\EnableSecuritySignature' },
    title: 'SMB server should offer signing to SMBv1 clients',
    category: 'smb',
    severity: 'info',
    displayName: 'Microsoft network server: Digitally sign communications (if client agrees)',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LANMAN_SERVER, name: 'EnableSecuritySignature' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the server does not negotiate signing with SMBv1 clients',
      1: 'Enabled: the server negotiates signing with SMBv1 clients that have signing enabled',
    },
    secure: '1 (Enabled)',
    side: 'server',
    defaults:
      'Enabled only on domain controllers; HardeningKitty records 0 as the out-of-box registry value on other machines. ' +
      'SMB 2 and 3 ignore this value on every Windows version.',
    baselines: { microsoft: 'not set', cis: '1 (2.3.9.3, L1)', stig: 'WN19-SO-000200 (not in the Windows 10/11 profiles read)' },
    explanation: {
      what:
        'Server side, SMBv1 only. With 1 the server signs SMBv1 sessions when the client is willing; with 0 it does not offer signing to SMBv1 clients. ' +
        'For SMB 2 and 3 Windows ignores this value: only the "(always)" setting on either side decides whether a session is signed.',
      why:
        'It matters only while the SMBv1 server is still enabled on the host. Leaving it at 1 costs nothing, and some baselines (CIS, the Server 2019 STIG) check it.',
      attack:
        'An unsigned SMBv1 session can be altered in transit or relayed. SMBv1 itself is the bigger problem: its signing is the old MD5-based scheme and it lacks the SMB 3.1.1 downgrade protection.',
      fix:
        'Set "Microsoft network server: Digitally sign communications (if client agrees)" to Enabled. ' +
        'The finding that stops relay is the "(always)" setting (smb.server.require); better still, turn off the SMBv1 server (smb1.server).',
      rollout:
        'Microsoft\'s older SMBv1 guidance was to enable the "if ... agrees" settings everywhere first, since they break nothing, and then move to "(always)". ' +
        'For SMB 2 and 3 that first step does nothing; the real step is the signing audit described under smb.server.require.',
    },
    references: [REF.S1, REF.S12, REF.S11, REF.S26, REF.S27],
    fixes: [{ value: 1, title: 'Enable SMB server signing if the client agrees', preferred: true }],
    judge: (value, ctx) => {
      const v = documented(value, 'EnableSecuritySignature', [0, 1]);
      if (typeof v !== 'number') return v;
      if (v === 1) return HARDENED;
      return ctx.peers.get('smb1.server') === 1
        ? weak(
            'The server does not offer signing to SMBv1 clients (EnableSecuritySignature = 0), and the SMBv1 server is enabled in the same scope (SMB1 = 1), ' +
              'so SMBv1 sessions may run unsigned unless the server requires signing.',
            'warning',
          )
        : weak(
            'EnableSecuritySignature = 0 turns off negotiated signing for SMBv1 clients only; SMB 2 and 3 ignore it. It matters only where the SMBv1 server is still enabled.',
            'info',
          );
    },
    // SMB 2/3 ignore it, and SMBv1 is not installed by default since 1709.
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'smb.client.require',
    posture: { family: 'smb-signing' },
    evidence: {
      events: [{ log: 'Microsoft-Windows-SMBClient/Audit', ids: [31998, 31999] }],
      howToAudit:
        'turn on "Audit server does not support signing" on the clients, then export Microsoft-Windows-SMBClient/Audit from them',
      // settings-and-formats.md §1.9: one of the two ids is the encryption audit's, which one is UNVERIFIED.
      sharedWith: { switchRule: 'smb.client.audit.encryption', ids: [31998, 31999] },
    },
    auditSwitch: 'smb.client.audit.signing',
    // Which of the two ids means signing (and which encryption) is not confirmed: both are listed.
    related: ['smb.client.enable'],
    securityOption: { name: 'Microsoft network client: Digitally sign communications (always)', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature' },
    title: 'SMB client signing should be required',
    category: 'smb',
    severity: 'warning',
    displayName: 'Microsoft network client: Digitally sign communications (always)',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LANMAN_WKS, name: 'RequireSecuritySignature' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the client signs only when the server requires it',
      1: 'Enabled: the client refuses to talk to a server without signing',
    },
    secure: '1 (Enabled)',
    side: 'client',
    defaults:
      'Disabled before Windows 11 24H2. "Control SMB signing behavior" lists outbound signing as required by default on Windows 11 24H2 Enterprise, Pro and Education and on Windows Server 2025 ' +
      '(Windows 11 24H2 Home requires neither direction).',
    baselines: { microsoft: '1', cis: '1 (2.3.8.1)', stig: 'WN10/WN11-SO-000100, WN19-SO-000160' },
    watch: [{ log: 'Microsoft-Windows-SMBClient/Audit', ids: [31998, 31999] }],
    explanation: {
      what:
        'Client side. With 1 the SMB client insists on signing for every session it opens; with 0 it signs only when the server requires it. ' +
        'On SMB 2 and 3 a session is signed when either side requires it.',
      why:
        'It protects the client from a spoofed or intercepting server: without signing, the files and responses it receives can be tampered with. ' +
        'It does not stop an attacker from relaying this client\'s credentials to a different server that does not require signing; only the target\'s server-side setting (smb.server.require) does that.',
      attack:
        'An attacker who sits between the client and a server that does not require signing, or who impersonates that server, can change what the client reads and writes over SMB. ' +
        'Requiring signing on the client turns such a session into a failed connection.',
      fix:
        'Set "Microsoft network client: Digitally sign communications (always)" to Enabled (RequireSecuritySignature = 1 under LanmanWorkstation\\Parameters). ' +
        'relaylint also offers enabling "(if server agrees)" first, the staged step of Microsoft\'s older SMBv1 guidance.',
      rollout:
        'Turn on "Audit server does not support signing" (Lanman Workstation) and watch Microsoft-Windows-SMBClient/Audit for events 31998 and 31999 (one reports servers that cannot sign, the other servers that cannot encrypt; which id is which is not confirmed) to find servers that cannot sign (typically old NAS or appliances); ' +
        'update them, then require signing. For SMBv1 peers Microsoft\'s older staged order was "if server agrees" first, then "(always)".',
    },
    references: [REF.S1, REF.S2, REF.S12, REF.S11, REF.S26, REF.S27],
    fixes: [
      { value: 1, title: 'Require SMB client signing (always)', preferred: true },
      { value: 1, target: 'smb.client.enable', title: "Enable 'if server agrees' first (rollout step)" },
    ],
    judge: onOffJudge(
      'RequireSecuritySignature',
      () =>
        'SMB client signing is not required (RequireSecuritySignature = 0): sessions to servers that do not require signing run unsigned, so a spoofed or intercepting server can tamper with them.',
    ),
    // Off by default before 24H2; Win11 24H2 (Ent/Pro/Edu) and Server 2025 require outbound signing by default [S2][S3] (both pages agree on the client side).
    osDefaults: [
      { targetOs: ['legacy'], value: 0, exposed: true },
      // Windows 11 24H2 (Enterprise, Pro, Education) and Server 2025 require outbound signing by default [S2].
      { targetOs: ['win11-24h2'], value: 1, exposed: false, says: 'Windows 11 24H2 Enterprise, Pro and Education already require client signing by default' },
      { targetOs: ['ws2025'], value: 1, exposed: false, says: 'Windows 11 24H2 Enterprise, Pro and Education and Windows Server 2025 already require client signing by default' },
    ],
  },
  {
    id: 'smb.client.enable',
    posture: { family: 'smb-signing' },
    related: ['smb1.client', 'smb.client.require'],
    nextSteps: [
      {
        value: 1,
        next: 'smb.client.require',
        message:
          "SMB client signing is enabled 'if server agrees' but not required (always) in this file. That only matters for SMB1; on SMB 2/3 the next step is to audit servers that cannot sign, then require client signing.",
        // Per target OS: rendered from smb.client.require's osDefaults rows ([S2]).
        byDefault: {
          lead: "SMB client signing is enabled 'if server agrees' but not required (always) in this file. That only matters for SMB1.",
          whenSecure: '; requiring it here keeps it so where that default was changed.',
        },
      },
    ],
    stage: 'negotiate',
    securityOption: { name: 'Microsoft network client: Digitally sign communications (if server agrees)', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnableSecuritySignature' },
    title: 'SMB client should sign SMBv1 sessions when the server agrees',
    category: 'smb',
    severity: 'info',
    displayName: 'Microsoft network client: Digitally sign communications (if server agrees)',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LANMAN_WKS, name: 'EnableSecuritySignature' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the client does not negotiate signing with SMBv1 servers',
      1: 'Enabled: the client signs SMBv1 sessions when the server supports it',
    },
    secure: '1 (Enabled)',
    side: 'client',
    defaults: 'Enabled on all roles. SMB 2 and 3 ignore this value.',
    baselines: { microsoft: 'not set', cis: '1 (2.3.8.2)', stig: 'WN19-SO-000170' },
    explanation: {
      what:
        'Client side, SMBv1 only. With 1 the client negotiates signing with SMBv1 servers that support it; with 0 it does not. ' +
        'For SMB 2 and 3 Windows ignores the value, and signing depends only on the "(always)" settings.',
      why:
        'It matters only while the SMBv1 client driver is still running. Over SMBv1, a server that requires signing cannot be reached by a client with signing disabled, so 0 can also break connections.',
      attack:
        'An unsigned SMBv1 session can be tampered with by anyone on the path. SMBv1 is weak in any case: MD5-based signing and no SMB 3.1.1 downgrade protection.',
      fix:
        'Set "Microsoft network client: Digitally sign communications (if server agrees)" to Enabled, which is also the default. ' +
        'Better still, disable the SMBv1 client driver (smb1.client).',
      rollout:
        'Enabling it is harmless and was the first step of Microsoft\'s older SMBv1 signing rollout, before the "(always)" settings. It has no effect on SMB 2 or 3 sessions.',
    },
    references: [REF.S1, REF.S12, REF.S26, REF.S27],
    fixes: [{ value: 1, title: 'Enable SMB client signing if the server agrees', preferred: true }],
    judge: (value, ctx) => {
      const v = documented(value, 'EnableSecuritySignature', [0, 1]);
      if (typeof v !== 'number') return v;
      if (v === 1) return HARDENED;
      const start = ctx.peers.get('smb1.client');
      return start === 2 || start === 3
        ? weak(
            `The client does not negotiate signing with SMBv1 servers (EnableSecuritySignature = 0), and the SMBv1 client driver is enabled in the same scope (MrxSmb10 Start = ${start}), ` +
              'so SMBv1 sessions may run unsigned.',
            'warning',
          )
        : weak(
            'EnableSecuritySignature = 0 turns off negotiated signing for SMBv1 sessions only; SMB 2 and 3 ignore it. It matters only where the SMBv1 client driver is still enabled.',
            'info',
          );
    },
    // Enabled by default on all roles [S12].
    osDefaults: [{ value: 1, exposed: false }],
  },
  {
    id: 'smb.client.plaintext',
    posture: { outside: 'a weak value is a finding by itself (a clear-text password to third-party SMB servers), not a stage of a signing rollout' },
    securityOption: { name: 'Microsoft network client: Send unencrypted password to third-party SMB servers', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnablePlainTextPassword' },
    title: 'SMB client must not send clear-text passwords',
    category: 'smb',
    severity: 'error',
    displayName: 'Microsoft network client: Send unencrypted password to third-party SMB servers',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LANMAN_WKS, name: 'EnablePlainTextPassword' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the client never sends a clear-text password',
      1: 'Enabled: the client sends the password in clear text to servers that do not support password encryption',
    },
    secure: '0 (Disabled)',
    side: 'client',
    defaults: '0 (Disabled), as recorded by the HardeningKitty lists and the STIG profiles (secondary sources; no Microsoft page read for relaylint states it).',
    baselines: { microsoft: '0', cis: '0 (2.3.8.3)', stig: 'WN10/WN11-SO-000110, WN19-SO-000180' },
    explanation: {
      what:
        'Client side. With 1 the SMB client will hand over the user\'s password unencrypted when a server says it cannot handle password encryption. With 0 it refuses.',
      why: 'A clear-text password is the credential itself: whoever sees it can log on as the user anywhere the password works, with no cracking needed. ' +
        'Unlike a captured NTLM response, it needs no relay or offline attack to be useful.',
      attack:
        'Anyone who can sniff the traffic reads the password. A malicious or spoofed server (reached through poisoned name resolution or a planted link) only has to claim it does not support encryption to be sent the password.',
      fix:
        'Set "Microsoft network client: Send unencrypted password to third-party SMB servers" to Disabled (EnablePlainTextPassword = 0), which is also the default. The DISA STIG and CIS both check for 0.',
      rollout:
        'No audit step is needed: 0 is the recorded default, so only a very old third-party SMB server that cannot encrypt passwords would notice. Replace or upgrade such a server rather than turning this on.',
    },
    references: [REF.S28, REF.S26, REF.S27],
    fixes: [{ value: 0, title: 'Never send unencrypted passwords to SMB servers', preferred: true }],
    judge: onOffJudge(
      'EnablePlainTextPassword',
      () =>
        'EnablePlainTextPassword = 1 lets the SMB client send passwords in clear text to servers that claim not to support encryption, so a rogue server or anyone sniffing gets the password.',
      undefined,
      0,
    ),
    // Default 0.
    osDefaults: [{ value: 0, exposed: false, secondary: 'the HardeningKitty lists and the STIG profiles' }],
  },
  {
    id: 'smb.server.spn',
    posture: { family: 'smb-signing' },
    evidence: {
      events: [{ log: 'Microsoft-Windows-SMBServer/Audit', ids: [3024, 3025, 3026] }],
      howToAudit:
        'turn on the SMB server SPN audit of KB5066913, then export Microsoft-Windows-SMBServer/Audit',
    },
    securityOption: { name: 'Microsoft network server: Server SPN target name validation level', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\SmbServerNameHardeningLevel' },
    title: 'SMB server should validate the SPN clients authenticate to',
    category: 'smb',
    severity: 'warning',
    displayName: 'Microsoft network server: Server SPN target name validation level',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LANMAN_SERVER, name: 'SmbServerNameHardeningLevel' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Off: the server does not check the SPN',
      1: 'Accept if provided by client: the SPN is checked when the client sends one',
      2: 'Required from client: the client must send a matching SPN',
    },
    secure: '1 (Accept if provided by client) or 2 (Required from client)',
    side: 'server',
    defaults: 'Off (0).',
    baselines: {
      microsoft: 'not set',
      cis: '1 or higher (2.3.9.5; member servers only in the server benchmark)',
      stig: 'not in the profiles read',
    },
    watch: [
      { log: 'Security', ids: [5168] },
      { log: 'Microsoft-Windows-SMBServer/Audit', ids: [3024, 3025, 3026] },
    ],
    watchNote: 'The SMB server audit events come with the EPA audit switch AuditClientSpnSupport that KB5066913 adds',
    explanation: {
      what:
        'Server side. The SMB server checks the service principal name the client authenticated to against its own names: 0 turns the check off, 1 checks it when the client provides one, 2 requires the client to provide it. ' +
        'It applies to SMB1 and SMB2.',
      why:
        'A relayed authentication carries an SPN for the attacker\'s machine, not for this server, so the check lets the server reject it. ' +
        'KB5066913 names "SMB server EPA" as an alternative to requiring server signing; relaylint assumes that is this setting, which Microsoft does not state in so many words.',
      attack:
        'In an NTLM relay over SMB the victim authenticates to the attacker and the attacker replays it to this server. With validation off, the server accepts the session even though it was meant for another host.',
      fix:
        'Set "Microsoft network server: Server SPN target name validation level" to "Accept if provided by client" (1), or to "Required from client" (2) once all clients send SPNs. ' +
        'Requiring SMB server signing (smb.server.require) remains the main fix for relay to SMB.',
      rollout:
        'Start with 1 and enable File Share auditing so that failures show up as Security event 5168; NTLMv1 and LM clients cannot send an SPN, so they are the ones to expect there. ' +
        'Move to 2 only when no legitimate client appears.',
    },
    references: [REF.S13, REF.EVENT5168, REF.S24, REF.S41, REF.S28, REF.S26],
    fixes: [
      { value: 1, title: 'Validate the SPN when the client provides one', preferred: true },
      { value: 2, title: 'Require a valid SPN from every client' },
    ],
    judge: (value) => {
      const v = documented(value, 'SmbServerNameHardeningLevel', [0, 1, 2]);
      if (typeof v !== 'number') return v;
      return v >= 1
        ? HARDENED
        : weak(
            'SMB server SPN validation is off (SmbServerNameHardeningLevel = 0): the server does not check which server name a client authenticated to, one of the ways to refuse a relayed session.',
          );
    },
    // Defence in depth next to signing; the Microsoft baseline does not set it. The relay exposure itself is smb.server.require.
    osDefaults: [{ value: 0, exposed: false }],
  },
  {
    id: 'smb.server.nullsess',
    posture: { outside: 'anonymous access to named pipes and shares is judged by its finding; it is not a relay-hardening stage' },
    securityOption: { name: 'Network access: Restrict anonymous access to Named Pipes and Shares', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RestrictNullSessAccess' },
    title: 'Anonymous access to named pipes and shares must be restricted',
    category: 'smb',
    severity: 'warning',
    displayName: 'Network access: Restrict anonymous access to Named Pipes and Shares',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LANMAN_SERVER, name: 'RestrictNullSessAccess' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: anonymous (null session) users are not restricted',
      1: 'Enabled: anonymous access is restricted; the NullSessionPipes and NullSessionShares lists name the exceptions',
    },
    secure: '1 (Enabled)',
    side: 'server',
    defaults: '1 (Enabled), as recorded by the HardeningKitty lists and the STIG profiles (secondary sources).',
    baselines: {
      microsoft: '1',
      cis: '1 (2.3.10.9 Windows 11 / 2.3.10.10 WS2022)',
      stig: 'WN10/WN11-SO-000165 (CAT I), WN19-SO-000250',
    },
    explanation: {
      what:
        'Server side. With 1 the SMB server limits what a session without credentials (a null session) can open; the exceptions are the lists "Network access: Named Pipes that can be accessed anonymously" (NullSessionPipes) and "Network access: Shares that can be accessed anonymously" (NullSessionShares). ' +
        'With 0 that restriction is gone.',
      why:
        'Unauthenticated access to pipes and shares lets anyone on the network enumerate the host and, through it, the domain. The DISA STIG rates it CAT I.',
      attack:
        'An attacker with no account connects anonymously and queries pipes or reads shares. ' +
        'What comes back (users, groups and other details) feeds password spraying, relay target selection and similar attacks.',
      fix:
        'Set "Network access: Restrict anonymous access to Named Pipes and Shares" to Enabled (RestrictNullSessAccess = 1). ' +
        'Keep NullSessionPipes and NullSessionShares empty on member machines; on domain controllers CIS accepts netlogon, samr and lsarpc in the pipes list.',
      rollout:
        '1 is the recorded default, so a 0 in a GPO is a deliberate exception. Find out which application needed anonymous access, give it credentials or a narrow pipe or share exception, then restore 1.',
    },
    references: [REF.S26, REF.S27, REF.S28],
    fixes: [{ value: 1, title: 'Restrict anonymous access to named pipes and shares', preferred: true }],
    judge: onOffJudge(
      'RestrictNullSessAccess',
      () =>
        'Anonymous access to named pipes and shares is not restricted (RestrictNullSessAccess = 0): anyone can open a null session and enumerate the host.',
    ),
    // Default 1.
    osDefaults: [{ value: 1, exposed: false, secondary: 'the HardeningKitty lists and the STIG profiles' }],
  },
  {
    id: 'smb1.server',
    posture: { family: 'smb1-guest', gate: true },
    evidence: {
      events: [{ log: 'Microsoft-Windows-SMBServer/Audit', ids: [3000] }],
      howToAudit:
        'run Set-SmbServerConfiguration -AuditSmb1Access $true (AuditSmb1Access = 1) on the servers, then export Microsoft-Windows-SMBServer/Audit',
    },
    admx: [
      // §1.5 [S30]: SecGuide "Configure SMB v1 server" writes LanmanServer\Parameters\SMB1.
      { name: 'Configure SMB v1 server', category: 'MS Security Guide', key: 'System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', valueName: 'SMB1', state: { kind: 'on-off', enabled: 1, disabled: 0 } },
    ],
    title: 'The SMBv1 server must be disabled',
    category: 'smb',
    severity: 'error',
    displayName: 'Configure SMB v1 server',
    gpoPath: AT_SECGUIDE,
    locations: [{ hive: 'HKLM', key: 'System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', name: 'SMB1' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the SMBv1 server is off (policy "Disabled")',
      1: 'Enabled: the server accepts SMBv1 connections (policy "Enabled")',
    },
    secure: '0 (policy Disabled)',
    side: 'server',
    defaults:
      'If the value is absent the SMBv1 server counts as enabled, but the SMBv1 component is not installed by default since Windows 10 / Windows Server version 1709.',
    baselines: { microsoft: '0', cis: '0 (18.4.4)', stig: 'WN10/WN11-00-000165, WN19-00-000390' },
    watch: [{ log: 'Microsoft-Windows-SMBServer/Audit', ids: [3000] }],
    watchNote: 'Logged once SMBv1 access auditing is on (Set-SmbServerConfiguration -AuditSmb1Access $true)',
    explanation: {
      what:
        'Server side. "Configure SMB v1 server" from the MS Security Guide template writes SMB1 under LanmanServer\\Parameters: Disabled writes 0 (SMBv1 server off), Enabled writes 1. ' +
        'Microsoft\'s own SMBv1 how-to also sets the same value through a Group Policy Preferences registry item.',
      why:
        'SMBv1 signs with an old MD5-based scheme and has none of the protections added in SMB 2.02 and later, such as SMB 3.1.1 pre-authentication integrity against downgrades. ' +
        'PingCastle treats an SMBv1 server as offering no usable integrity protection.',
      attack:
        'An attacker in the path can downgrade or tamper with SMBv1 sessions and relay authentications to them more easily than on SMB 2/3. ' +
        'The "Mandate the minimum version of SMB" policy does not help here: it does not stop SMBv1 when the component is installed and enabled.',
      fix:
        'Set "Configure SMB v1 server" (Administrative Templates > MS Security Guide) to Disabled, or write SMB1 = 0 with a Group Policy Preferences registry item. ' +
        'Removing the SMBv1 feature altogether is better still.',
      rollout:
        'Turn on SMBv1 access auditing on the servers first (Set-SmbServerConfiguration -AuditSmb1Access $true) and watch Microsoft-Windows-SMBServer/Audit for event 3000, which names each client that used SMBv1 by its address. ' +
        'Upgrade or retire those clients, then disable the SMBv1 server.',
    },
    references: [REF.S8, REF.S30, REF.S1, REF.S12, REF.S9, REF.S39, REF.E31, REF.S31, REF.S26, REF.S27],
    fixes: [{ value: 0, title: 'Disable the SMBv1 server', preferred: true }],
    judge: onOffJudge(
      'SMB1',
      () =>
        'The SMBv1 server is enabled (SMB1 = 1): clients can connect with SMBv1, whose weak signing and missing downgrade protection make tampering and relay easier.',
      undefined,
      0,
    ),
    // Absent means "enabled" in the registry, but the component is not installed by default since 1709 [S8][S12],
    // so a missing policy value is not by itself an exposure.
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'smb1.client',
    posture: { family: 'smb1-guest' },
    admx: [
      // §1.5 [S30][S29]: drop-down "Configure MrxSmb10 driver"; the Disabled radio button writes nothing.
      {
        name: 'Configure SMB v1 client driver',
        category: 'MS Security Guide',
        key: 'System\\CurrentControlSet\\Services\\MrxSmb10',
        valueName: 'Start',
        state: {
          kind: 'drop-down',
          choices: [
            ['disable driver', 4],
            ['manual start', 3],
            ['automatic start', 2],
          ],
          disabledNote:
            "it writes no registry value, so the SMBv1 client driver's start type is left unmanaged. The policy's help text warns never to choose Disabled; use Enabled with \"Disable driver\".",
        },
      },
    ],
    title: 'The SMBv1 client driver must be disabled',
    category: 'smb',
    severity: 'error',
    displayName: 'Configure SMB v1 client driver',
    gpoPath: AT_SECGUIDE,
    locations: [{ hive: 'HKLM', key: 'System\\CurrentControlSet\\Services\\MrxSmb10', name: 'Start' }],
    valueType: 'REG_DWORD',
    values: {
      2: 'Automatic start: the SMBv1 client driver loads at boot (default on Windows 8.1 / Server 2012 R2 and newer where SMBv1 is installed)',
      3: 'Manual start (the old default on Windows 7, Server 2008, 2008 R2 and 2012)',
      4: 'Disable driver: the SMBv1 client is off',
    },
    secure: '4 (policy Enabled with "Disable driver")',
    side: 'client',
    defaults:
      'Automatic start (2) on Windows 8.1 / Server 2012 R2 and newer, manual start (3) on older releases, wherever SMBv1 is installed. ' +
      'SMBv1 is not installed by default since Windows 10 / Windows Server version 1709, and the MrxSmb10 service may then not exist at all.',
    baselines: { microsoft: '4', cis: '4 (18.4.3)', stig: 'WN10/WN11-00-000170, WN19-00-000400' },
    explanation: {
      what:
        'Client side. "Configure SMB v1 client driver" (MS Security Guide) sets the start type of the MrxSmb10 driver through its "Configure MrxSmb10 driver" drop-down: 4 disables it, 3 and 2 leave it loadable. ' +
        'The policy must be Enabled with "Disable driver" selected; the template\'s help warns never to choose the policy\'s Disabled option.',
      why:
        'While the driver runs, the client can still be talked into SMBv1, with its MD5-based signing and no SMB 3.1.1 downgrade protection. ' +
        'The dialect policies do not switch SMBv1 off.',
      attack:
        'A spoofed or intercepting server that only offers SMBv1 gets a session protocol that is easier to tamper with, along with the client\'s authentication. ' +
        'With the driver disabled the client has no SMBv1 to fall back to.',
      fix:
        'Enable "Configure SMB v1 client driver" and choose "Disable driver" (MrxSmb10 Start = 4). On releases older than Windows 8.1 / Server 2012 R2 also enable the companion MS Security Guide policy that removes MRxSmb10 from LanmanWorkstation\\DependOnService; ' +
        'Microsoft\'s GPP how-to does the same with a Replace item setting DependOnService to Bowser, MRxSmb20, NSI.',
      rollout:
        'Find the servers that still need SMBv1 first (the SMBv1 access audit on the server side, see smb1.server), upgrade or retire them, then disable the driver. ' +
        'On releases older than Windows 8.1 / Server 2012 R2, deploy the DependOnService change together with it; the SecGuide template describes it as an extra setting those releases need.',
    },
    references: [REF.S8, REF.S30, REF.S1, REF.S12, REF.S10, REF.S26, REF.S27],
    fixes: [{ value: 4, title: 'Disable the SMBv1 client driver', preferred: true }],
    judge: (value) => {
      const v = documented(value, 'Start', [2, 3, 4]);
      if (typeof v !== 'number') return v;
      return v === 4
        ? HARDENED
        : weak(
            `The SMBv1 client driver is enabled (MrxSmb10 Start = ${v}, ${v === 2 ? 'automatic' : 'manual'} start): this machine can still be pulled into SMBv1 sessions, which are easier to tamper with.`,
          );
    },
    // Not installed by default since 1709 [S12]; a missing value is not by itself an exposure.
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'smb.client.guest',
    posture: { family: 'smb1-guest', gate: true },
    evidence: {
      events: [{ log: 'Microsoft-Windows-SmbClient/Security', ids: [31017, 31018, 31022] }],
      howToAudit:
        'turn on "Audit insecure guest logon" (smb.client.audit.guest) on the clients, then export Microsoft-Windows-SmbClient/Security from them (relaylint does not read these events yet)',
    },
    auditSwitch: 'smb.client.audit.guest',
    admx: [{ name: 'Enable insecure guest logons', category: 'Network/Lanman Workstation', key: POL_WKS, valueName: 'AllowInsecureGuestAuth', state: { kind: 'on-off', enabled: 1, disabled: 0 } }],
    title: 'Insecure SMB guest logons must be disabled',
    category: 'smb',
    severity: 'error',
    displayName: 'Enable insecure guest logons',
    gpoPath: AT_LANMAN_WKS,
    locations: [
      { hive: 'HKLM', key: POL_WKS, name: 'AllowInsecureGuestAuth' },
      { hive: 'HKLM', key: LANMAN_WKS, name: 'AllowInsecureGuestAuth' },
    ],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the SMB client refuses unauthenticated guest logons',
      1: 'Enabled: the SMB client falls back to guest access when a server offers it',
    },
    secure: '0 (Disabled)',
    side: 'client',
    defaults:
      'The Policy CSP gives 0. The template\'s help text says that Enabled and Not configured both allow guest logons, yet the operating system blocks them by default on Windows 10 Enterprise and Education, ' +
      'Windows Server 2019 and later, and Windows 11 Pro from build 25267. relaylint therefore flags a missing value only for older targets.',
    baselines: { microsoft: '0', cis: '0 (18.6.8.1)', stig: 'WN10/WN11-CC-000040, WN19-CC-000070' },
    watch: [{ log: 'Microsoft-Windows-SmbClient/Security', ids: [31017, 31018, 31022] }],
    explanation: {
      what:
        'Client side. With 1 the SMB client accepts a server\'s offer to log on as guest without credentials; with 0 it refuses. ' +
        'The policy can also be written directly under LanmanWorkstation\\Parameters; relaylint reads both places.',
      why:
        'A guest session has no user key, so it can be neither signed nor encrypted. A client that allows it cannot tell a real server from a fake one.',
      attack:
        'An attacker lures users to a rogue share (a phishing link, poisoned name resolution) or intercepts a session and offers guest access. The client connects without any integrity protection and may open files or run programs the attacker serves.',
      fix:
        'Set "Enable insecure guest logons" (Administrative Templates > Network > Lanman Workstation) to Disabled (AllowInsecureGuestAuth = 0). ' +
        'Give the NAS or share that needed guest access real accounts instead; requiring SMB signing also ends guest fallback, and Microsoft advises against weakening signing to keep guest access working.',
      rollout:
        'Enable "Audit insecure guest logon" on the clients and watch Microsoft-Windows-SmbClient/Security for 31022 (guest logon allowed) and 31017 (rejected) to see which servers still rely on guest access. ' +
        'Fix those servers, then disable guest logons.',
    },
    references: [REF.S5, REF.S10, REF.S2, REF.S3, REF.S26, REF.S27],
    fixes: [{ value: 0, title: 'Disable insecure guest logons', preferred: true }],
    judge: onOffJudge(
      'AllowInsecureGuestAuth',
      () =>
        'Insecure guest logons are allowed (AllowInsecureGuestAuth = 1): the SMB client accepts unauthenticated sessions that cannot be signed or encrypted, so a spoofed server can serve it files.',
      undefined,
      0,
    ),
    // ADMX: not configured = allowed; the OS blocks guest by default on Win10 Ent/Edu, Server 2019+ and Win11 Pro 25267+ (§1.8, §7.9).
    // A pre-24H2 fleet may still contain SKUs that allow it (Win10 Pro, Server 2016). Win11 24H2 Pro is past build 25267 and
    // Server 2025 is "Server 2019 and later"; Enterprise and Education are taken to keep the Windows 10 Ent/Edu default.
    osDefaults: [
      // Older targets may allow guest logons; newer editions block them by default (see defaults).
      { targetOs: ['legacy'], exposed: true },
      { exposed: false },
    ],
  },
  {
    id: 'smb.unc.hardened',
    posture: { outside: 'hardened UNC paths protect SYSVOL and NETLOGON against tampering; judged by its finding, not a ladder stage' },
    admx: [{ name: 'Hardened UNC Paths', category: 'Network/Network Provider', key: HARDENED_PATHS, valueName: '', state: { kind: 'list' } }],
    title: 'SYSVOL and NETLOGON must be hardened UNC paths',
    category: 'smb',
    severity: 'warning',
    displayName: 'Hardened UNC Paths',
    gpoPath: ADMIN_TEMPLATES + ' > Network > Network Provider',
    locations: [
      { hive: 'HKLM', key: HARDENED_PATHS, name: '\\\\*\\NETLOGON' },
      { hive: 'HKLM', key: HARDENED_PATHS, name: '\\\\*\\SYSVOL' },
    ],
    valueType: 'REG_SZ',
    values: {
      0: 'A flag (RequireMutualAuthentication, RequireIntegrity, RequirePrivacy) set to 0: that protection is not required for the path',
      1: 'A flag set to 1: the client requires that protection for the path',
    },
    secure: 'RequireMutualAuthentication=1, RequireIntegrity=1',
    side: 'client',
    defaults:
      'The fact base relaylint is built on records no built-in default for these entries, so relaylint treats a GPO set that does not configure them as not hardened.',
    baselines: {
      microsoft: 'RequireMutualAuthentication=1, RequireIntegrity=1 for \\\\*\\NETLOGON and \\\\*\\SYSVOL',
      cis: 'the same, plus RequirePrivacy=1',
      stig: 'WN10/WN11-CC-000050, WN19-CC-000080',
    },
    explanation: {
      what:
        'Client side. Each entry under NetworkProvider\\HardenedPaths names a UNC path (\\\\*\\NETLOGON and \\\\*\\SYSVOL, where * matches any server) and a REG_SZ list of flags. ' +
        'By their names, RequireMutualAuthentication=1 asks that the server prove its identity, RequireIntegrity=1 that the traffic be signed, and RequirePrivacy=1 (CIS) that it be encrypted; ' +
        'the fact base relaylint is built on records the values the baselines require, not a Microsoft description of each flag.',
      why:
        'Every domain machine reads Group Policy and logon scripts from SYSVOL and NETLOGON. If those connections are not authenticated and signed, the content a machine applies can be forged.',
      attack:
        'An attacker on the path, or one who can make a client reach a fake domain controller share, serves altered policy files or scripts. Without mutual authentication and integrity the client cannot tell the difference and runs them.',
      fix:
        'Enable "Hardened UNC Paths" (Administrative Templates > Network > Network Provider) and add \\\\*\\NETLOGON and \\\\*\\SYSVOL, each with "RequireMutualAuthentication=1, RequireIntegrity=1" ' +
        '(CIS adds RequirePrivacy=1). relaylint reads the flags in any letter case, separated by commas and spaces.',
      rollout:
        'Domain controllers already require SMB server signing through the Default Domain Controllers Policy, so if RequireIntegrity=1 asks for signing, as its name says, they already meet it. ' +
        'Deploy to a pilot group first, especially if you add RequirePrivacy=1 while some clients or DCs cannot encrypt.',
    },
    references: [REF.S26, REF.S27, REF.S11],
    fixes: [{ value: 'RequireMutualAuthentication=1, RequireIntegrity=1', title: 'Require mutual authentication and integrity for this path', preferred: true }],
    judge: (value) => judgeHardenedPath(value),
    // No documented secure OS default in the fact base; the Microsoft baseline, CIS and the STIG all require the entries.
    osDefaults: [{ exposed: true }],
  },
  auditSwitch({
    id: 'smb.server.audit.signing',
    posture: { family: 'smb-signing' },
    nextSteps: [
      {
        value: 1,
        next: 'smb.server.require',
        message:
          'SMB signing audit is on but this file does not require server signing yet. Once the audit log (the events reported as 3021/3027) shows no clients that cannot sign, require signing.',
      },
    ],
    title: 'SMB server should audit clients that cannot sign',
    displayName: 'Audit client does not support signing',
    side: 'server',
    name: 'AuditClientDoesNotSupportSigning',
    values: { 0: 'Disabled: no audit events', 1: 'Enabled: the SMB server logs clients that could not sign' },
    defaults: '0 (auditing off). KB5066913 back-ports the switch to older releases, also off by default.',
    baselines: { microsoft: '1 (Windows 11 24H2 baseline)', cis: '1 (WS2025 18.6.7.2, from CIS-derived material)' },
    watch: [{ log: 'Microsoft-Windows-SMBServer/Audit', ids: [3021, 3027] }],
    explanation: {
      what:
        'Server side. With 1 the SMB server writes an audit event for each client that does not support signing, without refusing it; with 0 nothing is logged. ' +
        'KB5066913 states that the switch covers SMBv1 as well as SMB 2/3 servers.',
      why:
        'It is the safe first step before requiring server signing (smb.server.require): it shows which clients would fail, while the server keeps working as before. ' +
        'KB5066913 brought it to older releases for exactly this purpose.',
      attack:
        'Auditing blocks nothing by itself. Without it, server signing tends to stay off for fear of breaking unknown clients, and the host remains an NTLM relay target.',
      fix:
        'Set "Audit client does not support signing" (Administrative Templates > Network > Lanman Server) to Enabled. ' +
        'KB5066913 brings the switch to releases from Windows Server 2008 (Premium Assurance) and 2012 onwards; whether those older builds read the policy key or the Parameters key is not confirmed, so relaylint accepts both.',
      rollout:
        'Enable it, collect Microsoft-Windows-SMBServer/Audit for a few weeks, and look for the events reported as 3021 (SMB2/3) and 3027 (SMBv1; reported to be wrong in both directions at times). ' +
        'Update or isolate the clients that appear, then require signing.',
    },
    references: [REF.S24, REF.S1, REF.S9, REF.S41, REF.S26],
    offMessage:
      'Auditing of clients that cannot sign is off (AuditClientDoesNotSupportSigning = 0), so there is no record of which clients would break once server signing is required.',
    fixTitle: 'Audit clients that do not support signing',
  }),
  auditSwitch({
    id: 'smb.server.audit.encryption',
    posture: { outside: 'an audit switch for SMB encryption, which the ladder does not rate' },
    title: 'SMB server should audit clients that cannot encrypt',
    displayName: 'Audit client does not support encryption',
    side: 'server',
    name: 'AuditClientDoesNotSupportEncryption',
    values: { 0: 'Disabled: no audit events', 1: 'Enabled: the SMB server logs clients that could not encrypt' },
    defaults: '0 (auditing off).',
    baselines: { microsoft: '1 (Windows 11 24H2 baseline)', cis: '1 (WS2025 18.6.7.1, from CIS-derived material)' },
    watch: [{ log: 'Microsoft-Windows-SMBServer/Audit', ids: [3022] }],
    explanation: {
      what:
        'Server side. With 1 the SMB server logs each client that cannot use SMB encryption; with 0 it does not. The audit never refuses a connection.',
      why:
        'Encrypting traffic and rejecting unencrypted access is one of the ways KB5066913 names to protect a server against relay. This audit shows which clients would be cut off before you go there.',
      attack:
        'Nothing is blocked either way. The value only decides whether you can see the clients that would keep an encryption requirement from being rolled out.',
      fix:
        'Set "Audit client does not support encryption" (Administrative Templates > Network > Lanman Server) to Enabled, as the Windows 11 24H2 baseline does. ' +
        'It only adds events, so it can go to all servers at once.',
      rollout:
        'Enable it together with the signing audit and review Microsoft-Windows-SMBServer/Audit. Microsoft lists event 3022 for that log besides 3021; relaylint assumes, without confirmation, that 3022 is the encryption event. ' +
        NEW_TEMPLATE_NOTE,
    },
    references: [REF.S1, REF.S9, REF.S24, REF.S26],
    offMessage:
      'Auditing of clients that cannot encrypt is off (AuditClientDoesNotSupportEncryption = 0), so you cannot tell which clients an encryption requirement would cut off.',
    fixTitle: 'Audit clients that do not support encryption',
  }),
  auditSwitch({
    id: 'smb.client.audit.signing',
    posture: { family: 'smb-signing' },
    title: 'SMB client should audit servers that cannot sign',
    displayName: 'Audit server does not support signing',
    side: 'client',
    name: 'AuditServerDoesNotSupportSigning',
    values: { 0: 'Disabled: no audit events', 1: 'Enabled: the SMB client logs servers that could not sign' },
    defaults: '0 (auditing off).',
    baselines: { microsoft: '1 (Windows 11 24H2 baseline)' },
    watch: [{ log: 'Microsoft-Windows-SMBClient/Audit', ids: [31998, 31999] }],
    explanation: {
      what:
        'Client side. With 1 the SMB client writes an audit event whenever a server it connects to does not support signing; with 0 it stays silent. Connections are not refused.',
      why:
        'It tells you which servers would become unreachable once client signing is required (smb.client.require), which is the default on Windows 11 24H2 Enterprise, Pro and Education. ' +
        'The servers that show up are also the ones whose sessions can be tampered with today.',
      attack:
        'Auditing blocks nothing. Without it, unsigned server connections, which a man-in-the-middle can tamper with, go unnoticed.',
      fix:
        'Set "Audit server does not support signing" (Administrative Templates > Network > Lanman Workstation) to Enabled. ' +
        'It changes no connection behaviour, so it is safe to deploy broadly.',
      rollout:
        'Enable it on a pilot group of clients and review Microsoft-Windows-SMBClient/Audit for events 31998 and 31999 (which of the two is the signing event is not confirmed). ' +
        'Fix the servers that show up, then require client signing. ' +
        NEW_TEMPLATE_NOTE,
    },
    references: [REF.S1, REF.S10, REF.S2, REF.S26],
    offMessage:
      'Auditing of servers that cannot sign is off (AuditServerDoesNotSupportSigning = 0), so servers that would break under required client signing stay invisible.',
    fixTitle: 'Audit servers that do not support signing',
  }),
  auditSwitch({
    id: 'smb.client.audit.encryption',
    posture: { outside: 'an audit switch for SMB encryption, which the ladder does not rate' },
    title: 'SMB client should audit servers that cannot encrypt',
    displayName: 'Audit server does not support encryption',
    side: 'client',
    name: 'AuditServerDoesNotSupportEncryption',
    values: { 0: 'Disabled: no audit events', 1: 'Enabled: the SMB client logs servers that could not encrypt' },
    defaults: '0 (auditing off).',
    baselines: { microsoft: '1 (Windows 11 24H2 baseline)' },
    watch: [{ log: 'Microsoft-Windows-SMBClient/Audit', ids: [31998, 31999] }],
    explanation: {
      what:
        'Client side. With 1 the SMB client logs each server that cannot encrypt SMB traffic; with 0 nothing is logged. No connection is refused.',
      why:
        'Before a client is made to require encryption (smb.client.encrypt), which limits it to servers running SMB 3.0 or newer with encryption, this audit shows which servers would drop out. ' +
        'The Microsoft baseline turns this audit on even though it leaves the encryption requirement off.',
      attack:
        'Nothing is blocked either way. The value only decides whether unencrypted server connections are visible.',
      fix:
        'Set "Audit server does not support encryption" (Administrative Templates > Network > Lanman Workstation) to Enabled, as the Windows 11 24H2 baseline does. ' +
        'It changes no connection behaviour.',
      rollout:
        'Enable it with the signing audit and review Microsoft-Windows-SMBClient/Audit for 31998 and 31999 (the mapping of the two ids is not confirmed). ' +
        NEW_TEMPLATE_NOTE,
    },
    references: [REF.S1, REF.S10, REF.S6, REF.S26],
    offMessage:
      'Auditing of servers that cannot encrypt is off (AuditServerDoesNotSupportEncryption = 0), so you cannot tell which servers a client encryption requirement would cut off.',
    fixTitle: 'Audit servers that do not support encryption',
  }),
  auditSwitch({
    id: 'smb.server.audit.guest',
    posture: { family: 'smb1-guest' },
    title: 'SMB server should audit guest logons',
    displayName: 'Audit insecure guest logon',
    side: 'server',
    name: 'AuditInsecureGuestLogon',
    values: { 0: 'Disabled: no audit events', 1: 'Enabled: the SMB server logs clients that were logged on as guest' },
    defaults: '0 (auditing off).',
    baselines: { microsoft: '1 (Windows 11 24H2 baseline)', cis: '1 (WS2025 18.6.7.3, from CIS-derived material)' },
    watch: [{ log: 'Microsoft-Windows-SmbServer/Security', ids: [3023] }],
    explanation: {
      what:
        'Server side. With 1 the SMB server logs each session it grants as guest; with 0 it does not. The audit does not change who is let in.',
      why:
        'Guest sessions cannot be signed or encrypted. Knowing which clients still end up as guest on your servers is needed before signing is required everywhere, because required signing ends guest fallback.',
      attack:
        'Auditing blocks nothing. Guest sessions that nobody sees are unprotected sessions that a man-in-the-middle can tamper with.',
      fix:
        'Set "Audit insecure guest logon" (Administrative Templates > Network > Lanman Server) to Enabled. It only adds events, so it can go to all servers at once.',
      rollout:
        'Enable it and watch for event 3023. Microsoft\'s guest-logon page lists it under the SMB client events, while the record itself is in Microsoft-Windows-SmbServer/Security, so look there. ' +
        NEW_TEMPLATE_NOTE,
    },
    references: [REF.S5, REF.S9, REF.S26],
    offMessage:
      'Guest-logon auditing on the SMB server is off (AuditInsecureGuestLogon = 0), so unsigned guest sessions on this server are not recorded.',
    fixTitle: 'Audit insecure guest logons on the server',
  }),
  auditSwitch({
    id: 'smb.client.audit.guest',
    posture: { family: 'smb1-guest' },
    title: 'SMB client should audit guest logons',
    displayName: 'Audit insecure guest logon',
    side: 'client',
    name: 'AuditInsecureGuestLogon',
    values: { 0: 'Disabled: no audit events', 1: 'Enabled: the SMB client logs guest logons it made or refused' },
    defaults: '0 (auditing off).',
    baselines: { microsoft: '1 (Windows 11 24H2 baseline)' },
    watch: [{ log: 'Microsoft-Windows-SmbClient/Security', ids: [31017, 31018, 31022] }],
    explanation: {
      what:
        'Client side. With 1 the SMB client records guest logons it allowed or rejected; with 0 it does not. The audit does not change whether guest logons are allowed (that is smb.client.guest).',
      why:
        'It shows which servers and NAS devices still depend on guest access, which is what keeps administrators from disabling insecure guest logons. ' +
        'Turning it on before changing AllowInsecureGuestAuth avoids surprises on the day guest access is switched off.',
      attack:
        'Auditing blocks nothing. Unrecorded guest sessions are sessions without signing or encryption that a spoofed server can exploit.',
      fix:
        'Set "Audit insecure guest logon" (Administrative Templates > Network > Lanman Workstation) to Enabled. It only adds events and is safe to deploy broadly.',
      rollout:
        'Enable it and watch Microsoft-Windows-SmbClient/Security for 31022 (guest logon allowed) and 31017 (guest logon rejected); 31018 records that AllowInsecureGuestAuth was turned on. ' +
        'Move the servers behind those events to real accounts, then disable guest logons. ' +
        NEW_TEMPLATE_NOTE,
    },
    references: [REF.S5, REF.S10, REF.S26],
    offMessage:
      'Guest-logon auditing on the SMB client is off (AuditInsecureGuestLogon = 0), so guest connections without signing or encryption go unrecorded.',
    fixTitle: 'Audit insecure guest logons on the client',
  }),
  dialectRule('server', 'min'),
  dialectRule('client', 'min'),
  dialectRule('server', 'max'),
  dialectRule('client', 'max'),
  {
    id: 'smb.client.encrypt',
    posture: { outside: 'SMB encryption is not a stage of the signing ladder' },
    admx: [{ name: 'Require Encryption', category: 'Network/Lanman Workstation', categoryMustMatch: true, key: POL_WKS, valueName: 'RequireEncryption', state: { kind: 'on-off', enabled: 1, disabled: 0 } }],
    stage: 'optional',
    title: 'SMB client encryption requirement (optional)',
    category: 'smb',
    severity: 'info',
    displayName: 'Require Encryption',
    gpoPath: AT_LANMAN_WKS,
    locations: [
      { hive: 'HKLM', key: POL_WKS, name: 'RequireEncryption' },
      { hive: 'HKLM', key: LANMAN_WKS, name: 'RequireEncryption' },
    ],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the client does not insist on encryption (per-share and per-mapping requirements still apply)',
      1: 'Enabled: the client only connects to servers that support SMB 3.0 or newer with encryption',
    },
    secure: '1 (optional; the Microsoft baseline leaves it at 0)',
    side: 'client',
    defaults: '0 (Disabled).',
    baselines: { microsoft: '0 (the Windows 11 24H2 baseline deliberately leaves it off)' },
    explanation: {
      what:
        'Client side. With 1 the SMB client encrypts every session and refuses servers that cannot do SMB 3.0+ encryption; with 0 encryption is used only where a share or mapping asks for it. ' +
        'Encryption supersedes signing when both apply.',
      why:
        'Encrypted sessions protect both the content and its integrity against anyone on the path. It cuts off every server without SMB 3 encryption, and Microsoft\'s baseline sets it to 0 explicitly, so relaylint treats both values as acceptable.',
      attack:
        'Without encryption, SMB content can be read on the wire even when it is signed; signing only stops tampering. Requiring encryption closes the reading part too.',
      fix:
        'Optional: set "Require Encryption" (Administrative Templates > Network > Lanman Workstation) to Enabled where every server the clients use supports SMB 3.0 encryption. ' +
        'relaylint never reports 0 as weak, because the Microsoft baseline leaves it off on purpose.',
      rollout:
        'Enable "Audit server does not support encryption" on the clients first and review Microsoft-Windows-SMBClient/Audit (31998/31999; which id means what is not confirmed). ' +
        'Turn the requirement on only for groups of clients whose servers never show up there. ' +
        NEW_TEMPLATE_NOTE,
    },
    references: [REF.S6, REF.S10, REF.S1, REF.S26],
    fixes: [],
    // Both values are acceptable: 1 is stronger, 0 is what the Microsoft baseline chooses.
    judge: (value) => {
      const v = documented(value, 'RequireEncryption', [0, 1]);
      return typeof v === 'number' ? HARDENED : v;
    },
    osDefaults: [{ value: 0, exposed: false }],
  },
];
