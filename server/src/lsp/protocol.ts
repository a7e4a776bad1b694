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

// ---- Domain features (effective policy per scope, readiness, posture) -------------------------

/** Custom request (client → server), params `{}`: the Relay exposure of the workspace, per scope and rule. */
export const ExposureRequest = 'relaylint/exposure';
/** Custom request (client → server), params `{}`: the posture page of the workspace as HTML, with its clickable cells. */
export const PostureRequest = 'relaylint/posture';
/** Notification (server → client, no params): the workspace domain model was recomputed; views refresh. */
export const DomainChangedNotification = 'relaylint/domainChanged';

export type ExposureStatus = 'hardened' | 'weak' | 'missing' | 'conditional' | 'conflict' | 'undetermined';

export interface ExposureRule {
  ruleId: string;
  title: string;
  status: ExposureStatus;
  /**
   * Whether machines of the scope are exposed for this rule: a weak value, or a missing one whose
   * Windows default leaves them exposed (a missing setting with an acceptable default is not).
   */
  exposed?: boolean;
  why?: string;
  /**
   * The deciding line. `uri` is the file's `file:` URI, or for a binary Registry.pol the
   * `relaylint-pol:` view URI (see polViewUri), with `range` in the view's text.
   */
  winner?: { uri: string; range: Range; gpo?: string };
  /** Rollout readiness from the event logs of the workspace: status (ready, blocked, no-evidence, audit-off, window-short) and the number of clients that would fail. */
  readiness?: { status: string; clients: number };
}

export interface ExposureScope {
  som: string;
  kind: 'domain' | 'ou' | 'site';
  role: 'dc' | 'member';
  rules: ExposureRule[];
}

export interface ExposureResult {
  available: boolean;
  reason?: string;
  scopes: ExposureScope[];
}

export interface PostureCell {
  /** The value of `data-relaylint-cell` in the page; also the cell's index in `cells`. */
  id: string;
  uri: string;
  range: Range;
}

export interface PostureResult {
  html: string;
  cells: PostureCell[];
}
