/**
 * The language server's workspace model keeps a bounded, small amount of memory: with the bench's
 * 5,500-GPO tree (19,250 files, 137 MB, seed 1) and its topology (1,101 OUs, in the folder) as the
 * workspace, the V8 heap the server still uses after the domain pass and two forced collections
 * stays under HEAP_BOUND_MB. Measured: 53 MB (the idle server: 8 MB); before the model kept its
 * files packed (lsp/packed.ts) and the effective policy as a stream, 215 MB: every file's policy
 * records and coverage records as objects, the texts their strings were sliced from, every scope's
 * results and a fate per value. The pass must still read everything (the tree is under the budget).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { LspClient, ROOT } from '../helpers/lsp-client';
import type { ExposureResult } from '../../server/src/lsp/protocol';

const GPOS = 5500;
const HEAP_BOUND_MB = 100;

// On SIGUSR2: two full collections, then the memory figures on stderr (stdout is the LSP transport).
const PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent('process.on("SIGUSR2",()=>{globalThis.gc();globalThis.gc();process.stderr.write("RELAYLINT-MEM "+JSON.stringify(process.memoryUsage())+"\\n")});');

test(`the workspace model of ${GPOS.toLocaleString('en-US')} GPOs with a topology keeps under ${HEAP_BOUND_MB} MB of heap after its pass`, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaylint-lsp-mem-'));
  const tree = path.join(dir, 'sysvol');
  const c0 = Date.now();
  try {
    const gen = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-sysvol.mjs'), '--gpos', String(GPOS), '--seed', '1', '--out', tree], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    const topo = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { writeTopology } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'scripts', 'gen-sysvol.mjs')).href)}; process.stdout.write(writeTopology(${JSON.stringify(tree)}, { seed: 1, gpos: ${GPOS} }));`],
      { encoding: 'utf8' },
    );
    assert.equal(topo.status, 0, topo.stderr);
    fs.renameSync(topo.stdout, path.join(tree, 'corp-topology.ldf'));

    const c = await LspClient.start({ rootUri: pathToFileURL(tree).href, execArgv: ['--expose-gc', '--import', PRELOAD] });
    try {
      const r = await c.sendRequest<ExposureResult>('relaylint/exposure', {});
      // Everything was read: no limit was reached.
      assert.equal(r.reason, undefined);
      assert.equal(r.scopes.length, 1102);
      const pass = c.logs.find((l) => l.startsWith('relaylint: workspace model: '));
      assert.match(pass ?? '', /^relaylint: workspace model: 13750 GPO file\(s\), 1102 scope\(s\), 0 event log\(s\), \d+ ms$/, c.logs.join('\n'));
      const mem = new Promise<NodeJS.MemoryUsage>((resolve) => {
        const onData = (chunk: Buffer) => {
          const m = /RELAYLINT-MEM (\{.*\})\n/.exec(String(chunk));
          if (m) {
            c.proc.stderr.off('data', onData);
            resolve(JSON.parse(m[1]) as NodeJS.MemoryUsage);
          }
        };
        c.proc.stderr.on('data', onData);
      });
      c.proc.kill('SIGUSR2');
      const usage = await mem;
      const status = fs.readFileSync(`/proc/${c.proc.pid}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
      const heap = usage.heapUsed / 1048576;
      t.diagnostic(`heap used ${heap.toFixed(1)} MB, RSS ${rss.toFixed(1)} MB (peak ${hwm.toFixed(1)} MB), ${((Date.now() - c0) / 1000).toFixed(1)} s with the tree's generation`);
      assert.ok(heap < HEAP_BOUND_MB, `heap used after the pass: ${heap.toFixed(1)} MB (bound ${HEAP_BOUND_MB} MB)`);
    } finally {
      await c.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${tree}.topology.ldf`, { force: true });
  }
});
