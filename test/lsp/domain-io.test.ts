/**
 * The workspace model's reading, in process (server/src/lsp/domain.ts): the topology read through
 * io/topology.ts as the CLI reads it (the same problems and messages) and asynchronously (requests
 * answered while it is read), the editor-only skip folders never entered by the walk, topology and
 * event logs counted against the pass's byte budget, edits counted against the budget, the string
 * pool kept bounded under many edits, no re-assembly when only ranges moved, and no re-judge when
 * an unedited document is closed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { parseBytes } from '../../server/src/core';
import { setParserHookForTests } from '../../server/src/core/parse';
import { readRegularAsync, type ReadResult } from '../../server/src/io/safe-fs';
import { parseTopology } from '../../server/src/io/topology';
import { walk, WALK_PAUSE_EVERY } from '../../server/src/io/walk';
import { OFF_THREAD_BYTES, serverTopologyParser } from '../../server/src/lsp/topology-parse';
import type { ExposureResult } from '../../server/src/lsp/protocol';
import { LspClient } from '../helpers/lsp-client';
import { computeDomain, DomainModel, POOL_SLACK, updateDomain, type DomainBudget, type DomainState, type OpenDocument } from '../../server/src/lsp/domain';
import { liveStrings, unpackPolicy } from '../../server/src/lsp/packed';
import { runCli } from '../helpers/cli';
import { guid, toLdif, toSharpHound, zip, gptTmpl, INF_LMCOMPAT as LMCOMPAT, INF_SMB_CLIENT as SMB_CLIENT, INF_SMB_SERVER as SMB_SERVER, LSP_DOMAIN as DOMAIN, LSP_FILES, lspInputs, utf16bom, writeLspSysvol, writeLspTopology } from '../helpers/domain';

const utf16 = utf16bom;

const FILES = LSP_FILES;

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** A SYSVOL-shaped folder: four GPOs (GPT.INI + UTF-16LE GptTmpl.inf), the LDIF at `topology/corp.ldf` unless `topology` is false. */
function workspace(opts: { topology?: boolean; log?: boolean } = {}) {
  const root = fs.mkdtempSync(join(tmpdir(), 'relaylint-domain-io-'));
  roots.push(root);
  const inf = writeLspSysvol(root);
  if (opts.topology !== false) writeLspTopology(root);
  if (opts.log) {
    fs.mkdirSync(join(root, 'logs'));
    fs.copyFileSync(join(__dirname, '..', '..', '..', 'examples', 'logs', 'DC01-relay-events.xml'), join(root, 'logs', 'DC01-relay-events.xml'));
  }
  return { root, inf };
}

const inputs = lspInputs;

const never = () => false;

/** Open documents as the server hands them to the model: the parse of their current text. */
function editor(): { docs: Map<string, string>; open: OpenDocument } {
  const docs = new Map<string, string>();
  return { docs, open: (p) => (docs.has(p) ? Promise.resolve(parseBytes(p, utf16(docs.get(p) as string))) : undefined) };
}

// ---- 1. topology: one code path with the CLI, read asynchronously ------------------------------------

