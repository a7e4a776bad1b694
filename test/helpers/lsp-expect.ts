/**
 * Builders for the exact LSP payloads the tests expect, so a test states a diagnostic in one line
 * per field instead of nested literals.
 */
import type { Diagnostic, Range } from 'vscode-languageserver-protocol/node';
import { DOCS_BASE } from './lsp-client';

export const ERROR = 1;
export const WARNING = 2;
export const INFO = 3;
export const HINT = 4;

export function range(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

/** A range on one line. */
export function on(line: number, from: number, to: number): Range {
  return range(line, from, line, to);
}

export interface ExpectedFix {
  title: string;
  kind: 'value' | 'insert' | 'suppress';
  preferred?: boolean;
  /** The fix enforces (catalog stage): the server marks it unsafe. */
  unsafe?: boolean;
  edits: { range: Range; newText: string }[];
}

export interface ExpectedDiagnostic {
  code: string;
  severity: number;
  range: Range;
  message: string;
  version?: number;
  fixes?: ExpectedFix[];
  related?: { uri: string; range: Range; message: string }[];
}

export function diagnostic(e: ExpectedDiagnostic): Diagnostic {
  const d: Diagnostic = {
    range: e.range,
    severity: e.severity as Diagnostic['severity'],
    code: e.code,
    codeDescription: { href: `${DOCS_BASE}${e.code}.md` },
    source: 'relaylint',
    message: e.message,
    data: {
      ruleId: e.code,
      version: e.version ?? 1,
      fixes: (e.fixes ?? []).map((f) => ({ title: f.title, kind: f.kind, ...(f.preferred ? { isPreferred: true } : {}), ...(f.unsafe ? { unsafe: true } : {}), edits: f.edits })),
    },
  };
  if (e.related) d.relatedInformation = e.related.map((r) => ({ location: { uri: r.uri, range: r.range }, message: r.message }));
  return d;
}

/** The fix every finding of a text format carries: a suppression comment above its line. */
export function suppressFix(ruleId: string, line: number, text: string): ExpectedFix {
  return {
    title: `Disable ${ruleId} for this line (add the reason after the marker)`,
    kind: 'suppress',
    edits: [{ range: on(line, 0, 0), newText: text }],
  };
}

/** Replace one line of a text (lines split on the given line ending). */
export function withLine(text: string, eol: string, line: number, newLine: string): string {
  const lines = text.split(eol);
  lines[line] = newLine;
  return lines.join(eol);
}

/** Insert lines before a line. */
export function withInserted(text: string, eol: string, line: number, ...inserted: string[]): string {
  const lines = text.split(eol);
  lines.splice(line, 0, ...inserted);
  return lines.join(eol);
}
