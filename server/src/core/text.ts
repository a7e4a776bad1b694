/**
 * Bytes ↔ text: encoding detection, line/column mapping, and byte-exact edits.
 *
 * Group Policy tools write UTF-16LE with a BOM and CRLF (MS-GPSB [S32]); hand-made files are
 * often UTF-8 or ANSI. Decoding is 1:1 for every supported encoding (one UTF-16 code unit per
 * two bytes, one char per byte for ASCII/ANSI, exact UTF-8), so a text offset always maps back
 * to one byte offset and a fix can splice bytes without touching anything else.
 */
import type { Encoding, Problem, Span, TextEdit } from './types';

export interface Decoded {
  text: string;
  encoding: Encoding;
  /** Length of the byte order mark in bytes (0, 2 or 3). */
  bomLength: number;
  problems: Problem[];
}

/**
 * `ignoreBOM: true` keeps a U+FEFF at the start of the decoded bytes as a character. The BOM itself
 * is always cut off explicitly (`bomLength`) before decoding, so a second BOM (a file saved twice
 * by a tool that adds one) stays in the text and every text offset still maps to its bytes.
 */
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Windows-1252 code points for bytes 0x80–0x9F; every other byte maps to the same code point.
 * Spelled out because Node's `TextDecoder('windows-1252')` (ICU builds) decodes these bytes as
 * Latin-1 C1 controls. One char per byte, so offsets map back to bytes 1:1.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const CP1252_REVERSE = new Map<number, number>(CP1252_HIGH.map((cp, i) => [cp, 0x80 + i]));

export function decodeWindows1252(bytes: ArrayLike<number>): string {
  const parts: string[] = [];
  const chunk: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    chunk.push(b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : b);
    if (chunk.length === 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk.length = 0;
    }
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}

/** Zero bytes at even and odd positions of the first 4 KiB, in code units of two bytes. */
function zeroBytes(bytes: Uint8Array): { units: number; even: number; odd: number } | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return undefined;
  let odd = 0;
  let even = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  return { units: n / 2, even, odd };
}

/** Heuristic for UTF-16LE without a BOM: ASCII-range text has a zero high byte in most code units. */
function looksLikeUtf16le(bytes: Uint8Array): boolean {
  const z = zeroBytes(bytes);
  return !!z && z.odd >= z.units * 0.6 && z.even <= z.units * 0.1;
}

/** Heuristic for UTF-16BE without a BOM: the mirror image of `looksLikeUtf16le`. */
function looksLikeUtf16be(bytes: Uint8Array): boolean {
  const z = zeroBytes(bytes);
  return !!z && z.even >= z.units * 0.6 && z.odd <= z.units * 0.1;
}

/**
 * Binary, not text: NUL bytes are more than 1 in 64 of the first 8 KB (or of the whole file when
 * it is smaller). One stray NUL in a comment of a text export does not make it binary: the file
 * is read (the NUL is kept as U+0000, offsets stay 1:1) and a warning names it.
 */
function nulCount(bytes: Uint8Array, limit = 8192): { sample: number; nuls: number } {
  const n = Math.min(bytes.length, limit);
  let nuls = 0;
  for (let i = 0; i < n; i++) if (bytes[i] === 0) nuls++;
  return { sample: n, nuls };
}

function countNuls(bytes: Uint8Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = bytes.indexOf(0); i !== -1; i = bytes.indexOf(0, i + 1)) {
    if (first < 0) first = i;
    count++;
  }
  return { count, first };
}

function utf16(bytes: Uint8Array, from: number, problems: Problem[]): string {
  let end = bytes.length;
  if ((end - from) % 2 === 1) {
    end--;
    problems.push({
      code: 'encoding',
      severity: 'warning',
      message: 'The file is UTF-16 but has an odd number of bytes: it is truncated, and its last byte was ignored.',
    });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, end - from).toString('utf16le');
}