describe('the server reads topology through io/topology.ts, as the CLI does', () => {
  /** Problems the CLI reports (JSON `topology.problems`, or its I/O errors) and the server's, with sources relative to the folder. */
  function both(root: string, topology: string[]): Promise<{ cli: unknown[]; server: unknown[] }> {
    const r = runCli(['scan', '.', ...topology.flatMap((t) => ['--topology', t]), '--format', 'json', '--fail-on', 'never'], { cwd: root });
    const errors = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('relaylint: '))
      .map((l) => l.slice('relaylint: '.length));
    const cli = r.code === 2 ? errors : ((JSON.parse(r.stdout) as { topology?: { problems: unknown[] } }).topology?.problems ?? []);
    const rel = (s: string) => relative(root, s).split(sep).join('/');
    return computeDomain(inputs(root, { topology: topology.map((t) => join(root, t)) }), never).then((st) => {
      const problems = st.effective?.problems ?? st.parts.flatMap((p) => p.problems);
      return { cli, server: problems.map((p) => ({ ...p, source: rel(p.source) })) };
    });
  }

  const cases: [string, (root: string) => string[], 'json' | 'errors'][] = [
    [
      'a truncated LDIF',
      (root) => {
        const text = toLdif({ soms: [{ dn: 'DC=corp,DC=example', links: [['A', 0]] }, { dn: 'OU=Web,DC=corp,DC=example', links: [['B', 0]] }], gpcs: [] });
        fs.writeFileSync(join(root, 'cut.ldf'), text.slice(0, text.lastIndexOf('},cn=policies')));
        return ['topology/corp.ldf', 'cut.ldf'];
      },
      'json',
    ],
    [
      'a link to a GPO that is not in the SYSVOL, and an orphaned OU',
      (root) => {
        fs.writeFileSync(join(root, 'more.ldf'), toLdif({ soms: [{ dn: 'OU=Lost,OU=Gone,DC=corp,DC=example', links: [['E', 0]] }], gpcs: [{ letter: 'E' }] }));
        return ['topology/corp.ldf', 'more.ldf'];
      },
      'json',
    ],
    [
      'a SharpHound JSON of the wrong type, and a truncated zip',
      (root) => {
        fs.writeFileSync(join(root, 'users.json'), JSON.stringify({ data: [], meta: { type: 'users', count: 0, version: 6 } }));
        const z = zip(toSharpHound({ soms: [{ dn: 'DC=corp,DC=example', links: [['A', 0]] }], gpcs: [{ letter: 'A' }] }));
        fs.writeFileSync(join(root, 'bh.zip'), z.subarray(0, z.length - 30));
        return ['topology/corp.ldf', 'users.json', 'bh.zip'];
      },
      'json',
    ],
    [
      'a topology file over the size limit (named, and found in the folder)',
      (root) => {
        for (const f of ['big.ldf', join('topology', 'found.json')]) {
          const fd = fs.openSync(join(root, f), 'w');
          fs.ftruncateSync(fd, 65 * 1024 * 1024);
          fs.closeSync(fd);
        }
        return ['topology/corp.ldf', 'big.ldf'];
      },
      'json',
    ],
  ];
  for (const [name, make] of cases) {
    test(`${name}: the same problems, word for word`, async () => {
      const { root } = workspace();
      const { cli, server } = await both(root, make(root));
      assert.ok(cli.length > 0, 'the case gives problems');
      assert.deepStrictEqual(server, cli);
    });
  }

  test('a named topology file that is missing or a FIFO: the CLI\'s I/O error, as an error-level problem in the server', async (t) => {
    const { root } = workspace();
    const fifo = spawnSync('mkfifo', [join(root, 'pipe.ldf')]).status === 0;
    if (!fifo) return t.skip('needs mkfifo');
    const { cli, server } = await both(root, ['topology/corp.ldf', 'nope.ldf', 'pipe.ldf']);
    assert.deepStrictEqual(cli, ['nope.ldf: no such file', 'pipe.ldf: a named pipe (FIFO), not a regular file']);
    assert.deepStrictEqual(
      server.filter((p) => (p as { severity: string }).severity === 'error'),
      [
        { source: 'nope.ldf', severity: 'error', message: 'The topology file could not be read: no such file.' },
        { source: 'pipe.ldf', severity: 'error', message: 'The topology file could not be read: a named pipe (FIFO), not a regular file.' },
      ],
    );
  });

  test('a named topology file is read once, also when the folder search finds it', async () => {
    const { root } = workspace();
    const calls: string[] = [];
    const read = (f: string, max: number) => {
      calls.push(relative(root, f).split(sep).join('/'));
      return readRegularAsync(f, max);
    };
    const st = await computeDomain(inputs(root, { topology: [join(root, 'topology', 'corp.ldf'), join(root, 'topology', 'corp.ldf')] }), never, undefined, { readTopology: read });
    assert.deepStrictEqual(calls, ['topology/corp.ldf']);
    assert.equal(st.scopeCount, 4);
  });

  test('requests are answered while a topology is being read (an injected slow reader): hover first, then the pass ends', async () => {
    const { root, inf } = workspace();
    let gate: (() => void) | undefined;
    let reading: (() => void) | undefined;
    const started = new Promise<void>((r) => (reading = r));
    let passes = 0;
    const slow = async (f: string, max: number): Promise<ReadResult> => {
      if (passes === 1) {
        reading?.();
        await new Promise<void>((r) => (gate = r));
      }
      return readRegularAsync(f, max);
    };
    const model = new DomainModel(
      () => Promise.resolve(inputs(root)),
      () => passes++,
      () => undefined,
      undefined,
      { readTopology: slow },
    );
    try {
      model.schedule(0);
      await model.settled();
      assert.equal(passes, 1);
      const b = inf('B');
      const text = parseBytes(b, fs.readFileSync(b)).text;
      const events: string[] = [];
      // A second pass (a file changed): it stops in the topology read until the gate opens.
      model.schedule(0);
      const first = await Promise.race([started.then(() => 'reading'), model.settled().then(() => 'the pass ended without reading through the reader')]);
      events.push(first);
      events.push(`busy: ${model.busy}`);
      events.push(`hover: ${model.hoverLines(b, text, { line: 6, character: 3 }).join(' | ')}`);
      await new Promise<void>((r) => setImmediate(r));
      events.push('event loop free');
      gate?.();
      await model.settled();
      events.push(`pass ended: ${passes} passes`);
      assert.deepStrictEqual(events, ['reading', 'busy: true', 'hover: **Effective in:** Servers (this line wins)', 'event loop free', 'pass ended: 2 passes']);
    } finally {
      gate?.();
      model.dispose();
    }
  });
});

