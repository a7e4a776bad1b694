/**
 * The topology folder search (io/topology.ts): the CLI's synchronous loop and the language server's
 * asynchronous one find the same files in the same order (one judgement, topologyEntry), over a
 * table of folder layouts; the server's search lets the event loop turn before each folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadTopology, loadTopologyAsync, parseTopology, topologyCandidates, topologyCandidatesAsync, type TopologyCandidate } from '../../server/src/io/topology';
import { zip } from '../helpers/domain';
import { countTurns } from '../helpers/event-loop';

const base = fs.mkdtempSync(join(tmpdir(), 'relaylint-topology-search-'));
const locked: string[] = [];
after(() => {
  for (const d of locked) fs.chmodSync(d, 0o755);
  fs.rmSync(base, { recursive: true, force: true });
});

const GUID = '{31B2F340-016D-11D2-945F-00C04FB984F9}';

/** Files (`name`), folders (`name/`), symbolic links (`name -> target`) and FIFOs (`name|`), relative to the layout's root. */
function build(name: string, entries: string[]): string {
  const root = join(base, name);
  fs.mkdirSync(root);
  for (const e of entries) {
    const link = / -> /.exec(e);
    if (link) {
      const [from, to] = e.split(' -> ');
      fs.symlinkSync(to, join(root, from));
    } else if (e.endsWith('/')) fs.mkdirSync(join(root, e), { recursive: true });
    else if (e.endsWith('|')) {
      fs.mkdirSync(join(root, e, '..'), { recursive: true });
      if (spawnSync('mkfifo', [join(root, e.slice(0, -1))]).status !== 0) throw new Error('mkfifo failed');
    } else {
      fs.mkdirSync(join(root, e, '..'), { recursive: true });
      fs.writeFileSync(join(root, e), 'x');
    }
  }
  return root;
}

/** Whether a folder with mode 000 cannot be listed here (false when the tests run as root). */
function lockFolder(dir: string): boolean {
  fs.chmodSync(dir, 0o000);
  locked.push(dir);
  try {
    fs.readdirSync(dir);
    return false;
  } catch {
    return true;
  }
}

interface Layout {
  name: string;
  entries: string[];
  /** The scanned folders (relative to the layout's root; '' is the root). */
  roots?: string[];
  /** Files named explicitly (relative). */
  explicit?: string[];
  skipDirs?: string[];
  /** Run after the layout is written; says what to expect (relative paths, `!` for explicit). */
  expect: (root: string) => string[];
}

const LAYOUTS: Layout[] = [
  {
    name: 'nested',
    entries: [
      'a.ldf',
      'B.LDIF',
      'notes.txt',
      'x/b.json',
      'x/y/c.zip',
      'x/y/z/too-deep.ldf',
      `x/${GUID}/gpo.json`,
      'x/.git/h.json',
      'node_modules/m.json',
      '.vscode-test/v.json',
      'w/q.json',
      'empty/',
    ],
    skipDirs: ['.vscode-test'],
    // A folder's files by name (code units), then its folders depth first, the last by name first;
    // two levels down at most, never .git, node_modules, skipDirs or a {GUID} GPO folder.
    expect: () => ['B.LDIF', 'a.ldf', 'x/b.json', 'x/y/c.zip', 'w/q.json'],
  },
  {
    name: 'explicit-and-overlap',
    entries: ['t.ldf', 'sub/u.json', 'sub/deeper/v.json', 'elsewhere/named.ldf'],
    roots: ['', 'sub', 'missing', 't.ldf'],
    explicit: ['elsewhere/named.ldf', 'sub/u.json', 'sub/u.json'],
    // Named files first, once; a folder scanned twice gives its files once.
    expect: () => ['!elsewhere/named.ldf', '!sub/u.json', 't.ldf', 'sub/deeper/v.json'],
  },
  {
    name: 'symlink-loop',
    entries: ['a.ldf', 'd/b.json', 'loop -> .', 'd/back -> ..', 'link.ldf -> a.ldf', 'dangling.json -> nowhere', '20261206101500_ous.json -> nowhere', 'x_BloodHound.zip -> nowhere', 'c.zip -> nowhere'],
    // Symbolic links are never followed by the topology search: the loop costs nothing. One named as
    // only a topology export is (an LDIF, SharpHound's names) is said (~), after the folder's files
    // (audit, wave 18: it passed unsaid); any other JSON or zip link stays unsaid.
    expect: () => ['a.ldf', '~20261206101500_ous.json', '~link.ldf', '~x_BloodHound.zip', 'd/b.json'],
  },
  {
    name: 'unreadable',
    entries: ['a.ldf', 'open/o.json', 'locked/in.ldf', 'locked/deep/in2.json'],
    expect: (root) => (lockFolder(join(root, 'locked')) ? ['a.ldf', 'open/o.json'] : ['a.ldf', 'open/o.json', 'locked/in.ldf', 'locked/deep/in2.json']),
  },
  {
    name: 'fifo',
    entries: ['pipe.ldf|', 'dir/pipe.json|', 'dir/real.json'],
    // A pipe with a topology name is not a regular file: never a candidate (opening it could hang).
    expect: () => ['dir/real.json'],
  },
];

