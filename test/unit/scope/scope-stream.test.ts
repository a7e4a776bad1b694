/**
 * The effective policy written as it is computed (issue 11) and the compact policy set (issue 10):
 * - the JSON of a scan whose scopes are streamed one at a time is byte-identical to the JSON of
 *   the same policy built whole (what the CLI wrote before), for the example domain and the test
 *   domains;
 * - the observation store keeps per GPO, rule and extension exactly the value the effective policy
 *   reads (the last in file order, a policy file before a report of the same GPO) and every RSoP
 *   loser, with values, lines, offsets and conditions as they were;
 * - the path table gives every path back as it was given.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { GpoResolver } from '../../../server/src/io/gpo-context';
import { scanOne } from '../../../server/src/cli/report';
import { JsonReporter, JsonStream } from '../../../server/src/cli/reporters';
import { ScopeRun } from '../../../server/src/cli/scope';
import { loadTopology } from '../../../server/src/io/topology';
import { scopeSections } from '../../../server/src/core';
import { walk } from '../../../server/src/io/walk';
import { effectivePolicy, effectivePolicyStream, PolicySetBuilder, readinessScopes, topologyReach, type FilePolicy, type Observation, type ScopeResult } from '../../../server/src/core/index';
import { REPO, tempDir, utf16bom, writeFile } from '../../helpers/cli';
import { canonicalOf, dnFacts, dnKey, firstRdnValue, isDomainControllersDn, isDomainDn, isDomainRdns, parentDnKey, parseDn } from '../../../server/src/core/topology/dn';
import { DOMAIN_DN, guid, toLdif, type DomainSpec } from '../../helpers/domain';
import { seededRandom } from '../../helpers/rng';

const OPTIONS = { targetOs: 'legacy' as const };

/** The policy set and topology of a folder, through the CLI's own per-file scan. */
async function load(root: string, topologyFiles: string[] = []) {
  const display = (p: string) => path.relative(root, p).split(path.sep).join('/');
  const topology = await loadTopology(topologyFiles, [root], display);
  const reach = topologyReach(topology.parts);
  const builder = new PolicySetBuilder();
  const resolver = new GpoResolver();
  const opts = { lint: { role: 'any' as const, targetOs: 'legacy' as const }, fix: false, unsafeFixes: false, allSettings: false, ...(reach ? { reach } : {}) };
  let files = 0;
  for (const e of walk([root], [])) {
    const r = scanOne(e.path, display(e.path), resolver.resolve(e.path), opts);
    if (r.policy) {
      builder.add(r.policy);
      files++;
    }
  }
  return { builder, parts: topology.parts, files };
}

/** The JSON reporter's set-level part for the given sections. */
function jsonEnd(sections: Record<string, unknown>): string {
  let out = '';
  const r = new JsonReporter((s) => (out += s));
  r.end({ coverage: [], ...sections, summary: { files: 0, skipped: 0, seconds: 0, fixed: 0, errors: 0, ioError: false } } as Parameters<JsonReporter['end']>[0]);
  return out;
}

/** Before: the whole policy as one string, parsed back and handed to the reporter. After: one scope at a time. */
async function compare(root: string, topologyFiles: string[] = []): Promise<{ scopes: number; bytes: number }> {
  const whole = await load(root, topologyFiles);
  const eff = effectivePolicy(whole.builder.build(), whole.parts, OPTIONS);
  assert.ok(eff, `${root}: no scope data`);
  // The whole policy as one string (what the editor's posture page once took), parsed back.
  const { gpos, scopes, topology } = scopeSections(eff, whole.parts);
  const before = jsonEnd(JSON.parse(JSON.stringify({ gpos, scopes, topology })) as Record<string, unknown>);

  const streamed = await load(root, topologyFiles);
  const stream = effectivePolicyStream(streamed.builder.build(), streamed.parts, OPTIONS);
  assert.ok(stream);
  const run = new ScopeRun(stream, 0n);
  const view = run.view();
  // The reporter gets a generator, not an array: nothing holds the scopes.
  assert.ok(!Array.isArray(view.scopes));
  const after = jsonEnd(scopeSections(view, streamed.parts));
  assert.equal(after, before);
  assert.equal(run.scopes, eff.scopes.length);
  assert.equal(run.results, eff.scopes.reduce((n, s) => n + s.effective.length, 0));
  return { scopes: eff.scopes.length, bytes: after.length };
}

