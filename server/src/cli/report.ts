/**
 * One file → a plain, serialisable report (what the JSON output prints, what SARIF and the text
 * output are built from, and what a worker thread sends back). Holds no reference to the parsed
 * file, so a scan of a whole SYSVOL keeps only these small records until they are printed.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { boundFindings, FINDING_LIMITS } from '../core';
import { CoverageSource, coverageSources } from '../core';
import { appliesNowhereFindings, filePolicy, type FilePolicy, type TopologyReach } from '../core';
import { fixAllEdits, isPolicyJudgement, lintJudged, type Judged } from '../core';
import { displayKey } from '../core';
import { LIMITS } from '../core';
import { parseBytes, providerOf, type ParseByteSource as ByteSource } from '../core';
import { applyEditsToBytes, decode, lineIndexFor, viewLineIndex, type LineIndex } from '../core';
import type { Encoding, FileFormat, Finding, LintOptions, ParsedFile, ParseOptions, RegData, Severity, Span } from '../core';
import { gpoContextOf, type GpoContext, type GpoFolderIdentity } from '../io/gpo-context';
import { readRegular, writeAtomic, WriteSkipped, type ReadResult } from '../io/safe-fs';

export interface Region {
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Binary files: byte offset instead of line/column. */
  offset?: number;
}

export interface JsonSetting extends Region {
  key: string;
  name: string;
  type: string | null;
  value: RegData;
  state: string;
  origin: string;
  gpo?: string;
}

export interface JsonEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface JsonFix {
  title: string;
  kind: string;
  preferred: boolean;
  edits: JsonEdit[];
}

export interface JsonFinding extends Region {
  ruleId: string;
  severity: Severity;
  message: string;
  key?: string;
  name?: string;
  fixable: boolean;
  fingerprint: string;
  fixes?: JsonFix[];
  related?: (Region & { message: string })[];
  suppressed?: { reason: string };
}

export interface JsonProblem extends Region {
  ruleId: string;
  severity: Severity;
  message: string;
  fingerprint: string;
}

export interface FileReport {
  path: string;
  format: FileFormat;
  encoding: Encoding;
  gpo?: GpoContext;
  settings: JsonSetting[];
  findings: JsonFinding[];
  problems: JsonProblem[];
  /** Findings suppressed inline with a reason (not counted, listed for auditors). */
  suppressed: JsonFinding[];
  /** Number of fixes written by --fix. */
  fixed?: number;
  /** Sources for the set-level coverage, merged by the caller. */
  coverage: [string, CoverageSource][];
  /** The file's part of the policy set (GPOs and relay-relevant values), merged by the caller. */
  policy?: FilePolicy;
}

function lineColumn(index: LineIndex, offset: number): { line: number; column: number } {
  const p = index.positionAt(offset);
  return { line: p.line + 1, column: p.character + 1 };
}

