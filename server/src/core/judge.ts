/**
 * The one judgement of relaylint: which rule each parsed setting belongs to, and whether its value
 * is hardened, weak, unknown or a deletion that weakens. The editor's findings (engine.ts), the
 * set-level coverage (coverage.ts) and the effective-policy layer all judge through `judgeFile`, so
 * they cannot disagree.
 *
 * What counts as "hardened" is the catalog's expectation (each entry's `judge`), which a profile can
 * override per rule; today's behaviour is the default profile.
 */
import { ruleOf, rulesInKey, rulesUnderKey } from './catalog';
import type { JudgeContext, Judgement, SettingRule } from './catalog/types';
import type { GpoRef, LintOptions, ParsedFile, RegData, Setting } from './types';

/** A set of expectations: per rule id, a judge that replaces the catalog's own. */
export interface Profile {
  id: string;
  /** Overrides of the catalog's judgement, by rule id. Rules not named keep the catalog's judge. */
  judges?: Readonly<Record<string, SettingRule['judge']>>;
}

/** Today's behaviour: every rule judged by its catalog entry. */
export const DEFAULT_PROFILE: Profile = Object.freeze({ id: 'default' });

export type JudgedStatus = 'hardened' | 'weak' | 'unknown' | 'deleted';

export interface Judged {
  rule: SettingRule;
  setting: Setting;
  /**
   * - `hardened` / `weak` / `unknown`: a set or conditional value, as the profile judges it
   *   (`unknown` without a message: relaylint does not rate it, e.g. environment-specific settings).
   * - `deleted`: the setting removes a value whose hardened setting matters (machines fall back to
   *   the OS default). Removing a value relaylint never rates as weak is `unknown`.
   */
  status: JudgedStatus;
  /** The judgement of a set or conditional value (absent for deletions). */
  judgement?: Judgement;
  /** The rule's judge threw: status is `unknown` and this says why (an internal problem of the file). */
  error?: string;
}

/** Test hook: replaces the judge of every rule (to prove a throwing judge is isolated). */
let judgeHook: ((rule: SettingRule, value: RegData, ctx: JudgeContext) => Judgement | undefined) | undefined;
export function setJudgeHookForTests(hook: typeof judgeHook): void {
  judgeHook = hook;
}

/** Judge one value of `rule` under the profile of `options` (default profile when none). */
export function judgeValue(rule: SettingRule, value: RegData, ctx: JudgeContext, profile: Profile = DEFAULT_PROFILE): Judgement {
  const hooked = judgeHook?.(rule, value, ctx);
  if (hooked) return hooked;
  const judge = profile.judges?.[rule.id] ?? rule.judge;
  return judge(value, ctx);
}

export function judgeContext(options: Pick<LintOptions, 'role' | 'targetOs'>, peers: ReadonlyMap<string, RegData>): JudgeContext {
  return { role: options.role, targetOs: options.targetOs, peers };
}

/** Settings that apply (set or conditional), by rule id; the last one in file order wins. */
export function peerValues(settings: readonly Setting[]): Map<string, RegData> {
  const peers = new Map<string, RegData>();
  for (const s of settings) {
    if (s.state !== 'set' && s.state !== 'conditional') continue;
    const rule = ruleOf(s);
    if (rule) peers.set(rule.id, s.value);
  }
  return peers;
}

/** The rules a setting touches: its own, or every rule in (or under) a deleted key. */
export function rulesOfSetting(s: Setting): SettingRule[] {
  if (s.state === 'deleted' && s.deleteScope === 'key') return rulesUnderKey(s.hive, s.key);
  if (s.state === 'deleted' && s.deleteScope === 'values') return [...rulesInKey(s.hive, s.key)];
  const r = ruleOf(s);
  return r ? [r] : [];
}

/** Whether removing the rule's value weakens anything: not for settings relaylint never rates as weak. */
export function deletionWeakens(rule: SettingRule): boolean {
  return rule.fixes.length > 0;
}

/** One GPO's part of a file: its settings and the judge context over them (peers = its applying values). */
export interface GpoPart {
  /** The part's GPO: set only for the parts of a report of several GPOs. */
  gpo?: GpoRef;
  settings: readonly Setting[];
  ctx: JudgeContext;
}

