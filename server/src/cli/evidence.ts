/**
 * CLI adapter for event-log evidence (issue 12): backs the core's ByteSource with a file
 * descriptor (regular files only, opened non-blocking, read a block at a time: a multi-GB EVTX is
 * never held in memory), and writes the readiness as text and SARIF. The JSON entries are the
 * core's objects as they are.
 */
import * as fs from 'node:fs';
import {
  detectEvidence,
  readEvidenceFile,
  type ByteSource,
  type EvidenceCollector,
  type EvidenceFileSummary,
  type EvidenceFormat,
  type Readiness,
} from '../core';
import type { CoverageEntry } from '../core';
import type { ExternalResult } from './sarif';
import type { ReadResult } from './safe-fs';
import type { Colors } from './text';

class FdSource implements ByteSource {
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  read(offset: number, length: number): Uint8Array {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = fs.readSync(this.fd, buf, got, n - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, got);
  }
}

/** Bytes already read (cli/feed.ts) as a source; each read is a copy, so nothing keeps the feed's shared buffer. */
class BytesSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    const start = Math.min(Math.max(0, offset), this.bytes.length);
    return this.bytes.slice(start, Math.min(this.bytes.length, start + Math.max(0, length)));
  }
}

const CANDIDATE = /\.(evtx|xml|csv|txt)$/i;

/**
 * If the file is an event export (by content), read it into the collector and return its summary;
 * otherwise undefined (the GPO scan handles it). Folder walks only look at names that can be event
 * exports; explicit paths are always looked at.
 */
export function tryEvidence(collector: EvidenceCollector, file: string, display: string, explicit: boolean, read?: ReadResult): EvidenceFileSummary | undefined {
  if (!explicit && !CANDIDATE.test(file)) return undefined;
  // Already read (a regular file within the read limit): look at those bytes instead of opening it
  // again. Not a regular file or not readable: not an event export (the GPO scan reports it).
  if (read && read.kind !== 'too-large') {
    if (read.kind !== 'ok') return undefined;
    const src = new BytesSource(read.bytes);
    let format: EvidenceFormat | undefined;
    try {
      format = detectEvidence(src, file);
    } catch {
      format = undefined;
    }
    return format ? readEvidenceFile(collector, display, format, src) : undefined;
  }
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return undefined;
    const src = new FdSource(fd, st.size);
    let format: EvidenceFormat | undefined;
    try {
      format = detectEvidence(src, file);
    } catch {
      format = undefined;
    }
    if (!format) return undefined;
    return readEvidenceFile(collector, display, format, src);
  } catch {
    return undefined; // not readable: the GPO scan reports the I/O problem
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

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

/** Audit switch states from the set-level coverage of the GPOs scanned (undefined when none was). */
export function auditSwitchesFrom(coverage: CoverageEntry[] | undefined): Record<string, 'on' | 'off' | 'unknown'> | undefined {
  if (!coverage) return undefined;
  const out: Record<string, 'on' | 'off' | 'unknown'> = {};
  // weak or missing: off; hardened: on; mixed, or set to values relaylint does not rate: unknown.
  for (const e of coverage) out[e.ruleId] = e.status === 'hardened' ? 'on' : e.status === 'weak' || e.status === 'missing' ? 'off' : 'unknown';
  return out;
}

function clientLabel(c: Readiness['clients'][number]): string {
  const parts = [c.host, c.address, c.account].filter(Boolean) as string[];
  if (parts.length) return parts.join('  ');
  return Object.entries(c.fields ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Control characters from file content never reach the terminal raw. */
function safe(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
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
    else {
      let size = 0;
      try {
        size = fs.statSync(where).size;
      } catch {
        // the file is gone: an empty region at its start
      }
      region = { byteOffset: 0, byteLength: size };
    }
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
