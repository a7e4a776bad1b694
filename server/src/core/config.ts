/**
 * The project config file shared by the CLI and the editor: `relaylint.json`, or a `relaylint`
 * key in `package.json`. Pure: parsing, validation, glob matching, merging and exceptions. Finding
 * the file (walking up from a scanned or opened file) is adapter code (server/src/configLoader.ts).
 *
 *   {
 *     "role": "any", "targetOs": "legacy",
 *     "rules": { "smb.server.require": "off" },               // off | hint | info | warning | error
 *     "overrides": [ { "files": ["DC/**"], "role": "dc", "targetOs": "ws2025", "rules": { … } } ],
 *     "ignore": ["lab/**", "*.bak.reg"],
 *     "exceptions": [ { "rule": "smb1.server", "files": ["print/**"], "reason": "…", "expires": "2026-06-30" } ],
 *     "topology": "ad/topology.json", "evidence": ["logs/"]
 *   }
 *
 * Globs are relative to the folder of the config file, use `/`, and match case-insensitively
 * (Windows paths are): `*`, `?`, `**`, `[abc]`, `{a,b}`. A pattern without a `/` matches a name at
 * any depth (`GptTmpl.inf`, `*.reg`); a pattern that matches a folder matches everything in it.
 * An invalid file is a list of problems and is not applied at all (the audit stays at its
 * strictest), never a crash.
 */
import { ruleById } from './catalog';
import type { Finding, LintOptions, Role, Severity, TargetOs } from './types';

export type RuleLevel = Severity | 'off';

export const CONFIG_FILE_NAME = 'relaylint.json';
export const PACKAGE_JSON_KEY = 'relaylint';
export const RULE_LEVELS: readonly RuleLevel[] = ['off', 'hint', 'info', 'warning', 'error'];
export const ROLES: readonly Role[] = ['any', 'dc', 'member'];
export const TARGET_OSES: readonly TargetOs[] = ['legacy', 'win11-24h2', 'ws2025'];

export interface ConfigOverride {
  files: string[];
  role?: Role;
  targetOs?: TargetOs;
  rules?: Record<string, RuleLevel>;
}

export interface ConfigException {
  rules: string[];
  /** Globs; empty = every file under the config. */
  files: string[];
  reason: string;
  /** `YYYY-MM-DD`, the last day the exception applies. */
  expires?: string;
}

export interface RelaylintConfig {
  role?: Role;
  targetOs?: TargetOs;
  rules: Record<string, RuleLevel>;
  overrides: ConfigOverride[];
  ignore: string[];
  exceptions: ConfigException[];
  /** Paths as written, relative to the config file's folder (consumed by the topology and evidence readers). */
  topology: string[];
  evidence: string[];
}

export interface ConfigProblem {
  message: string;
  /** JSON pointer of the offending value ('' for the whole file). */
  pointer: string;
  /** 1-based, for JSON syntax errors. */
  line?: number;
  column?: number;
}

export interface ConfigParseResult {
  /** False for a package.json without a `relaylint` key: keep looking further up. */
  found: boolean;
  /** Present only when there are no problems. */
  config?: RelaylintConfig;
  problems: ConfigProblem[];
}

/** An exception that applies to one file, as the engine sees it. */
export type ActiveException = NonNullable<LintOptions['exceptions']>[number];

const TOP_KEYS = ['$schema', 'role', 'targetOs', 'rules', 'overrides', 'ignore', 'exceptions', 'topology', 'evidence'];
const OVERRIDE_KEYS = ['files', 'role', 'targetOs', 'rules'];
const EXCEPTION_KEYS = ['rule', 'files', 'reason', 'expires'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Parse and validate a config file's text. `kind` says whether it is a relaylint.json or a package.json. */
export function parseConfigText(text: string, kind: 'relaylint.json' | 'package.json' = 'relaylint.json'): ConfigParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    // A package.json that is not JSON is someone else's problem (npm reports it): not a relaylint config.
    if (kind === 'package.json') return { found: false, problems: [] };
    const msg = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(msg);
    const where = at ? lineColumn(body, Number(at[1])) : undefined;
    return { found: true, problems: [{ message: `Not valid JSON: ${msg}`, pointer: '', ...(where ?? {}) }] };
  }
  if (kind === 'package.json') {
    if (!isRecord(json) || !(PACKAGE_JSON_KEY in json)) return { found: false, problems: [] };
    return validateConfig(json[PACKAGE_JSON_KEY], `/${PACKAGE_JSON_KEY}`);
  }
  return validateConfig(json, '');
}

