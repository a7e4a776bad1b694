/**
 * compareText: the root collation order for printable ASCII without loading ICU, and
 * `localeCompare` for anything else (server/src/core/collate.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collationKey, compareKeyed, compareText, keyedText } from '../../server/src/core/collate';
import { seededRandom } from '../helpers/rng';

const root = new Intl.Collator('en-US');
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const tabled = (s: string) => [...s].every((c) => c >= ' ' && c <= '~');
/**
 * Random texts of up to 8 characters: from `extra` with probability `pExtra`, else from a few
 * common name characters up to `pCommon`, else any printable ASCII.
 */
function randomText(rnd: () => number, extra: string, pExtra: number, pCommon: number): () => string {
  return () => {
    let s = '';
    const n = Math.floor(rnd() * 9);
    for (let j = 0; j < n; j++) {
      const r = rnd();
      s += r < pExtra ? extra[Math.floor(rnd() * extra.length)] : r < pCommon ? 'aAbB0 ./-_'[Math.floor(rnd() * 10)] : PRINTABLE[Math.floor(rnd() * PRINTABLE.length)];
    }
    return s;
  };
}

const want = (a: string, b: string) => Math.sign(tabled(a) && tabled(b) ? root.compare(a, b) : a.localeCompare(b));

test('compareText: a table of names orders as the root collation does', () => {
  const table: [string, string, -1 | 0 | 1][] = [
    ['a', 'B', -1],
    ['b', 'B', -1],
    ['B', 'b', 1],
    ['Servers', 'servers', 1],
    ['corp.example', 'corp.example/Servers', -1],
    ['corp.example/Servers/File', 'corp.example/Servers', 1],
    ['corp.example/OU 2', 'corp.example/OU-2', -1],
    ['corp.example/OU_2', 'corp.example/OU-2', -1],
    ['OU10', 'OU9', -1],
    ['Domain Controllers', 'domain controllers', 1],
    ['x', 'x', 0],
    ['', 'a', -1],
    ['$', '0', -1],
    ['9', 'a', -1],
    ['Zürich', 'Zurich', 1],
    ['a\u0000b', 'ab', Math.sign('a\u0000b'.localeCompare('ab')) as -1 | 0 | 1],
  ];
  for (const [a, b, sign] of table) {
    assert.equal(Math.sign(compareText(a, b)), sign, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(Math.sign(compareText(b, a)), -sign || 0, `${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
    assert.equal(Math.sign(compareText(a, b)), want(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}: root`);
  }
});

test('compareText: random strings (printable ASCII, some non-ASCII and control characters) compare as the root collation or localeCompare', () => {
  const mk = randomText(seededRandom(9), 'éÉü\u0301\u0000\t\u00a0ß', 0.05, 0.5);
  const rnd = seededRandom(90);
  for (let i = 0; i < 100_000; i++) {
    const a = mk();
    const r = rnd();
    const b = r < 0.2 ? a.toUpperCase() : r < 0.4 ? a + mk() : r < 0.5 ? a : mk();
    assert.equal(Math.sign(compareText(a, b)), want(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});

test('compareText: sorting canonical paths gives the order localeCompare gave', () => {
  const paths = ['corp.example', 'corp.example/Servers', 'corp.example/servers-old', 'corp.example/Servers/File', 'corp.example/Domain Controllers', 'corp.example/OU00031', 'corp.example/OU00003/OU00031', 'corp.example/Workstations', 'corp.example/Zug', 'corp.example/Zürich', 'Default-First-Site-Name', 'corp.example/_Staging'];
  assert.deepEqual([...paths].sort(compareText), [...paths].sort((a, b) => root.compare(a, b)));
});

test('collationKey: keys order as compareText does; a text outside the table has none (random pairs and a table)', () => {
  const mk = randomText(seededRandom(12), 'é\u0000\t\u00a0', 0.03, 0.6);
  const rnd = seededRandom(120);
  const pairs: [string, string][] = [
    ['corp.example', 'corp.example/Servers'],
    ['Servers', 'servers'],
    ['ab', 'aB'],
    ['a', 'A'],
    ['', ''],
    ['', 'a'],
    ['OU10', 'OU9'],
    ['x y', 'x-y'],
  ];
  for (let i = 0; i < 50_000; i++) {
    const a = mk();
    const r = rnd();
    pairs.push([a, r < 0.2 ? a.toUpperCase() : r < 0.4 ? a + mk() : r < 0.5 ? a : mk()]);
  }
  for (const [a, b] of pairs) {
    const ka = collationKey(a);
    const kb = collationKey(b);
    assert.equal(ka === undefined, !tabled(a), `${JSON.stringify(a)} has a key iff it is printable ASCII`);
    const want = Math.sign(compareText(a, b));
    if (ka !== undefined && kb !== undefined) assert.equal(ka < kb ? -1 : ka > kb ? 1 : 0, want, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(Math.sign(compareKeyed(keyedText(a), keyedText(b))), want, `${JSON.stringify(a)} vs ${JSON.stringify(b)}: compareKeyed`);
  }
});
