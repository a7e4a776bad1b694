/**
 * Names and payloads shared by the language server and its clients. The VS Code client keeps its
 * own copy of the few strings it needs (it must not import from server/); test/lsp checks that the
 * two copies agree.
 */
import type { Range } from 'vscode-languageserver';

export const SOURCE = 'relaylint';
export const SETTINGS_SECTION = 'relaylint';
export const FIX_ALL_KIND = 'source.fixAll.relaylint';

export const Commands = {
  /** Open a rule's documentation page. Arguments: `[ruleId, href]`. Handled by the VS Code client; the server handles it for other editors. */
  showDocumentation: 'relaylint.showDocumentation',
} as const;

/** URI scheme of the read-only text view of a binary Registry.pol. The query holds the original URI. */
export const POL_SCHEME = 'relaylint-pol';

/** Custom request: the rendered text view of a Registry.pol. */
export const PolTextRequest = 'relaylint/polText';

export interface PolTextParams {
  /** The original `.pol` URI (e.g. `file:///…/Machine/Registry.pol`). */
  uri: string;
  /** The file's bytes, base64; when absent the server reads `file:` URIs itself. */
  base64?: string;
}

export interface PolTextResult {
  /** The view's URI (the scheme `relaylint-pol`). */
  viewUri: string;
  text: string;
}

export interface InitializationOptions {
  /** Base of the rule documentation links, ending in `/`: the bundled docs/rules folder as a file URI. */
  docsBase?: string;
  /** The client registers `relaylint.showDocumentation` itself (VS Code). */
  clientHandlesShowDocumentation?: boolean;
  /**
   * `false` while the workspace is not trusted (VS Code Restricted Mode): the server then reads no
   * config file (relaylint.json, package.json, `relaylint.configFile`) until the client sends
   * `relaylint/didGrantWorkspaceTrust`. Absent means trusted (editors without the notion).
   */
  workspaceTrusted?: boolean;
}

/** Notification (client → server, no params): the user trusted the workspace; config files now apply. */
export const DidGrantWorkspaceTrustNotification = 'relaylint/didGrantWorkspaceTrust';

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
