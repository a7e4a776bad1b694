/**
 * Pull diagnostics over real JSON-RPC against the bundled server: full payloads for each format,
 * XML that is not Group Policy left alone, encoding surprises, and settings changes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { MarkupContent } from 'vscode-languageserver-protocol/node';
import { after, before, describe, test } from 'node:test';
import { fixturePath, fixtureText, fixtureUri, LspClient } from '../helpers/lsp-client';
import { diagnostic, ERROR, INFO, on, suppressFix, WARNING } from '../helpers/lsp-expect';

const INF = ['weak', 'GptTmpl.inf'];
const SERVER_REQUIRE_MSG =
  'SMB server signing is not required (RequireSecuritySignature = 0): this host accepts unsigned sessions and can be the target of an NTLM relay over SMB.';
const CLIENT_REQUIRE_MSG =
  'SMB client signing is not required (RequireSecuritySignature = 0): sessions to servers that do not require signing run unsigned, so a spoofed or intercepting server can tamper with them.';
const CBT_MSG =
  'On domain controllers: LDAP channel binding is never checked (LdapEnforceChannelBinding = 0, Never): an attacker who sits in a client\'s TLS connection can relay its NTLM authentication to LDAPS.';
const PLAINTEXT_MSG =
  'EnablePlainTextPassword = 1 lets the SMB client send passwords in clear text to servers that claim not to support encryption, so a rogue server or anyone sniffing gets the password.';
const GUEST_MSG =
  'Insecure guest logons are allowed (AllowInsecureGuestAuth = 1): the SMB client accepts unauthenticated sessions that cannot be signed or encrypted, so a spoofed server can serve it files.';
const SMB1_MSG =
  'The SMBv1 server is enabled (SMB1 = 1): clients can connect with SMBv1, whose weak signing and missing downgrade protection make tampering and relay easier.';

/** The three findings of the weak security template (UTF-16LE + BOM + CRLF on disk). */
export function weakInfDiagnostics(version = 1) {
  return [
    diagnostic({
      code: 'smb.server.require',
      severity: ERROR,
      range: on(5, 91, 94),
      message: SERVER_REQUIRE_MSG,
      version,
      fixes: [
        { title: 'Require SMB server signing (always)', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(5, 91, 94), newText: '4,1' }] },
        suppressFix('smb.server.require', 5, '; relaylint-disable-next-line smb.server.require -- \r\n'),
      ],
    }),
    diagnostic({
      code: 'smb.client.require',
      severity: WARNING,
      range: on(6, 96, 99),
      message: CLIENT_REQUIRE_MSG,
      version,
      fixes: [
        { title: 'Require SMB client signing (always)', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(6, 96, 99), newText: '4,1' }] },
        {
          title: "Enable 'if server agrees' first (rollout step)",
          kind: 'insert',
          edits: [{ range: on(8, 87, 87), newText: '\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,1' }],
        },
        suppressFix('smb.client.require', 6, '; relaylint-disable-next-line smb.client.require -- \r\n'),
      ],
    }),
    diagnostic({
      code: 'ldap.server.cbt',
      severity: ERROR,
      range: on(8, 84, 87),
      message: CBT_MSG,
      version,
      fixes: [
        { title: 'Require channel binding: Always', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(8, 84, 87), newText: '4,2' }] },
        { title: "Set channel binding to 'When supported' first (rollout step)", kind: 'value', edits: [{ range: on(8, 84, 87), newText: '4,1' }] },
        suppressFix('ldap.server.cbt', 8, '; relaylint-disable-next-line ldap.server.cbt -- \r\n'),
      ],
    }),
  ];
}

