/**
 * Format providers: one per syntax; the walk, the served set, parse dispatch, value writers,
 * inserts and comment syntax derive from them.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { settingRuleById } from '../../server/src/core/catalog';
import { binaryProviderFor, candidateExtensions, detectByProviders, extensionOf, formatProviders, providerOf, textFormats } from '../../server/src/core/formats';
import { preg } from '../helpers/preg';
import { parseText } from '../../server/src/core/parse';
import { suppressionCommentText } from '../../server/src/core/suppress';
import type { FileFormat, Setting } from '../../server/src/core/types';

const ALL: FileFormat[] = ['inf', 'reg', 'gpp-registry-xml', 'gpo-report-xml', 'rsop-xml', 'registry-pol'];

test('every format has exactly one provider; unknown has none', () => {
  for (const f of ALL) assert.equal(formatProviders.filter((p) => p.formats.includes(f)).length, 1, f);
  assert.equal(providerOf('unknown'), undefined);
  assert.deepEqual(
    formatProviders.map((p) => [p.id, p.formats, p.extensions, p.languageIds, p.editable, !!p.comment]),
    [
      ['inf', ['inf'], ['inf'], ['secedit-inf'], true, true],
      ['reg', ['reg'], ['reg'], ['reg'], true, true],
      ['gpp-registry-xml', ['gpp-registry-xml'], ['xml'], ['xml'], true, true],
      ['gpo-report-xml', ['gpo-report-xml', 'rsop-xml'], ['xml'], ['xml'], false, true],
      ['registry-pol', ['registry-pol'], ['pol'], [], false, false],
    ],
  );
});

test('the walk and the served set derive from the providers', () => {
  assert.deepEqual(candidateExtensions, ['inf', 'reg', 'xml', 'pol']);
  assert.deepEqual(textFormats, ['inf', 'reg', 'gpp-registry-xml', 'gpo-report-xml', 'rsop-xml']);
});

test('suppression comments in each provider syntax', () => {
  const rows: [FileFormat, string][] = [
    ['inf', '  ; relaylint-disable-next-line smb1.server -- \r\n'],
    ['reg', '  ; relaylint-disable-next-line smb1.server -- \r\n'],
    ['gpp-registry-xml', '  <!-- relaylint-disable-next-line smb1.server: -->\r\n'],
    ['rsop-xml', '  <!-- relaylint-disable-next-line smb1.server: -->\r\n'],
  ];
  for (const [format, want] of rows) {
    const comment = providerOf(format)?.comment;
    assert.ok(comment, format);
    assert.equal(suppressionCommentText(comment, 'smb1.server', '  ', '\r\n'), want, format);
  }
});

test('value writers and inserts, per provider', () => {
  const rule = settingRuleById('smb.server.require');
  assert.ok(rule);
  const s = { state: 'set' } as Setting;
  assert.equal(providerOf('inf')?.writeValue?.(s, rule, 1), '4,1');
  assert.equal(providerOf('reg')?.writeValue?.(s, rule, 1), 'dword:00000001');
  assert.equal(providerOf('gpp-registry-xml')?.writeValue?.(s, rule, 1), '00000001');
  assert.equal(providerOf('gpp-registry-xml')?.writeValue?.({ state: 'deleted' } as Setting, rule, 1), undefined);
  assert.equal(providerOf('gpo-report-xml')?.writeValue, undefined);
  const file = parseText('GptTmpl.inf', '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\nMACHINE\\Software\\X\\Y=4,1\r\n', 'utf-16le-bom');
  assert.deepEqual(providerOf('inf')?.insertValue?.(file, rule, 1, file.settings[0]), [
    { start: 67, end: 67, newText: '\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1' },
  ]);
  assert.equal(file.text.slice(0, 67), '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\nMACHINE\\Software\\X\\Y=4,1');
});

test('file names and extensions from any path: after the last / or \\, lower-cased; detection by name from them', () => {
  const rows: [string, string][] = [
    ['GptTmpl.inf', 'inf'],
    ['C:\\SYSVOL\\corp\\Policies\\{A}\\Machine\\Registry.POL', 'pol'],
    ['/srv/sysvol/corp/Policies/{A}/Machine/Preferences/Registry/Registry.xml', 'xml'],
    ['mixed\\sep/gpreport.XML', 'xml'],
    ['folder.with.dots/README', ''],
    ['folder.with.dots\\noext', ''],
    ['trailing/', ''],
    ['.reg', 'reg'],
    ['archive.tar.gz', 'gz'],
    ['', ''],
  ];
  for (const [path, ext] of rows) assert.equal(extensionOf(path), ext, path);
  const pol = preg([]);
  assert.equal(binaryProviderFor('x\\Machine\\REGISTRY.POL', pol)?.id, 'registry-pol');
  assert.equal(binaryProviderFor('x/Machine/registry.pol.bak', new Uint8Array([1, 2, 3])), undefined);
  assert.equal(detectByProviders('C:\\x\\GPTTMPL.INF', '[Unicode]\r\nUnicode=yes\r\n'), 'inf');
  assert.equal(detectByProviders('x.inf/notes.txt', 'hello'), 'unknown');
});
