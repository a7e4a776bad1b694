/**
 * A malformed or huge document never takes the server down: garbage in every format, generated
 * garbage (fast-check), a 2 MB security template, a 2 MB one-line XML, and handlers that throw.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { fixtureText, fixtureUri, LspClient } from '../helpers/lsp-client';
import { diagnostic, ERROR, on, suppressFix } from '../helpers/lsp-expect';

const SERVER_LINE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0';

/** Every request the editor sends for a document, at a few positions; all must be answered. */
async function exercise(c: LspClient, uri: string, text: string): Promise<void> {
  const diags = await c.diagnostics(uri);
  assert.ok(Array.isArray(diags));
  const lines = text.split(/\r\n|\r|\n/);
  const positions = [
    { line: 0, character: 0 },
    { line: Math.floor(lines.length / 2), character: 3 },
    { line: lines.length - 1, character: lines[lines.length - 1].length },
    { line: lines.length + 5, character: 1_000_000 },
  ];
  for (const position of positions) {
    const h = await c.hover(uri, position);
    assert.ok(h === null || typeof h === 'object');
    assert.ok(Array.isArray(await c.completion(uri, position)));
  }
  const whole = { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } };
  assert.ok(Array.isArray(await c.codeActions(uri, whole, diags)));
  assert.ok(Array.isArray(await c.codeActions(uri, whole, [], ['source.fixAll'])));
}

describe('garbage documents', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start();
  });
  after(async () => {
    await c.stop();
  });

  const cases: [string, string, string][] = [
    ['GptTmpl.inf', 'secedit-inf', '[Registry Values]\r\nMACHINE\\=\r\n=4,\r\nMACHINE\\System\\X\\Y=99,\r\n[\r\n]]]\r\n\u0000\u0000\uFFFD;\r\n'],
    ['GptTmpl.inf', 'secedit-inf', '[Registry Values\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,zz\r\n'],
    ['bad.reg', 'reg', 'REGEDIT4\n[HKEY_LOCAL_MACHINE\\\n"unterminated=dword:1234567890\n@=hex(7):zz,\\\n\\\n\\\n[-]\n"x"="\\'],
    ['gpreport.xml', 'xml', '<?xml version="1.0"?><GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings"><Computer><ExtensionData><Extension'],
    ['Registry.xml', 'xml', '<RegistrySettings><Registry><Properties hive="HKEY_LOCAL_MACHINE" key="&#xD800;" value="zz" type="REG_DWORD"'],
    ['rsop.xml', 'xml', '<!DOCTYPE Rsop [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><Rsop>&b;&b;&b;</Rsop>'],
    ['empty.reg', 'reg', ''],
  ];
  for (const [name, lang, text] of cases) {
    test(`${name}: ${JSON.stringify(text.slice(0, 40))}…`, async () => {
      const uri = fixtureUri('garbage', `${cases.findIndex((x) => x[2] === text)}`, name);
      await c.open(uri, lang, text);
      await exercise(c, uri, text);
      assert.ok(c.alive);
    });
  }

  test('a truncated GPO report is a parse diagnostic, not silence', async () => {
    const uri = fixtureUri('garbage', '3', 'gpreport.xml');
    const codes = (await c.diagnostics(uri)).map((d) => d.code);
    assert.ok(codes.includes('file.parse'), JSON.stringify(codes));
  });

  test('XML with a DOCTYPE and entities is refused', async () => {
    const uri = fixtureUri('garbage', '5', 'rsop.xml');
    const codes = (await c.diagnostics(uri)).map((d) => d.code);
    assert.ok(codes.includes('file.unsafe-xml'), JSON.stringify(codes));
  });

  test('generated garbage in every format (fast-check)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<[string, string, string]>(
          ['GptTmpl.inf', 'secedit-inf', '[Registry Values]\r\n'],
          ['x.reg', 'reg', 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n'],
          ['Registry.xml', 'xml', '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">'],
          ['gpreport.xml', 'xml', '<GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings">'],
        ),
        fc.string({ unit: 'binary', maxLength: 400 }),
        async ([name, lang, prefix], tail) => {
          const uri = fixtureUri('fuzz', String(n++), name);
          const text = prefix + tail;
          await c.open(uri, lang, text);
          await exercise(c, uri, text);
          await c.close(uri);
          return c.alive;
        },
      ),
      { numRuns: 60, seed: 4242 },
    );
  });

  test('after all that, the server still answers correctly', async () => {
    const uri = fixtureUri('weak', 'GptTmpl.inf');
    await c.open(uri, 'secedit-inf', fixtureText('weak', 'GptTmpl.inf'));
    assert.deepEqual(
      (await c.diagnostics(uri)).map((d) => d.code),
      ['smb.server.require', 'smb.client.require', 'ldap.server.cbt'],
    );
    assert.ok(c.alive);
  });
});

