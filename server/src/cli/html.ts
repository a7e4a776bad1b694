/**
 * CLI glue for the posture report: `relaylint report PATH… -o posture.html` and `scan --format html`.
 * The scan pipeline stays as it is; this reporter follows the reporter shape (begin / file / end with
 * the set-level results) and feeds the core generator the JSON-shaped result, so whatever the scan
 * adds to its JSON (`gpos`/`scopes`, `evidence`/`readiness`) reaches the page unchanged.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { posture } from '../core';
import { parseWindow } from './evidence';
import type { FileReport } from './report';

export interface PostureCliOptions {
  /** Drift baseline: an earlier JSON result. */
  driftBaseline?: string;
  topology: string[];
  evidence: string[];
  window?: string;
  paths: string[];
}

export interface ReportMeta {
  version: string;
  role: string;
  targetOs: string;
}

/** Turns `report` arguments into `scan` arguments (format html) plus the posture options. */
export function reportArgv(argv: string[]): { scanArgv: string[]; posture: PostureCliOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      baseline: { type: 'string' },
      topology: { type: 'string', multiple: true },
      evidence: { type: 'string', multiple: true },
      window: { type: 'string' },
      role: { type: 'string' },
      'target-os': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
    },
  });
  const scanArgv = ['--format', 'html', '--fail-on', 'never', ...positionals];
  if (values.output !== undefined) scanArgv.push('--output', values.output);
  if (values.role !== undefined) scanArgv.push('--role', values.role);
  if (values['target-os'] !== undefined) scanArgv.push('--target-os', values['target-os']);
  if (values.jobs !== undefined) scanArgv.push('--jobs', values.jobs);
  for (const t of values.topology ?? []) scanArgv.push('--topology', t);
  // --window goes through scan's own parser, so a bad value is the same usage error (exit 2).
  if (values.window !== undefined) scanArgv.push(`--window=${values.window}`);
  const p: PostureCliOptions = { topology: values.topology ?? [], evidence: values.evidence ?? [], paths: positionals };
  if (values.baseline !== undefined) p.driftBaseline = values.baseline;
  if (values.window !== undefined) p.window = values.window;
  return { scanArgv, posture: p };
}

/** Reads a baseline for drift; a problem text instead of a throw. */
function readBaseline(file: string): { doc?: unknown; problem?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { problem: `Baseline ${file} could not be read: ${(e as Error).message}` };
  }
  try {
    const doc = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    if (doc && typeof doc === 'object' && ('runs' in doc || '$schema' in doc)) {
      return { problem: `Baseline ${file} is a SARIF log; drift needs the JSON result of an earlier scan (relaylint scan … --format json).` };
    }
    if (!doc || typeof doc !== 'object' || (!('coverage' in doc) && !('scopes' in doc))) {
      return { problem: `Baseline ${file} is not a relaylint JSON result (no "coverage" or "scopes").` };
    }
    return { doc };
  } catch (e) {
    return { problem: `Baseline ${file} is not JSON: ${(e as Error).message}` };
  }
}

export class HtmlReporter {
  private files = 0;
  private meta: ReportMeta;
  constructor(
    private readonly write: (s: string) => void,
    meta: ReportMeta,
    private readonly opts: PostureCliOptions,
  ) {
    this.meta = meta;
  }

  /** Reporter shape: begin(meta) / file(result) / end(setResults). The page needs the set-level results first, so nothing is written here. */
  begin(meta?: Partial<ReportMeta>): void {
    if (meta) this.meta = { ...this.meta, ...meta };
  }

  file(r: FileReport): void {
    if (r.format !== 'unknown') this.files++;
  }

  /** `set` is the JSON result without `files` (coverage, and gpos/scopes/evidence/readiness where the scan has them). */
  end(set: Omit<posture.ScanResultJson, 'files' | 'tool' | 'options'>): void {
    const doc: posture.ScanResultJson = {
      tool: { name: 'relaylint', version: this.meta.version },
      options: { role: this.meta.role as never, targetOs: this.meta.targetOs as never },
      ...set,
      summary: { ...(set.summary ?? {}), files: set.summary?.files ?? this.files },
    };
    const input = posture.postureInput(doc, { sharedObjects: true });
    const window = windowText(this.opts.window);
    const current = posture.assess(input, window);
    // SOURCE_DATE_EPOCH (the reproducible-builds convention) pins the time shown, e.g. for the README screenshots.
    const epoch = Number(process.env.SOURCE_DATE_EPOCH);
    const generated = (Number.isFinite(epoch) && process.env.SOURCE_DATE_EPOCH ? new Date(epoch * 1000) : new Date()).toISOString();
    const html: posture.HtmlOptions = { generated, paths: this.opts.paths, window };
    const na: string[] = [];
    // Only what the inputs did not give: the scan computes scopes and readiness whenever data exists.
    if (this.opts.topology.length && !doc.scopes) {
      na.push(`--topology ${this.opts.topology.join(', ')}: no scope could be built from it (see the topology problems of the scan); the page shows the whole scanned set as one scope.`);
    }
    if (this.opts.evidence.length && !doc.readiness) {
      na.push(`--evidence ${this.opts.evidence.join(', ')}: no event export was found there; levels that need evidence stop at L3.`);
    }
    if (na.length) html.notAvailable = na;
    if (this.opts.driftBaseline) {
      const b = readBaseline(this.opts.driftBaseline);
      if (b.problem) html.driftProblem = b.problem;
      else {
        const before = posture.assess(posture.postureInput(b.doc), window);
        html.drift = posture.drift(before, current);
      }
    }
    posture.renderPostureHtml(current, html, this.write);
  }
}

/** The window in days, as scan reads it (`30d`, `12w` = 84 days, `2m` = 60 days); scan has refused any other value. */
function windowText(w: string | undefined): string {
  const days = parseWindow(w) ?? 30;
  return Number.isFinite(days) ? `${days} day${days === 1 ? '' : 's'}` : String(w);
}