describe('a large topology export is parsed off the server\'s thread (topology-parse.ts)', () => {
  /** The test domain plus `n` group policy containers nobody links: about 150 bytes of LDIF each. */
  const big = (n: number) => Buffer.from(toLdif({ soms: DOMAIN.soms, gpcs: [...DOMAIN.gpcs, ...Array.from({ length: n }, (_, i) => ({ letter: 'Z', name: `Unlinked ${i}` }))] }));

  test('the same parts as the parse on this thread, and the event loop turns while it is parsed', async () => {
    const bytes = big(2000);
    const here = parseTopology('big.ldf', bytes, true);
    const order = async (parse: ReturnType<typeof serverTopologyParser>) => {
      const events: string[] = [];
      // A copy each time: a large file's bytes are handed over to the thread (this copy is then empty).
      const pending = Promise.resolve(parse('big.ldf', Buffer.from(bytes), true)).then((p) => {
        events.push('parsed');
        return p;
      });
      setImmediate(() => events.push('event loop turned'));
      const parts = await pending;
      await new Promise<void>((r) => setImmediate(r));
      return { parts, events };
    };
    // From 0 bytes on: off the thread.
    const off = await order(serverTopologyParser(0));
    assert.deepStrictEqual(off.parts, here);
    assert.deepStrictEqual(off.events, ['event loop turned', 'parsed']);
    // Below the threshold, or with no thread script: on this thread, the same parts.
    for (const parse of [serverTopologyParser(), serverTopologyParser(0, join(tmpdir(), 'no-such-topology-thread.js'))]) {
      const on = await order(parse);
      assert.deepStrictEqual(on.parts, here);
      assert.deepStrictEqual(on.events, ['parsed', 'event loop turned']);
    }
    assert.ok(OFF_THREAD_BYTES > 1024 * 1024);
    // A thread that ends before it answers (here: at once, exit code 3): a problem on the file, never a hang or a crash.
    const dead = join(fs.mkdtempSync(join(tmpdir(), 'relaylint-thread-')), 'dead.js');
    roots.push(join(dead, '..'));
    fs.writeFileSync(dead, 'process.exit(3);\n');
    assert.deepStrictEqual(await serverTopologyParser(0, dead)('big.ldf', Buffer.from(bytes), true), [
      { kind: 'ldif', source: 'big.ldf', soms: [], gpcs: [], lacks: [], problems: [{ source: 'big.ldf', severity: 'error', message: 'The file could not be parsed (the topology thread ended (exit code 3)); it was not read.' }] },
    ]);
  });

  test('the bundled server reads a topology export over the threshold (its thread script ships next to it)', async () => {
    const { root } = workspace({ topology: false });
    const bytes = big(Math.ceil(OFF_THREAD_BYTES / 120));
    assert.ok(bytes.length >= OFF_THREAD_BYTES, `${bytes.length} bytes`);
    fs.mkdirSync(join(root, 'topology'));
    fs.writeFileSync(join(root, 'topology', 'corp.ldf'), bytes);
    const c = await LspClient.start({ rootUri: pathToFileURL(root).href });
    try {
      const r = await c.sendRequest<ExposureResult>('relaylint/exposure', {});
      assert.deepStrictEqual(r.scopes.map((s) => s.som), ['corp.example', 'corp.example/Domain Controllers', 'corp.example/Servers', 'corp.example/Workstations']);
      assert.ok(c.logs.some((l) => l.startsWith('relaylint: workspace model: 4 GPO file(s), 4 scope(s), 0 event log(s), ')), c.logs.join('\n'));
    } finally {
      await c.stop();
    }
  });
});