test('streamed scopes: the example domain writes the same bytes as the policy built whole', async () => {
  const r = await compare(path.join(REPO, 'examples'));
  assert.ok(r.scopes >= 5, `only ${r.scopes} scopes`);
});

const SRV = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const WKS = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature';
const SEC = 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf';
const inf = (lines: string[]) => utf16bom(['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n'));

/** A hand-built domain with enforcement, block inheritance, a disabled link, an unknown GPO and a conflict-free shadowing chain. */
function testDomain(): { dir: string; ldf: string } {
  const dir = tempDir('relaylint-stream-');
  const spec: DomainSpec = {
    soms: [
      { dn: DOMAIN_DN, links: [['A', 0], ['B', 2]] },
      { dn: `OU=Servers,${DOMAIN_DN}`, links: [['C', 0], ['D', 0], ['F', 1]] },
      { dn: `OU=File,OU=Servers,${DOMAIN_DN}`, block: true, links: [['E', 0], ['Z', 0]] },
      { dn: `OU=Domain Controllers,${DOMAIN_DN}`, links: [['C', 0]] },
    ],
    // Every linked GPO's container (an LDIF that holds some drops links to the others: not found, §1.2).
    gpcs: [{ letter: 'A' }, { letter: 'B' }, { letter: 'C' }, { letter: 'D', flags: 2 }, { letter: 'E' }, { letter: 'F' }, { letter: 'Z' }],
  };
  const values: Record<string, string[]> = { A: [`${SRV}=4,0`, `${WKS}=4,1`], B: [`${SRV}=4,1`], C: [`${SRV}=4,0`, `${WKS}=4,0`], D: [`${WKS}=4,1`], E: [`${WKS}=4,1`], F: [`${SRV}=4,0`] };
  for (const [l, lines] of Object.entries(values)) {
    writeFile(dir, `sysvol/Policies/${guid(l)}/GPT.INI`, `[General]\r\nVersion=1\r\ndisplayName=GPO ${l}\r\n`);
    writeFile(dir, `sysvol/Policies/${guid(l)}/${SEC}`, inf(lines));
  }
  const ldf = writeFile(dir, 'corp.ldf', toLdif(spec));
  return { dir, ldf };
}

test('streamed scopes: a hand-built domain (enforced, blocked, disabled link, computer side off, unscanned GPO) writes the same bytes', async () => {
  const d = testDomain();
  const r = await compare(d.dir, [d.ldf]);
  assert.equal(r.scopes, 4);
});

test('scopes(only): each scope with the entries of those rules alone, equal to the same rules of a whole pass (example domain and the hand-built one)', async () => {
  const hand = testDomain();
  const inputs: [string, string[]][] = [
    [path.join(REPO, 'examples'), []],
    [hand.dir, [hand.ldf]],
  ];
  for (const [root, topo] of inputs) {
    const { builder, parts } = await load(root, topo);
    const stream = effectivePolicyStream(builder.build(), parts, OPTIONS);
    assert.ok(stream, root);
    const whole = [...stream.scopes()];
    const sets: string[][] = [['smb.server.require'], ['smb.client.require', 'ntlm.lmcompat'], ['no.such.rule'], []];
    for (const rules of sets) {
      const only = new Set(rules);
      const got: ScopeResult[] = [...stream.scopes(only)];
      const want = whole.map((s) => {
        const effective = s.effective.filter((e) => only.has(e.ruleId));
        return { ...s, effective, exposedRules: effective.filter((e) => e.exposed).length };
      });
      assert.deepStrictEqual(got, want, `${root}: ${rules.join(', ')}`);
    }
    assert.ok(whole.some((s) => s.effective.some((e) => e.ruleId === 'smb.server.require' && e.winner)), `${root}: a decided smb.server.require`);
  }
});

