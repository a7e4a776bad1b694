/**
 * The scan's feed (cli/feed.ts): the walk, the GPO of each folder, the config lookup start and the
 * bytes read, produced on the launching thread and consumed by the scan thread. It must give
 * exactly what a walk on the scan thread gives (same entries, same bytes, same GPOs), keep a
 * bounded number of batches ahead whatever the tree, and carry files larger than its buffers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { feed, FeedConsumer, FeedProducer, type FeedEntry } from '../../server/src/cli/feed';
import { GpoResolver } from '../../server/src/io/gpo-context';
import { readRegular } from '../../server/src/io/safe-fs';
import { walk, walkSteps, type WalkError } from '../../server/src/io/walk';
import { REPO, tempDir, utf16bom, writeFile } from '../helpers/cli';

const GUID = '{31B2F340-016D-11D2-945F-00C04FB984F9}';

/** A SYSVOL-like tree: many small GPO files, one file larger than a batch buffer, a backup folder, odd names. */
function makeTree(): string {
  const dir = tempDir('relaylint-feed-');
  for (let i = 0; i < 150; i++) {
    const g = `{${String(i).padStart(8, '0')}-0000-0000-0000-000000000000}`;
    writeFile(dir, `sysvol/Policies/${g}/GPT.INI`, `[General]\r\nVersion=1\r\ndisplayName=GPO ${i}\r\n`);
    writeFile(dir, `sysvol/Policies/${g}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`, utf16bom(`[Unicode]\r\nUnicode=yes\r\n; ${'x'.repeat(i * 40)}\r\n`));
    if (i % 3 === 0) writeFile(dir, `sysvol/Policies/${g}/Machine/Registry.pol`, Buffer.from('PReg\u0001\u0000\u0000\u0000', 'latin1'));
  }
  writeFile(dir, `sysvol/Policies/${GUID}/GPT.INI`, '[General]\r\ndisplayName=Default Domain Policy\r\n');
  // Larger than the feed's batch buffer: travels in a buffer of its own.
  writeFile(dir, `sysvol/Policies/${GUID}/big.reg`, Buffer.alloc(700 * 1024, 0x41));
  writeFile(dir, 'sysvol/notes.txt', 'not a candidate');
  writeFile(dir, 'sysvol/empty.xml', '');
  return path.join(dir, 'sysvol');
}

function plain(e: FeedEntry): unknown {
  const read = e.read;
  return {
    ...e,
    read: read && (read.kind === 'ok' ? { kind: read.kind, bytes: Buffer.from(read.bytes).toString('base64'), size: read.id.size } : read),
  };
}

test('the feed gives the walk entries with the resolver GPO, the config start folder and the bytes on disk', () => {
  const root = makeTree();
  try {
    const errors: WalkError[] = [];
    const entries = [...feed([root], errors)];
    const walked = [...walk([root], [])];
    assert.deepEqual(
      entries.map((e) => e.path),
      walked.map((e) => e.path),
    );
    assert.equal(entries.length, 150 + 50 + 2);
    assert.deepEqual(errors, []);
    const resolver = new GpoResolver();
    for (const e of entries) {
      assert.deepEqual(e.gpo, resolver.resolve(e.path), e.path);
      assert.equal(e.configFrom, root, e.path);
      assert.ok(e.read?.kind === 'ok', e.path);
      assert.ok(Buffer.from(e.read.bytes).equals(fs.readFileSync(e.path)), e.path);
      const rel = path.relative(process.cwd(), e.path);
      assert.equal(e.display, (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : e.path).split(path.sep).join('/'));
    }
    assert.equal(entries.find((e) => e.path.endsWith('GptTmpl.inf'))?.gpo?.name, 'GPO 0');
  } finally {
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
  }
});

