/**
 * The protocol the language server and the VS Code client share: custom requests and
 * notifications, their payloads, and the command and scheme names both sides use. This file has no
 * imports, so the client can hold a generated copy of it (client/src/generated/wire.ts, written by
 * `npm run gen`; the client never imports server code). test/lsp/wire-drift.test.ts fails when the
 * copy is out of date. Everything else of the protocol is in protocol.ts.
 */

/** An LSP range (zero-based line and UTF-16 character), as `vscode-languageserver`'s `Range`. */
export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

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

/**
 * Custom request (client → server), params `{}`: the Relay exposure of the workspace, its scopes
 * with a summary each (ExposureResult). The rules of one scope come with ExposureScopeRequest when
 * the view expands it.
 */
export const ExposureRequest = 'relaylint/exposure';
/** Custom request (client → server), params ExposureScopeParams: the rules of one scope of an ExposureResult (ExposureScopeResult). */
export const ExposureScopeRequest = 'relaylint/exposureScope';
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
  winner?: { uri: string; range: LspRange; gpo?: string };
  /** Rollout readiness from the event logs of the workspace: status (ready, blocked, no-evidence, audit-off, window-short) and the number of clients that would fail. */
  readiness?: { status: string; clients: number };
}

/** A scope of the exposure as the view shows it before it is expanded: no rules, their counts. */
export interface ExposureScope {
  som: string;
  kind: 'domain' | 'ou' | 'site';
  role: 'dc' | 'member';
  /** The number of rules judged in the scope (the rules of its role). */
  rules: number;
  /** How many of them leave machines of the scope exposed (ExposureRule.exposed). */
  exposed: number;
  /** The number of rules per status; a status no rule has is left out. */
  statuses: Partial<Record<ExposureStatus, number>>;
}

export interface ExposureResult {
  available: boolean;
  reason?: string;
  /**
   * The workspace model the answer is of; ExposureScopeParams carries it back. It changes with each
   * recompute (relaylint/domainChanged). Absent when there is no model to ask about.
   */
  version?: number;
  scopes: ExposureScope[];
}

export interface ExposureScopeParams {
  /** ExposureResult.version of the answer the scope was listed in. */
  version: number;
  /** The scope's index in that answer's `scopes`. */
  scope: number;
}

export interface ExposureScopeResult {
  /** The version of the model that answered. */
  version: number;
  /**
   * The model changed since `version` (or the index is not a scope of it): `rules` is empty; ask
   * relaylint/exposure again.
   */
  stale?: boolean;
  /** The scope's name, as in ExposureScope.som (absent when stale). */
  som?: string;
  /** Every rule judged in the scope, in catalog order (at most one per setting rule of the catalog, so bounded). */
  rules: ExposureRule[];
}

export interface PostureCell {
  /** The value of `data-relaylint-cell` in the page; also the cell's index in `cells`. */
  id: string;
  uri: string;
  range: LspRange;
}

export interface PostureResult {
  html: string;
  cells: PostureCell[];
}