test('streamed scopes: reports-only input (links from the corpus reports, order unknown) writes the same bytes', async () => {
  const dir = tempDir('relaylint-stream-reports-');
  for (const f of ['sos-ddcp-soslan__gpreport.xml', 'sos-dod-ws2019-dc__gpreport.xml', 'sos-dod-ws2019-ms__gpreport.xml']) {
    writeFile(dir, f, fs.readFileSync(path.join(REPO, 'test/fixtures/xml', f)));
  }
  const r = await compare(dir);
  assert.ok(r.scopes >= 1);
});

test('the JSON writer writes any other iterable as an array, element by element, as JSON.stringify writes the array', () => {
  const items = [{ a: 1, b: [1, 2, { c: 'x"y' }], u: undefined }, null, 'str', [3, [4]], { nested: { deep: [{ e: 1 }] } }];
  for (const depth of [1, 2, 3]) {
    let out = '';
    const chunks: string[] = [];
    new JsonStream((s) => {
      out += s;
      chunks.push(s);
    }).value(
      (function* () {
        yield* items;
      })(),
      depth,
    );
    assert.equal(out, JSON.stringify(items), `depth ${depth}`);
    // One write per element at least: the elements are not joined first.
    assert.ok(chunks.length >= items.length, `depth ${depth}: ${chunks.length} writes`);
  }
});

// ---------------------------------------------------------------------------------------------
// The observation store.

function obs(o: Partial<Observation> & Pick<Observation, 'ruleId' | 'gpo'>): Observation {
  return { path: 'x', extension: 'security', format: 'inf', key: 'HKLM\\K', name: 'N', value: 1, state: 'set', status: 'hardened', ...o } as Observation;
}

function rec(p: string, observations: Observation[], format: FilePolicy['format'] = 'inf'): FilePolicy {
  return { path: p, format, gpos: [], observations };
}

