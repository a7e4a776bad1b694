/**
 * secedit security template (GptTmpl.inf), settings-and-formats.md §6.1.
 *
 * Line based: `[Section]` headers in any order and case, `key = value` lines (every one becomes an
 * `InfEntry`), and `[Registry Values]` lines `MACHINE\<key>\<name>=<type>,<data>` that also become
 * `Setting`s. Never throws; every line it cannot read gives a `parse` problem and parsing goes on
 * with the next line.
 */
import { cleanKey } from '../keys';
import { lineIndexFor, type LineIndex } from '../text';
import type { Comment, Encoding, InfEntry, InfSectionInfo, ParseOptions, ParsedFile, RegData, RegType, Setting } from '../types';
import { emptyParse } from './empty';
import {
  CH_BACKSLASH,
  CH_COMMA,
  CH_EQ,
  CH_LBRACKET,
  CH_QUOTE,
  CH_RBRACKET,
  CH_SEMI,
  ProblemList,
  SeenValues,
  excerpt,
  findChar,
  findLastChar,
  isDigit,
  skipBlanks,
  span,
  trimEndIndex,
  enforceRegistryLimits,
  keepSetting,
} from './inf-reg-shared';

const REGISTRY_VALUES = 'registry values';
const ORIGIN = '[Registry Values]';

/** MS-GPSB sections whose lines are all `Key = Value` [S32]. A line without `=` there is malformed. */
const KEY_VALUE_SECTIONS = new Set([
  'unicode',
  'version',
  'system access',
  'kerberos policy',
  'event audit',
  'system log',
  'security log',
  'application log',
  'privilege rights',
  'group membership',
]);
// `[Registry Keys]`, `[File Security]` and `[Service General Setting]` hold `"name",mode,"sddl"`
// lines without `=` (seen in the corpus); those and unknown sections accept such lines silently.

/** winnt.h type numbers as secedit writes them [S37]; other numbers become `REG_TYPE_<n>`. */
const INF_TYPES: Record<number, RegType> = {
  1: 'REG_SZ',
  2: 'REG_EXPAND_SZ',
  3: 'REG_BINARY',
  4: 'REG_DWORD',
  7: 'REG_MULTI_SZ',
};

const ENCODING_WORDS: Record<Encoding, string> = {
  'utf-16le-bom': 'UTF-16LE with a byte order mark',
  'utf-16le': 'UTF-16LE without a byte order mark',
  'utf-8-bom': 'UTF-8 with a byte order mark',
  'utf-8': 'UTF-8 without a byte order mark',
  ascii: 'ASCII',
  ansi: 'ANSI (Windows-1252)',
  binary: 'binary data',
};

const TYPE_HELP = '1 = REG_SZ, 2 = REG_EXPAND_SZ, 3 = REG_BINARY, 4 = REG_DWORD, 7 = REG_MULTI_SZ';
const LINE_SHAPE = 'MACHINE\\<key path>\\<value name>=<type>,<data>';

function normaliseSectionName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

interface OpenSection {
  info: InfSectionInfo;
  key: string;
}

/** secedit security template (GptTmpl.inf). */
export function parseInf(text: string, encoding: Encoding, options?: ParseOptions): ParsedFile {
  // The table of values seen is one kept between parses (SeenValues.take).
  const seen = SeenValues.take();
  try {
    return new InfParser(text, encoding, seen, options).run();
  } finally {
    SeenValues.giveBack(seen);
  }
}

class InfParser {
  private readonly lines: LineIndex;
  private readonly problems = new ProblemList();
  private readonly settings: Setting[] = [];
  private readonly comments: Comment[] = [];
  private readonly sections: InfSectionInfo[] = [];
  private readonly entries: InfEntry[] = [];
  private current: OpenSection | undefined;
  private commentHintGiven = false;

  constructor(
    private readonly text: string,
    private readonly encoding: Encoding,
    private readonly seen: SeenValues,
    private readonly options?: ParseOptions,
  ) {
    this.lines = lineIndexFor(text);
  }

