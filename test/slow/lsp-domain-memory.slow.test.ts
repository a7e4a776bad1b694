/**
 * The language server's workspace model keeps a bounded, small amount of memory: with the bench's
 * 5,500-GPO tree (19,250 files, 137 MB, seed 1) and its topology (1,101 OUs, in the folder) as the
 * workspace, the V8 heap the server still uses after the domain pass and two forced collections
 * stays under HEAP_BOUND_MB. Measured: 36 MB (the idle server: 8 MB); before the model kept its
 * files packed (lsp/packed.ts) and the effective policy as a stream, 215 MB: every file's policy
 * records and coverage records as objects, the texts their strings were sliced from, every scope's
 * results and a fate per value. The pass must still read everything (the tree is under the budget).
 * Past MAX_FILES candidate files (20,100 small .reg files, each with a weak value) the pass stops,
 * says so at the top of the Relay exposure view and in the log, and keeps under the same bound.
 * The Relay exposure view's first answer on that tree (the scopes and their counts) is small:
 * 0.19 MB, bounded at TOP_BOUND_BYTES; before the protocol was lazy it was the whole exposure,
 * 28.5 MB, and sending it took the server from 156 to 290 MB. One scope's rules stay under
 * SCOPE_BOUND_BYTES (at most one per setting rule of the catalog).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { LspClient, ROOT } from '../helpers/lsp-client';
import type { ExposureResult, ExposureScopeResult } from '../../server/src/lsp/protocol';

const GPOS = 5500;
const HEAP_BOUND_MB = 80;
const TOP_BOUND_BYTES = 1024 * 1024;
const SCOPE_BOUND_BYTES = 64 * 1024;

/** After the pass: the heap used after two full collections, and VmRSS / VmHWM, in MB. */
async function settledMemory(c: LspClient): Promise<{ heap: number; rss: number; hwm: number }> {
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
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { heap: usage.heapUsed / 1048576, rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

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
      const topBytes = Buffer.byteLength(JSON.stringify(r));
      assert.ok(topBytes < TOP_BOUND_BYTES, `the first answer of the exposure view: ${topBytes} bytes (bound ${TOP_BOUND_BYTES})`);
      // The largest scope (most rules, then the longest answer) is still small, and its counts are its rules'.
      let largest = { bytes: 0, som: '' };
      for (const i of [0, 1, r.scopes.length - 1, r.scopes.findIndex((s) => s.role === 'dc')]) {
        const one = await c.sendRequest<ExposureScopeResult>('relaylint/exposureScope', { version: r.version, scope: i });
        assert.equal(one.som, r.scopes[i].som);
        assert.deepEqual([one.rules.length, one.rules.filter((x) => x.exposed).length], [r.scopes[i].rules, r.scopes[i].exposed], one.som);
        const bytes = Buffer.byteLength(JSON.stringify(one));
        if (bytes > largest.bytes) largest = { bytes, som: one.som as string };
      }
      assert.ok(largest.bytes < SCOPE_BOUND_BYTES, `the rules of ${largest.som}: ${largest.bytes} bytes (bound ${SCOPE_BOUND_BYTES})`);
      t.diagnostic(`the first answer ${topBytes} bytes, the largest scope asked ${largest.bytes} bytes (${largest.som})`);
      const pass = c.logs.find((l) => l.startsWith('relaylint: workspace model: '));
      assert.match(pass ?? '', /^relaylint: workspace model: 13750 GPO file\(s\), 1102 scope\(s\), 0 event log\(s\), \d+ ms$/, c.logs.join('\n'));
      const { heap, rss, hwm } = await settledMemory(c);
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

test(`past ${(20_000).toLocaleString('en-US')} candidate files the model stops, says so in the Relay exposure view and the log, and keeps under ${HEAP_BOUND_MB} MB of heap`, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaylint-lsp-files-'));
  try {
    const text = 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n"RequireSecuritySignature"=dword:00000000\r\n';
    for (let d = 0; d < 201; d++) {
      const sub = path.join(dir, `f${String(d).padStart(3, '0')}`);
      fs.mkdirSync(sub);
      for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(sub, `v${String(i).padStart(3, '0')}.reg`), text);
    }
    const c = await LspClient.start({ rootUri: pathToFileURL(dir).href, execArgv: ['--expose-gc', '--import', PRELOAD] });
    try {
      const r = await c.sendRequest<ExposureResult>('relaylint/exposure', {});
      const note = 'More than 20000 candidate files in the workspace folders: the rest were not read (the CLI reads any number).';
      assert.equal(r.reason, `${note} No domain topology in the workspace (an LDIF, SharpHound or Get-GPInheritance export, or the relaylint.topology setting): the scanned files are judged as one set, not per OU.`);
      assert.ok(c.logs.includes(`relaylint: ${note}`), c.logs.slice(-5).join('\n'));
      assert.ok(c.logs.some((l) => /^relaylint: workspace model: 20000 GPO file\(s\), no topology, 0 event log\(s\), \d+ ms$/.test(l)), c.logs.slice(-5).join('\n'));
      const { heap, rss, hwm } = await settledMemory(c);
      t.diagnostic(`heap used ${heap.toFixed(1)} MB, RSS ${rss.toFixed(1)} MB (peak ${hwm.toFixed(1)} MB)`);
      assert.ok(heap < HEAP_BOUND_MB, `heap used after the pass: ${heap.toFixed(1)} MB (bound ${HEAP_BOUND_MB} MB)`);
    } finally {
      await c.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
