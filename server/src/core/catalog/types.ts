/**
 * The shape of a rule catalog entry. One entry per setting; hover text, rule docs pages, the
 * settings schema and SARIF rule metadata are all generated from these objects.
 * Facts come from ../shared/docs/settings-and-formats.md; each entry names its sources ([Sx] tags)
 * in `references`.
 */
import type { Hive, RegData, Role, Severity, TargetOs } from '../types';

export type Category = 'smb' | 'ldap' | 'ntlm' | 'netlogon' | 'meta';

export interface RegistryLocation {
  hive: Hive;
  /** Key path without hive, in the casing Microsoft documents. */
  key: string;
  name: string;
}

export interface Reference {
  /** Source tag of settings-and-formats.md §9 (`S11`) or scope-and-evidence.md §9 (`E31`). */
  tag?: string;
  title: string;
  url?: string;
}

export interface Explanation {
  /** What the setting controls (client or server side, which value means what). */
  what: string;
  /** Why it matters. */
  why: string;
  /** The man-in-the-middle / relay attack it opens or closes. */
  attack: string;
  /** How to fix it, in Group Policy terms. */
  fix: string;
  /** Audit-first rollout and the event ids to watch. */
  rollout: string;
}

export interface JudgeContext {
  role: Role;
  targetOs: TargetOs;
  /** Other values configured in the same scope (same file for the editor, same GPO set for coverage), by setting id. */
  peers: ReadonlyMap<string, RegData>;
}

/**
 * What writing a setting's hardened value does to machines, which decides a fix's applicability:
 * - `audit`: only logs (an audit switch);
 * - `negotiate`: protects where both sides agree, refuses nobody (the "if agrees" / negotiate /
 *   "when supported" step of a rollout);
 * - `enforce`: refuses what does not comply (require signing, refuse NTLM, disable SMBv1);
 * - `optional` / `environment`: relaylint never rates the value weak (no fix is offered).
 * Fixes of `audit` and `negotiate` values are safe and apply in bulk; every other fix is unsafe.
 */
export type Stage = 'audit' | 'negotiate' | 'enforce' | 'optional' | 'environment';

/** The setting as a Security Option (secedit `[Registry Values]`, report `SecurityOptions`). */
export interface SecurityOptionIdentity {
  /** The policy name Microsoft shows, e.g. `Microsoft network server: Digitally sign communications (always)`. */
  name: string;
  /** The `KeyName` of reports and the key of a security template line: `MACHINE\System\…\ValueName`. */
  keyName: string;
}

/** How an ADMX policy's state (and its parts) becomes the registry value. */
export type AdmxStateMapping =
  /** Enabled → `enabled`, Disabled → `disabled`. */
  | { kind: 'on-off'; enabled: number; disabled: number }
  /**
   * Enabled + the first drop-down's choice, matched on its start (case-insensitive); Disabled writes
   * nothing. A choice marked `inferred` is read from its wording, not from a source: the value is
   * used and an info note says so.
   */
  | { kind: 'drop-down'; choices: readonly (readonly [prefix: string, value: number, inferred?: 'inferred'])[]; disabledNote?: string }
  /** Enabled + a drop-down naming an SMB dialect (`3.1.1` → 785); Disabled writes nothing. */
  | { kind: 'smb-dialect' }
  /** Enabled + a ListBox of name → data pairs, one REG_SZ value each under `key`. */
  | { kind: 'list' };

/** The setting as an Administrative Template (ADMX) policy, as a GPO report shows it. */
export interface AdmxPolicyIdentity {
  /** Policy display name as reports write it (matched after collapsing whitespace, case-insensitive). */
  name: string;
  /** Category path as reports write it, e.g. `Network/Lanman Server`. */
  category: string;
  /** Match only when the report's category ends like `category` (names shared by two templates). */
  categoryMustMatch?: boolean;
  /** The key (HKLM) and value name the policy writes. */
  key: string;
  valueName: string;
  state: AdmxStateMapping;
}

