/**
 * The rule engine: parsed file → findings with fixes as data. PLACEHOLDER signatures; being written.
 */
import type { Finding, LintOptions, ParsedFile, TextEdit } from './types';

/** Judge every setting of one file; parse problems become findings of the `file.*` rules. */
export function lint(file: ParsedFile, options: LintOptions): Finding[] {
  void file;
  void options;
  return [];
}

/** The edits of every preferred, non-overlapping fix (what `--fix`, fix-all and fix-on-save apply). */
export function fixAllEdits(findings: readonly Finding[], onlyRule?: string): TextEdit[] {
  void findings;
  void onlyRule;
  return [];
}
