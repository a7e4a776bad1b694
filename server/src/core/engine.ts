/**
 * The rule engine: one parsed file → findings, each with its fixes as data (text edits in the
 * file's own syntax). Cross-file judgements ("missing", "mixed") live in coverage.ts.
 */
import { lightCount, markLight, RANK, selectFixEdits } from './bounds';
import { messageByTargetOs, metaRuleById, ruleById, ruleOf, settingRuleById, settingRules, stageOf } from './catalog';
import { problemRuleId } from './catalog/meta';
import type { JudgeContext, Judgement, SettingRule, ValueChoice } from './catalog/types';
import { applyExceptions } from './config';
import { infInsertEdits, providerOf, providerOfSyntax } from './formats';
import { errorText, gpoParts, judgeFile, partFinder, type Judged } from './judge';
import { displayKey } from './keys';
import { parseSuppressions, suppressionCommentText } from './suppress';
import { lineIndexFor, viewLineIndex, type LineIndex } from './text';
import type { Finding, Fix, FixApplicability, LintOptions, ParsedFile, Related, Setting, Severity, TextEdit } from './types';

export { judgeContext, peerValues } from './judge';

/** The replacement text for a value in a parser's own syntax, or undefined if it cannot be written there. */
export function formatValue(setting: Setting, rule: SettingRule, value: number | string): string | undefined {
  if (!setting.valueSyntax) return undefined;
  const dword = rule.valueType === 'REG_DWORD';
  if (dword !== (typeof value === 'number')) return undefined;
  // A fix keeps the file's type; a value stored with another type than the rule's is not rewritten.
  if (setting.type !== null && setting.type !== rule.valueType) return undefined;
  return providerOfSyntax(setting.valueSyntax)?.writeValue?.(setting, rule, value);
}

/** A fix is safe when the value it writes only audits or negotiates (catalog `stage`), unsafe otherwise. */
export function applicabilityOf(choice: Pick<ValueChoice, 'stage'> | undefined, rule: SettingRule): FixApplicability {
  const stage = stageOf(choice, rule);
  return stage === 'audit' || stage === 'negotiate' ? 'safe' : 'unsafe';
}

function describeValue(rule: SettingRule, value: number | string): string {
  const meaning = typeof value === 'number' ? rule.values[value] : undefined;
  return meaning ? `${value} (${meaning.split(':')[0]})` : JSON.stringify(value);
}

/**
 * Edits that add `rule`'s value to the file next to `anchor`, in the file's own syntax (the format
 * provider's `insertValue`): under `[Registry Values]` in a security template; right after the
 * anchor line in a `.reg` file when the value lives in the anchor's key. Other formats get no insertion.
 */
function insertEdits(file: ParsedFile, rule: SettingRule, value: number | string, anchor: Setting): TextEdit[] | undefined {
  return providerOf(file.format)?.insertValue?.(file, rule, value, anchor);
}

export { infInsertEdits };

/** The last setting (not a disabled GPP item) of each known rule in a file; built once per lint. */
type RuleSettings = ReadonlyMap<string, Setting>;

function ruleSettings(settings: readonly Setting[]): Map<string, Setting> {
  const out = new Map<string, Setting>();
  for (const s of settings) {
    if (s.state === 'disabled') continue;
    const r = ruleOf(s);
    if (r) out.set(r.id, s);
  }
  return out;
}

/** Build the fixes for a weak setting from the rule's value choices. */
function valueFixes(file: ParsedFile, bySetting: RuleSettings, setting: Setting, rule: SettingRule, choices: readonly ValueChoice[]): Fix[] {
  const fixes: Fix[] = [];
  for (const choice of choices) {
    const targetRule = choice.target ? settingRuleById(choice.target) : rule;
    if (!targetRule) continue;
    const targetSetting = targetRule === rule ? setting : bySetting.get(targetRule.id);
    if (targetSetting) {
      if (targetRule !== rule && targetSetting.value === choice.value) continue; // already there
      const text = formatValue(targetSetting, targetRule, choice.value);
      if (text === undefined || !targetSetting.valueSpan) continue;
      fixes.push({
        title: choice.title,
        kind: 'value',
        applicability: applicabilityOf(choice, targetRule),
        isPreferred: targetRule === rule && !!choice.preferred,
        edits: [{ start: targetSetting.valueSpan.start, end: targetSetting.valueSpan.end, newText: text }],
      });
    } else {
      const edits = insertEdits(file, targetRule, choice.value, setting);
      if (edits) fixes.push({ title: choice.title, kind: 'insert', applicability: applicabilityOf(choice, targetRule), edits });
    }
  }
  // At most one preferred fix, and it comes first.
  let seen = false;
  for (const f of fixes) {
    if (f.isPreferred && seen) f.isPreferred = false;
    if (f.isPreferred) seen = true;
  }
  fixes.sort((a, b) => Number(!!b.isPreferred) - Number(!!a.isPreferred));
  return fixes;
}