// ---- 2. editor-only skip folders are never entered ------------------------------------------------

describe('editor-only skip folders are never listed (io/walk.ts skip set)', () => {
  test('a .vscode-test folder with 50,000 files: no fs call under it from the server; the CLI walk (no skip set) still lists it', async () => {
    const { root } = workspace({ topology: false });
    const skipped = join(root, '.vscode-test', 'extensions');
    fs.mkdirSync(skipped, { recursive: true });
    for (let i = 0; i < 50_000; i++) fs.writeFileSync(join(skipped, `f${i}.inf`), '');
    // The module object itself (this file's `fs` is a copy with getters): what io/walk.ts calls through.
    const real = createRequire(__filename)('node:fs') as Record<string, (...a: unknown[]) => unknown>;
    const names = ['opendirSync', 'readdirSync', 'statSync', 'lstatSync', 'realpathSync', 'openSync'] as const;
    const saved = names.map((n) => real[n]);
    const under: string[] = [];
    names.forEach((n, i) => {
      real[n] = (...a: unknown[]) => {
        if (typeof a[0] === 'string' && a[0].startsWith(join(root, '.vscode-test'))) under.push(`${n} ${a[0]}`);
        return saved[i](...a);
      };
    });
    try {
      const st = await computeDomain(inputs(root), never);
      assert.deepStrictEqual(under, []);
      assert.equal(st.gpoFiles, 4);
      const withSet = [...walk([root], [], { skipDirs: new Set(['.vscode-test']) })];
      assert.deepStrictEqual([under, withSet.length], [[], 4]);
      // The CLI passes no skip set: it walks the folder as before.
      const cli = [...walk([root], [])].filter((e) => e.path.startsWith(skipped));
      assert.equal(cli.length, 50_000);
      assert.ok(under.length > 0);
    } finally {
      names.forEach((n, i) => (real[n] = saved[i]));
    }
  });
});

// ---- 3. topology and event logs count against the pass's byte budget ---------------------------------

describe('topology and event-log files count against the pass budget', () => {
  test('past the byte budget no further topology file, GPO export or event log is read; each kind gets its note naming the first file not read', async () => {
    const { root, inf } = workspace({ log: true });
    fs.writeFileSync(join(root, 'topology', 'more.ldf'), toLdif({ soms: [{ dn: 'OU=Extra,DC=corp,DC=example', links: [] }], gpcs: [] }));
    const budget: DomainBudget = { bytes: 1, values: 250_000 };
    const st = await computeDomain(inputs(root, { budget }), never);
    const first = ['A', 'B', 'C', 'D'].map(inf).sort()[0];
    assert.deepStrictEqual(st.limits, [
      `The workspace model stopped at its budget (1 byte read or 250,000 values kept per pass): 4 of 4 GPO export(s), from ${first} on, were not read, so the effective policy, coverage and Relay exposure leave them out (the CLI reads any number).`,
      `The workspace model stopped at its budget (1 byte read per pass): 1 of 2 topology file(s), from ${join(root, 'topology', 'more.ldf')} on, were not read, so the effective policy and Relay exposure leave them out (the CLI reads any number).`,
      `The workspace model stopped at its budget (1 byte read per pass): 1 of 1 event-log file(s), from ${join(root, 'logs', 'DC01-relay-events.xml')} on, were not read, so the rollout readiness leaves them out (the CLI reads any number).`,
    ]);
    // The first topology file was read whole (the file that crosses the line is kept).
    assert.deepStrictEqual([st.scopeCount, st.gpoFiles, st.evidence.length], [4, 0, 0]);
  });

  test('an event log named in the settings counts too; under the budget everything is read and nothing is said', async () => {
    const { root } = workspace({ log: true });
    const log = join(root, 'logs', 'DC01-relay-events.xml');
    const sizes = fs.statSync(join(root, 'topology', 'corp.ldf')).size + ['A', 'B', 'C', 'D'].reduce((n, l) => n + utf16(gptTmpl(FILES[l])).length, 0);
    // Exactly what the topology and the GPO exports take: the log (found in the folder) is past it.
    const at = await computeDomain(inputs(root, { budget: { bytes: sizes, values: 250_000 } }), never);
    assert.deepStrictEqual(at.limits, [
      `The workspace model stopped at its budget (${sizes.toLocaleString('en-US')} bytes read per pass): 1 of 1 event-log file(s), from ${log} on, were not read, so the rollout readiness leaves them out (the CLI reads any number).`,
    ]);
    assert.equal(at.gpoFiles, 4);
    const under = await computeDomain(inputs(root, { budget: { bytes: sizes + 1, values: 250_000 }, evidence: [log] }), never);
    assert.deepStrictEqual([under.limits, under.evidence.length], [[], 1]);
  });
});

