/**
 * The workspace model keeps each GPO export packed (server/src/lsp/packed.ts): the file's policy
 * record and coverage records come back from the rows exactly as the core made them, and each
 * value's editor range and core location key (`L<line>` / `O<offset>`) with it. Over every export
 * of the bundled example (templates, a GPP file with item-level targeting, Registry.pol, a GPO
 * report, an RSoP report with shadowed values, a loose .reg) and the real exports in the fixtures,
 * under both a default and a DC/Server 2025 judgement.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { coverageSources, type FilePolicy, filePolicy, OBSERVATION_CODES, isPolicyJudgement, judgeFile, lineIndexFor, parseBytes, type LintOptions } from '../../server/src/core';
import type { Position, Range } from 'vscode-languageserver';
import { changedRules, findObs, liveStrings, obsAt, obsCount, packFile, rangeAt, repackFile, sameExceptRanges, StringPool, unpackPolicy, unpackSources } from '../../server/src/lsp/packed';
import { ROOT } from '../helpers/lsp-client';

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(inf|reg|xml|pol)$/i.test(name)) out.push(p);
  }
  return out;
}

const GPP = join(ROOT, 'examples', 'corp.example', 'Policies', '{5C3E2A10-7B44-4F0E-9E7A-1D2B3C4D5E6F}', 'Machine', 'Preferences', 'Registry', 'Registry.xml');
/** Files by path; one more: the example's GPP file with item-level targeting on its first item. */
const INPUTS = new Map<string, Buffer>([...files(join(ROOT, 'examples')), ...['inf', 'reg', 'xml', 'pol'].flatMap((d) => files(join(ROOT, 'test', 'fixtures', d)))].map((p) => [p, readFileSync(p)]));
INPUTS.set(
  GPP.replace('Registry.xml', 'Targeted/Registry.xml'),
  Buffer.from(readFileSync(GPP, 'utf8').replace('"00000001"/></Registry>', '"00000001"/><Filters><FilterGroup bool="AND" not="0" name="CORP\\Servers" sid="S-1-5-21-1"/></Filters></Registry>')),
);
const OPTIONS: LintOptions[] = [
  { role: 'any', targetOs: 'legacy' },
  { role: 'dc', targetOs: 'ws2025' },
];

