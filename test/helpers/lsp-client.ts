/**
 * A minimal LSP client for the tests: spawns the bundled server (`node server/out/server.js
 * --stdio`, built by `npm run build`) and speaks real JSON-RPC to it. It answers the requests a
 * server sends to its client (workspace/configuration, registrations, diagnostic refresh) the way
 * VS Code does, and records them so tests can assert on them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CompletionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DiagnosticRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowDocumentRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
} from 'vscode-languageserver-protocol/node';
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  Hover,
  InitializeResult,
  Position,
  ProtocolConnection,
  PublishDiagnosticsParams,
  Range,
  ShowDocumentParams,
  TextEdit,
  TextDocumentContentChangeEvent,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { REPO } from './cli';

/** The repository root (tests run from .test-out/test/…): the one finder in `cli.ts`. */
export const ROOT = REPO;

export const SERVER_JS = resolve(ROOT, 'server/out/server.js');
export const FIXTURES = resolve(ROOT, 'test/lsp/fixtures');
export const DOCS_BASE = 'file:///docs/rules/';

export function fixturePath(...parts: string[]): string {
  return resolve(FIXTURES, ...parts);
}

export function fixtureUri(...parts: string[]): string {
  return pathToFileURL(fixturePath(...parts)).href;
}

/** Read a fixture the way VS Code would show it: BOM removed, UTF-16LE or UTF-8 decoded. */
export function fixtureText(...parts: string[]): string {
  const bytes = readFileSync(fixturePath(...parts));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

export interface StartOptions {
  /** Settings answered to workspace/configuration, per scope URI (the function sees the scope). */
  settings?: (scopeUri: string | undefined) => unknown;
  initializationOptions?: unknown;
  /** Leave out the workspace/configuration capability (a client that pushes settings). */
  noConfiguration?: boolean;
  /** Leave out the textDocument/diagnostic capability (a client that only reads pushed diagnostics). */
  noPull?: boolean;
  /** Node flags before the server script, e.g. ['--require', NO_NETWORK]. */
  execArgv?: string[];
  /** Extra environment for the server process. */
  env?: NodeJS.ProcessEnv;
  /** Workspace root (default: the LSP fixtures folder). */
  rootUri?: string;
  /** Declare codeAction resolve support for `edit`, as VS Code does. */
  resolveCodeActions?: boolean;
  /** The client's `workspace.workspaceEdit` capabilities (e.g. `{ snippetEditSupport: true }`). */
  workspaceEdit?: Record<string, unknown>;
}

export class LspClient {
  readonly logs: string[] = [];
  readonly configurationRequests: (string | undefined)[] = [];
  readonly shownDocuments: ShowDocumentParams[] = [];
  refreshes = 0;
  /** publishDiagnostics notifications, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  private publishWaiters: { uri: string; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  exitCode: number | null | undefined = undefined;
  initializeResult!: InitializeResult;
  settings: (scopeUri: string | undefined) => unknown;
  private refreshWaiters: (() => void)[] = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();

  private constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly conn: ProtocolConnection,
    options: StartOptions,
  ) {
    this.settings = options.settings ?? (() => ({}));
  }

  static async start(options: StartOptions = {}): Promise<LspClient> {
    if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build first`);
    const proc = spawn(process.execPath, [...(options.execArgv ?? []), SERVER_JS, '--stdio'], {
      stdio: 'pipe',
      env: { ...process.env, ...options.env },
    });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const client = new LspClient(proc, conn, options);
    proc.on('exit', (code) => {
      client.exitCode = code;
    });
    proc.stderr.on('data', (chunk: Buffer) => client.logs.push(`stderr: ${chunk.toString()}`));
    conn.onNotification(LogMessageNotification.type, (p) => {
      client.logs.push(p.message);
    });
    conn.onRequest(ConfigurationRequest.type, (p) =>
      p.items.map((item) => {
        client.configurationRequests.push(item.scopeUri);
        return item.section === 'relaylint' ? client.settings(item.scopeUri) : null;
      }),
    );
    conn.onRequest(RegistrationRequest.type, () => undefined);
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      client.published.push(p);
      const waiting = client.publishWaiters.filter((w) => w.uri === p.uri);
      client.publishWaiters = client.publishWaiters.filter((w) => w.uri !== p.uri);
      for (const w of waiting) w.resolve(p);
    });
    conn.onRequest(DiagnosticRefreshRequest.type, () => {
      client.refreshes++;
      for (const w of client.refreshWaiters.splice(0)) w();
      return undefined;
    });
    conn.onRequest(ShowDocumentRequest.type, (p) => {
      client.shownDocuments.push(p);
      return { success: true };
    });
    conn.listen();
    client.initializeResult = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: options.rootUri ?? pathToFileURL(FIXTURES).href,
      workspaceFolders: [{ uri: options.rootUri ?? pathToFileURL(FIXTURES).href, name: 'root' }],
      initializationOptions: options.initializationOptions ?? { docsBase: DOCS_BASE },
      capabilities: {
        workspace: {
          configuration: !options.noConfiguration,
          didChangeConfiguration: { dynamicRegistration: true },
          diagnostics: { refreshSupport: true },
          ...(options.workspaceEdit ? { workspaceEdit: options.workspaceEdit } : {}),
        },
        textDocument: {
          ...(options.noPull ? {} : { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } }),
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
            isPreferredSupport: true,
            ...(options.resolveCodeActions ? { dataSupport: true, resolveSupport: { properties: ['edit'] } } : {}),
          },
          completion: { completionItem: { snippetSupport: false, labelDetailsSupport: true } },
        },
        window: { showDocument: { support: true } },
      },
    });
    await conn.sendNotification(InitializedNotification.type, {});
    return client;
  }

  async open(uri: string, languageId: string, text: string, version = 1): Promise<void> {
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  /** Replace the whole text (a full-content change, allowed under incremental sync). */
  async replace(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** Send content changes as they are (ranged or whole); the tracked text is dropped, the version kept. */
  async change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    this.versions.set(uri, version);
    this.texts.delete(uri);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
  }

  /** The sync kind the server asked for (Full or Incremental). */
  get syncKind(): TextDocumentSyncKind {
    const s = this.initializeResult.capabilities.textDocumentSync;
    if (typeof s === 'number') return s;
    return s?.change ?? TextDocumentSyncKind.None;
  }

  get pullsDiagnostics(): boolean {
    return !!this.initializeResult.capabilities.diagnosticProvider;
  }

  /** Resident memory of the server process in KB (VmRSS from /proc), or undefined off Linux. */
  rssKb(): number | undefined {
    try {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    this.texts.delete(uri);
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  text(uri: string): string {
    const t = this.texts.get(uri);
    if (t === undefined) throw new Error(`${uri} is not open`);
    return t;
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  async diagnostics(uri: string): Promise<Diagnostic[]> {
    const report = await this.conn.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    if (report.kind !== 'full') throw new Error(`expected a full report, got ${report.kind}`);
    return report.items;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const result = await this.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range,
      context: { diagnostics, ...(only ? { only } : {}) },
    });
    return (result ?? []) as CodeAction[];
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const r: CompletionItem[] | CompletionList | null = await this.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
    if (!r) return [];
    return Array.isArray(r) ? r : r.items;
  }

  async changeConfiguration(settings: (scopeUri: string | undefined) => unknown): Promise<void> {
    this.settings = settings;
    await this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** Resolves on the next publishDiagnostics notification for `uri`. */
  nextPublish(uri: string): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.publishWaiters.push({ uri, resolve }));
  }

  /** Resolves on the next workspace/diagnostic/refresh request from the server. */
  nextRefresh(): Promise<void> {
    return new Promise((r) => this.refreshWaiters.push(r));
  }

  sendRequest<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  get alive(): boolean {
    return this.exitCode === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** shutdown + exit; resolves with the exit code (the process is killed after 5 s). */
  async stop(): Promise<number | null> {
    try {
      if (this.alive) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        await this.conn.sendNotification(ExitNotification.type);
      }
    } catch {
      // already gone
    }
    const exited = new Promise<void>((r) => {
      if (!this.alive) r();
      else this.proc.once('exit', () => r());
    });
    const timer = setTimeout(() => this.proc.kill(), 5000);
    await exited;
    clearTimeout(timer);
    this.conn.dispose();
    return this.proc.exitCode;
  }
}

/** The text after applying a workspace edit to one document (the edit must be for `uri`, at `version`). */
export function applyWorkspaceEdit(text: string, uri: string, version: number, edit: WorkspaceEdit | undefined): string {
  if (!edit?.documentChanges) throw new Error('expected documentChanges');
  let out = text;
  for (const change of edit.documentChanges) {
    if (!('edits' in change)) throw new Error('expected a text document edit');
    if (change.textDocument.uri !== uri) throw new Error(`edit for ${change.textDocument.uri}, expected ${uri}`);
    if (change.textDocument.version !== version) throw new Error(`edit for version ${change.textDocument.version}, expected ${version}`);
    out = applyTextEdits(out, change.edits as TextEdit[]);
  }
  return out;
}

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const doc = TextDocument.create('file:///x', 'x', 0, text);
  return TextDocument.applyEdits(doc, edits);
}

/** A 0-based position from a 1-based line/column, as editors show them. */
export function pos(line: number, character: number): Position {
  return { line, character };
}
