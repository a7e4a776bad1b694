/**
 * Event-log files for rollout readiness (issue 12), shared by the CLI and the language server:
 * backs the core's ByteSource with a file descriptor (safe-fs `openRegular`: regular files only,
 * opened non-blocking; read a block at a time, so a multi-GB EVTX is never held in memory) or with
 * bytes the scan already read.
 */
import * as fs from 'node:fs';
import { detectEvidence, readEvidenceSteps, runSteps, type ByteSource, type EvidenceCollector, type EvidenceFileSummary, type EvidenceFormat, type EvidenceProgress } from '../core';
import { openRegular, type ReadResult } from './safe-fs';

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
 * exports; explicit paths are always looked at. Reads the file straight through (the CLI).
 */
export function tryEvidence(collector: EvidenceCollector, file: string, display: string, explicit: boolean, read?: ReadResult): EvidenceFileSummary | undefined {
  return runSteps(tryEvidenceSteps(collector, file, display, explicit, read));
}

/**
 * `tryEvidence` as steps (core readEvidenceSteps): yields the progress while the file is read, so
 * that the language server can let requests in between and stop when a newer change arrived
 * (`return()` closes the file).
 */
export function* tryEvidenceSteps(
  collector: EvidenceCollector,
  file: string,
  display: string,
  explicit: boolean,
  read?: ReadResult,
): Generator<EvidenceProgress, EvidenceFileSummary | undefined, void> {
  if (!explicit && !CANDIDATE.test(file)) return undefined;
  // Already read (a regular file within the read limit): look at those bytes instead of opening it
  // again. Not a regular file or not readable: not an event export (the GPO scan reports it).
  if (read && read.kind !== 'too-large') return read.kind === 'ok' ? yield* readIfEvidence(collector, file, display, new BytesSource(read.bytes)) : undefined;
  const o = openRegular(file, Number.MAX_SAFE_INTEGER);
  if (!('fd' in o)) return undefined;
  try {
    return yield* readIfEvidence(collector, file, display, new FdSource(o.fd, o.st.size));
  } catch {
    return undefined; // as when the file cannot be opened (the readers report a failing read as a problem)
  } finally {
    fs.closeSync(o.fd);
  }
}

/**
 * Whether a file is an event export by content, without reading it (detection looks at its first
 * bytes only): the language server names the event logs it leaves out past its budget.
 */
export function looksLikeEvidence(file: string): boolean {
  const o = openRegular(file, Number.MAX_SAFE_INTEGER);
  if (!('fd' in o)) return false;
  try {
    return !!detectEvidence(new FdSource(o.fd, o.st.size), file);
  } catch {
    return false;
  } finally {
    fs.closeSync(o.fd);
  }
}

/** Reads the source into the collector when its content is an event export; undefined otherwise. */
function* readIfEvidence(collector: EvidenceCollector, file: string, display: string, src: ByteSource): Generator<EvidenceProgress, EvidenceFileSummary | undefined, void> {
  let format: EvidenceFormat | undefined;
  try {
    format = detectEvidence(src, file);
  } catch {
    format = undefined;
  }
  return format ? yield* readEvidenceSteps(collector, display, format, src) : undefined;
}
