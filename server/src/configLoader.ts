/**
 * Finding and reading the project config file (adapter code, shared by the CLI and the language
 * server): walk up from a file to the nearest folder holding `relaylint.json`, or a `package.json`
 * with a `relaylint` key. The nearest one applies; parent configs are not merged. Parsing,
 * validation, globs and merging are the core's (core/config.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, parseConfigText } from './core';
import type { ConfigProblem, RelaylintConfig } from './core';

export interface LoadedConfig {
  /** Absolute path of the file (relaylint.json or package.json). */
  path: string;
  /** The folder globs are relative to. */
  dir: string;
  /** Undefined when the file has problems (then nothing of it applies). */
  config?: RelaylintConfig;
  problems: ConfigProblem[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;
/** A package.json is read up to this size to look for its `relaylint` key (a large monorepo's may pass 1 MiB; none comes near this). */
const MAX_PACKAGE_JSON_BYTES = 16 * 1024 * 1024;

interface FileCacheEntry {
  mtimeMs: number;
  size: number;
  result: LoadedConfig | undefined;
}

export class ConfigLoader {
  /** folder → the config file that applies there (null: none). */
  private readonly dirs = new Map<string, string | null>();
  private readonly files = new Map<string, FileCacheEntry>();

  /** Forget the folder lookups (a config file may have been created or deleted). File contents are re-checked by mtime anyway. */
  clear(): void {
    this.dirs.clear();
  }

  /** The nearest config for a file (absolute path), or undefined. */
  find(filePath: string): LoadedConfig | undefined {
    const visited: string[] = [];
    let dir = path.dirname(path.resolve(filePath));
    let found: string | null | undefined;
    for (;;) {
      const known = this.dirs.get(dir);
      if (known !== undefined) {
        found = known;
        break;
      }
      visited.push(dir);
      const candidate = this.candidateIn(dir);
      if (candidate) {
        found = candidate;
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) {
        found = null;
        break;
      }
      dir = up;
    }
    // Bounded: a scan walks folders in order, so recent folders are what is asked again; a
    // 55,000-GPO SYSVOL has 300,000+ folders, which would otherwise all stay here.
    if (this.dirs.size > 4096) this.dirs.clear();
    for (const d of visited) this.dirs.set(d, found);
    return found ? this.load(found) : undefined;
  }

  /** The config file in one folder: relaylint.json, else a package.json with a relaylint key. */
  private candidateIn(dir: string): string | undefined {
    const own = path.join(dir, CONFIG_FILE_NAME);
    if (isFile(own)) return own;
    const pkg = path.join(dir, 'package.json');
    if (isFile(pkg)) {
      const r = this.load(pkg);
      if (r) return pkg;
    }
    return undefined;
  }

  /**
   * Read one config file (also the one forced by --config or the relaylint.configFile setting).
   * Undefined only for a package.json without a relaylint key; an unreadable or invalid file is a
   * result with problems.
   */
  load(filePath: string): LoadedConfig | undefined {
    const abs = path.resolve(filePath);
    const dir = path.dirname(abs);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      this.files.delete(abs);
      return { path: abs, dir, problems: [{ pointer: '', message: `Cannot read the config file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.` }] };
    }
    const cached = this.files.get(abs);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.result;
    let result: LoadedConfig | undefined;
    if (!st.isFile()) result = { path: abs, dir, problems: [{ pointer: '', message: 'The config path is not a file.' }] };
    else if (st.size > MAX_CONFIG_BYTES && path.basename(abs) !== 'package.json') {
      result = { path: abs, dir, problems: [{ pointer: '', message: `The config file is ${st.size} bytes; relaylint reads config files up to 1 MiB.` }] };
    } else if (st.size > MAX_PACKAGE_JSON_BYTES) {
      result = { path: abs, dir, problems: [{ pointer: '', message: `This package.json is ${st.size} bytes; relaylint reads a package.json up to 16 MiB to look for its "relaylint" key, so it was not read.` }] };
    } else {
      try {
        const text = fs.readFileSync(abs, 'utf8');
        const kind = path.basename(abs).toLowerCase() === 'package.json' ? 'package.json' : 'relaylint.json';
        const parsed = parseConfigText(text, kind);
        result = parsed.found ? { path: abs, dir, problems: parsed.problems, ...(parsed.config ? { config: parsed.config } : {}) } : undefined;
      } catch (e) {
        result = { path: abs, dir, problems: [{ pointer: '', message: `Cannot read the config file: ${(e as Error).message}.` }] };
      }
    }
    this.files.set(abs, { mtimeMs: st.mtimeMs, size: st.size, result });
    return result;
  }
}

function isFile(p: string): boolean {
  try {
    // No exception for the usual case (no config file in this folder): a thrown ENOENT costs more
    // than the stat itself, once per folder of a scanned tree.
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** A file's path relative to the config folder, with `/` separators (what the globs match). */
export function relativeToConfig(config: LoadedConfig, filePath: string): string {
  return path.relative(config.dir, path.resolve(filePath)).split(path.sep).join('/');
}

/**
 * The `topology` and `evidence` locations of a config, as absolute paths (for the topology and
 * evidence readers). Empty when the config is invalid or names none.
 */
export function configLocations(config: LoadedConfig | undefined): { topology: string[]; evidence: string[] } {
  if (!config?.config) return { topology: [], evidence: [] };
  return {
    topology: config.config.topology.map((p) => path.resolve(config.dir, p)),
    evidence: config.config.evidence.map((p) => path.resolve(config.dir, p)),
  };
}
