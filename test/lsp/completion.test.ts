/**
 * Completion over real JSON-RPC: setting paths and values in security templates, keys, value
 * names and dword values in .reg files, with display names and meanings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem } from 'vscode-languageserver-protocol/node';
import { settingRuleById, settingRules } from '../../server/src/core';
import { fixtureUri, LspClient } from '../helpers/lsp-client';
import { on } from '../helpers/lsp-expect';

const PROPERTY = 10;
const VALUE = 12;
const MODULE = 9;
const KEYWORD = 14;
const SERVER_PATH = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';

function labels(items: CompletionItem[]): string[] {
  return [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? '')).map((i) => i.label);
}

describe('completion in a security template', () => {
  let c: LspClient;
  const uri = fixtureUri('new', 'GptTmpl.inf');
  before(async () => {
    c = await LspClient.start();
    await c.open(uri, 'secedit-inf', ['[Registry Values]', `${SERVER_PATH}=`, 'Req', '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n'));
  });
  after(async () => {
    await c.stop();
  });

  test('after "=": the valid values with their meanings, the hardened one first and preselected', async () => {
    const rule = settingRuleById('smb.server.require');
    assert.ok(rule);
    const items = await c.completion(uri, { line: 1, character: SERVER_PATH.length + 1 });
    assert.deepEqual(labels(items), ['4,1', '4,0']);
    assert.deepEqual(
      items.find((i) => i.label === '4,1'),
      {
        label: '4,1',
        kind: VALUE,
        textEdit: { range: on(1, 91, 91), newText: '4,1' },
        sortText: '0001',
        detail: rule.values[1],
        documentation: { kind: 'markdown', value: `${rule.values[1]}\n\n**Secure value:** 1 (Enabled)\n\nThis value is hardened.` },
        preselect: true,
      },
    );
    assert.deepEqual(items.find((i) => i.label === '4,0')?.detail, rule.values[0]);
  });

  test('at the start of a line: every Security Option path with its display name', async () => {
    const rule = settingRuleById('smb.server.require');
    assert.ok(rule);
    const items = await c.completion(uri, { line: 2, character: 3 });
    const item = items.find((i) => i.filterText === SERVER_PATH);
    assert.ok(item);
    assert.equal(item.label, 'RequireSecuritySignature');
    assert.equal(item.kind, PROPERTY);
    assert.equal(item.detail, 'Microsoft network server: Digitally sign communications (always)');
    assert.deepEqual(item.labelDetails, { description: 'LanManServer\\Parameters' });
    // The secure value comes with the path: no second completion needed.
    assert.deepEqual(item.textEdit, { range: on(2, 0, 3), newText: `${SERVER_PATH}=4,1` });
    assert.match(
      (item.documentation as { value: string }).value,
      /^\*\*Inserts the secure value\*\* `4,1`\.\n\n\*\*Group Policy setting:\*\* Microsoft network server: Digitally sign communications \(always\)/,
    );
    // Exactly the Security Options of the catalog (the settings a security template carries), nothing from Administrative Templates.
    const expected = settingRules
      .filter((r) => /security options/i.test(r.gpoPath) && r.locations.some((l) => l.hive === 'HKLM'))
      .map((r) => r.displayName)
      .sort();
    assert.deepEqual(items.map((i) => i.detail).sort(), expected);
    assert.ok(expected.length >= 20, `only ${expected.length} Security Options in the catalog`);
    assert.ok(items.every((i) => i.kind === PROPERTY && typeof i.filterText === 'string' && i.filterText.startsWith('MACHINE\\')));
    assert.ok(!items.some((i) => i.detail === settingRuleById('smb.client.guest')?.displayName));
  });

  test('outside [Registry Values] there is nothing to complete', async () => {
    assert.deepEqual(await c.completion(uri, { line: 4, character: 3 }), []);
  });
});

describe('completion in a .reg file', () => {
  let c: LspClient;
  const uri = fixtureUri('new', 'hardening.reg');
  before(async () => {
    c = await LspClient.start();
    await c.open(
      uri,
      'reg',
      [
        'Windows Registry Editor Version 5.00',
        '',
        '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]',
        '"RequireSecuritySignature"=',
        '"',
        '[HKEY',
        '',
      ].join('\r\n'),
    );
  });
  after(async () => {
    await c.stop();
  });

  test('after "=": dword values with meanings', async () => {
    const rule = settingRuleById('smb.client.require');
    assert.ok(rule);
    const items = await c.completion(uri, { line: 3, character: 27 });
    assert.deepEqual(labels(items), ['dword:00000001', 'dword:00000000']);
    const one = items.find((i) => i.label === 'dword:00000001');
    assert.deepEqual(one?.textEdit, { range: on(3, 27, 27), newText: 'dword:00000001' });
    assert.equal(one?.detail, rule.values[1]);
    assert.equal(one?.preselect, true);
  });

  test('a value name under a known key: the value names of that key with display names', async () => {
    const items = await c.completion(uri, { line: 4, character: 1 });
    const expected = settingRules
      .flatMap((r) => r.locations.filter((l) => l.hive === 'HKLM' && l.key.toLowerCase() === 'system\\currentcontrolset\\services\\lanmanworkstation\\parameters').map((l) => l.name))
      .sort();
    assert.deepEqual(items.map((i) => i.label).sort(), expected);
    assert.ok(expected.includes('EnableSecuritySignature') && expected.includes('EnablePlainTextPassword'));
    const item = items.find((i) => i.label === 'RequireSecuritySignature');
    assert.deepEqual(
      { kind: item?.kind, detail: item?.detail, textEdit: item?.textEdit, filterText: item?.filterText },
      {
        kind: PROPERTY,
        detail: 'Microsoft network client: Digitally sign communications (always)',
        textEdit: { range: on(4, 0, 1), newText: '"RequireSecuritySignature"=dword:00000001' },
        filterText: '"RequireSecuritySignature"',
      },
    );
  });

  test('a key line: known keys, inserted with the brackets', async () => {
    const items = await c.completion(uri, { line: 5, character: 5 });
    const item = items.find((i) => i.label === 'HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters');
    assert.ok(item, JSON.stringify(items.map((i) => i.label)));
    assert.equal(item.kind, MODULE);
    assert.deepEqual(item.textEdit, { range: on(5, 0, 5), newText: '[HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters]' });
    assert.ok(item.detail?.includes('Domain controller: LDAP server signing requirements'));
    assert.ok(items.some((i) => i.label === 'HKEY_LOCAL_MACHINE\\Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation'));
  });

  test('the first line: the header', async () => {
    const empty = fixtureUri('new', 'empty.reg');
    await c.open(empty, 'reg', 'Win');
    assert.deepEqual(await c.completion(empty, { line: 0, character: 3 }), [
      {
        label: 'Windows Registry Editor Version 5.00',
        kind: KEYWORD,
        textEdit: { range: on(0, 0, 3), newText: 'Windows Registry Editor Version 5.00' },
        sortText: '0000',
        detail: 'Header of a .reg file (Windows 2000 and later)',
      },
    ]);
  });

  test('XML documents get no completion', async () => {
    const xml = fixtureUri('new', 'Registry.xml');
    await c.open(xml, 'xml', '<?xml version="1.0"?>\n<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">\n</RegistrySettings>\n');
    assert.deepEqual(await c.completion(xml, { line: 1, character: 5 }), []);
  });
});
