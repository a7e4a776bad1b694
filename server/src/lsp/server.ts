/**
 * The relaylint language server: a thin adapter from LSP to the pure core in ../core.
 *
 * Transport: IPC when started by the VS Code client (`--node-ipc`), `--stdio` for Neovim, Helix,
 * Emacs and the LSP tests (see docs/editors.md). Console output goes to the connection, so nothing
 * stray ever reaches stdout. Diagnostics use the pull model (`textDocument/diagnostic`), with a
 * `workspace/diagnostic/refresh` when settings change; only a client that cannot pull gets them
 * pushed instead (never both). Every handler is guarded: a malformed document or an internal error
 * is logged and answered, never fatal.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import type { CodeAction, Diagnostic, DocumentDiagnosticReport, InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions, fixAllUri, resolveFixAll } from './codeActions';
import { EditorConfig } from './config';
import type { EffectiveSettings } from './config';
import { diagnosticsFor } from './diagnostics';
import { DomainModel, domainBudget } from './domain';
import type { DomainInputs } from './domain';
import { configLocations } from '../configLoader';
import { DocumentModel } from './documents';
import { completion, hover } from './features';
import { ensurePolView, PolError, polText } from './pol';
import type { ExposureScopeParams, InitializationOptions, PolTextParams } from './protocol';
import { Commands, DidGrantWorkspaceTrustNotification, DomainChangedNotification, ExposureRequest, ExposureScopeRequest, FIX_ALL_KIND, polOriginal, PolTextRequest, PostureRequest, SOURCE } from './protocol';
import { SettingsStore } from './settings';

const stdio = stdioTransport();
const connection = stdio ? createConnection(ProposedFeatures.all, stdio[0], stdio[1]) : createConnection(ProposedFeatures.all);

/**
 * With --stdio the reader is ours, so a framing error (a header without Content-Length, a body that
 * is not JSON) is noticed: the stream cannot be trusted to be in step again, so the server says why
 * on stderr and exits; the client sees the exit and restarts it (VS Code does, Neovim and Emacs
 * report it). Other transports are left to the library.
 */
function stdioTransport(): [StreamMessageReader, StreamMessageWriter] | undefined {
  if (!process.argv.includes('--stdio')) return undefined;
  const reader = new StreamMessageReader(process.stdin);
  const writer = new StreamMessageWriter(process.stdout);
  reader.onError((err) => {
    process.stderr.write(`relaylint language server: unreadable message from the client (${err.message.split('\n')[0]}); exiting so that the client restarts the server\n`);
    process.exit(1);
  });
  return [reader, writer];
}

