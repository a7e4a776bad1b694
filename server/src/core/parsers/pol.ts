/**
 * Registry.pol (PReg), read-only [S34] (settings-and-formats.md §6.5):
 *   "PReg" + DWORD version 1, then records  [key;value;type;size;data]
 * where `[ ; ]` and the two strings are UTF-16LE (strings NUL-terminated) and type and size are
 * 32-bit little-endian (the MS-GPREG ABNF draws them as one byte; real files use four).
 *
 * The result's `text` is a rendered, read-only text view (one line per record, with its byte
 * offset), so the editor can show diagnostics and hovers on it; every Setting also carries the
 * record's byte `offset`. A file whose sizes lie or that is truncated gives a problem at the byte
 * offset; nothing here throws.
 */
import { LIMITS } from '../limits';
import { cleanKey, displayKey } from '../keys';
import type { Hive, ParseOptions, ParsedFile, Problem, RegData, RegType, Setting } from '../types';
import { keepSetting } from './inf-reg-shared';

const TYPE_NAMES: Record<number, RegType> = {
  0: 'REG_NONE',
  1: 'REG_SZ',
  2: 'REG_EXPAND_SZ',
  3: 'REG_BINARY',
  4: 'REG_DWORD',
  5: 'REG_DWORD_BIG_ENDIAN',
  6: 'REG_LINK',
  7: 'REG_MULTI_SZ',
  11: 'REG_QWORD',
};

/** Two upper-case hex digits per byte value. */
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));
/** `0x` and at least `w` upper-case hex digits; a 32-bit offset (every one in a file under the size limit) from a table, once per record. */
const hex = (n: number, w = 8) =>
  w === 8 && n >= 0 && n <= 0xffffffff && Number.isInteger(n)
    ? `0x${HEX2[Math.floor(n / 0x1000000)]}${HEX2[(n >>> 16) & 255]}${HEX2[(n >>> 8) & 255]}${HEX2[n & 255]}`
    : '0x' + n.toString(16).toUpperCase().padStart(w, '0');

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  get left(): number {
    return this.b.length - this.pos;
  }
  u16(): number {
    const v = this.b[this.pos] | (this.b[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = (this.b[this.pos] | (this.b[this.pos + 1] << 8) | (this.b[this.pos + 2] << 16)) + this.b[this.pos + 3] * 0x1000000;
    this.pos += 4;
    return v;
  }
}

/** UTF-16LE bytes [start, end) as a string; straight from a Buffer's own decoder (no view object per string). */
function utf16le(b: Uint8Array, start: number, end: number): string {
  const fast = (b as { ucs2Slice?: (start: number, end: number) => string }).ucs2Slice;
  return typeof fast === 'function' ? fast.call(b, start, end) : Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf16le');
}

/** Whether the `length` bytes at `a` and at `b` are the same. */
function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/**
 * Whether the `length` units at `a` and at `b` are the same. `sameBytes` over 16-bit units: comparing
 * a key with the last one by bytes instead made the 5,500 bench `.pol` files cost 6.6% more (wave 14).
 */
function sameUnits(units: Uint16Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (units[a + i] !== units[b + i]) return false;
  return true;
}

function utf16z(b: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i + 1 < end && (b[i] | b[i + 1]) !== 0) i += 2;
  return utf16le(b, start, i);
}

