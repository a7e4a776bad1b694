/**
 * Completion of a setting inserts the secure value with it (no second completion): for every
 * setting offered, the line it writes is judged hardened by the same engine the diagnostics use.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completionsAt } from '../../server/src/core/completion';
import { lint } from '../../server/src/core/engine';
import { parseText } from '../../server/src/core/parse';
import type { FileFormat } from '../../server/src/core/types';

function completeLine(format: FileFormat, lines: string[], typed: string): { label: string; ruleId?: string; line: string; findings: string[] }[] {
  const head = lines.join('\r\n') + '\r\n';
  const text = head + typed;
  const file = parseText(format === 'inf' ? 'GptTmpl.inf' : 'x.reg', text, 'utf-16le-bom', format);
  return completionsAt(file, text.length)
    .filter((e) => e.kind === 'setting')
    .map((e) => {
      const after = text.slice(0, e.span.start) + e.insertText + text.slice(e.span.end) + '\r\n';
      const parsed = parseText(format === 'inf' ? 'GptTmpl.inf' : 'x.reg', after, 'utf-16le-bom', format);
      const findings = lint(parsed, { role: 'dc', targetOs: 'legacy' })
        .filter((f) => f.ruleId === e.ruleId && !f.message.includes('not required (always) in this file'))
        .map((f) => `${f.ruleId}: ${f.message}`);
      return { label: e.label, ...(e.ruleId ? { ruleId: e.ruleId } : {}), line: e.insertText, findings };
    });
}

describe('completion inserts the secure value', () => {
  test('security template: MACHINE\\…\\Name=4,1 for every Security Option with a preferred value, judged hardened', () => {
    const items = completeLine('inf', ['[Unicode]', 'Unicode=yes', '[Registry Values]'], 'Req');
    assert.ok(items.length >= 20);
    const server = items.find((i) => i.ruleId === 'smb.server.require');
    assert.equal(server?.line, 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1');
    for (const i of items) {
      if (i.line.endsWith('=')) continue; // no single secure value (environment-specific)
      assert.match(i.line, /^MACHINE\\.+=(4,\d+|1,".*")$/, i.label);
      assert.deepEqual(i.findings, [], `${i.label}: ${i.line}`);
    }
    const withValue = items.filter((i) => !i.line.endsWith('='));
    assert.ok(withValue.length >= items.length - 3, `${items.length - withValue.length} settings without a value: ${items.filter((i) => i.line.endsWith('=')).map((i) => i.label)}`);
  });

  test('.reg: the full "Name"=dword:00000001 under a known key, judged hardened', () => {
    const items = completeLine('reg', ['Windows Registry Editor Version 5.00', '', '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]'], '"');
    assert.deepEqual(
      items.find((i) => i.ruleId === 'smb.server.require')?.line,
      '"RequireSecuritySignature"=dword:00000001',
    );
    assert.ok(items.length >= 3);
    for (const i of items) {
      if (i.line.endsWith('=')) continue;
      assert.match(i.line, /^".+"=(dword:[0-9a-f]{8}|".*")$/, i.label);
      assert.deepEqual(i.findings, [], `${i.label}: ${i.line}`);
    }
  });

  test('an existing "=value" is kept: only the name is replaced', () => {
    const text = '[Registry Values]\r\nMACHINE\\Sys=4,0';
    const file = parseText('GptTmpl.inf', text, 'utf-16le-bom', 'inf');
    const e = completionsAt(file, '[Registry Values]\r\nMACHINE\\Sys'.length).find((x) => x.ruleId === 'smb.server.require');
    assert.equal(e?.insertText, 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature');
    assert.deepEqual(e?.span, { start: 19, end: 30 });
  });
});
