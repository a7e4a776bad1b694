/**
 * CLI side of event-log evidence (issue 12): writes the readiness as text and SARIF (the files are
 * read by io/evidence-files.ts). The JSON entries are the core's objects as they are.
 */
import * as fs from 'node:fs';
import type { CoverageEntry, EvidenceFileSummary, Readiness } from '../core';
import { fingerprint } from './report';
import { LEVEL, type ExternalResult } from './sarif';
import { escapeControls, type Colors } from './text';

/** `30d`, `30`, `12w`, `6m` (months of 30 days) → days. */
export function parseWindow(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d{1,5})\s*([dwm]?)$/i.exec(s.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  const days = unit === 'w' ? n * 7 : unit === 'm' ? n * 30 : n;
  return days >= 1 ? days : NaN;
}

function clientLabel(c: Readiness['clients'][number]): string {
  const parts = [c.host, c.address, c.account].filter(Boolean) as string[];
  if (parts.length) return parts.join('  ');
  return Object.entries(c.fields ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Control and format characters from file content never reach the terminal raw (escapeControls). */
function safe(s: string): string {
  return escapeControls(s);
}

export function readinessText(files: EvidenceFileSummary[], readiness: Readiness[], c: Colors): string {
  let out = c.bold('Event logs read\n');
  for (const f of files) {
    const range = f.from ? `${f.from.slice(0, 10)} → ${(f.to ?? '').slice(0, 10)}` : 'no times';
    out += `  ${safe(f.path)}  ${f.format}, ${f.records} events (${f.relevant} relevant), ${range}${f.computers.length ? ', ' + safe(f.computers.join(', ')) : ''}\n`;
    for (const p of f.problems.slice(0, 5)) {
      const where = p.offset !== undefined ? ` (byte ${p.offset})` : p.line !== undefined ? ` (line ${p.line})` : '';
      out += `    ${p.severity === 'error' ? c.red('error') : c.yellow(p.severity)}${where}: ${safe(p.message)}\n`;
    }
    if (f.problems.length > 5) out += c.dim(`    … ${f.problems.length - 5} more problems\n`);
  }
  out += '\n' + c.bold('Rollout readiness: who breaks if the rule is enforced now\n');
  for (const r of readiness) {
    const status =
      r.status === 'ready' ? c.green('ready') : r.status === 'blocked' ? c.red('blocked') : r.status === 'no-evidence' ? c.dim('no-evidence') : c.yellow(r.status);
    out += `  ${r.ruleId}${r.scope ? ` [${safe(r.scope)}]` : ''}  ${status}  ${c.dim(safe(r.why))}\n`;
    if (r.clients.length) {
      const rows = r.clients.slice(0, 20).map((x) => [String(x.events), safe(clientLabel(x)), `${(x.first ?? '').slice(0, 10)}…${(x.last ?? '').slice(0, 10)}`, safe(x.servers.join(','))]);
      const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), i === 0 ? 6 : i === 1 ? 6 : 10));
      out += c.dim(`      ${'events'.padStart(w[0])}  ${'client'.padEnd(w[1])}  ${'seen'.padEnd(w[2])}  recorded on\n`);
      for (const row of rows) out += `      ${row[0].padStart(w[0])}  ${row[1].padEnd(w[1])}  ${row[2].padEnd(w[2])}  ${row[3]}\n`;
      if (r.clients.length > 20) out += c.dim(`      … ${r.clients.length - 20} more clients\n`);
    }
    for (const i of r.ignored) out += c.dim(`      ignored: ${i.events} ${i.reason} events (${i.source})\n`);
  }
  return out + '\n';
}

/** A file's size now, 0 when it is gone (an empty region at its start). */
function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** SARIF results: one per rule that is not ready, at the line of the GPO setting that would enforce it. */
/** The part of a JSON scope the SARIF location needs: the winning line per rule. */
export interface ScopeWinners {
  som: string;
  effective: { ruleId: string; winner?: { path: string; line?: number; offset?: number } }[];
}

export function readinessSarif(readiness: Readiness[], coverage: CoverageEntry[] | undefined, evidenceFiles: EvidenceFileSummary[], scopes?: readonly ScopeWinners[]): ExternalResult[] {
  const out: ExternalResult[] = [];
  for (const r of readiness) {
    if (r.status === 'ready') continue;
    // Per scope: the line that wins there; else the first configuring line of the set.
    const winner = r.scope ? scopes?.find((s) => s.som === r.scope)?.effective.find((e) => e.ruleId === r.ruleId)?.winner : undefined;
    const src = winner ?? coverage?.find((e) => e.ruleId === r.ruleId)?.sources[0];
    const where = src?.path ?? evidenceFiles[0]?.path;
    if (!where) continue;
    // Whole regions (the SARIF Multitool warns on partial ones): the setting's line, the .pol
    // record's first byte, or the whole event file.
    let region: ExternalResult['region'];
    if (src?.line) region = { startLine: src.line, startColumn: 1, endLine: src.line + 1, endColumn: 1 };
    else if (src?.offset !== undefined) region = { byteOffset: src.offset, byteLength: 1 };
    else region = { byteOffset: 0, byteLength: sizeOf(where) };
    const names = r.clients
      .slice(0, 5)
      .map((c) => clientLabel(c))
      .join('; ');
    const level = r.status === 'blocked' ? 'warning' : 'note';
    out.push({
      ruleId: r.ruleId,
      level,
      message: `Rollout readiness${r.scope ? ` in ${r.scope}` : ''}: ${r.status}. ${r.why}${names && r.status === 'blocked' ? ` Clients: ${names}.` : ''}`,
      path: where,
      region,
      fingerprint: `readiness|${r.ruleId}|${r.scope ?? ''}|${r.status}`,
      properties: { readiness: r.status, clients: r.clients.length },
    });
  }
  return out;
}

/**
 * SARIF results for the event logs' own problems (rule `evidence.problem`), at the file and its byte
 * or line, at the problem's level: an error when part of the log was not read, as a damaged GPO
 * file's `file.parse` is one.
 */
export function evidenceProblemsSarif(files: readonly EvidenceFileSummary[]): ExternalResult[] {
  const out: ExternalResult[] = [];
  for (const f of files) {
    for (const p of f.problems) {
      const r: ExternalResult = {
        ruleId: 'evidence.problem',
        level: LEVEL[p.severity],
        message: p.message,
        path: f.path,
        fingerprint: fingerprint(['evidence.problem', f.path, p.message]),
      };
      if (p.line !== undefined) r.region = { startLine: p.line, startColumn: 1, endLine: p.line + 1, endColumn: 1 };
      // The byte the problem was found at; at or past the end (a cut file), the empty region there.
      else if (p.offset !== undefined) r.region = { byteOffset: p.offset, byteLength: p.offset < sizeOf(f.path) ? 1 : 0 };
      out.push(r);
    }
  }
  return out;
}