function where(setting: Setting): string {
  if (setting.state === 'conditional') {
    return ` This item applies only where its item-level targeting matches${setting.condition ? ` (${setting.condition})` : ''}.`;
  }
  return '';
}

/** Reports and .pol files get no text fix: say which Group Policy setting to change, and in which GPO when known. */
function gpoAdvice(file: ParsedFile, rule: SettingRule, setting: Setting): string {
  const provider = providerOf(file.format);
  if (provider && !provider.editable) {
    const name = setting.gpo?.name;
    const gpo = name ? `the GPO "${name}"` : 'the GPO';
    const wins = file.format === 'rsop-xml' && name ? ` (it wins for this computer)` : '';
    // The path may say where the policy normally lives; do not name that GPO a second time.
    const path = name ? rule.gpoPath.replace(` (normally in the ${name})`, '') : rule.gpoPath;
    return ` Change "${rule.displayName}" to ${rule.secure} in ${gpo}${wins}: ${path}.`;
  }
  return '';
}

function settingFinding(
  setting: Setting,
  rule: SettingRule,
  severity: Severity,
  message: string,
  fixes: Fix[],
  related?: Related[],
): Finding {
  const f: Finding = { ruleId: rule.id, severity, message, span: setting.span, setting, fixes };
  if (setting.offset !== undefined) f.offset = setting.offset;
  if (related?.length) f.related = related;
  return f;
}

function dcPrefix(rule: SettingRule): string {
  return rule.dcOnly ? 'On domain controllers: ' : '';
}

/** Judge one configured setting. */
function judgeSetting(file: ParsedFile, bySetting: RuleSettings, setting: Setting, rule: SettingRule, verdict: Judgement): Finding | undefined {
  if (verdict.status === 'hardened') return undefined;
  if (verdict.status === 'unknown') {
    if (!verdict.message) return undefined;
    return settingFinding(setting, rule, 'warning', dcPrefix(rule) + verdict.message + where(setting), []);
  }
  const message = dcPrefix(rule) + (verdict.message ?? `${rule.title}: ${rule.displayName} is ${describeValue(rule, setting.value as number)}.`);
  const fixes = valueFixes(file, bySetting, setting, rule, verdict.fixes ?? rule.fixes);
  return settingFinding(setting, rule, verdict.severity ?? rule.severity, message + where(setting) + gpoAdvice(file, rule, setting), fixes);
}

/** A setting removed by the file (GPP action D, `.reg` `=-` or `[-key]`, `.pol` `**del.`) that weakens `rule`. */
function deletionFinding(file: ParsedFile, setting: Setting, rule: SettingRule): Finding {
    const what =
      setting.deleteScope === 'key'
        ? `deletes the key ${displayKey(setting.hive, setting.key)} and with it ${rule.locations[0].name}`
        : setting.deleteScope === 'values'
          ? `deletes every value of ${displayKey(setting.hive, setting.key)}, including ${rule.locations[0].name}`
          : `deletes ${rule.locations[0].name}`;
    const fixes: Fix[] = [];
    const preferred = rule.fixes.find((c) => c.preferred && !c.target);
    if (preferred && setting.deleteScope === 'value' && setting.valueSyntax === 'reg') {
      const text = formatValue({ ...setting, type: null, state: 'set' }, rule, preferred.value);
      if (text && setting.valueSpan) fixes.push({ title: preferred.title, kind: 'value', applicability: applicabilityOf(preferred, rule), edits: [{ ...setting.valueSpan, newText: text }] });
    }
    return settingFinding(
      setting,
      rule,
      'warning',
      `${dcPrefix(rule)}This ${what} (${rule.displayName}); machines then fall back to their OS default instead of the hardened value ${rule.secure}.` +
        where(setting) +
        gpoAdvice(file, rule, setting),
      fixes,
    );
}