// ---- 4. edits count against the budget; the pool stays bounded ------------------------------------

describe('edits of open documents (updateDomain)', () => {
  test('an edited version counts against the budget in place of the one it replaces; at the budget the edited document is left out, and comes back when it fits', async () => {
    const { root, inf } = workspace();
    const ed = editor();
    // A (2 values) and B (1 value) are read, then the budget of 3 values is spent.
    const sorted = ['A', 'B', 'C', 'D'].sort((x, y) => (inf(x) < inf(y) ? -1 : 1));
    assert.deepStrictEqual(sorted.slice(0, 2), ['A', 'B']);
    const budget: DomainBudget = { bytes: 512 * 1024 * 1024, values: 3 };
    let st = await computeDomain(inputs(root, { budget }), never, ed.open);
    const passNote = `The workspace model stopped at its budget (512 MiB read or 3 values kept per pass): 2 of 4 GPO export(s), from ${inf('C')} on, were not read, so the effective policy, coverage and Relay exposure leave them out (the CLI reads any number).`;
    assert.deepStrictEqual(st.limits, [passNote]);
    const edit = async (l: string, values: string[]) => {
      ed.docs.set(inf(l), gptTmpl(values));
      st = await updateDomain(st, [inf(l)], never, ed.open);
      return [st.limits, [...st.files.keys()].map((p) => sorted.find((x) => inf(x) === p)), st.reading.values];
    };
    const out = (l: string) =>
      `The workspace model is at its budget (512 MiB read or 3 values kept per pass): the edited document ${inf(l)} was left out, so the effective policy, coverage and Relay exposure leave it out (the CLI reads any number).`;
    // A grows to 3 values: the rest holds 1, so A is kept whole (4 values now).
    assert.deepStrictEqual(await edit('A', [`${SMB_SERVER}=4,0`, `${LMCOMPAT}=4,3`, `${SMB_CLIENT}=4,1`]), [[passNote], ['A', 'B'], 4]);
    // B is edited: the rest (A) holds 3 values, the budget: B is left out and said so.
    assert.deepStrictEqual(await edit('B', [`${SMB_SERVER}=4,0`]), [[passNote, out('B')], ['A'], 3]);
    // Edited again while left out: the set is not assembled again.
    const before = st.effective;
    assert.deepStrictEqual(await edit('B', [`${SMB_SERVER}=4,1`, `${LMCOMPAT}=4,5`]), [[passNote, out('B')], ['A'], 3]);
    assert.equal(st.effective, before);
    // A shrinks back; B fits again at its next edit.
    assert.deepStrictEqual(await edit('A', FILES.A), [[passNote, out('B')], ['A'], 2]);
    assert.deepStrictEqual(await edit('B', FILES.B), [[passNote], ['A', 'B'], 3]);
    assert.equal(st.reading.bytes, [...st.files.values()].reduce((n, f) => n + f.bytes, 0) + fs.statSync(join(root, 'topology', 'corp.ldf')).size);
  });

  test('2,000 edits of one document keep the string pool bounded (rebuilt when more than half of it is dead)', async () => {
    const { root, inf } = workspace();
    const ed = editor();
    const b = inf('B');
    let st = await computeDomain(inputs(root), never, ed.open);
    const base = st.reading.pool.size;
    let most = 0;
    for (let i = 0; i < 2000; i++) {
      // Each version holds a string value of its own (REG_SZ), so each adds to the pool.
      ed.docs.set(b, gptTmpl([`${SMB_SERVER}=1,"version ${i}"`]));
      st = await updateDomain(st, [b], never, ed.open);
      most = Math.max(most, st.reading.pool.size);
      assert.ok(st.reading.pool.size <= 2 * liveStrings(st.files.values(), st.reading.pool) + POOL_SLACK + 1, `edit ${i}: pool ${st.reading.pool.size}`);
    }
    assert.ok(most <= 2 * base + POOL_SLACK + 1, `the pool reached ${most} strings (base ${base})`);
    // The records are intact after the rebuilds: the last version's value.
    const last = unpackPolicy(b, st.files.get(b) as NonNullable<ReturnType<typeof st.files.get>>, st.reading.pool).observations.map((o) => o.value);
    assert.deepStrictEqual(last, ['version 1999']);
    const a = unpackPolicy(inf('A'), st.files.get(inf('A')) as NonNullable<ReturnType<typeof st.files.get>>, st.reading.pool).observations.map((o) => [o.name, o.value, o.gpo]);
    assert.deepStrictEqual(a, [
      ['RequireSecuritySignature', 0, guid('A')],
      ['LmCompatibilityLevel', 3, guid('A')],
    ]);
  });

  test('only ranges moved: the set is not assembled again (same effective policy); a changed value assembles it', async () => {
    const { root, inf } = workspace();
    const ed = editor();
    const b = inf('B');
    const st = await computeDomain(inputs(root), never, ed.open);
    // Spaces around "=": the value's range moves on its line, its records stay.
    ed.docs.set(b, gptTmpl([`${SMB_SERVER} = 4,1`]));
    const moved = await updateDomain(st, [b], never, ed.open);
    assert.equal(moved.effective, st.effective);
    assert.equal(moved.coverage, st.coverage);
    assert.notDeepEqual(moved.files.get(b)?.rows, st.files.get(b)?.rows);
    // The hover of the edited text finds its value at the new range.
    const model = new DomainModel(() => Promise.resolve(inputs(root)), () => undefined, () => undefined);
    model.state = moved;
    assert.deepStrictEqual(model.hoverLines(b, gptTmpl([`${SMB_SERVER} = 4,1`]), { line: 6, character: SMB_SERVER.length + 4 }), ['**Effective in:** Servers (this line wins)']);
    ed.docs.set(b, gptTmpl([`${SMB_SERVER}=4,0`]));
    const changed = await updateDomain(moved, [b], never, ed.open);
    assert.notEqual(changed.effective, st.effective);
    const servers = [...(changed.effective?.scopes() ?? [])].find((s) => s.som === 'corp.example/Servers')?.effective.find((e) => e.ruleId === 'smb.server.require');
    assert.equal(servers?.status, 'weak');
  });
});

