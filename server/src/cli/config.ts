/**
 * The config file on the command line: the nearest `relaylint.json` (or package.json `relaylint`
 * key) above each scanned file, or the one `--config FILE` names, or none with `--no-config`.
 * Explicit `--role` / `--target-os` flags win over the config (they are this run's own words).
 * A command line is trusted: it is the user's own command, so folder config files apply (see
 * docs/editors.md for the editor's untrusted-workspace rule).
 */
import * as path from 'node:path';
import { CONFIG_FILE_NAME, describeConfigProblem, lintOptionsFor, resolveForFile } from '../core';
import type { ResolvedFileConfig } from '../core';
import type { LintOptions, Role, TargetOs } from '../core';
import { ConfigLoader, configLocations, relativeToConfig } from '../configLoader';
import type { LoadedConfig } from '../configLoader';
import { escapeControls } from './text';

export class ConfigError extends Error {}

export interface CliConfigOptions {
  /** `--config FILE`. */
  configFile?: string;
  /** `--no-config`. */
  noConfig: boolean;
  /** The flags as given (undefined when not on the command line). */
  role?: Role;
  targetOs?: TargetOs;
  /** Defaults when neither flags nor config say anything. */
  base: LintOptions;
  today: string;
}

export interface FileConfig {
  ignored: boolean;
  lint: LintOptions;
  config?: LoadedConfig;
  resolved?: ResolvedFileConfig;
}

export class CliConfig {
  private readonly loader = new ConfigLoader();
  private readonly forced?: LoadedConfig;
  private readonly reported = new Set<string>();
  /** A found config file was invalid (the run exits 2 at the end, like an unreadable file). */
  invalid = false;

  constructor(
    private readonly opts: CliConfigOptions,
    private readonly warn: (message: string) => void,
  ) {
    if (opts.configFile && !opts.noConfig) {
      const loaded = this.loader.load(opts.configFile);
      if (!loaded) throw new ConfigError(`--config ${opts.configFile}: this package.json has no "relaylint" key`);
      if (loaded.problems.length) throw new ConfigError(`--config ${opts.configFile} is not valid: ${loaded.problems.map(describeConfigProblem).join('; ')}`);
      this.forced = loaded;
    }
  }

  /** The answer for files under no config file (the same for all of them: built once). */
  private noConfigResult?: FileConfig;

  /** The config found from a folder (`configFrom` of the feed: few distinct folders in a scan). */
  private readonly fromFolder = new Map<string, LoadedConfig | undefined>();

  private loadedFrom(dir: string): LoadedConfig | undefined {
    if (this.fromFolder.has(dir)) return this.fromFolder.get(dir);
    const loaded = this.loader.find(path.join(dir, CONFIG_FILE_NAME));
    if (this.fromFolder.size < 4096) this.fromFolder.set(dir, loaded);
    return loaded;
  }

  /**
   * `configFrom`: the folder to start looking from, when the walk knows that no folder between the
   * file and it holds a config file (cli/feed.ts); else the file's own folder.
   */
  forFile(filePath: string, configFrom?: string): FileConfig {
    const flags = (o: LintOptions): LintOptions => ({ ...o, ...(this.opts.role ? { role: this.opts.role } : {}), ...(this.opts.targetOs ? { targetOs: this.opts.targetOs } : {}) });
    if (this.opts.noConfig) return (this.noConfigResult ??= { ignored: false, lint: flags(this.opts.base) });
    const loaded = this.forced ?? (configFrom !== undefined ? this.loadedFrom(configFrom) : this.loader.find(filePath));
    if (!loaded) return (this.noConfigResult ??= { ignored: false, lint: flags(this.opts.base) });
    if (!loaded.config) {
      this.invalid = true;
      if (!this.reported.has(loaded.path)) {
        this.reported.add(loaded.path);
        // The problems quote the file's own keys and values: escaped, as everything from a file that reaches the terminal.
        this.warn(escapeControls(`relaylint: ${loaded.path}: the config file is not valid and is not applied: ${loaded.problems.map(describeConfigProblem).join('; ')}`));
      }
      return { ignored: false, lint: flags(this.opts.base), config: loaded };
    }
    const base = this.opts.base;
    const resolved = resolveForFile(loaded.config, relativeToConfig(loaded, filePath), { role: base.role, targetOs: base.targetOs, rules: { ...(base.severity ?? {}) } }, path.basename(loaded.path));
    return { ignored: resolved.ignored, lint: flags(lintOptionsFor(resolved, this.opts.today)), config: loaded, resolved };
  }
}

