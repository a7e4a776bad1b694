/**
 * Registration entries (.reg), settings-and-formats.md §6.2.
 *
 * Header, `[HIVE\key]` / `[-HIVE\key]` lines, `"name"=data` / `@=data` / `"name"=-` values, `;` and
 * `#` comment lines, and hex data wrapped over lines with a trailing `\`. Where the fact base is
 * silent, the behaviour follows what Windows' `reg import` does in Wine's conformance tests
 * (reg/tests/import.c, which also run on Windows): continuation only after hex data that ends
 * with a comma, blank and `;` lines skipped inside a continuation, `;` comments allowed after the
 * data, `#` only at the start of a line. Never throws; every line it cannot read gives a `parse`
 * problem and parsing goes on.
 */
import { cleanKey, hiveOf } from '../keys';
import { lineIndexFor, type LineIndex } from '../text';
import type { Comment, Encoding, Hive, ParseOptions, ParsedFile, RegData, RegType, Setting, SettingState, Span } from '../types';
import { emptyParse } from './empty';
import {
  CH_AT,
  CH_BACKSLASH,
  CH_COLON,
  CH_COMMA,
  CH_EQ,
  CH_HASH,
  CH_LBRACKET,
  CH_LPAREN,
  CH_MINUS,
  CH_QUOTE,
  CH_RBRACKET,
  CH_RPAREN,
  CH_SEMI,
  ProblemList,
  SeenValues,
  excerpt,
  findChar,
  findLastChar,
  isHexDigit,
  skipBlanks,
  span,
  trimEndIndex,
  enforceRegistryLimits,
  keepSetting,
} from './inf-reg-shared';
import { decodeHexValue } from './reg-data';

const HEADER_V5 = 'Windows Registry Editor Version 5.00';
const HEADER_V4 = 'REGEDIT4';
const DATA_FORMS = '"text", dword:00000000, hex:…, hex(N):… or - (delete)';
const HIVE_NAMES = 'HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_USERS, HKEY_CLASSES_ROOT or HKEY_CURRENT_CONFIG';

const FULL_HIVE_NAMES: Record<Hive, string> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKU: 'HKEY_USERS',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKCC: 'HKEY_CURRENT_CONFIG',
};

/**
 * Where values go: `none` before the first key line, `ok` under a valid key, `ignored` after a key
 * line that could not be read, `deleted` after a `[-key]` line (Windows writes nothing there).
 */
type BlockState = 'none' | 'ok' | 'ignored' | 'deleted';

interface ValueData {
  type: RegType | null;
  value: RegData;
  state: SettingState;
  valueSpan: Span;
  /** Index of the last line the value used (continuations). */
  lastLine: number;
}

type HexResult = { ok: true; bytes: number[]; dataEnd: number; lastLine: number } | { ok: false; next: number };

/** Registration entries (.reg). */
export function parseReg(text: string, encoding: Encoding, options?: ParseOptions): ParsedFile {
  // The table of values seen is one kept between parses (SeenValues.take).
  const seen = SeenValues.take();
  try {
    return new RegParser(text, encoding, seen, options).run();
  } finally {
    SeenValues.giveBack(seen);
  }
}

class RegParser {
  private readonly lines: LineIndex;
  private readonly problems = new ProblemList();
  private readonly settings: Setting[] = [];
  private readonly comments: Comment[] = [];
  /** Keys already deleted by a `[-key]` line (lower case) → that line's number and span. */
  private readonly deletedKeys = new Map<string, { line: number; span: Span }>();
  /** REGEDIT4 header: hex(2)/hex(7) bytes are ANSI, not UTF-16LE. */
  private ansi = false;
  private block: BlockState = 'none';
  private hive: Hive = 'HKLM';
  private key = '';
  /** `HIVE\key` as written (hive spelling kept), for messages. */
  private keyDisplay = '';
  /** The key line as written, e.g. `[HKEY_LOCAL_MACHINE\SYSTEM\...]`. */
  private keyLine = '';

  constructor(
    private readonly text: string,
    private readonly encoding: Encoding,
    private readonly seen: SeenValues,
    private readonly options?: ParseOptions,
  ) {
    this.lines = lineIndexFor(text);
  }

