/**
 * The language server under the faults of issue 10: the Registry.pol view never reads a FIFO or a
 * device (it used to read /dev/zero without end and hang on a FIFO), and a framing error on stdio
 * makes the server exit with a message (so the client restarts it) instead of going deaf.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient, SERVER_JS } from '../helpers/lsp-client';

describe('Registry.pol view: only regular files, size checked first', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start();
  });
  after(async () => {
    await c.stop();
  });

  test('/dev/zero, a FIFO without writer and a folder are refused at once; later requests are still answered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaylint-pol-'));
    const fifo = join(dir, 'Registry.pol');
    const hasFifo = spawnSync('mkfifo', [fifo]).status === 0;
    const refused = [pathToFileURL('/dev/zero').href, pathToFileURL(dir).href, ...(hasFifo ? [pathToFileURL(fifo).href, pathToFileURL(fifo).href] : [])];
    for (const uri of refused) {
      await assert.rejects(c.sendRequest('relaylint/polText', { uri }), /is not a regular file \(a pipe, a device or a folder\); relaylint does not read it\./, uri);
    }
    const ok = join(dir, 'ok.pol');
    writeFileSync(ok, Buffer.from('PReg\x01\x00\x00\x00', 'latin1'));
    const view = await c.sendRequest<{ text: string }>('relaylint/polText', { uri: pathToFileURL(ok).href });
    assert.match(view.text, /^; Registry\.pol/);
  });

  test('bytes sent over the limit are refused before decoding', async () => {
    const big = 'A'.repeat(Math.ceil((64 * 1024 * 1024) / 3) * 4 + 8);
    await assert.rejects(c.sendRequest('relaylint/polText', { uri: 'file:///x/Registry.pol', base64: big }), /larger than 67108864 bytes/);
  });
});

test('a framing error on stdio: the server says why and exits, so the client restarts it', async () => {
  const rows: [string, RegExp][] = [
    ['Foo: bar\r\n\r\n{}', /unreadable message from the client \(Header must provide a Content-Length property\.\); exiting so that the client restarts the server/],
    ['Content-Length: 5\r\n\r\n{{{{{', /unreadable message from the client \(.*JSON.*\); exiting so that the client restarts the server/],
  ];
  for (const [input, message] of rows) {
    const proc = spawn(process.execPath, [SERVER_JS, '--stdio'], { stdio: 'pipe' });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.stdin.write(input);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 1, `${JSON.stringify(input)}: ${stderr}`);
    assert.match(stderr, message);
  }
});

test('"Fix all" in the light bulb is computed only when chosen (codeAction/resolve), with the same edit as before', async () => {
  // Audit switches: their fixes are safe, so "Fix all" (safe fixes only by default) has edits to make.
  const SERVER = 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\MSV1_0\\AuditReceivingNTLMTraffic';
  const CLIENT = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\EnableSecuritySignature';
  const text = ['[Unicode]', 'Unicode=yes', '[Registry Values]', `${SERVER}=4,0`, `${CLIENT}=4,0`, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n');
  const uri = pathToFileURL(join(mkdtempSync(join(tmpdir(), 'relaylint-resolve-')), 'GptTmpl.inf')).href;
  const eager = await LspClient.start();
  const lazy = await LspClient.start({ resolveCodeActions: true });
  try {
    const fixAllOf = async (c: LspClient) => {
      await c.open(uri, 'secedit-inf', text);
      const d = (await c.diagnostics(uri)).find((x) => x.code === 'ntlm.in.audit');
      assert.ok(d);
      return (await c.codeActions(uri, d.range, [d])).find((a) => a.title === 'Fix all relaylint issues in this file');
    };
    assert.deepEqual(lazy.initializeResult?.capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.relaylint'], resolveProvider: true });
    const before = await fixAllOf(eager);
    const deferred = await fixAllOf(lazy);
    assert.ok(before?.edit && deferred);
    // Both safe fixes, nothing else: the audit switch and the 'if client agrees' step.
    // Both fixes are safe ones, nothing else: the audit switch and the 'if client agrees' step.
    const edits = (before.edit as { documentChanges: { edits: { newText: string }[] }[] }).documentChanges[0].edits;
    assert.deepEqual(edits.map((e) => e.newText), ['4,2', '4,1']);
    assert.equal(deferred.edit, undefined, 'no edit until it is chosen');
    assert.deepEqual(deferred.data, { relaylintFixAll: { uri, version: 1 } });
    const resolved = await lazy.sendRequest<{ edit?: unknown }>('codeAction/resolve', deferred);
    assert.deepEqual(resolved.edit, before.edit);
  } finally {
    await eager.stop();
    await lazy.stop();
  }
});
