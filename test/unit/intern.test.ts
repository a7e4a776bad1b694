/**
 * BoundedInterner: the one bounded string table behind the policy set's interners (names, SOM
 * paths, path segments and suffixes, values, conditions, rule ids). Under its cap it hands out one
 * copy per string; past it a new string is made on every call and the table stops growing.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { BoundedInterner } from '../../server/src/core';

test('BoundedInterner remembers at most its cap; past it each new string is made on its own', () => {
  const rows: { name: string; cap: number; calls: string[]; made: string[]; ids: number[]; remembered: string[] }[] = [
    { name: 'empty', cap: 3, calls: [], made: [], ids: [], remembered: [] },
    { name: 'repeats under the cap: made once', cap: 3, calls: ['a', 'b', 'a', 'b', 'a'], made: ['a', 'b'], ids: [0, 1, 0, 1, 0], remembered: ['a', 'b'] },
    { name: 'exactly the cap', cap: 2, calls: ['a', 'b', 'a', 'b'], made: ['a', 'b'], ids: [0, 1, 0, 1], remembered: ['a', 'b'] },
    { name: 'past the cap: a new string every time, the remembered ones still shared', cap: 2, calls: ['a', 'b', 'c', 'c', 'a', 'b', 'd'], made: ['a', 'b', 'c', 'c', 'd'], ids: [0, 1, 2, 3, 0, 1, 4], remembered: ['a', 'b'] },
    { name: 'cap 0: nothing remembered', cap: 0, calls: ['a', 'a'], made: ['a', 'a'], ids: [0, 1], remembered: [] },
    { name: 'unbounded (rule ids)', cap: Infinity, calls: ['r1', 'r2', 'r3', 'r1'], made: ['r1', 'r2', 'r3'], ids: [0, 1, 2, 0], remembered: ['r1', 'r2', 'r3'] },
    { name: 'empty string is a key like any other', cap: 2, calls: ['', '', 'x'], made: ['', 'x'], ids: [0, 0, 1], remembered: ['', 'x'] },
  ];
  for (const r of rows) {
    const t = new BoundedInterner<number>(r.cap);
    const made: string[] = [];
    const ids = r.calls.map((s) => t.get(s, (d) => made.push(d) - 1));
    assert.deepEqual(made, r.made, `${r.name}: made`);
    assert.deepEqual(ids, r.ids, `${r.name}: ids`);
    assert.equal(t.size, r.remembered.length, `${r.name}: size`);
    assert.equal(t.cap, r.cap, `${r.name}: cap`);
    for (const s of new Set(r.calls)) assert.equal(t.find(s), r.remembered.includes(s) ? made.indexOf(s) : undefined, `${r.name}: find ${JSON.stringify(s)}`);
  }
});

test('BoundedInterner.find answers only what is remembered; add makes without looking', () => {
  const t = new BoundedInterner<number>(2);
  assert.equal(t.find('a'), undefined);
  assert.equal(t.add('a', () => 7), 7);
  assert.equal(t.find('a'), 7);
  assert.equal(t.add('b', () => 8), 8);
  assert.equal(t.add('c', () => 9), 9, 'past the cap: made');
  assert.equal(t.find('c'), undefined, 'past the cap: not remembered');
  assert.equal(t.find('b'), 8);
  assert.equal(t.size, 2);
  // A string table: the value is the detached key itself.
  const s = new BoundedInterner(1);
  const first = s.get('New Group Policy Object', (d) => d);
  assert.equal(first, 'New Group Policy Object');
  assert.equal(s.get('New Group Policy Object', () => 'never made'), first);
  assert.equal(s.get('Other', (d) => d), 'Other');
  assert.equal(s.get('Other', (d) => `${d}!`), 'Other!', 'past the cap: made again');
});

/**
 * Whether a string is a slice of a larger one can only be seen by V8 itself: a child process with
 * natives syntax prints the string type of what `make` got and what `find` keeps, for a long slice
 * (detached: a sequential copy) and a short one (12 characters or fewer are kept as they are).
 */
test('BoundedInterner detaches long sliced strings (as detach does) and keeps short ones', () => {
  const mod = path.join(__dirname, '..', '..', 'server', 'src', 'core', 'intern.js');
  const script = `
    const { BoundedInterner, detach } = require(${JSON.stringify(mod)});
    const parent = 'x'.repeat(4096) + 'Default Domain Policy, long enough' + 'y'.repeat(4096);
    for (const [name, s] of [['long', parent.slice(4096, 4096 + 34)], ['short', parent.slice(4096, 4096 + 12)]]) {
      const t = new BoundedInterner(10);
      let got;
      t.get(s, (d) => (got = d));
      if (got !== s) throw new Error('not the same text');
      for (const [what, x] of [['input', s], ['made', got], ['kept', [...t['map'].keys()][0]], ['detach', detach(s)]]) {
        console.log('@@' + name + ' ' + what);
        %DebugPrint(x);
      }
    }
  `;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  // Per string: whether V8 says it is a slice (its map's type line).
  const sliced = Object.fromEntries(
    r.stdout
      .split('@@')
      .slice(1)
      .map((part) => [part.slice(0, part.indexOf('\n')), /- type: SLICED_/.test(part)]),
  );
  assert.deepEqual(sliced, {
    'long input': true,
    'long made': false,
    'long kept': false,
    'long detach': false,
    'short input': false,
    'short made': false,
    'short kept': false,
    'short detach': false,
  });
  // The type line is there to be read (else the test above could not fail).
  assert.match(r.stdout, /- type: [A-Z_]*STRING_TYPE/);
});