// stdout may be the transport (--stdio): route every console call to the client's log.
const log = (level: 'log' | 'info' | 'warn' | 'error') => (...args: unknown[]) =>
  connection.console[level](args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
console.log = log('log');
console.info = log('info');
console.debug = log('log');
console.warn = log('warn');
console.error = log('error');

process.on('uncaughtException', (err) => console.error('relaylint: uncaught exception:', err));
process.on('unhandledRejection', (err) => console.error('relaylint: unhandled rejection:', err instanceof Error ? err : String(err)));

const documents = new TextDocuments(TextDocument);
const model = new DocumentModel();

/** Per-connection state decided at initialize time (capabilities, not settings). */
const client = {
  /** The client pulls diagnostics (textDocument/diagnostic); otherwise they are pushed. */
  pull: true,
  configuration: false,
  dynamicConfiguration: false,
  refresh: false,
  docsBase: undefined as string | undefined,
  /** The client resolves a code action's edit later: the quick-fix "Fix all" is computed only when chosen. */
  resolveFixAll: false,
  /** The client can watch files for us (config files created, changed or deleted). */
  watchFiles: false,
  /** The client takes LSP 3.18 snippet edits in workspace edits. */
  snippetEdits: false,
  /** Workspace folders as file system paths (a relative relaylint.configFile is resolved against them). */
  folders: [] as string[],
};
const settings = new SettingsStore(connection, () => client.configuration);
const editorConfig = new EditorConfig(
  (m) => connection.console.info(m),
  () => client.folders,
);

declare const RELAYLINT_VERSION: string | undefined;
const VERSION = typeof RELAYLINT_VERSION === 'string' ? RELAYLINT_VERSION : '0.0.0-dev';

/**
 * What the domain model reads: the workspace folders, the topology and evidence paths of the
 * settings and of the config file that applies to each folder (neither in an untrusted workspace:
 * there the settings come from their defaults and no config file is read), and the role and target
 * OS of the first folder.
 */
async function domainInputs(): Promise<DomainInputs> {
  const topology: string[] = [];
  const evidence: string[] = [];
  let lint: DomainInputs['lint'] = { role: 'any', targetOs: 'legacy' };
  for (const [i, folder] of client.folders.entries()) {
    const probe = pathToFileURL(join(folder, '.relaylint-probe')).href;
    const s = await effectiveSettings(probe);
    if (i === 0) lint = { role: s.role, targetOs: s.targetOs };
    if (!editorConfig.trusted) continue;
    const abs = (p: string) => (isAbsolute(p) ? p : resolve(folder, p));
    topology.push(...s.topology.map(abs));
    evidence.push(...s.evidence.map(abs));
    const loc = configLocations(editorConfig.configFor(probe, s));
    topology.push(...loc.topology);
    evidence.push(...loc.evidence);
  }
  return { folders: [...client.folders], topology: [...new Set(topology)], evidence: [...new Set(evidence)], lint, windowDays: 30, trusted: editorConfig.trusted, budget: BUDGET };
}

/** What one pass of the workspace model may read and keep (domain.ts DOMAIN_BUDGET, or the environment's). */
const BUDGET = domainBudget();

const domain = new DomainModel(
  domainInputs,
  (before, after) => {
    void connection.sendNotification(DomainChangedNotification).catch(() => undefined);
    // Diagnostics and hovers change only where the effective policy is (or was) known.
    if (before?.effective || after.effective) refreshDiagnostics();
  },
  (m) => connection.console.info(m),
  // Open documents count with their current text, through the parse their diagnostics use.
  (p) => {
    const uri = openFiles.get(p);
    const doc = uri ? documents.get(uri) : undefined;
    return doc ? model.parsed(doc) : undefined;
  },
);

/** Open `file:` documents by file system path (what the domain model asks for). */
const openFiles = new Map<string, string>();

/** The file system path of a `file:` document (not of a Registry.pol view: the model reads .pol files itself). */
function filePathOf(uri: string): string | undefined {
  return uri.startsWith('file:') ? fsPathOf(uri) : undefined;
}

/** The file system path of a document (the original file of a Registry.pol view), or undefined. */
function fsPathOf(uri: string): string | undefined {
  const u = polOriginal(uri) ?? uri;
  if (!u.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(u);
  } catch {
    return undefined;
  }
}

/** Editor settings for a document with its config file merged in. */
async function effectiveSettings(uri: string): Promise<EffectiveSettings> {
  const scope = scopeOf(uri);
  return editorConfig.effective(scope, await settings.get(scope));
}

/** Diagnostics of every open document are stale: have them pulled again, or push them again. */
function refreshDiagnostics(): void {
  if (!client.pull) for (const doc of documents.all()) schedulePush(doc.uri, 0);
  else if (client.refresh) void connection.languages.diagnostics.refresh().catch((err) => console.error('relaylint: diagnostic refresh failed:', err));
}

/** The bundled docs/rules folder next to server/out, when there is one (a clone or the .vsix). */
function localDocsBase(): string | undefined {
  const dir = resolve(__dirname, '..', '..', 'docs', 'rules');
  return existsSync(dir) ? `${pathToFileURL(dir).href}/` : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** Run a handler; on any error log it and answer with `fallback`. */
function guard<P extends unknown[], R>(name: string, fallback: R, fn: (...args: P) => R | Promise<R>): (...args: P) => Promise<R> {
  return async (...args: P) => {
    try {
      return await fn(...args);
    } catch (err) {
      console.error(`relaylint: ${name} failed: ${describe(err)}`);
      return fallback;
    }
  };
}

/** The URI whose settings apply: a .pol view takes the settings of its file. */
function scopeOf(uri: string): string {
  return polOriginal(uri) ?? uri;
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const caps = params.capabilities;
  client.pull = !!caps.textDocument?.diagnostic;
  client.configuration = !!caps.workspace?.configuration;
  client.dynamicConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
  client.refresh = !!caps.workspace?.diagnostics?.refreshSupport;
  client.resolveFixAll = !!caps.textDocument?.codeAction?.resolveSupport?.properties?.includes('edit');
  client.watchFiles = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
  client.snippetEdits = !!(caps.workspace?.workspaceEdit as { snippetEditSupport?: boolean } | undefined)?.snippetEditSupport;
  const init = (params.initializationOptions ?? {}) as InitializationOptions;
  editorConfig.trusted = init.workspaceTrusted !== false;
  const folderUris = params.workspaceFolders?.length ? params.workspaceFolders.map((f) => f.uri) : params.rootUri ? [params.rootUri] : [];
  client.folders = folderUris.flatMap((u) => {
    try {
      return u.startsWith('file:') ? [fileURLToPath(u)] : [];
    } catch {
      return [];
    }
  });
  client.docsBase = typeof init.docsBase === 'string' && init.docsBase ? init.docsBase : localDocsBase();
  const result: InitializeResult = {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], ...(client.resolveFixAll ? { resolveProvider: true } : {}) },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['=', '\\', '"', '['], resolveProvider: false },
    },
    serverInfo: { name: 'relaylint' },
  };
  if (client.pull) result.capabilities.diagnosticProvider = { identifier: SOURCE, interFileDependencies: false, workspaceDiagnostics: false };
  if (!init.clientHandlesShowDocumentation) result.capabilities.executeCommandProvider = { commands: [Commands.showDocumentation] };
  return result;
});

