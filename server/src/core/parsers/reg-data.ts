/**
 * `.reg` hex data → typed values (settings-and-formats.md §6.2).
 *
 * `hex(2)`/`hex(7)` bytes are UTF-16LE in `Windows Registry Editor Version 5.00` files and ANSI in
 * `REGEDIT4` files; the header, not the file's encoding, decides [S36].
 */
import { decodeWindows1252 as decodeAnsi } from '../text';
import type { RegData, RegType } from '../types';

const utf16Decoder = new TextDecoder('utf-16le');

/** Named winnt.h types [S37]; other numbers become `REG_TYPE_<n>`. */
const NAMED_TYPES: Record<number, RegType> = {
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

export function regTypeOf(n: number): RegType {
  return NAMED_TYPES[n] ?? `REG_TYPE_${n}`;
}

export function bytesToHex(bytes: readonly number[]): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return parts.join('');
}

/** Decode string bytes as the header says; reports whether a stray odd byte was ignored. */
export function decodeRegString(bytes: readonly number[], ansi: boolean): { text: string; oddByte: boolean } {
  if (ansi) return { text: decodeAnsi(bytes), oddByte: false };
  const even = bytes.length & ~1;
  return { text: utf16Decoder.decode(Uint8Array.from(even === bytes.length ? bytes : bytes.slice(0, even))), oddByte: even !== bytes.length };
}

/** A REG_SZ / REG_EXPAND_SZ value: the text up to the first NUL (the terminator). */
export function untilNul(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** A REG_MULTI_SZ value: NUL-separated strings, ended by an empty string (the final NUL). */
export function splitMulti(s: string): string[] {
  const items: string[] = [];
  let from = 0;
  while (from < s.length) {
    let to = s.indexOf('\0', from);
    if (to < 0) to = s.length;
    if (to === from) break;
    items.push(s.slice(from, to));
    from = to + 1;
  }
  return items;
}

/** Little-endian unsigned integer of 4 bytes → number. */
export function dwordLE(bytes: readonly number[]): number {
  return (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)) + bytes[3] * 0x1000000;
}

/** Little-endian 8 bytes → number when ≤ 2^53, else its decimal string. */
export function qwordLE(bytes: readonly number[]): number | string {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v <= 2n ** 53n ? Number(v) : v.toString();
}

export type HexDecode = { ok: true; type: RegType; value: RegData; note?: string } | { ok: false; message: string };

/**
 * Typed value of `hex:` (typeNumber 3 with `binary`), or `hex(N):` data.
 * `ansi`: the file has the REGEDIT4 header.
 */
export function decodeHexValue(typeNumber: number, bytes: readonly number[], ansi: boolean): HexDecode {
  const type = regTypeOf(typeNumber);
  switch (typeNumber) {
    case 1:
    case 2: {
      const d = decodeRegString(bytes, ansi);
      return {
        ok: true,
        type,
        value: untilNul(d.text),
        note: d.oddByte ? oddByteNote(type, bytes.length) : undefined,
      };
    }
    case 7: {
      const d = decodeRegString(bytes, ansi);
      return { ok: true, type, value: splitMulti(d.text), note: d.oddByte ? oddByteNote(type, bytes.length) : undefined };
    }
    case 4:
      if (bytes.length !== 4) {
        return { ok: false, message: `REG_DWORD data written as hex(4) must be exactly 4 bytes; found ${bytes.length}.` };
      }
      return { ok: true, type, value: dwordLE(bytes) };
    case 11:
      if (bytes.length !== 8) {
        return { ok: false, message: `REG_QWORD data written as hex(b) must be exactly 8 bytes; found ${bytes.length}.` };
      }
      return { ok: true, type, value: qwordLE(bytes) };
    default:
      return { ok: true, type, value: bytesToHex(bytes) };
  }
}

function oddByteNote(type: RegType, n: number): string {
  return `The ${type} data has an odd number of bytes (${n}); UTF-16LE text uses byte pairs, so the last byte was ignored.`;
}