test('display paths inside the working folder (made from the parent folder\'s) are displayPath of each file, entries named ..… included', () => {
  const root = makeTree();
  const dir = path.dirname(root);
  writeFile(dir, 'sysvol/..odd/Registry.pol', 'PReg\u0001\u0000\u0000\u0000');
  writeFile(dir, 'sysvol/..odd/deeper/..x.xml', '<a/>');
  writeFile(dir, '..top.xml', '<a/>');
  writeFile(dir, '..dir/sub/Registry.xml', '<a/>');
  const cwd = process.cwd();
  try {
    const expect = (p: string) => {
      const rel = path.relative(process.cwd(), p);
      return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p).split(path.sep).join('/');
    };
    for (const [at, roots] of [
      [dir, ['sysvol', '.', `.${path.sep}sysvol${path.sep}`, path.join('sysvol', '..odd'), '..dir', dir]],
      [path.join(root, '..odd'), ['..', '.', path.join('..', '..')]],
    ] as const) {
      process.chdir(at);
      for (const r of roots) {
        const entries = [...feed([r], [])];
        assert.ok(entries.length > 0, r);
        for (const e of entries) assert.equal(e.display, expect(e.path), `${at} ${r} ${e.path}`);
      }
    }
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the GPO of a folder from the walk listing is the one the resolver finds on disk, on the bundled examples', () => {
  const fromDisk = new GpoResolver();
  const fromWalk = new GpoResolver();
  let withGpo = 0;
  for (const e of walk([path.join(REPO, 'examples')], [])) {
    if (!e.folder) continue;
    const gpo = fromWalk.resolveFolder(e.folder);
    assert.deepEqual(gpo, fromDisk.resolve(e.path), e.path);
    if (gpo) withGpo++;
  }
  assert.ok(withGpo > 5, `files with a GPO: ${withGpo}`);
});