function decodeData(type: number, b: Uint8Array, start: number, size: number): { value: RegData; note?: string } {
  const end = start + size;
  switch (type) {
    case 4:
      if (size !== 4) return { value: null, note: `a REG_DWORD must hold 4 bytes, this one holds ${size}` };
      return { value: (b[start] | (b[start + 1] << 8) | (b[start + 2] << 16)) + b[start + 3] * 0x1000000 };
    case 5:
      if (size !== 4) return { value: null, note: `a REG_DWORD_BIG_ENDIAN must hold 4 bytes, this one holds ${size}` };
      return { value: b[start] * 0x1000000 + ((b[start + 1] << 16) | (b[start + 2] << 8) | b[start + 3]) };
    case 11: {
      if (size !== 8) return { value: null, note: `a REG_QWORD must hold 8 bytes, this one holds ${size}` };
      let v = 0n;
      for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[start + i]);
      return { value: v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString() };
    }
    case 1:
    case 2:
      return { value: utf16z(b, start, end), note: size % 2 ? `string data with an odd length (${size} bytes)` : undefined };
    case 7: {
      const items: string[] = [];
      let cur = '';
      for (let i = start; i + 1 < end; i += 2) {
        const c = b[i] | (b[i + 1] << 8);
        if (c === 0) {
          if (cur === '') break;
          items.push(cur);
          cur = '';
        } else cur += String.fromCharCode(c);
      }
      if (cur) items.push(cur);
      return { value: items };
    }
    default: {
      let h = '';
      for (let i = start; i < end && i < start + 4096; i++) h += b[i].toString(16).padStart(2, '0');
      return { value: h };
    }
  }
}

/** One object shape for every record (a spread would make each one a slow dictionary object). */
function polSetting(hive: Hive, offset: number, key: string, name: string, type: RegType | null, value: RegData, state: Setting['state'], span: { start: number; end: number }): Setting {
  return {
    hive,
    key,
    name,
    type,
    value,
    state,
    span,
    valueSpan: undefined,
    nameSpan: undefined,
    offset,
    deleteScope: undefined,
    origin: 'Registry.pol record',
  };
}

function renderData(type: RegType, value: RegData): string {
  if (value === null) return `${type}:(unreadable)`;
  if (Array.isArray(value)) return `${type}:${JSON.stringify(value)}`;
  if (typeof value === 'number') return `${type}:${value}`;
  return type === 'REG_SZ' || type === 'REG_EXPAND_SZ' ? `${type}:${JSON.stringify(value)}` : `${type}:${value}`;
}

/** The start of a record's line in the view: its offset (made only for a line that is built). */
const recordAt = (n: number) => `@${hex(n)}  `;
/** The length of `recordAt(n)`. */
const atLength = (n: number) => (n >= 0 && n <= 0xffffffff && Number.isInteger(n) ? 13 : hex(n).length + 3);
const DELETE_VALUE_OPEN = ' (delete value "';
const DELETE_VALUE_CLOSE = '")';

