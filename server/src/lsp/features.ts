/**
 * Hover and completion: thin adapters from the core's offsets and Markdown to LSP types.
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver';
import type { CompletionItem, Hover, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { completionsAt, hoverAt } from '../core';
import type { CompletionEntry, ParsedFile } from '../core';
import { activeFindings, toRange } from './diagnostics';
import type { RelaylintSettings } from './settings';

const ITEM_KIND: Record<CompletionEntry['kind'], CompletionItemKind> = {
  header: CompletionItemKind.Keyword,
  key: CompletionItemKind.Module,
  setting: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
};

export function hover(doc: TextDocument, parsed: ParsedFile, position: Position, settings: RelaylintSettings, docsBase: string | undefined): Hover | null {
  // The hover repeats the finding under the cursor, so it needs the same findings as the diagnostics.
  const findings = settings.enable ? activeFindings(parsed, settings) : [];
  const h = hoverAt(parsed, doc.offsetAt(position), { findings, docsBase, lint: { role: settings.role, targetOs: settings.targetOs } });
  if (!h) return null;
  return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(doc, h.span) };
}

export function completion(doc: TextDocument, parsed: ParsedFile, position: Position): CompletionItem[] {
  return completionsAt(parsed, doc.offsetAt(position)).map((e): CompletionItem => {
    const item: CompletionItem = {
      label: e.label,
      kind: ITEM_KIND[e.kind],
      textEdit: { range: toRange(doc, e.span), newText: e.insertText },
      sortText: e.sortText,
    };
    if (e.detail !== undefined) item.detail = e.detail;
    if (e.description !== undefined) item.labelDetails = { description: e.description };
    if (e.documentation !== undefined) item.documentation = { kind: MarkupKind.Markdown, value: e.documentation };
    if (e.filterText !== undefined) item.filterText = e.filterText;
    if (e.preselect) item.preselect = true;
    return item;
  });
}
