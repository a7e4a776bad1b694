/**
 * Fixes under random input (issue 6: "--fix and editor fixes"). The corpus is mostly hardened, so
 * this suite generates files full of weak values: random subsets of the catalog's settings with
 * random values, as a security template, a .reg file and a GPP Registry.xml, with random comments,
 * blank lines, duplicates, junk lines and random line endings, written in random encodings.
 *
 * Properties:
 * - every fix of every finding lies inside the document, has non-overlapping edits, applies, and
 *   the result re-parses (and keeps every position inside);
 * - fix-all is idempotent: after applying `fixAllEdits` and linting again, no preferred fix is left
 *   (what makes a second `--fix` a no-op);
 * - byte level: `applyEditsToBytes` on the original bytes leaves every byte outside the edited spans
 *   as it was (prefix, suffix and every gap between edits compared byte for byte), keeps the BOM and
 *   the line endings, and decodes to exactly `applyEdits(text)`; for UTF-16LE + BOM + CRLF,
 *   UTF-8 without BOM + LF, mixed line endings, and the other encodings.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { settingRules } from '../../../server/src/core/catalog';
import type { SettingRule } from '../../../server/src/core/catalog/types';
import { fixAllEdits, lint } from '../../../server/src/core/engine';
import { parseBytes } from '../../../server/src/core/parse';
import { applyEdits, applyEditsToBytes, byteOffsetOf, decode } from '../../../server/src/core/text';
import type { TextEdit } from '../../../server/src/core/types';
import { checkAll, encodeText, LINT_OPTIONS, mutate, mutations, runs, SEED, withEol, type TargetEncoding } from './support';

const FULL_HIVE: Record<string, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER', HKU: 'HKEY_USERS', HKCR: 'HKEY_CLASSES_ROOT', HKCC: 'HKEY_CURRENT_CONFIG' };

interface Entry {
  rule: SettingRule;
  loc: number;
  value: number | string;
  /** Write the value as a string although the rule wants a DWORD (or the other way round). */
  wrongType: boolean;
}

function candidateValues(rule: SettingRule): (number | string)[] {
  if (rule.valueType === 'REG_DWORD') return [...new Set([...Object.keys(rule.values).map(Number), 0, 1, 2, 3, 5, 536870912, 0xffffffff])];
  return ['', 'x', 'RequireMutualAuthentication=1, RequireIntegrity=1', 'RequireMutualAuthentication=0', '1', 'a"b\\c', 'é€'];
}

const entry: fc.Arbitrary<Entry> = fc
  .record({ r: fc.nat(settingRules.length - 1), loc: fc.nat(), v: fc.nat(), wrongType: fc.boolean() })
  .map(({ r, loc, v, wrongType }) => {
    const rule = settingRules[r];
    const values = candidateValues(rule);
    const value = values[v % values.length];
    // Some DWORD values are written as strings (the wrong type); the rest as the rule wants.
    return { rule, loc: loc % rule.locations.length, value: wrongType && v % 4 === 0 ? String(value) : value, wrongType };
  });

const noise = fc.constantFrom('', '', '', 'comment', 'blank', 'junk', 'dup');

interface Doc {
  text: string;
  name: string;
}

function infDoc(entries: Entry[], extra: string[], withSection: boolean): Doc {
  const lines = ['[Unicode]', 'Unicode=yes'];
  if (withSection) lines.push('[Registry Values]');
  let prev = '';
  entries.forEach((e, i) => {
    const loc = e.rule.locations[e.loc];
    const data = typeof e.value === 'number' ? `4,${e.value}` : `1,"${e.value}"`;
    const line = `${loc.hive === 'HKLM' ? 'MACHINE' : 'USER'}\\${loc.key}\\${loc.name}=${data}`;
    if (!withSection) return;
    if (extra[i] === 'comment') lines.push('; relaylint robustness comment');
    if (extra[i] === 'blank') lines.push('');
    if (extra[i] === 'junk') lines.push('this is not a value');
    if (extra[i] === 'dup' && prev) lines.push(prev);
    lines.push(line);
    prev = line;
  });
  lines.push('[Version]', 'signature="$CHICAGO$"', 'Revision=1');
  return { text: lines.join('\n') + '\n', name: 'GptTmpl.inf' };
}

const regString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function regDoc(entries: Entry[], extra: string[]): Doc {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  entries.forEach((e, i) => {
    const loc = e.rule.locations[e.loc];
    const data = typeof e.value === 'number' ? `dword:${(e.value >>> 0).toString(16).padStart(8, '0')}` : regString(e.value);
    if (extra[i] === 'comment') lines.push('; relaylint robustness comment');
    if (extra[i] === 'junk') lines.push('junk line');
    lines.push(`[${FULL_HIVE[loc.hive]}\\${loc.key}]`);
    if (extra[i] === 'dup') lines.push(`"${loc.name}"=-`);
    lines.push(`"${loc.name}"=${data}`);
    if (extra[i] === 'blank') lines.push('');
  });
  return { text: lines.join('\n') + '\n', name: 'import.reg' };
}

