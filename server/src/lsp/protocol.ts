/**
 * Names and payloads of the language server's protocol. What the VS Code client also needs (custom
 * requests and notifications, their payloads, command and scheme names) is in wire.ts, which the
 * client gets as a generated copy (it never imports server code; test/lsp/wire-drift.test.ts fails
 * when the copy is out of date).
 */
import type { Range } from 'vscode-languageserver';
import { POL_SCHEME } from './wire';

export * from './wire';

export const SOURCE = 'relaylint';
export const SETTINGS_SECTION = 'relaylint';
export const FIX_ALL_KIND = 'source.fixAll.relaylint';

/** One edit of a fix, as an LSP range in the document version the diagnostic was computed for. */
export interface DataEdit {
  range: Range;
  newText: string;
}

export interface DataFix {
  title: string;
  kind: 'value' | 'insert' | 'suppress';
  isPreferred?: boolean;
  /** An unsafe fix (it enforces and can break clients): labelled in the menu, never applied in bulk unless `relaylint.fix.unsafe`. */
  unsafe?: boolean;
  edits: DataEdit[];
}

/** `Diagnostic.data`: everything a code action needs, so code actions stay stateless. */
export interface DiagnosticData {
  ruleId: string;
  /** The document version the ranges refer to. */
  version: number;
  fixes: DataFix[];
}

/** The view URI of a `.pol` file: same path, scheme `relaylint-pol`, the original URI in the query. */
export function polViewUri(original: string): string {
  let path = '/Registry.pol';
  try {
    path = new URL(original).pathname || path;
  } catch {
    // keep the default name
  }
  return `${POL_SCHEME}:${path}?${encodeURIComponent(original)}`;
}

/** The original `.pol` URI of a view URI, or undefined when the URI is not a view. */
export function polOriginal(viewUri: string): string | undefined {
  if (!viewUri.startsWith(`${POL_SCHEME}:`)) return undefined;
  const q = viewUri.indexOf('?');
  if (q < 0) return undefined;
  try {
    return decodeURIComponent(viewUri.slice(q + 1));
  } catch {
    return undefined;
  }
}

