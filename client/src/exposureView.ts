/**
 * The "Relay exposure" view in the Explorer: the effective policy per scope (domain, OU, site).
 * The server's `relaylint/exposure` lists the scopes with their counts; the rules of a scope come
 * with `relaylint/exposureScope` when the user expands it (a large domain has thousands of scopes).
 * Scopes → rules, each rule with an icon, a colour and its status as text (colour is never the only
 * signal); a click opens the deciding line. The server sends `relaylint/domainChanged` after each
 * recompute; the view then asks again.
 */
import * as vscode from 'vscode';
import type { ExposureResult, ExposureRule, ExposureScope, ExposureScopeParams, ExposureScopeResult, ExposureStatus, LspRange } from './generated/wire';

export type { ExposureResult, ExposureRule, ExposureScope, ExposureScopeParams, ExposureScopeResult, LspRange };

export type RuleStatus = ExposureStatus;

export type ExposureNode =
  /** `index`: the scope's place in the answer of `version` (what relaylint/exposureScope takes). */
  | { type: 'scope'; scope: ExposureScope; index: number; version: number }
  | { type: 'rule'; scope: ExposureScope; rule: ExposureRule }
  | { type: 'message'; text: string; detail?: string };

interface StatusLook {
  icon: string;
  color: string;
  /** Exposed: counts in the scope's summary. */
  exposed: boolean;
}

/** Icon, colour and meaning per status; the status word is always in the item's description too. */
export const STATUS_LOOK: Record<RuleStatus, StatusLook> = {
  hardened: { icon: 'pass', color: 'testing.iconPassed', exposed: false },
  weak: { icon: 'error', color: 'errorForeground', exposed: true },
  missing: { icon: 'circle-slash', color: 'list.warningForeground', exposed: true },
  conditional: { icon: 'question', color: 'list.warningForeground', exposed: true },
  conflict: { icon: 'warning', color: 'list.warningForeground', exposed: true },
  undetermined: { icon: 'circle-large-outline', color: 'descriptionForeground', exposed: true },
};
const UNKNOWN_LOOK: StatusLook = { icon: 'circle-large-outline', color: 'descriptionForeground', exposed: true };
/** What a scope node says while its rules cannot be listed because the model changed (the view reloads). */
export const SCOPE_CHANGED = 'The exposure changed; reloading.';
const lookOf = (status: string): StatusLook => (STATUS_LOOK as Record<string, StatusLook>)[status] ?? UNKNOWN_LOOK;

const KIND_ICON: Record<string, string> = { domain: 'globe', ou: 'folder', site: 'location' };
const KIND_TEXT: Record<string, string> = { domain: 'domain', ou: 'OU', site: 'site' };

/** What a message node says when the server gives no reason. */
export const NO_TOPOLOGY = 'No domain topology in this workspace';