/** The finding of one judged setting, if it is one. */
function findingOf(file: ParsedFile, bySetting: RuleSettings, j: Judged): Finding | undefined {
  if (j.error) {
    const f: Finding = { ruleId: problemRuleId.internal, severity: 'error', message: `${j.error}. relaylint could not judge this value; the rest of the file was checked.`, span: j.setting.span, fixes: [] };
    if (j.setting.offset !== undefined) f.offset = j.setting.offset;
    return f;
  }
  if (j.status === 'deleted') return deletionFinding(file, j.setting, j.rule);
  if (!j.judgement || j.setting.state === 'deleted') return undefined;
  return judgeSetting(file, bySetting, j.setting, j.rule, j.judgement);
}

/**
 * Half-done rollouts inside one file (info level): the first step is configured, the next is not.
 * Derived from the catalog entries' `nextSteps`, in catalog order.
 */
const NEXT_STEPS = settingRules.flatMap((rule) =>
  (rule.nextSteps ?? []).map((step) => ({ have: rule.id, haveValue: step.value, missing: step.next, message: step.message, byOs: messageByTargetOs(step) })),
);

function nextStepFindings(file: ParsedFile, bySetting: RuleSettings, ctx: JudgeContext): Finding[] {
  const out: Finding[] = [];
  const peers = ctx.peers;
  for (const step of NEXT_STEPS) {
    if (peers.get(step.have) !== step.haveValue || peers.has(step.missing)) continue;
    const haveSetting = bySetting.get(step.have);
    const missingRule = settingRuleById(step.missing);
    if (!haveSetting || !missingRule) continue;
    if (missingRule.dcOnly && ctx.role === 'member') continue;
    const fixes: Fix[] = [];
    // Rollout order: offer the staged value first where there is one (channel binding: When supported).
    const staged = missingRule.fixes.filter((c) => !c.target);
    for (const choice of [...staged].reverse()) {
      const edits = insertEdits(file, missingRule, choice.value, haveSetting);
      if (edits) fixes.push({ title: `Insert ${missingRule.locations[0].name} = ${choice.value}: ${choice.title}`, kind: 'insert', applicability: applicabilityOf(choice, missingRule), edits });
    }
    // Filed under the missing setting's own key (it has no line: the finding marks the line that makes it due).
    const loc = missingRule.locations[0];
    const subject: Setting = {
      hive: loc.hive,
      key: loc.key,
      name: loc.name,
      type: null,
      value: null,
      state: 'set',
      span: haveSetting.span,
      origin: `not configured in this file (due after ${haveSetting.name} = ${JSON.stringify(haveSetting.value)})`,
      ...(haveSetting.offset !== undefined ? { offset: haveSetting.offset } : {}),
      ...(haveSetting.gpo ? { gpo: haveSetting.gpo } : {}),
    };
    out.push({
      ruleId: step.missing,
      severity: 'info',
      message: dcPrefix(missingRule) + (step.byOs?.[ctx.targetOs] ?? step.message),
      span: haveSetting.span,
      ...(haveSetting.offset !== undefined ? { offset: haveSetting.offset } : {}),
      setting: subject,
      related: [{ span: haveSetting.span, message: `${settingRuleById(step.have)?.displayName ?? step.have}: ${haveSetting.name} = ${JSON.stringify(haveSetting.value)} here` }],
      fixes,
    });
  }
  return out;
}

/**
 * Values whose line matters for another rule's finding (the pair a rollout or a judgement depends
 * on): each catalog entry's `related`. A finding of the rule links to these values in the same file.
 */
const RELATED_RULES: ReadonlyMap<string, readonly string[]> = new Map(settingRules.filter((r) => r.related?.length).map((r) => [r.id, r.related ?? []]));

function addRelated(bySetting: RuleSettings, f: Finding): void {
  for (const id of RELATED_RULES.get(f.ruleId) ?? []) {
    const other = bySetting.get(id);
    const rule = settingRuleById(id);
    if (!other || !rule || other === f.setting) continue;
    if (f.related?.some((r) => r.span.start === other.span.start && r.span.end === other.span.end)) continue;
    const value = other.state === 'deleted' ? 'deleted' : `${JSON.stringify(other.value)}`;
    (f.related ??= []).push({ span: other.span, message: `${rule.displayName}: ${rule.locations[0].name} = ${value} here` });
  }
}

function lineIndent(text: string, lineStart: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart, lineStart + 200))?.[0] ?? '';
}

/**
 * Judge every setting of one file; parse problems become findings of the `file.*` rules. Never
 * throws: a failing rule is an internal problem on its value, any other failure one on the file.
 */