connection.onInitialized(() => {
  if (client.configuration && client.dynamicConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'relaylint' }).catch((err) => console.error('relaylint: register failed:', err));
  }
  if (client.watchFiles) {
    // Config files, and the files of the workspace domain model (GPO exports, topology, event logs).
    void connection.client
      .register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/relaylint.json' }, { globPattern: '**/package.json' }, { globPattern: '**/*.{inf,reg,xml,pol,ldf,ldif,json,zip,evtx,csv,INF,REG,XML,POL}' }],
      })
      .catch((err) => console.error('relaylint: register failed:', err));
  }
  if (!editorConfig.trusted) console.info('relaylint: the workspace is not trusted: config files are not read until it is.');
  domain.schedule();
});

connection.onDidChangeWatchedFiles(
  guard('didChangeWatchedFiles', undefined, () => {
    editorConfig.changed();
    refreshDiagnostics();
    domain.schedule();
  }),
);

connection.onNotification(
  DidGrantWorkspaceTrustNotification,
  guard('didGrantWorkspaceTrust', undefined, () => {
    if (editorConfig.trusted) return;
    editorConfig.trusted = true;
    editorConfig.changed();
    console.info('relaylint: the workspace is now trusted: config files apply.');
    refreshDiagnostics();
    domain.schedule();
  }),
);

connection.onDidChangeConfiguration(
  guard('didChangeConfiguration', undefined, (params) => {
    settings.changed(params.settings);
    editorConfig.changed();
    refreshDiagnostics();
    domain.schedule();
  }),
);

/** The diagnostics of one open document; never throws (an internal error becomes one diagnostic). */
async function computeDiagnostics(doc: TextDocument): Promise<Diagnostic[]> {
  try {
    if (polOriginal(doc.uri)) await ensurePolView(model, doc.uri);
    const parsed = await model.parsed(doc);
    if (!parsed) return [];
    const s = await effectiveSettings(doc.uri);
    const out = diagnosticsFor(doc, parsed, s, client.docsBase);
    const p = fsPathOf(doc.uri);
    return p ? domain.annotate(p, doc.getText(), out) : out;
  } catch (err) {
    console.error(`relaylint: diagnostics for ${doc.uri} failed: ${describe(err)}`);
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Warning,
        source: SOURCE,
        message: 'relaylint could not check this document because of an internal error; the details are in the relaylint output.',
      },
    ];
  }
}

// Push model, only for clients that cannot pull (older editors): debounced per document.
const PUSH_DELAY_MS = 200;
const pushTimers = new Map<string, NodeJS.Timeout>();

function schedulePush(uri: string, delay = PUSH_DELAY_MS): void {
  clearTimeout(pushTimers.get(uri));
  pushTimers.set(
    uri,
    setTimeout(() => {
      pushTimers.delete(uri);
      const doc = documents.get(uri);
      if (!doc) return;
      void computeDiagnostics(doc).then((diagnostics) => {
        // Drop a result that an edit made in the meantime has overtaken.
        if (documents.get(uri)?.version === doc.version) void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
      });
    }, delay),
  );
}

documents.onDidOpen((e) => {
  try {
    model.opened(e.document.uri);
    const p = filePathOf(e.document.uri);
    if (p) openFiles.set(p, e.document.uri);
    // A config file may have appeared since the last lookup (clients without file watching).
    editorConfig.changed();
    if (polOriginal(e.document.uri)) void ensurePolView(model, e.document.uri);
  } catch (err) {
    console.error(`relaylint: open ${e.document.uri} failed: ${describe(err)}`);
  }
});

documents.onDidChangeContent((e) => {
  if (!client.pull) schedulePush(e.document.uri);
  // Also on open: unsaved edits count in the workspace model.
  const p = filePathOf(e.document.uri);
  if (p) domain.documentChanged(p, e.document.getText());
});

