/**
 * safe-fs reading: readStep, the one judgement of each read that readRegular and readRegularAsync
 * share (table below, including the cases a real file cannot stage: a file that grows or shrinks
 * between fstat and the read), then the two readers on the same real files giving the same results,
 * and openRegular (the open and checks alone, for the event-log reader) judging them as they do.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openRegular, readRegular, readRegularAsync, readStep, type ReadResult, type ReadStep } from '../../server/src/io/safe-fs';

test('readStep judges each read', () => {
  // cap is always fstat's size + 1 (the readers allocate one byte more to notice a file that grew).
  const rows: { name: string; off: number; n: number; size: number; maxBytes: number; want: ReadStep }[] = [
    { name: 'empty file: the first read gets 0', off: 0, n: 0, size: 0, maxBytes: 100, want: { next: 'done', off: 0 } },
    { name: 'whole file in one read (short of the extra byte)', off: 0, n: 10, size: 10, maxBytes: 100, want: { next: 'done', off: 10 } },
    { name: 'a short read before the size: read on', off: 0, n: 4, size: 10, maxBytes: 100, want: { next: 'read', off: 4 } },
    { name: 'the rest after a short read', off: 4, n: 6, size: 10, maxBytes: 100, want: { next: 'done', off: 10 } },
    { name: 'a read of 0 after a short read: the file shrank', off: 4, n: 0, size: 10, maxBytes: 100, want: { next: 'done', off: 4 } },
    { name: 'the file shrank: short read below the size, then read on', off: 0, n: 3, size: 10, maxBytes: 100, want: { next: 'read', off: 3 } },
    { name: 'grew after fstat, still under the limit: reported as over it', off: 0, n: 11, size: 10, maxBytes: 100, want: { next: 'too-large', size: 101 } },
    { name: 'grew after fstat past the limit: the bytes read', off: 0, n: 11, size: 10, maxBytes: 10, want: { next: 'too-large', size: 11 } },
    { name: 'grew, noticed on a later read', off: 5, n: 6, size: 10, maxBytes: 10, want: { next: 'too-large', size: 11 } },
    { name: 'file exactly at the limit', off: 0, n: 10, size: 10, maxBytes: 10, want: { next: 'done', off: 10 } },
  ];
  for (const r of rows) {
    assert.deepEqual(readStep({ off: r.off, n: r.n, cap: r.size + 1, size: r.size, maxBytes: r.maxBytes }), r.want, r.name);
  }
});

/** What a reader says, without the parts that differ between two reads of one file (buffers compared by content, the identity whole). */
function shape(r: ReadResult): unknown {
  return r.kind === 'ok' ? { ...r, bytes: r.bytes.toString('hex') } : r.kind === 'error' ? { kind: r.kind, code: r.code } : r;
}

test('readRegular and readRegularAsync give the same results', { skip: process.platform === 'win32' && 'POSIX file kinds' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaylint-safefs-'));
  try {
    const cases: { file: string; maxBytes: number; kind: ReadResult['kind'] }[] = [];
    for (const size of [0, 1, 4096, 65537]) {
      const p = path.join(dir, `f${size}`);
      fs.writeFileSync(p, Buffer.alloc(size, 0x41 + (size % 26)));
      cases.push({ file: p, maxBytes: 65537, kind: 'ok' });
      if (size) cases.push({ file: p, maxBytes: size - 1, kind: 'too-large' });
    }
    cases.push({ file: dir, maxBytes: 100, kind: 'not-regular' });
    cases.push({ file: path.join(dir, 'missing'), maxBytes: 100, kind: 'error' });
    if (spawnSync('mkfifo', [path.join(dir, 'fifo')]).status === 0) cases.push({ file: path.join(dir, 'fifo'), maxBytes: 100, kind: 'not-regular' });
    for (const c of cases) {
      const sync = readRegular(c.file, c.maxBytes);
      const async = await readRegularAsync(c.file, c.maxBytes);
      assert.equal(sync.kind, c.kind, `${c.file} at ${c.maxBytes}`);
      assert.deepEqual(shape(async), shape(sync), `${c.file} at ${c.maxBytes}`);
      if (sync.kind === 'ok') assert.ok(sync.bytes.equals(fs.readFileSync(c.file)));
    }
    // openRegular: the same judgement before a byte is read; an open descriptor of that very file
    // only when the readers read it, and nothing left open otherwise.
    const fds = () => (fs.existsSync('/proc/self/fd') ? fs.readdirSync('/proc/self/fd').length : 0);
    const before = fds();
    for (const c of cases) {
      const o = openRegular(c.file, c.maxBytes);
      if ('fd' in o) {
        assert.equal(c.kind, 'ok', `${c.file} at ${c.maxBytes}`);
        assert.deepEqual([fs.fstatSync(o.fd).ino, o.st.ino, o.st.size], [fs.statSync(c.file).ino, fs.statSync(c.file).ino, fs.statSync(c.file).size]);
        fs.closeSync(o.fd);
      } else {
        assert.deepEqual(shape(o), shape(readRegular(c.file, c.maxBytes)), `${c.file} at ${c.maxBytes}`);
      }
    }
    assert.equal(fds(), before, 'no descriptor left open');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