  run(): ParsedFile {
    const out = emptyParse('reg', this.text, this.encoding);
    const count = this.lines.lineCount;
    let li = this.header();
    while (li < count) li = this.line(li);
    out.settings = enforceRegistryLimits(this.settings, (p) => this.problems.add(p));
    out.comments = this.comments;
    out.problems = this.problems.finish();
    return out;
  }

  // ---- lines ---------------------------------------------------------------------------------

  /** Reads the header; returns the index of the first line still to parse. */
  private header(): number {
    const text = this.text;
    const count = this.lines.lineCount;
    for (let li = 0; li < count; li++) {
      const s = this.lines.lineStarts[li];
      const e = this.lines.lineEnd(li);
      const p = skipBlanks(text, s, e);
      if (p >= e) continue;
      const end = trimEndIndex(text, p, e);
      const found = text.slice(p, Math.min(end, p + 64));
      if (end - p <= 64) {
        if (found === HEADER_V5) return li + 1;
        if (found === HEADER_V4) {
          this.ansi = true;
          return li + 1;
        }
        const lower = found.toLowerCase();
        if (lower === HEADER_V5.toLowerCase() || lower === HEADER_V4.toLowerCase()) {
          const v4 = lower === HEADER_V4.toLowerCase();
          this.ansi = v4;
          this.problems.add({
            code: 'parse',
            severity: 'warning',
            message: `Expected the header spelled exactly "${v4 ? HEADER_V4 : HEADER_V5}"; Windows' reg import rejects other capitalisation.`,
            span: span(p, end),
          });
          return li + 1;
        }
      }
      this.problems.add({
        code: 'parse',
        severity: 'error',
        message: `Expected the first line to be "${HEADER_V5}" or "${HEADER_V4}"; found ${excerpt(text.slice(p, end))}. Windows will not import this file; it was read as a version 5 file.`,
        span: span(p, end),
      });
      // A line that looks like .reg content is parsed as such; anything else was the (bad) header.
      const c = text.charCodeAt(p);
      return c === CH_LBRACKET || c === CH_QUOTE || c === CH_AT || c === CH_SEMI || c === CH_HASH ? li : li + 1;
    }
    this.problems.add({
      code: 'parse',
      severity: 'error',
      message: `Expected the header line "${HEADER_V5}" (or "${HEADER_V4}"); the file is empty.`,
      span: span(0, 0),
    });
    return count;
  }

  /** Parses one line (a value may use more); returns the index of the next line to parse. */
  private line(li: number): number {
    const text = this.text;
    const s = this.lines.lineStarts[li];
    const e = this.lines.lineEnd(li);
    const p = skipBlanks(text, s, e);
    if (p >= e) return li + 1;
    const end = trimEndIndex(text, p, e);
    const c = text.charCodeAt(p);
    if (c === CH_SEMI || c === CH_HASH) {
      this.comment(p, e);
      return li + 1;
    }
    if (c === CH_LBRACKET) {
      this.keyLineAt(s, e, p, end);
      return li + 1;
    }
    if (c === CH_QUOTE || c === CH_AT) return this.value(li, s, e, p, end);
    const lower = end - p <= 64 ? text.slice(p, end).toLowerCase() : '';
    if (lower === HEADER_V5.toLowerCase() || lower === HEADER_V4.toLowerCase()) {
      this.error('The header line must be the first line of the file; Windows reads only the first line as the header.', p, end);
      return li + 1;
    }
    this.error(
      `Expected a [key] line, a "name"=data line, @=data or a ; comment; found ${excerpt(text.slice(p, Math.min(end, p + 80)))}.`,
      p,
      end,
    );
    return li + 1;
  }

  /** A `;` or `#` comment from `p` (the marker) to `e`. */
  private comment(p: number, e: number): void {
    this.comments.push({ text: this.text.slice(p + 1, e), span: span(p, e) });
  }

  // ---- key lines -----------------------------------------------------------------------------

