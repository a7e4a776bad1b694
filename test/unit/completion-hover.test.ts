/** Core completion and hover cases the LSP tests do not reach: string-valued rules and wrong-type values. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completionsAt } from '../../server/src/core/completion';
import { hoverAt } from '../../server/src/core/hover';
import { parseText } from '../../server/src/core/parse';

test('.reg completion for a hardened UNC path offers the hardened string, not flag numbers', () => {
  const text = [
    'Windows Registry Editor Version 5.00',
    '',
    '[HKEY_LOCAL_MACHINE\\Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths]',
    '"\\\\\\\\*\\\\SYSVOL"=',
    '',
  ].join('\r\n');
  const file = parseText('x.reg', text, 'utf-8');
  const offset = text.indexOf('"=') + 2;
  assert.deepEqual(
    completionsAt(file, offset).map((c) => c.label),
    ['"RequireMutualAuthentication=1, RequireIntegrity=1"'],
  );
});

test('a string where a DWORD belongs gets no value meaning in the hover', () => {
  const text =
    '<RegistrySettings><Registry name="x"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1" type="REG_SZ" value="1"/></Registry></RegistrySettings>';
  const file = parseText('Registry.xml', text, 'utf-8');
  const h = hoverAt(file, text.indexOf('value="1"') + 7);
  assert.ok(h, 'hover');
  assert.match(h.markdown, /Configure SMB v1 server/);
  const line = h.markdown.split('\n').find((l) => l.startsWith('**This value:**'));
  assert.equal(line?.trimEnd(), '**This value:** `1`');
});

test('text from the file in the hover is Markdown-escaped: a GPO name or a value cannot make a link, close a code span or end the paragraph', () => {
  const name = '``[x](command:workbench.action.terminal.new)` <b>\n\n[y](https://evil.example) $(alert) & ~';
  const xml = readFileSync(join(__dirname, '../../../test/fixtures/xml/hardenad-smb-signing-configuration__gpreport.xml'))
    .toString('utf16le')
    .replace(/^\uFEFF/, '')
    .replace('<Name>HAD_SMB-Signing_Configuration</Name>', `<Name>${name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '&#10;')}</Name>`);
  const report = parseText('gpreport.xml', xml, 'utf-8');
  const setting = report.settings.find((s) => s.name === 'EnablePlainTextPassword');
  assert.ok(setting);
  const h = hoverAt(report, setting.span.start);
  assert.ok(h, 'hover');
  assert.equal(
    h.markdown.split('\n').find((l) => l.startsWith('**GPO:**')),
    '**GPO:** \\`\\`\\[x\\](command:workbench.action.terminal.new)\\` \\<b\\>  \\[y\\](https://evil.example) \\$(alert) \\& \\~',
  );
  // A value's code span is fenced past its longest run of backticks, on one line.
  const reg =
    '<RegistrySettings><Registry name="x"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths" name="\\\\*\\SYSVOL" type="REG_SZ" value="a``[x](command:foo)``b&#10;&#10;[y](command:bar)"/></Registry></RegistrySettings>';
  const gpp = parseText('Registry.xml', reg, 'utf-8');
  const v = hoverAt(gpp, reg.indexOf('value="') + 8);
  assert.ok(v, 'hover');
  assert.equal(v.markdown.split('\n').find((l) => l.startsWith('**This value:**'))?.trimEnd(), '**This value:** ```a``[x](command:foo)``b  [y](command:bar)```');
});
