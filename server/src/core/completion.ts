/**
 * Completion for the two formats admins write by hand: secedit security templates and `.reg`
 * files. Known setting paths and value names come with their Group Policy display names, values
 * with their meanings (`4,1`, `dword:00000001`), so a hardening file can be written from scratch.
 * Pure: works on the text around the cursor, so it also works while the file is half written.
 */
import { ruleForValue, rulesInKey, settingRules } from './catalog';
import { mdCode, mdText, ruleSummaryMarkdown } from './catalog/render';
import type { SettingRule } from './catalog/types';
import { cleanKey, hiveOf, keyId } from './keys';
import { LineIndex } from './text';
import type { Hive, ParsedFile, RegData, Span } from './types';
import { providerOf } from './formats';
import { judgeValue } from './judge';

export type CompletionKind = 'header' | 'key' | 'setting' | 'value';

export interface CompletionEntry {
  /** What the list shows, e.g. `RequireSecuritySignature` or `4,1`. */
  label: string;
  kind: CompletionKind;
  /** One line next to the label: the display name of a setting, the meaning of a value. */
  detail?: string;
  /** A short qualifier shown after the label (the key a value name lives in). */
  description?: string;
  /** Markdown documentation. */
  documentation?: string;
  /** The text that replaces `span`. */
  insertText: string;
  span: Span;
  /** The text the editor filters on (defaults to the label). */
  filterText?: string;
  /** Stable order: hardened values first, then in catalog order. */
  sortText: string;
  /** The value a fix would write. */
  preselect?: boolean;
  ruleId?: string;
}

const REG_HEADER = 'Windows Registry Editor Version 5.00';
const INF_TYPE: Record<SettingRule['valueType'], number> = { REG_SZ: 1, REG_DWORD: 4, REG_MULTI_SZ: 7 };
const REG_HIVE_NAME: Partial<Record<Hive, string>> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER' };

interface LineAt {
  index: LineIndex;
  line: number;
  start: number;
  /** End of the line's content (line break excluded). */
  end: number;
  /** The line's text. */
  text: string;
  /** Cursor column in the line. */
  col: number;
}

function lineAt(text: string, offset: number): LineAt {
  const index = new LineIndex(text);
  const { line, character } = index.positionAt(offset);
  const span = index.lineSpan(line);
  return { index, line, start: span.start, end: span.end, text: text.slice(span.start, span.end), col: character };
}

/** The nearest `[...]` header above the line (the line itself excluded), or undefined. */
function sectionAbove(at: LineAt): string | undefined {
  for (let l = at.line - 1; l >= 0; l--) {
    const s = at.index.lineSpan(l);
    const m = /^\s*\[(.*)\]\s*$/.exec(at.index.text.slice(s.start, s.end));
    if (m) return m[1];
  }
  return undefined;
}

function firstNonSpace(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index : text.length;
}

function trimEndIndex(text: string): number {
  return text.replace(/\s+$/, '').length;
}

function safeJudgeHardened(rule: SettingRule, value: RegData): boolean {
  try {
    return judgeValue(rule, value, { role: 'any', targetOs: 'legacy', peers: new Map() }).status === 'hardened';
  } catch {
    return false;
  }
}

function preferredValue(rule: SettingRule): number | string | undefined {
  return rule.fixes.find((c) => c.preferred && !c.target)?.value;
}

/**
 * Value entries for one rule, in a format's syntax. DWORD rules offer their documented values; a
 * string rule (hardened UNC paths) offers the hardened strings of its fixes, since its `values`
 * describe flags inside the string, not whole values.
 */
function valueEntries(rule: SettingRule, span: Span, write: (v: number | string) => string | undefined): CompletionEntry[] {
  const preferred = preferredValue(rule);
  const candidates: [number | string, string][] =
    rule.valueType === 'REG_DWORD'
      ? Object.entries(rule.values).map(([raw, meaning]) => [Number(raw), meaning])
      : rule.fixes.filter((c) => !c.target && typeof c.value === 'string').map((c) => [c.value, c.title]);
  const out: CompletionEntry[] = [];
  let i = 0;
  for (const [v, meaning] of candidates) {
    const text = write(v);
    if (text === undefined) continue;
    const hardened = safeJudgeHardened(rule, v);
    out.push({
      label: text,
      kind: 'value',
      detail: meaning,
      documentation: `${mdText(meaning)}\n\n**Secure value:** ${mdText(rule.secure)}${hardened ? '\n\nThis value is hardened.' : ''}`,
      insertText: text,
      span,
      sortText: `${hardened ? '0' : '1'}${String(i++).padStart(3, '0')}`,
      ...(preferred === v ? { preselect: true } : {}),
      ruleId: rule.id,
    });
  }
  return out;
}

