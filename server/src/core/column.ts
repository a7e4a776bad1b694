/**
 * A growable column of numbers (a typed array that is replaced by a larger copy when full): the
 * policy set's columns (policy/set.ts) and the language server's packed indexes (lsp/fates.ts,
 * lsp/exposure.ts) all grow through it.
 *
 * Two ways to fill it: by index (`ensure(i)` then `a[i] = v`, the caller counts), or as a list
 * (`push`, `pushAll`, `length` counts what was appended, `done()` hands out an exact-size copy).
 */
export class Column<T extends Int32Array | Uint16Array> {
  /** Values appended by `push` / `pushAll` (not touched by `ensure`). */
  length = 0;

  /**
   * `a`: the first array (its size is the initial capacity). `growth`: the factor the capacity is
   * multiplied by when full (at least 1024 and at least what is asked for).
   */
  constructor(
    public a: T,
    private readonly growth = 1.25,
  ) {}

  /** Makes room for index `i`. */
  ensure(i: number): void {
    if (i < this.a.length) return;
    const b = new (this.a.constructor as { new (n: number): T })(Math.max(1024, Math.ceil(this.a.length * this.growth), i + 1));
    b.set(this.a);
    this.a = b;
  }

  /**
   * Ends the column at `n`: a view of the first `n` values, not a copy, so no second array is
   * allocated while the first is still held (the spare room, at most a quarter at the default
   * growth, stays with the view).
   */
  trim(n: number): void {
    if (n < this.a.length) this.a = this.a.subarray(0, n) as T;
  }

  /** Appends `v`. */
  push(v: number): void {
    this.ensure(this.length);
    this.a[this.length++] = v;
  }

  /** Appends `vs`, in order. */
  pushAll(vs: ArrayLike<number>): void {
    if (!vs.length) return;
    this.ensure(this.length + vs.length - 1);
    this.a.set(vs, this.length);
    this.length += vs.length;
  }

  /** The appended values, in an array of their own of exactly that size. */
  done(): T {
    return this.a.slice(0, this.length) as T;
  }
}

/**
 * A stable counting sort of the indexes `order` (0 … keys.length − 1 when not given) by
 * `keys[i]`, each key below `nKeys`: the sorted indexes and, per key, where its run starts
 * (`starts[k]` … `starts[k + 1]`). No comparator is called per pair (the observation store's
 * grouping, policy/set.ts, and the files of each GPO).
 */
export function countingSort(keys: ArrayLike<number>, nKeys: number, order?: Int32Array): { order: Int32Array; starts: Int32Array } {
  const starts = keyStarts(keys, nKeys, order);
  return { order: placeByKey(keys, starts, order), starts };
}

// Each loop in a function of its own: a sort that runs once per scan runs its loops as on-stack
// replacement code, which is dropped at the first later loop it has not seen run.
function keyStarts(keys: ArrayLike<number>, nKeys: number, order: Int32Array | undefined): Int32Array {
  const n = order ? order.length : keys.length;
  const starts = new Int32Array(nKeys + 1);
  for (let k = 0; k < n; k++) starts[keys[order ? order[k] : k] + 1]++;
  return runningSums(starts);
}

/** Turns per-key counts (at `k + 1`) into where each key's run starts, in place. */
function runningSums(starts: Int32Array): Int32Array {
  for (let k = 0; k + 1 < starts.length; k++) starts[k + 1] += starts[k];
  return starts;
}

function placeByKey(keys: ArrayLike<number>, starts: Int32Array, order: Int32Array | undefined): Int32Array {
  const n = order ? order.length : keys.length;
  const fill = starts.slice(0, -1);
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    out[fill[keys[i]]++] = i;
  }
  return out;
}
