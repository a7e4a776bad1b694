/**
 * The language server's topology parser thread (bundled as server/out/topology-thread.js): parses
 * one large topology export (io/topology.ts `parseTopology`, the CLI's parse) off the server's
 * thread, so diagnostics and hovers are answered meanwhile. Started for one file and ended after
 * it (topology-parse.ts); holds nothing between files.
 */
import { parentPort } from 'node:worker_threads';
import { parseTopology } from '../io/topology';

parentPort?.on('message', (m: { display: string; bytes: Uint8Array; explicit: boolean }) => {
  try {
    parentPort?.postMessage({ parts: parseTopology(m.display, m.bytes, m.explicit) ?? null });
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
