/**
 * SharpHound's `computers.json` read as a stream of bytes, for a file too large to hold whole (a
 * large domain's computers file passes the 64 MiB file limit: each computer object carries its
 * properties and access-control entries, §2.7). The bytes are pushed in pieces of any size; only
 * the fields `readSharpHound` reads of a computer are kept (sharphound.ts `computerOf`), so memory
 * holds the computers, never the file.
 *
 * The result is the part `readSharpHound(JSON.parse(text))` gives for the same text (a test
 * compares the two on generated documents cut at every offset): every byte is checked against
 * JSON's grammar (RFC 8259), a key given twice counts with its last value as in `JSON.parse`, and
 * a string the reader keeps is decoded by `JSON.parse` itself. What differs, said as problems:
 * the text must be UTF-8 (the whole-file reader falls back to Windows-1252), nesting deeper than
 * `MAX_DEPTH` and a kept string longer than `MAX_KEPT_BYTES` are refused, and a `meta.type` that is
 * not a string is not SharpHound's (read whole, `String()` of it is taken). Both readers place at
 * most the computers `ComputerList` allows (a count and the text they hold), the rest counted. A
 * SharpHound file of a type the topology does not come from is skipped with its warning, as read
 * whole; ous, domains and gpos files are read whole only.
 */
import { LIMITS } from '../limits';
import { ComputerList, computerOf, isTopologyType, skippedTypePart } from './sharphound';
import { emptyPart, type TopologyPart } from './model';

/** Deepest nesting read (SharpHound's computer objects nest about five deep). */
const MAX_DEPTH = 64;
/** Longest string kept (a name, a distinguished name, an identifier, `meta.type`). */
const MAX_KEPT_BYTES = 4096;

// Where the value being read goes (by its container and key).
const SLOT_NONE = 0;
const SLOT_ROOT = 1;
const SLOT_DATA = 2;
const SLOT_META = 3;
const SLOT_ITEM = 4;
const SLOT_OBJID = 5;
const SLOT_DELETED = 6;
const SLOT_PROPS = 7;
const SLOT_CONTAINED = 8;
const SLOT_DN = 9;
const SLOT_HOST = 10;
const SLOT_NAME = 11;
const SLOT_CONT_ID = 12;
const SLOT_TYPE = 13;

// What a container is (a value's slot when it was opened).
const R_OTHER_OBJ = 0;
const R_OTHER_ARR = 1;
const R_ROOT = 2;
const R_DATA = 3;
const R_META = 4;
const R_ITEM = 5;
const R_PROPS = 6;
const R_CONTAINED = 7;

// The reader's states.
const S_VALUE = 0; // a value is expected (SLOT set)
const S_AFTER = 1; // after a value: `,`, a close, or the end
const S_KEY_OR_CLOSE = 2; // after `{`
const S_KEY = 3; // after `,` in an object
const S_COLON = 4;
const S_VALUE_OR_CLOSE = 5; // after `[`
const S_STRING = 6;
const S_ESCAPE = 7;
const S_HEX = 8;
const S_NUMBER = 9;
const S_LITERAL = 10;
const S_BOM = 11;

// Number states: after '-', after a leading 0, in the integer digits, after '.', in the fraction, after 'e', after its sign, in the exponent.
const N_MINUS = 0;
const N_ZERO = 1;
const N_INT = 2;
const N_DOT = 3;
const N_FRAC = 4;
const N_E = 5;
const N_ESIGN = 6;
const N_EXP = 7;

const BOM = [0xef, 0xbb, 0xbf];
const LITERALS = ['true', 'false', 'null'].map((w) => Uint8Array.from(w, (c) => c.charCodeAt(0)));