  run(): ParsedFile {
    const out = emptyParse('inf', this.text, this.encoding);
    if (this.encoding !== 'utf-16le-bom') {
      // MS-GPSB: UTF-16LE with BOM [S32]; hand-made templates are often ANSI/UTF-8 (§6.1).
      this.problems.add({
        code: 'encoding',
        severity: 'warning',
        message: `This security template is ${ENCODING_WORDS[this.encoding]}. GPMC and MS-GPSB use UTF-16LE with a BOM (FF FE); Windows or other tools may not read it as intended.`,
        span: this.lines.lineSpan(0),
      });
    }
    const count = this.lines.lineCount;
    for (let li = 0; li < count; li++) this.line(li);
    out.settings = enforceRegistryLimits(this.settings, (p) => this.problems.add(p));
    out.comments = this.comments;
    out.sections = this.sections;
    out.entries = this.entries;
    out.problems = this.problems.finish();
    return out;
  }

  private line(li: number): void {
    const text = this.text;
    const s = this.lines.lineStarts[li];
    const e = this.lines.lineEnd(li);
    const p = skipBlanks(text, s, e);
    if (p >= e) return;
    const end = trimEndIndex(text, p, e);
    const c = text.charCodeAt(p);
    if (c === CH_SEMI) {
      this.comment(p, e);
      if (this.current) this.current.info.span.end = e;
      return;
    }
    if (c === CH_LBRACKET) {
      this.header(p, end, e);
      return;
    }
    if (!this.current) {
      this.problems.add({
        code: 'parse',
        severity: 'warning',
        message: 'This line is outside any section and is ignored; expected a section header such as [Registry Values] before it.',
        span: span(p, end),
      });
      return;
    }
    this.current.info.span.end = e;
    if (this.current.key === REGISTRY_VALUES) this.registryValue(li, s, e, p, end);
    else this.keyValue(s, e, p, end);
  }

  private comment(p: number, e: number): void {
    const text = this.text.slice(p + 1, e);
    this.comments.push({ text, span: span(p, e) });
    // relaylint's own suppression comments are not reported as a format problem.
    if (!this.commentHintGiven && !/^\s*relaylint-/.test(text)) {
      this.commentHintGiven = true;
      // §6.1: comments are not in the MS-GPSB grammar; whether the security CSE accepts them is UNVERIFIED.
      this.problems.add({
        code: 'parse',
        severity: 'hint',
        message:
          'Comment lines are not part of the security template format: GPMC never writes them, and it is not verified that the Group Policy security extension accepts them.',
        span: span(p, e),
      });
    }
  }

  private header(p: number, end: number, e: number): void {
    const text = this.text;
    const close = findChar(text, CH_RBRACKET, p + 1, end);
    let nameEnd: number;
    let headerEnd: number;
    if (close < 0) {
      this.problems.add({
        code: 'parse',
        severity: 'warning',
        message: 'Expected "]" to close the section header.',
        span: span(p, end),
      });
      nameEnd = end;
      headerEnd = end;
    } else {
      nameEnd = close;
      headerEnd = close + 1;
      const rest = skipBlanks(text, headerEnd, end);
      if (rest < end) {
        this.problems.add({
          code: 'parse',
          severity: 'warning',
          message: `Unexpected text after the section header; expected nothing after "]", found ${excerpt(text.slice(rest, end))}.`,
          span: span(rest, end),
        });
      }
    }
    const name = text.slice(p + 1, nameEnd).trim();
    if (name === '') {
      this.problems.add({
        code: 'parse',
        severity: 'warning',
        message: 'Expected a section name between "[" and "]".',
        span: span(p, headerEnd),
      });
    }
    const info: InfSectionInfo = { name, headerSpan: span(p, headerEnd), span: span(p, e) };
    this.sections.push(info);
    this.current = { info, key: normaliseSectionName(name) };
  }

  /** Any section but [Registry Values]: `key = value`, or a record line without `=` where the format has them. */
  private keyValue(s: number, e: number, p: number, end: number): void {
    const text = this.text;
    const section = this.current!;
    const eq = findUnquotedEq(text, p, end);
    if (eq < 0) {
      if (KEY_VALUE_SECTIONS.has(section.key)) {
        this.problems.add({
          code: 'parse',
          severity: 'warning',
          message: `Expected "key = value" in [${section.info.name}]; this line has no "=".`,
          span: span(p, end),
        });
      }
      return;
    }
    const keyEnd = trimEndIndex(text, p, eq);
    if (keyEnd === p) {
      this.problems.add({
        code: 'parse',
        severity: 'warning',
        message: `Expected a key before "=" in [${section.info.name}].`,
        span: span(p, end),
      });
      return;
    }
    const vs = skipBlanks(text, eq + 1, end);
    this.entries.push({
      section: section.info.name,
      key: text.slice(p, keyEnd),
      value: text.slice(vs, end),
      span: span(s, e),
      keySpan: span(p, keyEnd),
      valueSpan: span(vs, end),
    });
  }