/** A step that follows once this setting is at `value`: the `next` setting is due (info level, per file). */
export interface NextStep {
  /** This setting's value that starts the rollout step. */
  value: number;
  /** The rule whose value is due next. */
  next: string;
  /** The info text; `{next}` placeholders are not used: the text is complete. */
  message: string;
  /**
   * How the text reads for a target OS whose OS default row of the `next` rule carries a `says`
   * sentence (the Windows 11 24H2 / Server 2025 defaults): `lead`, a space, that sentence, then
   * `whenSecure` or `whenExposed` by the row's `exposed`. The row is the one for a domain controller
   * when the `next` rule is DC-only, else for a member.
   */
  byDefault?: { lead: string; whenSecure?: string; whenExposed?: string };
  // The text per target OS where the advice changes is rendered from `byDefault` and the `next`
  // rule's `osDefaults` by the catalog's `messageByTargetOs` (catalog/index.ts).
}

/** Events of one log that show this setting at work (ids and log only; parsing lives in core/evidence/events.ts). */
export interface EvidenceEvents {
  log: string;
  ids: readonly number[];
}

/**
 * The setting's evidence in exported event logs (issue 12): the events that name the clients that
 * would fail once it is enforced, and how to make Windows log them. The readiness judge reads the
 * events core/evidence/events.ts can parse; the others are listed for the docs.
 */
export interface SettingEvidence {
  events: readonly EvidenceEvents[];
  /** How to turn the events on and export them, in our words. */
  howToAudit: string;
  /**
   * Event ids this setting shares with another audit, when which id belongs to which is not
   * confirmed: they count as this setting's evidence only where that audit's switch is off.
   */
  sharedWith?: { switchRule: string; ids: readonly number[] };
}

/** The control families of the relay-maturity ladder (issue 14; level definitions in core/posture/levels.ts). */
export type PostureFamily = 'smb-signing' | 'smb1-guest' | 'ldap-signing' | 'ldap-cbt' | 'ntlm' | 'netlogon';

/**
 * Where the setting sits on the posture ladder: in a family (its values are shown on that family's
 * cells; `gate`: its readiness is the "clients that would fail" of the family's next enforcement
 * step), or explicitly outside it, with the reason.
 */
export type PosturePlace = { family: PostureFamily; gate?: true } | { outside: string };

/** A value to offer as a fix. */
export interface ValueChoice {
  value: number | string;
  /**
   * Another rule whose value this choice writes (a staged or paired fix: "enable 'if server agrees'
   * first" on a client Require finding). Omit to write this rule's own value.
   */
  target?: string;
  /** Imperative fix title, e.g. `Require signing (always)`. */
  title: string;
  /** The preferred choice is what `--fix` and fix-all write. */
  preferred?: boolean;
  /** What this value does, when it differs from the target rule's `stage` (a staged or a stricter choice). */
  stage?: Stage;
}

export interface Judgement {
  status: 'hardened' | 'weak' | 'unknown';
  /** Overrides the rule's default severity for this case (e.g. lower for SMB1-only settings). */
  severity?: Severity;
  /** What is wrong, in one or two sentences; the rule engine adds the location. */
  message?: string;
  /** Fix choices, preferred first. Omit to use the rule's `fixes`. */
  fixes?: ValueChoice[];
}

/**
 * A setting's operating system default when no policy configures it, for some roles and target
 * OSes. A rule's rows are read in order; the first row whose `roles` and `targetOs` match the
 * context decides (an omitted list matches everything). No matching row: not exposed.
 */
export interface OsDefault {
  /** The roles this row covers (`any`: the GPO may reach domain controllers and members). Omit: every role. */
  roles?: readonly Role[];
  /** The oldest Windows the GPOs reach. Omit: every target. */
  targetOs?: readonly TargetOs[];
  /** The default value, only where the sources state it plainly. */
  value?: number | string;
  /**
   * Set when only secondary material records `value` (mark V2 in the fact base): whose record it
   * is, in our words (`the HardeningKitty lists`). Every text that quotes the value then names it
   * as such; omit when a primary Microsoft source states the value (V).
   */
  secondary?: string;
  /** This row's default as a sentence a text can quote (rendered into next-step messages per target OS; see `NextStep.byDefault`). */
  says?: string;
  /** Whether the default leaves the machine exposed (coverage: "missing" is then a weakness). */
  exposed: boolean;
}