test('observation store: per GPO, rule and extension the last value in file order, a policy file before a later report; losers kept; nothing outside a GPO', () => {
  const G1 = guid('A');
  const G2 = guid('B');
  const b = new PolicySetBuilder();
  b.add(rec('P/A/GptTmpl.inf', [obs({ ruleId: 'r1', gpo: G1, line: 3, value: 0, status: 'weak' }), obs({ ruleId: 'r1', gpo: G1, line: 9, value: 1 })]));
  // A report of the same GPO after its policy file: the policy file's value stays.
  b.add(rec('P/A/gpreport.xml', [obs({ ruleId: 'r1', gpo: G1, line: 40, value: 5, format: 'gpo-report-xml' }), obs({ ruleId: 'r2', gpo: G1, line: 41, value: 'text', format: 'gpo-report-xml', extension: 'gpp', state: 'conditional', condition: 'ILT x' })], 'gpo-report-xml'));
  // A report first, then a policy file: the policy file wins.
  b.add(rec('P/B/gpreport.xml', [obs({ ruleId: 'r1', gpo: G2, line: 7, value: 7, format: 'gpo-report-xml', extension: 'registry' })], 'gpo-report-xml'));
  b.add(rec('P/B/Machine/Registry.pol', [obs({ ruleId: 'r1', gpo: G2, offset: 1234, line: undefined, value: ['a', 'b'], extension: 'registry', format: 'registry-pol', state: 'deleted', status: 'deleted' })], 'registry-pol'));
  // RSoP losers and a value outside any GPO.
  b.add(rec('rsop.xml', [obs({ ruleId: 'r1', gpo: G2, line: 5, value: null, format: 'rsop-xml', shadowed: true, status: 'unknown' }), obs({ ruleId: 'r1', gpo: undefined, line: 1 })], 'rsop-xml'));
  const set = b.build();
  const st = set.store;
  const g1 = st.findGpo(G1);
  const g2 = st.findGpo(G2);
  const r1 = st.ruleRef('r1');
  const r2 = st.ruleRef('r2');
  const row = (g: number, r: number, x: 0 | 1 | 2) => {
    const i = st.written(g, r, x);
    if (i < 0) return undefined;
    return { path: set.path(st.pathId(i)), gpo: st.gpoOf(i), line: st.line(i), offset: st.offset(i), value: st.value(i), ext: st.extension(i), state: st.state(i), status: st.status(i), cond: st.condition(i) };
  };
  assert.deepEqual(row(g1, r1, 1), { path: 'P/A/GptTmpl.inf', gpo: G1, line: 9, offset: undefined, value: 1, ext: 'security', state: 'set', status: 'hardened', cond: undefined });
  assert.deepEqual(row(g1, r2, 2), { path: 'P/A/gpreport.xml', gpo: G1, line: 41, offset: undefined, value: 'text', ext: 'gpp', state: 'conditional', status: 'hardened', cond: 'ILT x' });
  assert.equal(row(g1, r2, 0), undefined);
  assert.deepEqual(row(g2, r1, 0), { path: 'P/B/Machine/Registry.pol', gpo: G2, line: undefined, offset: 1234, value: ['a', 'b'], ext: 'registry', state: 'deleted', status: 'deleted', cond: undefined });
  const losers: number[] = [];
  const lg = st.groupOf(g2, r1);
  for (let j = st.losersStart(lg); j < st.losersEnd(lg); j++) losers.push(st.loserAt(j));
  assert.deepEqual(
    losers.map((i) => [set.path(st.pathId(i)), st.line(i), st.value(i), st.status(i), st.shadowed(i)]),
    [['rsop.xml', 5, null, 'unknown', true]],
  );
  // Values of the same content compare equal whatever their storage; numbers never equal strings.
  assert.equal(st.sameValue(st.written(g1, r1, 1), st.written(g1, r1, 1)), true);
  assert.equal(st.sameValue(st.written(g1, r1, 1), st.written(g2, r1, 0)), false);
  // Rows: the value outside a GPO is not kept.
  assert.equal(st.rows, 7);
  const rules: number[] = [];
  st.eachRule(g1, (r) => rules.push(r));
  assert.deepEqual(rules.sort(), [r1, r2].sort());
  const none: number[] = [];
  st.eachRule(-1, (r) => none.push(r));
  assert.deepEqual(none, []);
  assert.deepEqual(set.filesOf(G2), ['P/B/gpreport.xml', 'P/B/Machine/Registry.pol', 'rsop.xml']);
});

test('a set that gives no scope never groups its observations: the store is sealed when it is first read', () => {
  const b = new PolicySetBuilder();
  b.add(rec('P/A/GptTmpl.inf', [obs({ ruleId: 'r1', gpo: guid('A'), line: 3, value: 0, status: 'weak' })]));
  const store = (b as unknown as { store: { sealed: boolean } }).store;
  const set = b.build();
  // No topology and no report link: no scope, and the store was not read.
  assert.equal(effectivePolicyStream(set, [], OPTIONS), undefined);
  assert.equal(store.sealed, false);
  assert.equal(set.filesOf(guid('A')).length, 1);
  assert.equal(store.sealed, false, 'filesOf needs no grouping');
  assert.equal(set.store.sealed, true);
  assert.equal(set.store.written(set.store.findGpo(guid('A')), set.store.ruleRef('r1'), 1) >= 0, true);
});

