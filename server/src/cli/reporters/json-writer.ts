/**
 * One streaming JSON writer for the CLI's JSON output. It writes an object key by key and an
 * array element by element, so no whole file entry (which can hold hundreds of thousands of
 * settings and findings) is ever turned into one string. The bytes are exactly those of
 * `JSON.stringify` on the same value (no whitespace, keys in insertion order, `undefined`
 * members left out, `undefined` array elements written as `null`).
 */
import type { Write } from './types';

export class JsonStream {
  /** Array elements stringified together (a few hundred KB at most). */
  static readonly CHUNK = 256;

  constructor(private readonly write: Write) {}

  /**
   * Write a value; arrays and plain objects down to `depth` levels are streamed, deeper ones
   * stringified at once. Any other iterable (a generator of set-level results computed as they are
   * read) is written as an array, element by element, at any depth: its elements are never all in
   * memory, and each is written as `JSON.stringify` would write it.
   */
  value(v: unknown, depth = 2): void {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') {
      this.write('[');
      let first = true;
      for (const x of v as Iterable<unknown>) {
        if (!first) this.write(',');
        first = false;
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') this.write('null');
        else if (depth <= 2) this.write(JSON.stringify(x) ?? 'null');
        else this.value(x, depth - 1);
      }
      this.write(']');
      return;
    }
    if (depth <= 0 || v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      this.write(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      if (depth === 1) {
        // Elements are stringified in chunks: bounded strings, without a call per element.
        this.write('[');
        for (let i = 0; i < v.length; i += JsonStream.CHUNK) {
          if (i) this.write(',');
          this.write(JSON.stringify(v.slice(i, i + JsonStream.CHUNK)).slice(1, -1));
        }
        this.write(']');
        return;
      }
      this.write('[');
      for (let i = 0; i < v.length; i++) {
        if (i) this.write(',');
        const x = v[i];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') this.write('null');
        else this.value(x, depth - 1);
      }
      this.write(']');
      return;
    }
    this.write('{');
    let first = true;
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      this.write((first ? '' : ',') + JSON.stringify(k) + ':');
      first = false;
      this.value(x, depth - 1);
    }
    this.write('}');
  }
}