function toRange(r: LspRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** Opens a deciding line: the file at the range (a Registry.pol in its read-only text view). */
export async function openLocation(uri: string, range: LspRange | undefined, polScheme: string): Promise<void> {
  let target = vscode.Uri.parse(uri, true);
  if (target.scheme === 'file' && /\.pol$/i.test(target.path)) {
    target = vscode.Uri.from({ scheme: polScheme, path: target.path, query: target.toString() });
  }
  const selection = range ? toRange(range) : undefined;
  const editor = await vscode.window.showTextDocument(target, { preview: false, selection });
  if (selection) editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export class ExposureProvider implements vscode.TreeDataProvider<ExposureNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExposureNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaded = new vscode.EventEmitter<ExposureResult | undefined>();
  /** Fires after each answer of the server was turned into the tree (tests wait on it). */
  readonly onDidLoad = this.loaded.event;
  private result: ExposureResult | undefined;
  private error: string | undefined;
  private pending: Promise<void> | undefined;
  private stale = true;
  private timer: NodeJS.Timeout | undefined;
  /** The rules of the scopes expanded since the last answer, by index (requests in flight included). */
  private rules = new Map<number, Promise<ExposureNode[]>>();
  /**
   * The id part of each scope of the last answer (`kind:som`), unique: VS Code refuses a tree with
   * two elements of one id, and two OUs can share a canonical name as relaylint writes it (OU
   * `a/b`, and OU `b` under an OU `a\`, both read `corp.example/a\/b`). A repeated one gets `#1`,
   * `#2`… until unused.
   */
  private scopeIds = new WeakMap<ExposureScope, string>();

  constructor(
    private readonly request: () => Promise<ExposureResult>,
    private readonly requestScope: (params: ExposureScopeParams) => Promise<ExposureScopeResult>,
    private readonly openCommand: string,
  ) {}

  /** Ask the server again (the refresh command, `relaylint/domainChanged`); debounced. */
  refresh(now = false): void {
    this.stale = true;
    if (this.timer) clearTimeout(this.timer);
    if (now) {
      this.timer = undefined;
      this.changed.fire(undefined);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, 150);
  }

  /** The last answer (undefined before the first one or after an error). */
  get last(): ExposureResult | undefined {
    return this.result;
  }

  private load(): Promise<void> {
    if (!this.stale && !this.pending) return Promise.resolve();
    this.pending ??= (async () => {
      this.stale = false;
      try {
        const r = await this.request();
        this.result = r && typeof r === 'object' ? { available: !!r.available, reason: r.reason, version: r.version, scopes: Array.isArray(r.scopes) ? r.scopes : [] } : undefined;
        this.error = this.result ? undefined : 'The language server gave no exposure result.';
      } catch (err) {
        this.result = undefined;
        const msg = err instanceof Error ? err.message : String(err);
        this.error = /Unhandled method|MethodNotFound|-32601/i.test(msg) ? 'This language server does not compute the relay exposure.' : `Could not get the relay exposure: ${msg}`;
      }
      this.rules = new Map();
      this.scopeIds = new WeakMap();
      const used = new Set<string>();
      for (const sc of this.result?.scopes ?? []) {
        const base = `${sc.kind}:${sc.som}`;
        let id = base;
        for (let n = 1; used.has(id); n++) id = `${base}#${n}`;
        used.add(id);
        this.scopeIds.set(sc, id);
      }
      this.loaded.fire(this.result);
    })().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async getChildren(node?: ExposureNode): Promise<ExposureNode[]> {
    if (!node) {
      await this.load();
      if (this.error) return [{ type: 'message', text: this.error }];
      const r = this.result!;
      if (!r.available) return [{ type: 'message', text: r.reason || NO_TOPOLOGY, detail: 'Add a topology export (LDIF, SharpHound JSON or zip, Get-GPInheritance JSON) to the workspace, or set relaylint.topology.' }];
      if (!r.scopes.length) return [{ type: 'message', text: r.reason || 'The topology names no scope (domain, OU or site).' }];
      // available with a reason: the server judged without a topology (the whole set as one scope); say so first
      const version = r.version ?? 0;
      const scopes: ExposureNode[] = r.scopes.map((scope, index) => ({ type: 'scope', scope, index, version }));
      return r.reason ? [{ type: 'message', text: r.reason }, ...scopes] : scopes;
    }
    if (node.type === 'scope') return this.rulesOf(node);
    return [];
  }

  /** The rules of a scope, asked of the server once per answer of relaylint/exposure. */
  private rulesOf(node: Extract<ExposureNode, { type: 'scope' }>): Promise<ExposureNode[]> {
    const current = node.version === (this.result?.version ?? 0);
    const have = current ? this.rules.get(node.index) : undefined;
    if (have) return have;
    const got = (async (): Promise<ExposureNode[]> => {
      try {
        const r = await this.requestScope({ version: node.version, scope: node.index });
        if (!r || r.stale || !Array.isArray(r.rules)) {
          // The model changed since the scopes were listed: list them again.
          if (current) this.rules.delete(node.index);
          this.refresh(true);
          return [{ type: 'message', text: SCOPE_CHANGED }];
        }
        return r.rules.map((rule) => ({ type: 'rule', scope: node.scope, rule }));
      } catch (err) {
        if (current) this.rules.delete(node.index);
        const msg = err instanceof Error ? err.message : String(err);
        return [{ type: 'message', text: `Could not get the rules of ${node.scope.som}: ${msg}` }];
      }
    })();
    if (current) this.rules.set(node.index, got);
    return got;
  }

  getTreeItem(node: ExposureNode): vscode.TreeItem {
    if (node.type === 'message') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.id = `message:${node.text}`;
      item.iconPath = new vscode.ThemeIcon('info');
      item.tooltip = node.detail ? `${node.text}\n\n${node.detail}` : node.text;
      item.contextValue = 'relaylint.message';
      return item;
    }
    if (node.type === 'scope') {
      const s = node.scope;
      // The server counts the rules that leave machines exposed (a missing setting whose Windows
      // default is acceptable does not).
      const exposed = s.exposed;
      // collapsed: a domain with many OUs shows every scope and its count at a glance
      const item = new vscode.TreeItem(s.som, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `scope:${this.scopeIds.get(s) ?? `${s.kind}:${s.som}`}`;
      const role = s.role === 'dc' ? 'domain controllers' : 'members';
      item.description = `${KIND_TEXT[s.kind] ?? s.kind} · ${role} · ${exposed ? `${exposed} of ${plural(s.rules, 'rule')} exposed` : 'all hardened'}`;
      item.iconPath = new vscode.ThemeIcon(KIND_ICON[s.kind] ?? 'symbol-namespace', exposed ? new vscode.ThemeColor('list.warningForeground') : new vscode.ThemeColor('testing.iconPassed'));
      item.tooltip = `${s.som} (${KIND_TEXT[s.kind] ?? s.kind}, ${role}): ${exposed} of ${plural(s.rules, 'rule')} not hardened`;
      item.contextValue = 'relaylint.scope';
      item.accessibilityInformation = { label: `${s.som}, ${KIND_TEXT[s.kind] ?? s.kind}, ${role}, ${exposed} of ${plural(s.rules, 'rule')} exposed` };
      return item;
    }
    const { rule, scope } = node;
    const look = lookOf(rule.status);
    const item = new vscode.TreeItem(rule.title || rule.ruleId, vscode.TreeItemCollapsibleState.None);
    item.id = `rule:${this.scopeIds.get(scope) ?? `${scope.kind}:${scope.som}`}:${rule.ruleId}`;
    const ready = rule.readiness ? ` · ${rule.readiness.status}${rule.readiness.clients ? ` (${plural(rule.readiness.clients, 'client')} would fail)` : ''}` : '';
    item.description = `${rule.status}${ready}`;
    item.iconPath = new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`$(${look.icon}) **${rule.status}**: `);
    md.appendText(`${rule.title || rule.ruleId}`);
    md.appendMarkdown(` \`${rule.ruleId}\`\n\n`);
    md.appendText(`Scope: ${scope.som}\n`);
    if (rule.why) {
      md.appendMarkdown('\n\n');
      md.appendText(rule.why);
    }
    if (rule.winner) {
      md.appendMarkdown('\n\n');
      const file = vscode.workspace.asRelativePath(vscode.Uri.parse(rule.winner.uri, true));
      md.appendText(`Decided by ${rule.winner.gpo ? `${rule.winner.gpo}, ` : ''}${file}:${rule.winner.range.start.line + 1} (click to open)`);
    }
    if (rule.readiness) {
      md.appendMarkdown('\n\n');
      md.appendText(`Readiness: ${rule.readiness.status}${rule.readiness.clients ? `, ${plural(rule.readiness.clients, 'client')} in the event logs would fail if it were enforced now` : ''}`);
    }
    item.tooltip = md;
    item.contextValue = `relaylint.rule.${rule.status}`;
    item.accessibilityInformation = { label: `${rule.title || rule.ruleId}, ${rule.status}${ready.replace(' · ', ', ')}` };
    if (rule.winner) {
      item.command = { command: this.openCommand, title: 'Open the deciding line', arguments: [rule.winner.uri, rule.winner.range] };
    }
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
    this.loaded.dispose();
  }
}