test('across threads: the same entries and bytes, at most three batches ahead of a slow scan', async () => {
  const root = makeTree();
  const { port1, port2 } = new MessageChannel();
  try {
    // Count the batches posted and not yet acknowledged, as the producer sees them.
    let ahead = 0;
    let most = 0;
    let batches = 0;
    const producer = new FeedProducer({
      postMessage(m: unknown, transfer?: ArrayBuffer[]) {
        const f = (m as { relaylintFeed: { feed: string; arena?: ArrayBuffer } }).relaylintFeed;
        if (f.feed === 'batch') {
          ahead++;
          most = Math.max(most, ahead);
          batches++;
        }
        port2.postMessage(m, transfer);
      },
    });
    port2.on('message', (m: { relaylintFeed?: { roots?: string[]; ack?: boolean; arena?: ArrayBuffer } }) => {
      const f = m.relaylintFeed;
      if (f?.roots) void producer.run(f.roots);
      else if (f?.ack) {
        ahead--;
        producer.ack(f.arena);
      }
    });
    const errors: WalkError[] = [];
    const got: unknown[] = [];
    const offsets: number[] = [];
    for await (const e of new FeedConsumer(port1, [root]).entries(errors)) {
      got.push(plain(e));
      if (e.read?.kind === 'ok') offsets.push(e.read.bytes.byteOffset);
      // A slow consumer: the producer must wait, not read the whole tree ahead.
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(got, [...feed([root], [])].map(plain));
    // Each file's bytes start 8-byte aligned in its batch buffer (the parsers view UTF-16 data as
    // 16-bit units), though each is read with one byte more than its size.
    assert.deepEqual(offsets.filter((o) => o % 8 !== 0), []);
    assert.ok(new Set(offsets).size > 100, `distinct offsets: ${new Set(offsets).size}`);
    assert.ok(most <= 3, `batches ahead: ${most}`);
    assert.ok(most >= 2, `the producer ran ahead at all: ${most}`);
    assert.ok(batches > 3, `batches: ${batches}`);
  } finally {
    port1.close();
    port2.close();
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
  }
});

test('readRegular reads a file whole at sizes around buffer boundaries, into arena memory when given', () => {
  const dir = tempDir('relaylint-read-');
  try {
    for (const size of [0, 1, 2, 4095, 4096, 4097, 65536, 300_000]) {
      const p = writeFile(dir, `f${size}.inf`, Buffer.alloc(size, 0x61));
      const plainRead = readRegular(p, 1 << 20);
      assert.ok(plainRead.kind === 'ok' && plainRead.bytes.length === size, `size ${size}`);
      const arenaMem = new ArrayBuffer(size + 16);
      const viaArena = readRegular(p, 1 << 20, { alloc: (n) => new Uint8Array(arenaMem, 0, n) });
      assert.ok(viaArena.kind === 'ok' && viaArena.bytes.length === size && viaArena.bytes.buffer === arenaMem, `arena size ${size}`);
      assert.ok(viaArena.bytes.equals(fs.readFileSync(p)));
    }
    const big = writeFile(dir, 'big.pol', Buffer.alloc(2048, 1));
    assert.deepEqual(readRegular(big, 1024), { kind: 'too-large', size: 2048 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file over 8 MiB is not read ahead: the scan reads it itself when it gets to it', () => {
  const dir = tempDir('relaylint-feed-big-');
  try {
    writeFile(dir, 'a.reg', 'Windows Registry Editor Version 5.00\r\n');
    writeFile(dir, 'b.reg', Buffer.alloc(8 * 1024 * 1024 + 1, 0x20));
    const [a, b] = [...feed([dir], [])];
    assert.equal(a.read?.kind, 'ok');
    assert.equal(b.path, path.join(dir, 'b.reg'));
    assert.equal(b.read, undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('walkSteps: the walk with a pause point after every so many entries of a listing; the same entries in the same order', () => {
  const dir = tempDir('relaylint-pauses-');
  try {
    // 700 entries in the root (696 noise files, three exports, the folder z), 10 in z.
    for (let i = 0; i < 696; i++) fs.closeSync(fs.openSync(path.join(dir, `noise-${String(i).padStart(4, '0')}.txt`), 'w'));
    for (const n of ['b.inf', 'A.reg', 'c.pol', 'z/x.xml', 'z/y.pol']) writeFile(dir, n, 'x');
    for (let i = 0; i < 8; i++) fs.closeSync(fs.openSync(path.join(dir, 'z', `n${i}.txt`), 'w'));
    const steps = [...walkSteps([dir], [], { pauseEvery: 100 })];
    // Pause points come while a folder is listed, before its entries: 7 in the root (700 / 100), none in z (10).
    assert.deepEqual(
      steps.map((e) => (e === null ? '-' : path.relative(dir, e.path))),
      ['-', '-', '-', '-', '-', '-', '-', 'A.reg', 'b.inf', 'c.pol', path.join('z', 'x.xml'), path.join('z', 'y.pol')],
    );
    assert.deepEqual(
      steps.filter((e) => e !== null).map((e) => e?.path),
      [...walk([dir], [])].map((e) => e.path),
    );
    assert.equal([...walkSteps([dir], [])].filter((e) => e === null).length, 0, 'no pause point unless asked');
    // Left at a pause point: the folder being listed is closed (no descriptor left open).
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    if (fs.existsSync('/proc/self/fd')) {
      const before = fds();
      for (let k = 0; k < 20; k++) {
        const it = walkSteps([dir], [], { pauseEvery: 100 });
        assert.equal(it.next().value, null);
        it.return(undefined);
      }
      assert.ok(fds() <= before, `${fds() - before} descriptors left open`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a large folder is streamed (opendir) and gives the same sorted entries as a small one', (t) => {
  const dir = tempDir('relaylint-large-');
  try {
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < 8000; i++) fs.closeSync(fs.openSync(path.join(big, `not-an-export-with-a-long-name-${String(i).padStart(5, '0')}.txt`), 'w'));
    for (const n of ['b.inf', 'A.reg', 'c.pol', 'sub/x.xml']) writeFile(big, n, 'x');
    const size = fs.statSync(big).size;
    if (size <= 256 * 1024) return t.skip(`this file system reports ${size} bytes for the folder: it would be listed at once`);
    assert.deepEqual(
      [...walk([big], [])].map((e) => path.relative(big, e.path)),
      ['A.reg', 'b.inf', 'c.pol', path.join('sub', 'x.xml')],
    );
    // Streamed, with pause points: 8,004 entries give 8 of them at 1,000.
    const steps = [...walkSteps([big], [], { pauseEvery: 1000 })];
    assert.equal(steps.filter((e) => e === null).length, 8);
    assert.deepEqual(
      steps.filter((e) => e !== null).map((e) => path.relative(big, e?.path ?? '')),
      ['A.reg', 'b.inf', 'c.pol', path.join('sub', 'x.xml')],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