/**
 * The parts a file is judged in. A `Get-GPOReport -All` export (format `gpo-report-xml`, a
 * `<report>` root) holds many GPOs, and one GPO's value must not harden, weaken or complete
 * another's: one part per GPO (its settings share the report's GpoRef object), in order of first
 * appearance. Every other file is one part: a SYSVOL file or a one-GPO report is one GPO, and an RSoP
 * is one computer's resulting set, whose winning values stand together whichever GPO gave them.
 */
export function gpoParts(file: ParsedFile, options: Pick<LintOptions, 'role' | 'targetOs'>): GpoPart[] {
  if (file.format === 'gpo-report-xml') {
    const groups = new Map<GpoRef | undefined, Setting[]>();
    for (const s of file.settings) {
      const g = groups.get(s.gpo);
      if (g) g.push(s);
      else groups.set(s.gpo, [s]);
    }
    if (groups.size > 1) {
      return [...groups].map(([gpo, settings]) => ({ ...(gpo ? { gpo } : {}), settings, ctx: judgeContext(options, peerValues(settings)) }));
    }
  }
  return [{ settings: file.settings, ctx: judgeContext(options, peerValues(file.settings)) }];
}

/** The part of `parts` a setting of the file belongs to. */
export function partFinder(parts: readonly GpoPart[]): (setting: Setting) => GpoPart {
  if (parts.length === 1) return () => parts[0];
  const byGpo = new Map(parts.map((p) => [p.gpo, p]));
  return (setting) => byGpo.get(setting.gpo) ?? parts[0];
}

/**
 * A REG_DWORD setting stored as another number type (REG_DWORD_BIG_ENDIAN, REG_QWORD: a `.pol`
 * record or `.reg` hex value can carry any type). Whether Windows reads such a value, and as what
 * number, is not known (the fact base lists the types, not how a service treats a wrong one), so
 * nothing is judged from it, as for a string where a number is expected.
 */
function storedAsOtherNumber(rule: SettingRule, setting: Setting): Judgement | undefined {
  if (rule.valueType !== 'REG_DWORD' || (setting.type !== 'REG_DWORD_BIG_ENDIAN' && setting.type !== 'REG_QWORD')) return undefined;
  return {
    status: 'unknown',
    message: `${setting.name} is stored as ${setting.type} (${JSON.stringify(setting.value)}), not as the REG_DWORD the setting is documented as; relaylint cannot tell what Windows does with it, so nothing was judged from it.`,
  };
}

/**
 * Judge every setting of one file, in file order: disabled items are skipped, deletions expand to
 * every rule of the deleted value, key values or key subtree, DC-only rules are skipped under role
 * `member`, and peers are the other applying values of the setting's part (`gpoParts`). A caller
 * that needs the parts too (the engine's next steps) passes the ones it built.
 */
export function judgeFile(file: ParsedFile, options: LintOptions, parts: readonly GpoPart[] = gpoParts(file, options)): Judged[] {
  const out: Judged[] = [];
  const profile = options.profile ?? DEFAULT_PROFILE;
  const partOf = partFinder(parts);
  for (const setting of file.settings) {
    if (setting.state === 'disabled') continue;
    const rules = rulesOfSetting(setting);
    for (const rule of rules) {
      if (rule.dcOnly && options.role === 'member') continue;
      if (setting.state === 'deleted') {
        out.push({ rule, setting, status: deletionWeakens(rule) ? 'deleted' : 'unknown' });
        continue;
      }
      let judgement: Judgement;
      const mismatch = storedAsOtherNumber(rule, setting);
      if (mismatch) {
        out.push({ rule, setting, status: mismatch.status, judgement: mismatch });
        continue;
      }
      try {
        judgement = judgeValue(rule, setting.value, partOf(setting).ctx, profile);
      } catch (e) {
        // One failing rule must not abort the file, let alone the scan: it becomes an internal problem.
        out.push({ rule, setting, status: 'unknown', error: `The rule ${rule.id} failed on this value: ${errorText(e)}` });
        continue;
      }
      out.push({ rule, setting, status: judgement.status, judgement });
    }
  }
  return out;
}

/**
 * Whether `judgeFile(file, options)` is also the judgement the policy set records (policy/set.ts
 * `filePolicy`): that one judges every rule (DC-only ones are filtered per scope) with the legacy
 * defaults and the default profile, in the parts of `gpoParts` (the one split). So a caller that
 * judged the file for its findings passes that result on instead of judging it again.
 */
export function isPolicyJudgement(_file: ParsedFile, options: LintOptions): boolean {
  return options.role === 'any' && options.targetOs === 'legacy' && (!options.profile || options.profile === DEFAULT_PROFILE);
}

export function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
