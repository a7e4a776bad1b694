/**
 * The rule engine: one parsed file → findings, each with its fixes as data (text edits in the
 * file's own syntax). Cross-file judgements ("missing", "mixed") live in coverage.ts.
 */
import { metaRuleById, ruleById, ruleOf, rulesInKey, rulesUnderKey, settingRuleById } from './catalog';
import { problemRuleId } from './catalog/meta';
import type { JudgeContext, SettingRule, ValueChoice } from './catalog/types';
import { applyExceptions } from './config';
import { displayKey } from './keys';
import { parseSuppressions, suppressionCommentText } from './suppress';
import { lineIndexFor, type LineIndex } from './text';
import type { Finding, Fix, LintOptions, ParsedFile, RegData, Related, Setting, Severity, TextEdit } from './types';

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

export function judgeContext(options: LintOptions, peers: ReadonlyMap<string, RegData>): JudgeContext {
  return { role: options.role, targetOs: options.targetOs, peers };
}

const HEX8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const regString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The replacement text for a value in a parser's own syntax, or undefined if it cannot be written there. */
export function formatValue(setting: Setting, rule: SettingRule, value: number | string): string | undefined {
  if (!setting.valueSyntax) return undefined;
  const dword = rule.valueType === 'REG_DWORD';
  if (dword !== (typeof value === 'number')) return undefined;
  // A fix keeps the file's type; a value stored with another type than the rule's is not rewritten.
  if (setting.type !== null && setting.type !== rule.valueType) return undefined;
  switch (setting.valueSyntax) {
    case 'inf':
      return dword ? `4,${value}` : `1,"${value}"`;
    case 'reg':
      return dword ? `dword:${HEX8(value as number).toLowerCase()}` : regString(String(value));
    case 'gpp':
      if (setting.state === 'deleted') return undefined;
      return dword ? HEX8(value as number) : xmlAttr(String(value));
  }
}

function describeValue(rule: SettingRule, value: number | string): string {
  const meaning = typeof value === 'number' ? rule.values[value] : undefined;
  return meaning ? `${value} (${meaning.split(':')[0]})` : JSON.stringify(value);
}

/** A line that adds `rule`'s canonical value to a security template, without line break. */
function insertionLine(file: ParsedFile, rule: SettingRule, value: number | string): string | undefined {
  const loc = rule.locations[0];
  if (file.format !== 'inf' || loc.hive !== 'HKLM') return undefined;
  return `MACHINE\\${loc.key}\\${loc.name}=${typeof value === 'number' ? `4,${value}` : `1,"${value}"`}`;
}

/**
 * Edits that add `rule`'s value to the file next to `anchor`, in the file's own syntax: under
 * `[Registry Values]` in a security template; right after the anchor line in a `.reg` file when the
 * value lives in the anchor's key. Other formats get no insertion.
 */
function insertEdits(file: ParsedFile, rule: SettingRule, value: number | string, anchor: Setting): TextEdit[] | undefined {
  const inf = insertionLine(file, rule, value);
  if (inf) return infInsertEdits(file, inf);
  if (file.format !== 'reg' || anchor.state === 'deleted' || anchor.deleteScope === 'key') return undefined;
  const loc = rule.locations.find((l) => l.hive === anchor.hive && l.key.toLowerCase() === anchor.key.toLowerCase());
  if (!loc) return undefined;
  const data = typeof value === 'number' ? `dword:${HEX8(value).toLowerCase()}` : regString(value);
  return [{ start: anchor.span.end, end: anchor.span.end, newText: `${file.eol}${regString(loc.name)}=${data}` }];
}