/** Validate a parsed config object (also used for a `relaylint` key in package.json). */
export function validateConfig(raw: unknown, base = ''): ConfigParseResult {
  const problems: ConfigProblem[] = [];
  const add = (pointer: string, message: string) => problems.push({ pointer: base + pointer, message });
  if (!isRecord(raw)) {
    add('', 'The relaylint config must be a JSON object.');
    return { found: true, problems };
  }
  const config: RelaylintConfig = { rules: {}, overrides: [], ignore: [], exceptions: [], topology: [], evidence: [] };
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) add(`/${key}`, `Unknown key "${key}"; the keys are ${TOP_KEYS.slice(1).join(', ')}.`);
  }
  const role = pickEnum(raw.role, ROLES, '/role', 'role', add);
  if (role) config.role = role;
  const targetOs = pickEnum(raw.targetOs, TARGET_OSES, '/targetOs', 'targetOs', add);
  if (targetOs) config.targetOs = targetOs;
  if (raw.rules !== undefined) config.rules = readRules(raw.rules, '/rules', add);
  if (raw.ignore !== undefined) config.ignore = readGlobs(raw.ignore, '/ignore', add);
  config.topology = readPaths(raw.topology, '/topology', add);
  config.evidence = readPaths(raw.evidence, '/evidence', add);
  if (raw.overrides !== undefined) {
    if (!Array.isArray(raw.overrides)) add('/overrides', '"overrides" must be an array of { "files": [...], "role", "targetOs", "rules" } objects.');
    else {
      raw.overrides.forEach((o: unknown, i: number) => {
        const p = `/overrides/${i}`;
        if (!isRecord(o)) {
          add(p, 'Each override must be an object with "files" and at least one of "role", "targetOs", "rules".');
          return;
        }
        for (const key of Object.keys(o)) if (!OVERRIDE_KEYS.includes(key)) add(`${p}/${key}`, `Unknown key "${key}" in an override; the keys are ${OVERRIDE_KEYS.join(', ')}.`);
        if (o.files === undefined) add(`${p}/files`, 'An override needs "files": the path globs it applies to.');
        const files = o.files === undefined ? [] : readGlobs(o.files, `${p}/files`, add);
        if (o.files !== undefined && files.length === 0 && Array.isArray(o.files)) add(`${p}/files`, '"files" must name at least one glob.');
        const ov: ConfigOverride = { files };
        const r = pickEnum(o.role, ROLES, `${p}/role`, 'role', add);
        if (r) ov.role = r;
        const t = pickEnum(o.targetOs, TARGET_OSES, `${p}/targetOs`, 'targetOs', add);
        if (t) ov.targetOs = t;
        if (o.rules !== undefined) ov.rules = readRules(o.rules, `${p}/rules`, add);
        config.overrides.push(ov);
      });
    }
  }
  if (raw.exceptions !== undefined) {
    if (!Array.isArray(raw.exceptions)) add('/exceptions', '"exceptions" must be an array of { "rule", "files", "reason", "expires" } objects.');
    else raw.exceptions.forEach((x: unknown, i: number) => {
      const ex = readException(x, `/exceptions/${i}`, add);
      if (ex) config.exceptions.push(ex);
    });
  }
  return problems.length ? { found: true, problems } : { found: true, config, problems };
}

type Add = (pointer: string, message: string) => void;

function pickEnum<T extends string>(value: unknown, allowed: readonly T[], pointer: string, name: string, add: Add): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  add(pointer, `"${name}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${JSON.stringify(value)}).`);
  return undefined;
}

function knownRule(id: string): boolean {
  return !!ruleById(id);
}

function readRules(value: unknown, pointer: string, add: Add): Record<string, RuleLevel> {
  const out: Record<string, RuleLevel> = {};
  if (!isRecord(value)) {
    add(pointer, '"rules" must be an object of rule id → "off", "hint", "info", "warning" or "error".');
    return out;
  }
  for (const [id, level] of Object.entries(value)) {
    const p = `${pointer}/${id}`;
    if (!knownRule(id)) add(p, `Unknown rule id "${id}" (\`relaylint rules\` lists them).`);
    else if (typeof level !== 'string' || !(RULE_LEVELS as readonly string[]).includes(level)) {
      add(p, `The level of ${id} must be one of ${RULE_LEVELS.map((l) => `"${l}"`).join(', ')} (got ${JSON.stringify(level)}).`);
    } else out[id] = level as RuleLevel;
  }
  return out;
}