describe('packed file records (the workspace model)', () => {
  test('there are inputs of every kind the round trip must cover', () => {
    const formats = new Set([...INPUTS].map(([p, bytes]) => parseBytes(p, bytes).format));
    for (const f of ['inf', 'reg', 'gpp-registry-xml', 'gpo-report-xml', 'rsop-xml', 'registry-pol']) assert.ok(formats.has(f as never), f);
  });

  for (const options of OPTIONS) {
    test(`policy and coverage records come back exactly (${options.role}, ${options.targetOs})`, () => {
      const pool = new StringPool();
      let values = 0;
      const seen = { offset: 0, condition: 0, shadowed: 0, text: 0, nul: 0 };
      for (const [p, bytes] of INPUTS) {
        const parsed = parseBytes(p, bytes);
        if (parsed.format === 'unknown') continue;
        const index = lineIndexFor(parsed.text);
        const judged = judgeFile(parsed, options);
        const sources = coverageSources(p, parsed, index, options, undefined, judged);
        const policy = filePolicy(p, parsed, { guid: '{31B2F340-016D-11D2-945F-00C04FB984F9}', name: 'Default Domain Policy' }, index, isPolicyJudgement(parsed, options) ? judged : undefined);
        // A distinct range per value, so a mix-up of rows shows.
        const ranges = policy.observations.map((_, i) => ({ start: { line: i, character: i + 1 }, end: { line: i + 2, character: i + 3 } }));
        const packed = packFile(p, policy, ranges, sources, { hash: 7, binary: parsed.format === 'registry-pol', fromEditor: false, bytes: bytes.length }, pool);
        const where = relative(ROOT, p);
        assert.deepStrictEqual(unpackPolicy(p, packed, pool), policy, where);
        assert.deepStrictEqual(unpackSources(p, packed, pool), sources, where);
        // Moved to a new pool (the pool's compaction), the records are the same.
        const fresh = new StringPool();
        const moved = repackFile(packed, pool, fresh);
        assert.deepStrictEqual([unpackPolicy(p, moved, fresh), unpackSources(p, moved, fresh)], [policy, sources], `${where} (repacked)`);
        assert.ok(sameExceptRanges(packed, packed), where);
        assert.equal(obsCount(packed), policy.observations.length, where);
        policy.observations.forEach((o, i) => {
          const key = o.offset !== undefined ? `O${o.offset}` : `L${o.line ?? 0}`;
          assert.deepStrictEqual(obsAt(packed, i, pool), { ruleId: o.ruleId, key, range: ranges[i], ...(o.gpo ? { gpo: o.gpo } : {}) }, `${where} #${i}`);
          // The first value at that location is the one a location resolves to.
          const first = policy.observations.findIndex((x) => (x.offset !== undefined ? `O${x.offset}` : `L${x.line ?? 0}`) === key);
          assert.deepStrictEqual(rangeAt(packed, o.offset !== undefined, o.offset ?? o.line ?? 0), ranges[first], `${where} #${i}`);
          // Its own range (no other row's contains it) and its rule find it.
          assert.deepStrictEqual(findObs(packed, pool, { ruleId: o.ruleId, contains: ranges[i] }), obsAt(packed, i, pool), `${where} #${i}`);
          if (o.offset !== undefined) seen.offset++;
          if (o.condition) seen.condition++;
          if (o.shadowed) seen.shadowed++;
          if (typeof o.value === 'string') seen.text++;
          if (o.value === null) seen.nul++;
        });
        values += policy.observations.length;
      }
      assert.ok(values > 200, `values: ${values}`);
      for (const [k, n] of Object.entries(seen)) assert.ok(n > 0, `no value with ${k} among the inputs`);
    });
  }

  test('values of every data type, and a GPO whose facts carry links and trustees', () => {
    const pool = new StringPool();
    const base = { ruleId: 'smb.server.require', path: 'p.inf', extension: 'security', format: 'inf', key: 'HKLM\\X', name: 'V', state: 'set', status: 'unknown' } as const;
    const values = [0, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 4294967295, 1.5, -0, 'text', '', ['a', 'b,c'], [], null];
    const policy = {
      path: 'p.inf',
      format: 'inf' as const,
      gpos: [{ guid: '{A}', name: 'n', computerEnabled: false, links: [{ som: 'corp.example/OU', enabled: true, enforced: false }], applyTrustees: { allow: [{ sid: 'S-1-5-11', name: 'Authenticated Users' }], deny: [] } }],
      observations: values.map((value, i) => ({ ...base, value, line: i + 1, ...(i % 2 ? { gpo: '{A}' } : {}) })),
    };
    const ranges = values.map((_, i) => ({ start: { line: i, character: 0 }, end: { line: i, character: 5 } }));
    const sources = values.map((value, i) => [base.ruleId, { path: 'p.inf', line: i + 1, value, state: 'set', status: 'unknown', ...(i % 2 ? { gpo: 'n' } : {}) }] as [string, never]);
    const packed = packFile('p.inf', policy, ranges, sources, { hash: 1, binary: false, fromEditor: false, bytes: 10 }, pool);
    assert.deepStrictEqual(unpackPolicy('p.inf', packed, pool), policy);
    assert.deepStrictEqual(unpackSources('p.inf', packed, pool), sources);
    // Every string column is moved by the compaction, and only those (integers stay as they are).
    const fresh = new StringPool();
    fresh.id('a string that shifts every id');
    const moved = repackFile(packed, pool, fresh);
    assert.deepStrictEqual([unpackPolicy('p.inf', moved, fresh), unpackSources('p.inf', moved, fresh)], [policy, sources]);
    assert.equal(liveStrings([packed], pool), pool.size);
    // Only ranges moved: the same records; a value changed: not.
    const shifted = packFile('p.inf', policy, ranges.map((r) => ({ start: { line: r.start.line, character: 3 }, end: { line: r.end.line, character: 9 } })), sources, { hash: 2, binary: false, fromEditor: true, bytes: 12 }, pool);
    assert.equal(sameExceptRanges(packed, shifted), true);
    const changed = packFile('p.inf', { ...policy, observations: policy.observations.map((o, i) => (i === 3 ? { ...o, value: 'other' } : o)) }, ranges, sources, { hash: 3, binary: false, fromEditor: true, bytes: 12 }, pool);
    assert.equal(sameExceptRanges(packed, changed), false);
  });

  test('no location: nothing', () => {
    const pool = new StringPool();
    const packed = packFile('x.inf', { path: 'x.inf', format: 'inf', gpos: [], observations: [] }, [], [], { hash: 1, binary: false, fromEditor: true, bytes: 0 }, pool);
    assert.equal(rangeAt(packed, false, 1), undefined);
    assert.equal(findObs(packed, pool, {}), undefined);
    assert.equal(findObs(packed, pool, { startLine: 0, contains: { line: 0, character: 0 } }), undefined);
    assert.deepStrictEqual(unpackPolicy('x.inf', packed, pool), { path: 'x.inf', format: 'inf', gpos: [], observations: [] });
  });
});