// ---- 5. closing an unedited document --------------------------------------------------------------

describe('closing an open document', () => {
  test('unedited: no re-judge (the hash of the file on disk is the one the model used); edited: judged again from disk', async () => {
    const { root, inf } = workspace();
    const ed = editor();
    const b = inf('B');
    const c = inf('C');
    const disk = (p: string) => parseBytes(p, fs.readFileSync(p)).text;
    ed.docs.set(b, disk(b));
    ed.docs.set(c, gptTmpl([`${SMB_CLIENT}=4,1`]));
    const logs: string[] = [];
    const model = new DomainModel(() => Promise.resolve(inputs(root)), () => undefined, (m) => logs.push(m), ed.open);
    try {
      model.schedule(0);
      await model.settled();
      const st = model.state as DomainState;
      assert.deepStrictEqual([st.files.get(b)?.fromEditor, st.files.get(c)?.fromEditor], [true, true]);
      ed.docs.delete(b);
      model.documentChanged(b, undefined);
      assert.equal(model.busy, false, 'closing the unedited document scheduled a pass');
      assert.equal(model.state?.files.get(b)?.fromEditor, false);
      ed.docs.delete(c);
      model.documentChanged(c, undefined);
      assert.equal(model.busy, true);
      await model.settled();
      assert.deepStrictEqual(
        logs.filter((l) => l.startsWith('relaylint: workspace model')).map((l) => l.replace(/, \d+ ms$/, '')),
        ['relaylint: workspace model: 4 GPO file(s), 4 scope(s), 0 event log(s)', 'relaylint: workspace model (1 edited document(s) judged again): 4 GPO file(s), 4 scope(s), 0 event log(s)'],
      );
    } finally {
      model.dispose();
    }
  });
});