documents.onDidSave((e) => {
  // Clients without file watching: a saved export changes the workspace model.
  if (fsPathOf(e.document.uri)) domain.schedule();
});

documents.onDidClose((e) => {
  model.closed(e.document.uri);
  const p = filePathOf(e.document.uri);
  if (p && openFiles.get(p) === e.document.uri) {
    openFiles.delete(p);
    // Its unsaved edits are gone: the model goes back to the file on disk.
    domain.documentChanged(p, undefined);
  }
  settings.forget(e.document.uri);
  if (!client.pull) {
    clearTimeout(pushTimers.get(e.document.uri));
    pushTimers.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  }
});

connection.languages.diagnostics.on(async (params): Promise<DocumentDiagnosticReport> => {
  const doc = documents.get(params.textDocument.uri);
  return { kind: DocumentDiagnosticReportKind.Full, items: doc ? await computeDiagnostics(doc) : [] };
});

connection.onCodeAction(
  guard('codeAction', [], async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const parsed = await model.parsed(doc);
    if (!parsed) return [];
    const s = await effectiveSettings(doc.uri);
    return codeActions({ params, doc, parsed, settings: s, docsBase: client.docsBase, snippets: client.snippetEdits, deferFixAll: client.resolveFixAll });
  }),
);

connection.onCodeActionResolve(
  guard('codeActionResolve', null as unknown as CodeAction, async (action: CodeAction) => {
    const uri = fixAllUri(action);
    const doc = uri ? documents.get(uri) : undefined;
    if (!doc) return action;
    const parsed = await model.parsed(doc);
    if (!parsed) return action;
    return resolveFixAll(action, { doc, parsed, settings: await effectiveSettings(doc.uri), docsBase: client.docsBase, snippets: client.snippetEdits });
  }),
);

connection.onHover(
  guard('hover', null, async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const parsed = await model.parsed(doc);
    if (!parsed) return null;
    const s = await effectiveSettings(doc.uri);
    const h = hover(doc, parsed, params.position, s, client.docsBase);
    const p = fsPathOf(doc.uri);
    const lines = h && p ? domain.hoverLines(p, doc.getText(), params.position) : [];
    if (h && lines.length && typeof h.contents === 'object' && 'value' in h.contents) h.contents.value += `\n\n---\n\n${lines.join('  \n')}`;
    return h;
  }),
);

connection.onCompletion(
  guard('completion', [], async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const parsed = await model.parsed(doc);
    if (!parsed) return [];
    return completion(doc, parsed, params.position);
  }),
);

connection.onExecuteCommand(
  guard('executeCommand', null, async (params) => {
    if (params.command !== Commands.showDocumentation) return null;
    const href = params.arguments?.[1];
    if (typeof href !== 'string') return null;
    await connection.window.showDocument({ uri: href, external: !href.startsWith('file:') });
    return null;
  }),
);

connection.onRequest(PolTextRequest, async (params: PolTextParams) => {
  try {
    return await polText(model, params);
  } catch (err) {
    console.error(`relaylint: ${PolTextRequest} failed: ${describe(err)}`);
    const message = err instanceof PolError ? err.message : `Could not read the Registry.pol: ${err instanceof Error ? err.message : String(err)}`;
    throw new ResponseError(ErrorCodes.InvalidParams, message);
  }
});

connection.onRequest(ExposureRequest, async () => {
  try {
    return await domain.exposure();
  } catch (err) {
    console.error(`relaylint: ${ExposureRequest} failed: ${describe(err)}`);
    return { available: false, reason: 'relaylint could not compute the exposure because of an internal error; the details are in the relaylint output.', scopes: [] };
  }
});

connection.onRequest(ExposureScopeRequest, async (params: ExposureScopeParams) => {
  try {
    return await domain.exposureScope(params);
  } catch (err) {
    console.error(`relaylint: ${ExposureScopeRequest} failed: ${describe(err)}`);
    throw new ResponseError(ErrorCodes.InternalError, 'relaylint could not list the rules of this scope because of an internal error; the details are in the relaylint output.');
  }
});

connection.onRequest(PostureRequest, async () => {
  try {
    return await domain.posture(VERSION, new Date());
  } catch (err) {
    console.error(`relaylint: ${PostureRequest} failed: ${describe(err)}`);
    throw new ResponseError(ErrorCodes.InternalError, 'relaylint could not build the posture page; the details are in the relaylint output.');
  }
});

connection.onShutdown(() => domain.dispose());

documents.listen(connection);
connection.listen();