const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function gppDoc(entries: Entry[], extra: string[]): Doc {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">'];
  entries.forEach((e, i) => {
    const loc = e.rule.locations[e.loc];
    const type = typeof e.value === 'number' ? 'REG_DWORD' : 'REG_SZ';
    const value = typeof e.value === 'number' ? (e.value >>> 0).toString(16).toUpperCase().padStart(8, '0') : xmlAttr(e.value);
    const action = extra[i] === 'dup' ? 'D' : 'U';
    if (extra[i] === 'comment') lines.push('  <!-- relaylint robustness comment -->');
    if (extra[i] === 'blank') lines.push('');
    lines.push(
      `  <Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="${loc.name}" status="${loc.name}" image="12" uid="{00000000-0000-0000-0000-${String(i).padStart(12, '0')}}"${extra[i] === 'junk' ? ' disabled="1"' : ''}>`,
      `    <Properties action="${action}" displayDecimal="1" default="0" hive="${FULL_HIVE[loc.hive]}" key="${xmlAttr(loc.key)}" name="${xmlAttr(loc.name)}" type="${type}" value="${value}"/>`,
      '  </Registry>',
    );
  });
  lines.push('</RegistrySettings>');
  return { text: lines.join('\n') + '\n', name: 'Registry.xml' };
}

const doc: fc.Arbitrary<Doc> = fc
  .record({
    format: fc.constantFrom('inf', 'reg', 'gpp'),
    entries: fc.array(entry, { minLength: 1, maxLength: 24 }),
    extra: fc.array(noise, { minLength: 24, maxLength: 24 }),
    withSection: fc.boolean(),
  })
  .map(({ format, entries, extra, withSection }) =>
    format === 'inf' ? infDoc(entries, extra, withSection || entries.length > 3) : format === 'reg' ? regDoc(entries, extra) : gppDoc(entries, extra),
  );

const ENCODINGS: TargetEncoding[] = ['utf-16le-bom', 'utf-16le', 'utf-8-bom', 'utf-8', 'ansi'];
const EOLS = ['crlf', 'lf', 'mixed'] as const;

/** Bytes outside the edits are unchanged: compare the prefix, every gap and the suffix. */
function assertOnlyEditsChanged(bytes: Buffer, out: Buffer, decoded: ReturnType<typeof decode>, edits: readonly TextEdit[]): void {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let inPos = 0;
  let outPos = 0;
  for (const e of sorted) {
    const from = byteOffsetOf(decoded, e.start);
    const to = byteOffsetOf(decoded, e.end);
    const gap = from - inPos;
    assert.ok(bytes.subarray(inPos, from).equals(out.subarray(outPos, outPos + gap)), `bytes ${inPos}..${from} before an edit changed`);
    const newBytes = Buffer.byteLength(
      e.newText,
      decoded.encoding === 'utf-16le' || decoded.encoding === 'utf-16le-bom' ? 'utf16le' : decoded.encoding.startsWith('utf-8') ? 'utf8' : 'latin1',
    );
    inPos = to;
    outPos += gap + newBytes;
  }
  assert.ok(bytes.subarray(inPos).equals(out.subarray(outPos)), `bytes after the last edit (from ${inPos}) changed`);
  assert.equal(out.length - outPos, bytes.length - inPos);
}

