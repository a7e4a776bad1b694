/**
 * The relay-maturity ladder, as data: per control family, which catalog rules belong to it and what
 * each level L0–L5 requires of them.
 *
 * Which family a rule belongs to, and whether its readiness gates the family's next enforcement
 * step, lives in the rule's catalog entry (`posture`); this file keeps the family names and the
 * level definitions (text and requirements, which combine several rules of a family) and derives
 * each family's `rules` and `gate` from the catalog.
 *
 * Facts: settings-and-formats.md §1.3/§5.5 (audit → remediate → enforce, [S1][S18][S20][S21][S23][S24]),
 * scope-and-evidence.md §3.9 (which audit switches the GPOs can show). A condition never guesses an
 * unconfirmed value: where the catalog marks a value as secondary-source only (the Restrict NTLM
 * encodings), the definition text says so.
 */

import { osDefaultFor, settingRuleById, settingRules, type OsDefault, type PostureFamily } from '../catalog';
import { ROLES, TARGET_OSES } from '../config';

export type FamilyId = PostureFamily;

/** What "not configured" means for a condition. */
export type MissingPolicy =
  /** Not configured fails the condition. */
  | 'fail'
  /** Not configured passes when the catalog says the OS default is not exposed for this role and target OS (`exposedWhenMissing` false). */
  | 'os-default'
  /**
   * Not configured behaves as the catalog's OS default value for the scope's role and target OS
   * (`osDefaultFor`); the text names a secondary source where the catalog's row does.
   */
  | 'default-value';

export interface RuleCondition {
  rule: string;
  /** The rule's judgement must be `hardened` (the catalog's own verdict, e.g. LDAP signing on Server 2025 with enforcement). */
  hardened?: true;
  /** Accepted values (DWORD). */
  values?: readonly number[];
  /** Evaluated in the domain controllers' scope (DC-only settings decide this for every scope). */
  on?: 'dc';
  missing: MissingPolicy;
}

export interface AnyOfCondition {
  anyOf: readonly Condition[];
}

/** Evidence from exported event logs (issue 12 `readiness`) for these rules in this scope. */
export interface EvidenceCondition {
  evidence: readonly string[];
  /** `ready`: every readiness entry for these rules is `ready`; `audit-on`: the logs show the audit is on. */
  need: 'ready' | 'audit-on';
}

export type Condition = RuleCondition | AnyOfCondition | EvidenceCondition;

export interface LevelDef {
  level: 0 | 1 | 2 | 3 | 4 | 5;
  /** Short name shown in cells. */
  name: string;
  /** The definition shown on the page. */
  text: string;
  /** All must hold (each level lists its complete requirement, not a delta). `null`: the family has no such stage. */
  requires: readonly Condition[] | null;
}

export interface FamilyDef {
  id: FamilyId;
  title: string;
  /** Every catalog rule that belongs to the family (evidence shown on its cells): the entries whose `posture.family` is this family, in catalog order. */
  rules: readonly string[];
  /** The rules whose readiness (clients that would fail) is shown for the next enforcement step: the family's entries marked `gate`. */
  gate: readonly string[];
  levels: readonly LevelDef[];
}

export const LEVEL_NAMES: Record<number, string> = {
  0: 'Not configured or weak',
  1: 'Audited',
  2: 'Negotiated',
  3: 'Required on servers and DCs',
  4: 'Required everywhere, no failing client',
  5: 'NTLM restricted with exceptions',
};

/**
 * The one OS default row a level text may quote for a rule: the same numeric value for every role
 * and target OS (else the text would have to say per role, and this throws).
 */
function quotedDefault(ruleId: string): OsDefault & { value: number } {
  const rule = settingRuleById(ruleId);
  if (!rule) throw new Error(`levels: ${ruleId} is not a catalog rule`);
  const rows = ROLES.flatMap((role) => TARGET_OSES.map((targetOs) => osDefaultFor(rule, { role, targetOs })));
  const first = rows[0];
  if (!first || typeof first.value !== 'number' || rows.some((r) => r?.value !== first.value || r?.secondary !== first.secondary)) {
    throw new Error(`levels: ${ruleId} has no single numeric OS default to quote`);
  }
  return first as OsDefault & { value: number };
}

/** A default a level text states plainly: only a value a primary source gives (throws for a secondary one). */
function plainDefault(ruleId: string): number {
  const d = quotedDefault(ruleId);
  if (d.secondary) throw new Error(`levels: the default of ${ruleId} is recorded only in ${d.secondary}; quote it with defaultsNote`);
  return d.value;
}