function region(index: LineIndex, span: Span, offset?: number): Region {
  if (offset !== undefined) return { offset };
  const a = index.positionAt(span.start);
  const b = index.positionAt(span.end);
  return { line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
}

/** A line index that is built only when a position is asked for (`positionAt` is all the report needs). */
function lazyLineIndex(text: string): LineIndex {
  let built: LineIndex | undefined;
  return { positionAt: (offset: number) => (built ??= lineIndexFor(text)).positionAt(offset) } as unknown as LineIndex;
}

/** One-shot SHA-256 (Node 20.12+), else a Hash object: the same digest. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * The path as fingerprints hold it: `/` between folders on every system, so a baseline made on
 * Windows matches on Linux. On Linux and macOS a backslash inside a name stays a character
 * (written `%5C`), so `back\\slash.reg` and `back/slash.reg` are two files with two fingerprints.
 */
export function fingerprintPath(displayPath: string): string {
  return displayPath.replace(/\\/g, path.sep === '\\' ? '/' : '%5C');
}

/** Stable across line moves and value edits: rule, file, registry value and its occurrence number. */
export function fingerprint(parts: string[]): string {
  const data = parts.join('\u0000');
  return (oneShotHash ? oneShotHash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex')).slice(0, 32);
}

function findingKey(f: Finding): string {
  return f.setting ? `${displayKey(f.setting.hive, f.setting.key)}\\${f.setting.name}`.toLowerCase() : f.message;
}

/** Findings that are problems with the file itself: listed under `problems`, not `findings`. */
const PROBLEM_CODES: ReadonlySet<string> = new Set(['file.parse', 'file.encoding', 'file.duplicate', 'file.limit', 'file.unsafe-xml', 'file.unknown', 'file.io']);

/**
 * The fingerprints of one file's findings, in the order they are given: rule, file, registry value
 * (or a problem's message) and its occurrence number among the findings before it.
 */
function fingerprinter(displayPath: string): (f: Finding) => string {
  const occurrences = new Map<string, number>();
  const fpPath = fingerprintPath(displayPath);
  return (f) => {
    const key = PROBLEM_CODES.has(f.ruleId) ? f.message : findingKey(f);
    const id = `${f.ruleId}|${key}`;
    const n = (occurrences.get(id) ?? 0) + 1;
    occurrences.set(id, n);
    return fingerprint([f.ruleId, fpPath, key, String(n)]);
  };
}

export function buildReport(
  displayPath: string,
  file: ParsedFile,
  findings: Finding[],
  gpo: GpoContext | undefined,
  options: LintOptions,
  scope?: { identity?: GpoFolderIdentity; reach?: TopologyReach },
  /** The `judgeFile(file, options)` result the findings came from (`lintJudged`): coverage and policy reuse it. */
  judged?: readonly Judged[],
): FileReport {
  // Built on first use: results of binary files (.pol) are located by byte offset and never need it.
  const index = file.viewLines ? viewLineIndex(file.viewLines) : lazyLineIndex(file.text);
  const binary = !!providerOf(file.format)?.binary;
  const fp = fingerprinter(displayPath);

  // Consecutive values of one key share one display string (a huge file repeats the same key).
  let lastKey: string | undefined;
  let lastHive: string | undefined;
  let lastDisplay = '';
  const settings: JsonSetting[] = file.settings.map((s) => {
    if (s.key !== lastKey || s.hive !== lastHive) {
      lastKey = s.key;
      lastHive = s.hive;
      lastDisplay = displayKey(s.hive, s.key);
    }
    const out: JsonSetting = {
      key: lastDisplay,
      name: s.name,
      type: s.type,
      value: s.value,
      state: s.state,
      ...(binary ? { offset: s.offset } : lineColumn(index, s.span.start)),
      origin: s.origin,
    };
    if (s.gpo?.name) out.gpo = s.gpo.name;
    return out;
  });

  // GPOs whose values apply nowhere: an info finding on the file, and no coverage credit.
  const nowhere = scope ? appliesNowhereFindings(file, scope.identity, scope.reach) : undefined;
  if (nowhere?.findings.length) findings = [...findings, ...nowhere.findings];

  const problems: JsonProblem[] = [];
  const active: JsonFinding[] = [];
  const suppressed: JsonFinding[] = [];
  for (const f of findings) {
    if (PROBLEM_CODES.has(f.ruleId)) {
      problems.push({ ruleId: f.ruleId, severity: f.severity, message: f.message, ...region(index, f.span, f.offset), fingerprint: fp(f) });
      continue;
    }
    const jf: JsonFinding = {
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      ...(f.setting ? { key: displayKey(f.setting.hive, f.setting.key), name: f.setting.name } : {}),
      ...region(index, f.span, f.offset),
      fixable: f.fixes.some((x) => x.isPreferred),
      fingerprint: fp(f),
    };
    if (f.fixes.length) {
      jf.fixes = f.fixes.map((x) => ({
        title: x.title,
        kind: x.kind,
        preferred: !!x.isPreferred,
        edits: x.edits.map((e) => {
          const a = index.positionAt(e.start);
          const b = index.positionAt(e.end);
          return { line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1, newText: e.newText };
        }),
      }));
    }
    if (f.related?.length) jf.related = f.related.map((r) => ({ ...region(index, r.span), message: r.message }));
    if (f.suppressed) {
      jf.suppressed = { reason: f.suppressed.reason };
      suppressed.push(jf);
    } else active.push(jf);
  }

  const coverage = coverageSources(displayPath, file, index, options, nowhere?.skip, judged);
  const report: FileReport = { path: displayPath, format: file.format, encoding: file.encoding, ...(gpo ? { gpo } : {}), settings, findings: active, problems, suppressed, coverage };
  if (scope) report.policy = filePolicy(displayPath, file, scope.identity, index, judged && isPolicyJudgement(file, options) ? judged : undefined);
  return report;
}

export interface ScanOneOptions {
  lint: LintOptions;
  fix: boolean;
  /** What the topology says about which GPOs apply anywhere. */
  reach?: TopologyReach;
  /** With `fix`: apply unsafe (enforcing) fixes too (`--unsafe-fixes`). */
  unsafeFixes?: boolean;
  /** List every registry value in `settings` (`--all-settings`); by default only the relay-relevant ones. */
  allSettings?: boolean;
}

function problemOnly(displayPath: string, ruleId: 'file.io' | 'file.limit', message: string, offset?: number): FileReport {
  // Same fingerprints as before this helper existed, so baselines keep matching.
  const fp = ruleId === 'file.io' ? fingerprint([ruleId, displayPath]) : fingerprint([ruleId, fingerprintPath(displayPath), message, '1']);
  return {
    path: displayPath,
    format: 'unknown',
    encoding: 'binary',
    settings: [],
    findings: [],
    problems: [{ ruleId, severity: 'error', message, ...(offset !== undefined ? { offset } : {}), fingerprint: fp }],
    suppressed: [],
    coverage: [],
  };
}

/**
 * Read, parse, lint (and with --fix, rewrite) one file. Never throws: I/O errors become a `file.io`
 * problem. `preRead`: the file as `readRegular` already read it (the CLI's reading thread).
 */
export function scanOne(filePath: string, displayPath: string, identity: GpoFolderIdentity | undefined, opts: ScanOneOptions, preRead?: ReadResult, accepted?: ReadonlySet<string>): FileReport {
  const gpo = gpoContextOf(identity);
  // The size is checked on the open descriptor before a byte is read; FIFOs and devices are refused.
  const read = preRead ?? readRegular(filePath, LIMITS.maxFileBytes);
  if (read.kind === 'error') return problemOnly(displayPath, 'file.io', `Could not read the file: ${read.code} ${read.message}`.trim());
  if (read.kind === 'not-regular') return problemOnly(displayPath, 'file.io', `Could not read the file: it is ${read.what}, not a regular file.`);
  if (read.kind === 'too-large') {
    return problemOnly(
      displayPath,
      'file.limit',
      `The file is ${read.size} bytes; relaylint reads files up to ${LIMITS.maxFileBytes} bytes (64 MiB). It was not checked.`,
      0,
    );
  }
  const id = read.id;
  // Without --fix the parser takes the bytes over and lets go of them once they are decoded, so a
  // 64 MiB file is not held twice (bytes and text) while it is parsed; --fix needs them for the write.
  const source: ByteSource = { bytes: read.bytes };
  const bytes = opts.fix ? read.bytes : undefined;
  (read as { bytes?: Buffer }).bytes = undefined;
  // A .pol file's text view is only measured: a report locates its results by byte offset.
  const parseOptions: ParseOptions = { settings: opts.allSettings ? 'all' : 'relevant', view: 'none' };
  let parsed = parseBytes(filePath, source, parseOptions);
  // --fix needs every finding's fixes; otherwise only the ones the report can list are built in full.
  const listed = { perRule: FINDING_LIMITS.perRule };
  let { findings, judged } = lintJudged(parsed, opts.lint, opts.fix ? undefined : listed);
  let fixed = 0;
  let writeProblem: string | undefined;
  if (bytes && providerOf(parsed.format)?.editable && parsed.encoding !== 'binary') {
    // `accepted`: the fingerprints of a --baseline. What it accepts is not reported, so not fixed either.
    const fp = accepted ? fingerprinter(displayPath) : undefined;
    const edits = fixAllEdits(fp ? findings.filter((f) => !(accepted as ReadonlySet<string>).has(fp(f))) : findings, { unsafe: !!opts.unsafeFixes });
    if (edits.length) {
      const decoded = decode(bytes);
      // The text the edits were computed on must be the text decode() gives; anything else is a bug, not a write.
      if (decoded.text === parsed.text) {
        const out = applyEditsToBytes(bytes, decoded, edits);
        try {
          writeAtomic(filePath, out, id);
          const preferred = new Set(edits);
          fixed = findings.filter((f) => !f.suppressed && f.fixes.some((x) => x.isPreferred && x.edits.every((e) => preferred.has(e)))).length;
          parsed = parseBytes(filePath, out, parseOptions);
          ({ findings, judged } = lintJudged(parsed, opts.lint, listed));
        } catch (e) {
          writeProblem =
            e instanceof WriteSkipped
              ? `The fixes were not written: ${e.message}. The file was left as it was.`
              : `The fixes could not be written (${(e as NodeJS.ErrnoException).code ?? 'error'}: ${(e as Error).message}); the file was left as it was.`;
        }
      }
    }
  }
  // Every finding is fixed above; the report lists a bounded number per rule and file.
  // The unlisted findings are let go before the report is built.
  findings = boundFindings(findings);
  const report = buildReport(displayPath, parsed, findings, gpo, opts.lint, { identity, reach: opts.reach }, judged);
  if (writeProblem) report.problems.unshift({ ruleId: 'file.io', severity: 'error', message: writeProblem, fingerprint: fingerprint(['file.io', displayPath, 'write']) });
  if (opts.fix) report.fixed = fixed;
  return report;
}