  /** `MACHINE\<key path>\<value name>=<type>,<data>`, path optionally quoted as a whole. */
  private registryValue(_li: number, s: number, e: number, p: number, end: number): void {
    const text = this.text;
    let pathStart: number;
    let pathEnd: number;
    let eq: number;
    if (text.charCodeAt(p) === CH_QUOTE) {
      const q = findChar(text, CH_QUOTE, p + 1, end);
      if (q < 0) {
        this.error(`Expected a closing quote after the quoted registry path; expected ${LINE_SHAPE}.`, p, end);
        return;
      }
      pathStart = p + 1;
      pathEnd = q;
      eq = skipBlanks(text, q + 1, end);
      if (eq >= end || text.charCodeAt(eq) !== CH_EQ) {
        this.error(`Expected "=" after the quoted registry path; expected ${LINE_SHAPE}.`, p, end);
        return;
      }
    } else {
      eq = findChar(text, CH_EQ, p, end);
      if (eq < 0) {
        this.error(`Expected ${LINE_SHAPE}; this line has no "=".`, p, end);
        return;
      }
      pathStart = p;
      pathEnd = trimEndIndex(text, p, eq);
    }
    const vs = skipBlanks(text, eq + 1, end);
    const path = text.slice(pathStart, pathEnd);
    // In `relevant` mode (the CLI) the [Registry Values] lines are not kept as entries: nothing there reads them.
    if (pathEnd > pathStart && this.options?.settings !== 'relevant') {
      this.entries.push({
        section: this.current!.info.name,
        key: path,
        value: text.slice(vs, end),
        span: span(s, e),
        keySpan: span(pathStart, pathEnd),
        valueSpan: span(vs, end),
      });
    }

    // The registry path: MACHINE\<key>\<name>, split at the last backslash.
    if (pathEnd === pathStart) {
      this.error(`Expected ${LINE_SHAPE}; the registry path before "=" is missing.`, p, end);
      return;
    }
    const firstBs = findChar(text, CH_BACKSLASH, pathStart, pathEnd);
    if (firstBs < 0) {
      this.error(`Expected ${LINE_SHAPE}; found ${excerpt(path)} before "=".`, p, eq);
      return;
    }
    const prefix = text.slice(pathStart, firstBs);
    if (prefix.toLowerCase() !== 'machine') {
      this.error(
        `Expected the registry path to start with MACHINE\\ (HKEY_LOCAL_MACHINE); ${excerpt(`${prefix}\\`)} is not a hive a security template can set.`,
        pathStart,
        firstBs + 1,
      );
      return;
    }
    const lastBs = findLastChar(text, CH_BACKSLASH, firstBs, pathEnd);
    if (lastBs === pathEnd - 1) {
      this.error('Expected a value name after the last "\\" of the registry path.', pathStart, pathEnd);
      return;
    }
    const rawKey = text.slice(firstBs + 1, lastBs);
    const key = cleanKey(rawKey);
    const name = text.slice(lastBs + 1, pathEnd);

    // <type>,<data>
    const ts = vs;
    if (ts >= end) {
      this.error(`Expected "<type>,<data>" after "=" (for example 4,1 for a REG_DWORD of 1).`, p, end);
      return;
    }
    let te = ts;
    while (te < end && isDigit(text.charCodeAt(te))) te++;
    const afterType = skipBlanks(text, te, end);
    if (te === ts || (afterType < end && text.charCodeAt(afterType) !== CH_COMMA)) {
      const comma = findChar(text, CH_COMMA, ts, end);
      const tokenEnd = comma < 0 ? end : trimEndIndex(text, ts, comma);
      this.error(
        `Expected the registry type as a decimal number (${TYPE_HELP}); found ${excerpt(text.slice(ts, tokenEnd))}.`,
        ts,
        Math.max(tokenEnd, ts + 1),
      );
      return;
    }
    const digits = text.slice(ts, te);
    if (afterType >= end) {
      this.error(`Expected "," and the data after the type number ${digits}.`, ts, te);
      return;
    }
    const significant = stripLeadingZeros(digits);
    const typeNumber = significant.length > 10 ? Infinity : Number(significant);
    if (typeNumber > 0xffffffff) {
      this.error(`The registry type number ${excerpt(digits)} is out of range; expected one of ${TYPE_HELP}.`, ts, te);
      return;
    }
    const ds = skipBlanks(text, afterType + 1, end);
    const data = text.slice(ds, end);
    const type: RegType = INF_TYPES[typeNumber] ?? `REG_TYPE_${typeNumber}`;
    let value: RegData;
    switch (typeNumber) {
      case 4: {
        if (data === '') {
          // `=4,` is in real templates (Windows' own default-policy template has it). What Windows
          // does with a REG_DWORD without data is not known: say so once, at warning level, and judge nothing.
          this.problems.add({
            code: 'parse',
            severity: 'warning',
            message: `REG_DWORD without data (${excerpt(`${name}=4,`)}): what Windows does with it is not known, so this line was not judged. Write the value (for example 4,1) or remove the line.`,
            span: span(s, e),
          });
          return;
        }
        const n = parseDword(data);
        if (n === undefined) {
          this.error(
            `Expected a whole number from 0 to 4294967295 for REG_DWORD data (for example 4,1); found ${excerpt(data)}.`,
            ds < end ? ds : ts,
            end,
          );
          return;
        }
        value = n;
        break;
      }
      case 1:
      case 2:
        value = data.length >= 2 && data.startsWith('"') && data.endsWith('"') ? data.slice(1, -1) : data;
        break;
      case 7:
        // Items are comma separated, unquoted; `=7,` is an empty list (§6.1). Quoting of items
        // that contain commas is UNVERIFIED, so the split is literal.
        value = data === '' ? [] : data.split(',');
        break;
      default:
        // REG_BINARY (3) data encoding is UNVERIFIED (§6.1): keep the raw text.
        value = data;
    }
    const lineSpan = span(s, e);
    // In `relevant` mode most lines are values no rule knows: decided on a small probe, and only a
    // kept value is built in full.
    if (this.options?.settings !== 'relevant' || keepSetting({ hive: 'HKLM', key, name, state: 'set' } as Setting, this.options)) {
      this.settings.push({
        hive: 'HKLM',
        key,
        name,
        type,
        value,
        state: 'set',
        span: lineSpan,
        nameSpan: span(lastBs + 1, pathEnd),
        valueSpan: span(ts, end),
        valueSyntax: 'inf',
        origin: ORIGIN,
      });
    }
    const first = { span: lineSpan, state: 'set' as const };
    const earlier = key === rawKey ? this.seen.checkValueIn(text, 'HKLM', firstBs + 1, lastBs, lastBs + 1, pathEnd, first) : this.seen.checkValue('HKLM', key, name, first);
    if (earlier) {
      // MS-GPSB does not say which of two lines wins (§6.1, UNVERIFIED): report, do not pick.
      this.problems.add({
        code: 'duplicate',
        severity: 'warning',
        message: `${path} is set again here; it was first set on line ${this.lines.positionAt(earlier.span.start).line + 1}. The file format does not say which one wins.`,
        span: lineSpan,
        related: [{ span: earlier.span, message: 'first set here' }],
      });
    }
  }

  private error(message: string, start: number, end: number): void {
    this.problems.add({ code: 'parse', severity: 'error', message, span: span(start, end) });
  }
}

/** First `=` outside double quotes in [from, to), or -1 (`"svc",2,"D:…"` record lines have none). */
function findUnquotedEq(text: string, from: number, to: number): number {
  let quoted = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === CH_QUOTE) quoted = !quoted;
    else if (c === CH_EQ && !quoted) return i;
  }
  return -1;
}

/** Decimal, or 0x-hex, within 0..0xFFFFFFFF (leading zeros allowed); anything else is undefined. */
function parseDword(data: string): number | undefined {
  let digits: string;
  let radix: number;
  if (/^[0-9]+$/.test(data)) {
    digits = data;
    radix = 10;
  } else if (/^0[xX][0-9a-fA-F]+$/.test(data)) {
    digits = data.slice(2);
    radix = 16;
  } else {
    return undefined;
  }
  const significant = stripLeadingZeros(digits);
  if (significant.length > (radix === 10 ? 10 : 8)) return undefined;
  const n = parseInt(significant, radix);
  return n <= 0xffffffff ? n : undefined;
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}