export interface SettingRule {
  /** Stable id, never reused (e.g. `smb.server.require`). */
  id: string;
  /** Short title of the rule, e.g. `SMB server signing must be required`. */
  title: string;
  category: Category;
  /** Severity of a weak value, before the user's overrides. */
  severity: Severity;
  /** Group Policy display name, exactly as Microsoft writes it. */
  displayName: string;
  /** Where the policy lives in the Group Policy editor. */
  gpoPath: string;
  /** Registry locations that carry the same value. The first is the canonical one. */
  locations: RegistryLocation[];
  valueType: 'REG_DWORD' | 'REG_SZ' | 'REG_MULTI_SZ';
  /** Meaning of each documented value. */
  values: Record<number, string>;
  /** The secure value as the user should write it, e.g. `1 (Enabled)`. */
  secure: string;
  /** Which machine the setting protects / acts on. */
  side: 'server' | 'client' | 'both';
  /** Only meaningful on domain controllers. */
  dcOnly?: boolean;
  /** What writing the hardened value does (decides whether its fixes are safe); default `enforce`. */
  stage?: Stage;
  /** Policy identities: how the setting is configured besides its registry locations. */
  securityOption?: SecurityOptionIdentity;
  admx?: readonly AdmxPolicyIdentity[];
  /** Room for the DSC resource property and the Intune (Policy CSP) path, when known. */
  dsc?: { resource: string; property: string };
  csp?: string;
  /** Rollout: what follows once this setting is at a given value (per-file info findings). */
  nextSteps?: readonly NextStep[];
  /** Rules whose values in the same file matter for this one's finding (shown as related information). */
  related?: readonly string[];
  /** The audit switch (a catalog rule whose hardened value turns the events on) to turn on before enforcing this setting. */
  auditSwitch?: string;
  /** Events that are this setting's evidence, and how to log them. */
  evidence?: SettingEvidence;
  /** Its place on the posture ladder. */
  posture: PosturePlace;
  /** Operating system defaults when not configured, including the Windows 11 24H2 / Server 2025 changes (the human text). */
  defaults: string;
  /** The same defaults as data, per role and target OS: the catalog's `missingIsWeak(rule, ctx)` is derived from these rows. */
  osDefaults: readonly OsDefault[];
  /** Baselines: Microsoft, CIS (id), DISA STIG (id). */
  baselines: { microsoft?: string; cis?: string; stig?: string };
  /** The events to watch during rollout, by log (their meanings live in catalog/events.ts). */
  watch?: readonly EvidenceEvents[];
  /**
   * A remark on those events that belongs to this setting (how they are turned on, where else to
   * look). The "Events to watch" text is rendered from `watch`, the event table and this note by
   * the catalog's `eventsToWatch` (catalog/index.ts).
   */
  watchNote?: string;
  explanation: Explanation;
  references: Reference[];
  /** Fix choices offered when the value is weak, preferred first. Empty: not fixable by a value rewrite. */
  fixes: ValueChoice[];
  /**
   * Decide whether a configured value is hardened. Called for every configured (set or conditional)
   * value; a value of the wrong type (a string for a DWORD) should give `unknown` with a message.
   */
  judge(value: RegData, ctx: JudgeContext): Judgement;
}

/** Rules about the files themselves (parse errors, suppressions without a reason, duplicates). */
export interface MetaRule {
  id: string;
  title: string;
  category: 'meta';
  severity: Severity;
  explanation: Pick<Explanation, 'what' | 'why' | 'fix'>;
  references: Reference[];
}

export type Rule = SettingRule | MetaRule;

export function isSettingRule(rule: Rule): rule is SettingRule {
  return rule.category !== 'meta';
}
