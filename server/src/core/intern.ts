/**
 * Bounded interning: the policy set (policy/set.ts) keeps one copy of each string that repeats
 * (names, SOM paths, path segments, values, rule ids) without letting the table grow with the input.
 */

/**
 * A copy of `s` that does not keep a larger string alive. Parsers hand out slices of a whole
 * file's text (V8 keeps the parent of a sliced string alive), so a name or trustee from a 300 KB
 * report would otherwise pin the whole report for the rest of the scan.
 */
export function detach(s: string): string {
  return s.length <= 12 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/**
 * A table from strings to what was made for them (the string itself, or an id), remembering at most
 * `cap` strings: past the cap a new string is made again on every call (stored on its own by the
 * caller) and the table stops growing. Every key it keeps, and every key `make` is given, is
 * detached from the text it was sliced from.
 */
export class BoundedInterner<V = string> {
  private readonly map = new Map<string, V>();

  constructor(readonly cap: number) {}

  /** How many strings it remembers. */
  get size(): number {
    return this.map.size;
  }

  /** What was made for `s`, if it is remembered. */
  find(s: string): V | undefined {
    return this.map.get(s);
  }

  /** What was made for `s`, else `make` of a detached copy of `s` (remembered while under the cap). */
  get(s: string, make: (detached: string) => V): V {
    const have = this.map.get(s);
    return have !== undefined ? have : this.add(s, make);
  }

  /** `make` of a detached copy of `s`, remembered while under the cap (`s` must not be remembered yet). */
  add(s: string, make: (detached: string) => V): V {
    const d = detach(s);
    const v = make(d);
    if (this.map.size < this.cap) this.map.set(d, v);
    return v;
  }
}

/** `make` for a table of strings: the detached copy is the value. */
export function same(d: string): string {
  return d;
}