/** Keys per container kind, as bytes, with the slot each one's value goes to. */
const KEYS: Record<number, [Uint8Array, number][]> = {};
const key = (role: number, name: string, slot: number) => (KEYS[role] ??= []).push([Uint8Array.from(name, (c) => c.charCodeAt(0)), slot]);
key(R_ROOT, 'data', SLOT_DATA);
key(R_ROOT, 'meta', SLOT_META);
key(R_ITEM, 'ObjectIdentifier', SLOT_OBJID);
key(R_ITEM, 'IsDeleted', SLOT_DELETED);
key(R_ITEM, 'Properties', SLOT_PROPS);
key(R_ITEM, 'ContainedBy', SLOT_CONTAINED);
key(R_PROPS, 'distinguishedname', SLOT_DN);
key(R_PROPS, 'dnshostname', SLOT_HOST);
key(R_PROPS, 'name', SLOT_NAME);
key(R_CONTAINED, 'ObjectIdentifier', SLOT_CONT_ID);
key(R_META, 'type', SLOT_TYPE);

const utf8 = new TextDecoder('utf-8');

/** Why the bytes are not read (said with the byte offset). */
class StreamError extends Error {}

export class ComputersStream {
  private state = S_BOM;
  private slot = SLOT_ROOT;
  private readonly roles: number[] = [];
  /** Bytes taken so far (offsets in problems). */
  private offset = 0;
  private failed: string | undefined;
  private done = false;

  // The string being read: kept (a key of a known container, or a kept value) or only checked.
  private keepString = false;
  private stringIsKey = false;
  private stringEscaped = false;
  private kept = new Uint8Array(256);
  private keptLength = 0;
  private hexLeft = 0;
  /** UTF-8 inside a string: continuation bytes still due, and the range the next one must be in. */
  private utfLeft = 0;
  private utfLo = 0x80;
  private utfHi = 0xbf;
  private number = N_MINUS;
  private literal: Uint8Array = LITERALS[0];
  private literalAt = 0;
  private bomAt = 0;
  /** A key too long to be one relaylint reads (it is still checked). */
  private keyTooLong = false;

  // The document as read so far (each reset when its key comes again: the last one counts).
  private dataIsArray = false;
  private metaIsObject = false;
  private type: string | undefined;
  /** `meta.type` is there but not a string: read whole, `String()` of it would be the type; here the file is not read as SharpHound's. */
  private typeNotString = false;
  private computers = new ComputerList();
  // The data item being read.
  private objectId: string | undefined;
  private deleted = false;
  private dn: string | undefined;
  private host: string | undefined;
  private name: string | undefined;
  private containerId: string | undefined;

  constructor(private readonly source: string) {}

  /** Whether a byte was refused: what follows need not be pushed (`end` says why). */
  get refused(): boolean {
    return this.failed !== undefined;
  }

  /** The next bytes of the file. */
  push(bytes: Uint8Array): void {
    if (this.failed !== undefined) return;
    try {
      this.take(bytes);
    } catch (e) {
      if (!(e instanceof StreamError)) throw e;
      this.failed = e.message;
    }
  }

  /**
   * The end of the file: the computers part, or undefined when the text is valid JSON but not a
   * SharpHound computers file (the caller says why it was not read). An error part when it is not
   * valid JSON or breaks a limit above.
   */
  end(): TopologyPart | undefined {
    // A number that is the whole text ends with the text.
    if (this.failed === undefined && this.state === S_NUMBER && this.roles.length === 0 && numberComplete(this.number)) this.done = true;
    if (this.failed === undefined && !this.done) {
      this.failed = this.state === S_BOM && this.offset === 0 ? 'the file is empty' : 'the text ends before its JSON value is complete';
    }
    if (this.failed !== undefined) {
      const p = emptyPart('sharphound', this.source);
      p.problems.push({ source: this.source, severity: 'error', message: `Read as a stream (larger than ${LIMITS.maxFileBytes} bytes): ${this.failed}; no computer was read from it.` });
      return p;
    }
    if (!this.dataIsArray || !this.metaIsObject || this.typeNotString) return undefined;
    const type = (this.type ?? '').toLowerCase();
    // A SharpHound file of a type the topology does not come from (users, groups…): skipped with
    // its warning, as read whole. One of the other topology types (ous, domains, gpos) is read whole
    // only: the caller says why it was not read.
    if (type !== 'computers') return isTopologyType(type) ? undefined : skippedTypePart(type, this.source);
    const part = emptyPart('sharphound', this.source);
    part.computers = this.computers.placed;
    part.problems.push(...this.computers.problems(this.source));
    return part;
  }

