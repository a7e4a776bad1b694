/**
 * Where the language server parses a topology export: a large one (OFF_THREAD_BYTES and more) on a
 * thread of its own (topology-thread.ts), so that the seconds a 64 MiB LDIF takes to parse do not
 * hold up diagnostics and hovers; a small one on the server's thread (a thread costs more than the
 * parse). Either way the parse is io/topology.ts `parseTopology`, the CLI's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TopologyPart } from '../core';
import { parseTopology, type TopologyParser } from '../io/topology';

/** Files from this size on are parsed off the server's thread. */
export const OFF_THREAD_BYTES = 4 * 1024 * 1024;

/** The thread's script: next to this module (server/out in the bundle, the compiled tests' folder in tests). */
const THREAD = path.join(__dirname, 'topology-thread.js');

class ThreadFailed extends Error {}

/** Parses on a new thread, ended once it answered. Rejects with ThreadFailed when the thread could not run. */
export function parseOffThread(display: string, bytes: Uint8Array, explicit: boolean, script = THREAD): Promise<TopologyPart[] | undefined> {
  return new Promise((resolve, reject) => {
    let w: Worker;
    try {
      w = new Worker(script);
    } catch (e) {
      reject(new ThreadFailed(e instanceof Error ? e.message : String(e)));
      return;
    }
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      void w.terminate();
      f();
    };
    w.once('message', (m: { parts?: TopologyPart[] | null; error?: string }) => finish(() => (m.error !== undefined ? reject(new Error(m.error)) : resolve(m.parts ?? undefined))));
    w.once('error', (e) => finish(() => reject(new ThreadFailed(e.message))));
    w.once('exit', (code) => finish(() => reject(new ThreadFailed(`the topology thread ended (exit code ${code})`))));
    // Handed over, not copied, when the bytes have memory of their own (a read of a large file has):
    // a 64 MiB export is then held once, by the thread that parses it.
    const own = bytes.byteOffset === 0 && bytes.buffer instanceof ArrayBuffer && bytes.buffer.byteLength <= bytes.length + 1;
    w.postMessage({ display, bytes, explicit }, own ? [bytes.buffer as ArrayBuffer] : []);
  });
}

/**
 * The server's parser: off the thread from `threshold` bytes on; on this thread below it, or when the
 * thread's script is missing. A thread that fails after it got the bytes (it could not start, ran
 * out of memory) leaves a problem on the file, at error level when the file was named explicitly.
 */
export function serverTopologyParser(threshold = OFF_THREAD_BYTES, script = THREAD): TopologyParser {
  return async (display, bytes, explicit) => {
    if (bytes.length < threshold || !fs.existsSync(script)) return parseTopology(display, bytes, explicit);
    try {
      return await parseOffThread(display, bytes, explicit, script);
    } catch (e) {
      if (!(e instanceof ThreadFailed)) throw e;
      // Still here (not handed over): parse them on this thread.
      if (bytes.length) return parseTopology(display, bytes, explicit);
      return [{ kind: 'ldif', source: display, soms: [], gpcs: [], lacks: [], problems: [{ source: display, severity: explicit ? 'error' : 'warning', message: `The file could not be parsed (${e.message}); it was not read.` }] }];
    }
  };
}