/** findObs as it was: every row made into a view and tested by a predicate (the reference). */
function findObsByViews(f: Parameters<typeof obsCount>[0], pool: StringPool, pred: (o: ReturnType<typeof obsAt>) => boolean) {
  for (let i = 0; i < obsCount(f); i++) {
    const o = obsAt(f, i, pool);
    if (pred(o)) return o;
  }
  return undefined;
}
function contains(outer: Range, inner: Range | Position): boolean {
  const r = 'start' in inner ? inner : { start: inner, end: inner };
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, r.start) && before(r.end, outer.end);
}

test('findObs on the packed columns answers as the predicate over every row did (first match, no match, several values on a line, byte offsets)', () => {
  // Real files (templates, .reg, GPP, reports, Registry.pol with byte offsets), their values laid out
  // three to a line (several rows on one line, one value's range inside the next one's on some
  // lines), so the first row that matches is not always the only one.
  const options: LintOptions = { role: 'any', targetOs: 'legacy' };
  const layouts: { name: string; range: (i: number) => Range }[] = [
    { name: 'three side by side per line', range: (i) => ({ start: { line: Math.floor(i / 3), character: (i % 3) * 10 }, end: { line: Math.floor(i / 3), character: (i % 3) * 10 + 6 } }) },
    { name: 'nested: each line holds a wide value and two inside it', range: (i) => (i % 3 === 0 ? { start: { line: Math.floor(i / 3), character: 0 }, end: { line: Math.floor(i / 3), character: 40 } } : { start: { line: Math.floor(i / 3), character: (i % 3) * 10 }, end: { line: Math.floor(i / 3), character: (i % 3) * 10 + 5 } }) },
    { name: 'over two lines', range: (i) => ({ start: { line: i, character: 4 }, end: { line: i + 1, character: 2 } }) },
  ];
  const count = { queries: 0, found: 0, none: 0, notOwn: 0, offsets: 0 };
  const pool = new StringPool();
  pool.id('a rule no file has');
  for (const [p, bytes] of INPUTS) {
    const parsed = parseBytes(p, bytes);
    if (parsed.format === 'unknown') continue;
    const index = lineIndexFor(parsed.text);
    const judged = judgeFile(parsed, options);
    const policy: FilePolicy = filePolicy(p, parsed, { guid: '{31B2F340-016D-11D2-945F-00C04FB984F9}', name: 'Default Domain Policy' }, index, isPolicyJudgement(parsed, options) ? judged : undefined);
    const n = policy.observations.length;
    if (!n) continue;
    for (const layout of layouts) {
      const ranges = policy.observations.map((_, i) => layout.range(i));
      const packed = packFile(p, policy, ranges, [], { hash: 1, binary: parsed.format === 'registry-pol', fromEditor: false, bytes: bytes.length }, pool);
      const where = `${relative(ROOT, p)} (${layout.name})`;
      const rules = [...new Set(policy.observations.map((o) => o.ruleId)), 'a rule no file has', 'a rule not in the pool'];
      const last = ranges[n - 1].end.line;
      const positions: Position[] = [];
      for (let line = 0; line <= last + 1; line++) for (const character of [0, 3, 6, 12, 25, 45]) positions.push({ line, character });
      const check = (q: Parameters<typeof findObs>[2], pred: (o: ReturnType<typeof obsAt>) => boolean, what: string) => {
        const want = findObsByViews(packed, pool, pred);
        assert.deepStrictEqual(findObs(packed, pool, q), want, `${where}: ${what}`);
        count.queries++;
        if (want) count.found++;
        else count.none++;
        if (want?.key.startsWith('O')) count.offsets++;
        return want;
      };
      // The diagnostic query: rule and range (each value's own range, and a point inside it).
      for (const rule of rules) {
        for (const [i, r] of ranges.entries()) {
          const got = check({ ruleId: rule, contains: r }, (x) => x.ruleId === rule && contains(x.range, r), `rule ${rule}, range of #${i}`);
          if (got && JSON.stringify(got) !== JSON.stringify(obsAt(packed, i, pool))) count.notOwn++;
          const inside = { start: { line: r.start.line, character: r.start.character + 1 }, end: { line: r.start.line, character: r.start.character + 2 } };
          check({ ruleId: rule, contains: inside }, (x) => x.ruleId === rule && contains(x.range, inside), `rule ${rule}, inside #${i}`);
        }
      }
      // The hover query: a position, or the line it is on.
      for (const pos of positions) {
        check({ contains: pos, startLine: pos.line }, (x) => contains(x.range, pos) || x.range.start.line === pos.line, `hover ${pos.line}:${pos.character}`);
        check({ contains: pos }, (x) => contains(x.range, pos), `position ${pos.line}:${pos.character}`);
        check({ startLine: pos.line }, (x) => x.range.start.line === pos.line, `line ${pos.line}`);
      }
      check({}, () => true, 'no test: the first row');
      check({ ruleId: 'a rule not in the pool' }, () => false, 'a rule the pool does not hold');
    }
  }
  // Every case the table is there for happened.
  for (const [k, v] of Object.entries(count)) assert.ok(v > 0, `${k}: ${v}`);
});

