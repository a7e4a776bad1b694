/**
 * Column: the one growable column of numbers behind the policy set and the language server's packed
 * indexes. Its sizes are pinned (initial capacity kept, growth by the given factor with a floor of
 * 1,024 values) because the memory figures of the bench rest on them.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Column } from '../../server/src/core';
import { countingSort } from '../../server/src/core/column';
import { seededRandom } from '../helpers/rng';

test('Column.ensure grows by its factor, at least to 1,024 values and to the index asked for', () => {
  const rows: { name: string; initial: number; growth?: number; ensure: number[]; capacity: number }[] = [
    { name: 'room already there: no new array', initial: 1024, ensure: [0, 1023], capacity: 1024 },
    { name: 'default factor 1.25', initial: 1024, ensure: [1024], capacity: 1280 },
    { name: 'default factor, twice', initial: 1024, ensure: [1024, 1280], capacity: 1600 },
    { name: 'factor 2 (the language server indexes)', initial: 1024, growth: 2, ensure: [1024], capacity: 2048 },
    { name: 'factor 2, twice', initial: 4096, growth: 2, ensure: [4096, 8192], capacity: 16384 },
    { name: 'small array: floor of 1,024', initial: 9, growth: 2, ensure: [9], capacity: 1024 },
    { name: 'index past the factor: exactly the index', initial: 1024, growth: 2, ensure: [5000], capacity: 5001 },
    { name: 'ceil of the factor', initial: 1025, ensure: [1025], capacity: 1282 },
  ];
  for (const r of rows) {
    const c = new Column(new Int32Array(r.initial), r.growth);
    for (const i of r.ensure) c.ensure(i);
    assert.equal(c.a.length, r.capacity, r.name);
    assert.equal(c.length, 0, `${r.name}: ensure appends nothing`);
  }
});

test('Column keeps its values and its array type when it grows', () => {
  const c = new Column(new Uint16Array(1024));
  for (let i = 0; i < 1024; i++) c.a[i] = i;
  c.ensure(2000);
  assert.ok(c.a instanceof Uint16Array);
  assert.equal(c.a.length, 2001);
  assert.deepEqual(Array.from(c.a.subarray(0, 1024)), Array.from({ length: 1024 }, (_, i) => i));
  const grown = c.a;
  c.trim(10);
  assert.deepEqual(Array.from(c.a), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(c.a.buffer, grown.buffer, 'trim is a view of the same memory, not a copy');
  c.trim(20);
  assert.equal(c.a.length, 10, 'trim never grows');
});

test('Column as a list: push, pushAll across the end of the array, done is an exact copy', () => {
  const c = new Column(new Int32Array(1024), 2);
  for (let i = 0; i < 1020; i++) c.push(i);
  c.pushAll([-1, -2, -3, -4, -5, -6, -7, -8, -9]);
  assert.equal(c.length, 1029);
  assert.equal(c.a.length, 2048, 'doubled once');
  c.pushAll([]);
  assert.equal(c.length, 1029);
  c.push(7);
  const out = c.done();
  assert.ok(out instanceof Int32Array);
  assert.equal(out.length, 1030);
  assert.deepEqual(Array.from(out.subarray(1016)), [1016, 1017, 1018, 1019, -1, -2, -3, -4, -5, -6, -7, -8, -9, 7]);
  out[0] = 99;
  assert.equal(c.a[0], 0, 'done hands out a copy');
  const empty = new Column(new Int32Array(4), 2).done();
  assert.equal(empty.length, 0);
});

test('countingSort: the indexes stably sorted by key, and where each key starts (a table and random keys against Array.sort)', () => {
  const table = countingSort([2, 0, 2, 1, 0], 4);
  assert.deepEqual([...table.order], [1, 4, 3, 0, 2]);
  assert.deepEqual([...table.starts], [0, 2, 3, 5, 5]);
  // A given order is kept among equal keys: by rule first, then by GPO, as the store groups its rows.
  const rule = [1, 0, 1, 0];
  const gpo = [0, 0, 1, 0];
  assert.deepEqual([...countingSort(gpo, 2, countingSort(rule, 2).order).order], [1, 3, 0, 2]);
  assert.deepEqual([...countingSort([], 3).starts], [0, 0, 0, 0]);
  const rnd = seededRandom(31);
  for (let t = 0; t < 200; t++) {
    const nKeys = 1 + Math.floor(rnd() * 20);
    const keys = Int32Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * nKeys));
    const { order, starts } = countingSort(keys, nKeys);
    const want = [...keys.keys()].sort((a, b) => keys[a] - keys[b] || a - b);
    assert.deepEqual([...order], want);
    for (let k = 0; k < nKeys; k++) assert.deepEqual([...order.subarray(starts[k], starts[k + 1])].map((i) => keys[i]), want.filter((i) => keys[i] === k).map(() => k));
  }
});