export function lint(file: ParsedFile, options: LintOptions, listed?: ListedLimit): Finding[] {
  return lintJudged(file, options, listed).findings;
}

/**
 * `lint`, and the `judgeFile(file, options)` result its findings come from, for the caller's
 * coverage records and policy observations (one judgement per file). `judged` is absent when the
 * file failed before it was judged.
 */
export function lintJudged(file: ParsedFile, options: LintOptions, listed?: ListedLimit): { findings: Finding[]; judged?: Judged[] } {
  const out: { judged?: Judged[] } = {};
  try {
    return { findings: lintFile(file, options, listed, out), ...out };
  } catch (e) {
    const findings: Finding[] = [
      {
        ruleId: problemRuleId.internal,
        severity: 'error',
        message: `relaylint failed while checking this file (${errorText(e)}); its findings are incomplete.`,
        span: { start: 0, end: 0 },
        fixes: [],
      },
    ];
    return { findings, ...out };
  }
}

/**
 * For a caller that lists at most `perRule` findings per rule (the CLI report, `boundFindings`):
 * a finding of a rule that already has that many before it can never be listed, so it is built
 * light — rule, severity, place, no message, setting or fixes — which is all `boundFindings`
 * reads from it for its summary, and one light finding per rule stands for all of them (it carries
 * their count and highest severity). A 50 MB template of weak lines then costs nothing per line
 * past the first thousand.
 */
export interface ListedLimit {
  perRule: number;
}

/** The finding `findingOf` would give, without message, setting and fixes (see `ListedLimit`). */
function lightFindingOf(j: Judged): Finding | undefined {
  const s = j.setting;
  let severity: Severity;
  if (j.error) severity = 'error';
  else if (j.status === 'deleted') severity = 'warning';
  else if (!j.judgement || s.state === 'deleted' || j.judgement.status === 'hardened') return undefined;
  else if (j.judgement.status === 'unknown') {
    if (!j.judgement.message) return undefined;
    severity = 'warning';
  } else severity = j.judgement.severity ?? j.rule.severity;
  const f: Finding = { ruleId: j.error ? problemRuleId.internal : j.rule.id, severity, message: '', span: s.span, fixes: [] };
  if (s.offset !== undefined) f.offset = s.offset;
  return f;
}

function lintFile(file: ParsedFile, options: LintOptions, listed?: ListedLimit, out?: { judged?: Judged[] }): Finding[] {
  const findings: Finding[] = [];
  const perRule = new Map<string, number>();
  const lightByRule = new Map<string, Finding>();
  for (const p of file.problems) {
    const ruleId = problemRuleId[p.code];
    if (listed) perRule.set(ruleId, (perRule.get(ruleId) ?? 0) + 1);
    const f: Finding = { ruleId, severity: p.severity, message: p.message, span: p.span ?? { start: 0, end: 0 }, fixes: [] };
    if (p.offset !== undefined) f.offset = p.offset;
    if (p.related?.length) f.related = p.related;
    findings.push(f);
  }

  // One part per GPO of a `Get-GPOReport -All` export, else the whole file (judge.ts `gpoParts`):
  // a finding's fixes, related values and next steps look only at the values of its own part.
  const parts = gpoParts(file, options);
  const partOf = partFinder(parts);
  const bySettingOf = new Map(parts.map((p) => [p, ruleSettings(p.settings)]));
  const bySettingFor = (s: Setting): RuleSettings => bySettingOf.get(partOf(s)) ?? new Map();
  const judged = judgeFile(file, options, parts);
  if (out) out.judged = judged;
  for (const j of judged) {
    if (!listed) {
      const f = findingOf(file, bySettingFor(j.setting), j);
      if (f) findings.push(f);
      continue;
    }
    const ruleId = j.error ? problemRuleId.internal : j.rule.id;
    const n = perRule.get(ruleId) ?? 0;
    if (n < listed.perRule) {
      const f = findingOf(file, bySettingFor(j.setting), j);
      if (f) findings.push(f);
      if (f) perRule.set(ruleId, n + 1);
      continue;
    }
    // Past the cap: one light finding per rule stands for all of them (see `markLight`).
    const f = lightFindingOf(j);
    if (!f) continue;
    const agg = lightByRule.get(ruleId);
    if (!agg) {
      markLight(f, 1);
      lightByRule.set(ruleId, f);
      findings.push(f);
    } else {
      markLight(agg, (lightCount(agg) ?? 1) + 1);
      if (RANK[f.severity] > RANK[agg.severity]) agg.severity = f.severity;
    }
  }
  for (const part of parts) findings.push(...nextStepFindings(file, bySettingOf.get(part) ?? new Map(), part.ctx));
  for (const f of findings) if (f.setting) addRelated(bySettingFor(f.setting), f);

  // The line index only when a suppression or a "disable for this line" fix needs it: most files
  // (every .pol text view, XML without findings) never ask, and building it scans the whole text.
  let built: LineIndex | undefined;
  const lineIndex = (): LineIndex => (built ??= file.viewLines ? viewLineIndex(file.viewLines) : lineIndexFor(file.text));
  if (file.comments.length) applySuppressions(file, findings, lineIndex());
  applyExceptions(findings, options);

  // "Disable for this line" fixes, for the text formats that take comments.
  const comment = providerOf(file.format)?.comment;
  if (comment) {
    for (const f of findings) {
      if (!f.setting || f.suppressed) continue;
      const index = lineIndex();
      const line = index.positionAt(f.span.start).line;
      const lineStart = index.lineStarts[line];
      // Nothing may come before an XML declaration: on its line the comment goes after it.
      const prolog = lineStart === 0 && comment.prolog ? comment.prolog.exec(file.text) : null;
      const at = prolog ? prolog[0].length : lineStart;
      const text = prolog ? file.eol + suppressionCommentText(comment, f.ruleId, '', file.eol) : suppressionCommentText(comment, f.ruleId, lineIndent(file.text, lineStart), file.eol);
      f.fixes.push({ title: `Disable ${f.ruleId} for this line (add the reason after the marker)`, kind: 'suppress', applicability: 'safe', edits: [{ start: at, end: at, newText: text }] });
    }
  }

  return applySeverity(findings, options);
}