/** A value in a security template's syntax (`4,1`, `1,"…"`), or undefined. */
function infValue(rule: SettingRule, v: number | string): string | undefined {
  const type = INF_TYPE[rule.valueType];
  return type === 4 && typeof v === 'number' ? `4,${v}` : type === 1 ? `1,"${v}"` : undefined;
}

/** A value in a .reg file's syntax (`dword:00000001`, `"…"`), or undefined. */
function regValue(rule: SettingRule, v: number | string): string | undefined {
  return typeof v === 'number' ? `dword:${(v >>> 0).toString(16).padStart(8, '0')}` : rule.valueType === 'REG_SZ' ? `"${v}"` : undefined;
}

/** A setting's documentation in the completion list: what gets inserted first, then the rule. */
function settingDocumentation(rule: SettingRule, inserted: string | undefined): string {
  const head = inserted === undefined ? '' : `**Inserts the secure value** ${mdCode(inserted)}.\n\n`;
  return `${head}${ruleSummaryMarkdown(rule)}\n\n**Secure value:** ${mdText(rule.secure)}`;
}

// --- security templates ------------------------------------------------------------------------

/** Rules a security template can carry: the entries with a Security Option identity and a HKLM location. */
function templateRules(): { rule: SettingRule; key: string; name: string }[] {
  const out: { rule: SettingRule; key: string; name: string }[] = [];
  for (const rule of settingRules) {
    if (!rule.securityOption) continue;
    const loc = rule.locations.find((l) => l.hive === 'HKLM');
    if (loc) out.push({ rule, key: loc.key, name: loc.name });
  }
  return out;
}

