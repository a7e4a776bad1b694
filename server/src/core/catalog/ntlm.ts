/**
 * NTLM rules. Facts: settings-and-formats.md §3 and §0 (sources [S16]–[S18], [S25]–[S28], [S31]).
 * The numeric encodings of the Restrict NTLM audit/incoming/domain settings are secondary-source only and the intermediate values of
 * the two domain settings are unconfirmed (§3.4, §8). The NTLM operational events 8001–8004 (ids, meanings, insertion order) are
 * confirmed from Microsoft's message tables, their EventData names only by secondary material (scope-and-evidence.md §3.6, §6 C3,
 * [E31][E32]); NTLMv1 logons show in Security 4624 (§3.8, [E15][E16]).
 */
import type { RegData } from '../types';
import type { Judgement, SettingRule } from './types';
import { anyDword, describe, documented, HARDENED, onOffJudge, REF, SEC_OPT, weak } from './smb';

/** A documented value of an environment-specific setting: reported, never rated (coverage: configured). */
const UNRATED: Judgement = Object.freeze({ status: 'unknown' }) as Judgement;

const LSA = 'System\\CurrentControlSet\\Control\\Lsa';
const MSV1_0 = LSA + '\\MSV1_0';
const NETLOGON = 'System\\CurrentControlSet\\Services\\Netlogon\\Parameters';

const NTLM_LOG = 'Microsoft-Windows-NTLM/Operational (Applications and Services Logs > Microsoft > Windows > NTLM > Operational)';

const NTLM_OPERATIONAL = 'Microsoft-Windows-NTLM/Operational';

/** The NTLM operational events (meanings in catalog/events.ts: [E31] meanings and order, [E32] field names; never an IP address). */
const EVENT_8002 = [{ log: NTLM_OPERATIONAL, ids: [8002] }];
const EVENTS_8003_8004 = [{ log: NTLM_OPERATIONAL, ids: [8003, 8004] }];

const LM_LEVELS: Record<number, string> = {
  0: 'Send LM & NTLM responses',
  1: 'Send LM & NTLM - use NTLMv2 session security if negotiated',
  2: 'Send NTLM response only',
  3: 'Send NTLMv2 response only',
  4: 'Send NTLMv2 response only. Refuse LM',
  5: 'Send NTLMv2 response only. Refuse LM & NTLM',
};

const NTLMV2_SESSION = 0x00080000;
const BITS_128 = 0x20000000;
const BOTH_BITS = 0x20080000;

function hex(v: number): string {
  return '0x' + v.toString(16).toUpperCase().padStart(8, '0');
}