describe('closing an open document: the bytes on disk against the last reading of them', () => {
  test('open during a pass after the model read the file: closed unedited, nothing is parsed; closed after an edit, judged again without a parse first; changed on disk while open, picked up', async () => {
    const { root, inf } = workspace();
    const ed = editor();
    const [b, c, d] = [inf('B'), inf('C'), inf('D')];
    const disk = (p: string) => parseBytes(p, fs.readFileSync(p)).text;
    const logs: string[] = [];
    const model = new DomainModel(() => Promise.resolve(inputs(root)), () => undefined, (m) => logs.push(m), ed.open);
    let parses = 0;
    try {
      // The first pass reads the files from disk; then they are opened unedited and a full pass
      // (a change elsewhere) takes them from the editor: they keep the model's reading of the disk.
      model.schedule(0);
      await model.settled();
      const read = (model.state as DomainState).files.get(b)?.disk;
      assert.ok(read && read.text === (model.state as DomainState).files.get(b)?.hash);
      for (const p of [b, c, d]) {
        ed.docs.set(p, disk(p));
        model.documentChanged(p, disk(p));
      }
      assert.equal(model.busy, false, 'opening an unedited document judges nothing again');
      model.schedule(0);
      await model.settled();
      const st = model.state as DomainState;
      assert.deepStrictEqual([b, c, d].map((p) => st.files.get(p)?.fromEditor), [true, true, true]);
      assert.deepStrictEqual(st.files.get(b)?.disk, read);
      setParserHookForTests(() => parses++);

      // B: closed unedited. The bytes are the ones read: no parse, no pass.
      ed.docs.delete(b);
      model.documentChanged(b, undefined);
      assert.equal(parses, 0, 'closing the unedited document parsed it');
      assert.equal(model.busy, false, 'closing the unedited document scheduled a pass');
      assert.deepStrictEqual([model.state?.files.get(b)?.fromEditor, model.state?.files.get(b)?.disk], [false, read]);

      // D: edited, then closed without saving. The bytes are the ones read, whose text is not the
      // edited one: judged again from disk, with no parse to compare first.
      ed.docs.set(d, gptTmpl([`${SMB_CLIENT}=4,0`]));
      model.documentChanged(d, ed.docs.get(d));
      await model.settled();
      parses = 0;
      ed.docs.delete(d);
      model.documentChanged(d, undefined);
      assert.equal(parses, 0, 'closing the edited document parsed it before the pass');
      assert.equal(model.busy, true);
      await model.settled();
      const values = (p: string) => unpackPolicy(p, model.state?.files.get(p) as NonNullable<ReturnType<DomainState['files']['get']>>, (model.state as DomainState).reading.pool).observations.map((o) => o.value);
      assert.deepStrictEqual(values(d), [1]);
      assert.equal(model.state?.files.get(d)?.fromEditor, false);

      // C: changed on disk while open (no file watcher told the model), then closed unedited. Other
      // bytes than those read: their text is compared (one parse), it differs, C is judged again.
      fs.writeFileSync(c, utf16(gptTmpl([`${SMB_CLIENT}=4,1`])));
      parses = 0;
      ed.docs.delete(c);
      model.documentChanged(c, undefined);
      assert.equal(parses, 1);
      assert.equal(model.busy, true, 'a file changed on disk while open was not judged again');
      await model.settled();
      assert.deepStrictEqual(values(c), [1]);
      assert.equal(model.state?.files.get(c)?.fromEditor, false);
      assert.notDeepEqual(model.state?.files.get(c)?.disk, st.files.get(c)?.disk);
      assert.deepStrictEqual(
        logs.filter((l) => l.startsWith('relaylint: workspace model')).map((l) => l.replace(/, \d+ ms$/, '')),
        [
          'relaylint: workspace model: 4 GPO file(s), 4 scope(s), 0 event log(s)',
          'relaylint: workspace model: 4 GPO file(s), 4 scope(s), 0 event log(s)',
          'relaylint: workspace model (1 edited document(s) judged again): 4 GPO file(s), 4 scope(s), 0 event log(s)',
          'relaylint: workspace model (1 edited document(s) judged again): 4 GPO file(s), 4 scope(s), 0 event log(s)',
          'relaylint: workspace model (1 edited document(s) judged again): 4 GPO file(s), 4 scope(s), 0 event log(s)',
        ],
      );
    } finally {
      setParserHookForTests(undefined);
      model.dispose();
    }
  });
});

