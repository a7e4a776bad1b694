/**
 * relaylint command line: a thin adapter over the core.
 *
 *   relaylint scan <path>... [--format text|json|sarif] [--fail-on error|warning|info|never]
 *                            [--fix [--unsafe-fixes]] [--baseline <file>] [--role dc|member|any]
 *                            [--target-os legacy|win11-24h2|ws2025] [--output <file>] [--jobs N]
 *   relaylint rules [--format text|json]
 *
 * Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { allRules, auditSwitchesFrom } from './core';
import { isSettingRule } from './core';
import { CoverageAccumulator, type CoverageSource } from './core';
import type { LintOptions, Role, Severity, TargetOs } from './core';
import { BaselineError, loadBaseline } from './cli/baseline';
import { CliConfig, ConfigError, configNotice, describeFileConfig, showConfigText } from './cli/config';
import { todayIso } from './core';
import { fingerprint, FileReport, scanOne, ScanOneOptions } from './cli/report';
import { HtmlReporter, reportArgv, type PostureCliOptions } from './cli/html';
import { createReporter, FORMATS, type Format, type Reporter, type SetResults } from './cli/reporters';
import { inodeOf, openOutput, type ReadResult } from './io/safe-fs';
import { displayPath, feed, FeedConsumer, type FeedEntry } from './cli/feed';
import { colors, escapeControls } from './cli/text';
import { walk, WalkEntry, WalkError } from './io/walk';
import { effectivePolicyStream, PolicySetBuilder, scopeSections, topologyReach, type FilePolicy, type Readiness } from './core/index';
import { ScopeRun, scopeSarifResults, scopeText } from './cli/scope';
import { EXPORT_NAME, loadTopology } from './io/topology';
import type { GpoFolderIdentity } from './io/gpo-context';
import { SarifWriter as ScopeSarif } from './cli/sarif';
import { EvidenceCollector } from './core';
import { settingRuleById } from './core';
import { parseWindow } from './cli/evidence';
import { tryEvidence } from './io/evidence-files';
import { configLocations, type LoadedConfig } from './configLoader';

declare const RELAYLINT_VERSION: string | undefined;
const VERSION = typeof RELAYLINT_VERSION === 'string' ? RELAYLINT_VERSION : '0.0.0-dev';

const USAGE = `relaylint ${VERSION}: audit Group Policy exports for SMB, LDAP and NTLM relay hardening

Usage:
  relaylint scan <path>... [options]   scan files and folders (SYSVOL trees, GPO backups, loose exports)
  relaylint report <path>... -o posture.html [--baseline <result.json>] [--topology <file>] [--evidence <file>]
                                       one offline HTML page: relay-hardening level per control family and scope,
                                       canary headline, audit-first next steps, drift against an earlier JSON result
  relaylint rules [--format json]      list the rules
  relaylint --version | --help

Options for scan:
  --format text|json|sarif|html
                             output format (default text; html: the posture report)
  --output <file>            write the report to a file instead of standard output
  --fail-on error|warning|info|never
                             exit 1 when a finding at or above this severity remains (default error)
  --fix                      apply the preferred safe fixes in place (audit switches, negotiate steps;
                             byte for byte outside the edits)
  --unsafe-fixes             with --fix, also apply the fixes that enforce (require signing, refuse NTLM)
  --baseline <file>          report only findings that are not in this earlier JSON or SARIF result
  --role dc|member|any       which machines the GPOs target (default any: DC-only settings are judged)
  --target-os legacy|win11-24h2|ws2025
                             oldest Windows the GPOs target; decides what "not configured" means (default legacy)
  --jobs <n>                 threads scanning files (default 1; see bench/README.md)
  --topology <file>          domain topology (LDIF, SharpHound JSON or zip, Get-GPInheritance JSON;
                             repeatable; also found by content next to the scanned folders): adds the
                             effective policy per OU, domain and site
  --window <n>d              evidence window for rollout readiness from event logs (default 30d,
                             back from the newest event; .evtx, event .xml and .csv exports are read)
  --no-coverage              leave out the set-level coverage
  --all-settings             json: list every registry value of each file in "settings" (default: only
                             the values a rule knows, and deletions that remove one)
  --config <file>            use this relaylint.json (or package.json) for every file instead of the nearest one
  --no-config                use no config file (defaults and flags only). A scan trusts the folder's
                             config (it is your own command): use this to audit someone else's folder
  --show-config              print which config file and options apply to each file, and scan nothing
  --no-color                 no colours (NO_COLOR is honoured too)

Options for report: --output, --role, --target-os and --jobs as for scan; --baseline <result.json> (drift against an
earlier JSON result); --window <n>d (the readiness window shown in the next steps, default 30d); --topology and
--evidence <file or folder>: the topology gives the ladder per OU, domain and site (the effective policy), the
event logs the rollout readiness in the next steps; both are also found by content among the paths, as with scan.
report needs at least one <path> (a file or folder of GPO exports). It exits 0 unless a path cannot be read (2); a
topology or an event log that could not be read in full is listed at the top of the page as an input problem.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error.
`;

class UsageError extends Error {}

/** Whether stdout/stderr is a terminal (inside the scan thread, as the launching thread saw it). */
function isTty(stream: 'stdout' | 'stderr'): boolean {
  const given = (workerData as { relaylintScan?: { tty: Record<string, boolean> } } | undefined)?.relaylintScan?.tty;
  return given ? !!given[stream] : !!process[stream].isTTY;
}