function minSecRule(side: 'client' | 'server'): SettingRule {
  const client = side === 'client';
  const name = client ? 'NTLMMinClientSec' : 'NTLMMinServerSec';
  const displayName = `Network security: Minimum session security for NTLM SSP based (including secure RPC) ${client ? 'clients' : 'servers'}`;
  return {
    id: client ? 'ntlm.minclient' : 'ntlm.minserver',
    posture: { family: 'ntlm' },
    securityOption: { name: displayName, keyName: `MACHINE\\${MSV1_0}\\${name}` },
    title: `NTLM SSP ${side}s must require NTLMv2 session security and 128-bit encryption`,
    category: 'ntlm',
    severity: 'warning',
    displayName,
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: MSV1_0, name }],
    valueType: 'REG_DWORD',
    values: {
      0: 'No minimum: neither bit is set',
      524288: 'Require NTLMv2 session security (0x00080000) only',
      536870912: 'Require 128-bit encryption (0x20000000) only',
      537395200: 'Require NTLMv2 session security and Require 128-bit encryption (0x20080000)',
    },
    secure: '537395200 (0x20080000: both bits)',
    side,
    defaults: client
      ? '"Require 128-bit encryption" (536870912, 0x20000000): the NTLMv2 session security bit is not set.'
      : 'Microsoft\'s page for the client variant gives "Require 128-bit encryption" (536870912, 0x20000000) as the default; relaylint assumes the server side ships the same, without the NTLMv2 session security bit.',
    baselines: {
      microsoft: '537395200',
      cis: client ? '537395200 (2.3.11.9)' : '537395200 (2.3.11.10)',
      stig: client ? 'WN10/WN11-SO-000215, WN19-SO-000330' : 'WN10/WN11-SO-000220, WN19-SO-000340',
    },
    explanation: {
      what:
        `${client ? 'Client' : 'Server'} side. A bit mask of the minimum protection this machine accepts for NTLM SSP sessions it ${client ? 'opens' : 'accepts'}, including secure RPC: ` +
        '0x00080000 (524288) requires NTLMv2 session security and 0x20000000 (536870912) requires 128-bit encryption. Both together are 537395200 (0x20080000).',
      why:
        `If either bit is missing, ${client ? 'the client agrees to' : 'the server accepts'} NTLM SSP sessions with weaker protection when the other side asks for less. ` +
        'The Microsoft baseline, CIS and the STIG all require both bits.',
      attack:
        'An attacker on the path between the two machines can steer the negotiation toward the weakest session security both allow, and then attack that session (man-in-the-middle). ' +
        'Requiring both bits leaves nothing weaker to fall back to.',
      fix:
        `Set "${displayName}" with both "Require NTLMv2 session security" and "Require 128-bit encryption" checked (${name} = 537395200). ` +
        `In GptTmpl.inf the line reads MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\MSV1_0\\${name}=4,537395200.`,
      rollout:
        'A peer that cannot meet both requirements can no longer set up an NTLM SSP session with this machine. ' +
        `Apply it to a pilot group first${client ? '' : ' of servers'}, and use the NTLM operational log (Applications and Services Logs > Microsoft > Windows > NTLM) with "Restrict NTLM" auditing to see which peers still use NTLM.`,
    },
    references: [REF.S17, REF.S28, REF.S26, REF.S27],
    fixes: [{ value: 537395200, title: 'Require NTLMv2 session security and 128-bit encryption', preferred: true }],
    judge: (value) => {
      const v = anyDword(value, name, 'a bit mask such as 537395200 (0x20080000)');
      if (typeof v !== 'number') return v;
      if ((v & BOTH_BITS) === BOTH_BITS) return HARDENED;
      const missing: string[] = [];
      if ((v & NTLMV2_SESSION) === 0) missing.push('"Require NTLMv2 session security" (0x00080000)');
      if ((v & BITS_128) === 0) missing.push('"Require 128-bit encryption" (0x20000000)');
      return weak(
        `${name} = ${v} (${hex(v)}) is missing ${missing.join(' and ')}, so ${client ? 'this client' : 'this server'} settles for NTLM SSP sessions with weaker protection that a man-in-the-middle can exploit.`,
      );
    },
    // The default (0x20000000) lacks the NTLMv2 session security bit. [S17] states it for the client side only.
    osDefaults: [client ? { value: BITS_128, exposed: true } : { exposed: true }],
  };
}

/** Domain settings: 0 and 7 are documented, the values between are unconfirmed. */
function domainLevel(value: RegData, name: string, sevenMeans: string): number | Judgement {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 7) return value;
  return {
    status: 'unknown',
    message: `${name} = ${describe(value)} is not a documented value${typeof value === 'number' ? '' : ' (not a REG_DWORD number)'}; expected 0 (Disable) up to 7 (${sevenMeans}). relaylint cannot tell what Windows does with it.`,
  };
}

