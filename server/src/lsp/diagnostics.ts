/**
 * Finding → LSP Diagnostic, in one place: `code` = rule id, `codeDescription.href` = the rule's
 * documentation page, `source` = "relaylint", the severity after the user's overrides, the range of
 * the value where the finding is about a value, `relatedInformation` for the other places that
 * matter, and the fixes as data (`Diagnostic.data`) so code actions stay stateless.
 */
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic, DiagnosticRelatedInformation, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { boundFindings, describeConfigProblem, docsUrl, lint, ruleOf } from '../core';
import type { ConfigProblem, Finding, Fix, LintOptions, ParsedFile, Severity, Span } from '../core';
import type { DataFix, DiagnosticData } from './protocol';
import { SOURCE } from './protocol';
import type { RelaylintSettings } from './settings';
import { lintOptions } from './settings';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toRange(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

/**
 * The span a diagnostic underlines: the value itself when the finding is about that value (a weak
 * `4,0`, a `dword:00000000`, a GPP `value="…"`), otherwise what the engine marked.
 */
export function diagnosticSpan(f: Finding): Span {
  const s = f.setting;
  if (s?.valueSpan && s.state !== 'deleted' && f.span.start <= s.valueSpan.start && s.valueSpan.end <= f.span.end) {
    if (ruleOf(s)?.id === f.ruleId && s.valueSpan.end > s.valueSpan.start) return s.valueSpan;
  }
  return f.span;
}

function dataFix(doc: TextDocument, fix: Fix): DataFix {
  const out: DataFix = { title: fix.title, kind: fix.kind, edits: fix.edits.map((e) => ({ range: toRange(doc, e), newText: e.newText })) };
  if (fix.isPreferred) out.isPreferred = true;
  if (fix.applicability === 'unsafe') out.unsafe = true;
  return out;
}

export function toDiagnostic(doc: TextDocument, f: Finding, docsBase: string | undefined): Diagnostic {
  const data: DiagnosticData = { ruleId: f.ruleId, version: doc.version, fixes: f.fixes.map((x) => dataFix(doc, x)) };
  const d: Diagnostic = {
    range: toRange(doc, diagnosticSpan(f)),
    severity: SEVERITY[f.severity] ?? DiagnosticSeverity.Warning,
    code: f.ruleId,
    codeDescription: { href: docsUrl(f.ruleId, docsBase) },
    source: SOURCE,
    message: f.message,
    data,
  };
  if (f.related?.length) {
    d.relatedInformation = f.related.map(
      (r): DiagnosticRelatedInformation => ({ location: { uri: doc.uri, range: toRange(doc, r.span) }, message: r.message }),
    );
  }
  return d;
}

/** What the diagnostics and code actions need to know besides the editor settings (the config file). */
export type LintSettings = RelaylintSettings & {
  ignored?: boolean;
  exceptions?: LintOptions['exceptions'];
  today?: string;
  configPath?: string;
  configProblems?: ConfigProblem[];
};

/** The findings of a document under its settings: active ones, and those a config exception suppresses. */
function lintSplit(parsed: ParsedFile, settings: LintSettings): { active: Finding[]; excepted: Finding[] } {
  const findings = lint(parsed, lintOptions(settings));
  const active: Finding[] = [];
  const excepted: Finding[] = [];
  for (const f of findings) {
    const override = settings.rules[f.ruleId];
    if (override === 'off') continue;
    if (f.suppressed) {
      if (f.suppressed.exception) excepted.push(f);
      continue;
    }
    active.push(override ? { ...f, severity: override } : f);
  }
  return { active, excepted };
}

/** The active (not suppressed, not switched off) findings of a document under its settings. */
export function activeFindings(parsed: ParsedFile, settings: LintSettings): Finding[] {
  if (settings.ignored) return [];
  return lintSplit(parsed, settings).active;
}

export function diagnosticsFor(doc: TextDocument, parsed: ParsedFile, settings: LintSettings, docsBase: string | undefined): Diagnostic[] {
  if (!settings.enable || settings.ignored) return [];
  const out: Diagnostic[] = [];
  if (settings.configProblems?.length) {
    out.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Error,
      source: SOURCE,
      message:
        `The relaylint config file ${settings.configPath ?? ''} is not valid, so none of it applies (every rule at its default): ` +
        settings.configProblems.map(describeConfigProblem).join('; '),
    });
  }
  const { active, excepted } = lintSplit(parsed, settings);
  // At most FINDING_LIMITS per rule and file are shown, with one summary per rule (fix-all still sees them all).
  out.push(...boundFindings(active).map((f) => toDiagnostic(doc, f, docsBase)));
  // Findings a config exception accepts: shown as hints with the reason, never counted as problems.
  for (const f of excepted) {
    out.push({
      range: toRange(doc, diagnosticSpan(f)),
      severity: DiagnosticSeverity.Hint,
      source: SOURCE,
      message: `${f.ruleId} is accepted here by an exception: ${f.suppressed?.reason ?? ''}`,
    });
  }
  return out;
}

/** Read `Diagnostic.data` defensively: it comes back from the client and may be anything. */
export function readData(value: unknown): DiagnosticData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<DiagnosticData>;
  if (typeof v.ruleId !== 'string' || typeof v.version !== 'number' || !Array.isArray(v.fixes)) return undefined;
  const fixes: DataFix[] = [];
  for (const f of v.fixes as unknown[]) {
    if (typeof f !== 'object' || f === null) return undefined;
    const x = f as Partial<DataFix>;
    if (typeof x.title !== 'string' || !Array.isArray(x.edits)) return undefined;
    if (x.kind !== 'value' && x.kind !== 'insert' && x.kind !== 'suppress') return undefined;
    if (x.unsafe !== undefined && typeof x.unsafe !== 'boolean') return undefined;
    for (const e of x.edits as unknown[]) {
      const ed = e as { range?: Range; newText?: unknown };
      if (typeof ed?.newText !== 'string' || !isRange(ed.range)) return undefined;
    }
    fixes.push(x as DataFix);
  }
  return { ruleId: v.ruleId, version: v.version, fixes };
}

function isPosition(p: unknown): boolean {
  const x = p as { line?: unknown; character?: unknown };
  return typeof x === 'object' && x !== null && Number.isInteger(x.line) && Number.isInteger(x.character);
}

function isRange(r: unknown): r is Range {
  const x = r as { start?: unknown; end?: unknown };
  return typeof x === 'object' && x !== null && isPosition(x.start) && isPosition(x.end);
}
