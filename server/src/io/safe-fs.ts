/**
 * Every path the CLI reads or writes goes through here, so hostile or odd files cannot hang it,
 * exhaust memory or lose data:
 *
 * - `readRegular` opens without blocking (a FIFO with no writer, a device), accepts only regular
 *   files, checks the size on the open descriptor BEFORE reading, and never reads past it.
 * - `writeAtomic` writes a fixed file as a temporary file in the same folder, fsyncs it, gives it
 *   the original's mode and owner (a file whose owner it cannot keep is left alone), re-checks that the original did not change
 *   since it was read, and renames it over the original (the target of a symbolic link, never the
 *   link itself). A crash at any point leaves either the original or the complete new file.
 * - `streamRegular` reads a regular file too large to hold whole in pieces, with the same checks;
 *   `openRegular` is the open and checks alone, for a reader that keeps the descriptor (the event logs).
 * - `openOutput` opens `--output` without blocking, so a FIFO with no reader is an error, not a hang.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /**
   * The inode's change time: every write moves it, and unlike mtime no program can set it back
   * (`cp -p`, `rsync -t` or `touch -r` leave an edited file with its old size and mtime).
   */
  ctimeMs: number;
}

export type ReadResult =
  | { kind: 'ok'; bytes: Buffer; id: FileIdentity; mode: number; uid: number; gid: number }
  | { kind: 'too-large'; size: number }
  | { kind: 'not-regular'; what: string }
  | { kind: 'error'; code: string; message: string };

/** A read that gave no bytes: refused (too large, not a regular file) or failed. */
type ReadProblem = Exclude<ReadResult, { kind: 'ok' }>;

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

export function identity(st: fs.Stats): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

/** What to do after one read of a file's bytes (`readStep`). */
export type ReadStep =
  /** Read again, into the buffer from `off`. */
  | { next: 'read'; off: number }
  /** The end of the file: its bytes are the buffer's first `off`. */
  | { next: 'done'; off: number }
  /** The file grew past what may be read: `size` is what to report (more than the limit). */
  | { next: 'too-large'; size: number };

/**
 * Judges one read of `readRegular` / `readRegularAsync` (pure: their two loops differ only in how
 * they read). The buffer holds `cap` bytes, what fstat promised (`size`) plus one to notice a file
 * that grew after the check; the read asked for `cap - off` bytes at `off` and got `n`.
 * - 0 bytes: the end of the file.
 * - The buffer full: the file grew after fstat (reported as larger than `maxBytes`).
 * - Fewer bytes than asked at or past `size`: the end of a regular file (no second read to see 0).
 * - Else (a short read before `size`): read on.
 */
export function readStep(r: { off: number; n: number; cap: number; size: number; maxBytes: number }): ReadStep {
  if (r.n === 0) return { next: 'done', off: r.off };
  const off = r.off + r.n;
  if (off === r.cap) return { next: 'too-large', size: off > r.maxBytes ? off : r.maxBytes + 1 };
  if (r.n < r.cap - r.off && off >= r.size) return { next: 'done', off };
  return { next: 'read', off };
}

/** Why a file is not read at all, judged on its open descriptor before a byte is read; undefined when it may be read. */
function refusal(st: fs.Stats, maxBytes: number): ReadProblem | undefined {
  if (!st.isFile()) return { kind: 'not-regular', what: kindOf(st) };
  if (st.size > maxBytes) return { kind: 'too-large', size: st.size };
  return undefined;
}

/**
 * The reads of one file into `bytes` (what fstat promised plus one byte), as a plan both readers
 * drive: it yields the offset to read at (the rest of `bytes`), is sent the count read, and returns
 * the result (readStep judges each read). The readers differ only in how they read.
 */
