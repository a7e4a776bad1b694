/**
 * One order for names in outputs (scopes, computers, rows), the same on every machine for the names
 * domains have, and computed without loading ICU's collation data: the first `localeCompare` of a
 * process loads it, about 41 million instructions, which was a tenth of what a topology added to a
 * 550-GPO scan (bench/README.md, wave 11).
 *
 * For printable ASCII the order is that of the Unicode root collation (what `localeCompare` gives
 * under English and most locales): punctuation and symbols, then digits, then letters, case
 * ignored first and lower case before upper case on a tie. Any other character (non-ASCII, control
 * characters, which the collation ignores) is compared by `localeCompare` as before.
 */

/** Printable ASCII in root collation order; a letter's capital follows it and has its weight. */
const ROOT_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ";

/** Per code unit below 128: its primary weight (-1: not in the table) and its case (1 = capital). */
const PRIMARY = new Int8Array(128).fill(-1);
const CAPITAL = new Int8Array(128);
{
  let w = 0;
  for (let i = 0; i < ROOT_ORDER.length; i++) {
    const c = ROOT_ORDER.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      PRIMARY[c] = PRIMARY[c + 32];
      CAPITAL[c] = 1;
    } else PRIMARY[c] = ++w;
  }
}

/** Whether every code unit of `s` from `from` on is in the table. */
function tabled(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || PRIMARY[c] < 0) return false;
  }
  return true;
}

/** Sorts as `a.localeCompare(b)` does under the root collation (see above); negative, 0 or positive. */
export function compareText(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x >= 128 || y >= 128 || PRIMARY[x] < 0 || PRIMARY[y] < 0) return a.localeCompare(b);
    const d = PRIMARY[x] - PRIMARY[y];
    if (d !== 0) {
      // The rest decides nothing here only if it is in the table too.
      return tabled(a, i + 1) && tabled(b, i + 1) ? d : a.localeCompare(b);
    }
  }
  if (!tabled(a, n) || !tabled(b, n)) return a.localeCompare(b);
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < n; i++) {
    const d = CAPITAL[a.charCodeAt(i)] - CAPITAL[b.charCodeAt(i)];
    if (d !== 0) return d;
  }
  return 0;
}

/** A text with its sort key (`collationKey`), for sorting many names with `compareKeyed`. */
export interface KeyedText {
  text: string;
  key: string | undefined;
}

/**
 * A key whose code-unit order is `compareText`'s order among texts that have one: the primary
 * weights, a separator below every weight, then the case of each character. Undefined for a text
 * with a character outside the table (such texts are compared with `compareText`). A sort compares
 * keys natively instead of walking the table for both texts at every comparison: sorting the 1,102
 * scopes of a 5,500-GPO domain took 7-12 ms the first time (bench/README.md, wave 12).
 */
export function collationKey(s: string): string | undefined {
  let primary = '';
  let capitals = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || PRIMARY[c] < 0) return undefined;
    primary += String.fromCharCode(PRIMARY[c] + 1);
    capitals += CAPITAL[c] ? '1' : '0';
  }
  return `${primary}\u0000${capitals}`;
}

export function keyedText(text: string): KeyedText {
  return { text, key: collationKey(text) };
}

/** `compareText(a.text, b.text)`, by the keys when both have one. */
export function compareKeyed(a: KeyedText, b: KeyedText): number {
  if (a.key !== undefined && b.key !== undefined) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return compareText(a.text, b.text);
}