  private fail(why: string, at: number): never {
    throw new StreamError(`${why} at byte ${this.offset + at}`);
  }

  private take(b: Uint8Array): void {
    const n = b.length;
    let i = 0;
    // The loop is one switch on the state; each case consumes at least one byte or changes state.
    while (i < n) {
      const c = b[i];
      switch (this.state) {
        case S_STRING: {
          // The common case first: plain bytes of a string.
          if (c === 0x22) {
            if (this.utfLeft) this.fail('invalid UTF-8', i);
            i++;
            this.endString();
            continue;
          }
          if (this.utfLeft) {
            if (c < this.utfLo || c > this.utfHi) this.fail('invalid UTF-8', i);
            this.utfLeft--;
            this.utfLo = 0x80;
            this.utfHi = 0xbf;
          } else if (c === 0x5c) {
            this.stringEscaped = true;
            this.state = S_ESCAPE;
          } else if (c < 0x20) this.fail('a control character inside a string', i);
          else if (c >= 0x80) this.utfStart(c, i);
          if (this.keepString) this.keep(c, i);
          i++;
          continue;
        }
        case S_ESCAPE: {
          if (c === 0x75) {
            this.hexLeft = 4;
            this.state = S_HEX;
          } else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) this.state = S_STRING;
          else this.fail('an invalid escape in a string', i);
          if (this.keepString) this.keep(c, i);
          i++;
          continue;
        }
        case S_HEX: {
          if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) this.fail('an invalid \\u escape in a string', i);
          if (--this.hexLeft === 0) this.state = S_STRING;
          if (this.keepString) this.keep(c, i);
          i++;
          continue;
        }
        case S_NUMBER: {
          if (this.numberByte(c)) {
            i++;
            continue;
          }
          // The byte after a number is not the number's: check the number ended well, then read it as after a value.
          if (!numberComplete(this.number)) this.fail('an incomplete number', i);
          this.afterValue();
          continue;
        }
        case S_LITERAL: {
          if (c !== this.literal[this.literalAt]) this.fail('an invalid literal', i);
          if (++this.literalAt === this.literal.length) this.afterValue();
          i++;
          continue;
        }
        case S_BOM: {
          // A UTF-8 byte order mark may open the file (JSON.parse is given the text without it).
          if (this.bomAt === 0 && c !== 0xef) {
            this.state = S_VALUE;
            continue;
          }
          if (c !== BOM[this.bomAt]) this.fail('an invalid byte order mark (or text that is not UTF-8)', i);
          if (++this.bomAt === 3) this.state = S_VALUE;
          i++;
          continue;
        }
        default:
          break;
      }
      // Structure: whitespace, then what the state allows.
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      if (this.done) this.fail('text after the end of the JSON value', i);
      switch (this.state) {
        case S_VALUE:
        case S_VALUE_OR_CLOSE:
          if (this.state === S_VALUE_OR_CLOSE && c === 0x5d) {
            this.close();
            break;
          }
          this.startValue(c, i);
          break;
        case S_KEY_OR_CLOSE:
        case S_KEY:
          if (c === 0x22) this.startString(true);
          else if (c === 0x7d && this.state === S_KEY_OR_CLOSE) this.close();
          else this.fail('a key (a string) expected', i);
          break;
        case S_COLON:
          if (c !== 0x3a) this.fail('":" expected after a key', i);
          this.state = S_VALUE;
          break;
        case S_AFTER: {
          const role = this.roles[this.roles.length - 1];
          const inArray = role === R_OTHER_ARR || role === R_DATA;
          if (c === 0x2c) {
            if (inArray) {
              this.state = S_VALUE;
              this.slot = role === R_DATA ? SLOT_ITEM : SLOT_NONE;
            } else this.state = S_KEY;
          } else if (c === (inArray ? 0x5d : 0x7d)) this.close();
          else this.fail(inArray ? '"," or "]" expected' : '"," or "}" expected', i);
          break;
        }
      }
      i++;
    }
    this.offset += n;
  }

  /** A value starts with byte `c` (not whitespace). */
  private startValue(c: number, at: number): void {
    const slot = this.slot;
    if (slot === SLOT_TYPE) this.typeNotString = c !== 0x22;
    if (c === 0x7b) {
      const role =
        slot === SLOT_ROOT ? R_ROOT : slot === SLOT_META ? R_META : slot === SLOT_ITEM ? R_ITEM : slot === SLOT_PROPS ? R_PROPS : slot === SLOT_CONTAINED ? R_CONTAINED : R_OTHER_OBJ;
      if (role === R_META) this.metaIsObject = true;
      if (role === R_ITEM) {
        this.objectId = this.dn = this.host = this.name = this.containerId = undefined;
        this.deleted = false;
      }
      this.open(role, at);
      this.state = S_KEY_OR_CLOSE;
      return;
    }
    if (c === 0x5b) {
      const role = slot === SLOT_DATA ? R_DATA : R_OTHER_ARR;
      if (role === R_DATA) this.dataIsArray = true;
      // An array in data is an object to the whole-file reader, one with no fields: an unnamed entry.
      if (slot === SLOT_ITEM) this.computers.add(undefined);
      this.open(role, at);
      this.state = S_VALUE_OR_CLOSE;
      this.slot = role === R_DATA ? SLOT_ITEM : SLOT_NONE;
      return;
    }
    if (c === 0x22) {
      this.startString(false);
      return;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.number = c === 0x2d ? N_MINUS : c === 0x30 ? N_ZERO : N_INT;
      this.state = S_NUMBER;
      return;
    }
    const lit = c === 0x74 ? 0 : c === 0x66 ? 1 : c === 0x6e ? 2 : -1;
    if (lit < 0) this.fail('a value expected', at);
    if (lit === 0 && slot === SLOT_DELETED) this.deleted = true;
    this.literal = LITERALS[lit];
    this.literalAt = 1;
    this.state = S_LITERAL;
  }

  private open(role: number, at: number): void {
    if (this.roles.length >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`, at);
    this.roles.push(role);
  }

  /** `]` or `}`: the states let only the close of the innermost container through. */
  private close(): void {
    if (this.roles.pop() === R_ITEM) this.endItem();
    this.afterValue();
  }

  /** After a complete value: what may follow depends on the container (or the end at the top). */
  private afterValue(): void {
    this.state = S_AFTER;
    if (this.roles.length === 0) this.done = true;
  }

  private startString(isKey: boolean): void {
    this.stringIsKey = isKey;
    this.stringEscaped = false;
    const role = this.roles[this.roles.length - 1];
    const slot = this.slot;
    this.keepString = isKey
      ? KEYS[role] !== undefined
      : slot === SLOT_OBJID || slot === SLOT_DN || slot === SLOT_HOST || slot === SLOT_NAME || slot === SLOT_CONT_ID || slot === SLOT_TYPE;
    this.keptLength = 0;
    this.keyTooLong = false;
    this.state = S_STRING;
  }

  private keep(c: number, at: number): void {
    if (this.keptLength === this.kept.length) {
      if (this.kept.length >= MAX_KEPT_BYTES && this.stringIsKey) {
        // No key relaylint reads is this long: the rest is only checked.
        this.keepString = false;
        this.keyTooLong = true;
        return;
      }
      if (this.kept.length >= MAX_KEPT_BYTES) this.fail(`a ${this.stringIsKey ? 'key' : 'value relaylint reads'} longer than ${MAX_KEPT_BYTES} bytes`, at);
      const grown = new Uint8Array(this.kept.length * 2);
      grown.set(this.kept);
      this.kept = grown;
    }
    this.kept[this.keptLength++] = c;
  }

  /** The first byte of a multi-byte UTF-8 sequence (RFC 3629's table: no overlong forms, no surrogates, nothing past U+10FFFF). */
  private utfStart(c: number, at: number): void {
    this.utfLo = 0x80;
    this.utfHi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) this.utfLeft = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      this.utfLeft = 2;
      if (c === 0xe0) this.utfLo = 0xa0;
      else if (c === 0xed) this.utfHi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      this.utfLeft = 3;
      if (c === 0xf0) this.utfLo = 0x90;
      else if (c === 0xf4) this.utfHi = 0x8f;
    } else this.fail('invalid UTF-8', at);
  }

  /** The string as JSON.parse reads it. */
  private keptText(): string {
    const raw = this.kept.subarray(0, this.keptLength);
    if (!this.stringEscaped) return utf8.decode(raw);
    return JSON.parse(`"${utf8.decode(raw)}"`) as string;
  }

  private endString(): void {
    if (this.stringIsKey) {
      this.state = S_COLON;
      this.slot = SLOT_NONE;
      if (!this.keepString && !this.keyTooLong) return;
      const slot = this.keySlot();
      this.slot = slot;
      // The key again: its earlier value no longer counts (JSON.parse keeps the last).
      if (slot === SLOT_DATA) {
        this.dataIsArray = false;
        this.computers = new ComputerList();
      } else if (slot === SLOT_META) {
        this.metaIsObject = false;
        this.type = undefined;
        this.typeNotString = false;
      } else if (slot === SLOT_OBJID) this.objectId = undefined;
      else if (slot === SLOT_DELETED) this.deleted = false;
      else if (slot === SLOT_PROPS) this.dn = this.host = this.name = undefined;
      else if (slot === SLOT_CONTAINED) this.containerId = undefined;
      else if (slot === SLOT_DN) this.dn = undefined;
      else if (slot === SLOT_HOST) this.host = undefined;
      else if (slot === SLOT_NAME) this.name = undefined;
      else if (slot === SLOT_CONT_ID) this.containerId = undefined;
      else if (slot === SLOT_TYPE) this.type = undefined;
      return;
    }
    if (this.keepString) {
      const text = this.keptText();
      const slot = this.slot;
      if (slot === SLOT_OBJID) this.objectId = text;
      else if (slot === SLOT_DN) this.dn = text;
      else if (slot === SLOT_HOST) this.host = text;
      else if (slot === SLOT_NAME) this.name = text;
      else if (slot === SLOT_CONT_ID) this.containerId = text;
      else if (slot === SLOT_TYPE) this.type = text;
    }
    this.afterValue();
  }

  /** The slot of the key just read in its container (SLOT_NONE for a key relaylint does not read). */
  private keySlot(): number {
    const keys = KEYS[this.roles[this.roles.length - 1]];
    if (!keys || this.keyTooLong) return SLOT_NONE;
    if (this.stringEscaped) {
      const text = this.keptText();
      for (const [k, slot] of keys) if (k.length === text.length && String.fromCharCode(...k) === text) return slot;
      return SLOT_NONE;
    }
    const n = this.keptLength;
    for (const [k, slot] of keys) {
      if (k.length !== n) continue;
      let j = 0;
      while (j < n && this.kept[j] === k[j]) j++;
      if (j === n) return slot;
    }
    return SLOT_NONE;
  }

  /** One more byte of a number; false when `c` ends it. */
  private numberByte(c: number): boolean {
    const digit = c >= 0x30 && c <= 0x39;
    switch (this.number) {
      case N_MINUS:
        if (!digit) return false;
        this.number = c === 0x30 ? N_ZERO : N_INT;
        return true;
      case N_ZERO:
      case N_INT:
        if (digit && this.number === N_INT) return true;
        if (c === 0x2e) this.number = N_DOT;
        else if (c === 0x65 || c === 0x45) this.number = N_E;
        else return false;
        return true;
      case N_DOT:
      case N_FRAC:
        if (digit) this.number = N_FRAC;
        else if (this.number === N_FRAC && (c === 0x65 || c === 0x45)) this.number = N_E;
        else return false;
        return true;
      case N_E:
        if (c === 0x2b || c === 0x2d) this.number = N_ESIGN;
        else if (digit) this.number = N_EXP;
        else return false;
        return true;
      default:
        if (!digit) return false;
        this.number = N_EXP;
        return true;
    }
  }

  /** The end of a data item object: a computer, unless deleted. */
  private endItem(): void {
    if (this.deleted) return;
    this.computers.add(computerOf({ dn: this.dn, dnshostname: this.host, name: this.name, objectId: this.objectId, containerId: this.containerId }, this.source));
  }
}

function numberComplete(state: number): boolean {
  return state === N_ZERO || state === N_INT || state === N_FRAC || state === N_EXP;
}