/** `--show-config`: what applies to each file, as text lines or one JSON document. */
export function describeFileConfig(display: string, fc: FileConfig): Record<string, unknown> {
  const c = fc.config;
  return {
    path: display,
    config: c ? c.path : null,
    ...(c && c.problems.length ? { configProblems: c.problems.map(describeConfigProblem) } : {}),
    ignored: fc.ignored,
    role: fc.lint.role,
    targetOs: fc.lint.targetOs,
    rules: fc.lint.severity ?? {},
    overrides: fc.resolved?.overrides ?? [],
    exceptions: (fc.lint.exceptions ?? []).map((x) => ({ rules: x.rules, reason: x.reason, ...(x.expires ? { expires: x.expires, expired: (fc.lint.today ?? '') > x.expires } : {}) })),
    ...configLocations(c),
  };
}

/** `rule=level, …` of a config's or a file's rule levels ('' for none). */
const ruleLevels = (rules: Record<string, string>): string =>
  Object.entries(rules)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

export function showConfigText(d: Record<string, unknown>): string {
  const lines = [`${d.path}`];
  lines.push(`  config: ${d.config ?? 'none'}`);
  for (const p of (d.configProblems as string[] | undefined) ?? []) lines.push(`  config problem (not applied): ${p}`);
  if (d.ignored) lines.push('  ignored: yes (matches "ignore"; not scanned)');
  const ov = d.overrides as number[];
  lines.push(`  role: ${d.role}, targetOs: ${d.targetOs}${ov.length ? ` (overrides ${ov.join(', ')})` : ''}`);
  const rules = d.rules as Record<string, string>;
  lines.push(`  rules: ${ruleLevels(rules) || 'defaults'}`);
  for (const x of d.exceptions as { rules: string[]; reason: string; expires?: string; expired?: boolean }[]) {
    lines.push(`  exception: ${x.rules.join(', ')}: ${x.reason}${x.expires ? ` (${x.expired ? 'EXPIRED' : 'until'} ${x.expires})` : ''}`);
  }
  if ((d.topology as string[]).length) lines.push(`  topology: ${(d.topology as string[]).join(', ')}`);
  if ((d.evidence as string[]).length) lines.push(`  evidence: ${(d.evidence as string[]).join(', ')}`);
  // File names, config paths and exception reasons come from the folder: shown escaped, line by line.
  return lines.map(escapeControls).join('\n') + '\n';
}

/**
 * The line that says a config file found next to the scanned files changed what is judged (rule
 * levels, overrides, ignored files, exceptions, role or target OS), or undefined when it changed
 * nothing of that. A scan trusts such a file, but must not soften the audit unsaid.
 */
export function configNotice(display: string, loaded: LoadedConfig, files: number, ignored: number): string | undefined {
  const c = loaded.config;
  if (!c) return undefined;
  const parts: string[] = [];
  const rules = ruleLevels(c.rules);
  if (rules) parts.push(`rules ${rules}`);
  if (c.overrides.length) parts.push(`${c.overrides.length} override${c.overrides.length === 1 ? '' : 's'}`);
  if (c.role) parts.push(`role ${c.role}`);
  if (c.targetOs) parts.push(`targetOs ${c.targetOs}`);
  if (c.exceptions.length) parts.push(`${c.exceptions.length} exception${c.exceptions.length === 1 ? '' : 's'}`);
  if (c.ignore.length) parts.push(`ignore ${c.ignore.join(', ')} (${ignored} file${ignored === 1 ? '' : 's'} not scanned)`);
  if (!parts.length) return undefined;
  return `relaylint: the config file ${display} applied to ${files} scanned file${files === 1 ? '' : 's'}: ${parts.join('; ')} (--show-config lists them per file; --no-config audits without it)`;
}
