/**
 * The status bar item: the server state and relaylint's finding count in the workspace (counted from
 * relaylint's own diagnostics, `source` "relaylint"), a warning when Restricted Mode ignores folder
 * settings, and a click that opens the relaylint output channel.
 */
import * as vscode from 'vscode';
import type { IgnoredSetting } from './trust';

export type ServerState = 'idle' | 'starting' | 'running' | 'stopped';

export interface Counts {
  error: number;
  warning: number;
  info: number;
  hint: number;
  files: number;
}

export function countFindings(source: string): Counts {
  const c: Counts = { error: 0, warning: 0, info: 0, hint: 0, files: 0 };
  for (const [, diags] of vscode.languages.getDiagnostics()) {
    let any = false;
    for (const d of diags) {
      if (d.source !== source) continue;
      any = true;
      if (d.severity === vscode.DiagnosticSeverity.Error) c.error++;
      else if (d.severity === vscode.DiagnosticSeverity.Warning) c.warning++;
      else if (d.severity === vscode.DiagnosticSeverity.Information) c.info++;
      else c.hint++;
    }
    if (any) c.files++;
  }
  return c;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * A path from the workspace as inline code in the tooltip: the untrusted folder names it, and the
 * tooltip's Manage Workspace Trust link is a trusted command. The fence is one backtick longer than
 * the longest run in the path and line breaks are spaces (CommonMark), so no name can close the
 * span and add a link of its own.
 */
function codeSpan(text: string): string {
  const body = text.replace(/\r\n?|\n/g, ' ');
  const fence = '`'.repeat(Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: ServerState = 'idle';
  private counts: Counts = { error: 0, warning: 0, info: 0, hint: 0, files: 0 };
  private ignored: IgnoredSetting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly source: string,
    command: string,
  ) {
    this.item = vscode.window.createStatusBarItem('relaylint.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = 'relaylint';
    this.item.command = command;
    // Debounced: a large workspace publishes many diagnostics at once.
    this.sub = vscode.languages.onDidChangeDiagnostics(() => {
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.recount();
      }, 150);
    });
    this.render();
  }

  setState(state: ServerState): void {
    this.state = state;
    this.recount();
  }

  setIgnored(ignored: IgnoredSetting[]): void {
    this.ignored = ignored;
    this.render();
  }

  recount(): void {
    this.counts = countFindings(this.source);
    this.render();
  }

  /** The text, for the output channel and tests. */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const c = this.counts;
    const total = c.error + c.warning + c.info + c.hint;
    const restricted = this.ignored.length > 0;
    let text: string;
    switch (this.state) {
      case 'idle':
        text = '$(shield) relaylint';
        break;
      case 'starting':
        text = '$(loading~spin) relaylint: starting';
        break;
      case 'stopped':
        text = '$(error) relaylint: stopped';
        break;
      default:
        text = `$(shield) relaylint: ${total === 0 ? 'no findings' : plural(total, 'finding')}`;
    }
    if (restricted) text += ' $(workspace-untrusted)';
    this.item.text = text;

    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['workbench.trust.manage'] };
    md.appendMarkdown('**relaylint** ');
    md.appendMarkdown(
      this.state === 'running'
        ? 'language server running'
        : this.state === 'starting'
          ? 'language server starting'
          : this.state === 'stopped'
            ? 'language server stopped (see the output)'
            : 'waits for a Group Policy file',
    );
    md.appendMarkdown('\n\n');
    if (this.state === 'running') {
      md.appendMarkdown(
        `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info, ${plural(c.hint, 'hint')} in ${plural(c.files, 'file')} (open files)\n\n`,
      );
    }
    if (restricted) {
      md.appendMarkdown('$(workspace-untrusted) **Restricted Mode**: these folder settings and config files are ignored, so they cannot hide findings:\n\n');
      for (const s of this.ignored) {
        const where = vscode.workspace.asRelativePath(s.file);
        md.appendMarkdown(s.key === 'relaylint.json' ? `- config file ${codeSpan(where)} (not read)\n` : `- \`${s.key}\` (${codeSpan(where)})\n`);
      }
      md.appendMarkdown('\n[Manage Workspace Trust](command:workbench.trust.manage) to apply them.\n\n');
    }
    md.appendMarkdown('Click to open the relaylint output.');
    this.item.tooltip = md;
    this.item.backgroundColor =
      this.state === 'stopped'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : restricted
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.accessibilityInformation = {
      label: `${text.replace(/\$\([^)]*\)\s?/g, '').trim()}${restricted ? ', Restricted Mode ignores folder settings' : ''}`,
    };
    // Nothing to say before a Group Policy file is open (the extension also activates on any XML file).
    if (this.state === 'idle' && !restricted) this.item.hide();
    else this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.sub.dispose();
    this.item.dispose();
  }
}