test('path table: every path comes back exactly as given, repeated or not, whatever its separators', () => {
  const paths = [
    'bench/sysvol/corp.example/Policies/{A}/Machine/Registry.pol',
    'bench/sysvol/corp.example/Policies/{A}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf',
    'bench/sysvol/corp.example/Policies/{A}/gpreport.xml',
    'bench/sysvol/corp.example/Policies/{B}/Machine/Registry.pol',
    'bench/sysvol/corp.example/Policies/{A}/Machine/Registry.pol',
    '/abs/olute/file.inf',
    'C:\\Windows\\SYSVOL\\x.inf',
    'a//b/',
    'plain.reg',
    '',
    'bench/sysvol/corp.example',
  ];
  const b = new PolicySetBuilder();
  for (const [i, p] of paths.entries()) b.add({ path: p, format: 'inf', gpos: [{ guid: guid(String.fromCharCode(65 + i)) }], observations: [] });
  const set = b.build();
  const back = paths.map((_, i) => set.filesOf(guid(String.fromCharCode(65 + i))));
  assert.deepEqual(
    back,
    paths.map((p) => [p]),
  );
});

test('DN facts from one parse: key, parent key, canonical path, first RDN value and domain test equal the helpers that parse again (table and random strings, escapes included)', () => {
  const table = ['', ',', '=', 'a', 'a=', '=b', 'x=1,=,', 'x=1,=', 'x=1,,', ',x=1', 'OU=x,DC=a,DC=b', 'OU=x;DC=a', ' OU = x , DC = a ', 'OU=a=b,DC=c', 'OU=x+CN=y,DC=z', 'OU="q"<>,DC=z', 'ou=Ünï,dc=x', `CN=${guid('A')},CN=Policies,CN=System,${DOMAIN_DN}`, 'OU=a\\,b,DC=x', 'OU=\\41\\42,DC=x', 'O\\=U=a,DC=x', 'OU=a\\ ,DC=x', 'OU=a,=\\,'];
  const rnd = seededRandom(11);
  const random: string[] = [];
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = Math.floor(rnd() * 16);
    for (let j = 0; j < n; j++) s += 'a=, ;+"xA\\4'[Math.floor(rnd() * 12)];
    random.push(s);
  }
  for (const s of [...table, ...random]) {
    const f = dnFacts(s);
    assert.deepEqual(f.rdns, parseDn(s), JSON.stringify(s));
    assert.equal(f.key, dnKey(s), `key ${JSON.stringify(s)}`);
    assert.equal(f.parentKey, parentDnKey(s), `parent ${JSON.stringify(s)}`);
    assert.equal(f.canonical, canonicalOf(s), `canonical ${JSON.stringify(s)}`);
    assert.equal(firstRdnValue(s), parseDn(s)[0]?.value, `first ${JSON.stringify(s)}`);
    assert.equal(isDomainRdns(f.rdns), isDomainDn(s), `domain ${JSON.stringify(s)}`);
  }
  assert.deepEqual(dnFacts('OU=File,OU=Servers,DC=corp,DC=example'), {
    rdns: parseDn('OU=File,OU=Servers,DC=corp,DC=example'),
    key: 'ou=file,ou=servers,dc=corp,dc=example',
    parentKey: 'ou=servers,dc=corp,dc=example',
    canonical: 'corp.example/Servers/File',
  });
});

