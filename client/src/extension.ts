/**
 * The relaylint VS Code client: starts the bundled language server over IPC and adds the few
 * things only the editor can do (the rendered rule documentation, the read-only Registry.pol
 * view, restart, Restricted Mode, the output channel and the status item, the Relay exposure view
 * and the posture webview). Everything about rules and the domain lives in the server.
 *
 * The server starts lazily, when the first document it serves is open. Every `.xml` file on disk is
 * handed to the server, which decides from the content whether it is Group Policy XML and stays
 * silent on any other XML.
 */
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind } from 'vscode-languageclient/node';
import type { DocumentSelector, LanguageClientOptions, Middleware, ServerOptions } from 'vscode-languageclient/node';
import { ExposureProvider, openLocation } from './exposureView';
import type { ExposureResult, ExposureScopeResult, InitializationOptions, LspRange, PolTextParams, PolTextResult, PostureResult } from './generated/wire';
import { Commands, DidGrantWorkspaceTrustNotification, DomainChangedNotification, ExposureRequest, ExposureScopeRequest, POL_SCHEME, PolTextRequest, PostureRequest } from './generated/wire';
import { PosturePanel } from './postureView';
import { DOCS_BASE, DOCS_SCHEME, DocsFileSystem, interceptDocsTabs, ruleOfDocsUri, rewriteDocLinks, showRulePreview } from './docs';
import { GENERATED_DOCUMENT_SELECTOR } from './generated/formats';
import { StatusItem } from './status';
import { TraceChannel } from './trace';
import { ignoredSettings, parseJsonc, restrictedSettings, scanSettingsFiles } from './trust';
import type { IgnoredSetting } from './trust';

const CLIENT_ID = 'relaylint';
const CLIENT_NAME = 'relaylint';
// Names shared with the language server come from the generated copy of server/src/lsp/wire.ts.
const CMD_OPEN_POL = 'relaylint.openPolAsText';
const CMD_RESTART = 'relaylint.restartServer';
const CMD_SHOW_OUTPUT = 'relaylint.showOutput';
const CMD_SHOW_POSTURE = 'relaylint.showPosture';
const CMD_REFRESH_EXPOSURE = 'relaylint.refreshExposure';
/** Internal (not in the palette): opens a deciding line `[uri, range]` from the exposure view. */
const CMD_OPEN_DECIDING_LINE = 'relaylint.openDecidingLine';
const EXPOSURE_VIEW = 'relaylint.exposure';
const CONFIG_FILE_GLOB = '**/relaylint.json';
const SERVER_MODULE = 'server/out/server.js';
const DEBUG_PORT = 6011;

/**
 * Documents the server looks at, generated from the core's format providers (`npm run gen`).
 * Every `.xml` file on disk goes to the server (a GPO report may be saved under any name); the
 * server reads its root element and ignores XML that is not Group Policy. Outside the file scheme,
 * Group Policy XML is picked by path. The Registry.pol view is the `relaylint-pol:` scheme.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = GENERATED_DOCUMENT_SELECTOR.map((f) => ({ ...f }) as DocumentSelector[number]);

let client: LanguageClient | undefined;
let starting: Promise<LanguageClient> | undefined;

/** Hover links to rule pages become command links (hovers drop links of unknown schemes). */
const middleware: Middleware = {
  async provideHover(document, position, token, next) {
    const hover = await next(document, position, token);
    if (!hover) return hover;
    const contents = hover.contents.map((c) => {
      if (!(c instanceof vscode.MarkdownString)) return c;
      const rewritten = rewriteDocLinks(c.value);
      if (rewritten === undefined) return c;
      const md = new vscode.MarkdownString(rewritten, c.supportThemeIcons);
      md.supportHtml = c.supportHtml;
      md.isTrusted = { enabledCommands: [Commands.showDocumentation] };
      return md;
    });
    return new vscode.Hover(contents, hover.range);
  },
};

