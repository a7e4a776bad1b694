/**
 * The human-readable output: findings per file as they are scanned, then counts per rule and per
 * file, the set-level coverage, and a one-line summary. Colour only on a terminal and never when
 * NO_COLOR is set (https://no-color.org).
 */
import { compareText, escapeControls, type CoverageEntry } from '../core';

// Its home is the core (the posture page escapes with it too); the CLI's modules import it from here.
export { escapeControls };
import type { Severity } from '../core';
import type { FileReport, JsonFinding, JsonProblem } from './report';
import type { Reporter, RunMeta, SetResults } from './reporters/types';
import { readinessText } from './evidence';

export interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  green(s: string): string;
}

export function colors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), yellow: wrap(33, 39), blue: wrap(34, 39), dim: wrap(2, 22), bold: wrap(1, 22), green: wrap(32, 39) };
}

export const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info', 'hint'];

export class TextReporter implements Reporter {
  private readonly perRule = new Map<string, Record<Severity, number>>();
  private readonly perFile: { path: string; counts: Record<Severity, number> }[] = [];
  readonly totals: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  suppressed = 0;
  private roleText = '';
  private c: Colors;

  constructor(
    private readonly out: (s: string) => void,
    c?: Colors,
  ) {
    this.c = c ?? colors(false);
  }

  begin(meta: RunMeta): void {
    this.c = colors(meta.color);
    this.roleText = `role ${meta.options.role}, target ${meta.options.targetOs}${meta.baseline ? ', new findings only' : ''}`;
  }

  file(result: FileReport): void {
    this.add(result);
  }

  end(set: SetResults): void {
    if (set.evidence && set.readiness) this.out(readinessText(set.evidence, set.readiness, this.c));
    const s = set.summary;
    // The inputs' own errors (printed above, and counted by --fail-on): named in the last line too,
    // which would otherwise say "no findings" for a scan that exits 1 on a damaged event log.
    const errors = (xs: readonly { severity: string }[] | undefined) => (xs ?? []).filter((p) => p.severity === 'error').length;
    const inputs = [
      [(set.evidence ?? []).reduce((n, f) => n + errors(f.problems), 0), 'event-log error'],
      [errors(set.topology?.problems), 'topology error'],
    ] as const;
    const inputErrors = inputs.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`);
    this.summary({ files: s.files, skipped: s.skipped, seconds: s.seconds, coverage: set.coverage, fixed: s.fixed, roleText: this.roleText, inputErrors });
  }

  private sev(s: Severity): string {
    const pad = s.padEnd(7);
    return s === 'error' ? this.c.red(pad) : s === 'warning' ? this.c.yellow(pad) : this.c.blue(pad);
  }

  private where(x: JsonFinding | JsonProblem): string {
    return x.offset !== undefined ? `@${x.offset}` : x.line !== undefined ? `${x.line}:${x.column}` : '-';
  }

  add(file: FileReport): void {
    const items = [...file.problems, ...file.findings];
    const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
    this.suppressed += file.suppressed.length;
    if (items.length === 0 && !file.fixed) return;
    const meta = [file.format, file.encoding, ...(file.gpo?.name ? [`GPO "${escapeControls(file.gpo.name)}"`] : [])].join(', ');
    this.out(`${this.c.bold(escapeControls(file.path))} ${this.c.dim(`[${meta}]`)}\n`);
    for (const x of items) {
      counts[x.severity]++;
      this.totals[x.severity]++;
      const r = this.perRule.get(x.ruleId) ?? { error: 0, warning: 0, info: 0, hint: 0 };
      r[x.severity]++;
      this.perRule.set(x.ruleId, r);
      const fixable = 'fixable' in x && x.fixable ? this.c.dim(' (fixable)') : '';
      this.out(`  ${this.where(x).padEnd(9)} ${this.sev(x.severity)} ${escapeControls(x.message)} ${this.c.dim(x.ruleId)}${fixable}\n`);
    }
    if (file.fixed) this.out(`  ${this.c.green(`fixed ${file.fixed} finding${file.fixed === 1 ? '' : 's'} in place`)}\n`);
    this.perFile.push({ path: escapeControls(file.path), counts });
    this.out('\n');
  }

  private countText(c: Record<Severity, number>): string {
    return SEVERITY_ORDER.filter((s) => c[s])
      .map((s) => `${c[s]} ${s}${c[s] === 1 || s === 'info' ? '' : 's'}`)
      .join(', ');
  }

  summary(opts: { files: number; skipped: number; seconds: number; coverage?: CoverageEntry[]; fixed: number; roleText: string; inputErrors?: string[] }): void {
    if (this.perRule.size) {
      this.out(this.c.bold('Findings by rule\n'));
      const rows = [...this.perRule.entries()].sort((a, b) => compareText(a[0], b[0]));
      const w = Math.max(...rows.map(([id]) => id.length));
      for (const [id, c] of rows) this.out(`  ${id.padEnd(w)}  ${this.countText(c)}\n`);
      this.out('\n' + this.c.bold('Findings by file\n'));
      for (const f of this.perFile) if (this.countText(f.counts)) this.out(`  ${f.path}  ${this.countText(f.counts)}\n`);
      this.out('\n');
    }
    if (opts.coverage?.length) {
      this.out(this.c.bold(`Coverage across the scanned files (${opts.roleText})\n`));
      const w = Math.max(...opts.coverage.map((e) => e.ruleId.length));
      for (const e of opts.coverage) {
        const status =
          e.status === 'hardened'
            ? this.c.green('hardened')
            : e.status === 'weak'
              ? this.c.red('weak    ')
              : e.status === 'mixed'
                ? this.c.yellow('mixed   ')
                : e.status === 'configured'
                  ? this.c.dim('set     ')
                  : e.exposedWhenMissing
                  ? this.c.yellow('missing ')
                  : this.c.dim('missing ');
        const note =
          e.status === 'missing'
            ? e.exposedWhenMissing
              ? 'not configured in any scanned GPO; the OS default leaves machines exposed'
              : 'not configured; the OS default is acceptable for this target'
            : `${e.sourceCount ?? e.sources.length} source${(e.sourceCount ?? e.sources.length) === 1 ? '' : 's'}: ${e.sources
                .slice(0, 3)
                .map((s) => `${escapeControls(s.path)}${s.line ? ':' + s.line : s.offset !== undefined ? '@' + s.offset : ''}`)
                .join(', ')}${e.sources.length > 3 ? ', …' : ''}`;
        this.out(`  ${e.ruleId.padEnd(w)}  ${status.padEnd(8)}  ${this.c.dim(note)}\n`);
      }
      this.out('\n');
    }
    const total = this.countText(this.totals) || 'no findings';
    const skipped = opts.skipped ? ` (${opts.skipped} other file${opts.skipped === 1 ? '' : 's'} skipped: not Group Policy exports)` : '';
    const sup = this.suppressed ? `, ${this.suppressed} suppressed inline` : '';
    const fixed = opts.fixed ? `, ${opts.fixed} fixed` : '';
    const inputs = opts.inputErrors?.length ? `; ${opts.inputErrors.join(', ')}` : '';
    this.out(`Scanned ${opts.files} file${opts.files === 1 ? '' : 's'}${skipped} in ${opts.seconds.toFixed(2)} s: ${total}${sup}${fixed}${inputs}.\n`);
  }
}
