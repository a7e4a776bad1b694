/**
 * The directory of a zip file (SharpHound's `<timestamp>_BloodHound.zip`, §2.7): the core lists the
 * entries and slices their bytes; the adapter inflates (node:zlib), so the core stays pure.
 * A password-protected entry, a damaged directory or an entry over the size limit is a problem (a
 * warning for an entry over the limit that SharpHound's name form says holds users, groups or
 * containers, which the topology does not use; an error otherwise).
 * A zip with more than `LIMITS.maxZipEntries` entries, or whose entries overlap (two names for the
 * same bytes: the zip-bomb construction), is refused whole with an error: nothing of it is read.
 */
import { LIMITS } from '../limits';
import type { TopologyProblem } from './model';
import { sharpHoundTypeByName } from './sharphound';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  /** The raw (compressed) bytes. */
  data: Uint8Array;
  size: number;
  /** Over the file limit, left to be read as a stream (`zipEntries` with `streamLarge`; never set without it). */
  large?: boolean;
}

/**
 * Inflates a raw deflate stream to at most `maxOutput` bytes. On failure it throws an Error whose
 * message says what is wrong with the entry in relaylint's words (it is shown after the entry name).
 */
export type InflateRaw = (data: Uint8Array, maxOutput: number) => Uint8Array;

/** SharpHound types the topology does not use, named by the shared doc (§2.7). */
const OTHER_TYPES = new Set(['users', 'groups', 'containers']);

/**
 * What to do when SharpHound's computers file is too large to read whole: in the editor, which reads
 * topology files up to the file limit (`editor`), or a file that `relaylint scan` did not read as a
 * stream (`scan`: over the stream limit, or a loose file whose end does not name the computers type).
 */
export function computersAdvice(where: 'scan' | 'editor'): string {
  const mib = LIMITS.maxStreamedFileBytes / (1024 * 1024);
  const why = "A large domain's SharpHound computers file often is this large (each computer object carries its properties and access-control entries): the topology still comes from the ous, domains and gpos files.";
  const ldif = 'the computers of each OU as an LDIF of computer objects (docs/evidence.md, "Per scope, with a topology")';
  if (where === 'editor') return `${why} The editor reads topology files up to ${LIMITS.maxFileBytes / (1024 * 1024)} MiB; relaylint scan reads a SharpHound computers file as a stream (loose or in its zip), up to ${mib} MiB. Or give ${ldif}.`;
  return `${why} relaylint scan reads a SharpHound computers file (its meta.type at its end says computers) as a stream, up to ${mib} MiB; this one was not. Or give ${ldif}.`;
}

export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The entries of a zip, checked. `streamLarge`: a JSON entry over the file limit that SharpHound's
 * name form does not say holds a type the topology leaves out is kept, marked `large` (the caller
 * reads it as a stream), instead of being refused.
 */
export function zipEntries(bytes: Uint8Array, source: string, problems: TopologyProblem[], streamLarge = false): ZipEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    problems.push({ source, severity: 'error', message: 'The zip file has no central directory (truncated or damaged); it was not read.' });
    return [];
  }
  const count = dv.getUint16(eocd + 10, true);
  if (count > LIMITS.maxZipEntries) {
    problems.push({ source, severity: 'error', message: `The archive has ${count} entries; relaylint reads at most ${LIMITS.maxZipEntries} from one archive. It was not read.` });
    return [];
  }
  let p = dv.getUint32(eocd + 16, true);
  const out: ZipEntry[] = [];
  /** Where each entry's local header starts and its data ends, to find entries that overlap. */
  const spans: { from: number; to: number; name: string }[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== 0x02014b50) {
      problems.push({ source, severity: 'error', message: 'The zip directory is damaged; the remaining entries were not read.' });
      break;
    }
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const elen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nlen));
    p += 46 + nlen + elen + clen;
    if (flags & 1) {
      problems.push({ source, severity: 'error', message: `${name}: the zip entry is password-protected; relaylint cannot read it (export without a password).` });
      continue;
    }
    const large = size > LIMITS.maxFileBytes;
    const strict = large ? sharpHoundTypeByName(name, true) : undefined;
    const leftOut = strict !== undefined && OTHER_TYPES.has(strict);
    if (large && (!streamLarge || leftOut || !/\.json$/i.test(name))) {
      // Too large to inflate and read its type from its end. A name of SharpHound's own form for a type
      // the topology does not use (users.json of a large domain) makes it a warning, saying so.
      const over = `${name}: ${size} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read.`;
      problems.push(
        leftOut
          ? { source, severity: 'warning', message: `${over} By its name it holds SharpHound's ${strict}, which the topology does not use (its content could not be checked).` }
          : { source, severity: 'error', message: sharpHoundTypeByName(name) === 'computers' ? `${over} ${computersAdvice('editor')}` : over },
      );
      continue;
    }
    if (local + 30 > bytes.length || dv.getUint32(local, true) !== 0x04034b50) {
      problems.push({ source, severity: 'error', message: `${name}: the zip entry's header is missing (truncated file); not read.` });
      continue;
    }
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (start + csize > bytes.length) {
      problems.push({ source, severity: 'error', message: `${name}: the zip entry is cut short (truncated file); not read.` });
      continue;
    }
    if (method !== 0 && method !== 8) {
      problems.push({ source, severity: 'error', message: `${name}: zip compression method ${method} is not supported; not read.` });
      continue;
    }
    out.push({ name, method, data: bytes.subarray(start, start + csize), size, large });
    spans.push({ from: local, to: start + csize, name });
  }
  // Overlapping members: a zip bomb repeats one large member under many names. Sorted by start
  // (stable, so directory order among equal starts), any span that begins before the furthest end
  // so far overlaps an earlier one.
  const sorted = spans.map((s, i) => ({ ...s, i })).sort((a, b) => a.from - b.from || a.i - b.i);
  let reach: (typeof sorted)[number] | undefined;
  for (const s of sorted) {
    if (reach && s.from < reach.to) {
      problems.push({
        source,
        severity: 'error',
        message: `The entries ${reach.name} and ${s.name} share the same data (overlapping members, a zip-bomb construction). The archive was not read.`,
      });
      return [];
    }
    if (!reach || s.to > reach.to) reach = s;
  }
  return out;
}