/**
 * What a level text says about the defaults of these rules (one value for all of them), with the
 * catalog's confidence: "both are the Windows default" where a primary source gives it, "… as
 * recorded in <source>, a secondary source" where only secondary material records it.
 */
export function defaultsNote(ruleIds: readonly string[]): string {
  const rows = ruleIds.map((id) => ({ id, d: quotedDefault(id) }));
  const value = rows[0].d.value;
  if (rows.some((r) => r.d.value !== value)) throw new Error(`levels: ${ruleIds.join(', ')} have different defaults`);
  const primary = rows.filter((r) => !r.d.secondary).map((r) => r.id);
  const secondary = rows.filter((r) => r.d.secondary);
  const sources = [...new Set(secondary.map((r) => r.d.secondary))];
  if (sources.length > 1) throw new Error(`levels: ${ruleIds.join(', ')} cite different secondary sources`);
  const them = (ids: readonly string[]) => (ids.length === ruleIds.length ? (ids.length === 1 ? '' : ids.length === 2 ? 'both' : 'all of them') : ids.join(' and '));
  const recorded = `as recorded in ${sources[0]}, a secondary source`;
  if (!secondary.length) return primary.length === 1 ? `${value} is the Windows default` : `${them(primary)} are the Windows default`;
  const ids = secondary.map((r) => r.id);
  if (!primary.length) return ids.length === 1 ? `${value} is the default ${recorded}` : `${value} is the default of ${them(ids)} ${recorded}`;
  return `${value} is the Windows default of ${them(primary)}, and the default of ${them(ids)} ${recorded}`;
}

/** Condition shorthands: a rule at one of these values, a rule the catalog judges hardened, the event logs, one of several. */
const is = (rule: string, values: readonly number[], missing: MissingPolicy, on?: 'dc'): RuleCondition => ({ rule, values, ...(on ? { on } : {}), missing });
const hardened = (rule: string, missing: MissingPolicy, on?: 'dc'): RuleCondition => ({ rule, hardened: true, ...(on ? { on } : {}), missing });
const logs = (evidence: readonly string[], need: EvidenceCondition['need']): EvidenceCondition => ({ evidence, need });
const anyOf = (...conditions: Condition[]): AnyOfCondition => ({ anyOf: conditions });

/** One level of a family: its definition text and its complete requirement (`null`: the family has no such stage). */
type LevelRow = readonly [text: string, requires: readonly Condition[] | null];

const NOT_A_STAGE: LevelRow = ['Not a stage of this family.', null];

/** A family from its rows: L0's text (it requires nothing), then L1 to L5. */
function family(id: FamilyId, title: string, l0: string, rows: readonly [LevelRow, LevelRow, LevelRow, LevelRow, LevelRow]): Omit<FamilyDef, 'rules' | 'gate'> {
  return {
    id,
    title,
    levels: [{ level: 0, name: LEVEL_NAMES[0], text: l0, requires: [] }, ...rows.map(([text, requires], i): LevelDef => ({ level: (i + 1) as LevelDef['level'], name: LEVEL_NAMES[i + 1], text, requires }))],
  };
}

const SMB_SERVER_REQUIRED = is('smb.server.require', [1], 'os-default');
const SMB1_OFF = [is('smb1.server', [0], 'fail'), is('smb.client.guest', [0], 'os-default')];
const LDAP_DC_SIGNING = hardened('ldap.server.signing', 'os-default', 'dc');
const CBT_ALWAYS = is('ldap.server.cbt', [2], 'fail', 'dc');
const NTLM_EVERYWHERE = [
  is('ntlm.lmcompat', [5], 'fail', 'dc'),
  is('ntlm.lmcompat', [5], 'fail'),
  hardened('ntlm.minserver', 'fail'),
  hardened('ntlm.minclient', 'fail'),
  logs(['ntlm.lmcompat'], 'ready'),
];
const NETLOGON_REQUIRED = [is('netlogon.signorseal', [1], 'default-value'), is('netlogon.strongkey', [1], 'default-value')];
const NETLOGON_WHEN_POSSIBLE = [is('netlogon.sign', [1], 'default-value'), is('netlogon.seal', [1], 'default-value')];

