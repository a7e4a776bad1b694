/**
 * Markdown for one catalog rule. The rule documentation pages (docs/rules/<id>.md), the hover of
 * the language server and the SARIF help text are all rendered here, from the same catalog entry,
 * so the three never drift apart.
 */
import { displayKey } from '../keys';
import { levelsNaming } from '../posture/levels';
import { eventsToWatch } from './index';
import type { MetaRule, Reference, Rule, SettingRule } from './types';
import { isSettingRule } from './types';

export interface RenderOptions {
  /** Emit the `# id: title` line (docs pages, SARIF). Default true. */
  title?: boolean;
  /** Markdown level of the section headings. Default 2 (`##`). */
  headingLevel?: number;
  /** Leave out the summary block (display name, GPO path, registry, side) when the caller already shows it. Default false. */
  omitSummary?: boolean;
}

const SIDE_TEXT: Record<SettingRule['side'], string> = {
  server: 'server side (the machine that accepts the connection)',
  client: 'client side (the machine that opens the connection)',
  both: 'client and server side',
};

/** Escape text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Escape characters that Markdown would otherwise read as formatting in running text. Catalog prose
 * may use `code spans` on purpose; those are kept as they are.
 */
export function mdText(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([\\*_[\]<>|])/g, '\\$1')))
    .join('');
}

/**
 * Text from the files (GPO and OU names, values, comments, event-log fields) in running Markdown:
 * every character that can start a link, an image, code, emphasis, HTML, an entity or a theme icon
 * is escaped, and line breaks become spaces (a blank line would end the paragraph), so the text
 * shows as it is and can never make a link (a hover's links may be trusted commands).
 */
