/**
 * The server decides the format from the URI and the content, not from the language id the client
 * sends: Emacs Eglot (started from one buffer) sends one id for every file it manages. Real JSON-RPC
 * against the bundled server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { fixtureText, fixtureUri, LspClient } from '../helpers/lsp-client';
import { on } from '../helpers/lsp-expect';

const INF = ['weak', 'GptTmpl.inf'];
const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);

const POM = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<!DOCTYPE project [<!ENTITY x "y">]>',
  '<project xmlns="http://maven.apache.org/POM/4.0.0">',
  '  <modelVersion>4.0.0</modelVersion>',
  '  <properties><RequireSecuritySignature>0</RequireSecuritySignature></properties>',
  '  <unclosed>',
  '</project>',
  '',
].join('\n');

const DRIVER_INF = ['[Version]', 'Signature="$WINDOWS NT$"', 'Class=Net', '[Manufacturer]', '%Mfg%=Models', '[Strings]', 'Mfg="Contoso"', ''].join('\r\n');

describe('format detection by URI and content, whatever the language id', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start();
  });
  after(async () => {
    await c.stop();
  });

  test('a GptTmpl.inf sent as "reg" (Eglot) gets exactly the security-template diagnostics', async () => {
    const uri = fixtureUri(...INF);
    await c.open(uri, 'secedit-inf', fixtureText(...INF));
    const expected = await c.diagnostics(uri);
    await c.close(uri);
    assert.deepEqual(codes(expected), ['smb.server.require@5:91', 'smb.client.require@6:96', 'ldap.server.cbt@8:84']);
    for (const lang of ['reg', 'xml', 'plaintext', 'dosini', 'fundamental']) {
      await c.open(uri, lang, fixtureText(...INF));
      assert.deepEqual(await c.diagnostics(uri), expected, lang);
      await c.close(uri);
    }
  });

  test('a pom.xml sent as "reg" or "xml" gets nothing: no diagnostics, hover, completion or code action', async () => {
    const uri = fixtureUri('detect', 'pom.xml');
    for (const lang of ['reg', 'xml', 'secedit-inf']) {
      await c.open(uri, lang, POM);
      assert.deepEqual(await c.diagnostics(uri), [], lang);
      assert.equal(await c.hover(uri, { line: 4, character: 20 }), null);
      assert.deepEqual(await c.completion(uri, { line: 4, character: 20 }), []);
      assert.deepEqual(await c.codeActions(uri, on(4, 0, 10), [], ['source.fixAll.relaylint']), []);
      await c.close(uri);
    }
  });

  test('a GPO report saved under its own name (DefaultDomainControllersPolicy.xml) is checked', async () => {
    const reportUri = fixtureUri('gpreport.xml');
    await c.open(reportUri, 'xml', fixtureText('gpreport.xml'));
    const expected = await c.diagnostics(reportUri);
    await c.close(reportUri);
    assert.deepEqual(codes(expected), ['smb.server.require@9:28', 'smb1.server@23:20']);
    const uri = fixtureUri('detect', 'DefaultDomainControllersPolicy.xml');
    for (const lang of ['xml', 'reg', 'plaintext']) {
      await c.open(uri, lang, fixtureText('gpreport.xml'));
      const got = await c.diagnostics(uri);
      assert.deepEqual(codes(got), codes(expected), lang);
      assert.deepEqual(
        got.map((d) => d.message),
        expected.map((d) => d.message),
      );
      await c.close(uri);
    }
  });

  test('a .reg file sent as "secedit-inf" is read as .reg', async () => {
    const uri = fixtureUri('nas.reg');
    await c.open(uri, 'reg', fixtureText('nas.reg'));
    const expected = await c.diagnostics(uri);
    await c.close(uri);
    assert.ok(expected.length > 0);
    await c.open(uri, 'secedit-inf', fixtureText('nas.reg'));
    assert.deepEqual(await c.diagnostics(uri), expected);
    await c.close(uri);
  });

  test('a driver INF is left alone, even when the client calls it a security template', async () => {
    const uri = fixtureUri('detect', 'netdriver.inf');
    for (const lang of ['secedit-inf', 'reg', 'inf']) {
      await c.open(uri, lang, DRIVER_INF);
      assert.deepEqual(await c.diagnostics(uri), [], lang);
      assert.deepEqual(await c.completion(uri, { line: 1, character: 3 }), [], lang);
      await c.close(uri);
    }
  });

  test('the language id decides only for a buffer that has no name or content to go by', async () => {
    const uri = 'untitled:Untitled-1';
    // A new buffer the user marked as a .reg file: "Win" is no proof yet, the language id decides.
    await c.open(uri, 'reg', 'Win');
    assert.deepEqual(
      (await c.completion(uri, { line: 0, character: 3 })).map((i) => i.label),
      ['Windows Registry Editor Version 5.00'],
    );
    await c.close(uri);
    await c.open(uri, 'plaintext', 'Win');
    assert.deepEqual(await c.completion(uri, { line: 0, character: 3 }), []);
    await c.close(uri);
    // A named XML file is never a .reg file, whatever the id.
    await c.open(fixtureUri('detect', 'new.xml'), 'reg', 'Win');
    assert.deepEqual(await c.completion(fixtureUri('detect', 'new.xml'), { line: 0, character: 3 }), []);
    // Once content says what the buffer is, the content wins over the language id.
    await c.open(uri, 'plaintext', fixtureText(...INF));
    assert.deepEqual(codes(await c.diagnostics(uri)), ['smb.server.require@5:91', 'smb.client.require@6:96', 'ldap.server.cbt@8:84']);
    await c.close(uri);
  });
});