  private keyLineAt(s: number, e: number, p: number, end: number): void {
    const text = this.text;
    const close = findLastChar(text, CH_RBRACKET, p + 1, end);
    if (close < 0) {
      this.block = 'ignored';
      this.error('Expected "]" at the end of the key line. Values up to the next key line are ignored.', p, end);
      return;
    }
    const rest = skipBlanks(text, close + 1, end);
    if (rest < end) {
      this.problems.add({
        code: 'parse',
        severity: 'warning',
        message: `Unexpected text after "]"; expected nothing after the key name, found ${excerpt(text.slice(rest, end))}.`,
        span: span(rest, end),
      });
    }
    let bodyStart = p + 1;
    const deleting = text.charCodeAt(bodyStart) === CH_MINUS;
    if (deleting) bodyStart++;
    let hiveEnd = findChar(text, CH_BACKSLASH, bodyStart, close);
    if (hiveEnd < 0) hiveEnd = close;
    const hiveToken = text.slice(bodyStart, hiveEnd);
    const upper = hiveToken.toUpperCase();
    const hive = hiveOf(hiveToken);
    const fullName = hive !== undefined && upper === FULL_HIVE_NAMES[hive];
    const abbreviation = hive !== undefined && upper === hive;
    if (!hive || (!fullName && !abbreviation)) {
      this.block = 'ignored';
      this.error(
        `Unknown registry hive ${excerpt(hiveToken)}; expected ${HIVE_NAMES} right after "[${deleting ? '-' : ''}". Values up to the next key line are ignored.`,
        hiveEnd > bodyStart ? bodyStart : p,
        hiveEnd > bodyStart ? hiveEnd : close + 1,
      );
      return;
    }
    if (abbreviation) {
      // Wine maps only the full names [S36]; abbreviations are not valid in .reg (§6.2, V2).
      this.problems.add({
        code: 'parse',
        severity: 'warning',
        message: `"${hiveToken}" is an abbreviation; .reg files need the full hive name ${FULL_HIVE_NAMES[hive]}, and Windows may reject this key. It was read as ${FULL_HIVE_NAMES[hive]}.`,
        span: span(bodyStart, hiveEnd),
      });
    }
    const key = cleanKey(hiveEnd < close ? text.slice(hiveEnd + 1, close) : '');
    const keyLine = text.slice(p, close + 1);
    this.hive = hive;
    this.key = key;
    this.keyDisplay = key ? `${hiveToken}\\${key}` : hiveToken;
    this.keyLine = keyLine;
    if (deleting) {
      this.block = 'deleted';
      const id = `${hive}\\${key}`.toLowerCase();
      const before = this.deletedKeys.get(id);
      if (before) {
        // The same key deleted again: one setting is enough (each would be judged against every
        // hardening value under the key, and a file of such lines must not multiply findings).
        this.problems.add({
          code: 'duplicate',
          severity: 'warning',
          message: `${excerpt(this.keyDisplay, 200)} is deleted again here; it was first deleted on line ${before.line}.`,
          span: span(s, e),
          related: [{ span: before.span, message: 'first deleted here' }],
        });
        return;
      }
      this.deletedKeys.set(id, { line: this.lines.positionAt(s).line + 1, span: span(s, e) });
      const setting: Setting = {
        hive,
        key,
        name: '',
        type: null,
        value: null,
        state: 'deleted',
        deleteScope: 'key',
        span: span(s, e),
        origin: `key delete ${keyLine}`,
      };
      if (keepSetting(setting, this.options)) this.settings.push(setting);
      return;
    }
    this.block = 'ok';
  }

  // ---- values --------------------------------------------------------------------------------

  private value(li: number, s: number, e: number, p: number, end: number): number {
    const text = this.text;
    let name: string;
    let nameSpan: Span;
    let after: number;
    if (text.charCodeAt(p) === CH_AT) {
      name = '';
      nameSpan = span(p, p + 1);
      after = p + 1;
    } else {
      const q = readQuoted(text, p + 1, end);
      if (q.close < 0) {
        this.error('Unterminated value name: expected a closing quote (") on this line.', p, end);
        return li + 1;
      }
      name = q.value;
      nameSpan = span(p + 1, q.close);
      after = q.close + 1;
    }
    const eq = skipBlanks(text, after, end);
    if (eq >= end || text.charCodeAt(eq) !== CH_EQ) {
      this.error(
        eq >= end
          ? `Expected "=" and the data after the value name (${DATA_FORMS}).`
          : `Expected "=" after the value name; found ${excerpt(text.slice(eq, Math.min(end, eq + 40)))}.`,
        eq >= end ? p : eq,
        end,
      );
      return li + 1;
    }
    const ds = skipBlanks(text, eq + 1, end);
    if (ds >= end) {
      this.error(`Expected data after "=": ${DATA_FORMS}.`, p, end);
      return li + 1;
    }
    const data = this.data(li, e, ds, end);
    if ('next' in data) return data.next;
    this.emit(li, s, p, end, name, nameSpan, data);
    return data.lastLine + 1;
  }