/** Edits that insert a value line under `[Registry Values]`, creating the section when needed. */
export function infInsertEdits(file: ParsedFile, line: string): TextEdit[] {
  const eol = file.eol;
  const section = file.sections?.find((s) => s.name.trim().toLowerCase() === 'registry values');
  if (section) return [{ start: section.span.end, end: section.span.end, newText: eol + line }];
  const text = file.text;
  const needsBreak = text.length > 0 && !/[\r\n]$/.test(text);
  return [{ start: text.length, end: text.length, newText: `${needsBreak ? eol : ''}[Registry Values]${eol}${line}${eol}` }];
}

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
        isPreferred: targetRule === rule && !!choice.preferred,
        edits: [{ start: targetSetting.valueSpan.start, end: targetSetting.valueSpan.end, newText: text }],
      });
    } else {
      const edits = insertEdits(file, targetRule, choice.value, setting);
      if (edits) fixes.push({ title: choice.title, kind: 'insert', edits });
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
  if (file.format === 'gpo-report-xml' || file.format === 'rsop-xml' || file.format === 'registry-pol') {
    const gpo = setting.gpo?.name ? `the GPO "${setting.gpo.name}"` : 'the GPO';
    const wins = file.format === 'rsop-xml' && setting.gpo?.name ? ` (it wins for this computer)` : '';
    return ` Change "${rule.displayName}" to ${rule.secure} in ${gpo}${wins}: ${rule.gpoPath}.`;
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
function judgeSetting(file: ParsedFile, bySetting: RuleSettings, setting: Setting, rule: SettingRule, ctx: JudgeContext): Finding | undefined {
  if (rule.dcOnly && ctx.role === 'member') return undefined;
  const verdict = rule.judge(setting.value, ctx);
  if (verdict.status === 'hardened') return undefined;
  if (verdict.status === 'unknown') {
    if (!verdict.message) return undefined;
    return settingFinding(setting, rule, 'warning', dcPrefix(rule) + verdict.message + where(setting), []);
  }
  const message = dcPrefix(rule) + (verdict.message ?? `${rule.title}: ${rule.displayName} is ${describeValue(rule, setting.value as number)}.`);
  const fixes = valueFixes(file, bySetting, setting, rule, verdict.fixes ?? rule.fixes);
  return settingFinding(setting, rule, verdict.severity ?? rule.severity, message + where(setting) + gpoAdvice(file, rule, setting), fixes);
}

/** A setting removed by the file (GPP action D, `.reg` `=-` or `[-key]`, `.pol` `**del.`). */
function deletionFindings(file: ParsedFile, setting: Setting, ctx: JudgeContext): Finding[] {
  const rules =
    setting.deleteScope === 'key'
      ? rulesUnderKey(setting.hive, setting.key)
      : setting.deleteScope === 'values'
        ? [...rulesInKey(setting.hive, setting.key)]
        : [ruleOf(setting)].filter((r): r is SettingRule => !!r);
  const out: Finding[] = [];
  for (const rule of rules) {
    if (rule.dcOnly && ctx.role === 'member') continue;
    if (rule.fixes.length === 0) continue; // environment-specific settings: removing them is not a weakening
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
      if (text && setting.valueSpan) fixes.push({ title: preferred.title, kind: 'value', edits: [{ ...setting.valueSpan, newText: text }] });
    }
    out.push(
      settingFinding(
        setting,
        rule,
        'warning',
        `${dcPrefix(rule)}This ${what} (${rule.displayName}); machines then fall back to their OS default instead of the hardened value ${rule.secure}.` +
          where(setting) +
          gpoAdvice(file, rule, setting),
        fixes,
      ),
    );
  }
  return out;
}

interface NextStep {
  /** Rule whose hardened value is present. */
  have: string;
  haveValue: number;
  /** Rule that is missing from the file. */
  missing: string;
  message: string;
}

/**
 * Half-done rollouts inside one file (info level): the first step is configured, the next is not.
 * Messages carry the next step; INF and .reg files get an "insert the missing value" fix.
 */
const NEXT_STEPS: NextStep[] = [
  {
    have: 'smb.client.enable',
    haveValue: 1,
    missing: 'smb.client.require',
    message:
      "SMB client signing is enabled 'if server agrees' but not required (always) in this file. That only matters for SMB1; on SMB 2/3 the next step is to audit servers that cannot sign, then require client signing.",
  },
  {
    have: 'smb.server.enable',
    haveValue: 1,
    missing: 'smb.server.require',
    message:
      "SMB server signing is enabled 'if client agrees' but not required (always) in this file, so the server still accepts unsigned SMB 2/3 sessions. Next step: turn on the signing audit, watch the SMB server audit log (the events reported as 3021/3027), then require signing.",
  },
  {
    have: 'smb.server.audit.signing',
    haveValue: 1,
    missing: 'smb.server.require',
    message:
      'SMB signing audit is on but this file does not require server signing yet. Once the audit log (the events reported as 3021/3027) shows no clients that cannot sign, require signing.',
  },
  {
    have: 'ldap.server.signing',
    haveValue: 2,
    missing: 'ldap.server.cbt',
    message:
      "LDAP signing is required but channel binding is not configured in this file, so NTLM relay to LDAPS stays open. Next step: set channel binding to 'When supported', watch events 3039/3074/3075, then 'Always'.",
  },
];

function nextStepFindings(file: ParsedFile, bySetting: RuleSettings, peers: ReadonlyMap<string, RegData>, ctx: JudgeContext): Finding[] {
  const out: Finding[] = [];
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
      if (edits) fixes.push({ title: `Insert ${missingRule.locations[0].name} = ${choice.value}: ${choice.title}`, kind: 'insert', edits });
    }
    out.push({
      ruleId: step.missing,
      severity: 'info',
      message: dcPrefix(missingRule) + step.message,
      span: haveSetting.span,
      ...(haveSetting.offset !== undefined ? { offset: haveSetting.offset } : {}),
      setting: haveSetting,
      fixes,
    });
  }
  return out;
}