describe('diagnostics', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start();
  });
  after(async () => {
    await c.stop();
  });

  test('initialize advertises pull diagnostics, quick fixes, fix-all, hover and completion', () => {
    assert.deepEqual(c.initializeResult, {
      capabilities: {
        // Incremental changes; didSave so that a saved export recomputes the workspace domain model.
        textDocumentSync: { openClose: true, change: 2, save: { includeText: false } },
        diagnosticProvider: { identifier: 'relaylint', interFileDependencies: false, workspaceDiagnostics: false },
        codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.relaylint'] },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['=', '\\', '"', '['], resolveProvider: false },
        executeCommandProvider: { commands: ['relaylint.showDocumentation'] },
      },
      serverInfo: { name: 'relaylint' },
    });
  });

  test('a weak GptTmpl.inf (UTF-16LE with BOM on disk): value ranges, catalog severities, staged and paired fixes', async () => {
    const uri = fixtureUri(...INF);
    await c.open(uri, 'secedit-inf', fixtureText(...INF));
    assert.deepEqual(await c.diagnostics(uri), weakInfDiagnostics());
    // Settings are read for the document itself.
    assert.ok(c.configurationRequests.includes(uri));
  });

  test('a .reg file: dword ranges, LF suppressions, and the duplicate linked to its first occurrence', async () => {
    const uri = fixtureUri('nas.reg');
    await c.open(uri, 'reg', fixtureText('nas.reg'));
    assert.deepEqual(await c.diagnostics(uri), [
      {
        range: on(9, 0, 39),
        severity: WARNING,
        code: 'file.duplicate',
        codeDescription: { href: 'file:///docs/rules/file.duplicate.md' },
        source: 'relaylint',
        message:
          'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\LanmanWorkstation\\AllowInsecureGuestAuth is set again here; it was first set on line 9. Windows applies .reg lines in order, so the later line wins.',
        relatedInformation: [{ location: { uri, range: on(8, 0, 39) }, message: 'first set here' }],
        data: { ruleId: 'file.duplicate', version: 1, fixes: [] },
      },
      diagnostic({
        code: 'smb.client.require',
        severity: WARNING,
        range: on(4, 27, 41),
        message: CLIENT_REQUIRE_MSG,
        fixes: [
          { title: 'Require SMB client signing (always)', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(4, 27, 41), newText: 'dword:00000001' }] },
          {
            title: "Enable 'if server agrees' first (rollout step)",
            kind: 'insert',
            edits: [{ range: on(4, 41, 41), newText: '\n"EnableSecuritySignature"=dword:00000001' }],
          },
          suppressFix('smb.client.require', 4, '; relaylint-disable-next-line smb.client.require -- \n'),
        ],
      }),
      diagnostic({
        code: 'smb.client.plaintext',
        severity: ERROR,
        range: on(5, 26, 40),
        message: PLAINTEXT_MSG,
        fixes: [
          { title: 'Never send unencrypted passwords to SMB servers', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(5, 26, 40), newText: 'dword:00000000' }] },
          suppressFix('smb.client.plaintext', 5, '; relaylint-disable-next-line smb.client.plaintext -- \n'),
        ],
      }),
      diagnostic({
        code: 'smb.client.guest',
        severity: ERROR,
        range: on(8, 25, 39),
        message: GUEST_MSG,
        fixes: [
          { title: 'Disable insecure guest logons', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(8, 25, 39), newText: 'dword:00000000' }] },
          suppressFix('smb.client.guest', 8, '; relaylint-disable-next-line smb.client.guest -- \n'),
        ],
      }),
    ]);
  });

  test('a GPP Registry.xml (XML picked by path and root element): the value attribute is the range', async () => {
    const parts = ['Machine', 'Preferences', 'Registry', 'Registry.xml'];
    const uri = fixtureUri(...parts);
    await c.open(uri, 'xml', fixtureText(...parts));
    assert.deepEqual(await c.diagnostics(uri), [
      diagnostic({
        code: 'smb.server.require',
        severity: ERROR,
        range: on(2, 411, 419),
        message: SERVER_REQUIRE_MSG,
        fixes: [
          { title: 'Require SMB server signing (always)', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(2, 411, 419), newText: '00000001' }] },
          suppressFix('smb.server.require', 2, '  <!-- relaylint-disable-next-line smb.server.require: -->\n'),
        ],
      }),
      diagnostic({
        code: 'smb1.server',
        severity: ERROR,
        range: on(3, 351, 359),
        message: SMB1_MSG,
        fixes: [
          { title: 'Disable the SMBv1 server', kind: 'value', preferred: true, unsafe: true, edits: [{ range: on(3, 351, 359), newText: '00000000' }] },
          suppressFix('smb1.server', 3, '  <!-- relaylint-disable-next-line smb1.server: -->\n'),
        ],
      }),
    ]);
  });

  test('a gpreport.xml: the message names the GPO setting to change, and only a suppression is offered', async () => {
    const uri = fixtureUri('gpreport.xml');
    await c.open(uri, 'xml', fixtureText('gpreport.xml'));
    assert.deepEqual(await c.diagnostics(uri), [
      diagnostic({
        code: 'smb.server.require',
        severity: ERROR,
        range: on(9, 28, 29),
        message:
          SERVER_REQUIRE_MSG +
          ' Change "Microsoft network server: Digitally sign communications (always)" to 1 (Enabled) in the GPO "Workstation hardening": Computer Configuration > Policies > Windows Settings > Security Settings > Local Policies > Security Options.',
        fixes: [suppressFix('smb.server.require', 7, '        <!-- relaylint-disable-next-line smb.server.require: -->\r\n')],
      }),
      diagnostic({
        code: 'smb1.server',
        severity: ERROR,
        range: on(23, 20, 27),
        message:
          SMB1_MSG +
          ' Change "Configure SMB v1 server" to 0 (policy Disabled) in the GPO "Workstation hardening": Computer Configuration > Policies > Administrative Templates > MS Security Guide (SecGuide.admx, shipped with the Microsoft security baselines).',
        fixes: [suppressFix('smb1.server', 21, '        <!-- relaylint-disable-next-line smb1.server: -->\r\n')],
      }),
    ]);
  });

  test('other XML is left alone even when its name matches a pattern', async () => {
    const uri = fixtureUri('other', 'gpreport-notes.xml');
    await c.open(uri, 'xml', fixtureText('other', 'gpreport-notes.xml'));
    assert.deepEqual(await c.diagnostics(uri), []);
    assert.equal(await c.hover(uri, { line: 2, character: 12 }), null);
  });

  test('a driver INF that the first-line rule gave the secedit-inf language is left alone', async () => {
    const uri = fixtureUri('driver', 'netdrv.inf');
    // As a security template its comment would get the parser's "comments are not part of the format" hint.
    const text = ['[Version]', '; Contoso network adapter', 'Signature="$WINDOWS NT$"', 'Class=Net', '[Manufacturer]', '%Contoso%=Contoso,NTamd64', '[Strings]', 'Contoso="Contoso"', ''].join('\r\n');
    await c.open(uri, 'secedit-inf', text);
    assert.deepEqual(await c.diagnostics(uri), []);
    assert.equal(await c.hover(uri, { line: 1, character: 3 }), null);
    assert.deepEqual(await c.completion(uri, { line: 2, character: 3 }), []);
  });

  test('a security template saved as 8-bit text: the encoding on disk becomes a diagnostic', async () => {
    const uri = fixtureUri('utf8', 'GptTmpl.inf');
    await c.open(uri, 'secedit-inf', fixtureText('utf8', 'GptTmpl.inf'));
    assert.deepEqual(await c.diagnostics(uri), [
      diagnostic({
        code: 'file.encoding',
        severity: WARNING,
        range: on(0, 0, 9),
        message:
          'This security template is ASCII. GPMC and MS-GPSB use UTF-16LE with a BOM (FF FE); Windows or other tools may not read it as intended.',
      }),
    ]);
  });

  test('a UTF-16LE file the editor opened as 8-bit text is reported, not misread silently', async () => {
    // The file is UTF-16LE without a BOM; an editor that reads it as 8-bit text shows NULs between the letters.
    const uri = fixtureUri('utf16-nobom', 'GptTmpl.inf');
    const bytesAsText = readFileSync(fixturePath('utf16-nobom', 'GptTmpl.inf')).toString('latin1');
    await c.open(uri, 'secedit-inf', bytesAsText);
    const diags = await c.diagnostics(uri);
    assert.deepEqual(
      diags[0],
      diagnostic({
        code: 'file.encoding',
        severity: ERROR,
        range: on(0, 0, 0),
        message:
          'The file on disk is UTF-16LE, but the editor opened it as 8-bit text (NUL characters between the letters), so nothing in it can be read. ' +
          'Reopen it with the encoding "UTF-16 LE"; Group Policy tools write UTF-16LE with a byte order mark.',
      }),
    );
    // The parser then reports the encoding it was told about, and what it could not read.
    assert.deepEqual(
      diags.map((d) => d.code),
      ['file.encoding', 'file.encoding', 'file.parse'],
    );
  });

  test('an untitled security template is judged without guessing its encoding', async () => {
    const uri = 'untitled:Untitled-1';
    const text = '[Registry Values]\nMACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnablePlainTextPassword=4,1\n';
    await c.open(uri, 'secedit-inf', text);
    const diags = await c.diagnostics(uri);
    assert.deepEqual(
      diags.map((d) => [d.code, d.range]),
      [['smb.client.plaintext', on(1, 95, 98)]],
    );
  });

  test('edits are re-checked on the next pull, with the new version in data', async () => {
    const uri = fixtureUri('edited', 'GptTmpl.inf');
    await c.open(uri, 'secedit-inf', fixtureText(...INF));
    assert.equal((await c.diagnostics(uri)).length, 3);
    const text = fixtureText(...INF).replace('LanManServer\\Parameters\\RequireSecuritySignature=4,0', 'LanManServer\\Parameters\\RequireSecuritySignature=4,1');
    const version = await c.replace(uri, text);
    assert.deepEqual(await c.diagnostics(uri), weakInfDiagnostics(version).slice(1));
  });
});