  /** The data after `=`, starting at `ds`. On failure a problem is added and the next line index returned. */
  private data(li: number, e: number, ds: number, end: number): ValueData | { next: number } {
    const text = this.text;
    const c = text.charCodeAt(ds);
    if (c === CH_MINUS) {
      const r = skipBlanks(text, ds + 1, end);
      if (!this.endOfData(r, e, end, '"name"=- deletes the value and takes nothing after the "-"')) return { next: li + 1 };
      return { type: null, value: null, state: 'deleted', valueSpan: span(ds, ds + 1), lastLine: li };
    }
    if (c === CH_QUOTE) {
      const q = readQuoted(text, ds + 1, end);
      if (q.close < 0) {
        this.error('Unterminated string: expected a closing quote (") on this line.', ds, end);
        return { next: li + 1 };
      }
      const r = skipBlanks(text, q.close + 1, end);
      if (!this.endOfData(r, e, end, 'expected nothing but a ; comment after the closing quote')) return { next: li + 1 };
      return { type: 'REG_SZ', value: q.value, state: 'set', valueSpan: span(ds, q.close + 1), lastLine: li };
    }
    if (startsWithWord(text, ds, end, 'dword:')) {
      const hs = ds + 6;
      let j = hs;
      while (j < end && isHexDigit(text.charCodeAt(j))) j++;
      const r = skipBlanks(text, j, end);
      const tail = r < end && text.charCodeAt(r) !== CH_SEMI;
      if (j === hs || j - hs > 8 || tail) {
        this.error(
          `Expected 1 to 8 hex digits after "dword:" (for example dword:00000001), with no "0x"; found ${excerpt(
            text.slice(ds, r < end && !tail ? trimEndIndex(text, ds, r) : end),
          )}.`,
          ds,
          end,
        );
        return { next: this.skipWrapped(li) };
      }
      if (r < end) this.comment(r, e);
      return { type: 'REG_DWORD', value: parseInt(text.slice(hs, j), 16), state: 'set', valueSpan: span(ds, j), lastLine: li };
    }
    if (startsWithWord(text, ds, end, 'hex')) {
      let k = ds + 3;
      let typeNumber = 3;
      if (k < end && text.charCodeAt(k) === CH_LPAREN) {
        let j = k + 1;
        while (j < end && isHexDigit(text.charCodeAt(j))) j++;
        if (j === k + 1 || j - k - 1 > 8 || j >= end || text.charCodeAt(j) !== CH_RPAREN) {
          this.error('Expected the type in hex(…) as 1 to 8 hex digits without "0x", for example hex(7):.', ds, Math.min(j + 1, end));
          return { next: this.skipWrapped(li) };
        }
        typeNumber = parseInt(text.slice(k + 1, j), 16);
        k = j + 1;
      }
      if (k >= end || text.charCodeAt(k) !== CH_COLON) {
        this.error(`Expected ":" after "${text.slice(ds, k)}", then the hex bytes (for example hex:01,00).`, ds, Math.min(k + 1, end));
        return { next: this.skipWrapped(li) };
      }
      const hex = this.hexList(li, k + 1);
      if (!hex.ok) return { next: hex.next };
      const decoded = decodeHexValue(typeNumber, hex.bytes, this.ansi);
      if (!decoded.ok) {
        this.error(decoded.message, ds, hex.dataEnd);
        return { next: hex.lastLine + 1 };
      }
      if (decoded.note) this.problems.add({ code: 'parse', severity: 'warning', message: decoded.note, span: span(ds, hex.dataEnd) });
      return { type: decoded.type, value: decoded.value, state: 'set', valueSpan: span(ds, hex.dataEnd), lastLine: hex.lastLine };
    }
    this.error(`Expected the data after "=" to be ${DATA_FORMS}; found ${excerpt(text.slice(ds, Math.min(end, ds + 40)))}.`, ds, end);
    return { next: li + 1 };
  }