describe('large documents', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start();
  });
  after(async () => {
    await c.stop();
  });

  test('a 2 MB security template: exact positions at the end, in reasonable time', async () => {
    const lines = ['[Unicode]', 'Unicode=yes', '[Registry Values]'];
    for (let i = 0; lines.join('\r\n').length < 2 * 1024 * 1024; i++) {
      for (let j = 0; j < 1000; j++) lines.push(`MACHINE\\Software\\Relaylint\\Benchmark\\A fairly long key name for size\\Value${String(i * 1000 + j).padStart(7, '0')}=4,1`);
    }
    const weakLine = lines.length;
    lines.push(SERVER_LINE, '[Version]', 'signature="$CHICAGO$"', '');
    const text = lines.join('\r\n');
    assert.ok(text.length >= 2 * 1024 * 1024);
    const uri = fixtureUri('large', 'GptTmpl.inf');
    const started = Date.now();
    await c.open(uri, 'secedit-inf', text);
    const diags = await c.diagnostics(uri);
    const elapsed = Date.now() - started;
    assert.deepEqual(diags, [
      diagnostic({
        code: 'smb.server.require',
        severity: ERROR,
        range: on(weakLine, 91, 94),
        message:
          'SMB server signing is not required (RequireSecuritySignature = 0): this host accepts unsigned sessions and can be the target of an NTLM relay over SMB.',
        fixes: [
          { title: 'Require SMB server signing (always)', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(weakLine, 91, 94), newText: '4,1' }] },
          suppressFix('smb.server.require', weakLine, '; relaylint-disable-next-line smb.server.require -- \r\n'),
        ],
      }),
    ]);
    assert.ok(elapsed < 15_000, `diagnostics took ${elapsed} ms`);
    const h = await c.hover(uri, { line: weakLine, character: 92 });
    assert.deepEqual(h?.range, on(weakLine, 91, 94));
    // Typing at the end re-checks the whole document; the server keeps up.
    const version = await c.replace(uri, text.replace(SERVER_LINE, SERVER_LINE.replace('=4,0', '=4,1')));
    assert.equal(version, 2);
    assert.deepEqual(await c.diagnostics(uri), []);
  });

  test('a 2 MB XML report on one line', async () => {
    const uri = fixtureUri('large', 'gpreport.xml');
    const text = `<?xml version="1.0"?><GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings"><Name>${'x'.repeat(2 * 1024 * 1024)}</Name></GPO>`;
    await c.open(uri, 'xml', text);
    await exercise(c, uri, text);
    assert.ok(c.alive);
  });
});

describe('handler errors', () => {
  test('a request that makes a handler throw is answered, logged through the connection, and survived', async () => {
    const c = await LspClient.start();
    try {
      const uri = fixtureUri('weak', 'GptTmpl.inf');
      await c.open(uri, 'secedit-inf', fixtureText('weak', 'GptTmpl.inf'));
      const result = await c.sendRequest('textDocument/hover', { textDocument: { uri }, position: null });
      assert.equal(result, null);
      assert.ok(
        c.logs.some((l) => l.startsWith('relaylint: hover failed:')),
        JSON.stringify(c.logs),
      );
      // Nothing was written to stdout outside the protocol (the connection would have failed).
      assert.ok(!c.logs.some((l) => l.startsWith('stderr:')), JSON.stringify(c.logs));
      assert.equal((await c.diagnostics(uri)).length, 3);
      // A document the server never saw.
      assert.deepEqual(await c.diagnostics(fixtureUri('never', 'opened.inf')), []);
      assert.ok(c.alive);
    } finally {
      await c.stop();
    }
  });
});
