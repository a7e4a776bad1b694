/**
 * Netlogon secure channel rules. Facts: settings-and-formats.md §4 and §0 (sources [S19], [S26], [S27], [S42]).
 * Defaults: [S19] for RequireSignOrSeal (V), HardeningKitty's default column for the others (V2, named in the text); the DDCP line: [S42] (V2).
 */
import type { SettingRule } from './types';
import { HARDENED, REF, SEC_OPT, documented, onOffJudge, weak } from './smb';

const NETLOGON = 'System\\CurrentControlSet\\Services\\Netlogon\\Parameters';

const SECURE_CHANNEL =
  'The secure channel is the authenticated connection between a domain member and a domain controller; it carries NTLM pass-through authentication and LSA lookups.';

const RESTORE_DEFAULT =
  'Since 1 is the recorded default, a 0 in a GPO is a deliberate exception. Find out which domain controller or system it was meant for, fix or retire that system, then restore 1 on a pilot group first.';

export const netlogonRules: SettingRule[] = [
  {
    id: 'netlogon.signorseal',
    posture: { family: 'netlogon', gate: true },
    securityOption: { name: 'Domain member: Digitally encrypt or sign secure channel data (always)', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\RequireSignOrSeal' },
    title: 'The Netlogon secure channel must always be signed or sealed',
    category: 'netlogon',
    severity: 'error',
    displayName: 'Domain member: Digitally encrypt or sign secure channel data (always)',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: NETLOGON, name: 'RequireSignOrSeal' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: signing and sealing are negotiated from the two "when possible" settings',
      1: 'Enabled: the member refuses a secure channel with a domain controller that cannot sign or seal all of it',
    },
    secure: '1 (Enabled)',
    side: 'client',
    defaults: 'Enabled (1) on all roles, according to Microsoft\'s page for the setting. Public dumps of the Default Domain Controllers Policy show it defined there as well.',
    baselines: { microsoft: '1', cis: '1 (2.3.6.1)', stig: 'WN10/WN11-SO-000035, WN19-SO-000060' },
    explanation: {
      what:
        'Domain member side (domain controllers are members too). With 1 the machine only sets up a secure channel with a DC that signs or seals all of its traffic, and "sign when possible" is treated as on. ' +
        'With 0 signing and sealing are only negotiated, according to the two "when possible" settings. ' +
        SECURE_CHANNEL,
      why:
        'It is the one secure-channel setting that makes protection mandatory rather than best effort. Turning it off lets a member fall back to a secure channel with neither signing nor sealing.',
      attack:
        'A man-in-the-middle between a member and its DC can read or alter an unprotected secure channel, including the NTLM pass-through authentications and lookups it carries. ' +
        'Requiring signing or sealing makes such a channel impossible to set up.',
      fix:
        'Set "Domain member: Digitally encrypt or sign secure channel data (always)" to Enabled (RequireSignOrSeal = 1), the default. ' +
        'Public dumps of the Default Domain Controllers Policy show it defined there too, so domain controllers normally get it even without a custom GPO.',
      rollout: RESTORE_DEFAULT,
    },
    references: [REF.S19, REF.S42, REF.S26, REF.S27],
    fixes: [{ value: 1, title: 'Always sign or seal the secure channel', preferred: true }],
    judge: onOffJudge(
      'RequireSignOrSeal',
      () =>
        'Secure channel protection is not required (RequireSignOrSeal = 0): the member may set up a secure channel without signing or sealing, which a man-in-the-middle can read or alter.',
    ),
    // Default 1 on all roles [S19].
    osDefaults: [{ value: 1, exposed: false }],
  },
  {
    id: 'netlogon.seal',
    posture: { family: 'netlogon' },
    related: ['netlogon.signorseal'],
    stage: 'negotiate',
    securityOption: { name: 'Domain member: Digitally encrypt secure channel data (when possible)', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\SealSecureChannel' },
    title: 'The Netlogon secure channel should be sealed when possible',
    category: 'netlogon',
    severity: 'warning',
    displayName: 'Domain member: Digitally encrypt secure channel data (when possible)',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: NETLOGON, name: 'SealSecureChannel' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the member does not try to encrypt the secure channel',
      1: 'Enabled: the member encrypts the secure channel when the domain controller supports it',
    },
    secure: '1 (Enabled)',
    side: 'client',
    defaults: '1 (Enabled), as recorded in the default column of the HardeningKitty lists (a secondary source).',
    baselines: { microsoft: '1', cis: '1 (2.3.6.2)', stig: 'WN10/WN11-SO-000040, WN19-SO-000070' },
    explanation: {
      what:
        'Domain member side. With 1 the member asks to encrypt (seal) all secure-channel traffic whenever the DC can; with 0 it does not ask. ' +
        SECURE_CHANNEL,
      why:
        'Sealing keeps the content of the secure channel confidential; signing alone only protects it against tampering. ' +
        'Both "when possible" settings take effect only where the domain controller supports them.',
      attack:
        'Without sealing, a man-in-the-middle between member and DC can observe what passes over the secure channel, such as pass-through authentication traffic and lookup results. ' +
        'Sealing takes that view away even where the channel is already signed.',
      fix:
        'Set "Domain member: Digitally encrypt secure channel data (when possible)" to Enabled (SealSecureChannel = 1), the default. ' +
        'Keep "(always)" enabled too, so that the channel is at least signed where sealing is not possible.',
      rollout: RESTORE_DEFAULT,
    },
    references: [REF.S19, REF.S26, REF.S27],
    fixes: [{ value: 1, title: 'Seal the secure channel when possible', preferred: true }],
    judge: onOffJudge(
      'SealSecureChannel',
      () =>
        'Secure channel sealing is off (SealSecureChannel = 0): secure-channel traffic is not encrypted, so a man-in-the-middle can observe it.',
    ),
    // Default 1: HardeningKitty's default column only (V2).
    osDefaults: [{ value: 1, exposed: false, secondary: 'the HardeningKitty lists' }],
  },
  {
    id: 'netlogon.sign',
    posture: { family: 'netlogon' },
    related: ['netlogon.signorseal'],
    stage: 'negotiate',
    securityOption: { name: 'Domain member: Digitally sign secure channel data (when possible)', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\SignSecureChannel' },
    title: 'The Netlogon secure channel should be signed when possible',
    category: 'netlogon',
    severity: 'warning',
    displayName: 'Domain member: Digitally sign secure channel data (when possible)',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: NETLOGON, name: 'SignSecureChannel' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the member does not ask to sign the secure channel',
      1: 'Enabled: the member signs the secure channel when the domain controller supports it',
    },
    secure: '1 (Enabled)',
    side: 'client',
    defaults: '1 (Enabled), as recorded in the default column of the HardeningKitty lists (a secondary source).',
    baselines: { microsoft: '1', cis: '1 (2.3.6.3)', stig: 'WN10/WN11-SO-000045, WN19-SO-000080' },
    explanation: {
      what:
        'Domain member side. With 1 the member asks to sign all secure-channel traffic whenever the DC can; with 0 it does not ask. ' +
        'When "Digitally encrypt or sign secure channel data (always)" is enabled, Windows treats this setting as on regardless. ' +
        SECURE_CHANNEL,
      why:
        'Signing protects the secure channel against tampering. It is the fallback that still protects the channel where sealing is not possible.',
      attack:
        'Without signing (and without sealing), a man-in-the-middle between member and DC can change secure-channel traffic, including the answers to pass-through authentication. Signing makes such changes detectable.',
      fix:
        'Set "Domain member: Digitally sign secure channel data (when possible)" to Enabled (SignSecureChannel = 1), the default. ' +
        'With "(always)" enabled as well, Windows treats this one as on anyway.',
      rollout: RESTORE_DEFAULT,
    },
    references: [REF.S19, REF.S26, REF.S27],
    fixes: [{ value: 1, title: 'Sign the secure channel when possible', preferred: true }],
    judge: (value, ctx) => {
      const v = documented(value, 'SignSecureChannel', [0, 1]);
      if (typeof v !== 'number') return v;
      if (v === 1) return HARDENED;
      return ctx.peers.get('netlogon.signorseal') === 1
        ? weak(
            'SignSecureChannel = 0 contradicts the baselines, but RequireSignOrSeal = 1 in the same scope makes Windows treat "sign when possible" as on, so the secure channel is still protected.',
            'info',
          )
        : weak('Secure channel signing is off (SignSecureChannel = 0): unless another setting forces it, secure-channel traffic can be altered by a man-in-the-middle.');
    },
    // Default 1: HardeningKitty's default column only (V2).
    osDefaults: [{ value: 1, exposed: false, secondary: 'the HardeningKitty lists' }],
  },
  {
    id: 'netlogon.strongkey',
    posture: { family: 'netlogon' },
    securityOption: { name: 'Domain member: Require strong (Windows 2000 or later) session key', keyName: 'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\RequireStrongKey' },
    title: 'The Netlogon secure channel must use a strong session key',
    category: 'netlogon',
    severity: 'warning',
    displayName: 'Domain member: Require strong (Windows 2000 or later) session key',
    gpoPath: SEC_OPT,
    locations: [{ hive: 'HKLM', key: NETLOGON, name: 'RequireStrongKey' }],
    valueType: 'REG_DWORD',
    values: {
      0: 'Disabled: the member also accepts a weaker session key',
      1: 'Enabled: the member requires a strong (128-bit) session key',
    },
    secure: '1 (Enabled)',
    side: 'client',
    defaults: '1 (Enabled), as recorded in the default column of the HardeningKitty lists (a secondary source).',
    baselines: { microsoft: '1', cis: '1 (2.3.6.6)', stig: 'WN10/WN11-SO-000060, WN19-SO-000110' },
    explanation: {
      what:
        'Domain member side. With 1 the member only sets up a secure channel protected by a strong, 128-bit session key; with 0 it also accepts a weaker key. ' +
        SECURE_CHANNEL,
      why:
        'Signing and sealing of the secure channel are only as strong as the session key they use. The STIG describes the strong key as a 128-bit session key.',
      attack:
        'A weaker session key makes the signed or sealed secure channel easier for a man-in-the-middle to break, which undoes the protection of the two "when possible" settings. ' +
        'Requiring the strong key removes that weaker option.',
      fix:
        'Set "Domain member: Require strong (Windows 2000 or later) session key" to Enabled (RequireStrongKey = 1), the default. ' +
        'The Microsoft baseline, CIS and the STIG all check for 1.',
      rollout: RESTORE_DEFAULT,
    },
    references: [REF.S19, REF.S27, REF.S26],
    fixes: [{ value: 1, title: 'Require a strong session key', preferred: true }],
    judge: onOffJudge(
      'RequireStrongKey',
      () =>
        'A strong session key is not required (RequireStrongKey = 0): the secure channel may use a weaker key, which makes its signing and sealing easier to break.',
    ),
    // Default 1: HardeningKitty's default column only (V2).
    osDefaults: [{ value: 1, exposed: false, secondary: 'the HardeningKitty lists' }],
  },
];