function stringList(value: unknown, pointer: string, what: string, add: Add): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    add(pointer, `${what} must be a string or an array of strings.`);
    return [];
  }
  const out: string[] = [];
  list.forEach((v: unknown, i: number) => {
    if (typeof v !== 'string' || v.trim() === '') add(`${pointer}/${i}`, `${what} must hold non-empty strings (got ${JSON.stringify(v)}).`);
    else out.push(v);
  });
  return out;
}

function readGlobs(value: unknown, pointer: string, add: Add): string[] {
  const globs = stringList(value, pointer, 'A path glob list', add);
  for (const [i, g] of globs.entries()) {
    const err = globError(g);
    if (err) add(`${pointer}/${Array.isArray(value) ? i : ''}`.replace(/\/$/, ''), `Invalid glob "${g}": ${err}.`);
  }
  return globs;
}

function readPaths(value: unknown, pointer: string, add: Add): string[] {
  if (value === undefined) return [];
  return stringList(value, pointer, `"${pointer.slice(1)}"`, add);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function readException(x: unknown, p: string, add: Add): ConfigException | undefined {
  if (!isRecord(x)) {
    add(p, 'Each exception must be an object with "rule", "reason" and optionally "files" and "expires".');
    return undefined;
  }
  const before = { n: 0 };
  const counting: Add = (ptr, msg) => {
    before.n++;
    add(ptr, msg);
  };
  for (const key of Object.keys(x)) if (!EXCEPTION_KEYS.includes(key)) counting(`${p}/${key}`, `Unknown key "${key}" in an exception; the keys are rule, files, reason, expires.`);
  const ruleValue = x.rule;
  const rules = ruleValue === undefined ? [] : stringList(ruleValue, `${p}/rule`, '"rule"', counting);
  if (ruleValue === undefined || rules.length === 0) counting(`${p}/rule`, 'An exception needs "rule": the rule id (or ids) it excepts.');
  for (const id of rules) if (!knownRule(id)) counting(`${p}/rule`, `Unknown rule id "${id}" (\`relaylint rules\` lists them).`);
  const files = x.files === undefined ? [] : readGlobs(x.files, `${p}/files`, counting);
  if (typeof x.reason !== 'string' || x.reason.trim() === '') counting(`${p}/reason`, 'An exception needs a "reason": why this finding is accepted (it is shown wherever the exception applies).');
  let expires: string | undefined;
  if (x.expires !== undefined) {
    if (typeof x.expires !== 'string' || !isValidDate(x.expires)) counting(`${p}/expires`, `"expires" must be a date written YYYY-MM-DD (got ${JSON.stringify(x.expires)}).`);
    else expires = x.expires;
  }
  if (before.n) return undefined;
  return { rules, files, reason: (x.reason as string).trim(), ...(expires ? { expires } : {}) };
}

// --- globs ------------------------------------------------------------------------------------

/** Why a glob cannot be used, or undefined. */
export function globError(glob: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') return 'use "/" to separate folders (a backslash is not allowed)';
    if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) return 'a "[" has no matching "]"';
      i = close;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (--depth < 0) return 'a "}" has no matching "{"';
    }
  }
  if (depth > 0) return 'a "{" has no matching "}"';
  if (glob.length > 1000) return 'longer than 1000 characters';
  return undefined;
}

const globCache = new Map<string, RegExp>();

function escapeRe(c: string): string {
  return /[.+^$()|\\/]/.test(c) ? `\\${c}` : c;
}

/** The regular expression of a glob (relative to the config folder, case-insensitive). */
export function globRegExp(glob: string): RegExp {
  const cached = globCache.get(glob);
  if (cached) return cached;
  let g = glob.trim();
  if (g.startsWith('./')) g = g.slice(2);
  let anchored = false;
  if (g.startsWith('/')) {
    anchored = true;
    g = g.replace(/^\/+/, '');
  }
  g = g.replace(/\/+$/, '');
  if (!anchored && !g.includes('/')) g = `**/${g}`;
  let re = '';
  let braces = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        const atStart = i === 0 || g[i - 1] === '/';
        const atEnd = i + 2 === g.length || g[i + 2] === '/';
        if (atStart && atEnd) {
          if (i + 2 === g.length) re += '.*';
          else {
            re += '(?:.*/)?';
            i++; // the '/' after '**'
          }
          i++;
          continue;
        }
        re += '[^/]*';
        i++;
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      let body = g.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += escapeRe(c);
  }
  const out = new RegExp(`^${re}$`, 'i');
  if (globCache.size > 1000) globCache.clear();
  globCache.set(glob, out);
  return out;
}