describe('closing an open document, over JSON-RPC', () => {
  test('open, then close without an edit: the server judges nothing again (one pass in the log)', async () => {
    const { root, inf } = workspace();
    const c = await LspClient.start({ rootUri: pathToFileURL(root).href });
    try {
      const b = pathToFileURL(inf('B')).href;
      await c.open(b, 'secedit-inf', gptTmpl(FILES.B));
      await c.sendRequest<ExposureResult>('relaylint/exposure', {});
      await c.close(b);
      await c.sendRequest<ExposureResult>('relaylint/exposure', {});
      const passes = c.logs.filter((l) => l.startsWith('relaylint: workspace model')).map((l) => l.replace(/, \d+ ms$/, ''));
      assert.deepStrictEqual(passes, ['relaylint: workspace model: 4 GPO file(s), 4 scope(s), 0 event log(s)']);
    } finally {
      await c.stop();
    }
  });
});

test('discovery turns the event loop (and checks for cancellation) while a large folder is listed, not only between the files it finds', async () => {
  // The model checks for cancellation after each turn it takes: count the checks.
  const checksWith = async (noise: number): Promise<number> => {
    const { root } = workspace({ topology: false });
    const big = join(root, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < noise; i++) fs.closeSync(fs.openSync(join(big, `not-an-export-${i}.txt`), 'w'));
    let checks = 0;
    const state = await computeDomain(inputs(root), () => {
      checks++;
      return false;
    });
    assert.equal(state.files.size, Object.keys(FILES).length);
    return checks;
  };
  const quiet = await checksWith(0);
  const noisy = await checksWith(5 * WALK_PAUSE_EVERY);
  // Five pause points in the listing of big/ (5,120 entries, none of them a candidate file).
  assert.equal(noisy - quiet, 5, `${noisy} checks with the large folder, ${quiet} without`);
});

// ---- hostile names in the hover --------------------------------------------------------------------

test('the hover lines Markdown-escape OU and GPO names from the topology and GPT.INI, and client names from the logs', async () => {
  const root = fs.mkdtempSync(join(tmpdir(), 'relaylint-domain-io-'));
  roots.push(root);
  const inf = writeLspSysvol(root);
  const ou = 'S`` [x](command:foo) ``';
  const gpo = 'B`` [y](https://evil.example) <b> ``';
  fs.writeFileSync(join(root, 'Policies', guid('B'), 'GPT.INI'), `[General]\r\nVersion=1\r\ndisplayName=${gpo}\r\n`);
  const soms = DOMAIN.soms.map((s) => (s.dn.startsWith('OU=Servers,') ? { ...s, dn: `OU=${ou},DC=corp,DC=example` } : s));
  fs.mkdirSync(join(root, 'topology'));
  fs.writeFileSync(join(root, 'topology', 'corp.ldf'), toLdif({ ...DOMAIN, soms }));
  const model = new DomainModel(() => Promise.resolve(inputs(root)), () => undefined, () => undefined);
  model.state = await computeDomain(inputs(root), never, editor().open);
  const a = inf('A');
  const [line] = model.hoverLines(a, gptTmpl(LSP_FILES.A), { line: 6, character: 3 });
  const uri = pathToFileURL(inf('B')).href;
  assert.equal(
    line,
    `**Effective in:** corp.example (this line wins), Domain Controllers (this line wins), Workstations (this line wins), S\\\`\\\` \\[x\\](command:foo) \\\`\\\` (overridden by GPO "B\\\`\\\` \\[y\\](https://evil.example) \\<b\\> \\\`\\\`", [line 7](${uri}#L7))`,
  );
});
