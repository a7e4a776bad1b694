/**
 * Teaching hovers: what a setting under the cursor is, what this value means, what the secure
 * value is, and the attack it opens or closes. Pure: a parsed file and an offset in, Markdown out.
 * Every fact comes from the catalog (one entry per setting); the text around it is generic.
 */
import { docsUrl, ruleById, ruleForValue } from './catalog';
import { mdCode, mdLiteral, mdText, ruleMarkdown, ruleSummaryMarkdown } from './catalog/render';
import type { Rule, SettingRule } from './catalog/types';
import type { Finding, LintOptions, ParsedFile, RegData, Setting, Span } from './types';
import { judgeValue } from './judge';

export interface HoverOptions {
  /** The file's current findings; a finding under the cursor is shown first. */
  findings?: readonly Finding[];
  /** Base of the rule documentation links (see `docsUrl`). */
  docsBase?: string;
  /** Role and target OS, to say whether the value under the cursor is the hardened one. */
  lint?: Pick<LintOptions, 'role' | 'targetOs' | 'profile'>;
}

export interface HoverResult {
  markdown: string;
  /** The range the hover belongs to (the value, the name or the whole entry). */
  span: Span;
}

const contains = (span: Span, offset: number) => span.start <= offset && offset <= span.end;
const size = (span: Span) => span.end - span.start;

const DISABLED_NOTE =
  'This item is **disabled** in the file, so Group Policy does not apply it and relaylint does not judge its value.';

const INTENT_NOTE =
  '_relaylint reads what this file configures, not the state of a running machine: another GPO, local policy or a missing reboot can change what a machine really does._';

/** The settings whose entry contains the offset, innermost first. */
function settingsAt(file: ParsedFile, offset: number): Setting[] {
  const hits = file.settings.filter((s) => contains(s.span, offset));
  if (hits.length === 0) return hits;
  const smallest = Math.min(...hits.map((s) => size(s.span)));
  return hits.filter((s) => size(s.span) === smallest);
}

function formatValue(value: RegData): string {
  if (value === null) return '(no data)';
  if (Array.isArray(value)) return value.length ? value.map((v) => mdCode(v)).join(', ') : '(empty list)';
  return mdCode(String(value));
}

/** The documented meaning of a DWORD value; a value of another type has none (the judge calls it undocumented too). */
function meaningOf(rule: SettingRule, value: RegData): string | undefined {
  return typeof value === 'number' && rule.valueType === 'REG_DWORD' ? rule.values[value] : undefined;
}

function isHardened(rule: SettingRule, value: RegData, options: HoverOptions): boolean {
  try {
    const ctx = { role: options.lint?.role ?? 'any', targetOs: options.lint?.targetOs ?? 'legacy', peers: new Map<string, RegData>() };
    return judgeValue(rule, value, ctx, options.lint?.profile).status === 'hardened';
  } catch {
    return false;
  }
}

function deletedText(setting: Setting): string {
  switch (setting.deleteScope) {
    case 'key':
      return 'This entry **deletes the key** and everything below it, this value included.';
    case 'values':
      return 'This entry **deletes every value** of the key, this one included.';
    default:
      return 'This entry **deletes the value**.';
  }
}

/** What this file does with the value: the value and its meaning, a delete, a disabled or targeted item. */
function valueBlock(rule: SettingRule, setting: Setting, findings: readonly Finding[], options: HoverOptions): string {
  const flagged = findings.some((f) => f.ruleId === rule.id && !f.suppressed);
  const lines: string[] = [];
  if (setting.state === 'deleted') {
    lines.push(`${deletedText(setting)} Machines then fall back to their operating system default (see below).`);
  } else {
    const meaning = meaningOf(rule, setting.value);
    let line = `**This value:** ${formatValue(setting.value)}${meaning ? ` — ${mdText(meaning)}` : ''}`;
    if (setting.state !== 'disabled' && !flagged && isHardened(rule, setting.value, options)) line += ' (hardened)';
    lines.push(line);
    if (setting.state === 'disabled') lines.push(DISABLED_NOTE);
    if (setting.state === 'conditional') {
      lines.push(`Applied only where the item-level targeting matches${setting.condition ? `: ${mdLiteral(setting.condition)}` : ''}.`);
    }
  }
  lines.push(`**Secure value:** ${mdText(rule.secure)}`);
  const fix = fixLine(rule, findings);
  if (fix) lines.push(fix);
  if (setting.policyName) lines.push(`**From the policy:** ${mdLiteral(setting.policyName)}`);
  if (setting.gpo?.name) {
    const prec = setting.gpo.precedence;
    lines.push(`**GPO:** ${mdLiteral(setting.gpo.name)}${prec !== undefined ? ` (precedence ${prec}${prec === 1 ? ', the winning GPO' : ''})` : ''}`);
  }
  return lines.join('  \n');
}