/** Decode a text file's bytes; never throws. Binary content yields `encoding: 'binary'` and an empty text. */
export function decode(bytes: Uint8Array): Decoded {
  const problems: Problem[] = [];
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: utf16(bytes, 2, problems), encoding: 'utf-16le-bom', bomLength: 2, problems };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    problems.push({
      code: 'encoding',
      severity: 'error',
      message:
        'The file is UTF-16 big-endian. Group Policy tools read UTF-16LE (with BOM FF FE) or UTF-8; save it as UTF-16LE and scan again.',
    });
    return { text: '', encoding: 'binary', bomLength: 2, problems };
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    try {
      return { text: utf8Fatal.decode(bytes.subarray(3)), encoding: 'utf-8-bom', bomLength: 3, problems };
    } catch {
      problems.push({
        code: 'encoding',
        severity: 'warning',
        message: 'The file starts with a UTF-8 byte order mark but contains bytes that are not valid UTF-8; they were read as Windows-1252.',
      });
      return { text: decodeWindows1252(bytes.subarray(3)), encoding: 'ansi', bomLength: 3, problems };
    }
  }
  // Without a NUL byte (nearly every text export) a text is neither UTF-16 without a BOM (its ASCII
  // characters each have one) nor binary, and has no NUL to report: one native search instead of
  // the sampling loops below (a tenth of a GPP Registry.xml's parse; bench/README.md, wave 19).
  if (bytes.indexOf(0) !== -1) {
    if (looksLikeUtf16le(bytes)) {
      return { text: utf16(bytes, 0, problems), encoding: 'utf-16le', bomLength: 0, problems };
    }
    if (looksLikeUtf16be(bytes)) {
      problems.push({
        code: 'encoding',
        severity: 'error',
        message:
          'The file looks like UTF-16 big-endian without a byte order mark. Group Policy tools read UTF-16LE (with BOM FF FE) or UTF-8; it was not read: save it as UTF-16LE and scan again.',
      });
      return { text: '', encoding: 'binary', bomLength: 0, problems };
    }
    const sample = nulCount(bytes);
    if (sample.nuls > 0 && sample.nuls * 64 > sample.sample) {
      return { text: '', encoding: 'binary', bomLength: 0, problems };
    }
    const { count, first } = countNuls(bytes);
    problems.push({
      code: 'encoding',
      severity: 'warning',
      message: `The file contains ${count} NUL byte${count === 1 ? '' : 's'} (the first at byte ${first}); it was read as text, and Windows tools may stop reading at a NUL.`,
    });
  }
  let text: string;
  try {
    text = utf8Fatal.decode(bytes);
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'ansi', bomLength: 0, problems };
  }
  // One character per byte exactly when every byte is ASCII: a sequence of two to four bytes
  // decodes to one or two UTF-16 units. (The decoder's own check, instead of a loop over the bytes.)
  return { text, encoding: text.length === bytes.length ? 'ascii' : 'utf-8', bomLength: 0, problems };
}

/** Encode text the way `decode` read it (no BOM; callers splice between existing bytes). */
export function encodeAs(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf-16le':
    case 'utf-16le-bom':
      return Buffer.from(text, 'utf16le');
    case 'utf-8':
    case 'utf-8-bom':
      return Buffer.from(text, 'utf8');
    default: {
      // ASCII / ANSI: one byte per char; a char Windows-1252 cannot hold becomes '?' rather than a wrong byte sequence.
      const ansi = encoding === 'ansi';
      const out = Buffer.alloc(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        out[i] = c < 0x80 || (ansi && c <= 0xff && !(c >= 0x80 && c <= 0x9f && !CP1252_REVERSE.has(c))) ? c : ansi ? (CP1252_REVERSE.get(c) ?? 0x3f) : 0x3f;
      }
      return out;
    }
  }
}

/** Byte offset of a text offset in the original file. */
export function byteOffsetOf(decoded: Pick<Decoded, 'text' | 'encoding' | 'bomLength'>, offset: number): number {
  switch (decoded.encoding) {
    case 'utf-16le':
    case 'utf-16le-bom':
      return decoded.bomLength + offset * 2;
    case 'utf-8':
    case 'utf-8-bom':
      return decoded.bomLength + Buffer.byteLength(decoded.text.slice(0, offset), 'utf8');
    default:
      return decoded.bomLength + offset;
  }
}

/**
 * Apply non-overlapping edits to the original bytes. Everything outside the edited spans is copied
 * byte for byte (BOM, line endings, odd characters included).
 */
export function applyEditsToBytes(bytes: Uint8Array, decoded: Decoded, edits: readonly TextEdit[]): Buffer {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: Buffer[] = [];
  let pos = 0;
  for (const e of sorted) {
    const from = byteOffsetOf(decoded, e.start);
    const to = byteOffsetOf(decoded, e.end);
    if (from < pos) throw new Error('overlapping edits');
    parts.push(Buffer.from(bytes.buffer, bytes.byteOffset + pos, from - pos));
    parts.push(encodeAs(e.newText, decoded.encoding));
    pos = to;
  }
  parts.push(Buffer.from(bytes.buffer, bytes.byteOffset + pos, bytes.length - pos));
  return Buffer.concat(parts);
}

/** Apply non-overlapping edits to a string. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error('overlapping edits');
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/**
 * The dominant line ending (CRLF when tied or when there is none, as Windows tools write). A bare
 * CR (old Mac line breaks, which LineIndex counts as lines) counts too: a line inserted by a fix
 * ends as the file's own lines do.
 */