function* readPlan(bytes: Buffer, st: fs.Stats, maxBytes: number): Generator<number, ReadResult, number> {
  let off = 0;
  for (;;) {
    const n = yield off;
    const step = readStep({ off, n, cap: bytes.length, size: st.size, maxBytes });
    if (step.next === 'too-large') return { kind: 'too-large', size: step.size };
    off = step.off;
    if (step.next === 'done') return readOk(bytes, off, st);
  }
}

function readOk(bytes: Buffer, off: number, st: fs.Stats): ReadResult {
  return { kind: 'ok', bytes: bytes.subarray(0, off), id: identity(st), mode: st.mode, uid: st.uid, gid: st.gid };
}

function readError(e: unknown): ReadProblem {
  const err = e as NodeJS.ErrnoException;
  return { kind: 'error', code: err.code ?? 'EIO', message: err.message };
}

/**
 * Read a regular file of at most `maxBytes`, never blocking and never reading more than its size
 * (plus one byte, to notice a file that grew). `arena` supplies the memory for the bytes (else a
 * new buffer).
 */
export function readRegular(file: string, maxBytes: number, arena?: { alloc(size: number): Uint8Array }): ReadResult {
  return onRegular(file, maxBytes, (fd, st) => {
    const mem = arena ? arena.alloc(st.size + 1) : Buffer.allocUnsafe(st.size + 1);
    const bytes = Buffer.isBuffer(mem) ? mem : Buffer.from(mem.buffer, mem.byteOffset, mem.length);
    const plan = readPlan(bytes, st, maxBytes);
    let r = plan.next();
    while (!r.done) r = plan.next(fs.readSync(fd, bytes, r.value, bytes.length - r.value, null));
    return r.value;
  });
}

/**
 * Opens `file` as every reader here does (non-blocking, so a FIFO or device cannot hang it) and
 * checks on the open descriptor that it is a regular file of at most `maxBytes` before a byte is
 * read: the descriptor and its stat, which the caller closes, or why not (nothing left open). An
 * error is a result, never thrown.
 */
export function openRegular(file: string, maxBytes: number): { fd: number; st: fs.Stats } | ReadProblem {
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (e) {
    return readError(e);
  }
  let problem: ReadProblem | undefined;
  try {
    const st = fs.fstatSync(fd);
    problem = refusal(st, maxBytes);
    if (!problem) return { fd, st };
  } catch (e) {
    problem = readError(e);
  }
  fs.closeSync(fd);
  return problem;
}

/** `openRegular`, then `body` on the descriptor, closed after; an error is a result, never thrown. */
function onRegular<T>(file: string, maxBytes: number, body: (fd: number, st: fs.Stats) => T): T | ReadProblem {
  const o = openRegular(file, maxBytes);
  if (!('fd' in o)) return o;
  try {
    return body(o.fd, o.st);
  } catch (e) {
    return readError(e);
  } finally {
    fs.closeSync(o.fd);
  }
}

/** What `streamRegular` did: read (`bytes` of them: every byte, or up to where `take` stopped it), declined after the tail, or a refusal or error as `readRegular` gives it. */
export type StreamResult = { kind: 'ok'; bytes: number } | { kind: 'declined' } | ReadProblem;

/**
 * A regular file too large to hold whole, read in pieces: the same open and checks as
 * `readRegular` (non-blocking, regular files only, the size checked first, here against
 * `maxBytes`), then `wants` is shown the file's last `tailBytes` bytes and says whether to read it,
 * then `take` is given the file from its start, `chunkBytes` at a time (one buffer, reused: `take`
 * keeps nothing of it) until it returns false or the file ends. Never reads past the size fstat
 * gave (a file that grows is read to that size). `bytes` in the result: what was read.
 */