function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, trace: TraceChannel): LanguageClient {
  const module = context.asAbsolutePath(SERVER_MODULE);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', `--inspect=${DEBUG_PORT}`] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    traceOutputChannel: trace,
    // A function: a restart after the user trusted the folder sends the new state.
    initializationOptions: (): InitializationOptions => ({
      docsBase: DOCS_BASE,
      clientHandlesShowDocumentation: true,
      workspaceTrusted: vscode.workspace.isTrusted,
    }),
    diagnosticPullOptions: { onChange: true, onSave: true },
    middleware,
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

interface Session {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  trace: TraceChannel;
  status: StatusItem;
  /** `relaylint/domainChanged` arrived. */
  onDomainChanged: () => void;
}

async function ensureStarted(s: Session): Promise<LanguageClient> {
  if (client) return client;
  starting ??= (async () => {
    const c = createClient(s.context, s.output, s.trace);
    c.onNotification(DomainChangedNotification, () => s.onDomainChanged());
    c.onDidChangeState((e) => {
      if (e.newState === State.Running) s.status.setState('running');
      else if (e.newState === State.Starting) s.status.setState('starting');
      else {
        s.status.setState('stopped');
        s.output.info('language server stopped');
      }
    });
    s.output.info(`starting the language server (${SERVER_MODULE}, IPC; workspace trusted: ${vscode.workspace.isTrusted ? 'yes' : 'no'})`);
    s.status.setState('starting');
    try {
      await c.start();
    } catch (err) {
      s.status.setState('stopped');
      throw err;
    }
    const info = c.initializeResult?.serverInfo;
    s.output.info(`language server started: ${info?.name ?? 'relaylint'}${info?.version ? ` ${info.version}` : ''}`);
    s.status.setState('running');
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

/**
 * `relaylint.showDocumentation [ruleId, href]`: the rule's page, rendered and read-only (Markdown
 * preview of a `relaylint-docs:` virtual document). Without arguments, pick a rule.
 */
async function showDocumentation(docs: DocsFileSystem, ruleId?: unknown, href?: unknown): Promise<void> {
  let id = typeof href === 'string' ? ruleOfDocsUri(href) : undefined;
  if (!id && typeof ruleId === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ruleId)) id = ruleId;
  if (!id && typeof href === 'string' && /^https?:/i.test(href)) {
    await vscode.env.openExternal(vscode.Uri.parse(href));
    return;
  }
  if (!id) {
    id = await vscode.window.showQuickPick(await docs.ruleIds(), { placeHolder: 'relaylint rule' });
    if (!id) return;
  }
  await showRulePreview(id);
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
    const params: PolTextParams = { uri: original.toString(), base64: Buffer.from(bytes).toString('base64') };
    const result = await c.sendRequest<PolTextResult>(PolTextRequest, params);
    return result.text;
  }
}

/** Every relaylint setting's effective value for one scope, as JSON text (for the change log). */
function snapshot(keys: readonly string[], scope: vscode.Uri | undefined): Map<string, string> {
  const cfg = vscode.workspace.getConfiguration(undefined, scope);
  const out = new Map<string, string>();
  for (const k of keys) out.set(k, JSON.stringify(cfg.get(k)) ?? 'undefined');
  return out;
}

function settingKeys(context: vscode.ExtensionContext): string[] {
  const conf = (context.extension.packageJSON as { contributes?: { configuration?: unknown } }).contributes?.configuration;
  const list = Array.isArray(conf) ? conf : conf ? [conf] : [];
  return list.flatMap((c: { properties?: Record<string, unknown> }) => Object.keys(c.properties ?? {})).filter((k) => k.startsWith('relaylint.')).sort();
}

/** Scopes whose settings can differ: each workspace folder, or the window when no folder is open. */
function scopes(): { label: string; uri: vscode.Uri | undefined }[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  return folders.length ? folders.map((f) => ({ label: f.name, uri: f.uri })) : [{ label: 'window', uri: undefined }];
}

/**
 * Logs the workspace settings files that set relaylint settings, the relaylint.json files, and the
 * folder settings Restricted Mode ignores. Each group is logged at start and then only when it changes.
 */
class ConfigFilesLog {
  private last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly restricted: readonly string[],
    private readonly onIgnored: (ignored: IgnoredSetting[]) => void,
  ) {}

  /** Debounced refresh (a save fires several file events). */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().catch((err: unknown) => this.output.error(`could not read the workspace settings files: ${String(err)}`));
    }, 200);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private emit(group: string, lines: { level: 'info' | 'warn'; text: string }[]): void {
    const key = lines.map((l) => l.text).join('\n');
    if (this.last.get(group) === key) return;
    this.last.set(group, key);
    for (const l of lines) this.output[l.level](l.text);
  }

  async refresh(): Promise<void> {
    const settingsLines = (await scanSettingsFiles()).map(({ file, keys }) => ({ level: 'info' as const, text: `settings file ${file.fsPath}: sets ${keys.join(', ')}` }));
    this.emit('settings', settingsLines);
    const unreadConfigs: IgnoredSetting[] = [];
    if (vscode.workspace.workspaceFolders?.length) {
      try {
        const uris = await vscode.workspace.findFiles(CONFIG_FILE_GLOB, '**/node_modules/**', 20);
        // a `relaylint` key in a package.json is a config file too
        for (const pj of await vscode.workspace.findFiles('**/package.json', '**/node_modules/**', 50)) {
          try {
            const obj = parseJsonc(Buffer.from(await vscode.workspace.fs.readFile(pj)).toString('utf8'));
            if (obj && 'relaylint' in obj) uris.push(pj);
          } catch {
            // unreadable: the server reports it when it matters
          }
        }
        if (!vscode.workspace.isTrusted) for (const file of uris) unreadConfigs.push({ key: 'relaylint.json', file });
        const found = uris.map((u) => u.fsPath).sort();
        const note = vscode.workspace.isTrusted ? '' : ' (not read: Restricted Mode)';
        this.emit(
          'config',
          found.length
            ? found.map((f) => ({ level: 'info' as const, text: `config file ${f}${f.endsWith('package.json') ? ' (relaylint key)' : ''}${note}` }))
            : [{ level: 'info', text: 'config files: no relaylint.json (or package.json with a relaylint key) in the workspace' }],
        );
      } catch {
        // findFiles is unavailable in some virtual workspaces
      }
    }
    const ignored = await ignoredSettings(this.restricted);
    const byFile = new Map<string, string[]>();
    for (const i of ignored) byFile.set(i.file.fsPath, [...(byFile.get(i.file.fsPath) ?? []), i.key]);
    this.emit(
      'ignored',
      [...byFile].map(([file, keys]) => ({ level: 'warn' as const, text: `Restricted Mode: ignoring ${keys.join(', ')} from ${file} (trust the folder to apply them)` })),
    );
    this.onIgnored([...ignored, ...unreadConfigs]);
  }
}