const FAMILY_LEVELS: readonly Omit<FamilyDef, 'rules' | 'gate'>[] = [
  family('smb-signing', 'SMB signing', 'SMB servers do not require signing and the signing audit is off.', [
    [
      '"Audit client does not support signing" (smb.server.audit.signing = 1) applies, so SMB servers log clients that could not sign (events reported as 3021/3027).',
      [is('smb.server.audit.signing', [1], 'fail')],
    ],
    [
      'The "if client agrees" / "if server agrees" settings are on (smb.server.enable = 1, smb.client.enable = 1 or its default). Only SMBv1 uses them; for SMB 2 and 3 this stage changes nothing.',
      [is('smb.server.enable', [1], 'fail'), is('smb.client.enable', [1], 'default-value')],
    ],
    ['SMB servers require signing (smb.server.require = 1, or the OS default where it already requires it), which closes NTLM relay to SMB on these hosts.', [SMB_SERVER_REQUIRED]],
    [
      'Servers and clients require signing (smb.server.require = 1 and smb.client.require = 1) and the event logs show no client that fails signing.',
      [SMB_SERVER_REQUIRED, is('smb.client.require', [1], 'os-default'), logs(['smb.server.require'], 'ready')],
    ],
    NOT_A_STAGE,
  ]),
  family('smb1-guest', 'SMBv1 and guest access', 'The SMBv1 server is on, or clients allow insecure guest logons, and guest logons are not audited.', [
    [
      '"Audit insecure guest logon" applies on servers or clients (smb.server.audit.guest = 1 or smb.client.audit.guest = 1).',
      [anyOf(is('smb.server.audit.guest', [1], 'fail'), is('smb.client.audit.guest', [1], 'fail'))],
    ],
    ['No negotiate stage: SMBv1 and guest access are either allowed or not.', null],
    ['The SMBv1 server is off (smb1.server = 0, policy Disabled) and clients refuse insecure guest logons (smb.client.guest = 0, or the OS default).', SMB1_OFF],
    [
      'In addition the SMBv1 client driver is disabled (smb1.client = 4) and the event logs show no client that still uses SMBv1 (event 3000; the guest-logon events 31017 / 31022 are not read yet).',
      [...SMB1_OFF, is('smb1.client', [4], 'fail'), logs(['smb1.server', 'smb.client.guest'], 'ready')],
    ],
    NOT_A_STAGE,
  ]),
  family('ldap-signing', 'LDAP signing', 'Domain controllers accept unsigned LDAP binds and clients do not ask for signing.', [
    [
      'The event logs of the domain controllers show per-client LDAP signing events (2889). The switch ("16 LDAP Interface Events" = 2 under NTDS\\Diagnostics) is usually set by hand, ' +
        'so relaylint takes it as on only when the logs show it.',
      [logs(['ldap.server.signing'], 'audit-on')],
    ],
    [`Clients negotiate LDAP signing (ldap.client.signing = 1 or 2; ${defaultsNote(['ldap.client.signing'])}).`, [is('ldap.client.signing', [1, 2], 'default-value')]],
    [
      'Domain controllers require LDAP signing (ldap.server.signing = 2, or Server 2025 enforcement as the catalog judges it).',
      [is('ldap.client.signing', [1, 2], 'default-value'), LDAP_DC_SIGNING],
    ],
    [
      'Domain controllers require signing, clients require it too (ldap.client.signing = 2) and the DC logs show no client that binds without signing.',
      [is('ldap.client.signing', [2], 'fail'), LDAP_DC_SIGNING, logs(['ldap.server.signing'], 'ready')],
    ],
    NOT_A_STAGE,
  ]),
  family('ldap-cbt', 'LDAP channel binding', 'Domain controllers never check channel binding tokens (ldap.server.cbt = 0 or not configured before Server 2025).', [
    [
      'The DC logs show per-client channel-binding events (3039/3074/3075; they need the LDAP interface diagnostic level 2, set outside the catalog\'s settings).',
      [logs(['ldap.server.cbt'], 'audit-on')],
    ],
    ['Domain controllers check tokens from clients that offer them (ldap.server.cbt = 1, When supported).', [is('ldap.server.cbt', [1, 2], 'fail', 'dc')]],
    ['Domain controllers always require channel binding (ldap.server.cbt = 2, Always).', [CBT_ALWAYS]],
    [
      'Channel binding is Always (only domain controllers enforce it, so "everywhere" is the DCs) and the DC logs show no client that sends no or a wrong token.',
      [CBT_ALWAYS, logs(['ldap.server.cbt'], 'ready')],
    ],
    NOT_A_STAGE,
  ]),
  family('ntlm', 'NTLM (level, restrictions)', 'LM or NTLMv1 is still accepted and NTLM use is not audited.', [
    [
      'NTLM use is audited: incoming NTLM for all accounts (ntlm.in.audit = 2), outgoing NTLM (ntlm.out = 1, Audit all) or NTLM in the domain on DCs (ntlm.domain.audit = 7). ' +
        'The numeric encodings of these settings come from CIS lists, not from a Microsoft reference.',
      [anyOf(is('ntlm.in.audit', [2], 'fail'), is('ntlm.out', [1, 2], 'fail'), is('ntlm.domain.audit', [7], 'fail', 'dc'))],
    ],
    [
      `Machines send NTLMv2 only (ntlm.lmcompat 3 or higher; ${plainDefault('ntlm.lmcompat')} is the default) and require NTLMv2 session security with 128-bit encryption (ntlm.minclient, ntlm.minserver = 537395200).`,
      [is('ntlm.lmcompat', [3, 4, 5], 'default-value'), hardened('ntlm.minclient', 'fail'), hardened('ntlm.minserver', 'fail')],
    ],
    [
      'Domain controllers refuse LM and NTLMv1 (ntlm.lmcompat = 5 in the DCs\' scope) and servers require NTLMv2 session security.',
      [is('ntlm.lmcompat', [5], 'fail', 'dc'), hardened('ntlm.minserver', 'fail')],
    ],
    ['Every machine is at ntlm.lmcompat = 5 with both minimum session security settings, and the logs show no NTLMv1 client (anonymous logons excluded, KB4090105).', NTLM_EVERYWHERE],
    [
      'L4, and NTLM is restricted: outgoing NTLM denied (ntlm.out = 2), incoming NTLM denied (ntlm.in.restrict 1 or 2) or all NTLM in the domain denied on DCs (ntlm.domain.restrict = 7, Deny all as CIS lists number it; what 1, 3 and 5 restrict is not confirmed, so they do not count), ' +
        'with the NTLM audit showing no unexpected use. Microsoft\'s advice is to deny with a server exception list; relaylint does not read the exception lists yet, so check them.',
      [
        ...NTLM_EVERYWHERE,
        anyOf(is('ntlm.out', [2], 'fail'), is('ntlm.in.restrict', [1, 2], 'fail'), is('ntlm.domain.restrict', [7], 'fail', 'dc')),
        logs(['ntlm.out'], 'ready'),
      ],
    ],
  ]),
  family('netlogon', 'Netlogon secure channel', 'A GPO turns secure-channel signing or sealing off.', [
    ['No audit switch for the secure channel among the Group Policy settings relaylint knows.', null],
    [
      `Secure-channel data is signed and sealed when possible (netlogon.sign = 1, netlogon.seal = 1; ${defaultsNote(['netlogon.sign', 'netlogon.seal'])}).`,
      NETLOGON_WHEN_POSSIBLE,
    ],
    [
      `Signing or sealing is always required with a strong session key (netlogon.signorseal = 1, netlogon.strongkey = 1; ${defaultsNote(['netlogon.signorseal', 'netlogon.strongkey'])}).`,
      [...NETLOGON_WHEN_POSSIBLE, ...NETLOGON_REQUIRED],
    ],
    [
      'L3 and evidence from the logs that no machine fails the secure-channel requirement. No event source for this is read yet, so L3 is the practical top.',
      [...NETLOGON_REQUIRED, logs(['netlogon.signorseal'], 'ready')],
    ],
    NOT_A_STAGE,
  ]),
];

