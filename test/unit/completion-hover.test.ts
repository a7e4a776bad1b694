/** Core completion and hover cases the LSP tests do not reach: string-valued rules and wrong-type values. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
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
