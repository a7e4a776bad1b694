/**
 * A small JSON-RPC client for the robustness suites: spawns the bundled language server
 * (`server/out/server.js --stdio`, built by `npm run build`) with extra node flags and environment
 * (the no-network preload), answers the requests a server sends to its client, and reads the
 * server's resident memory from /proc. (test/helpers/lsp-client.ts is the feature tests' client;
 * it cannot pass node flags, so this one exists.)
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CodeActionRequest,
  CompletionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DiagnosticRefreshRequest,
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
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';
import type {
  CodeAction,
  Command,
  CompletionItem,
  CompletionList,
  Diagnostic,
  Hover,
  InitializeResult,
  Position,
  ProtocolConnection,
  Range,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(resolve(dir, 'package.json')) || !existsSync(resolve(dir, 'server'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
})();

export const SERVER_JS = resolve(REPO_ROOT, 'server/out/server.js');
export const NO_NETWORK = resolve(REPO_ROOT, 'test/helpers/no-network.js');

export interface RobustStartOptions {
  /** Node flags before the script, e.g. ['--require', NO_NETWORK]. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  rootUri?: string;
}

export class RobustLsp {
  readonly logs: string[] = [];
  /** Diagnostics pushed by the server (for servers that push instead of being pulled). */
  readonly pushed = new Map<string, Diagnostic[]>();
  exitCode: number | null | undefined = undefined;
  exitSignal: NodeJS.Signals | null = null;
  initializeResult!: InitializeResult;

  private constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly conn: ProtocolConnection,
  ) {}

  static async start(options: RobustStartOptions = {}): Promise<RobustLsp> {
    if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build first`);
    const proc = spawn(process.execPath, [...(options.execArgv ?? []), SERVER_JS, '--stdio'], {
      stdio: 'pipe',
      env: { ...process.env, ...options.env },
    });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const client = new RobustLsp(proc, conn);
    proc.on('exit', (code, signal) => {
      client.exitCode = code;
      client.exitSignal = signal;
    });
    proc.stderr.on('data', (chunk: Buffer) => client.logs.push(`stderr: ${chunk.toString()}`));
    conn.onNotification(LogMessageNotification.type, (p) => {
      client.logs.push(p.message);
    });
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      client.pushed.set(p.uri, p.diagnostics);
    });
    conn.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => (item.section === 'relaylint' ? {} : null)));
    conn.onRequest(RegistrationRequest.type, () => undefined);
    conn.onRequest(DiagnosticRefreshRequest.type, () => undefined);
    conn.onRequest(ShowDocumentRequest.type, () => ({ success: true }));
    conn.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    conn.onError(() => undefined);
    conn.onClose(() => undefined);
    conn.listen();
    const rootUri = options.rootUri ?? null;
    client.initializeResult = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'root' }] : null,
      initializationOptions: { docsBase: 'file:///docs/rules/' },
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, diagnostics: { refreshSupport: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true },
          completion: { completionItem: { snippetSupport: false } },
        },
        window: { showDocument: { support: true }, workDoneProgress: true },
      },
    });
    await conn.sendNotification(InitializedNotification.type, {});
    return client;
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

  open(uri: string, languageId: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async diagnostics(uri: string): Promise<Diagnostic[]> {
    const report = await this.conn.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    return report.kind === 'full' ? report.items : [];
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<(CodeAction | Command)[]> {
    return (await this.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics } })) ?? [];
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const r: CompletionItem[] | CompletionList | null = await this.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
    if (!r) return [];
    return Array.isArray(r) ? r : r.items;
  }

  sendRequest<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  get alive(): boolean {
    return this.exitCode === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
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

  /** shutdown + exit; resolves with the exit code (killed after 5 s). */
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
    await new Promise<void>((r) => {
      if (!this.alive) return r();
      const timer = setTimeout(() => {
        this.proc.kill();
        r();
      }, 5000);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        r();
      });
    });
    this.conn.dispose();
    return this.proc.exitCode;
  }
}