describe('settings', () => {
  test('a settings change asks for a refresh; the next pull uses the new role and severities', async () => {
    const c = await LspClient.start();
    try {
      const uri = fixtureUri(...INF);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      assert.deepEqual((await c.diagnostics(uri)).map((d) => [d.code, d.severity]), [
        ['smb.server.require', ERROR],
        ['smb.client.require', WARNING],
        ['ldap.server.cbt', ERROR],
      ]);
      const refreshed = c.nextRefresh();
      await c.changeConfiguration((scope) =>
        scope === uri ? { role: 'member', rules: { 'smb.server.require': 'off', 'smb.client.require': 'info', 'not.a.rule': 'error', 'smb1.server': 'loud' } } : {},
      );
      await refreshed;
      // role member: the DC-only channel-binding rule is not judged; server signing off; client signing down to info.
      const after = await c.diagnostics(uri);
      assert.deepEqual(after, [{ ...weakInfDiagnostics()[1], severity: INFO }]);
    } finally {
      await c.stop();
    }
  });

  test('relaylint.enable false: no diagnostics and no fixes, hovers stay', async () => {
    const c = await LspClient.start({ settings: () => ({ enable: false }) });
    try {
      const uri = fixtureUri(...INF);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      assert.deepEqual(await c.diagnostics(uri), []);
      assert.deepEqual(await c.codeActions(uri, on(5, 91, 94), weakInfDiagnostics()), []);
      const h = await c.hover(uri, { line: 5, character: 92 });
      assert.match((h?.contents as MarkupContent).value, /^### SMB server signing must be required/);
    } finally {
      await c.stop();
    }
  });

  test('settings are read per document (scopeUri), not shared between documents', async () => {
    const reg = fixtureUri('nas.reg');
    const inf = fixtureUri(...INF);
    const c = await LspClient.start({ settings: (scope) => (scope === reg ? { rules: { 'smb.client.require': 'off' } } : {}) });
    try {
      await c.open(reg, 'reg', fixtureText('nas.reg'));
      await c.open(inf, 'secedit-inf', fixtureText(...INF));
      assert.deepEqual((await c.diagnostics(reg)).map((d) => d.code), ['file.duplicate', 'smb.client.plaintext', 'smb.client.guest']);
      assert.deepEqual((await c.diagnostics(inf)).map((d) => d.code), ['smb.server.require', 'smb.client.require', 'ldap.server.cbt']);
    } finally {
      await c.stop();
    }
  });

  test('a client without workspace/configuration pushes settings with didChangeConfiguration', async () => {
    const c = await LspClient.start({ noConfiguration: true });
    try {
      const uri = fixtureUri(...INF);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      assert.equal((await c.diagnostics(uri)).length, 3);
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { relaylint: { role: 'member' } } });
      assert.deepEqual((await c.diagnostics(uri)).map((d) => d.code), ['smb.server.require', 'smb.client.require']);
      assert.deepEqual(c.configurationRequests, []);
    } finally {
      await c.stop();
    }
  });
});
