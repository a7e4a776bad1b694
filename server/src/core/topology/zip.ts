/**
 * The directory of a zip file (SharpHound's `<timestamp>_BloodHound.zip`, §2.7): the core lists the
 * entries and slices their bytes; the adapter inflates (node:zlib), so the core stays pure.
 * A password-protected entry, a damaged directory or an entry over the size limit is a problem (a
 * warning for an entry over the limit that SharpHound's name form says holds users, groups or
 * containers, which the topology does not use; an error otherwise).
 * A zip with more than `LIMITS.maxZipEntries` entries, or whose entries overlap (two names for the
 * same bytes: the zip-bomb construction), is refused whole with an error: nothing of it is read.
 * Zip64 archives are read (sizes, offsets and counts from the zip64 extra field and end record).
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
 * stream (`scan`: over the stream limit, or a loose file whose end and name do not say computers).
 */
export function computersAdvice(where: 'scan' | 'editor'): string {
  const mib = LIMITS.maxStreamedFileBytes / (1024 * 1024);
  const why = "A large domain's SharpHound computers file often is this large (each computer object carries its properties and access-control entries): the topology still comes from the ous, domains and gpos files.";
  const ldif = 'the computers of each OU as an LDIF of computer objects (docs/evidence.md, "Per scope, with a topology")';
  if (where === 'editor') return `${why} The editor reads topology files up to ${LIMITS.maxFileBytes / (1024 * 1024)} MiB; relaylint scan reads a SharpHound computers file as a stream (loose or in its zip), up to ${mib} MiB. Or give ${ldif}.`;
  return `${why} relaylint scan reads a SharpHound computers file (its meta.type at its end, or its name in SharpHound's form, says computers) as a stream, up to ${mib} MiB; this one was not. Or give ${ldif}.`;
}

/** 8 bytes little-endian as a number; undefined past 2^53 (no archive relaylint reads comes near). */
function uint64(dv: DataView, at: number): number | undefined {
  const v = dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 0x100000000;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** The entry count and directory offset of the zip64 end record, found by its locator just before the classic end record at `eocd`. */
function zip64End(dv: DataView, eocd: number): { count: number; offset: number } | undefined {
  const loc = eocd - 20;
  if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) return undefined;
  const at = uint64(dv, loc + 8);
  if (at === undefined || at + 56 > loc || dv.getUint32(at, true) !== 0x06064b50) return undefined;
  const count = uint64(dv, at + 32);
  const offset = uint64(dv, at + 48);
  return count === undefined || offset === undefined ? undefined : { count, offset };
}

/**
 * The values of a directory entry's zip64 extra field (header 0x0001) between `from` and `to`: the
 * uncompressed size, the compressed size and the local header offset, each present only where
 * `wanted` says the entry gave 0xFFFFFFFF, in that order. Undefined when the field is missing or short.
 */
function zip64Fields(dv: DataView, from: number, to: number, wanted: boolean[]): (number | undefined)[] | undefined {
  for (let at = from; at + 4 <= to; ) {
    const id = dv.getUint16(at, true);
    const len = dv.getUint16(at + 2, true);
    if (at + 4 + len > to) return undefined;
    if (id === 0x0001) {
      const out: (number | undefined)[] = [];
      let q = at + 4;
      for (const w of wanted) {
        if (!w) {
          out.push(undefined);
          continue;
        }
        if (q + 8 > at + 4 + len) return undefined;
        const v = uint64(dv, q);
        if (v === undefined) return undefined;
        out.push(v);
        q += 8;
      }
      return out;
    }
    at += 4 + len;
  }
  return undefined;
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
  let count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  // Zip64 (APPNOTE 4.3.14-4.3.15): a count or directory offset too large for the classic record is in
  // the zip64 end record, which the locator just before the classic one points to.
  if (count === 0xffff || p === 0xffffffff) {
    const z = zip64End(dv, eocd);
    if (!z) {
      problems.push({ source, severity: 'error', message: 'The zip file says it is a zip64 archive, but its zip64 end record is missing or damaged; it was not read.' });
      return [];
    }
    if (count === 0xffff) count = z.count;
    if (p === 0xffffffff) p = z.offset;
  }
  if (count > LIMITS.maxZipEntries) {
    problems.push({ source, severity: 'error', message: `The archive has ${count} entries; relaylint reads at most ${LIMITS.maxZipEntries} from one archive. It was not read.` });
    return [];
  }
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
    let csize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const elen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    let local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nlen));
    const extra = p + 46 + nlen;
    p += 46 + nlen + elen + clen;
    if (size === 0xffffffff || csize === 0xffffffff || local === 0xffffffff) {
      // Zip64: each field the directory entry gives as 0xFFFFFFFF is in its zip64 extra field.
      const z = zip64Fields(dv, extra, Math.min(extra + elen, bytes.length), [size === 0xffffffff, csize === 0xffffffff, local === 0xffffffff]);
      if (!z) {
        problems.push({ source, severity: 'error', message: `${name}: the zip entry's sizes are in a zip64 extra field that is missing or damaged; not read.` });
        continue;
      }
      [size, csize, local] = [z[0] ?? size, z[1] ?? csize, z[2] ?? local];
    }
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
