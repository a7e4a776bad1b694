/**
 * Types shared by the event-log readers and the readiness judge (issue 12).
 * The core never touches the file system: every reader takes a `ByteSource`, which the CLI backs
 * with a file descriptor (and tests with a buffer).
 */

/** Random access to the bytes of one file. `read` returns fewer bytes only at the end of the file. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** A ByteSource over bytes in memory (tests, small inputs). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(Math.max(0, offset), Math.max(0, Math.min(bytes.length, offset + length))),
  };
}

export type EvidenceFormat = 'evtx' | 'event-xml' | 'event-csv';

export interface EvidenceProblem {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** Byte offset in the file (EVTX). */
  offset?: number;
  /** 1-based line (XML, CSV). */
  line?: number;
}

/** Problems listed per event-log file; past it the rest are counted in one warning (cappedProblems). */
export const MAX_FILE_PROBLEMS = 200;

/**
 * A reader's problems held to MAX_FILE_PROBLEMS: `problem` lists one or counts it, `finish` adds
 * the warning that says how many more there were (every reader calls it once at its end).
 */
export function cappedProblems(problems: EvidenceProblem[]): { problem: (p: EvidenceProblem) => void; finish: () => void } {
  let hidden = 0;
  return {
    problem: (p) => {
      if (problems.length < MAX_FILE_PROBLEMS) problems.push(p);
      else hidden++;
    },
    finish: () => {
      if (hidden) problems.push({ severity: 'warning', message: `${hidden} more problems are not listed; at most ${MAX_FILE_PROBLEMS} are listed per file.` });
      hidden = 0;
    },
  };
}

/** One value of an event's EventData / UserData: by name, or `Data[i]` by position. */
export interface EventDatum {
  name: string;
  value: string;
}

/** One event, whatever the export format. */
export interface EventRecord {
  /** EventRecordID (System), else the EVTX record header's id, else a row number. */
  recordId?: number;
  /** ISO 8601 UTC as Windows writes it (7 fractional digits), when known. */
  time?: string;
  /** Milliseconds since 1970 (for windows and sorting), when known. */
  timeMs?: number;
  eventId?: number;
  provider?: string;
  channel?: string;
  /** The machine that recorded the event (server or DC), never the client. */
  computer?: string;
  data: EventDatum[];
  /** Where in the file: EVTX byte offset of the record, or the line of an XML/CSV event. */
  offset?: number;
  line?: number;
}

/** First value of a named datum (case-insensitive name), or undefined. */
export function datum(e: EventRecord, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const d of e.data) if (d.name.toLowerCase() === lower) return d.value;
  return undefined;
}
