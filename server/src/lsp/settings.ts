/**
 * Per-document settings. Read through `workspace/configuration` with the document as scope
 * (every relaylint setting is `scope: resource`), normalised once into a typed object, cached per
 * URI and dropped when the configuration changes or the document closes. Nothing is kept in
 * module globals: the store belongs to one connection.
 */
import type { Connection } from 'vscode-languageserver';
import type { LintOptions, Role, Severity, TargetOs } from '../core';
import { SETTINGS_SECTION } from './protocol';

export interface RelaylintSettings {
  /** Whether relaylint checks files at all (diagnostics and fixes; hovers and completion stay on). */
  enable: boolean;
  role: Role;
  targetOs: TargetOs;
  /** Per rule id: a severity or 'off'. */
  rules: Record<string, Severity | 'off'>;
  disableRuleComment: boolean;
  showDocumentation: boolean;
  /** Fix-all and `source.fixAll` apply unsafe (enforcing) fixes too (`relaylint.fix.unsafe`). */
  fixUnsafe: boolean;
  /** `relaylint.configFile`: a config file to use instead of the nearest one (ignored in untrusted workspaces). */
  configFile?: string;
  /** `relaylint.topology`: topology exports (relative paths start at the workspace folder; ignored in untrusted workspaces). */
  topology: string[];
  /** `relaylint.evidence`: event-log exports or folders of them (as `topology`). */
  evidence: string[];
}

export const DEFAULT_SETTINGS: Readonly<RelaylintSettings> = Object.freeze({
  enable: true,
  role: 'any',
  targetOs: 'legacy',
  rules: {},
  disableRuleComment: true,
  showDocumentation: true,
  fixUnsafe: false,
  topology: Object.freeze([]) as unknown as string[],
  evidence: Object.freeze([]) as unknown as string[],
});

const ROLES: readonly Role[] = ['dc', 'member', 'any'];
const TARGETS: readonly TargetOs[] = ['legacy', 'win11-24h2', 'ws2025'];
const LEVELS: readonly (Severity | 'off')[] = ['error', 'warning', 'info', 'hint', 'off'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** A list of paths: strings only, trimmed, at most 64. */
function paths(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()).slice(0, 64);
}

/** Turn whatever the client sent (possibly nothing, possibly junk) into complete settings. */
export function normalizeSettings(raw: unknown): RelaylintSettings {
  const r = isRecord(raw) ? raw : {};
  const rules: Record<string, Severity | 'off'> = {};
  if (isRecord(r.rules)) {
    for (const [id, level] of Object.entries(r.rules)) {
      if (typeof level === 'string' && (LEVELS as readonly string[]).includes(level)) rules[id] = level as Severity | 'off';
    }
  }
  const codeAction = isRecord(r.codeAction) ? r.codeAction : {};
  const disable = isRecord(codeAction.disableRuleComment) ? codeAction.disableRuleComment : {};
  const docs = isRecord(codeAction.showDocumentation) ? codeAction.showDocumentation : {};
  const configFile = typeof r.configFile === 'string' && r.configFile.trim() ? { configFile: r.configFile.trim() } : {};
  return {
    ...configFile,
    enable: flag(r.enable, DEFAULT_SETTINGS.enable),
    role: pick(r.role, ROLES, DEFAULT_SETTINGS.role),
    targetOs: pick(r.targetOs, TARGETS, DEFAULT_SETTINGS.targetOs),
    rules,
    disableRuleComment: flag(disable.enable, DEFAULT_SETTINGS.disableRuleComment),
    showDocumentation: flag(docs.enable, DEFAULT_SETTINGS.showDocumentation),
    fixUnsafe: flag(isRecord(r.fix) ? r.fix.unsafe : undefined, DEFAULT_SETTINGS.fixUnsafe),
    topology: paths(r.topology),
    evidence: paths(r.evidence),
  };
}

export function lintOptions(s: RelaylintSettings & Pick<LintOptions, 'exceptions' | 'today'>): LintOptions {
  const o: LintOptions = { role: s.role, targetOs: s.targetOs, severity: s.rules };
  if (s.exceptions?.length) {
    o.exceptions = s.exceptions;
    o.today = s.today;
  }
  return o;
}

/** A stable string for a settings object, used in diagnostic result ids. */
export function settingsKey(s: RelaylintSettings): string {
  return JSON.stringify([s.enable, s.role, s.targetOs, Object.entries(s.rules).sort(), s.configFile ?? '']);
}

export class SettingsStore {
  private readonly cache = new Map<string, Promise<RelaylintSettings>>();
  /** Settings pushed by a client without `workspace/configuration` (didChangeConfiguration). */
  private pushed: RelaylintSettings = DEFAULT_SETTINGS;

  constructor(
    private readonly connection: Connection,
    private readonly canPull: () => boolean,
  ) {}

  /** The settings for one resource. `scopeUri` is the file the settings apply to. */
  get(scopeUri: string): Promise<RelaylintSettings> {
    if (!this.canPull()) return Promise.resolve(this.pushed);
    let p = this.cache.get(scopeUri);
    if (!p) {
      p = this.connection.workspace
        .getConfiguration({ scopeUri, section: SETTINGS_SECTION })
        .then(normalizeSettings, (err: unknown) => {
          this.connection.console.error(`relaylint: reading settings for ${scopeUri} failed: ${String(err)}`);
          return { ...DEFAULT_SETTINGS };
        });
      this.cache.set(scopeUri, p);
    }
    return p;
  }

  /** didChangeConfiguration: forget everything; keep pushed settings for clients that push. */
  changed(pushedSettings: unknown): void {
    this.cache.clear();
    if (!this.canPull()) {
      const section = isRecord(pushedSettings) ? pushedSettings[SETTINGS_SECTION] : undefined;
      this.pushed = normalizeSettings(section);
    }
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