/**
 * Values whose line matters for another rule's finding (the pair a rollout or a judgement depends
 * on). A finding of the key rule links to these values in the same file as related information.
 */
const RELATED_RULES: Record<string, readonly string[]> = {
  'smb.server.require': ['smb.server.enable'],
  'smb.server.enable': ['smb1.server', 'smb.server.require'],
  'smb.client.require': ['smb.client.enable'],
  'smb.client.enable': ['smb1.client', 'smb.client.require'],
  'ldap.server.signing': ['ldap.server.enforce', 'ldap.server.cbt'],
  'ldap.server.enforce': ['ldap.server.signing'],
  'ldap.server.cbt': ['ldap.server.signing'],
  'netlogon.sign': ['netlogon.signorseal'],
  'netlogon.seal': ['netlogon.signorseal'],
};

function addRelated(bySetting: RuleSettings, f: Finding): void {
  for (const id of RELATED_RULES[f.ruleId] ?? []) {
    const other = bySetting.get(id);
    const rule = settingRuleById(id);
    if (!other || !rule || other === f.setting) continue;
    const value = other.state === 'deleted' ? 'deleted' : `${JSON.stringify(other.value)}`;
    (f.related ??= []).push({ span: other.span, message: `${rule.displayName}: ${rule.locations[0].name} = ${value} here` });
  }
}

function lineIndent(text: string, lineStart: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart, lineStart + 200))?.[0] ?? '';
}

/** Judge every setting of one file; parse problems become findings of the `file.*` rules. */
export function lint(file: ParsedFile, options: LintOptions): Finding[] {
  const findings: Finding[] = [];
  for (const p of file.problems) {
    const ruleId = problemRuleId[p.code];
    const f: Finding = { ruleId, severity: p.severity, message: p.message, span: p.span ?? { start: 0, end: 0 }, fixes: [] };
    if (p.offset !== undefined) f.offset = p.offset;
    if (p.related?.length) f.related = p.related;
    findings.push(f);
  }

  const peers = peerValues(file.settings);
  const bySetting = ruleSettings(file.settings);
  const ctx = judgeContext(options, peers);
  for (const setting of file.settings) {
    if (setting.state === 'disabled') continue;
    if (setting.state === 'deleted') {
      findings.push(...deletionFindings(file, setting, ctx));
      continue;
    }
    const rule = ruleOf(setting);
    if (!rule) continue;
    const f = judgeSetting(file, bySetting, setting, rule, ctx);
    if (f) findings.push(f);
  }
  findings.push(...nextStepFindings(file, bySetting, peers, ctx));
  for (const f of findings) if (f.setting) addRelated(bySetting, f);

  const index = lineIndexFor(file.text);
  applySuppressions(file, findings, index);
  applyExceptions(findings, options);

  // "Disable for this line" fixes, for the text formats that take comments.
  if (file.format !== 'registry-pol' && file.format !== 'unknown') {
    for (const f of findings) {
      if (!f.setting || f.suppressed) continue;
      const line = index.positionAt(f.span.start).line;
      const lineStart = index.lineStarts[line];
      const text = suppressionCommentText(file.format, f.ruleId, lineIndent(file.text, lineStart), file.eol);
      f.fixes.push({ title: `Disable ${f.ruleId} for this line (add the reason after the marker)`, kind: 'suppress', edits: [{ start: lineStart, end: lineStart, newText: text }] });
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
        message: `This suppression of ${s.ruleIds.join(', ') || 'no rule'} gives no reason, so it suppresses nothing. Add one after the marker (${file.format === 'inf' || file.format === 'reg' ? '-- reason' : ': reason'}).`,
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

/**
 * The edits of every preferred, non-overlapping fix (what `--fix`, fix-all and fix-on-save apply).
 * Only value rewrites of weak settings are preferred; insertions and suppressions need a person.
 */
export function fixAllEdits(findings: readonly Finding[], onlyRule?: string): TextEdit[] {
  const taken: TextEdit[] = [];
  const overlaps = (e: TextEdit) => taken.some((t) => e.start < t.end && t.start < e.end);
  for (const f of findings) {
    if (f.suppressed || (onlyRule && f.ruleId !== onlyRule)) continue;
    const fix = f.fixes.find((x) => x.isPreferred);
    if (!fix) continue;
    if (fix.edits.some(overlaps)) continue;
    taken.push(...fix.edits);
  }
  return taken.sort((a, b) => a.start - b.start);
}
