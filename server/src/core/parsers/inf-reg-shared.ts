/**
 * Small helpers shared by the line-based parsers (`inf.ts`, `reg.ts`).
 *
 * Every scan here is bounded by the caller's line end, so a parser that calls them once per line
 * stays linear in the size of the text (an unbounded `indexOf` per line would go quadratic on a
 * file full of unclosed brackets or quotes).
 */
import { isRelayRelevant } from '../catalog';
import { cleanKey, valueId } from '../keys';
import { LIMITS } from '../limits';
import type { Hive, ParseOptions, Problem, Setting, SettingState, Span } from '../types';

export const CH_TAB = 9;
export const CH_SPACE = 32;
export const CH_QUOTE = 34;
export const CH_HASH = 35;
export const CH_COMMA = 44;
export const CH_MINUS = 45;
export const CH_COLON = 58;
export const CH_SEMI = 59;
export const CH_EQ = 61;
export const CH_AT = 64;
export const CH_LBRACKET = 91;
export const CH_BACKSLASH = 92;
export const CH_RBRACKET = 93;
export const CH_LPAREN = 40;
export const CH_RPAREN = 41;

/** Space, tab, vertical tab, form feed, and a stray byte order mark. */
export function isBlank(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB || c === 11 || c === 12 || c === 0xfeff;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** First non-blank index in [from, to), or `to`. */
export function skipBlanks(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** Index just after the last non-blank char in [from, to), or `from`. */
export function trimEndIndex(text: string, from: number, to: number): number {
  let i = to;
  while (i > from && isBlank(text.charCodeAt(i - 1))) i--;
  return i;
}

/** First index of `code` in [from, to), or -1. */
export function findChar(text: string, code: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

/** Last index of `code` in [from, to), or -1. */
export function findLastChar(text: string, code: number, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (text.charCodeAt(i) === code) return i;
  return -1;
}

/** A short quoted excerpt for messages, so a 1 MB line does not end up in a diagnostic. */
export function excerpt(s: string, max = 60): string {
  return `"${s.length > max ? `${s.slice(0, max)}…` : s}"`;
}

export function span(start: number, end: number): Span {
  return { start, end };
}

/**
 * Collects problems up to `LIMITS.maxProblemsPerFile`; the rest are counted and summarised in one
 * `limit` problem by `finish()`, so a huge garbage file cannot produce millions of diagnostics.
 */
export class ProblemList {
  private readonly items: Problem[] = [];
  private dropped = 0;

  add(problem: Problem): void {
    if (this.items.length < LIMITS.maxProblemsPerFile) this.items.push(problem);
    else this.dropped++;
  }

  finish(): Problem[] {
    if (this.dropped > 0) {
      this.items.push({
        code: 'limit',
        severity: 'warning',
        message: `${this.dropped} more problem${this.dropped === 1 ? '' : 's'} in this file ${
          this.dropped === 1 ? 'was' : 'were'
        } not listed; relaylint lists at most ${LIMITS.maxProblemsPerFile} per file.`,
      });
    }
    return this.items;
  }
}

export interface FirstSeen {
  span: Span;
  state: SettingState;
}

const STATES: readonly SettingState[] = ['set', 'deleted', 'disabled', 'conditional'];
/** Int32 fields per recorded id: hash, pool start, span start, span end, state (an id's pool end is the next one's start). */
const FIELDS = 5;

/**
 * Remembers the first occurrence of each value id (`valueId()` from keys.ts). A 63 MB file holds
 * more than a million values, so this keeps no object or string per id: the ids' characters go
 * into one byte pool (a character from U+00FF up as three bytes), their hashes into an
 * open-addressing table, and each id's first line and span into an Int32Array. A lookup compares
 * the whole id, so the answer is exact whatever the hashes do.
 */
export class SeenValues {
  private pool = new Uint8Array(1 << 14);
  private poolLength = 0;
  private entries = new Int32Array(FIELDS * 256);
  private count = 0;
  /** Entry number + 1 per slot; 0 = empty. */
  private table = new Int32Array(512);

  /** The instance the last parse gave back, empty (see `take`). */
  private static spare: SeenValues | undefined;

  /**
   * An empty instance for one parse: the one the last parse gave back, else a new one. Most files
   * hold a few dozen values, and a new instance per file allocated and zeroed its arrays (23 KB)
   * for each of them.
   */
  static take(): SeenValues {
    const s = SeenValues.spare;
    SeenValues.spare = undefined;
    return s ?? new SeenValues();
  }

  /** Gives an instance back when its parse is done, emptied; one a large file grew is let go. */
  static giveBack(s: SeenValues): void {
    if (s.pool.length > 1 << 16 || s.table.length > 1 << 12 || s.id.length > 1 << 12) return;
    s.table.fill(0);
    s.count = 0;
    s.poolLength = 0;
    SeenValues.spare = s;
  }

  /** The id being looked up, as UTF-16 code units (`idLength` of them). */
  private id = new Uint16Array(256);
  private idLength = 0;

  /** Returns the earlier occurrence, or records this one as the first and returns undefined. */
  check(id: string, first: FirstSeen): FirstSeen | undefined {
    const n = id.length;
    const buf = this.room(n);
    for (let i = 0; i < n; i++) buf[i] = id.charCodeAt(i);
    this.idLength = n;
    return this.lookup(first);
  }

  /**
   * `check(valueId(hive, key, name), first)` without making the id string: the id's lower-cased
   * characters are written straight into a buffer when the key is clean and every character ASCII
   * (the same characters `valueId` gives, so both forms find each other); else the id string.
   */
  checkValue(hive: Hive, key: string, name: string, first: FirstSeen): FirstSeen | undefined {
    if (cleanKey(key) !== key) return this.check(valueId(hive, key, name), first);
    const n = this.lowered(hive, key, 0, key.length, name, 0, name.length);
    if (n < 0) return this.check(valueId(hive, key, name), first);
    return this.checkLowered(n, first);
  }

  /**
   * `checkValue(hive, text.slice(keyStart, keyEnd), text.slice(nameStart, nameEnd), first)` for a
   * key that is already clean (`cleanKey` gives it back unchanged), read in place: characters of
   * the whole text are read faster than those of a slice of it.
   */
  checkValueIn(text: string, hive: Hive, keyStart: number, keyEnd: number, nameStart: number, nameEnd: number, first: FirstSeen): FirstSeen | undefined {
    const n = this.lowered(hive, text, keyStart, keyEnd, text, nameStart, nameEnd);
    if (n < 0) return this.check(valueId(hive, text.slice(keyStart, keyEnd), text.slice(nameStart, nameEnd)), first);
    return this.checkLowered(n, first);
  }

  /**
   * Writes the id of (hive, key, name) lower-cased into the id buffer, key and name given as
   * ranges of strings, and hashes it into `lowerHash`; its length, or -1 when a character is not ASCII.
   */
  private lowered(hive: Hive, key: string, keyStart: number, keyEnd: number, name: string, nameStart: number, nameEnd: number): number {
    this.room(hive.length + (keyEnd - keyStart) + (nameEnd - nameStart) + 2);
    this.lowerHash = FNV_OFFSET;
    let n = this.lowerInto(hive, 0, hive.length, 0);
    if (n >= 0) {
      this.id[n++] = 0x5c; // \
      this.lowerHash = Math.imul(this.lowerHash ^ 0x5c, FNV_PRIME);
      n = this.lowerInto(key, keyStart, keyEnd, n);
    }
    if (n >= 0) {
      this.id[n++] = 0; // U+0000, as valueId joins key and name
      this.lowerHash = Math.imul(this.lowerHash, FNV_PRIME);
      n = this.lowerInto(name, nameStart, nameEnd, n);
    }
    return n;
  }

  /** The FNV-1a hash of what `lowerInto` has written since `lowered` reset it. */
  private lowerHash = FNV_OFFSET;

  /**
   * Writes `s` from `from` to `to` lower-cased into the id buffer from `at` and returns where it
   * ends, hashing what it writes into `lowerHash` on the way (the same hash `lookup` makes); -1
   * when a character is not ASCII (its lower case is left to String.prototype.toLowerCase).
   */
  private lowerInto(s: string, from: number, to: number, at: number): number {
    const out = this.id;
    let h = this.lowerHash;
    for (let i = from; i < to; i++) {
      let c = s.charCodeAt(i);
      if (c > 0x7f) return -1;
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      out[at++] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.lowerHash = h;
    return at;
  }

  /** Looks up the id `lowered` wrote (`n` units, all ASCII). */
  private checkLowered(n: number, first: FirstSeen): FirstSeen | undefined {
    this.idLength = n;
    return this.find(this.lowerHash & 0x7fffffff, first, true);
  }

  /** The id buffer, grown to hold `n` code units. */
  private room(n: number): Uint16Array {
    if (this.id.length < n) this.id = new Uint16Array(Math.max(n, this.id.length * 2));
    return this.id;
  }

  /** Looks the id in the buffer up (or records it); its hash is FNV-1a over its UTF-16 code units. */
  private lookup(first: FirstSeen): FirstSeen | undefined {
    const id = this.id;
    const n = this.idLength;
    let h = FNV_OFFSET;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ id[i], FNV_PRIME);
    return this.find(h & 0x7fffffff, first, false);
  }

  /** `lookup` with the id's hash already made; `ascii`: every unit of the id is below 0x80. */
  private find(h: number, first: FirstSeen, ascii: boolean): FirstSeen | undefined {
    const mask = this.table.length - 1;
    let slot = h & mask;
    for (let e = this.table[slot]; e !== 0; slot = (slot + 1) & mask, e = this.table[slot]) {
      const at = (e - 1) * FIELDS;
      if (this.entries[at] === h && this.equals(at)) {
        const d = this.entries;
        return { span: { start: d[at + 2], end: d[at + 3] }, state: STATES[d[at + 4]] };
      }
    }
    this.add(h, first, slot, ascii);
    return undefined;
  }

  private equals(at: number): boolean {
    const pool = this.pool;
    const id = this.id;
    let p = this.entries[at + 1];
    const end = at + FIELDS < this.count * FIELDS ? this.entries[at + FIELDS + 1] : this.poolLength;
    for (let i = 0; i < this.idLength; i++) {
      const c = id[i];
      if (p >= end) return false;
      if (c < 0xff) {
        if (pool[p++] !== c) return false;
      } else if (pool[p] !== 0xff || pool[p + 1] !== c >> 8 || pool[p + 2] !== (c & 0xff)) return false;
      else p += 3;
    }
    return p === end;
  }

  private add(h: number, first: FirstSeen, slot: number, ascii: boolean): void {
    const n = this.idLength;
    if (this.poolLength + n * 3 > this.pool.length) {
      const bigger = new Uint8Array(Math.max(Math.ceil(this.pool.length * 1.5), this.poolLength + n * 3));
      bigger.set(this.pool.subarray(0, this.poolLength));
      this.pool = bigger;
    }
    const start = this.poolLength;
    const id = this.id;
    if (ascii) {
      // Every unit below 0x80: one byte each, copied by the typed array's own conversion.
      this.pool.set(id.subarray(0, n), start);
      this.poolLength = start + n;
      this.record(h, start, first, slot);
      return;
    }
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = id[i];
      if (c < 0xff) this.pool[p++] = c;
      else {
        this.pool[p++] = 0xff;
        this.pool[p++] = c >> 8;
        this.pool[p++] = c & 0xff;
      }
    }
    this.poolLength = p;
    this.record(h, start, first, slot);
  }

  private record(h: number, start: number, first: FirstSeen, slot: number): void {
    if ((this.count + 1) * FIELDS > this.entries.length) {
      const bigger = new Int32Array(Math.ceil(this.entries.length / FIELDS * 1.5) * FIELDS);
      bigger.set(this.entries);
      this.entries = bigger;
    }
    const at = this.count * FIELDS;
    const d = this.entries;
    d[at] = h;
    d[at + 1] = start;
    d[at + 2] = first.span.start;
    d[at + 3] = first.span.end;
    d[at + 4] = STATES.indexOf(first.state);
    this.count++;
    this.table[slot] = this.count;
    if (this.count * 2 > this.table.length) this.rehash();
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = this.entries[e * FIELDS] & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }
}

/** FNV-1a over UTF-16 code units: the offset basis and the prime. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Windows' own limits (registry element size limits): a key name component, a value name. */
export const REGISTRY_KEY_COMPONENT_MAX = 255;
export const REGISTRY_VALUE_NAME_MAX = 16_383;

function longestComponent(key: string): number {
  let longest = 0;
  let start = 0;
  for (let i = 0; i <= key.length; i++) {
    if (i === key.length || key.charCodeAt(i) === CH_BACKSLASH) {
      if (i - start > longest) longest = i - start;
      start = i + 1;
    }
  }
  return longest;
}

/** Whether Windows cannot store this value (see `enforceRegistryLimits`). */
export function overRegistryLimits(s: Setting): boolean {
  return s.name.length > REGISTRY_VALUE_NAME_MAX || (s.key.length > REGISTRY_KEY_COMPONENT_MAX && longestComponent(s.key) > REGISTRY_KEY_COMPONENT_MAX);
}

/**
 * Whether a parser keeps a value in `settings` (see `ParseOptions`): always, except in `relevant`
 * mode, where it keeps values a rule knows and values over the registry limits (so that
 * `enforceRegistryLimits` still reports them, in file order).
 */
export function keepSetting(s: Setting, options: ParseOptions | undefined): boolean {
  return options?.settings !== 'relevant' || isRelayRelevant(s) || overRegistryLimits(s);
}

/**
 * Drop the settings whose key or value name Windows cannot store (a key name component over 255
 * characters, a value name over 16,383), each with an error-level `limit` problem at its line: such
 * a line is not a quiet setting, and nothing is judged from it. Shared by the INF, .reg and XML parsers.
 */
export function enforceRegistryLimits(settings: Setting[], report: (p: Problem) => void): Setting[] {
  let out: Setting[] | undefined;
  for (let i = 0; i < settings.length; i++) {
    const s = settings[i];
    const component = longestComponent(s.key);
    const what =
      component > REGISTRY_KEY_COMPONENT_MAX
        ? `a key name part of ${component} characters (Windows allows ${REGISTRY_KEY_COMPONENT_MAX})`
        : s.name.length > REGISTRY_VALUE_NAME_MAX
          ? `a value name of ${s.name.length} characters (Windows allows ${REGISTRY_VALUE_NAME_MAX})`
          : undefined;
    if (!what) {
      out?.push(s);
      continue;
    }
    out ??= settings.slice(0, i);
    report({
      code: 'limit',
      severity: 'error',
      message: `This registry value has ${what}: Windows cannot store it, so it was not judged. Key ${excerpt(s.key)}, value ${excerpt(s.name)}.`,
      span: s.span,
      ...(s.offset !== undefined ? { offset: s.offset } : {}),
    });
  }
  return out ?? settings;
}
