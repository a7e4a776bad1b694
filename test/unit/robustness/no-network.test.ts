/**
 * No network (issue 6): the built CLI and the built language server run under
 * test/helpers/no-network.js, which records and refuses every socket, DNS, HTTP(S), TLS, UDP and
 * fetch call (local IPC pipes excepted) and writes each attempt to the file named by
 * RELAYLINT_NETWORK_LOG. The product runs over examples/ and every corpus fixture in all three
 * output formats, with --fix, with worker threads, and (language server) through open, diagnostics,
 * hover, code actions, completion, edits and shutdown; the log must stay empty.
 * The first test proves the guard records what it should, so the others cannot pass vacuously.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { LspClient, ROOT as REPO_ROOT } from '../../helpers/lsp-client';

const NO_NETWORK = path.join(REPO_ROOT, 'test/helpers/no-network.js');
const CLI = path.join(REPO_ROOT, 'server/out/cli.js');

interface Attempt {
  api: string;
  target: unknown[];
  pid: number;
  thread: number;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'relaylint-nonet-'));
}

function readAttempts(log: string): Attempt[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Attempt);
}

/** Run node with the guard preloaded; returns the process result and the recorded attempts. */
function guarded(args: string[], opts: { cwd?: string; input?: string } = {}) {
  const log = path.join(tempDir(), 'attempts.jsonl');
  const r = spawnSync(process.execPath, ['--require', NO_NETWORK, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', RELAYLINT_NETWORK_LOG: log },
    encoding: 'utf8',
    input: opts.input,
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, attempts: readAttempts(log) };
}

describe('the guard', () => {
  test('records and refuses every kind of network call, in the main thread and in workers; local IPC passes', () => {
    const sock = path.join(tempDir(), 'ipc.sock');
    const script = `
      const net = require('node:net'), http = require('node:http'), https = require('node:https'), tls = require('node:tls');
      const dns = require('node:dns'), dgram = require('node:dgram'), http2 = require('node:http2');
      const { Worker } = require('node:worker_threads');
      const refused = [];
      const tryIt = (name, fn) => { try { fn(); } catch (e) { if (e.code === 'ERR_RELAYLINT_NO_NETWORK') refused.push(name); else throw e; } };
      tryIt('net.connect', () => net.connect(80, '127.0.0.1'));
      tryIt('net.createConnection', () => net.createConnection({ host: 'example.com', port: 443 }));
      tryIt('net.connect(string port)', () => net.connect('8080', '127.0.0.1'));
      tryIt('socket.connect', () => new net.Socket().connect({ host: '10.0.0.1', port: 445 }));
      tryIt('http.request', () => http.request('http://example.com/'));
      tryIt('http.get', () => http.get({ host: 'example.com', path: '/' }));
      tryIt('https.get', () => https.get('https://example.com/'));
      tryIt('tls.connect', () => tls.connect(636, 'dc.example.com'));
      tryIt('http2.connect', () => http2.connect('https://example.com'));
      tryIt('dns.lookup', () => dns.lookup('example.com', () => {}));
      tryIt('dns.resolveSrv', () => dns.resolveSrv('_ldap._tcp.example.com', () => {}));
      tryIt('dns.promises.resolve4', () => dns.promises.resolve4('example.com'));
      tryIt('dns.Resolver', () => new dns.Resolver().resolveTxt('example.com', () => {}));
      tryIt('dgram', () => dgram.createSocket('udp4'));
      const server = net.createServer((c) => c.end('ok')).listen(${JSON.stringify(sock)}, () => {
        const c = net.connect(${JSON.stringify(sock)});
        c.on('data', () => {
          c.destroy();
          server.close();
          fetch('https://example.com/').then(
            () => { throw new Error('fetch was not refused'); },
            (e) => {
              if (e.code === 'ERR_RELAYLINT_NO_NETWORK') refused.push('fetch');
              const w = new Worker("try { require('node:net').connect(389, 'dc.example.com'); } catch (e) { require('node:worker_threads').parentPort.postMessage(e.code); }", { eval: true });
              w.on('message', (m) => { if (m === 'ERR_RELAYLINT_NO_NETWORK') refused.push('worker'); });
              w.on('exit', () => console.log(JSON.stringify(refused)));
            },
          );
        });
      });
    `;
    const r = guarded(['-e', script]);
    assert.equal(r.status, 0, r.stderr);
    const refused = JSON.parse(r.stdout) as string[];
    const expected = [
      'net.connect',
      'net.createConnection',
      'net.connect(string port)',
      'socket.connect',
      'http.request',
      'http.get',
      'https.get',
      'tls.connect',
      'http2.connect',
      'dns.lookup',
      'dns.resolveSrv',
      'dns.promises.resolve4',
      'dns.Resolver',
      'dgram',
      'fetch',
      'worker',
    ];
    assert.deepEqual(refused, expected);
    // Every refusal is in the log, the worker's with its thread id; the Unix socket round trip is not.
    assert.equal(r.attempts.length, expected.length, JSON.stringify(r.attempts.map((a) => a.api)));
    assert.ok(r.attempts.some((a) => a.thread > 0 && a.api === 'net.connect'));
    assert.ok(!r.attempts.some((a) => JSON.stringify(a.target).includes('ipc.sock')));
  });

  test('a script that connects is recorded even when it swallows the error', () => {
    const r = guarded(['-e', "try { require('node:net').connect(445, '192.0.2.1'); } catch {} console.log('done')"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.attempts.map((a) => [a.api, a.target]),
      [['net.connect', ['445', '192.0.2.1']]],
    );
  });
});

describe('the CLI opens no socket', () => {
  const inputs = ['examples', 'test/fixtures/inf', 'test/fixtures/reg', 'test/fixtures/xml', 'test/fixtures/pol'];

  for (const format of ['text', 'json', 'sarif']) {
    for (const jobs of ['1', '2']) {
      test(`scan examples/ and the corpus --format ${format} --jobs ${jobs}`, () => {
        const r = guarded([CLI, 'scan', ...inputs, '--format', format, '--jobs', jobs, '--fail-on', 'never']);
        assert.equal(r.status, 0, r.stderr);
        assert.ok(r.stdout.length > 1000, 'no report');
        if (format !== 'text') JSON.parse(r.stdout);
        assert.deepEqual(r.attempts, []);
      });
    }
  }

  test('scan --fix twice on copies of examples/ and the corpus (the second run writes nothing), rules, --output, --baseline', () => {
    const dir = tempDir();
    for (const rel of inputs) fs.cpSync(path.join(REPO_ROOT, rel), path.join(dir, rel), { recursive: true });
    for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) if (f.isFile()) fs.chmodSync(path.join(f.parentPath ?? f.path, f.name), 0o644);
    const first = guarded([CLI, 'scan', '.', '--fix', '--unsafe-fixes', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(first.attempts, []);
    assert.ok(JSON.parse(first.stdout).summary.fixed > 0, 'the first --fix fixed nothing');
    const snapshot = new Map<string, Buffer>();
    for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) snapshot.set(path.join(f.parentPath ?? f.path, f.name), fs.readFileSync(path.join(f.parentPath ?? f.path, f.name)));
    }
    const second = guarded([CLI, 'scan', '.', '--fix', '--unsafe-fixes', '--format', 'json', '--fail-on', 'never', '--output', 'report.json'], { cwd: dir });
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(second.attempts, []);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')).summary.fixed, 0);
    for (const [file, bytes] of snapshot) assert.ok(fs.readFileSync(file).equals(bytes), `${file} changed on the second --fix`);
    const baseline = guarded([CLI, 'scan', '.', '--baseline', 'report.json', '--format', 'sarif', '--fail-on', 'never'], { cwd: dir });
    assert.equal(baseline.status, 0, baseline.stderr);
    assert.deepEqual(baseline.attempts, []);
    const rules = guarded([CLI, 'rules', '--format', 'json']);
    assert.equal(rules.status, 0, rules.stderr);
    assert.deepEqual(rules.attempts, []);
  });
});

/** Decode a fixture the way an editor shows it. */
function editorText(file: string): string {
  const b = fs.readFileSync(file);
  if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('utf8');
}

describe('the language server opens no socket', () => {
  test('open, diagnostics, hover, code actions, completion, edits, .pol view, shutdown', async () => {
    const log = path.join(tempDir(), 'attempts.jsonl');
    const lsp = await LspClient.start({ execArgv: ['--require', NO_NETWORK], env: { RELAYLINT_NETWORK_LOG: log }, rootUri: pathToFileURL(REPO_ROOT).href });
    try {
      const docs: [string, string][] = [
        ['test/lsp/fixtures/weak/GptTmpl.inf', 'secedit-inf'],
        ['test/lsp/fixtures/gpreport.xml', 'xml'],
        ['test/lsp/fixtures/nas.reg', 'reg'],
        ['test/lsp/fixtures/Machine/Preferences/Registry/Registry.xml', 'xml'],
        ['test/fixtures/xml/nsa-shb-windows__gpreport.xml', 'xml'],
        ['test/fixtures/inf/sos-dod-ws2019-dc__GptTmpl.inf', 'secedit-inf'],
        ['examples/rsop/FS01-rsop.xml', 'xml'],
      ];
      let total = 0;
      for (const [rel, languageId] of docs) {
        const file = path.join(REPO_ROOT, rel);
        if (!fs.existsSync(file)) continue;
        const uri = pathToFileURL(file).href;
        const text = editorText(file);
        await lsp.open(uri, languageId, text);
        const diags = await lsp.diagnostics(uri);
        total += diags.length;
        for (const d of diags.slice(0, 5)) {
          await lsp.hover(uri, d.range.start);
          await lsp.codeActions(uri, d.range, [d]);
          await lsp.completion(uri, d.range.start);
        }
        await lsp.hover(uri, { line: 3, character: 5 });
        await lsp.change(uri, 2, [{ text: text + '\n' }]);
        await lsp.diagnostics(uri);
        await lsp.close(uri);
      }
      assert.ok(total > 0, 'no diagnostics at all: the server did not check the documents');
      // The Registry.pol view: the server reads the file itself.
      const pol = pathToFileURL(path.join(REPO_ROOT, 'test/lsp/fixtures/Machine/Registry.pol')).href;
      const view = await lsp.sendRequest<{ viewUri: string; text: string }>('relaylint/polText', { uri: pol });
      await lsp.open(view.viewUri, 'plaintext', view.text);
      await lsp.diagnostics(view.viewUri);
      await lsp.hover(view.viewUri, { line: 1, character: 20 });
      assert.ok(lsp.alive, lsp.logs.join('\n'));
    } finally {
      const code = await lsp.stop();
      assert.equal(code, 0, lsp.logs.join('\n'));
    }
    assert.deepEqual(readAttempts(log), []);
  });
});