describe('fixes on generated weak files', () => {
  test('every fix applies and re-parses; fix-all is idempotent (a second --fix changes nothing)', () => {
    let fixes = 0;
    fc.assert(
      fc.property(doc, fc.constantFrom(...EOLS), fc.constantFrom(...LINT_OPTIONS), ({ text: raw, name }, eol, options) => {
        const text = withEol(raw, eol);
        const bytes = encodeText(text, 'utf-16le-bom') as Buffer;
        const p = parseBytes(name, bytes);
        assert.equal(p.text, text);
        const findings = checkAll(name, p, bytes.length, options, { everyFix: true, idempotent: true, features: [0, text.length >> 1] });
        fixes += findings.reduce((n, f) => n + f.fixes.length, 0);
      }),
      { seed: SEED, numRuns: runs(600) },
    );
    assert.ok(fixes > 1000, `only ${fixes} fixes were exercised`);
  });

  test('applyEditsToBytes changes nothing outside the edited spans, in every encoding and line-ending style', () => {
    let edited = 0;
    fc.assert(
      fc.property(doc, fc.constantFrom(...EOLS), fc.constantFrom(...ENCODINGS), fc.boolean(), ({ text: raw, name }, eol, enc, one) => {
        const text = withEol(raw, eol);
        const bytes = encodeText(text, enc);
        if (!bytes) return;
        const p = parseBytes(name, bytes);
        const decoded = decode(bytes);
        assert.equal(p.text, decoded.text);
        const findings = lint(p, LINT_OPTIONS[0]);
        // Fix-all, or one random fix of any kind (value, insert, suppress).
        const all = findings.flatMap((f) => f.fixes);
        const edits = one ? (all.length ? all[text.length % all.length].edits : []) : fixAllEdits(findings, { unsafe: true });
        if (!edits.length) return;
        edited++;
        const out = applyEditsToBytes(bytes, decoded, edits);
        assertOnlyEditsChanged(bytes, out, decoded, edits);
        const back = decode(out);
        assert.equal(back.text, applyEdits(p.text, edits), `${enc}: the new bytes do not decode to the edited text`);
        assert.equal(back.bomLength, decoded.bomLength);
        if (enc !== 'ansi' && enc !== 'utf-8') assert.equal(back.encoding, decoded.encoding);
        // A second fix-all on the written bytes writes nothing.
        if (!one) {
          const again = fixAllEdits(lint(parseBytes(name, out), LINT_OPTIONS[0]), { unsafe: true });
          assert.deepEqual(again, [], `${enc} + ${eol}: a second --fix would change the file again`);
        }
      }),
      { seed: SEED, numRuns: runs(800) },
    );
    assert.ok(edited > 200, `only ${edited} inputs had edits`);
  });

  test('mutated weak files: fixes apply and re-parse, fix-all is idempotent, bytes outside the edits stay', () => {
    let edited = 0;
    fc.assert(
      fc.property(doc, fc.constantFrom(...EOLS), fc.constantFrom(...ENCODINGS), mutations, fc.constantFrom(...LINT_OPTIONS), ({ text: raw, name }, eol, enc, ms, options) => {
        const clean = encodeText(withEol(raw, eol), enc);
        if (!clean) return;
        const bytes = mutate(clean, ms);
        const p = parseBytes(name, bytes);
        const findings = checkAll(name, p, bytes.length, options, { everyFix: true, idempotent: true, features: [p.text.length >> 1] });
        if (p.encoding === 'binary') return;
        const decoded = decode(bytes);
        assert.equal(decoded.text, p.text);
        const edits = fixAllEdits(findings, { unsafe: true });
        if (!edits.length) return;
        edited++;
        const out = applyEditsToBytes(bytes, decoded, edits);
        assertOnlyEditsChanged(bytes, out, decoded, edits);
      }),
      { seed: SEED, numRuns: runs(600) },
    );
    assert.ok(edited > 100, `only ${edited} inputs had edits`);
  });

  test('the three styles the issue names, on the same weak template, byte for byte', () => {
    const d = infDoc(
      settingRules.filter((r) => r.locations[0].hive === 'HKLM' && r.valueType === 'REG_DWORD').map((rule) => ({ rule, loc: 0, value: 0, wrongType: false })),
      [],
      true,
    );
    const cases: [string, Buffer][] = [
      ['UTF-16LE + BOM + CRLF', encodeText(withEol(d.text, 'crlf'), 'utf-16le-bom') as Buffer],
      ['UTF-8 without BOM + LF', encodeText(withEol(d.text, 'lf'), 'utf-8') as Buffer],
      ['mixed line endings (UTF-16LE + BOM)', encodeText(withEol(d.text, 'mixed'), 'utf-16le-bom') as Buffer],
      ['mixed line endings (UTF-8 + BOM)', encodeText(withEol(d.text, 'mixed'), 'utf-8-bom') as Buffer],
    ];
    for (const [label, bytes] of cases) {
      const p = parseBytes(d.name, bytes);
      const edits = fixAllEdits(lint(p, LINT_OPTIONS[0]), { unsafe: true });
      assert.ok(edits.length >= 5, `${label}: ${edits.length} edits`);
      const decoded = decode(bytes);
      const out = applyEditsToBytes(bytes, decoded, edits);
      assertOnlyEditsChanged(bytes, out, decoded, edits);
      // Line breaks: the same sequence of CRLF / LF before and after.
      const breaks = (t: string) => t.match(/\r\n|\n/g)?.join(',');
      assert.equal(breaks(decode(out).text), breaks(p.text), label);
      assert.deepEqual(fixAllEdits(lint(parseBytes(d.name, out), LINT_OPTIONS[0]), { unsafe: true }), [], `${label}: not idempotent`);
    }
  });
});