  /** After the data only blanks and a `;` comment may follow (Windows rejects `#` there). */
  private endOfData(r: number, e: number, end: number, expectation: string): boolean {
    if (r >= end) return true;
    if (this.text.charCodeAt(r) === CH_SEMI) {
      this.comment(r, e);
      return true;
    }
    this.error(`Unexpected text after the data; ${expectation}. Found ${excerpt(this.text.slice(r, end))}.`, r, end);
    return false;
  }

  /**
   * Comma-separated hex bytes from `from` on line `li`, following `\` continuations. A
   * continuation needs a comma before the `\` (or no byte yet); blank and `;` lines in between are
   * skipped; the next other line is the continuation, whatever it holds.
   */
  private hexList(li: number, from: number): HexResult {
    const text = this.text;
    const count = this.lines.lineCount;
    const bytes: number[] = [];
    let line = li;
    let lineEnd = this.lines.lineEnd(li);
    let pos = from;
    let dataEnd = from;
    let afterByte = false;
    for (;;) {
      pos = skipBlanks(text, pos, lineEnd);
      if (pos >= lineEnd) return { ok: true, bytes, dataEnd, lastLine: line };
      const c = text.charCodeAt(pos);
      if (c === CH_SEMI) {
        this.comment(pos, lineEnd);
        return { ok: true, bytes, dataEnd, lastLine: line };
      }
      if (c === CH_COMMA) {
        if (!afterByte) return this.hexFail(line, 'Expected a hex byte before ","; empty bytes are not allowed.', pos, pos + 1);
        afterByte = false;
        pos++;
        dataEnd = pos;
        continue;
      }
      if (isHexDigit(c)) {
        if (afterByte) return this.hexFail(line, 'Expected "," between hex bytes.', pos, pos + 1);
        let j = pos;
        while (j < lineEnd && isHexDigit(text.charCodeAt(j))) j++;
        if (j - pos > 2) {
          return this.hexFail(line, `${excerpt(text.slice(pos, j), 20)} is not a hex byte; expected one or two hex digits, such as 0a.`, pos, j);
        }
        bytes.push(parseInt(text.slice(pos, j), 16));
        afterByte = true;
        pos = j;
        dataEnd = j;
        continue;
      }
      if (c !== CH_BACKSLASH) {
        return this.hexFail(
          line,
          `Unexpected ${excerpt(text.charAt(pos))} in the hex data; expected hex bytes separated by commas (for example 01,00) and an optional ; comment.`,
          pos,
          pos + 1,
        );
      }
      // Line continuation.
      if (afterByte) {
        return this.hexFail(line, 'Expected "," before the line continuation "\\"; Windows does not join the lines otherwise.', pos, pos + 1);
      }
      const r = skipBlanks(text, pos + 1, lineEnd);
      if (r < lineEnd) {
        if (text.charCodeAt(r) !== CH_SEMI) {
          return this.hexFail(line, 'Unexpected text after the line continuation "\\"; expected the hex data to go on on the next line.', r, lineEnd);
        }
        this.comment(r, lineEnd);
      }
      let next = line + 1;
      let q = 0;
      let ne = 0;
      for (; next < count; next++) {
        ne = this.lines.lineEnd(next);
        q = skipBlanks(text, this.lines.lineStarts[next], ne);
        if (q >= ne) continue;
        if (text.charCodeAt(q) === CH_SEMI) {
          this.comment(q, ne);
          continue;
        }
        break;
      }
      if (next >= count) {
        this.error('The hex data ends with a line continuation "\\" but the file ends here.', pos, pos + 1);
        return { ok: false, next: count };
      }
      if (!isHexDigit(text.charCodeAt(q))) {
        this.error(
          `Expected the hex data to continue on line ${next + 1}; Windows reads that line as part of this value, so neither the value nor that line is applied.`,
          q,
          trimEndIndex(text, q, ne),
        );
        return { ok: false, next: next + 1 };
      }
      line = next;
      lineEnd = ne;
      pos = q;
    }
  }

  private hexFail(line: number, message: string, start: number, end: number): HexResult {
    this.error(message, start, end);
    return { ok: false, next: this.skipWrapped(line) };
  }

