/**
 * Event-log evidence (issue 12): detection by content, the readers, the collector and the
 * readiness judge. Adapters give a `ByteSource` per file; nothing here touches the file system.
 */
import { eventCsvItems, csvFlavour } from './event-csv';
import { eventXmlItems } from './event-xml';
import { EVIDENCE_CHANNELS } from './events';
import { evtxItems, hasEvtxMagic } from './evtx';
import { isPause, type ReadItem } from './pause';
import { EvidenceCollector, type EvidenceFileSummary } from './readiness';
import { headText } from './text-stream';
import type { ByteSource, EvidenceFormat, EvidenceProblem } from './types';

export * from './types';
export { readEvtx, type EvtxStats } from './evtx';
export { readEventXml } from './event-xml';
export { readEventCsv } from './event-csv';
export { EVENT_KINDS, RULE_EVIDENCE, UNREAD_EVENT_FACTS, eventKindFor, eventKindOf, splitAddressPort } from './events';
export { EvidenceCollector, auditSwitchesFrom, sameComputer, type Readiness, type ReadinessClient, type ReadinessOptions, type ReadinessScope, type ReadinessStatus, type EvidenceFileSummary } from './readiness';

const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

/**
 * Whether a file is an event export, by content: the EVTX signature, an `<Event>` (or `<Events>`
 * root) in the event namespace, or a CSV header the readers know. `name` only breaks ties.
 */
export function detectEvidence(src: ByteSource, name = ''): EvidenceFormat | undefined {
  let head: Uint8Array;
  try {
    head = src.read(0, 8);
  } catch {
    return undefined;
  }
  // An .evtx without the signature is still read as one, so that it fails with a clear problem.
  if (hasEvtxMagic(head) || /\.evtx$/i.test(name)) return 'evtx';
  let text: string;
  try {
    text = headText(src, 8192);
  } catch {
    return undefined;
  }
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('<')) {
    if (t.includes(EVENT_NS) && /<(?:[\w.-]+:)?Event[\s>]/.test(t)) return 'event-xml';
    return undefined;
  }
  const firstLine = t.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.includes(',')) {
    const header = firstLine.split(',').map((h) => h.replace(/^"|"$/g, '').trim());
    if (csvFlavour(header) !== 'unknown') return 'event-csv';
  }
  return undefined;
}

/** How far the reading of one evidence file has got (a step of `readEvidenceSteps`). */
export interface EvidenceProgress {
  /** Records read so far. */
  records: number;
  /** Bytes read from the source so far. */
  bytes: number;
}

/**
 * A step every this many records, or every this many bytes read (checked at each record and after
 * each read of the file: an EVTX chunk, a text block, whether a record came out of it or not).
 */
export const EVIDENCE_STEP_RECORDS = 2048;
export const EVIDENCE_STEP_BYTES = 4 * 1024 * 1024;

/** Runs a reading of steps straight through (the CLI) and gives what it returns. */
export function runSteps<R>(steps: Generator<unknown, R, void>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Read one evidence file into the collector. Never throws. */
export function readEvidenceFile(collector: EvidenceCollector, path: string, format: EvidenceFormat, src: ByteSource): EvidenceFileSummary {
  return runSteps(readEvidenceSteps(collector, path, format, src));
}

/**
 * The same reading as `readEvidenceFile`, as steps: the generator yields its progress regularly
 * (every `EVIDENCE_STEP_RECORDS` records or `EVIDENCE_STEP_BYTES` bytes, between records or between
 * reads of the file, so also in a long stretch with no readable record: between two steps at most
 * `bytes` plus one read, 64 KiB for EVTX and 1 MiB for text, are read) and returns the file's summary. Whoever drives it may pause between steps (the language server lets
 * requests in) or stop (`return()`): the collector then holds part of the file and must be dropped.
 * Memory is what the reader holds (one chunk or block), as when driven straight through. Never throws.
 */
export function* readEvidenceSteps(
  collector: EvidenceCollector,
  path: string,
  format: EvidenceFormat,
  src: ByteSource,
  every: { records: number; bytes: number } = { records: EVIDENCE_STEP_RECORDS, bytes: EVIDENCE_STEP_BYTES },
): Generator<EvidenceProgress, EvidenceFileSummary, void> {
  const file = collector.begin(path, format);
  const problems: EvidenceProblem[] = file.problems;
  let bytes = 0;
  const counted: ByteSource = {
    size: src.size,
    read: (offset, length) => {
      const b = src.read(offset, length);
      bytes += b.length;
      return b;
    },
  };
  try {
    let items: Iterable<ReadItem>;
    if (format === 'evtx') items = evtxItems(counted, problems);
    else if (format === 'event-xml') items = eventXmlItems(counted, problems);
    else items = eventCsvItems(counted, problems);
    let n = 0;
    let nextRecords = every.records;
    let nextBytes = every.bytes;
    for (const r of items) {
      if (isPause(r)) {
        if (bytes < nextBytes) continue;
      } else {
        collector.add(file, r);
        n++;
      }
      if (n >= nextRecords || bytes >= nextBytes) {
        nextRecords = n + every.records;
        nextBytes = bytes + every.bytes;
        yield { records: n, bytes };
      }
    }
  } catch (e) {
    problems.push({ severity: 'error', message: `Internal error while reading this event export: ${(e as Error)?.message ?? String(e)}; the rest was not read.` });
  }
  collector.end(file);
  const relevantChannels = file.channels.length;
  if (file.records > 0 && file.relevant === 0 && relevantChannels > 0 && !file.channels.some((c) => isEvidenceChannel(c))) {
    problems.push({
      severity: 'warning',
      message: `This log (${file.channels.slice(0, 3).join(', ')}) holds no event relaylint uses: readiness needs Security (4624), Directory Service (2887, 2889, 3039, 3074, 3075), Microsoft-Windows-SMBServer/Audit, Microsoft-Windows-SMBClient/Audit or Microsoft-Windows-NTLM/Operational.`,
    });
  }
  return file;
}

function isEvidenceChannel(c: string): boolean {
  return EVIDENCE_CHANNELS.has(c.trim().toLowerCase());
}
