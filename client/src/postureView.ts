/**
 * "relaylint: Show Posture": the server's posture page (`relaylint/posture`) in a read-only webview.
 * The page keeps its own Content-Security-Policy; the client adds a nonce for one script that posts
 * `{cell: id}` when a cell is followed, and opens the line the server listed for that id. No local
 * resource is reachable (`localResourceRoots: []`). Refreshes on save and on `relaylint/domainChanged`.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LspRange, PostureResult } from './generated/wire';
import { messageHtml, webviewHtml } from './postureHtml';

export type { PostureResult };

export const POSTURE_VIEW_TYPE = 'relaylint.posture';
const TITLE = 'relaylint: Posture';

export class PosturePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private cells = new Map<string, { uri: string; range: LspRange }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly rendered = new vscode.EventEmitter<string>();
  /** Fires with the html given to the webview after each render (tests wait on it). */
  readonly onDidRender = this.rendered.event;
  private readonly followed = new vscode.EventEmitter<string>();
  /** Fires with the cell id after its line was opened. */
  readonly onDidFollow = this.followed.event;
  /** The html the webview shows now. */
  html = '';

  constructor(
    private readonly request: () => Promise<PostureResult>,
    private readonly open: (uri: string, range: LspRange) => Promise<void>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get visible(): boolean {
    return !!this.panel;
  }

  /** Opens the panel (or reveals it) and renders the page. */
  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, false);
    } else {
      this.panel = vscode.window.createWebviewPanel(POSTURE_VIEW_TYPE, TITLE, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: true,
        enableCommandUris: false,
        enableForms: false,
        localResourceRoots: [],
        enableFindWidget: true,
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.cells.clear();
      });
      this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m));
    }
    await this.render();
  }

  /** Re-render if the panel is open (a save, `relaylint/domainChanged`); debounced. */
  refresh(): void {
    if (!this.panel) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.render();
    }, 300);
  }

  /** Handles one message from the page: only `{cell: id}` of a cell the server listed opens anything. */
  async onMessage(m: unknown): Promise<boolean> {
    const id = m && typeof m === 'object' && typeof (m as { cell?: unknown }).cell === 'string' ? (m as { cell: string }).cell : undefined;
    if (id === undefined) return false;
    const cell = this.cells.get(id);
    if (!cell) {
      this.log.warn(`posture: the page asked for cell ${JSON.stringify(id.slice(0, 80))}, which the server did not list`);
      return false;
    }
    try {
      await this.open(cell.uri, cell.range);
      this.followed.fire(id);
      return true;
    } catch (err) {
      this.log.error(`posture: could not open ${cell.uri}: ${String(err)}`);
      void vscode.window.showErrorMessage(`relaylint: could not open the deciding line (${String(err)})`);
      return false;
    }
  }

  private async render(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    let html: string;
    try {
      const r = await this.request();
      if (!r || typeof r.html !== 'string') throw new Error('the language server gave no page');
      this.cells = new Map((Array.isArray(r.cells) ? r.cells : []).filter((c) => c && typeof c.id === 'string' && typeof c.uri === 'string').map((c) => [c.id, { uri: c.uri, range: c.range }]));
      html = webviewHtml(r.html, randomBytes(18).toString('base64'));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.cells.clear();
      html = messageHtml(
        'The posture page is not available',
        /Unhandled method|MethodNotFound|-32601/i.test(msg) ? 'This language server does not write the posture page.' : msg,
      );
    }
    if (this.panel !== panel) return; // closed meanwhile
    this.html = html;
    panel.webview.html = html;
    this.rendered.fire(html);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    this.rendered.dispose();
    this.followed.dispose();
  }
}
