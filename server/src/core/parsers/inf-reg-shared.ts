/**
 * Small helpers shared by the line-based parsers (`inf.ts`, `reg.ts`).
 *
 * Every scan here is bounded by the caller's line end, so a parser that calls them once per line
 * stays linear in the size of the text (an unbounded `indexOf` per line would go quadratic on a
 * file full of unclosed brackets or quotes).
 */
import { LIMITS } from '../limits';
import type { Problem, Setting, SettingState, Span } from '../types';

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
  /** 1-based line number of the first occurrence. */
  line: number;
  span: Span;
  state: SettingState;
}

/** Remembers the first occurrence of each value id (`valueId()` from keys.ts). */
export class SeenValues {
  private readonly map = new Map<string, FirstSeen>();

  /** Returns the earlier occurrence, or records this one as the first and returns undefined. */
  check(id: string, first: FirstSeen): FirstSeen | undefined {
    const earlier = this.map.get(id);
    if (earlier) return earlier;
    this.map.set(id, first);
    return undefined;
  }
}

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