function applySuppressions(file: ParsedFile, findings: Finding[], index: LineIndex): void {
  const suppressions = parseSuppressions(file.comments, index);
  if (suppressions.length === 0) return;
  // Findings by line, once: a file with many comments and many findings stays linear.
  const byLine = new Map<number, Finding[]>();
  for (const f of findings) {
    if (!f.setting) continue;
    const line = index.positionAt(f.span.start).line;
    const list = byLine.get(line);
    if (list) list.push(f);
    else byLine.set(line, [f]);
  }
  for (const s of suppressions) {
    if (!s.reason) {
      findings.push({
        ruleId: 'suppression.reason',
        severity: metaRuleById('suppression.reason')?.severity ?? 'warning',
        message: `This suppression of ${s.ruleIds.join(', ') || 'no rule'} gives no reason, so it suppresses nothing. Add one after the marker (${providerOf(file.format)?.comment?.reasonSeparator === ':' ? ': reason' : '-- reason'}).`,
        span: s.span,
        fixes: [],
      });
      continue;
    }
    for (const f of byLine.get(s.targetLine) ?? []) {
      if (!f.suppressed && s.ruleIds.includes(f.ruleId)) f.suppressed = { reason: s.reason, span: s.span };
    }
    for (const id of s.ruleIds) {
      if (!ruleById(id)) {
        findings.push({
          ruleId: 'suppression.reason',
          severity: 'warning',
          message: `Unknown relaylint rule id "${id}" in this suppression.`,
          span: s.span,
          fixes: [],
        });
      }
    }
  }
}

function applySeverity(findings: Finding[], options: LintOptions): Finding[] {
  const overrides = options.severity;
  if (!overrides) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    const o = overrides[f.ruleId];
    if (o === 'off') continue;
    if (o) f.severity = o;
    out.push(f);
  }
  return out;
}

export interface FixAllOptions {
  /** Apply unsafe (enforcing) fixes too. Default: safe fixes only. */
  unsafe?: boolean;
  /** Only the fixes of this rule. */
  onlyRule?: string;
}

/**
 * The edits of every preferred, non-overlapping fix (what `--fix`, fix-all and fix-on-save apply):
 * safe fixes only unless `unsafe` is set. Only value rewrites of weak settings are preferred;
 * insertions and suppressions need a person.
 */
export function fixAllEdits(findings: readonly Finding[], options: FixAllOptions | string = {}): TextEdit[] {
  const { unsafe = false, onlyRule } = typeof options === 'string' ? { onlyRule: options } : options;
  return selectFixEdits(findings, { onlyRule, unsafe });
}