export function mdLiteral(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(/[\\`*_[\]<>|&~$]/g, '\\$&');
}

/**
 * Inline code that survives backticks in the content: the fence is one backtick longer than the
 * longest run inside (CommonMark), and line breaks become spaces (as a code span shows them; a blank
 * line would end it), so no content can close the span early.
 */
export function mdCode(text: string): string {
  const body = text.replace(/\r\n?|\n/g, ' ');
  const fence = '`'.repeat(Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

function heading(level: number, text: string): string {
  return `${'#'.repeat(Math.min(Math.max(level, 1), 6))} ${text}`;
}

function reference(ref: Reference): string {
  const tag = ref.tag ? `[${ref.tag}] ` : '';
  return ref.url ? `- ${tag}[${mdText(ref.title)}](${ref.url})` : `- ${tag}${mdText(ref.title)}`;
}

/** Registry locations of a rule, one per line, in `HKLM\…\Name` form. */
export function registryLines(rule: SettingRule): string[] {
  return rule.locations.map((l) => `${mdCode(`${displayKey(l.hive, l.key)}\\${l.name}`)} (${rule.valueType})`);
}

/** The summary block: display name, GPO editor path, registry, side. Shared by docs and hover. */
export function ruleSummaryMarkdown(rule: SettingRule): string {
  const lines = [
    `**Group Policy setting:** ${mdText(rule.displayName)}`,
    `**In the GPO editor:** ${mdText(rule.gpoPath)}`,
    `**Registry:** ${registryLines(rule).join(', or ')}`,
    `**Applies to:** the ${SIDE_TEXT[rule.side]}${rule.dcOnly ? '; only meaningful on domain controllers' : ''}`,
  ];
  // Two trailing spaces: a Markdown line break inside one paragraph.
  return lines.join('  \n');
}

function valuesTable(rule: SettingRule): string[] {
  const entries = Object.entries(rule.values);
  if (entries.length === 0) return [];
  return ['| Value | Meaning |', '| --- | --- |', ...entries.map(([v, meaning]) => `| ${cell(v)} | ${cell(meaning)} |`)];
}

function baselineLines(rule: SettingRule): string[] {
  const b = rule.baselines;
  const out: string[] = [];
  out.push(`- Microsoft security baseline: ${mdText(b.microsoft ?? 'not set')}`);
  out.push(`- CIS benchmark: ${mdText(b.cis ?? 'not listed')}`);
  out.push(`- DISA STIG: ${mdText(b.stig ?? 'not listed')}`);
  return out;
}

function settingRuleMarkdown(rule: SettingRule, level: number, omitSummary: boolean): string[] {
  const e = rule.explanation;
  const parts: string[] = [];
  if (!omitSummary) parts.push(ruleSummaryMarkdown(rule));
  const table = valuesTable(rule);
  parts.push([heading(level, 'Values'), ...(table.length ? ['', ...table, ''] : ['']), `**Secure value:** ${mdText(rule.secure)}`].join('\n'));
  parts.push(`${heading(level, 'What it does')}\n\n${mdText(e.what)}`);
  parts.push(`${heading(level, 'Why it matters')}\n\n${mdText(e.why)}`);
  parts.push(`${heading(level, 'The attack')}\n\n${mdText(e.attack)}`);
  parts.push(`${heading(level, 'Defaults when not configured')}\n\n${mdText(rule.defaults)}`);
  parts.push(`${heading(level, 'How to fix')}\n\n${mdText(e.fix)}`);
  const events = eventsToWatch(rule);
  parts.push(
    `${heading(level, 'Rollout')}\n\n${mdText(e.rollout)}` + (events ? `\n\n**Events to watch:** ${mdText(events)}` : ''),
  );
  const evidence = evidenceMarkdown(rule);
  if (evidence) parts.push(`${heading(level, 'Evidence in event logs')}\n\n${evidence}`);
  parts.push(`${heading(level, 'On the posture ladder')}\n\n${ladderMarkdown(rule)}`);
  parts.push(`${heading(level, 'Baselines')}\n\n${baselineLines(rule).join('\n')}`);
  if (rule.references.length) parts.push(`${heading(level, 'References')}\n\n${rule.references.map(reference).join('\n')}`);
  return parts;
}

/** The entry's evidence events and audit switch (what the readiness judge reads). */
function evidenceMarkdown(rule: SettingRule): string | undefined {
  if (!rule.evidence && !rule.auditSwitch) return undefined;
  const out: string[] = [];
  if (rule.auditSwitch) {
    out.push(rule.auditSwitch === rule.id ? 'Audit switch: this setting itself (its audit value turns the events on).' : `Audit switch: ${mdCode(rule.auditSwitch)}; turn it on before enforcing this setting.`);
  }
  if (rule.evidence) {
    out.push(['| Log | Event ids |', '| --- | --- |', ...rule.evidence.events.map((e) => `| ${cell(e.log)} | ${e.ids.join(', ')} |`)].join('\n'));
    out.push(`How to log them: ${mdText(rule.evidence.howToAudit)}.`);
  }
  return out.join('\n\n');
}

/** The entry's family and the levels whose requirement names it, or why it is outside the ladder. */
function ladderMarkdown(rule: SettingRule): string {
  const place = rule.posture;
  if ('outside' in place) return `Not on the ladder: ${mdText(place.outside)}.`;
  const found = levelsNaming(rule.id);
  const title = found?.family.title ?? place.family;
  const lines = [`Family: **${mdText(title)}**${place.gate ? "; its readiness in the event logs gates the family's next enforcement step" : ''}.`];
  const levels = found?.levels ?? [];
  if (levels.length) lines.push('', ...levels.map((l) => `- **L${l.level} ${mdText(l.name)}**: ${mdText(l.text)}`));
  else lines.push('', 'No level requires it by itself; its value is shown as evidence on the family\'s cells.');
  return lines.join('\n');
}

function metaRuleMarkdown(rule: MetaRule, level: number): string[] {
  const e = rule.explanation;
  const parts = [
    `${heading(level, 'What it means')}\n\n${mdText(e.what)}`,
    `${heading(level, 'Why it matters')}\n\n${mdText(e.why)}`,
    `${heading(level, 'How to fix')}\n\n${mdText(e.fix)}`,
  ];
  if (rule.references.length) parts.push(`${heading(level, 'References')}\n\n${rule.references.map(reference).join('\n')}`);
  return parts;
}

/** The whole Markdown documentation of one rule. */
export function ruleMarkdown(rule: Rule, options: RenderOptions = {}): string {
  const level = options.headingLevel ?? 2;
  const parts: string[] = [];
  if (options.title ?? true) {
    parts.push(`${heading(level - 1, `${rule.id}: ${mdText(rule.title)}`)}`);
    parts.push(`Default severity: **${rule.severity}**. Category: ${rule.category}.`);
  }
  parts.push(...(isSettingRule(rule) ? settingRuleMarkdown(rule, level, options.omitSummary ?? false) : metaRuleMarkdown(rule, level)));
  return parts.join('\n\n') + '\n';
}
