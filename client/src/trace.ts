/**
 * `relaylint.trace.server` as documented: "messages" or "verbose" writes the LSP traffic to the
 * relaylint output channel.
 *
 * vscode-languageclient 11 traces only while the trace channel's *log level* is Trace (the setting
 * then just picks messages or verbose, and "off" counts as "messages"), so on its own the setting
 * does nothing at the default Info level. This channel is the client's `traceOutputChannel`: it
 * reports the Trace level while the setting is on (or the user set the output channel to Trace), and
 * writes trace lines at info level so they show in the channel at its default level.
 */
import * as vscode from 'vscode';

export const TRACE_SETTING = 'trace.server';

export class TraceChannel implements vscode.LogOutputChannel, vscode.Disposable {
  private readonly levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  readonly onDidChangeLogLevel = this.levelChanged.event;
  private readonly subs: vscode.Disposable[];
  private last: vscode.LogLevel;

  constructor(
    private readonly out: vscode.LogOutputChannel,
    private readonly section: string,
  ) {
    this.last = this.logLevel;
    const fire = () => {
      const now = this.logLevel;
      if (now !== this.last) {
        this.last = now;
        this.levelChanged.fire(now);
      }
    };
    this.subs = [
      out.onDidChangeLogLevel(fire),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${section}.${TRACE_SETTING}`)) fire();
      }),
    ];
  }

  /** The trace setting: off, messages or verbose. */
  setting(): string {
    const v = vscode.workspace.getConfiguration(this.section).get<unknown>(TRACE_SETTING, 'off');
    return typeof v === 'string' ? v : 'off';
  }

  get logLevel(): vscode.LogLevel {
    return this.setting() !== 'off' ? vscode.LogLevel.Trace : this.out.logLevel;
  }

  get name(): string {
    return this.out.name;
  }

  trace(message: string, ...args: unknown[]): void {
    if (this.setting() !== 'off') this.out.info(message, ...args);
    else this.out.trace(message, ...args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.out.debug(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    this.out.info(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.out.warn(message, ...args);
  }
  error(error: string | Error, ...args: unknown[]): void {
    this.out.error(error, ...args);
  }
  append(value: string): void {
    this.out.append(value);
  }
  appendLine(value: string): void {
    this.out.appendLine(value);
  }
  replace(value: string): void {
    this.out.replace(value);
  }
  clear(): void {
    this.out.clear();
  }
  show(columnOrPreserve?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserve === 'boolean' || columnOrPreserve === undefined) this.out.show(columnOrPreserve);
    else this.out.show(columnOrPreserve, preserveFocus);
  }
  hide(): void {
    this.out.hide();
  }
  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.levelChanged.dispose();
  }
}
