/**
 * Inline suppressions, in each format's own comment syntax:
 *   INF / .reg:  ; relaylint-disable-next-line smb.server.require -- legacy NAS, ticket 1234
 *   XML:         <!-- relaylint-disable-next-line smb.server.require: legacy NAS, ticket 1234 -->
 * (`--` is not allowed inside an XML comment, so XML uses `:`; both separators are read everywhere.)
 * A suppression applies to the next line that is neither blank nor a comment. One without a reason
 * suppresses nothing and is itself a finding (`suppression.reason`).
 */
import type { LineIndex } from './text';
import type { CommentSyntax } from './formats/types';
import type { Comment, Span } from './types';

export interface Suppression {
  ruleIds: string[];
  reason: string;
  /** The comment. */
  span: Span;
  /** 0-based line the suppression applies to; -1 when no line follows. */
  targetLine: number;
}

const DIRECTIVE = /^\s*relaylint-disable-next-line\b\s*(.*)$/s;

export function parseSuppressions(comments: readonly Comment[], index: LineIndex): Suppression[] {
  const out: Suppression[] = [];
  if (comments.length === 0) return out;
  const commentLines = new Set<number>();
  for (const c of comments) {
    const a = index.positionAt(c.span.start).line;
    const b = index.positionAt(c.span.end).line;
    for (let l = a; l <= b; l++) commentLines.add(l);
  }
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text);
    if (!m) continue;
    const rest = m[1].trim();
    const sep = /\s--\s?|\s?--$|:/.exec(rest);
    const idsText = sep ? rest.slice(0, sep.index) : rest;
    const reason = sep ? rest.slice(sep.index + sep[0].length).trim() : '';
    const ruleIds = idsText
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    let line = index.positionAt(c.span.end).line + 1;
    while (line < index.lineCount) {
      const ls = index.lineSpan(line);
      if (!commentLines.has(line) && index.text.slice(ls.start, ls.end).trim() !== '') break;
      line++;
    }
    out.push({ ruleIds, reason, span: c.span, targetLine: line < index.lineCount ? line : -1 });
  }
  return out;
}

/** The comment line a "disable for this line" fix inserts before `lineStart` (indentation kept), in the format's comment syntax. */
export function suppressionCommentText(comment: CommentSyntax, ruleId: string, indent: string, eol: string): string {
  const sep = comment.reasonSeparator === ':' ? ':' : ' -- ';
  return `${indent}${comment.line(`relaylint-disable-next-line ${ruleId}${sep}`)}${eol}`;
}