test('the Domain Controllers OU: the text test before the parse gives what the parse alone gives (table and random strings, escapes included)', () => {
  // The answer from the parse alone, as before the text test.
  const reference = (dn: string) => {
    const r = parseDn(dn).filter((x) => x.type.toLowerCase() !== 'dc');
    const top = r[r.length - 1];
    return !!top && top.type.toLowerCase() === 'ou' && top.value.toLowerCase() === 'domain controllers';
  };
  const table: [string, boolean][] = [
    [`OU=Domain Controllers,${DOMAIN_DN}`, true],
    [`ou=DOMAIN CONTROLLERS,dc=corp,dc=example`, true],
    [`OU=Legacy,OU=Domain Controllers,${DOMAIN_DN}`, true],
    [`OU=Domain Controllers,OU=Servers,${DOMAIN_DN}`, false],
    [`OU=Domain\\20Controllers,${DOMAIN_DN}`, true],
    [`OU=Domain\\ Controllers,${DOMAIN_DN}`, true],
    [`OU=Domain  Controllers,${DOMAIN_DN}`, false],
    [`CN=Domain Controllers,${DOMAIN_DN}`, false],
    [`OU=Servers,${DOMAIN_DN}`, false],
    [`OU= Domain Controllers ,DC=corp`, true],
    [DOMAIN_DN, false],
    ['', false],
  ];
  for (const [dn, want] of table) {
    assert.equal(isDomainControllersDn(dn), want, dn);
    assert.equal(reference(dn), want, `reference ${dn}`);
  }
  const parts = ['OU=', 'ou=', 'DC=', 'CN=', 'Domain Controllers', 'domain controllers', 'DOMAIN CONTROLLERS', 'Domain', ' Controllers', '\\20', '\\', ',', ';', ' ', 'x', 'corp', '='];
  const rnd = seededRandom(14);
  for (let i = 0; i < 20000; i++) {
    let dn = '';
    const n = 1 + Math.floor(rnd() * 10);
    for (let j = 0; j < n; j++) dn += parts[Math.floor(rnd() * parts.length)];
    assert.equal(isDomainControllersDn(dn), reference(dn), JSON.stringify(dn));
  }
});

test('DN parsing: a DN without escapes splits exactly as the escape-aware scan reads it (table and random strings)', () => {
  // The escape-aware reading, for DNs without a backslash: `=` starts the value once, `,` and `;` end an RDN.
  const reference = (s: string) => {
    const out: { type: string; value: string }[] = [];
    let type = '';
    let value = '';
    let inValue = false;
    for (const c of s) {
      if (!inValue && c === '=') inValue = true;
      else if (c === ',' || c === ';') {
        out.push({ type: type.trim(), value: value.trim() });
        type = '';
        value = '';
        inValue = false;
      } else if (inValue) value += c;
      else type += c;
    }
    if (type.trim() || value.trim()) out.push({ type: type.trim(), value: value.trim() });
    return out;
  };
  const table = ['', ',', 'a', 'a=', '=b', 'OU=x,DC=a,DC=b', 'OU=x;DC=a', ' OU = x , DC = a ', 'OU=a=b,DC=c', 'OU=x,,DC=y', 'OU=x,', 'OU=x+CN=y,DC=z', 'ou=Ünï,dc=x', `CN=${guid('A')},CN=Policies,CN=System,${DOMAIN_DN}`];
  for (const s of table) assert.deepEqual(parseDn(s), reference(s), JSON.stringify(s));
  assert.deepEqual(parseDn('OU=File,OU=Servers,DC=corp,DC=example'), [
    { type: 'OU', value: 'File' },
    { type: 'OU', value: 'Servers' },
    { type: 'DC', value: 'corp' },
    { type: 'DC', value: 'example' },
  ]);
  const rnd = seededRandom(7);
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = Math.floor(rnd() * 14);
    for (let j = 0; j < n; j++) s += 'a=, ;xyzÄ'[Math.floor(rnd() * 9)];
    assert.deepEqual(parseDn(s), reference(s), JSON.stringify(s));
  }
  // Escapes still take the full scan.
  assert.deepEqual(parseDn('OU=a\\,b,DC=x'), [
    { type: 'OU', value: 'a,b' },
    { type: 'DC', value: 'x' },
  ]);
});

