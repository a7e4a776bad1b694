/**
 * A seeded random number generator for table-and-random tests (a linear congruential generator:
 * the same numbers on every run and machine, so a failing random case can be replayed).
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
