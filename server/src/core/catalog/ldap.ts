/**
 * LDAP rules. Facts: settings-and-formats.md §2 and §0 (sources [S14], [S15], [S20]–[S23], [S26], [S27], [S31], [S38], [S42]).
 * §7.2: the event table of [S20] contradicts [S23]/[S21]; the event meanings (catalog/events.ts) follow [S23] and [S21] and say so.
 */
import type { SettingRule } from './types';
import { documented, HARDENED, REF, SEC_OPT, weak } from './smb';

const NTDS = 'System\\CurrentControlSet\\Services\\NTDS\\Parameters';
const LDAP_CLIENT = 'System\\CurrentControlSet\\Services\\LDAP';

/** The DC's signing events (meanings in catalog/events.ts, as in KB935834 [S23]). */
const SIGNING_EVENTS = [{ log: 'Directory Service', ids: [2887, 2889, 2886, 2888] }];

/** The DC's channel-binding events (meanings in catalog/events.ts, as in the channel-binding page [S21] and KB935834). */
const CBT_EVENTS = [{ log: 'Directory Service', ids: [3039, 3074, 3075, 3040, 3041] }];

const SERVER_SIGNING_VALUES: Record<number, string> = {
  0: 'None (the value the AD LDS documentation uses for "disabled")',
  1: 'None, as GPMC writes it on AD DS: signing is not required, though the DC still signs when the client asks',
  2: 'Require signing: unsigned SASL binds and clear-text simple binds on port 389 are rejected',
};