/** Whether `relPath` (relative to the config folder, `/`-separated) or one of its folders matches `glob`. */
export function globMatches(glob: string, relPath: string): boolean {
  const re = globRegExp(glob);
  const path = relPath.replace(/\\/g, '/').replace(/^\.\//, '');
  if (re.test(path)) return true;
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    if (re.test(path.slice(0, i))) return true;
  }
  return false;
}

function anyMatch(globs: readonly string[], relPath: string): boolean {
  return globs.some((g) => globMatches(g, relPath));
}

// --- resolution -------------------------------------------------------------------------------

export interface BaseOptions {
  role: Role;
  targetOs: TargetOs;
  rules: Record<string, RuleLevel>;
}

export interface ResolvedFileConfig {
  /** The file matches `ignore`: it is not checked. */
  ignored: boolean;
  role: Role;
  targetOs: TargetOs;
  rules: Record<string, RuleLevel>;
  exceptions: ActiveException[];
  /** Indexes of the overrides that matched, in order. */
  overrides: number[];
}

/**
 * What the config says for one file: the base (editor settings or defaults) under the config's
 * top level, under each matching override in order (later ones win); the exceptions that name it.
 */
export function resolveForFile(config: RelaylintConfig | undefined, relPath: string, base: BaseOptions, source = CONFIG_FILE_NAME): ResolvedFileConfig {
  const out: ResolvedFileConfig = { ignored: false, role: base.role, targetOs: base.targetOs, rules: { ...base.rules }, exceptions: [], overrides: [] };
  if (!config) return out;
  out.ignored = anyMatch(config.ignore, relPath);
  if (config.role) out.role = config.role;
  if (config.targetOs) out.targetOs = config.targetOs;
  Object.assign(out.rules, config.rules);
  config.overrides.forEach((o, i) => {
    if (!anyMatch(o.files, relPath)) return;
    out.overrides.push(i);
    if (o.role) out.role = o.role;
    if (o.targetOs) out.targetOs = o.targetOs;
    if (o.rules) Object.assign(out.rules, o.rules);
  });
  for (const x of config.exceptions) {
    if (x.files.length && !anyMatch(x.files, relPath)) continue;
    out.exceptions.push({ rules: x.rules, reason: x.reason, ...(x.expires ? { expires: x.expires } : {}), source });
  }
  return out;
}

/** Lint options for a resolved file config. `today` is `YYYY-MM-DD` (the adapter's clock). */
export function lintOptionsFor(r: ResolvedFileConfig, today: string): LintOptions {
  const o: LintOptions = { role: r.role, targetOs: r.targetOs, severity: r.rules };
  if (r.exceptions.length) {
    o.exceptions = r.exceptions;
    o.today = today;
  }
  return o;
}

/** Today's date as `YYYY-MM-DD` (UTC), for adapters. */
export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Apply config exceptions to a file's findings (the engine calls this): a valid exception marks the
 * finding suppressed with its reason; an expired one leaves the finding active and says so.
 */
export function applyExceptions(findings: Finding[], options: LintOptions): void {
  const list = options.exceptions;
  if (!list?.length) return;
  const today = options.today ?? todayIso();
  for (const f of findings) {
    if (f.suppressed) continue;
    const x = list.find((e) => e.rules.includes(f.ruleId));
    if (!x) continue;
    if (x.expires && today > x.expires) {
      f.message += ` (The exception for ${f.ruleId} in ${x.source} expired on ${x.expires}, so this is reported again; its reason was: ${x.reason})`;
      continue;
    }
    f.suppressed = { reason: `${x.reason} (exception in ${x.source}${x.expires ? `, until ${x.expires}` : ''})`, span: f.span, exception: true };
  }
}

/** A one-line summary of a problem, with its place. */
export function describeConfigProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `line ${p.line}, column ${p.column}` : p.pointer ? p.pointer : '';
  return where ? `${where}: ${p.message}` : p.message;
}