test('readiness scopes: noted by the pass that writes the scopes (no second computation); an unfinished pass leaves them to a pass of their own', async () => {
  const hand = testDomain();
  for (const [root, topo] of [
    [path.join(REPO, 'examples'), []],
    [hand.dir, [hand.ldf]],
  ] as [string, string[]][]) {
    const { builder, parts } = await load(root, topo);
    const stream = effectivePolicyStream(builder.build(), parts, OPTIONS);
    assert.ok(stream, root);
    const want = readinessScopes({ scopes: [...stream.scopes()] });
    assert.ok(want.length >= 2, `${root}: ${want.length} readiness scopes`);
    // Counts the scopes the stream computes.
    let computed = 0;
    const counting = {
      ...stream,
      *scopes(only?: ReadonlySet<string>) {
        for (const s of stream.scopes(only)) {
          computed++;
          yield s;
        }
      },
    };
    const run = new ScopeRun(counting, 0n);
    run.collectReadiness();
    const written = jsonEnd(scopeSections(run.view(), parts));
    assert.equal(computed, stream.scopeCount, `${root}: the writing pass`);
    assert.deepStrictEqual(run.readinessScopes(), want, root);
    assert.equal(computed, stream.scopeCount, `${root}: readiness computed no scope again`);
    assert.ok(written.includes('"scopes":['), root);

    // A first pass left before its end holds only some scopes: readiness takes a pass of its own.
    computed = 0;
    const partial = new ScopeRun(counting, 0n);
    partial.collectReadiness();
    for (const _ of partial.view().scopes) break;
    assert.deepStrictEqual(partial.readinessScopes(), want, `${root}: after a partial pass`);
    assert.equal(computed, 1 + stream.scopeCount, root);
  }
});

test('stream frames: a stream over the same parts and GPO facts with other values takes the last frame over and gives the scopes a fresh stream gives; a frame of other parts is not taken', async () => {
  const d = testDomain();
  const before = await load(d.dir, [d.ldf]);
  const first = effectivePolicyStream(before.builder.build(), before.parts, OPTIONS, { keepLists: true });
  assert.ok(first);
  const firstScopes = [...first.scopes()];
  assert.equal(first.frame.lists?.size, first.scopeCount, 'every list kept after a pass');
  // GPO A's server signing flips from 0 to 1 and C's workstation signing from 0 to 1: values only.
  writeFile(d.dir, `sysvol/Policies/${guid('A')}/${SEC}`, inf([`${SRV}=4,1`, `${WKS}=4,1`]));
  writeFile(d.dir, `sysvol/Policies/${guid('C')}/${SEC}`, inf([`${SRV}=4,0`, `${WKS}=4,1`]));
  const after = await load(d.dir, [d.ldf]);
  // The same parts object, as the language server keeps it between edits.
  const reused = effectivePolicyStream(after.builder.build(), before.parts, OPTIONS, { keepLists: true, reuse: first.frame });
  const fresh = effectivePolicyStream(after.builder.build(), after.parts, OPTIONS);
  assert.ok(reused && fresh);
  assert.equal(reused.frame, first.frame, 'the frame is taken over');
  assert.notEqual(fresh.frame, first.frame);
  const got = [...reused.scopes()];
  assert.deepStrictEqual(got, [...fresh.scopes()]);
  assert.deepStrictEqual({ gpos: reused.gpos, problems: reused.problems, lacks: reused.lacks }, { gpos: fresh.gpos, problems: fresh.problems, lacks: fresh.lacks });
  // The values did change the result somewhere, and the first stream still gives its own.
  assert.notDeepStrictEqual(got, firstScopes);
  assert.deepStrictEqual([...first.scopes()], firstScopes, 'the first stream after the second used its lists');
  // Parts read again (another array): the frame is not taken, whatever the caller says.
  const other = effectivePolicyStream(after.builder.build(), after.parts, OPTIONS, { reuse: first.frame });
  assert.ok(other);
  assert.notEqual(other.frame, first.frame);
  assert.deepStrictEqual([...other.scopes()], got);
});