const rel = (root: string, cs: TopologyCandidate[]): string[] => cs.map((c) => (c.explicit ? '!' : '') + (c.link ? '~' : '') + relative(root, c.file).split('\\').join('/'));

describe('the topology folder search: the CLI and the language server find the same files', () => {
  for (const l of LAYOUTS) {
    test(l.name, async () => {
      const root = build(l.name, l.entries);
      const expected = l.expect(root);
      const roots = (l.roots ?? ['']).map((r) => join(root, r));
      const explicit = (l.explicit ?? []).map((f) => join(root, f));
      const skip = new Set(l.skipDirs ?? []);
      const sync = [...topologyCandidates(explicit, roots, skip)];
      const found: TopologyCandidate[] = [];
      for await (const c of topologyCandidatesAsync(explicit, roots, skip)) found.push(c);
      assert.deepStrictEqual(rel(root, sync), expected);
      assert.deepStrictEqual(found, sync);
    });
  }
});

test('a symbolic link named as a topology export is said at info level by both loaders, and not read (audit, wave 18)', async () => {
  const root = build('link-said', ['outside/x.ldf', 'in/', 'in/link.ldf -> ../outside/x.ldf']);
  const show = (p: string) => relative(root, p);
  const message = 'This is a symbolic link; the topology search does not follow links found in folders (it could lead out of them, or loop). Name the file with --topology (or the relaylint.topology setting) to read it.';
  const want = { parts: [{ kind: 'ldif', source: 'in/link.ldf', soms: [], gpcs: [], lacks: [], problems: [{ source: 'in/link.ldf', severity: 'info', message }] }], errors: [] };
  assert.deepStrictEqual(await loadTopology([], [join(root, 'in')], show), want);
  assert.deepStrictEqual(await loadTopologyAsync([], [join(root, 'in')], show), want);
});

describe("the language server's folder search does not block", () => {
  test('the event loop turns before each folder is listed (loadTopologyAsync, the server path)', async () => {
    // 1 + 6 + 36 folders within two levels, no topology file at all.
    const entries: string[] = [];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) entries.push(`f${i}/g${j}/`);
    const root = build('wide', entries);
    const folders = 1 + 6 + 36;
    const loop = countTurns();
    const listedAt: number[] = [];
    const real = fs.promises.opendir;
    // Watch the folders being opened (and when, in turns of the event loop).
    fs.promises.opendir = ((...args: Parameters<typeof real>) => {
      listedAt.push(loop.turns);
      return real(...args);
    }) as typeof real;
    try {
      const got = await loadTopologyAsync([], [root], (p) => p);
      assert.deepStrictEqual(got, { parts: [], errors: [] });
    } finally {
      fs.promises.opendir = real;
      loop.stop();
    }
    assert.equal(listedAt.length, folders);
    // Each folder opened in a later turn of the event loop than the one before it.
    for (let i = 1; i < listedAt.length; i++) assert.ok(listedAt[i] > listedAt[i - 1], `folder ${i} opened in turn ${listedAt[i]}, after turn ${listedAt[i - 1]}`);
    // The CLI's search finds the same (nothing): the synchronous loop cannot let the event loop turn at all.
    assert.deepStrictEqual([...topologyCandidates([], [root])], []);
  });
});

describe('fuzz audit D1: zip entries that do not inflate are said in relaylint\'s words', () => {
  const CD = 0x02014b50;
  const domains = JSON.stringify({ data: [{ ObjectIdentifier: 'S-1-5-21-1', Properties: { distinguishedname: 'DC=CORP,DC=EXAMPLE' }, Links: [] }], meta: { type: 'domains', count: 1, version: 6, methods: 0 } });
  const CASES: { name: string; patch: (z: Buffer, central: number, dataAt: number) => void; expect: RegExp }[] = [
    {
      name: 'an entry that inflates past the size its directory declares',
      patch: (z, central) => z.writeUInt32LE(100, central + 24),
      expect: /^d\.json: the entry inflates to more than the 100 bytes the zip directory declares \(damaged or hostile archive\); not read\.$/,
    },
    {
      name: 'an entry whose deflate data is damaged',
      patch: (z, _central, dataAt) => z.fill(0xff, dataAt, dataAt + 8),
      expect: /^d\.json: the entry's compressed data is damaged \(not a valid deflate stream\); not read\.$/,
    },
  ];
  for (const c of CASES) {
    test(c.name, () => {
      const z = zip({ 'd.json': domains });
      const central = (() => {
        for (let i = 0; i + 4 <= z.length; i++) if (z.readUInt32LE(i) === CD) return i;
        throw new Error('no central directory');
      })();
      c.patch(z, central, 30 + 'd.json'.length);
      const messages = (parseTopology('x.zip', z, true) ?? []).flatMap((p) => p.problems).map((p) => p.message);
      assert.ok(messages.some((m) => c.expect.test(m)), JSON.stringify(messages));
      assert.ok(!messages.some((m) => /Buffer|zlib|Z_/.test(m)), JSON.stringify(messages));
    });
  }
});