export const ntlmRules: SettingRule[] = [
  {
    id: 'ntlm.lmcompat',
    posture: { family: 'ntlm', gate: true },
    evidence: {
      events: [{ log: 'Security', ids: [4624] }],
      howToAudit:
        'turn on the advanced audit subcategory "Logon" (success) on the servers and DCs, then export the Security log (events 4624)',
    },
    securityOption: { name: 'Network security: LAN Manager authentication level', keyName: 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel' },
    title: 'LAN Manager authentication level must refuse LM and NTLMv1',
    category: 'ntlm',
    severity: 'error',
    displayName: 'Network security: LAN Manager authentication level',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LSA, name: 'LmCompatibilityLevel' }],
    valueType: 'REG_DWORD',
    values: LM_LEVELS,
    secure: '5 (Send NTLMv2 response only. Refuse LM & NTLM)',
    side: 'both',
    defaults:
      'Servers and domain controllers behave as 3 (Send NTLMv2 response only) since Windows Server 2008 R2; on clients the policy is not defined and they also behave as 3. ' +
      'At 3 a domain controller still accepts LM and NTLMv1 responses.',
    baselines: { microsoft: '5', cis: '5 (2.3.11.7)', stig: 'WN10/WN11-SO-000205 (CAT I), WN19-SO-000310' },
    watch: [{ log: 'Security', ids: [4624] }],
    watchNote: 'Where NTLM of any version is still used shows in ' + NTLM_LOG + ' once the "Restrict NTLM" audit settings are on',
    explanation: {
      what:
        'Both sides. As a client the level decides which responses the machine sends (LM, NTLMv1, NTLMv2); as a server, and above all as a domain controller, it decides which it accepts. ' +
        'Levels 0 to 3 let a DC accept LM, NTLMv1 and NTLMv2; 4 refuses LM; 5 sends NTLMv2 only and refuses LM and NTLMv1.',
      why:
        'LM and NTLMv1 responses can be cracked offline. Because a DC accepts NTLMv1 unless a GPO sets 5, PingCastle flags any lower value on domain controllers.',
      attack:
        'An attacker who captures an LM or NTLMv1 response (for example from a coerced authentication) can crack it offline. Combined with coercing a domain controller to authenticate, ' +
        'this can yield the DC\'s machine account hash and with it control of the domain.',
      fix:
        'Set "Network security: LAN Manager authentication level" to "Send NTLMv2 response only. Refuse LM & NTLM" (LmCompatibilityLevel = 5) for domain controllers, servers and workstations.',
      rollout:
        'Find what still uses LM or NTLMv1 before refusing it: with the advanced audit subcategory "Logon" on, Security event 4624 on servers and DCs records LmPackageName "NTLM V1" or "LM" for those logons. ' +
        'Leave out ANONYMOUS LOGON events, which always read "NTLM V1" (KB4090105). The "Restrict NTLM" audit settings (ntlm.in.audit, ntlm.domain.audit on DCs) add where NTLM of any version is still used; those events go to ' +
        NTLM_LOG +
        '. Fix or replace those systems, then set 5, ideally on clients first and domain controllers last.',
    },
    references: [REF.S16, REF.S31, REF.E16, REF.E15, REF.S28, REF.S26, REF.S27],
    fixes: [{ value: 5, title: 'Send NTLMv2 only; refuse LM and NTLM', preferred: true }],
    judge: (value) => {
      const v = documented(value, 'LmCompatibilityLevel', [0, 1, 2, 3, 4, 5]);
      if (typeof v !== 'number') return v;
      if (v === 5) return HARDENED;
      const what =
        v <= 1
          ? 'this machine sends LM and NTLMv1 responses, and a domain controller at this level accepts them'
          : v === 2
            ? 'this machine sends NTLMv1 responses, and a domain controller at this level accepts LM and NTLMv1'
            : v === 3
              ? 'this machine sends only NTLMv2, but a domain controller at this level still accepts LM and NTLMv1 responses'
              : 'LM is refused, but a domain controller at this level still accepts NTLMv1 responses';
      return weak(`LmCompatibilityLevel = ${v} ("${LM_LEVELS[v]}"): ${what}; those responses can be cracked offline.`);
    },
    // Not defined = 3, at which a DC accepts LM/NTLMv1 [S16][S31]. On members the default 3 sends NTLMv2 only;
    // the acceptance side that matters is the DC's.
    osDefaults: [
      { roles: ['member'], value: 3, exposed: false },
      // At 3 a domain controller still accepts LM and NTLMv1 responses.
      { value: 3, exposed: true },
    ],
  },
  {
    id: 'ntlm.nolmhash',
    posture: { family: 'ntlm' },
    securityOption: { name: 'Network security: Do not store LAN Manager hash value on next password change', keyName: 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\NoLMHash' },
    title: 'LAN Manager password hashes must not be stored',
    category: 'ntlm',
    severity: 'warning',
    displayName: 'Network security: Do not store LAN Manager hash value on next password change',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LSA, name: 'NoLMHash' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: a LAN Manager hash is stored at the next password change',
      1: 'Enabled: no LAN Manager hash is stored',
    },
    secure: '1 (Enabled)',
    side: 'both',
    defaults: '1 (Enabled), as recorded by the HardeningKitty lists and the STIG profiles (secondary sources).',
    baselines: { microsoft: '1', cis: '1 (2.3.11.5)', stig: 'WN10/WN11-SO-000195 (CAT I), WN19-SO-000300' },
    explanation: {
      what:
        'Applies wherever passwords are stored (domain controllers for domain accounts, every machine for local accounts). With 1 Windows does not keep a LAN Manager hash of a password when it is next changed; with 0 it does.',
      why:
        'The LAN Manager hash is the legacy form of the password behind LM authentication, and LM material can be cracked offline. The DISA STIG rates this setting CAT I.',
      attack:
        'Anyone who obtains a copy of the account database, or LM responses derived from it, has a far weaker target to crack than the modern hash. ' +
        'The setting acts only at the next password change, so a 0 that was in place for a while leaves LM hashes behind until those passwords change again.',
      fix:
        'Set "Network security: Do not store LAN Manager hash value on next password change" to Enabled (NoLMHash = 1), which is also the default. ' +
        'Existing LM hashes disappear only when the passwords are changed.',
      rollout:
        'No audit step is needed, since 1 is the recorded default; a 0 in a GPO is a leftover exception. Also set the LAN Manager authentication level to 5 (ntlm.lmcompat) so LM is never used.',
    },
    references: [REF.S16, REF.S26, REF.S27],
    fixes: [{ value: 1, title: 'Do not store LAN Manager hashes', preferred: true }],
    judge: onOffJudge(
      'NoLMHash',
      () =>
        'NoLMHash = 0 lets Windows store a LAN Manager hash at the next password change, a legacy form of the password that can be cracked offline.',
    ),
    // Default 1 [S26][S27] (V2).
    osDefaults: [{ value: 1, exposed: false, secondary: 'the HardeningKitty lists and the STIG profiles' }],
  },
  minSecRule('client'),
  minSecRule('server'),
  {
    id: 'ntlm.out',
    posture: { family: 'ntlm', gate: true },
    auditSwitch: 'ntlm.out',
    evidence: {
      events: [{ log: 'Microsoft-Windows-NTLM/Operational', ids: [8001] }],
      howToAudit:
        'set "Restrict NTLM: Outgoing NTLM traffic to remote servers" to "Audit all" on the clients, then export Microsoft-Windows-NTLM/Operational from them',
    },
    stage: 'audit',
    securityOption: { name: 'Network security: Restrict NTLM: Outgoing NTLM traffic to remote servers', keyName: 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\MSV1_0\\RestrictSendingNTLMTraffic' },
    title: 'Outgoing NTLM traffic should at least be audited',
    category: 'ntlm',
    severity: 'info',
    displayName: 'Network security: Restrict NTLM: Outgoing NTLM traffic to remote servers',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: MSV1_0, name: 'RestrictSendingNTLMTraffic' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Allow all: outgoing NTLM is neither audited nor blocked',
      1: 'Audit all: outgoing NTLM is allowed and logged',
      2: 'Deny all: outgoing NTLM is blocked (except for servers on the exception list)',
    },
    secure: '1 (Audit all); 2 (Deny all) only after auditing',
    side: 'client',
    defaults: 'Not defined, which means Allow all.',
    baselines: { microsoft: '1 (Audit all; Windows Server 2025 baseline v2602)', cis: '1 or higher (2.3.11.12 Windows 11 / 2.3.11.13 WS2022)' },
    watch: [{ log: NTLM_OPERATIONAL, ids: [8001] }],
    explanation: {
      what:
        'Client side: what this machine does when it is about to authenticate to a remote server with NTLM. 0 Allow all, 1 Audit all (allowed and logged), 2 Deny all (blocked unless the server is on the exception list). ' +
        'The Allow/Audit/Deny semantics are Microsoft\'s; the numbers come from CIS lists and third-party GPO files.',
      why:
        'Every NTLM authentication a machine sends is something an attacker can relay. Knowing where NTLM is still used is the first step to sending less of it, and Deny removes it altogether.',
      attack:
        'An attacker coerces or lures the machine into authenticating to them and relays the NTLM exchange to a server that does not require signing or channel binding. ' +
        'Auditing does not stop that, but shows where NTLM flows; Deny stops the machine from sending NTLM at all.',
      fix:
        'Set "Network security: Restrict NTLM: Outgoing NTLM traffic to remote servers" to "Audit all" (1), as the Windows Server 2025 baseline v2602 does. ' +
        'Move to "Deny all" (2) only after the audit, with a server exception list for what still needs NTLM.',
      rollout:
        'Microsoft\'s order is Audit all first, then Deny all with exceptions. Collect ' +
        NTLM_LOG +
        ' for a while, move the applications you find to Kerberos or add their servers to the exception list, then deny.',
    },
    references: [REF.S18, REF.S25, REF.E31, REF.E32, REF.S26],
    fixes: [{ value: 1, title: 'Audit all outgoing NTLM traffic', preferred: true }],
    judge: (value) => {
      const v = documented(value, 'RestrictSendingNTLMTraffic', [0, 1, 2]);
      if (typeof v !== 'number') return v;
      return v >= 1
        ? HARDENED
        : weak(
            'Outgoing NTLM is allowed and not audited (RestrictSendingNTLMTraffic = 0, Allow all), so there is no record of where this machine still sends NTLM that could be relayed.',
          );
    },
    // An audit/reduction measure; not configured (= Allow all) is the normal state, not an exposure by itself.
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'ntlm.in.audit',
    posture: { family: 'ntlm' },
    stage: 'audit',
    securityOption: { name: 'Network security: Restrict NTLM: Audit Incoming NTLM Traffic', keyName: 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\MSV1_0\\AuditReceivingNTLMTraffic' },
    title: 'Incoming NTLM traffic should be audited for all accounts',
    category: 'ntlm',
    severity: 'info',
    displayName: 'Network security: Restrict NTLM: Audit Incoming NTLM Traffic',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: MSV1_0, name: 'AuditReceivingNTLMTraffic' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disable (numbering as in CIS lists)',
      1: 'Enable auditing for domain accounts (numbering as in CIS lists)',
      2: 'Enable auditing for all accounts (numbering as in CIS lists)',
    },
    secure: '2 (Enable auditing for all accounts)',
    side: 'server',
    defaults: 'Not stated in the material relaylint relies on; the Windows Server 2025 baseline v2602 newly sets it to 2.',
    baselines: { microsoft: '2 (Windows Server 2025 baseline v2602, member servers and DCs)', cis: '2 (2.3.11.11)' },
    watch: EVENT_8002,
    explanation: {
      what:
        'Server side: whether this machine logs NTLM authentications it receives. According to CIS lists, 0 disables the audit, 1 audits domain accounts only and 2 audits all accounts; Microsoft\'s reference pages read for relaylint do not give the numbers.',
      why:
        'It shows which clients and applications still authenticate to this machine with NTLM, which is what you need before restricting incoming NTLM or tightening the LAN Manager level. ' +
        'The Windows Server 2025 baseline v2602 newly turns it on for member servers and DCs.',
      attack:
        'Auditing blocks nothing. Without it, NTLM use, including authentications relayed to this host, leaves no trace in the NTLM log.',
      fix:
        'Set "Network security: Restrict NTLM: Audit Incoming NTLM Traffic" to "Enable auditing for all accounts" (2). It only logs, so it can be deployed everywhere at once.',
      rollout:
        'Turn it on everywhere, together with "Audit NTLM authentication in this domain" on DCs, and review ' + NTLM_LOG + '. The audit changes no behaviour, so it is safe to deploy at once.',
    },
    references: [REF.S25, REF.S18, REF.E31, REF.E32, REF.S26],
    fixes: [{ value: 2, title: 'Audit incoming NTLM traffic for all accounts', preferred: true }],
    judge: (value) => {
      const v = documented(value, 'AuditReceivingNTLMTraffic', [0, 1, 2]);
      if (typeof v !== 'number') return v;
      if (v === 2) return HARDENED;
      return weak(
        v === 0
          ? 'Incoming NTLM is not audited (AuditReceivingNTLMTraffic = 0), so NTLM logons to this machine leave no trace in the NTLM log.'
          : 'Incoming NTLM is audited for domain accounts only (AuditReceivingNTLMTraffic = 1); NTLM logons with local accounts are not recorded.',
      );
    },
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'ntlm.in.restrict',
    posture: { family: 'ntlm' },
    auditSwitch: 'ntlm.in.audit',
    evidence: {
      events: [{ log: 'Microsoft-Windows-NTLM/Operational', ids: [8002] }],
      howToAudit:
        'set "Restrict NTLM: Audit Incoming NTLM Traffic" to "Enable auditing for all accounts", then export Microsoft-Windows-NTLM/Operational',
    },
    stage: 'environment',
    securityOption: { name: 'Network security: Restrict NTLM: Incoming NTLM traffic', keyName: 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\MSV1_0\\RestrictReceivingNTLMTraffic' },
    title: 'Incoming NTLM traffic restriction (environment-specific)',
    category: 'ntlm',
    severity: 'info',
    displayName: 'Network security: Restrict NTLM: Incoming NTLM traffic',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: MSV1_0, name: 'RestrictReceivingNTLMTraffic' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Allow all (numbering as in CIS lists)',
      1: 'Deny all domain accounts (numbering as in CIS lists)',
      2: 'Deny all accounts (numbering as in CIS lists)',
    },
    secure: 'environment-specific (no baseline sets it)',
    side: 'server',
    defaults: 'Not stated in the material relaylint relies on; not set by the Microsoft baseline or CIS.',
    baselines: { microsoft: 'not set', cis: 'not set' },
    watch: EVENT_8002,
    explanation: {
      what:
        'Server side: whether this machine accepts incoming NTLM authentication. According to CIS lists, 0 allows all, 1 denies domain accounts and 2 denies all accounts. ' +
        'relaylint only reports the value; it never rates it as weak.',
      why:
        'Denying incoming NTLM takes a host out of the relay targets for the accounts it denies: all accounts with 2, domain accounts only with 1 (local accounts stay relayable). It also breaks every client or application that cannot use Kerberos, so whether to set it depends on the environment.',
      attack:
        'A host that accepts NTLM can be the target of a relayed authentication unless signing or channel binding protects the protocol in use. Denying NTLM closes that path for every protocol at once.',
      fix:
        'Decide per server role. Audit first ("Audit Incoming NTLM Traffic" = all accounts), move the clients you find to Kerberos, then deny on the servers where nothing legitimate remains.',
      rollout:
        'Use ' + NTLM_LOG + ' on the target servers to see who would be refused. Deny on a few servers first and keep the audit on afterwards.',
    },
    references: [REF.S18, REF.E31, REF.E32, REF.S26],
    fixes: [],
    judge: (value) => {
      const v = documented(value, 'RestrictReceivingNTLMTraffic', [0, 1, 2]);
      // Environment-specific: relaylint rates no value (not even Allow all) as hardened or weak.
      return typeof v === 'number' ? UNRATED : v;
    },
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'ntlm.domain.audit',
    posture: { family: 'ntlm' },
    stage: 'audit',
    securityOption: { name: 'Network security: Restrict NTLM: Audit NTLM authentication in this domain', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\AuditNTLMInDomain' },
    title: 'Domain controllers should audit all NTLM authentication in the domain',
    category: 'ntlm',
    severity: 'info',
    displayName: 'Network security: Restrict NTLM: Audit NTLM authentication in this domain',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: NETLOGON, name: 'AuditNTLMInDomain' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disable (numbering as in CIS lists)',
      7: 'Enable all (numbering as in CIS lists)',
    },
    secure: '7 (Enable all)',
    side: 'server',
    dcOnly: true,
    defaults: 'Not stated in the material relaylint relies on; the Windows Server 2025 baseline v2602 newly sets 7 on domain controllers.',
    baselines: { microsoft: '7 (Windows Server 2025 baseline v2602, DCs)', cis: '7 (2.3.11.12 WS2022, DC only)' },
    watch: EVENTS_8003_8004,
    explanation: {
      what:
        'Domain controller side: whether the DC logs the NTLM authentications it handles for the domain. According to CIS lists, 0 disables the audit and 7 enables it for everything; the meanings of the values in between are not confirmed.',
      why:
        'The DC sees every NTLM logon with a domain account, so its log is the most complete picture of where NTLM is still used before you restrict it. ' +
        'The Windows Server 2025 baseline v2602 newly sets it to 7 on DCs.',
      attack:
        'Auditing blocks nothing. Without it, NTLM use across the domain, including relayed authentications, is much harder to see.',
      fix: 'Set "Network security: Restrict NTLM: Audit NTLM authentication in this domain" to "Enable all" (7) in the GPO linked to the Domain Controllers OU. ' +
        'It changes no authentication behaviour.',
      rollout:
        'Safe to turn on at once because it changes no behaviour. Review ' + NTLM_LOG + ' on the DCs and use what you find to plan the LAN Manager level and NTLM restrictions.',
    },
    references: [REF.S25, REF.S18, REF.E31, REF.E32, REF.S26],
    fixes: [{ value: 7, title: 'Audit all NTLM authentication in the domain', preferred: true }],
    judge: (value) => {
      const v = domainLevel(value, 'AuditNTLMInDomain', 'Enable all');
      if (typeof v !== 'number') return v;
      if (v === 7) return HARDENED;
      return weak(
        v === 0
          ? 'NTLM authentication in the domain is not audited (AuditNTLMInDomain = 0), so the domain controllers keep no record of where NTLM is still used.'
          : `AuditNTLMInDomain = ${v} is not 7 (Enable all); the meanings of the values between 0 and 7 are not confirmed, so relaylint cannot tell how much of the domain's NTLM is audited.`,
      );
    },
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'ntlm.domain.restrict',
    posture: { family: 'ntlm' },
    auditSwitch: 'ntlm.domain.audit',
    evidence: {
      events: [{ log: 'Microsoft-Windows-NTLM/Operational', ids: [8003, 8004] }],
      howToAudit:
        'set "Restrict NTLM: Audit NTLM authentication in this domain" to "Enable all" on the DCs, then export Microsoft-Windows-NTLM/Operational from them',
    },
    stage: 'environment',
    securityOption: { name: 'Network security: Restrict NTLM: NTLM authentication in this domain', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\RestrictNTLMInDomain' },
    title: 'NTLM restriction in the domain (environment-specific)',
    category: 'ntlm',
    severity: 'info',
    displayName: 'Network security: Restrict NTLM: NTLM authentication in this domain',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: NETLOGON, name: 'RestrictNTLMInDomain' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disable (numbering as in CIS lists)',
      7: 'Deny all (numbering as in CIS lists)',
    },
    secure: 'environment-specific',
    side: 'server',
    dcOnly: true,
    defaults: 'Not stated in the material relaylint relies on, which records no baseline value for it either.',
    baselines: { microsoft: 'not recorded in the material relaylint relies on', cis: 'not recorded in the material relaylint relies on' },
    watch: EVENTS_8003_8004,
    explanation: {
      what:
        'Domain controller side: whether the DC refuses NTLM authentication for the domain. According to CIS lists, 0 denies nothing and 7 denies all; the meanings of the values in between are not confirmed. ' +
        'relaylint only reports the value; it never rates it as weak.',
      why:
        'Refusing NTLM at the DC reduces the supply of relayable NTLM authentications with domain accounts (with 7, Deny all, the DC accepts none). Anything that cannot use Kerberos then stops working, so the right value depends on the environment.',
      attack:
        'While NTLM is accepted, any coerced or captured NTLM authentication with a domain account can be relayed to a service that does not require signing or channel binding. ' +
        'Restricting NTLM at the DC cuts off that supply of relayable authentications at the source.',
      fix:
        'Audit first ("Audit NTLM authentication in this domain" = Enable all), move what you find to Kerberos, and restrict only when the audit shows nothing legitimate left. ' +
        'The material relaylint relies on records no baseline value for it, and the right value depends on the environment, so relaylint never reports it as weak.',
      rollout:
        'Review ' + NTLM_LOG + ' on the DCs for a long enough period to cover monthly and yearly jobs before denying anything. ' +
        'Keep the domain audit on after restricting, so that new dependencies show up.',
    },
    references: [REF.S18, REF.E31, REF.E32, REF.S26],
    fixes: [],
    judge: (value) => {
      const v = domainLevel(value, 'RestrictNTLMInDomain', 'Deny all');
      // Environment-specific: relaylint rates no value (not even Allow all) as hardened or weak.
      return typeof v === 'number' ? UNRATED : v;
    },
    osDefaults: [{ exposed: false }],
  },
];
