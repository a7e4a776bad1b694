/**
 * The reporter interface: every output format of `relaylint scan` (text, JSON, SARIF, and HTML
 * next) implements it, and the CLI drives it the same way whatever the format.
 *
 * Call order, exactly once each except `file`:
 *
 *   begin(meta)            before the first file; write any header
 *   file(result)  × N      once per scanned file, in walk order, as soon as it is scanned
 *                          (skipped non-exports are never passed). A reporter that streams writes
 *                          here; one that needs the whole set (HTML) keeps what it needs — keep it
 *                          small: counts, per-rule tallies, the first few locations, never all
 *                          `settings` of every file (55,000 GPOs must stay within the memory target)
 *   end(set)               after the last file; write the set-level sections and close the document
 *
 * Output goes through the `write` function the reporter is built with (buffered by the CLI; it
 * goes to stdout or `--output`). A reporter never writes to a file itself and never throws for bad
 * data in a result: every string in a result comes from a user's file and may hold anything
 * (control characters, markup), so escape it for the target format.
 *
 * `SetResults` is an object so that later set-level sections are additive: today it has
 * `coverage` and `summary`; `gpos`, `scopes`, `evidence`, `readiness` and `posture` will be added as
 * optional fields. A reporter ignores a field it does not know, and renders a field that is absent
 * as "not computed" (e.g. `--no-coverage`).
 *
 * To add a reporter: implement `Reporter` in a file next to this one and add one line to
 * `REPORTERS` in ./index.ts (`--format` takes its names from there); the shared contract in
 * test/unit/reporter-contract.test.ts then runs it (add its row to READ_BACK there).
 */
import type { CoverageEntry } from '../../core';
import type { LintOptions } from '../../core';
import type { FileReport } from '../report';
import type { EvidenceFileSummary, Readiness, TopologyProblem } from '../../core';

export interface RunMeta {
  tool: { name: 'relaylint'; version: string };
  /** Role and target OS the files are judged for. */
  options: LintOptions;
  /** `file:` URI of the working folder; relative paths in results are relative to it. */
  rootUri: string;
  /** Whether the output may use terminal colours (text only). */
  color: boolean;
  /** Only findings that are not in a baseline are reported. */
  baseline: boolean;
  /** `--fix` was given: results carry `fixed` counts. */
  fix: boolean;
}

export interface RunSummary {
  /** Files reported (exports, and files named on the command line). */
  files: number;
  /** Files in folders that turned out not to be Group Policy exports. */
  skipped: number;
  seconds: number;
  /** Findings fixed in place by `--fix`. */
  fixed: number;
  /** Paths given on the command line that could not be walked. */
  errors: number;
  /** Some file or path could not be read or written (the exit code is 2). */
  ioError: boolean;
}

export interface SetResults {
  /** Set-level coverage per setting; undefined with `--no-coverage` or when no file was read. */
  coverage?: CoverageEntry[];
  /** Event-log exports read and the rollout readiness per rule (issue 12), when any export was read. */
  evidence?: EvidenceFileSummary[];
  readiness?: Readiness[];
  /** The topology's sources, lacks and problems, when any topology data was read (core `scopeSections`). */
  topology?: { problems: readonly TopologyProblem[] };
  summary: RunSummary;
}

/** What the scan passes to `Reporter.file` (the per-file result, already filtered by a baseline). */
export type FileResult = FileReport;

export interface Reporter {
  begin(meta: RunMeta): void;
  file(result: FileResult): void;
  end(set: SetResults): void;
}

export type Write = (chunk: string) => void;