export function parsePol(bytes: Uint8Array, hive: Hive, options?: ParseOptions): ParsedFile {
  const settings: Setting[] = [];
  const problems: Problem[] = [];
  // Without the view (`ParseOptions.view`), its lines are only measured: the spans are the same,
  // and `viewLines` keeps where each line starts. The records' lines are then never built.
  const view = options?.view !== 'none';
  const viewLines: number[] | undefined = view ? undefined : [0];
  let text = '';
  let length = 0;
  const eol = '\n';
  /** A line of `n` characters at the end of the view (its text added by the caller when the view is built). */
  const measured = (n: number): { start: number; end: number } => {
    const start = length;
    length += n + 1;
    viewLines?.push(length);
    return { start, end: start + n };
  };
  const emit = (line: string): { start: number; end: number } => {
    if (view) text += line + eol;
    else if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) return measuredBreaks(line);
    return measured(line.length);
  };
  /** `measured` for a line that holds line breaks of its own (names and messages can): `LineIndex`'s lines. */
  const measuredBreaks = (line: string): { start: number; end: number } => {
    const start = length;
    const starts = viewLines as number[];
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 13) {
        if (line.charCodeAt(i + 1) === 10) i++;
        else if (i + 1 === line.length) break; // with the line feed that ends the line, one break
        starts.push(start + i + 1);
      } else if (c === 10) starts.push(start + i + 1);
    }
    return measured(line.length);
  };
  // A key or value name holds a line break only if the file has a byte 0A or 0D: else the lines of
  // records are measured from their parts, without a look at them.
  const mayBreak = !view && (bytes.indexOf(10) >= 0 || bytes.indexOf(13) >= 0);
  const hasBreak = (s: string) => mayBreak && (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0);
  // Problems over the cap are counted and summarised in one line at the end (a file of a million
  // records that repeat one value must not produce a million diagnostics).
  let dropped = 0;
  let firstDropped = 0;
  const full = (offset: number): boolean => {
    if (problems.length < LIMITS.maxProblemsPerFile) return false;
    if (dropped++ === 0) firstDropped = offset;
    return true;
  };
  const problem = (offset: number, message: string, severity: Problem['severity'] = 'error') => {
    if (full(offset)) return;
    const span = emit(`; problem at byte ${hex(offset)}: ${message}`);
    problems.push({ code: 'parse', severity, message: `${message[0].toUpperCase()}${message.slice(1)} (byte offset ${offset}).`, offset, span });
  };

  emit(`; Registry.pol (read-only view rendered by relaylint). Hive: ${hive}. One line per record: @byte-offset key\\value = type:data`);

  const r = new Reader(bytes);
  if (bytes.length < 8 || bytes[0] !== 0x50 || bytes[1] !== 0x52 || bytes[2] !== 0x65 || bytes[3] !== 0x67) {
    problem(0, bytes.length < 4 ? `the file is ${bytes.length} bytes long, too short for the PReg signature` : 'the file does not start with the PReg signature ("PReg" + version 1)');
    const bad: ParsedFile = { format: 'registry-pol', encoding: 'binary', text, eol, settings, problems, comments: [] };
    if (viewLines) bad.viewLines = Int32Array.from(viewLines);
    return bad;
  }
  r.pos = 4;
  const version = r.u32();
  if (version !== 1) problem(4, `unexpected PReg version ${version}; only version 1 is defined`, 'warning');

  // Values set so far, by lower-case key and then lower-case value name: the key's table is looked up
  // once per run of records with one key (records come sorted by key), not a joined id per record.
  // Not the templates' and .reg files' SeenValues (one id per value): over the 5,500 bench files that
  // parsed in 348-506 ms against 270-325 ms for this, best of 8 rounds, four alternations.
  const seenByKey = new Map<string, Map<string, number>>();
  let seen: Map<string, number> | undefined;
  let records = 0;
  // Entries of **DeleteKeys / **DeleteValues lists count toward the record limit too: one record
  // must not turn into an unbounded number of settings.
  let listEntries = 0;
  let overLimit = false;
  let recStart = 0;
  let lastKeyStart = 0;
  let lastKeyEnd = -1;
  let lastKey = '';
  // The cleaned key and its display form, for the run of records that share one key string.
  let rawKey: string | undefined;
  let k = '';
  let keyText = '';
  let keyBreaks = false;
  // The file as 16-bit units when its bytes start at an even address (a view cannot start at an
  // odd one): a string's terminator is then found by the typed array's own indexOf, and a key
  // compared with the last one unit by unit. A NUL unit is two zero bytes in either byte order.
  const units = bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1) : undefined;
  // Made once, not once per record (a closure per record was garbage for every value).
  const readString = (what: string): string | undefined => {
    const start = r.pos;
    const limit = Math.min(bytes.length - 1, start + LIMITS.maxPolStringChars * 2 + 2);
    let i = start;
    if (units && start % 2 === 0) {
      const nul = units.indexOf(0, start >> 1);
      i = nul < 0 ? limit : Math.min(nul * 2, limit);
    } else while (i < limit && (bytes[i] | bytes[i + 1]) !== 0) i += 2;
    if (i < limit) {
      r.pos = i + 2;
      // Records come sorted by key: a key the same bytes as the last one is the same string.
      if (what === 'key') {
        if (i - start === lastKeyEnd - lastKeyStart && (units && start % 2 === 0 && lastKeyStart % 2 === 0 ? sameUnits(units, start >> 1, lastKeyStart >> 1, (i - start) >> 1) : sameBytes(bytes, start, lastKeyStart, i - start))) return lastKey;
        lastKeyStart = start;
        lastKeyEnd = i;
        return (lastKey = utf16le(bytes, start, i));
      }
      return utf16le(bytes, start, i);
    }
    if (limit === start + LIMITS.maxPolStringChars * 2 + 2) {
      problem(start, `the ${what} of the record at ${hex(recStart)} is longer than ${LIMITS.maxPolStringChars} characters; a NUL terminator is missing`);
    } else {
      problem(start, `the ${what} of the record at ${hex(recStart)} is not terminated: the file ends inside it (truncated)`);
    }
    return undefined;
  };
  const expect = (ch: number, what: string): boolean => {
    if (r.left < 2) {
      problem(r.pos, `the record at ${hex(recStart)} ends before its ${what} (truncated)`);
      return false;
    }
    const at = r.pos;
    if (r.u16() !== ch) {
      problem(at, `the record at ${hex(recStart)} has no '${String.fromCharCode(ch)}' before its ${what}`);
      return false;
    }
    return true;
  };
  while (r.left > 0 && !overLimit) {
    if (records + listEntries >= LIMITS.maxPolRecords) {
      problems.push({ code: 'limit', severity: 'error', message: `More than ${LIMITS.maxPolRecords} records; the rest of the file was not read.`, offset: r.pos });
      break;
    }
    recStart = r.pos;
    if (r.left < 2) {
      problem(recStart, 'the file ends with a stray byte (odd length)');
      break;
    }
    if (r.u16() !== 0x5b) {
      problem(recStart, "expected '[' to open a record; the rest of the file was not read");
      break;
    }
    const key = readString('key');
    if (key === undefined || !expect(0x3b, 'value name')) break;
    const valueName = readString('value name');
    if (valueName === undefined || !expect(0x3b, 'type')) break;
    if (r.left < 4) {
      problem(r.pos, `the record at ${hex(recStart)} ends inside its type field (truncated)`);
      break;
    }
    const type = r.u32();
    if (!expect(0x3b, 'size')) break;
    if (r.left < 4) {
      problem(r.pos, `the record at ${hex(recStart)} ends inside its size field (truncated)`);
      break;
    }
    const sizeAt = r.pos;
    const size = r.u32();
    if (!expect(0x3b, 'data')) break;
    if (size > r.left) {
      problem(sizeAt, `the record at ${hex(recStart)} declares ${size} bytes of data but only ${r.left} bytes remain: the size is wrong or the file is truncated`);
      break;
    }
    const dataStart = r.pos;
    r.pos += size;
    if (r.left < 2) {
      problem(r.pos, `the record at ${hex(recStart)} is not closed with ']' (truncated)`);
      break;
    }
    const closeAt = r.pos;
    if (r.u16() !== 0x5d) {
      problem(closeAt, `the record at ${hex(recStart)} is not closed with ']' after its ${size} data bytes: the declared size is probably wrong; the rest of the file was not read`);
      break;
    }
    records++;

    const typeName = TYPE_NAMES[type] ?? (`REG_TYPE_${type}` as RegType);
    const { value, note } = decodeData(type, bytes, dataStart, size);
    if (key !== rawKey) {
      rawKey = key;
      k = cleanKey(key);
      keyText = displayKey(hive, k);
      keyBreaks = hasBreak(keyText);
      seen = undefined;
    }
    const lower = valueName.toLowerCase();
    // Where the value name starts in its line: after `@offset  key\`.
    const prefixLength = atLength(recStart) + keyText.length + 1;

    if (lower.startsWith('**del.')) {
      const name = valueName.slice(6);
      const span =
        view || keyBreaks || hasBreak(valueName)
          ? emit(`${recordAt(recStart)}${keyText}\\${valueName}${DELETE_VALUE_OPEN}${name}${DELETE_VALUE_CLOSE}`)
          : measured(prefixLength + valueName.length + DELETE_VALUE_OPEN.length + name.length + DELETE_VALUE_CLOSE.length);
      const st = polSetting(hive, recStart, k, name, null, null, 'deleted', span);
      st.deleteScope = 'value';
      st.nameSpan = { start: span.start + prefixLength, end: span.start + prefixLength + valueName.length };
      if (keepSetting(st, options)) settings.push(st);
    } else if (lower === '**delvals' || lower === '**delvals.') {
      const span = emit(`${recordAt(recStart)}${keyText}\\${valueName} (delete every value of the key)`);
      const st = polSetting(hive, recStart, k, '', null, null, 'deleted', span);
      st.deleteScope = 'values';
      if (keepSetting(st, options)) settings.push(st);
    } else if (lower === '**deletevalues' || lower === '**deletekeys') {
      const list: string[] = [];
      if (typeof value === 'string') {
        const unique = new Set<string>();
        for (const part of value.split(';')) {
          const item = part.trim();
          if (!item || unique.has(item.toLowerCase())) continue;
          unique.add(item.toLowerCase());
          list.push(item);
        }
      }
      if (records + listEntries + list.length > LIMITS.maxPolRecords) {
        problems.push({
          code: 'limit',
          severity: 'error',
          message: `The record at byte ${recStart} lists ${list.length} names to delete, more than the ${LIMITS.maxPolRecords} records relaylint reads per file; it and the rest of the file were not read.`,
          offset: recStart,
        });
        overLimit = true;
        break;
      }
      listEntries += Math.max(0, list.length - 1);
      const isKeys = lower === '**deletekeys';
      const span = emit(`${recordAt(recStart)}${keyText}\\${valueName} = ${JSON.stringify(list.join(';'))} (delete ${isKeys ? 'subkeys' : 'values'}: ${list.join(', ') || 'none'})`);
      for (const item of list) {
        // The entries are read as names relative to the record's key (MS-GPREG describes a list; the exact
        // form of key entries was not checked against a real file).
        const st = isKeys ? polSetting(hive, recStart, cleanKey(`${k}\\${item}`), '', null, null, 'deleted', span) : polSetting(hive, recStart, k, item, null, null, 'deleted', span);
        st.deleteScope = isKeys ? 'key' : 'value';
        if (keepSetting(st, options)) settings.push(st);
      }
    } else if (valueName.startsWith('**')) {
      emit(`${recordAt(recStart)}${keyText}\\${valueName} = ${renderData(typeName, value)} (policy instruction, not a value)`);
    } else {
      const data = renderData(typeName, value);
      const shown = valueName || '(default)';
      const span =
        view || keyBreaks || hasBreak(valueName) ? emit(`${recordAt(recStart)}${keyText}\\${shown} = ${data}`) : measured(prefixLength + shown.length + 3 + data.length);
      const nameStart = span.start + prefixLength;
      const valueStart = span.end - data.length;
      // In `relevant` mode most records are values no rule knows: decided on a small probe, and only
      // a kept value is built in full.
      if (options?.settings !== 'relevant' || keepSetting({ hive, key: k, name: valueName, state: 'set' } as Setting, options)) {
        const setting = polSetting(hive, recStart, k, valueName, typeName, value, 'set', span);
        setting.nameSpan = { start: nameStart, end: nameStart + shown.length };
        setting.valueSpan = { start: valueStart, end: span.end };
        settings.push(setting);
      }
      if (note) problem(recStart, `the record at ${hex(recStart)} (${valueName}): ${note}`, 'warning');
      if (!seen) {
        const lk = k.toLowerCase();
        seen = seenByKey.get(lk);
        if (!seen) seenByKey.set(lk, (seen = new Map()));
      }
      const first = seen.get(lower);
      if (first !== undefined) {
        if (!full(recStart)) problems.push({
          code: 'duplicate',
          severity: 'warning',
          message: `${keyText}\\${valueName} is set again by the record at byte ${recStart}; it was first set at byte ${first}. Check which one is intended.`,
          offset: recStart,
          span,
        });
      } else seen.set(lower, recStart);
    }
  }
  if (dropped) {
    problems.push({
      code: 'limit',
      severity: 'warning',
      message: `${dropped} more problem${dropped === 1 ? '' : 's'} in this file ${dropped === 1 ? 'was' : 'were'} not listed; relaylint lists at most ${LIMITS.maxProblemsPerFile} per file.`,
      offset: firstDropped,
    });
  }
  const file: ParsedFile = { format: 'registry-pol', encoding: 'binary', text, eol, settings, problems, comments: [] };
  if (viewLines) file.viewLines = Int32Array.from(viewLines);
  return file;
}