export function streamRegular(
  file: string,
  maxBytes: number,
  wants: (tail: Uint8Array) => boolean,
  take: (bytes: Uint8Array) => boolean,
  options: { chunkBytes?: number; tailBytes?: number } = {},
): StreamResult {
  return onRegular(file, maxBytes, (fd, st): StreamResult => {
    const size = st.size;
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(size, options.chunkBytes ?? 4 * 1024 * 1024)));
    const tailBytes = Math.min(size, options.tailBytes ?? 4096, buffer.length);
    const tail = buffer.subarray(0, readAt(fd, buffer, tailBytes, size - tailBytes));
    if (!wants(tail)) return { kind: 'declined' };
    let at = 0;
    while (at < size) {
      const n = readAt(fd, buffer, Math.min(buffer.length, size - at), at);
      if (n === 0) break;
      at += n;
      if (!take(buffer.subarray(0, n))) break;
    }
    return { kind: 'ok', bytes: at };
  });
}

/** Up to `length` bytes at `position` into the start of `buffer` (short reads continued; fewer only at the end of the file). */
function readAt(fd: number, buffer: Buffer, length: number, position: number): number {
  let off = 0;
  while (off < length) {
    const n = fs.readSync(fd, buffer, off, length - off, position + off);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/**
 * `readRegular` without blocking the thread (the language server: a large file must not hold up
 * its requests): the same checks (opened non-blocking, regular files only, the size checked on the
 * open descriptor before a byte is read) and the same results.
 */
export async function readRegularAsync(file: string, maxBytes: number): Promise<ReadResult> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, READ_FLAGS);
  } catch (e) {
    return readError(e);
  }
  try {
    const st = await fh.stat();
    const refused = refusal(st, maxBytes);
    if (refused) return refused;
    const bytes = Buffer.allocUnsafe(st.size + 1);
    const plan = readPlan(bytes, st, maxBytes);
    let r = plan.next();
    while (!r.done) r = plan.next((await fh.read(bytes, r.value, bytes.length - r.value, null)).bytesRead);
    return r.value;
  } catch (e) {
    return readError(e);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** A reason `writeAtomic` did not replace the file; the file is unchanged. */
export class WriteSkipped extends Error {}

/** The name of the fixed copy of `name` that `writeAtomic` writes beside it, then renames over it. */
function tempNameFor(name: string): string {
  return `.${name}.relaylint-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
}

/**
 * The fixed copy of the file `$1` that a `--fix` killed before its rename left behind (`tempNameFor`):
 * the walk reports it, so it is not left in SYSVOL unsaid.
 */
export const LEFTOVER_TEMP = /^\.(.+)\.relaylint-\d+-[0-9a-z]+\.tmp$/;

/**
 * Test hook (never set in normal use): `RELAYLINT_TEST_FIX_FAULT=<step>:<action>` where action is
 * `kill` (SIGKILL this process at that step), `enospc` (fail the write there as a full disk would),
 * `modify` (append to the original there, as another program might) or `rewrite` (change its last
 * byte in place and set its times back: the same size and mtime, as `cp -p` over it leaves them).
 * Steps: `temp-open`, `temp-half`, `temp-written`, `before-rename`, `after-rename`.
 */
function fault(step: string, original?: string): void {
  const spec = process.env.RELAYLINT_TEST_FIX_FAULT;
  if (!spec) return;
  const [at, action] = spec.split(':');
  if (at !== step) return;
  if (action === 'kill') process.kill(process.pid, 'SIGKILL');
  // Another program edits the file while the fix is being written.
  if (action === 'modify' && original) fs.appendFileSync(original, '\r\n');
  if (action === 'rewrite' && original) {
    const st = fs.statSync(original);
    const bytes = fs.readFileSync(original);
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(original, bytes);
    fs.utimesSync(original, st.atime, st.mtime);
  }
  if (action === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  const half = data.length >> 1;
  let halfDone = false;
  while (off < data.length) {
    const end = !halfDone && off < half ? half : data.length;
    off += fs.writeSync(fd, data, off, end - off);
    if (!halfDone && off >= half) {
      halfDone = true;
      fault('temp-half');
    }
  }
}

function isReadOnly(real: string, st: fs.Stats): boolean {
  try {
    fs.accessSync(real, fs.constants.W_OK);
  } catch {
    return true;
  }
  // root passes access(W_OK) on anything: honour the file's own permission bits as well.
  return typeof process.getuid === 'function' && process.getuid() === 0 && (st.mode & 0o222) === 0;
}

/**
 * Replace `file` (or the target of the link `file`) with `data`, atomically. `expected` is what
 * the file was when it was read; if it differs now the file changed on disk and is left alone.
 * Throws `WriteSkipped` with a reason, or the I/O error; the original is intact in both cases.
 */
export function writeAtomic(file: string, data: Uint8Array, expected: FileIdentity): void {
  const real = fs.realpathSync(file);
  const before = fs.statSync(real);
  if (!before.isFile()) throw new WriteSkipped(`it is ${kindOf(before)} now`);
  if (changed(before, expected)) throw new WriteSkipped('the file changed on disk after it was read; run the fix again');
  if (isReadOnly(real, before)) throw new WriteSkipped('the file is read-only');
  // A rename gives the name a new inode: the file's other hard links would keep the unfixed bytes.
  if (before.nlink > 1) throw new WriteSkipped(`the file has ${before.nlink} hard links, and replacing it atomically would leave the other ${before.nlink - 1 === 1 ? 'link' : `${before.nlink - 1} links`} with the old content; copy it, move the copy over it and run the fix again`);
  const dir = path.dirname(real);
  // The fixed file is written next to the original, then renamed over it: the folder must take a new
  // file. (Not on Windows, where a folder's read-only attribute does not stop that.)
  if (process.platform !== 'win32' && isReadOnly(dir, fs.statSync(dir))) throw new WriteSkipped('its folder is read-only (the fixed file is written next to it first, then renamed over it)');
  const tmp = path.join(dir, tempNameFor(path.basename(real)));
  let fd: number | undefined;
  let renamed = false;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    fault('temp-open');
    writeAll(fd, data);
    try {
      fs.fchownSync(fd, before.uid, before.gid);
    } catch {
      // Only root may give a file away; a member of the file's group may still give it that group.
      try {
        fs.fchownSync(fd, -1, before.gid);
      } catch {
        // judged below
      }
    }
    // The rename would hand the file to this user (a group-writable file of someone else's): leave it.
    const made = fs.fstatSync(fd);
    if (made.uid !== before.uid || made.gid !== before.gid) {
      throw new WriteSkipped(`the file belongs to user ${before.uid}, group ${before.gid}, and a replacement written by this user would not keep that owner; run the fix as its owner`);
    }
    fs.fchmodSync(fd, before.mode & 0o7777);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fault('temp-written', real);
    const now = fs.statSync(real);
    if (changed(now, expected)) throw new WriteSkipped('the file changed on disk while the fix was being written; run the fix again');
    fault('before-rename');
    fs.renameSync(tmp, real);
    renamed = true;
    fault('after-rename');
    syncDir(dir);
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing
      }
    }
    if (!renamed) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // never created, or already gone
      }
    }
  }
}

function changed(st: fs.Stats, expected: FileIdentity): boolean {
  return st.dev !== expected.dev || st.ino !== expected.ino || st.size !== expected.size || st.mtimeMs !== expected.mtimeMs || st.ctimeMs !== expected.ctimeMs;
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename itself is still atomic.
  }
}

/**
 * Open `--output` for writing without blocking: a FIFO with no reader fails at once (ENXIO)
 * instead of hanging. Refuses a path that is one of the given inputs (same device and inode).
 */
export function openOutput(file: string): number {
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o666);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENXIO') throw new Error('it is a named pipe (FIFO) that nobody is reading');
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile()) fs.ftruncateSync(fd, 0);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

/** Device and inode of an existing regular file, or undefined. */
export function inodeOf(file: string): { dev: number; ino: number } | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? { dev: st.dev, ino: st.ino } : undefined;
  } catch {
    return undefined;
  }
}