function infCompletions(text: string, offset: number): CompletionEntry[] {
  const at = lineAt(text, offset);
  const section = sectionAbove(at);
  if (!section || section.trim().toLowerCase() !== 'registry values') return [];
  if (/^\s*[;[]/.test(at.text)) return [];
  const eq = at.text.indexOf('=');
  if (eq >= 0 && at.col > eq) {
    // After `=`: the values of the setting named on the left.
    const path = at.text.slice(0, eq).trim().replace(/^"|"$/g, '');
    const parts = path.split('\\');
    const hive = hiveOf(parts[0] ?? '');
    if (!hive || parts.length < 3) return [];
    const rule = ruleForValue(hive, parts.slice(1, -1).join('\\'), parts[parts.length - 1]);
    if (!rule) return [];
    const from = eq + 1 + firstNonSpace(at.text.slice(eq + 1));
    const span = { start: at.start + Math.min(from, at.col), end: at.start + Math.max(trimEndIndex(at.text), at.col) };
    return valueEntries(rule, span, (v) => infValue(rule, v));
  }
  // The setting path.
  const from = Math.min(firstNonSpace(at.text), at.col);
  const to = eq >= 0 ? eq : Math.max(trimEndIndex(at.text), at.col);
  const span = { start: at.start + from, end: at.start + to };
  return templateRules().map(({ rule, key, name }, i) => {
    const path = `MACHINE\\${key}\\${name}`;
    // A new line gets the secure value right away (the preferred fix's value); an existing `=…` is kept.
    const preferred = preferredValue(rule);
    const value = preferred === undefined ? undefined : infValue(rule, preferred);
    const insertText = eq >= 0 ? path : `${path}=${value ?? ''}`;
    return {
      label: name,
      kind: 'setting' as const,
      detail: rule.displayName,
      description: key.split('\\').slice(-2).join('\\'),
      documentation: settingDocumentation(rule, eq < 0 ? value : undefined),
      insertText,
      filterText: path,
      span,
      sortText: String(i).padStart(4, '0'),
      ruleId: rule.id,
    };
  });
}

// --- .reg files --------------------------------------------------------------------------------

function regKeyEntries(at: LineAt): CompletionEntry[] {
  const from = at.text.indexOf('[');
  const span = { start: at.start + from, end: at.start + Math.max(trimEndIndex(at.text), at.col) };
  const keys = new Map<string, { hive: Hive; key: string; rules: SettingRule[] }>();
  for (const rule of settingRules) {
    for (const loc of rule.locations) {
      if (!REG_HIVE_NAME[loc.hive]) continue;
      const id = keyId(loc.hive, loc.key);
      const entry = keys.get(id) ?? { hive: loc.hive, key: cleanKey(loc.key), rules: [] };
      if (!entry.rules.includes(rule)) entry.rules.push(rule);
      keys.set(id, entry);
    }
  }
  let i = 0;
  return [...keys.values()].map(({ hive, key, rules }) => {
    const full = `${REG_HIVE_NAME[hive]}\\${key}`;
    return {
      label: full,
      kind: 'key' as const,
      detail: rules.map((r) => r.displayName).join('; '),
      documentation: rules.map((r) => `- ${mdCode(r.locations.find((l) => keyId(l.hive, l.key) === keyId(hive, key))?.name ?? r.id)}: ${mdText(r.displayName)}`).join('\n'),
      insertText: `[${full}]`,
      filterText: `[${full}]`,
      span,
      sortText: String(i++).padStart(4, '0'),
    };
  });
}

function regCompletions(text: string, offset: number): CompletionEntry[] {
  const at = lineAt(text, offset);
  if (at.line === 0) {
    const span = { start: at.start, end: at.start + Math.max(trimEndIndex(at.text), at.col) };
    return [{ label: REG_HEADER, kind: 'header', detail: 'Header of a .reg file (Windows 2000 and later)', insertText: REG_HEADER, span, sortText: '0000' }];
  }
  if (/^\s*;/.test(at.text)) return [];
  // A continuation line belongs to the value above.
  if (at.line > 0) {
    const prev = at.index.lineSpan(at.line - 1);
    if (/\\\s*$/.test(text.slice(prev.start, prev.end))) return [];
  }
  if (/^\s*\[/.test(at.text)) return regKeyEntries(at);
  const header = sectionAbove(at);
  if (header === undefined || header.startsWith('-')) return [];
  const segments = cleanKey(header.trim()).split('\\');
  const hive = hiveOf(segments[0] ?? '');
  if (!hive) return [];
  const key = segments.slice(1).join('\\');
  const rules = rulesInKey(hive, key);
  if (rules.length === 0) return [];
  const eq = at.text.indexOf('=');
  if (eq >= 0 && at.col > eq) {
    const m = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(at.text.slice(0, eq));
    if (!m) return [];
    const rule = ruleForValue(hive, key, m[1].replace(/\\(.)/g, '$1'));
    if (!rule) return [];
    const from = eq + 1 + firstNonSpace(at.text.slice(eq + 1));
    const span = { start: at.start + Math.min(from, at.col), end: at.start + Math.max(trimEndIndex(at.text), at.col) };
    return valueEntries(rule, span, (v) => regValue(rule, v));
  }
  const from = Math.min(firstNonSpace(at.text), at.col);
  const to = eq >= 0 ? eq : Math.max(trimEndIndex(at.text), at.col);
  const span = { start: at.start + from, end: at.start + to };
  const out: CompletionEntry[] = [];
  rules.forEach((rule, i) => {
    const loc = rule.locations.find((l) => keyId(l.hive, l.key) === keyId(hive, key));
    if (!loc) return;
    const quoted = `"${loc.name}"`;
    const preferred = preferredValue(rule);
    const value = preferred === undefined ? undefined : regValue(rule, preferred);
    out.push({
      label: loc.name,
      kind: 'setting',
      detail: rule.displayName,
      documentation: settingDocumentation(rule, eq < 0 ? value : undefined),
      insertText: eq >= 0 ? quoted : `${quoted}=${value ?? ''}`,
      filterText: quoted,
      span,
      sortText: String(i).padStart(4, '0'),
      ruleId: rule.id,
    });
  });
  return out;
}

/** Completion entries at `offset`; empty where relaylint has nothing to offer. */
export function completionsAt(file: ParsedFile, offset: number): CompletionEntry[] {
  const o = Math.max(0, Math.min(offset, file.text.length));
  switch (providerOf(file.format)?.completion) {
    case 'inf':
      return infCompletions(file.text, o);
    case 'reg':
      return regCompletions(file.text, o);
    default:
      return [];
  }
}