export function dominantEol(text: string): '\r\n' | '\n' | '\r' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  let cr = -crlf;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) cr++;
  if (cr > crlf && cr > lf) return '\r';
  return lf > crlf ? '\n' : '\r\n';
}

/**
 * The line starts of a text whose every CR is part of a CRLF, in one pass of native searches for
 * LF and CR side by side; undefined when the text has a CR that is not (old Mac line breaks: rare,
 * but the LSP counts them, so `LineIndex` reads such a text character by character).
 */
function lfLineStarts(text: string): Int32Array | undefined {
  let starts = new Int32Array(16 + (text.length >> 5));
  let n = 1;
  let cr = text.indexOf('\r');
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (cr !== -1 && cr < i) {
      // The next CR comes before this LF: it must be the one right before it.
      if (cr !== i - 1) return undefined;
      cr = text.indexOf('\r', i + 1);
    }
    if (n === starts.length) {
      const bigger = new Int32Array(n * 2);
      bigger.set(starts);
      starts = bigger;
    }
    starts[n++] = i + 1;
  }
  // A CR after the last LF is not part of a CRLF.
  if (cr !== -1) return undefined;
  return starts.slice(0, n);
}

export interface Position {
  /** 0-based. */
  line: number;
  /** 0-based, UTF-16 code units. */
  character: number;
}

function positionIn(lineStarts: Int32Array, length: number, offset: number): Position {
  const o = Math.max(0, Math.min(offset, length));
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= o) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: o - lineStarts[lo] };
}

/**
 * `positionAt` of a text that was not built, from its line starts and then its length (a `.pol`
 * view, `ParsedFile.viewLines`, whose every line ends with a line feed): what the `LineIndex` of
 * the text would give.
 */
export function viewLineIndex(viewLines: Int32Array): LineIndex {
  const length = viewLines[viewLines.length - 1];
  return { positionAt: (offset: number) => positionIn(viewLines, length, offset) } as unknown as LineIndex;
}

/** Offset ↔ line/character, with the line breaks the LSP knows (`\r\n`, `\n`, `\r`). */
export class LineIndex {
  /** Start offset of each line; an Int32Array (texts are at most 64 MiB), 4 bytes per line. */
  readonly lineStarts: Int32Array;
  constructor(readonly text: string) {
    const lf = lfLineStarts(text);
    if (lf) {
      this.lineStarts = lf;
      return;
    }
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (c === 10) {
        starts.push(i + 1);
      }
    }
    this.lineStarts = Int32Array.from(starts);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    return positionIn(this.lineStarts, this.text.length, offset);
  }

  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    return Math.min(this.lineStarts[pos.line] + Math.max(0, pos.character), this.lineEnd(pos.line));
  }

  /** Offset of the end of a line's content (before its line break). */
  lineEnd(line: number): number {
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    let end = this.lineStarts[line + 1];
    if (end > 0 && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > 0 && this.text.charCodeAt(end - 1) === 13) end--;
    return Math.max(end, this.lineStarts[line]);
  }

  lineSpan(line: number): Span {
    return { start: this.lineStarts[line] ?? this.text.length, end: this.lineEnd(line) };
  }
}

/**
 * The line index of a text, shared by the parser, the engine and the reporters of one file (they
 * all see the same string object, so the check is a pointer comparison in practice).
 */
const recentIndexes: LineIndex[] = [];
export function lineIndexFor(text: string): LineIndex {
  for (const ix of recentIndexes) if (ix.text === text) return ix;
  const ix = new LineIndex(text);
  recentIndexes.unshift(ix);
  if (recentIndexes.length > 2) recentIndexes.pop();
  return ix;
}

/**
 * File names, GPO names and messages (which quote file content) may hold terminal control
 * sequences and invisible characters: show every C0/C1 control character and DEL, and every format
 * character, as a visible escape, never raw (the text output, the CLI's messages, the posture page).
 */
export function escapeControls(s: string): string {
  // C0 and C1 controls; every format character (Unicode Cf): the bidirectional marks, embeddings,
  // overrides and isolates that reorder what a terminal shows (a name with U+202E can display as
  // another name), zero-width spaces and joiners, the BOM, soft hyphens and tag characters that hide
  // text; and the line and paragraph separators (U+2028, U+2029) that break a line.
  return s.replace(/[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu, (c) => {
    const n = c.codePointAt(0) as number;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : n <= 0xffff ? `\\u${n.toString(16).padStart(4, '0')}` : `\\u{${n.toString(16)}}`;
  });
}
