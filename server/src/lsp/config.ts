/**
 * The project config file in the editor: which `relaylint.json` (or package.json `relaylint` key)
 * applies to a document, merged over the editor settings (the config file wins, so the editor
 * shows what the CLI reports for the same file).
 *
 * Workspace trust: while the client says the workspace is not trusted
 * (`initializationOptions.workspaceTrusted: false`, until `relaylint/didGrantWorkspaceTrust`), no
 * config file is read, neither found by walking up nor named by `relaylint.configFile`: a folder
 * under review must not be able to switch rules off or except its own findings.
 */
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { describeConfigProblem, lintOptionsFor, resolveForFile, todayIso } from '../core';
import type { ConfigProblem, LintOptions } from '../core';
import { ConfigLoader, relativeToConfig } from '../configLoader';
import type { LoadedConfig } from '../configLoader';
import type { RelaylintSettings } from './settings';

export interface EffectiveSettings extends RelaylintSettings {
  /** The file matches the config's `ignore`: no diagnostics, no fixes. */
  ignored: boolean;
  exceptions?: LintOptions['exceptions'];
  today?: string;
  /** The config file that applied (absolute path). */
  configPath?: string;
  /** Problems of that config file (then nothing of it applied). */
  configProblems?: ConfigProblem[];
}

export class EditorConfig {
  trusted = true;
  readonly loader = new ConfigLoader();
  private readonly logged = new Set<string>();

  constructor(
    private readonly log: (message: string) => void,
    private readonly workspaceFolders: () => string[],
  ) {}

  /** Folder lookups may be stale (a config file was created, deleted or trust changed). */
  changed(): void {
    this.loader.clear();
  }

  private once(key: string, message: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log(message);
  }

  /** The config that applies to a document, or undefined (none, not a file, or not trusted). */
  configFor(uri: string, s: RelaylintSettings): LoadedConfig | undefined {
    let file: string;
    try {
      if (!uri.startsWith('file:')) return undefined;
      file = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    if (!this.trusted) {
      // Not even opened (a folder under review could hold a huge or hostile one, or name one outside
      // it): the server said once that config files are not read until the workspace is trusted.
      if (s.configFile) this.once(`untrusted:${s.configFile}`, `relaylint: the workspace is not trusted, so relaylint.configFile (${s.configFile}) is not read (every rule at its default severity, no exceptions).`);
      return undefined;
    }
    const loaded = s.configFile ? this.forced(s.configFile, file) : this.loader.find(file);
    if (loaded) {
      if (loaded.problems.length) this.once(`bad:${loaded.path}:${loaded.problems.map((p) => p.message).join()}`, `relaylint: the config file ${loaded.path} is not valid and is not applied: ${loaded.problems.map(describeConfigProblem).join('; ')}`);
      else this.once(`ok:${loaded.path}`, `relaylint: using the config file ${loaded.path}`);
    }
    return loaded;
  }

  private forced(configFile: string, file: string): LoadedConfig | undefined {
    let p = configFile;
    if (!path.isAbsolute(p)) {
      const folders = this.workspaceFolders();
      const folder = folders.find((f) => file === f || file.startsWith(f + path.sep)) ?? folders[0] ?? path.dirname(file);
      p = path.resolve(folder, p);
    }
    return (
      this.loader.load(p) ?? { path: p, dir: path.dirname(p), problems: [{ pointer: '', message: 'This package.json has no "relaylint" key.' }] }
    );
  }

  /** Editor settings with the config file merged in. */
  effective(uri: string, s: RelaylintSettings): EffectiveSettings {
    const loaded = this.configFor(uri, s);
    const base: EffectiveSettings = { ...s, ignored: false };
    if (!loaded) return base;
    if (!loaded.config) return { ...base, configPath: loaded.path, configProblems: loaded.problems };
    const file = fileURLToPath(uri);
    const r = resolveForFile(loaded.config, relativeToConfig(loaded, file), { role: s.role, targetOs: s.targetOs, rules: s.rules }, path.basename(loaded.path));
    const o = lintOptionsFor(r, todayIso());
    return {
      ...base,
      role: r.role,
      targetOs: r.targetOs,
      rules: r.rules,
      ignored: r.ignored,
      configPath: loaded.path,
      ...(o.exceptions ? { exceptions: o.exceptions, today: o.today } : {}),
    };
  }
}