interface ScanArgs {
  paths: string[];
  format: Format | 'html';
  /** `report` command (and html format): posture options. */
  posture?: PostureCliOptions;
  failOn: Severity | 'never';
  fix: boolean;
  unsafeFixes: boolean;
  /** `--all-settings`: every registry value in the JSON `settings`, not only the relay-relevant ones. */
  allSettings?: boolean;
  baseline?: string;
  output?: string;
  jobs: number;
  coverage: boolean;
  color: boolean;
  lint: LintOptions;
  topology: string[];
  /** Rollout-readiness window in days (event-log evidence). */
  window: number;
  /** Config file: --config, --no-config, --show-config, and the flags given explicitly (they win over the config). */
  configFile?: string;
  noConfig: boolean;
  showConfig: boolean;
  roleFlag?: Role;
  targetOsFlag?: TargetOs;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

function parseScanArgs(argv: string[], command: 'scan' | 'report' = 'scan'): ScanArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      fix: { type: 'boolean' },
      'unsafe-fixes': { type: 'boolean' },
      baseline: { type: 'string' },
      output: { type: 'string', short: 'o' },
      role: { type: 'string' },
      'target-os': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      'no-coverage': { type: 'boolean' },
      'all-settings': { type: 'boolean' },
      'no-color': { type: 'boolean' },
      topology: { type: 'string', multiple: true },
      window: { type: 'string' },
      config: { type: 'string' },
      'no-config': { type: 'boolean' },
      'show-config': { type: 'boolean' },
    },
  });
  if (positionals.length === 0) throw new UsageError(`${command} needs at least one file or folder${command === 'report' ? ' of GPO exports (--evidence and --topology add to them)' : ''}`);
  // --unsafe-fixes alone would look like it fixed something; it only widens --fix.
  if (values['unsafe-fixes'] && !values.fix) throw new UsageError('--unsafe-fixes only applies with --fix (add --fix, or leave --unsafe-fixes out)');
  // One thread by default: on the 2-core machines measured (bench/README.md) worker threads gave no
  // faster scans — walking the tree and writing the report on the main thread is the limit — and
  // cost about 80 MB more memory. --jobs N is there for larger machines.
  const jobs = values.jobs === undefined ? 1 : /^[0-9]{1,2}$/.test(values.jobs) ? Number(values.jobs) : NaN;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`--jobs must be a whole number from 1 to 64 (got "${values.jobs}")`);
  const format = oneOf('format', values.format, [...FORMATS, 'html'] as const, 'text');
  const window = parseWindow(values.window) ?? 30;
  if (!Number.isFinite(window)) throw new UsageError(`--window must be a number of days such as 30d, 12w or 90 (got "${values.window}")`);
  return {
    window,
    paths: positionals,
    format,
    failOn: oneOf('fail-on', values['fail-on'], ['error', 'warning', 'info', 'never'] as const, 'error'),
    fix: !!values.fix,
    unsafeFixes: !!values['unsafe-fixes'],
    allSettings: !!values['all-settings'],
    baseline: values.baseline,
    output: values.output,
    jobs,
    coverage: !values['no-coverage'],
    color: !values['no-color'] && !process.env.NO_COLOR && format === 'text' && !values.output && isTty('stdout'),
    lint: {
      role: oneOf<Role>('role', values.role, ['dc', 'member', 'any'], 'any'),
      targetOs: oneOf<TargetOs>('target-os', values['target-os'], ['legacy', 'win11-24h2', 'ws2025'], 'legacy'),
    },
    configFile: values.config,
    noConfig: !!values['no-config'],
    topology: values.topology ?? [],
    showConfig: !!values['show-config'],
    ...(values.role !== undefined ? { roleFlag: values.role as Role } : {}),
    ...(values['target-os'] !== undefined ? { targetOsFlag: values['target-os'] as TargetOs } : {}),
  };
}