/** The families with their rules and gates from the catalog entries. */
export const FAMILIES: readonly FamilyDef[] = FAMILY_LEVELS.map((f) => {
  const mine = settingRules.filter((r) => 'family' in r.posture && r.posture.family === f.id);
  return { ...f, rules: mine.map((r) => r.id), gate: mine.filter((r) => 'family' in r.posture && r.posture.gate).map((r) => r.id) };
});

/** The rollout order the canary headline and the next steps follow. */
export const ROLLOUT_ORDER: readonly FamilyId[] = ['smb-signing', 'smb1-guest', 'ldap-signing', 'ldap-cbt', 'ntlm', 'netlogon'];

export function familyById(id: FamilyId): FamilyDef {
  const f = FAMILIES.find((x) => x.id === id);
  if (!f) throw new Error(`unknown family ${id}`);
  return f;
}

/** The highest level a family defines (L4 for most, L5 for NTLM). */
export function topLevel(f: FamilyDef): number {
  return Math.max(...f.levels.filter((l) => l.requires !== null).map((l) => l.level));
}

function names(c: Condition, ruleId: string): boolean {
  if ('anyOf' in c) return c.anyOf.some((x) => names(x, ruleId));
  if ('evidence' in c) return c.evidence.includes(ruleId);
  return c.rule === ruleId;
}

/** The levels of a rule's family whose requirement names the rule (for its docs page). */
export function levelsNaming(ruleId: string): { family: FamilyDef; levels: LevelDef[] } | undefined {
  const family = FAMILIES.find((f) => f.rules.includes(ruleId));
  if (!family) return undefined;
  return { family, levels: family.levels.filter((l) => l.requires?.some((c) => names(c, ruleId))) };
}