test('changedRules: the rules whose values differ, or undefined when more than values changed', () => {
  const G = '{A}';
  const base = { path: 'p.inf', extension: 'security' as const, format: 'inf' as const, key: 'HKLM\\X', name: 'V', state: 'set' as const, status: 'weak' as 'weak' | 'hardened', gpo: G };
  const facts = [{ guid: G, name: 'n' }];
  const o = (ruleId: string, value: number, line: number, more: object = {}) => ({ ...base, ruleId, value, line, ...more });
  const A = [o('r.one', 0, 7), o('r.two', 3, 8), o('r.one', 1, 9)];
  const rows: [name: string, after: ReturnType<typeof o>[], changed: string[] | undefined, more?: { gpos?: typeof facts; format?: 'reg' }][] = [
    ['the same values', A, []],
    ['one value of a rule', [A[0], o('r.two', 5, 8), A[2]], ['r.two']],
    ['a status only', [A[0], { ...A[1], status: 'hardened' }, A[2]], ['r.two']],
    ['the second row of a rule', [A[0], A[1], o('r.one', 0, 9)], ['r.one']],
    ['a line deleted: the values below move', [A[0], o('r.two', 3, 7), o('r.one', 1, 8)], ['r.one', 'r.two']],
    ['a row of a rule removed', [A[0], A[1]], ['r.one']],
    ['a new rule', [...A, o('r.three', 1, 10)], ['r.three']],
    ['a value of a GPO the facts name (its first value)', [...A, o('r.three', 1, 10, { gpo: G })], ['r.three']],
    ['a value of a GPO the facts do not name', [...A, o('r.three', 1, 10, { gpo: '{B}' })], undefined],
    ['other GPO facts', A, undefined, { gpos: [{ guid: G, name: 'renamed' }] }],
    ['another format', A, undefined, { format: 'reg' }],
  ];
  for (const [name, after, changed, more] of rows) {
    const pool = new StringPool();
    const pack = (obs: ReturnType<typeof o>[], gpos = facts, format: 'inf' | 'reg' = 'inf') =>
      packFile('p.inf', { path: 'p.inf', format, gpos, observations: obs.map((x) => ({ ...x, format })) }, obs.map((_, i) => ({ start: { line: i, character: 0 }, end: { line: i, character: 1 } })), [], { hash: 1, binary: false, fromEditor: true, bytes: 1 }, pool);
    const got = changedRules(pack(A), pack(after, more?.gpos, more?.format), pool);
    assert.deepStrictEqual(got && [...got].sort(), changed && [...changed].sort(), name);
  }
});

test('the observation codes (shared by the core store and packed files) have four distinct members each: two bits', () => {
  for (const [name, list] of Object.entries(OBSERVATION_CODES)) {
    assert.equal(list.length, 4, name);
    assert.equal(new Set(list).size, 4, name);
  }
});