/** What activate returns: the two domain views, for the real-editor tests. */
export interface RelaylintApi {
  exposure: ExposureProvider;
  posture: PosturePanel;
}

export function activate(context: vscode.ExtensionContext): RelaylintApi {
  const output = vscode.window.createOutputChannel('relaylint', { log: true });
  const trace = new TraceChannel(output, CLIENT_ID);
  const status = new StatusItem(CLIENT_ID, CMD_SHOW_OUTPUT);
  // Created below, after the session they refresh from.
  const views: { exposure?: ExposureProvider; posture?: PosturePanel } = {};
  const session: Session = {
    context,
    output,
    trace,
    status,
    onDomainChanged: () => {
      views.exposure?.refresh();
      views.posture?.refresh();
    },
  };
  const start = () => ensureStarted(session);
  const openLine = (uri: string, range: LspRange) => openLocation(uri, range, POL_SCHEME);
  const exposure = (views.exposure = new ExposureProvider(
    async () => (await start()).sendRequest<ExposureResult>(ExposureRequest, {}),
    async (params) => (await start()).sendRequest<ExposureScopeResult>(ExposureScopeRequest, params),
    CMD_OPEN_DECIDING_LINE,
  ));
  const posture = (views.posture = new PosturePanel(async () => (await start()).sendRequest<PostureResult>(PostureRequest, {}), openLine, output));
  const exposureView = vscode.window.createTreeView(EXPOSURE_VIEW, { treeDataProvider: exposure, showCollapseAll: true });
  const polProvider = new PolContentProvider(start);
  const docsProvider = new DocsFileSystem(vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules'));
  const restricted = restrictedSettings(context);
  const keys = settingKeys(context);
  const startIfServed = (doc: vscode.TextDocument) => {
    if (served(doc)) void start().catch((err: unknown) => output.error(`the language server did not start: ${String(err)}`));
  };

  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  output.info(`relaylint ${version} (${vscode.env.appName} ${vscode.version}, extension host ${process.version})`);
  output.info(
    vscode.workspace.isTrusted
      ? 'workspace trusted: folder settings and config files apply'
      : `workspace not trusted (Restricted Mode): folder values of ${restricted.join(', ')} are ignored, and relaylint.json files are not read`,
  );
  let snapshots = new Map(scopes().map((sc) => [sc.label, snapshot(keys, sc.uri)]));
  for (const sc of scopes()) {
    const snap = snapshots.get(sc.label)!;
    const set = [...snap].filter(([k]) => {
      const i = vscode.workspace.getConfiguration(undefined, sc.uri).inspect(k);
      return i && (i.globalValue !== undefined || i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined);
    });
    output.info(`settings (${sc.label}): ${set.length ? set.map(([k, v]) => `${k}=${v}`).join(', ') : 'all defaults'}`);
  }
  const configLog = new ConfigFilesLog(output, restricted, (ignored) => status.setIgnored(ignored));
  const refreshIgnored = () => configLog.schedule();
  void configLog.refresh().catch((err: unknown) => output.error(`could not read the workspace settings files: ${String(err)}`));

  context.subscriptions.push(
    output,
    trace,
    status,
    configLog,
    vscode.commands.registerCommand(Commands.showDocumentation, (ruleId?: unknown, href?: unknown) => showDocumentation(docsProvider, ruleId, href)),
    vscode.commands.registerCommand(CMD_OPEN_POL, (arg?: unknown) => openPolAsText(arg)),
    vscode.commands.registerCommand(CMD_RESTART, async () => {
      output.info('restarting the language server');
      if (client) await client.restart();
      else await start();
    }),
    vscode.commands.registerCommand(CMD_SHOW_OUTPUT, () => output.show(true)),
    exposure,
    exposureView,
    posture,
    vscode.commands.registerCommand(CMD_REFRESH_EXPOSURE, () => exposure.refresh(true)),
    vscode.commands.registerCommand(CMD_SHOW_POSTURE, () => posture.show()),
    vscode.commands.registerCommand(CMD_OPEN_DECIDING_LINE, async (uri?: unknown, range?: unknown) => {
      if (typeof uri !== 'string') return;
      try {
        await openLine(uri, range as LspRange);
      } catch (err) {
        output.error(`could not open ${uri}: ${String(err)}`);
        void vscode.window.showErrorMessage(`relaylint: could not open the deciding line (${String(err)})`);
      }
    }),
    // the posture page follows the files; the exposure view waits for relaylint/domainChanged
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (served(doc)) posture.refresh();
    }),
    polProvider,
    vscode.workspace.registerTextDocumentContentProvider(POL_SCHEME, polProvider),
    vscode.workspace.registerFileSystemProvider(DOCS_SCHEME, docsProvider, { isReadonly: true, isCaseSensitive: true }),
    interceptDocsTabs(),
    vscode.workspace.onDidOpenTextDocument(startIfServed),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!keys.some((k) => e.affectsConfiguration(k))) return;
      const next = new Map(scopes().map((sc) => [sc.label, snapshot(keys, sc.uri)]));
      const multi = next.size > 1;
      for (const [label, snap] of next) {
        const before = snapshots.get(label);
        for (const [k, v] of snap) {
          const was = before?.get(k);
          if (was !== v) output.info(`setting changed${multi ? ` (${label})` : ''}: ${k} = ${v}${was === undefined ? '' : ` (was ${was})`}`);
        }
      }
      snapshots = next;
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      output.info('workspace trusted: folder settings and config files now apply');
      status.setIgnored([]); // nothing is ignored in a trusted workspace (the refresh below confirms it)
      refreshIgnored();
      // A server that is still starting may have been initialized as untrusted: tell it too.
      const c = client ?? (starting ? await starting.catch(() => undefined) : undefined);
      if (c) await c.sendNotification(DidGrantWorkspaceTrustNotification).catch((err: unknown) => output.error(`${DidGrantWorkspaceTrustNotification} failed: ${String(err)}`));
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => refreshIgnored()),
  );
  for (const glob of ['**/.vscode/settings.json', CONFIG_FILE_GLOB]) {
    const watcher = vscode.workspace.createFileSystemWatcher(glob);
    context.subscriptions.push(watcher, watcher.onDidChange(refreshIgnored), watcher.onDidCreate(refreshIgnored), watcher.onDidDelete(refreshIgnored));
  }
  const wsFile = vscode.workspace.workspaceFile;
  if (wsFile?.scheme === 'file') {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(wsFile, '..'), wsFile.path.split('/').pop()!));
    context.subscriptions.push(watcher, watcher.onDidChange(refreshIgnored));
  }
  for (const doc of vscode.workspace.textDocuments) startIfServed(doc);
  return { exposure, posture };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