  /**
   * After bad data on a line that ends with `\`, skip the wrapped lines that follow (indented hex),
   * so one broken value gives one problem. Returns the index of the next line to parse.
   */
  private skipWrapped(line: number): number {
    const text = this.text;
    const count = this.lines.lineCount;
    let cur = line;
    while (cur + 1 < count) {
      const s = this.lines.lineStarts[cur];
      const e = this.lines.lineEnd(cur);
      const t = trimEndIndex(text, s, e);
      if (t === s || text.charCodeAt(t - 1) !== CH_BACKSLASH) break;
      const ne = this.lines.lineEnd(cur + 1);
      const q = skipBlanks(text, this.lines.lineStarts[cur + 1], ne);
      if (q >= ne) break;
      const c = text.charCodeAt(q);
      if (!isHexDigit(c) && c !== CH_COMMA) break;
      cur++;
    }
    return cur + 1;
  }

  /** Records a value as a setting, if its block allows it; checks for duplicates. */
  private emit(_li: number, s: number, p: number, end: number, name: string, nameSpan: Span, data: ValueData): void {
    if (this.block === 'none') {
      this.error('This value comes before any [key] line, so it has no key and is ignored.', p, end);
      return;
    }
    if (this.block === 'ignored') return;
    if (this.block === 'deleted') {
      this.problems.add({
        code: 'parse',
        severity: 'warning',
        message: `This value follows the key deletion ${excerpt(this.keyLine, 120)}; Windows writes no values under a key deletion line, so it is ignored.`,
        span: span(p, end),
      });
      return;
    }
    const setting: Setting = {
      hive: this.hive,
      key: this.key,
      name,
      type: data.type,
      value: data.value,
      state: data.state,
      span: span(s, this.lines.lineEnd(data.lastLine)),
      nameSpan,
      valueSpan: data.valueSpan,
      valueSyntax: 'reg',
      origin: this.keyLine,
    };
    if (data.state === 'deleted') setting.deleteScope = 'value';
    if (keepSetting(setting, this.options)) this.settings.push(setting);
    const earlier = this.seen.checkValue(this.hive, this.key, name, { span: setting.span, state: data.state });
    if (earlier) {
      const what = `${this.keyDisplay}\\${name === '' ? '(Default)' : name}`;
      const firstSet = earlier.state === 'set';
      const here = data.state === 'set' ? (firstSet ? 'is set again here' : 'is set here') : 'is deleted here';
      const first = firstSet ? (data.state === 'set' ? 'first set' : 'set') : 'deleted';
      // .reg lines are processed in file order [S35], so unlike GptTmpl.inf the later line wins.
      this.problems.add({
        code: 'duplicate',
        severity: 'warning',
        message: `${what} ${here}; it was ${first} on line ${this.lines.positionAt(earlier.span.start).line + 1}. Windows applies .reg lines in order, so the later line wins.`,
        span: setting.span,
        related: [{ span: earlier.span, message: firstSet ? 'first set here' : 'deleted here' }],
      });
    }
  }

  private error(message: string, start: number, end: number): void {
    this.problems.add({ code: 'parse', severity: 'error', message, span: span(start, end) });
  }
}

/** `word` (ASCII, any case) at `at`, within the line. */
function startsWithWord(text: string, at: number, end: number, word: string): boolean {
  if (end - at < word.length) return false;
  return text.slice(at, at + word.length).toLowerCase() === word;
}

/**
 * A quoted .reg string from `from` (just after the opening quote): `\\` → `\`, `\"` → `"`, other
 * backslashes kept as written. `close` is the index of the closing quote, or -1 if the line has none.
 */
function readQuoted(text: string, from: number, to: number): { value: string; close: number } {
  const parts: string[] = [];
  let chunk = from;
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === CH_BACKSLASH && i + 1 < to) {
      const d = text.charCodeAt(i + 1);
      if (d === CH_BACKSLASH || d === CH_QUOTE) {
        parts.push(text.slice(chunk, i), text.charAt(i + 1));
        i += 2;
        chunk = i;
        continue;
      }
    }
    if (c === CH_QUOTE) {
      parts.push(text.slice(chunk, i));
      return { value: parts.join(''), close: i };
    }
    i++;
  }
  return { value: '', close: -1 };
}