/**
 * The findings under the cursor, one line each: severity and rule, not the message (the editor shows
 * the diagnostic's own text next to the hover; repeating it only pushes the fix down).
 */
function findingBlock(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const head = `**relaylint ${f.severity}** ${mdCode(f.ruleId)}`;
      return f.suppressed ? `${head}  \n_Suppressed in this file: ${mdLiteral(f.suppressed.reason)}_` : head;
    })
    .join('\n\n');
}

/** The fix for a flagged value, in one line: the quick fix and what it writes, or where to change it. */
function fixLine(rule: SettingRule, findings: readonly Finding[]): string | undefined {
  const f = findings.find((x) => x.ruleId === rule.id && !x.suppressed);
  if (!f) return undefined;
  const fix = f.fixes.find((x) => x.isPreferred) ?? f.fixes.find((x) => x.kind !== 'suppress');
  if (fix) {
    const written = fix.edits.length === 1 && fix.kind === 'value' ? `: writes ${mdCode(fix.edits[0].newText)}` : '';
    return `**Fix:** ${mdText(fix.title)}${written} (quick fix)`;
  }
  const gpo = f.setting?.gpo?.name ? `the GPO "${mdLiteral(f.setting.gpo.name)}"` : 'the GPO';
  return `**Fix:** set ${mdText(`"${rule.displayName}"`)} to ${mdText(rule.secure)} in ${gpo} (${mdText(rule.gpoPath)})`;
}

function docsLink(rule: Rule, options: HoverOptions): string {
  return `[Rule documentation: ${rule.id}](${docsUrl(rule.id, options.docsBase)})`;
}

function settingHover(rule: SettingRule, setting: Setting, findings: readonly Finding[], options: HoverOptions): string {
  const parts: string[] = [];
  parts.push(`### ${mdText(rule.title)} (${mdCode(rule.id)})`);
  // The value and its fix lead; the findings follow as one line each (their text is the diagnostic's).
  parts.push(valueBlock(rule, setting, findings, options));
  if (findings.length) parts.push(findingBlock(findings));
  parts.push(ruleSummaryMarkdown(rule));
  parts.push('---');
  parts.push(ruleMarkdown(rule, { title: false, headingLevel: 4, omitSummary: true }).trimEnd());
  parts.push(`${docsLink(rule, options)}  \n${INTENT_NOTE}`);
  return parts.join('\n\n');
}

function findingOnlyHover(findings: readonly Finding[], options: HoverOptions): string {
  const parts = [findingBlock(findings)];
  const seen = new Set<string>();
  for (const f of findings) {
    if (seen.has(f.ruleId)) continue;
    seen.add(f.ruleId);
    const rule = ruleById(f.ruleId);
    if (!rule) continue;
    parts.push('---');
    parts.push(`### ${mdText(rule.title)} (${mdCode(rule.id)})`);
    parts.push(ruleMarkdown(rule, { title: false, headingLevel: 4 }).trimEnd());
    parts.push(docsLink(rule, options));
  }
  return parts.join('\n\n');
}

/** The range to report for a hover on a setting: its value or name when the cursor is on one. */
function hoverSpan(setting: Setting, offset: number): Span {
  if (setting.valueSpan && contains(setting.valueSpan, offset)) return setting.valueSpan;
  if (setting.nameSpan && contains(setting.nameSpan, offset)) return setting.nameSpan;
  return setting.span;
}

/**
 * The hover for the position `offset` of `file`: any setting relaylint knows, flagged or not, in
 * any supported format; a finding without a known setting (a parse problem) shows its rule.
 */
export function hoverAt(file: ParsedFile, offset: number, options: HoverOptions = {}): HoverResult | undefined {
  const findingsHere = (options.findings ?? []).filter((f) => contains(f.span, offset));
  for (const setting of settingsAt(file, offset)) {
    const rule = ruleForValue(setting.hive, setting.key, setting.name);
    if (!rule) continue;
    const related = findingsHere.filter((f) => f.setting === setting || f.ruleId === rule.id || (f.span.start === setting.span.start && f.span.end === setting.span.end));
    return { markdown: settingHover(rule, setting, related, options), span: hoverSpan(setting, offset) };
  }
  if (findingsHere.length) {
    const innermost = [...findingsHere].sort((a, b) => size(a.span) - size(b.span));
    const span = innermost[0].span;
    return { markdown: findingOnlyHover(innermost, options), span };
  }
  return undefined;
}

