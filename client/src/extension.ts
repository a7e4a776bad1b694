/**
 * The relaylint VS Code client: starts the bundled language server over IPC and adds the few
 * things only the editor can do (open a rule's documentation page, the read-only Registry.pol
 * view, restart). Everything about rules lives in the server.
 *
 * The server starts lazily, when the first document it serves is open: the extension activates on
 * XML files (Group Policy XML is plain XML to VS Code), but an unrelated XML workspace costs one
 * cheap activation and no server process.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { DocumentSelector, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

// Shared with server/src/lsp/protocol.ts (the client must not import from server/); test/lsp checks they agree.
const CLIENT_ID = 'relaylint';
const CLIENT_NAME = 'relaylint';
const POL_SCHEME = 'relaylint-pol';
const POL_TEXT_REQUEST = 'relaylint/polText';
const CMD_SHOW_DOCUMENTATION = 'relaylint.showDocumentation';
const CMD_OPEN_POL = 'relaylint.openPolAsText';
const CMD_RESTART = 'relaylint.restartServer';
const SERVER_MODULE = 'server/out/server.js';
const DEBUG_PORT = 6011;

/**
 * Documents the server looks at. Group Policy XML stays in the XML language and is picked by
 * path; the server also checks the root element and ignores any other XML that matches.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { language: 'reg' },
  { language: 'secedit-inf' },
  { pattern: '**/{Preferences,preferences,PREFERENCES}/{Registry,registry,REGISTRY}/*.{xml,XML}' },
  { pattern: '**/{Registry,registry,REGISTRY}.{xml,XML}' },
  { pattern: '**/{gpreport,GPReport,GpReport,GPREPORT}*.{xml,XML}' },
  { pattern: '**/*{rsop,RSoP,Rsop,RSOP}*.{xml,XML}' },
  { scheme: POL_SCHEME },
];

let client: LanguageClient | undefined;
let starting: Promise<LanguageClient> | undefined;

function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath(SERVER_MODULE);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', `--inspect=${DEBUG_PORT}`] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    initializationOptions: {
      docsBase: `${vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules').toString()}/`,
      clientHandlesShowDocumentation: true,
    },
    diagnosticPullOptions: { onChange: true, onSave: true },
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

async function ensureStarted(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<LanguageClient> {
  if (client) return client;
  starting ??= (async () => {
    const c = createClient(context, output);
    await c.start();
    client = c;
    return c;
  })().finally(() => {
    starting = undefined;
  });
  return starting;
}

function served(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(DOCUMENT_SELECTOR as vscode.DocumentSelector, doc) > 0;
}

/** `relaylint.showDocumentation [ruleId, href]`: the bundled page in the Markdown preview. */
async function showDocumentation(context: vscode.ExtensionContext, ruleId?: unknown, href?: unknown): Promise<void> {
  const docsDir = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules');
  let target: vscode.Uri | undefined;
  if (typeof href === 'string') target = vscode.Uri.parse(href);
  else if (typeof ruleId === 'string') target = vscode.Uri.joinPath(docsDir, `${ruleId}.md`);
  else {
    const entries = await vscode.workspace.fs.readDirectory(docsDir);
    const ids = entries.filter(([name]) => name.endsWith('.md')).map(([name]) => name.slice(0, -3)).sort();
    const pick = await vscode.window.showQuickPick(ids, { placeHolder: 'relaylint rule' });
    if (!pick) return;
    target = vscode.Uri.joinPath(docsDir, `${pick}.md`);
  }
  if (target.scheme === 'http' || target.scheme === 'https') {
    await vscode.env.openExternal(target);
    return;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', target);
  } catch {
    await vscode.window.showTextDocument(target, { preview: true });
  }
}

/** The URI of the file an editor-title or explorer action was invoked on. */
function invokedUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab && typeof tab === 'object' && 'uri' in tab && (tab as { uri: unknown }).uri instanceof vscode.Uri) return (tab as { uri: vscode.Uri }).uri;
  return vscode.window.activeTextEditor?.document.uri;
}

/** `relaylint.openPolAsText`: open the read-only text view of a Registry.pol. */
async function openPolAsText(arg: unknown): Promise<void> {
  const uri = invokedUri(arg);
  if (!uri) {
    void vscode.window.showInformationMessage('relaylint: open or select a Registry.pol file first.');
    return;
  }
  const view = vscode.Uri.from({ scheme: POL_SCHEME, path: uri.path, query: uri.toString() });
  await vscode.window.showTextDocument(view, { preview: false });
}

class PolContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private watcher: vscode.FileSystemWatcher | undefined;

  constructor(private readonly start: () => Promise<LanguageClient>) {}

  /** Re-render open views when their .pol file changes on disk (a GPO edit, a new backup). */
  private watch(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.{pol,POL,Pol}');
    const refresh = (file: vscode.Uri) => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === POL_SCHEME && doc.uri.query === file.toString()) this.changed.fire(doc.uri);
      }
    };
    this.watcher.onDidChange(refresh);
    this.watcher.onDidCreate(refresh);
  }

  dispose(): void {
    this.watcher?.dispose();
    this.changed.dispose();
  }

  async provideTextDocumentContent(view: vscode.Uri): Promise<string> {
    this.watch();
    const original = vscode.Uri.parse(view.query, true);
    const bytes = await vscode.workspace.fs.readFile(original);
    const c = await this.start();
    const result = await c.sendRequest<{ viewUri: string; text: string }>(POL_TEXT_REQUEST, {
      uri: original.toString(),
      base64: Buffer.from(bytes).toString('base64'),
    });
    return result.text;
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('relaylint', { log: true });
  const start = () => ensureStarted(context, output);
  const polProvider = new PolContentProvider(start);
  const startIfServed = (doc: vscode.TextDocument) => {
    if (served(doc)) void start().catch((err: unknown) => output.appendLine(`relaylint: the server did not start: ${String(err)}`));
  };

  context.subscriptions.push(
    output,
    vscode.commands.registerCommand(CMD_SHOW_DOCUMENTATION, (ruleId?: unknown, href?: unknown) => showDocumentation(context, ruleId, href)),
    vscode.commands.registerCommand(CMD_OPEN_POL, (arg?: unknown) => openPolAsText(arg)),
    vscode.commands.registerCommand(CMD_RESTART, async () => {
      if (client) await client.restart();
      else await start();
    }),
    polProvider,
    vscode.workspace.registerTextDocumentContentProvider(POL_SCHEME, polProvider),
    vscode.workspace.onDidOpenTextDocument(startIfServed),
  );
  for (const doc of vscode.workspace.textDocuments) startIfServed(doc);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