export const ldapRules: SettingRule[] = [
  {
    id: 'ldap.server.signing',
    posture: { family: 'ldap-signing', gate: true },
    evidence: {
      events: [{ log: 'Directory Service', ids: [2886, 2887, 2888, 2889] }],
      howToAudit:
        'on each DC set HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics "16 LDAP Interface Events" (REG_DWORD) = 2 (no restart needed) so that event 2889 names each client, export the Directory Service log, and set it back to 0 after the audit window',
    },
    related: ['ldap.server.enforce', 'ldap.server.cbt'],
    nextSteps: [
      {
        value: 2,
        next: 'ldap.server.cbt',
        message:
          "LDAP signing is required but channel binding is not configured in this file, so NTLM relay to LDAPS stays open. Next step: set channel binding to 'When supported', watch events 3039/3074/3075, then 'Always'.",
        // Per target OS: rendered from ldap.server.cbt's osDefaults rows ([S21][S20]: new Server 2025 deployments default to When supported).
        byDefault: { lead: 'LDAP signing is required but channel binding is not configured in this file.', whenExposed: ". Next step: watch events 3039/3074/3075, then set channel binding to 'Always'." },
      },
    ],
    securityOption: { name: 'Domain controller: LDAP server signing requirements', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\LDAPServerIntegrity' },
    title: 'Domain controllers must require LDAP signing',
    category: 'ldap',
    severity: 'error',
    displayName: 'Domain controller: LDAP server signing requirements',
    gpoPath: SEC_OPT + ' (normally in the Default Domain Controllers Policy)',
    locations: [{ hive: 'HKLM', key: NTDS, name: 'LDAPServerIntegrity' }],
    valueType: 'REG_DWORD',
    values: SERVER_SIGNING_VALUES,
    secure: '2 (Require signing)',
    side: 'server',
    dcOnly: true,
    defaults:
      'Effectively "None" on domain controllers up to Windows Server 2022; the Default Domain Controllers Policy as shipped is reported to carry LDAPServerIntegrity = 1 ("None"). ' +
      'New Windows Server 2025 deployments require signing through "LDAP server signing requirements enforcement" (ldap.server.enforce); in-place upgrades keep the signing policy they had.',
    baselines: { microsoft: '2 (domain controller baseline)', cis: '2 (2.3.5.4 in WS2022 3.0.0)', stig: 'WN19-DC-000320' },
    watch: SIGNING_EVENTS,
    explanation: {
      what:
        'Domain controller (server) side. With 2 the DC rejects SASL binds that are not signed and simple binds over plain port 389; simple binds over LDAPS (636) are not affected. ' +
        'Anything below 2 means "not required": GPMC writes 1 for "None" on AD DS, and the AD LDS documentation uses 0.',
      why:
        'LDAP is how accounts, groups and permissions in the domain are read and changed. Accepting unsigned binds lets that traffic be modified in transit and is what lets a relayed NTLM authentication be used against LDAP on port 389.',
      attack:
        'A man-in-the-middle between a client and the DC can alter an unsigned LDAP session, for example to add a user to an administrative group (PingCastle\'s example). ' +
        'An attacker who coerces or captures an NTLM authentication can relay it to the DC\'s LDAP service. Signing is necessary but not the whole answer: channel binding (ldap.server.cbt) closes the LDAPS path.',
      fix:
        'Set "Domain controller: LDAP server signing requirements" to "Require signing" (LDAPServerIntegrity = 2) in the GPO linked to the Domain Controllers OU, ' +
        'and set channel binding to Always as well (ldap.server.cbt). On Windows Server 2025 DCs also keep "LDAP server signing requirements enforcement" enabled or not configured.',
      rollout:
        'First make sure clients negotiate signing (ldap.client.signing at 1, the default). Then watch the Directory Service log on every DC: event 2887 counts the unsigned binds per day, ' +
        'and with "16 LDAP Interface Events" = 2 under NTDS\\Diagnostics, event 2889 names each client. Fix those clients, then require signing; event 2888 afterwards counts what was rejected. ' +
        'These meanings follow KB935834; the shorter table on the "LDAP signing for AD DS" page contradicts it for 2888 and 2889.',
    },
    references: [REF.S14, REF.S23, REF.S20, REF.S22, REF.S21, REF.S31, REF.S38, REF.S42, REF.S26, REF.S27],
    fixes: [{ value: 2, title: 'Require LDAP signing on domain controllers', preferred: true }],
    judge: (value, ctx) => {
      const v = documented(value, 'LDAPServerIntegrity', [0, 1, 2]);
      if (typeof v !== 'number') return v;
      if (v === 2) return HARDENED;
      const enforce = ctx.peers.get('ldap.server.enforce');
      // Server 2025: LDAPServerEnforceIntegrity = 1 requires signing whatever LDAPServerIntegrity says [S22].
      if (ctx.targetOs === 'ws2025' && enforce === 1) return HARDENED;
      if (ctx.targetOs === 'ws2025' && enforce === undefined) {
        // [S22]: enforcement not configured acts as Enabled on Server 2025, but DCs upgraded in place keep their existing signing policy.
        return weak(
          `LDAP signing is set to "None" (LDAPServerIntegrity = ${v}); new Server 2025 DCs still require signing while the enforcement policy is unset, but DCs upgraded in place keep their existing policy and may then accept unsigned binds on port 389. ` +
            'Set 2 so the requirement does not depend on how each DC was installed.',
          'warning',
        );
      }
      return weak(
        `LDAP signing is not required (LDAPServerIntegrity = ${v}, "None"): unsigned SASL binds and clear-text simple binds on port 389 are accepted, ` +
          'so LDAP traffic can be altered in transit and relayed NTLM authentication used against LDAP.',
      );
    },
    // Up to Server 2022 a DC does not require signing unless told to; a new Server 2025 forest requires it by default [S22][S20].
    // Only DCs are affected.
    osDefaults: [
      { roles: ['member'], exposed: false },
      // New Server 2025 deployments require signing through ldap.server.enforce.
      { targetOs: ['ws2025'], exposed: false },
      // Domain controllers up to Server 2022: effectively "None".
      { exposed: true },
    ],
  },
  {
    id: 'ldap.server.enforce',
    posture: { family: 'ldap-signing' },
    related: ['ldap.server.signing'],
    securityOption: { name: 'Domain controller: LDAP server signing requirements enforcement', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\LDAPServerEnforceIntegrity' },
    title: 'Windows Server 2025 LDAP signing enforcement must not be turned off',
    category: 'ldap',
    severity: 'error',
    displayName: 'Domain controller: LDAP server signing requirements enforcement',
    gpoPath: SEC_OPT + ' (Windows Server 2025 and later)',
    locations: [{ hive: 'HKLM', key: NTDS, name: 'LDAPServerEnforceIntegrity' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: "Domain controller: LDAP server signing requirements" (LDAPServerIntegrity) decides',
      1: 'Enabled: signing is required whatever LDAPServerIntegrity says',
    },
    secure: '1 (Enabled) or not configured',
    side: 'server',
    dcOnly: true,
    defaults:
      'Not configured has the same effect as Enabled: Windows Server 2025 DCs require LDAP signing. New Server 2025 deployments therefore require signing by default; in-place upgrades keep their existing signing policy.',
    baselines: {
      microsoft: 'not confirmed',
      cis: 'reported as 1 by a changelog of CIS-derived WS2025 material (not confirmed)',
    },
    watch: SIGNING_EVENTS,
    explanation: {
      what:
        'Domain controller side, Windows Server 2025 and later. Enabled (1), or not configured, makes the DC require LDAP signing regardless of LDAPServerIntegrity; ' +
        'Disabled (0) hands the decision back to LDAPServerIntegrity. This policy takes precedence over the older one.',
      why:
        'Setting it to 0 is how a Server 2025 DC is made to accept unsigned LDAP again. That is harmless only when LDAPServerIntegrity is 2 in the same scope.',
      attack:
        'With enforcement off and LDAPServerIntegrity below 2, the DC accepts unsigned binds: LDAP traffic can be altered by a man-in-the-middle, and relayed NTLM authentications can be used against LDAP on port 389. ' +
        'The setting is new in Windows Server 2025; on older DCs LDAPServerIntegrity alone decides.',
      fix:
        'Set "Domain controller: LDAP server signing requirements enforcement" to Enabled, or leave it not configured. If it must stay Disabled, set LDAPServerIntegrity to 2 in the same GPO. ' +
        'relaylint expects the GptTmpl.inf line to look like the other Security Options (…\\NTDS\\Parameters\\LDAPServerEnforceIntegrity=4,1), but that shape is inferred and not confirmed against a real Server 2025 GPO.',
      rollout:
        'Use the same audit as for ldap.server.signing: event 2887 counts unsigned binds, and event 2889 (with "16 LDAP Interface Events" = 2) names the clients. ' +
        'A third-party note reports that after setting this policy to Disabled and then removing it from the GPO the value may stay 0 on the DC; if you undo a Disabled setting, set it to Enabled explicitly rather than just deleting it.',
    },
    references: [REF.S22, REF.S20, REF.S23, REF.S14, REF.CIS_SCRIPTS],
    fixes: [{ value: 1, title: 'Enforce LDAP signing (Server 2025)', preferred: true }],
    judge: (value, ctx) => {
      const v = documented(value, 'LDAPServerEnforceIntegrity', [0, 1]);
      if (typeof v !== 'number') return v;
      if (v === 1) return HARDENED;
      // 0 alone is fine when LDAPServerIntegrity = 2 in the same scope (§2.2 lint logic).
      if (ctx.peers.get('ldap.server.signing') === 2) return HARDENED;
      return weak(
        'LDAP signing enforcement is turned off (LDAPServerEnforceIntegrity = 0) and LDAPServerIntegrity is not set to 2 in this scope, ' +
          'so Windows Server 2025 DCs accept unsigned LDAP binds unless LDAPServerIntegrity = 2 is applied from elsewhere.',
      );
    },
    // Not configured = Enabled on Server 2025; older DCs do not have this setting.
    osDefaults: [{ exposed: false }],
  },
  {
    id: 'ldap.server.cbt',
    posture: { family: 'ldap-cbt', gate: true },
    evidence: {
      events: [{ log: 'Directory Service', ids: [3039, 3040, 3041, 3074, 3075] }],
      howToAudit:
        'on each DC set NTDS\\Diagnostics "16 LDAP Interface Events" = 2 with channel binding at "When supported" (events 3074 / 3075 need the 2023 updates or later), then export the Directory Service log',
    },
    related: ['ldap.server.signing'],
    securityOption: { name: 'Domain controller: LDAP server channel binding token requirements', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\LdapEnforceChannelBinding' },
    admx: [
      // §2.3: SecGuide policy, drop-down "Configure LdapEnforceChannelBinding".
      {
        name: 'Extended Protection for LDAP Authentication (Domain Controllers only)',
        category: 'MS Security Guide',
        key: NTDS,
        valueName: 'LdapEnforceChannelBinding',
        state: {
          kind: 'drop-down',
          // Only "Enabled, always (recommended)" = 2 is confirmed against a real GPO (§2.3); the other labels are read by their wording.
          choices: [
            ['enabled, always', 2],
            ['enabled, when supported', 1, 'inferred'],
            ['disabled', 0, 'inferred'],
            ['never', 0, 'inferred'],
          ],
        },
      },
    ],
    title: 'Domain controllers must always require LDAP channel binding',
    category: 'ldap',
    severity: 'error',
    displayName: 'Domain controller: LDAP server channel binding token requirements',
    gpoPath:
      SEC_OPT +
      '; older baselines use Administrative Templates > MS Security Guide > "Extended Protection for LDAP Authentication (Domain Controllers only)", which writes the same value',
    locations: [{ hive: 'HKLM', key: NTDS, name: 'LdapEnforceChannelBinding' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Never: channel binding tokens are not checked',
      1: 'When supported: clients that advertise channel binding must send a correct token; others are still let in',
      2: 'Always: every SASL bind over TLS must carry a valid channel binding token',
    },
    secure: '2 (Always)',
    side: 'server',
    dcOnly: true,
    defaults:
      'Windows Server 2022 and earlier: Never (0); the March 2023 updates turned on channel-binding auditing by default on WS2022 and WS2019. ' +
      'New Windows Server 2025 deployments: When supported (1), with auditing on. Neither default is Always.',
    baselines: { microsoft: '2 (domain controller baseline)', cis: '2 (2.3.5.3 in WS2022 3.0.0)', stig: 'not in the Server 2019 profile read' },
    watch: CBT_EVENTS,
    explanation: {
      what:
        'Domain controller side. Decides whether the DC checks that an LDAP bind made over TLS (LDAPS or StartTLS) with SASL (NTLM, Kerberos, Negotiate) belongs to that same TLS session: ' +
        '0 Never, 1 When supported, 2 Always. Simple binds over TLS, certificate binds and SASL without TLS are not affected.',
      why:
        'Signing and channel binding are separate protections: signing covers binds on port 389, channel binding covers the TLS path. ' +
        'Microsoft\'s channel-binding page notes that signing on 389 detects tampering but does not by itself stop an NTLM relay, and calls SASL over TLS with channel binding the strongest setup. ' +
        'Microsoft recommends Always, and the DC baseline and CIS set 2; set this and LDAP signing (ldap.server.signing) together.',
      attack:
        'An attacker who terminates a client\'s TLS connection and opens their own TLS session to the DC can pass the client\'s NTLM authentication through (NTLM relay to LDAPS). ' +
        'Without channel binding the DC cannot see that the authentication was made for a different TLS session, and the attacker acts in the directory as the victim.',
      fix:
        'Set "Domain controller: LDAP server channel binding token requirements" to Always (LdapEnforceChannelBinding = 2) in the GPO linked to the Domain Controllers OU. ' +
        'Older baselines set the same value through the MS Security Guide policy "Extended Protection for LDAP Authentication (Domain Controllers only)", option "Enabled, always (recommended)".',
      rollout:
        'Microsoft\'s path is When supported (1) first, then Always (2). With 1 and the LDAP interface diagnostic level at 2, watch the Directory Service log for 3039, 3074 and 3075, which name clients that send no or a wrong token; ' +
        'update them, then move to Always. Event meanings follow the channel-binding page and KB935834; the "LDAP signing for AD DS" page describes 3040/3041 differently.',
    },
    references: [REF.S21, REF.S15, REF.S20, REF.S23, REF.S30, REF.S31, REF.S26],
    fixes: [
      { value: 2, title: 'Require channel binding: Always', preferred: true },
      { value: 1, title: "Set channel binding to 'When supported' first (rollout step)", stage: 'negotiate' },
    ],
    judge: (value, ctx) => {
      const v = documented(value, 'LdapEnforceChannelBinding', [0, 1, 2]);
      if (typeof v !== 'number') return v;
      if (v === 2) return HARDENED;
      if (v === 1) {
        return weak(
          'LDAP channel binding is checked only for clients that offer it (LdapEnforceChannelBinding = 1, When supported); other clients can still be relayed to LDAPS. ' +
            'This is the rollout step; the next one is 2 (Always).',
          // With LDAP signing required this is the half-done rollout the "set channel binding next"
          // info asks for: taking that step must not raise the finding to a warning.
          ctx.peers.get('ldap.server.signing') === 2 ? 'info' : 'warning',
          [{ value: 2, title: 'Require channel binding: Always', preferred: true }],
        );
      }
      return weak(
        'LDAP channel binding is never checked (LdapEnforceChannelBinding = 0, Never): an attacker who sits in a client\'s TLS connection can relay its NTLM authentication to LDAPS.',
      );
    },
    // Not Always on any version: Never up to WS2022, When supported on new WS2025 deployments. Only DCs are affected.
    osDefaults: [
      { roles: ['member'], exposed: false },
      // New Server 2025 deployments: When supported (1); earlier: Never (0). Neither is Always.
      {
        targetOs: ['ws2025'],
        value: 1,
        exposed: true,
        says: "New Windows Server 2025 deployments default to 'When supported', which still lets clients that send no channel binding token be relayed to LDAPS",
      },
      { value: 0, exposed: true },
    ],
  },
  {
    id: 'ldap.client.signing',
    posture: { family: 'ldap-signing' },
    stage: 'negotiate',
    securityOption: { name: 'Network security: LDAP client signing requirements', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LDAP\\LDAPClientIntegrity' },
    title: 'LDAP clients must at least negotiate signing',
    category: 'ldap',
    severity: 'error',
    displayName: 'Network security: LDAP client signing requirements',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: LDAP_CLIENT, name: 'LDAPClientIntegrity' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'None: the client does not ask for signing',
      1: 'Negotiate signing: the client asks for signing and uses it when the server agrees',
      2: 'Require signing: the client refuses unsigned LDAP sessions',
    },
    secure: '1 (Negotiate signing) or 2 (Require signing)',
    side: 'client',
    defaults: 'Negotiate signing (1).',
    baselines: { microsoft: '1', cis: '1 or higher (2.3.11.8)', stig: 'WN10/WN11-SO-000210, WN19-SO-000320' },
    explanation: {
      what:
        'Client side: how this machine\'s LDAP client handles signing when it talks to domain controllers and other LDAP servers. 0 None, 1 Negotiate signing, 2 Require signing.',
      why:
        'With 0 the client never asks for signing, so its LDAP sessions stay unsigned even with DCs that would sign. The baselines accept 1 or 2.',
      attack: 'A man-in-the-middle between this client and a DC can alter its unsigned LDAP traffic, changing what the client reads from or writes to the directory. PingCastle flags the value 0 for this reason.',
      fix:
        'Set "Network security: LDAP client signing requirements" to "Negotiate signing" (1), the default, or "Require signing" (2) where every LDAP server the client talks to signs. ' +
        'The Microsoft baseline uses 1; CIS and the STIG accept 1 or 2.',
      rollout:
        'Negotiate signing is safe everywhere. Before choosing Require signing, check that all LDAP servers the clients use can sign: a client that requires signing fails to bind to a server that does not. ' +
        'Getting clients to negotiate signing is also the first step before DCs require it (ldap.server.signing).',
    },
    references: [REF.LDAP_CLIENT, REF.S31, REF.S14, REF.S28, REF.S26, REF.S27],
    fixes: [
      { value: 1, title: 'Negotiate LDAP signing', preferred: true },
      { value: 2, title: 'Require LDAP signing', stage: 'enforce' },
    ],
    judge: (value) => {
      const v = documented(value, 'LDAPClientIntegrity', [0, 1, 2]);
      if (typeof v !== 'number') return v;
      return v >= 1
        ? HARDENED
        : weak(
            'LDAP client signing is off (LDAPClientIntegrity = 0, None): this machine does not ask for signing, so a man-in-the-middle can tamper with its LDAP traffic.',
          );
    },
    // Default is Negotiate signing.
    osDefaults: [{ value: 1, exposed: false }],
  },
  {
    id: 'ldap.client.sealing',
    posture: { family: 'ldap-signing' },
    stage: 'negotiate',
    securityOption: { name: 'Network security: LDAP client encryption requirements', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\LDAP\\LDAPClientConfidentiality' },
    title: 'LDAP clients should negotiate encryption (Windows 11 24H2 / Server 2025)',
    category: 'ldap',
    severity: 'info',
    displayName: 'Network security: LDAP client encryption requirements',
    gpoPath: SEC_OPT + ' (Windows 11 24H2 / Windows Server 2025 and later)',
    locations: [{ hive: 'HKLM', key: LDAP_CLIENT, name: 'LDAPClientConfidentiality' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'None (as reported by CIS-derived material)',
      1: 'Negotiate sealing (as reported by CIS-derived material)',
      2: 'Require sealing (as reported by CIS-derived material)',
    },
    secure: '1 (Negotiate sealing) or higher',
    side: 'client',
    defaults:
      'Microsoft says that on Windows Server 2025 LDAP client encryption is preferred by default. The setting is reported to be read only on build 26100 and later; older builds ignore it.',
    baselines: {
      microsoft: 'not confirmed',
      cis: '1 or higher (2.3.11.7 or 2.3.11.8 depending on the benchmark; from CIS-derived material)',
    },
    explanation: {
      what:
        'Client side, Windows 11 24H2 / Windows Server 2025 and later. The policy is reported to write LDAPClientConfidentiality under Services\\LDAP with 0 None, 1 Negotiate sealing and 2 Require sealing. ' +
        'No Microsoft reference page with this registry mapping was found, so relaylint treats the mapping as likely but not confirmed.',
      why:
        'Sealing encrypts the LDAP session, so directory data and the client\'s queries cannot be read on the wire, in addition to being protected against tampering. It complements signing, which only detects changes.',
      attack:
        'Without sealing, a man-in-the-middle on an unencrypted LDAP connection can read what the client sends and receives. With signing off too, the attacker can also change it.',
      fix:
        'Set "Network security: LDAP client encryption requirements" to "Negotiate sealing" (reported as 1). Keep LDAP client signing (ldap.client.signing) at 1 or higher as well.',
      rollout:
        'Negotiate sealing only asks for encryption, so it is the safe choice. Test "Require sealing" against every LDAP server the clients use before deploying it, as a client that insists on sealing is expected to fail against servers that cannot seal.',
    },
    references: [REF.S20, REF.CIS_SCRIPTS, REF.S26],
    fixes: [{ value: 1, title: 'Negotiate LDAP sealing', preferred: true }],
    judge: (value) => {
      const v = documented(value, 'LDAPClientConfidentiality', [0, 1, 2]);
      if (typeof v !== 'number') return v;
      return v >= 1
        ? HARDENED
        : weak(
            'LDAPClientConfidentiality = 0 is reported to mean "None": the client would not ask for encrypted LDAP sessions. (The value mapping comes from CIS-derived material, not from a Microsoft reference.)',
          );
    },
    // Optional; Server 2025 already prefers client encryption by default.
    osDefaults: [{ exposed: false }],
  },
];