/** Work unit sent to a worker thread. */
interface Job {
  id: number;
  file: string;
  display: string;
  explicit: boolean;
  gpo?: GpoFolderIdentity;
  opts: ScanOneOptions;
  /** The walk could not follow this entry (a link outside the roots, a loop): report this instead. */
  problem?: WalkEntry['problem'];
  /** The file as already read (by the reading thread), if it was. */
  read?: ReadResult;
}

/** What the main thread needs from one scanned file. */
interface Outcome {
  skipped: boolean;
  ioError: boolean;
  fixed: number;
  /** Highest severity rank among the reported findings and problems, -1 for none. */
  worst: number;
  coverage: [string, CoverageSource][];
  /** The file's part of the policy set. */
  policy?: FilePolicy;
  /** The file's result, for the reporter. */
  report?: FileReport;
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

function isSkipped(r: FileReport, explicit: boolean): boolean {
  return !explicit && r.format === 'unknown' && r.problems.every((p) => p.ruleId === 'file.unknown');
}

function outcomeOf(r: FileReport, job: Pick<Job, 'explicit'>, baseline: ReadonlySet<string> | undefined): Outcome {
  if (isSkipped(r, job.explicit)) return { skipped: true, ioError: false, fixed: 0, worst: -1, coverage: [] };
  if (baseline) {
    r.findings = r.findings.filter((f) => !baseline.has(f.fingerprint));
    // A file that could not be read, or a fix that could not be written, is this run's error, not
    // an accepted finding: a baseline made while the file was unreadable must not pass it as clean.
    r.problems = r.problems.filter((f) => (f.ruleId === 'file.io' && f.severity === 'error') || !baseline.has(f.fingerprint));
  }
  let worst = -1;
  for (const x of r.findings) worst = Math.max(worst, RANK[x.severity]);
  for (const x of r.problems) worst = Math.max(worst, RANK[x.severity]);
  const { coverage, policy, ...rest } = r;
  return {
    skipped: false,
    ioError: r.problems.some((p) => p.ruleId === 'file.io' && p.severity === 'error'),
    fixed: r.fixed ?? 0,
    worst,
    coverage,
    ...(policy ? { policy } : {}),
    report: { ...rest, coverage: [] },
  };
}

function walkProblemReport(job: Job): FileReport {
  const p = job.problem as NonNullable<Job['problem']>;
  return {
    path: job.display,
    format: 'unknown',
    encoding: 'binary',
    settings: [],
    findings: [],
    problems: [{ ruleId: 'file.io', severity: p.severity, message: p.message, fingerprint: fingerprint(['file.io', job.display, 'link']) }],
    suppressed: [],
    coverage: [],
  };
}

/**
 * --fix: a later path to a file this run already has (a repeated argument, a folder link): the same
 * device and inode. It is scanned and fixed once, under the first path; a second fix would see its
 * own write as a change on disk (the bytes of the second path may have been read before it).
 */
function sameFileReport(display: string, first: string): FileReport {
  return {
    path: display,
    format: 'unknown',
    encoding: 'binary',
    settings: [],
    findings: [],
    problems: [{ ruleId: 'file.io', severity: 'info', message: `The same file as ${first} (same device and inode): with --fix it is scanned and fixed once, under that path.`, fingerprint: fingerprint(['file.io', display, 'same-file']) }],
    suppressed: [],
    coverage: [],
  };
}

function runJob(job: Job, baseline: ReadonlySet<string> | undefined): Outcome {
  const read = job.read;
  // Bytes that came over a thread boundary arrive as a plain Uint8Array.
  if (read?.kind === 'ok' && !Buffer.isBuffer(read.bytes)) {
    const u8 = read.bytes as Uint8Array;
    read.bytes = Buffer.from(u8.buffer, u8.byteOffset, u8.length);
  }
  job.read = undefined;
  return outcomeOf(job.problem ? walkProblemReport(job) : scanOne(job.file, job.display, job.gpo, job.opts, read, job.opts.fix ? baseline : undefined), job, baseline);
}

/** A worker thread died (out of memory, a crash): the report would be incomplete, so the scan stops with exit 2. */
class WorkerCrash extends Error {}

/** Heap of each worker thread, so that running out of memory ends that worker (reported) instead of the process. */
function workerHeapMb(): number {
  const n = Number(process.env.RELAYLINT_WORKER_HEAP_MB);
  return Number.isInteger(n) && n >= 8 ? n : 768;
}

/**
 * Runs scanOne on worker threads. Work goes out in batches of files (one message per batch, not per
 * file: a GPO file takes well under a millisecond, so per-message costs would dominate) and results
 * come back per batch; the caller consumes them in submission order.
 */
class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; jobs: Job[] }[] = [];
  private readonly waiting = new Map<number, { resolve: (r: Outcome[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private crashed: Error | undefined;
  private closing = false;

  constructor(size: number, baseline: ReadonlySet<string> | undefined) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(__filename, {
        workerData: { relaylintWorker: true, baseline: baseline ? [...baseline] : undefined },
        resourceLimits: { maxOldGenerationSizeMb: workerHeapMb(), maxYoungGenerationSizeMb: 12 },
      });
      w.on('message', (m: { id: number; outcomes: Outcome[] }) => {
        this.waiting.get(m.id)?.resolve(m.outcomes);
        this.waiting.delete(m.id);
        this.next(w);
      });
      w.on('error', (e) => this.crash(new WorkerCrash(`a scanning thread failed: ${(e as Error).message}`)));
      w.on('exit', (code) => {
        if (!this.closing) this.crash(new WorkerCrash(`a scanning thread stopped unexpectedly (exit code ${code})`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private next(w: Worker): void {
    const batch = this.queue.shift();
    if (batch) w.postMessage(batch);
    else this.idle.push(w);
  }

  private crash(e: Error): void {
    this.crashed ??= e;
    for (const w of this.waiting.values()) w.reject(this.crashed);
    this.waiting.clear();
  }

  run(jobs: Job[]): Promise<Outcome[]> {
    return new Promise((resolve, reject) => {
      if (this.crashed) return reject(this.crashed);
      const batch = { id: this.nextId++, jobs };
      this.waiting.set(batch.id, { resolve, reject });
      const w = this.idle.pop();
      if (w) w.postMessage(batch);
      else this.queue.push(batch);
    });
  }

  /** Whether a worker is waiting for work. */
  get hasIdle(): boolean {
    return this.idle.length > 0;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Names a scan reads in a folder: GPO exports, event logs (EVTX, and CSV by content) and LDIF
 * topology by extension, config files, and SharpHound's own file and zip names (`EXPORT_NAME`).
 */
const CANDIDATE_NAME = /\.(inf|reg|xml|pol|evtx|csv|ldf|ldif)$|(^|[\\/])(relaylint|package)\.json$/i;
const isInputName = (file: string) => CANDIDATE_NAME.test(file) || EXPORT_NAME(path.basename(file));

/**
 * Refuse `--output` when it is one of the inputs: the report would replace a file being scanned,
 * or `others` (the config file that applies to a root, `--config`, `--topology`), which are
 * truncated before they are read.
 */
function checkOutputNotInput(output: string, roots: readonly string[], others: readonly [string, string][]): void {
  const out = inodeOf(output);
  if (!out) return;
  for (const [other, what] of others) {
    const o = inodeOf(other);
    if (o && o.dev === out.dev && o.ino === out.ino) throw new UsageError(`--output ${output} is the ${what} ${displayPath(other)}, which this scan reads; write the report somewhere else`);
  }
  let outReal: string;
  try {
    outReal = fs.realpathSync.native(output);
  } catch {
    return;
  }
  for (const root of roots) {
    let st: fs.Stats;
    let real: string;
    try {
      st = fs.statSync(root);
      real = fs.realpathSync.native(root);
    } catch {
      continue;
    }
    const same = st.isFile() && st.dev === out.dev && st.ino === out.ino;
    const within = st.isDirectory() && isInputName(outReal) && outReal.startsWith(real.endsWith(path.sep) ? real : real + path.sep);
    if (same || within) throw new UsageError(`--output ${output} is ${same ? 'one of the files' : 'inside a folder'} being scanned; write the report somewhere else`);
  }
}

/** gpos/scopes of the set results, when the scan computed them (the posture page reads them). */
function postureScopes(set: object): { gpos?: never[]; scopes?: never[]; topology?: never } {
  const s = set as { gpos?: never[]; scopes?: never[]; topology?: never };
  // The topology section too: its errors head the page (a refused export leaves scopes out).
  return { ...(s.scopes ? { gpos: s.gpos, scopes: s.scopes } : {}), ...(s.topology ? { topology: s.topology } : {}) };
}

/** The HTML posture report (its own constructor options) behind the reporter interface. */
function htmlReporter(h: HtmlReporter, coverage: CoverageAccumulator): Reporter {
  return {
    begin: (meta) => h.begin({ version: meta.tool.version, role: meta.options.role, targetOs: meta.options.targetOs }),
    file: (result) => h.file(result),
    // The posture page always takes the coverage, also with --no-coverage.
    end: (set) => h.end({ coverage: coverage.result(), ...postureScopes(set), ...(set.readiness ? { evidence: set.evidence, readiness: set.readiness } : {}), summary: { files: set.summary.files, skipped: set.summary.skipped, seconds: Number(set.summary.seconds.toFixed(3)), errors: set.summary.errors } }),
  };
}

function configFor(args: ScanArgs): CliConfig {
  if (args.configFile && args.noConfig) throw new UsageError('--config and --no-config cannot be used together');
  return new CliConfig(
    { configFile: args.configFile, noConfig: args.noConfig, role: args.roleFlag, targetOs: args.targetOsFlag, base: args.lint, today: todayIso() },
    (m) => process.stderr.write(`${m}\n`),
  );
}

/** --show-config: which config file and options apply to each file that would be scanned. */
function showConfig(args: ScanArgs): number {
  const cfg = configFor(args);
  const errors: WalkError[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const entry of walk(args.paths, errors)) {
    const rel = path.relative(process.cwd(), entry.path);
    const display = (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : entry.path).split(path.sep).join('/');
    const row = describeFileConfig(display, cfg.forFile(entry.path));
    if (args.format === 'json') rows.push(row);
    else process.stdout.write(showConfigText(row));
  }
  if (args.format === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  for (const e of errors) process.stderr.write(`relaylint: ${escapeControls(e.path)}: ${escapeControls(e.message)}\n`);
  return errors.length || cfg.invalid ? 2 : 0;
}

async function scan(args: ScanArgs): Promise<number> {
  if (args.showConfig) return showConfig(args);
  const cliConfig = configFor(args);
  const started = process.hrtime.bigint();
  const baseline = args.baseline ? loadBaseline(args.baseline) : undefined;
  let outFd: number | undefined;
  if (args.output) {
    const others = [...(args.configFile ? [args.configFile] : []), ...appliedConfigs(cliConfig, args.paths)].map((c): [string, string] => [c, 'config file']);
    const logs = (args.posture?.evidence ?? []).map((e): [string, string] => [e, 'event log']);
    checkOutputNotInput(args.output, args.paths, [...others, ...args.topology.map((t): [string, string] => [t, 'topology file']), ...logs]);
    try {
      outFd = openOutput(args.output);
    } catch (e) {
      throw new UsageError(`cannot write ${args.output}: ${(e as Error).message}`);
    }
  }
  // Buffered writes: one syscall per ~256 KB, not per line. Text is encoded straight into one
  // reused buffer (no string concatenation, no buffer per write).
  const out = Buffer.allocUnsafe(256 * 1024);
  let used = 0;
  let closed = false;
  const send = (data: Buffer, length: number) => {
    let off = 0;
    while (off < length && !closed) {
      try {
        off += fs.writeSync(outFd ?? 1, data, off, length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A reader that went away (`relaylint scan … | head`) is not an error of ours.
        if (code === 'EPIPE') {
          closed = true;
          return;
        }
        // A non-blocking pipe that is full: wait a moment for the reader.
        if (code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      }
    }
  };
  const flush = () => {
    if (used) send(out, used);
    used = 0;
  };
  const write = (s: string) => {
    if (closed) return;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair 4 bytes for 2 units).
    if (s.length * 3 > out.length - used) {
      flush();
      if (s.length * 3 > out.length) {
        const data = Buffer.from(s, 'utf8');
        send(data, data.length);
        return;
      }
    }
    used += out.write(s, used, 'utf8');
  };

  const coverage = new CoverageAccumulator(args.lint);
  const policySet = new PolicySetBuilder();
  const evidence = new EvidenceCollector({ now: Date.now() });
  const configsSeen = new Map<string, LoadedConfig>();
  /** The config files found next to the scanned files (not named by --config): files scanned and ignored under each. */
  const configUse = new Map<LoadedConfig, { files: number; ignored: number }>();
  const reporter: Reporter =
    args.format === 'html'
      ? htmlReporter(new HtmlReporter(write, { version: VERSION, role: args.lint.role, targetOs: args.lint.targetOs }, args.posture ?? { topology: [], evidence: [], paths: args.paths }), coverage)
      : createReporter(args.format, write);
  reporter.begin({
    tool: { name: 'relaylint', version: VERSION },
    options: args.lint,
    rootUri: pathToFileURL(process.cwd() + path.sep).href,
    color: args.color,
    baseline: !!baseline,
    fix: args.fix,
  });

  const errors: WalkError[] = [];
  let files = 0;
  /** Files read as a GPO export format (not unknown, not unreadable): the audit switches come only from these. */
  let gpoExports = 0;
  let skipped = 0;
  let fixed = 0;
  let worst = -1;
  let ioError = false;
  let bytesSeen = 0;
  const progress = isTty('stderr') && args.format !== 'text' ? true : isTty('stderr') && !!args.output;
  let lastProgress = 0;

  const consume = (o: Outcome) => {
    if (o.skipped) {
      skipped++;
      return;
    }
    files++;
    if (o.report && o.report.format !== 'unknown') gpoExports++;
    if (o.ioError) ioError = true;
    fixed += o.fixed;
    worst = Math.max(worst, o.worst);
    coverage.add(o.coverage);
    if (o.policy) policySet.add(o.policy);
    if (o.report) reporter.file(o.report);
    if (progress) {
      const now = Date.now();
      if (now - lastProgress > 100) {
        lastProgress = now;
        process.stderr.write(`\r\u001b[Kscanning: ${files} files, ${(bytesSeen / 1048576).toFixed(1)} MB`);
      }
    }
  };

  const display = displayPath;
  // The reading thread starts on the walk now and reads ahead while the topology is loaded here.
  const consumer = feedPort ? new FeedConsumer(feedPort, args.paths).start() : undefined;
  // Topology first: which GPOs apply nowhere is needed while the files are judged.
  // --topology wins; else the `topology` paths of the config that applies to each scanned path.
  const topologyFiles = args.topology.length ? args.topology : configTopology(cliConfig, args.paths);
  const topology = await loadTopology(topologyFiles, args.paths, display);
  errors.push(...topology.errors);
  const reach = topologyReach(topology.parts);
  const opts: ScanOneOptions = { lint: args.lint, fix: args.fix, unsafeFixes: args.unsafeFixes, allSettings: !!args.allSettings, ...(reach ? { reach } : {}) };
  // The walk, the GPO metadata and the reads run on the reading thread when there is one (they
  // overlap with the parsing here); else here, one file at a time.
  const entries: Iterable<FeedEntry> | AsyncIterable<FeedEntry> = consumer ? consumer.entries(errors) : feed(args.paths, errors);
  // Small scans stay on this thread. Past POOL_AFTER files, jobs - 1 worker threads join in and this
  // thread keeps working too: a batch goes to an idle worker, or else is scanned here. That balances
  // itself, and one isolate fewer keeps memory down.
  const POOL_AFTER = 48;
  const BATCH = 32;
  let pool: Pool | undefined;
  const pending: Promise<Outcome[]>[] = [];
  let batch: Job[] = [];
  const drainHead = async () => {
    for (const o of await (pending.shift() as Promise<Outcome[]>)) consume(o);
  };
  const dispatch = async (jobs: Job[]) => {
    if (pool?.hasIdle) pending.push(pool.run(jobs));
    else pending.push(Promise.resolve(jobs.map((j) => runJob(j, baseline))));
    while (pending.length > args.jobs * 2) await drainHead();
  };
  let id = 0;
  /** --fix: the first path of each file (device:inode) this run scans. */
  const firstPathOf = new Map<string, string>();
  let lastConfig: ReturnType<CliConfig['forFile']> | undefined;
  let lastOpts: ScanOneOptions = opts;
  try {
    for await (const entry of entries) {
      if (progress) bytesSeen += entry.read?.kind === 'ok' ? entry.read.bytes.length : 0;
      const fileConfig = cliConfig.forFile(entry.path, entry.configFrom);
      if (fileConfig.config?.config && !args.configFile) {
        const use = configUse.get(fileConfig.config) ?? { files: 0, ignored: 0 };
        configUse.set(fileConfig.config, use);
        if (fileConfig.ignored) use.ignored++;
        else use.files++;
      }
      if (fileConfig.ignored) {
        if (entry.explicit) process.stderr.write(`relaylint: ${escapeControls(entry.display)}: not scanned, the config file ${escapeControls(fileConfig.config?.path ?? '')} ignores it\n`);
        skipped++;
        continue;
      }
      if (fileConfig.config) configsSeen.set(fileConfig.config.path, fileConfig.config);
      const shown = entry.display;
      // Event-log exports (issue 12) are read here, by content, and never reach the GPO scan.
      const ev = entry.problem ? undefined : tryEvidence(evidence, entry.path, shown, entry.explicit, entry.read);
      if (ev) {
        if (ev.problems.some((p) => p.severity === 'error')) worst = Math.max(worst, RANK.error);
        continue;
      }
      if (args.fix && entry.read?.kind === 'ok') {
        const key = `${entry.read.id.dev}:${entry.read.id.ino}`;
        const first = firstPathOf.get(key);
        if (first !== undefined) {
          consume(outcomeOf(sameFileReport(shown, first), entry, baseline));
          continue;
        }
        firstPathOf.set(key, shown);
      }
      const gpo = entry.gpo;
      if (fileConfig !== lastConfig) {
        lastConfig = fileConfig;
        lastOpts = { ...opts, lint: fileConfig.lint };
      }
      const job: Job = {
        id: id++,
        file: entry.path,
        display: shown,
        explicit: entry.explicit,
        gpo,
        opts: lastOpts,
        ...(entry.problem ? { problem: entry.problem } : {}),
        ...(entry.read ? { read: entry.read } : {}),
      };
      if (!pool && args.jobs > 1 && id > POOL_AFTER) pool = new Pool(args.jobs - 1, baseline);
      if (pool) {
        // Kept for later: the bytes leave the feed's shared buffer (it is reused once this entry
        // is done), and go to a worker on their own, not with the whole buffer.
        if (job.read?.kind === 'ok') job.read = { ...job.read, bytes: new Uint8Array(job.read.bytes) as Buffer };
        batch.push(job);
        if (batch.length === BATCH) {
          await dispatch(batch);
          batch = [];
        }
      } else {
        consume(runJob(job, baseline));
      }
    }
    if (batch.length) await dispatch(batch);
    while (pending.length) await drainHead();
  } catch (e) {
    if (!(e instanceof WorkerCrash)) throw e;
    await pool?.close();
    flush();
    if (outFd !== undefined) fs.closeSync(outFd);
    if (progress) process.stderr.write('\r\u001b[K');
    process.stderr.write(`relaylint: ${e.message}; the scan was stopped and its report is incomplete (try --jobs 1, or more memory)\n`);
    return 2;
  }
  // The `evidence` locations of the config files that applied and of `report --evidence` (files
  // already read are not read twice).
  const evidenceRead = new Set(evidence.files.map((f) => f.path));
  const evidenceRoots = [...(args.posture?.evidence ?? []), ...[...configsSeen.values()].flatMap((cfg) => configLocations(cfg).evidence)];
  if (evidenceRoots.length) {
    for (const e of walk(evidenceRoots, errors)) {
      const d = display(e.path);
      if (evidenceRead.has(d)) continue;
      evidenceRead.add(d);
      const ev = tryEvidence(evidence, e.path, d, e.explicit);
      if (ev?.problems.some((p) => p.severity === 'error')) worst = Math.max(worst, RANK.error);
    }
  }
  await pool?.close();
  if (progress) process.stderr.write('\r\u001b[K');

  for (const [cfg, use] of configUse) {
    const notice = configNotice(display(cfg.path), cfg, use.files, use.ignored);
    if (notice) process.stderr.write(`${escapeControls(notice)}\n`);
  }
  for (const e of errors) {
    ioError = true;
    process.stderr.write(`relaylint: ${escapeControls(e.path)}: ${escapeControls(e.message)}\n`);
  }
  if (cliConfig.invalid) ioError = true;
  const cov = args.coverage && files > 0 ? coverage.result() : undefined;
  // The effective policy per scope: its scopes are computed as each output reads them (ScopeRun).
  const effStarted = process.hrtime.bigint();
  const effStream = effectivePolicyStream(policySet.build(), topology.parts, { targetOs: args.lint.targetOs });
  const effective = effStream ? new ScopeRun(effStream, process.hrtime.bigint() - effStarted) : undefined;
  // With scopes, readiness is judged per OU and domain: the servers the topology puts there, the
  // rules of its role and the audit switches that apply there (issue 12). The scopes it needs are
  // noted by the pass that writes (or keeps) the scopes, so it is judged once that pass is done:
  // every output writes the readiness section after the scopes.
  if (effective && evidence.files.length) effective.collectReadiness();
  let readiness: Readiness[] | undefined;
  const judgeReadiness = (): Readiness[] => {
    if (readiness) return readiness;
    const scopesForReadiness = effective ? effective.readinessScopes() : [];
    readiness = evidence.judge({
      windowDays: Number.isFinite(parseWindow(args.posture?.window)) ? (parseWindow(args.posture?.window) as number) : args.window,
      // Only when a GPO export was scanned: a stray file of no GPO format says nothing about the switches.
      auditSwitches: auditSwitchesFrom(gpoExports > 0 ? (cov ?? coverage.result()) : undefined),
      skipRules: args.lint.role === 'member' && !scopesForReadiness.length ? new Set(evidence.ruleIds().filter((id) => settingRuleById(id)?.dcOnly)) : undefined,
      ...(scopesForReadiness.length ? { scopes: scopesForReadiness } : {}),
    });
    return readiness;
  };
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The posture page and SARIF (its readiness results look up each scope's winners) keep every
  // scope; JSON and text write each one as it is computed.
  const kept = effective && (args.format === 'html' || args.format === 'sarif') ? effective.materialised() : undefined;
  if (effective && args.format === 'text') scopeText(effective.view(), write, colors(args.color));
  if (effective && reporter instanceof ScopeSarif) for (const r of scopeSarifResults(kept ?? effective.view())) reporter.addResult(r);
  const scopeSet = effective ? scopeSections(kept ?? effective.view(), topology.parts) : {};
  const endSet: Partial<SetResults> = { coverage: cov, ...scopeSet };
  if (evidence.files.length) {
    endSet.evidence = evidence.files;
    // Judged when the output reaches it, after the scopes (JSON writes `scopes` before `readiness`).
    Object.defineProperty(endSet, 'readiness', { enumerable: true, get: judgeReadiness });
  }
  endSet.summary = { files, skipped, seconds, fixed, errors: errors.length, ioError };
  reporter.end(endSet as SetResults);
  if (effective) worst = Math.max(worst, effective.worst());
  flush();
  if (outFd !== undefined) fs.closeSync(outFd);
  // `npm run bench` reads this line to time the effective-policy computation alone.
  if (process.env.RELAYLINT_TIMING === '1' && effective) {
    process.stderr.write(`relaylint: timing: effective policy ${effective.ms.toFixed(1)} ms, ${effective.scopes} scopes, ${effective.results} scope-rule results\n`);
  }

  if (ioError) return 2;
  if (args.failOn === 'never') return 0;
  return worst >= RANK[args.failOn] ? 1 : 0;
}

/** The config file that applies to each scanned path (a file, or the files of a folder), once each. */
function rootConfigs(cliConfig: CliConfig, roots: readonly string[]): LoadedConfig[] {
  const out: LoadedConfig[] = [];
  for (const root of roots) {
    let isDir = false;
    try {
      isDir = fs.statSync(root).isDirectory();
    } catch {
      continue;
    }
    const c = cliConfig.forFile(path.resolve(isDir ? path.join(root, '.relaylint-probe') : root)).config;
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

/** The config files that apply to the scanned paths. */
function appliedConfigs(cliConfig: CliConfig, roots: readonly string[]): string[] {
  return [...new Set(rootConfigs(cliConfig, roots).map((c) => c.path))];
}

/** The `topology` paths of the config files that apply to the scanned paths, resolved against each config's folder. */
function configTopology(cliConfig: CliConfig, roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of rootConfigs(cliConfig, roots)) {
    for (const t of c.config?.topology ?? []) {
      const p = path.relative(process.cwd(), path.resolve(c.dir, t)) || t;
      if (!out.includes(p)) out.push(p);
    }
  }
  return out;
}

function listRules(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { format: { type: 'string' } }, strict: true });
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  if (format === 'json') {
    const rows = allRules.map((r) => ({
      id: r.id,
      title: r.title,
      category: r.category,
      severity: r.severity,
      ...(isSettingRule(r) ? { displayName: r.displayName, registry: r.locations.map((l) => `${l.hive}\\${l.key}\\${l.name}`), secure: r.secure } : {}),
    }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const w = Math.max(...allRules.map((r) => r.id.length));
  for (const r of allRules) process.stdout.write(`${r.id.padEnd(w)}  ${r.severity.padEnd(7)}  ${r.title}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === '--version' || cmd === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    // `relaylint scan --help`, as most tools take it (an argument after `--` is a path).
    const options = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
    if ((cmd === 'scan' || cmd === 'report' || cmd === 'rules') && (options.includes('--help') || options.includes('-h'))) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (cmd === 'scan') return await scan(parseScanArgs(rest));
    if (cmd === 'report') {
      const r = reportArgv(rest);
      return await scan({ ...parseScanArgs(r.scanArgv, 'report'), posture: r.posture });
    }
    if (cmd === 'rules') return listRules(rest);
    throw new UsageError(`unknown command "${cmd}"`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof BaselineError || e instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // A baseline's or config file's JSON error quotes the file's first bytes: escaped, never raw.
      process.stderr.write(`relaylint: ${escapeControls((e as Error).message)}\nRun "relaylint --help" for usage.\n`);
      return 2;
    }
    process.stderr.write(`relaylint: internal error: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

const scanData = (workerData as { relaylintScan?: { argv: string[]; feed?: MessagePort } } | undefined)?.relaylintScan;
/** On the scan thread: the reading thread's channel, which walks and reads the folders for it. */
const feedPort = !isMainThread && scanData ? scanData.feed : undefined;
if (!isMainThread && parentPort && scanData) {
  const port = parentPort;
  main(scanData.argv).then(
    (exitCode) => port.postMessage({ exitCode }),
    (e) => {
      process.stderr.write(`relaylint: internal error: ${(e as Error).stack ?? e}\n`);
      port.postMessage({ exitCode: 2 });
    },
  );
} else if (!isMainThread && parentPort) {
  const port = parentPort;
  const list = (workerData as { baseline?: string[] } | undefined)?.baseline;
  const baseline = list ? new Set(list) : undefined;
  port.on('message', (batch: { id: number; jobs: Job[] }) => {
    // Test hook: run this thread out of memory, as a hostile file could.
    if (process.env.RELAYLINT_TEST_WORKER_FAULT === 'oom') {
      const hog: string[][] = [];
      for (;;) hog.push(new Array(1e5).fill('x'.repeat(16) + hog.length));
    }
    port.postMessage({ id: batch.id, outcomes: batch.jobs.map((job) => runJob(job, baseline)) });
  });
} else if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`relaylint: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
