/**
 * The format provider contract (CONTRIBUTING.md, "Add a format"). Every provider in
 * `formatProviders` must pass the same table: a new provider that lacks a sample file here, a
 * detection row, a parser of the right kind or a consistent set of properties fails this file.
 * The detection table's order is pinned: it is today's detection order (changing it is a
 * behaviour change and must show up here).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { applyEdits, fixAllEdits, lint, parseBytes } from '../../server/src/core';
import { activationEvents, detectByProviders, detectionTable, editorSelector, formatProviders } from '../../server/src/core/formats';
import type { FileFormat, LintOptions } from '../../server/src/core/types';

const ROOT = resolve(__dirname, '../../..');
const OPTS: LintOptions = { role: 'any', targetOs: 'legacy' };

/** One real sample with weak values per format, read from disk. A new format adds its row here. */
const SAMPLES: Record<Exclude<FileFormat, 'unknown'>, string> = {
  inf: 'test/fixtures/inf/group3r-2CE5ACF5__GptTmpl.inf',
  reg: 'examples/loose/nas-gateway.reg',
  'gpp-registry-xml': 'examples/corp.example/Policies/{5C3E2A10-7B44-4F0E-9E7A-1D2B3C4D5E6F}/Machine/Preferences/Registry/Registry.xml',
  'gpo-report-xml': 'examples/backups/{D41D8CD9-8F00-4B20-9E80-0998ECF8427E}/gpreport.xml',
  'rsop-xml': 'examples/rsop/FS01-rsop.xml',
  'registry-pol': 'examples/corp.example/Policies/{5C3E2A10-7B44-4F0E-9E7A-1D2B3C4D5E6F}/Machine/Registry.pol',
};

describe('every provider passes the shared contract', () => {
  for (const p of formatProviders) {
    test(`${p.id}: properties are consistent`, () => {
      assert.ok(p.formats.length > 0, 'parses at least one format');
      assert.ok(p.detect.length > 0, 'has at least one detection row');
      for (const row of p.detect) assert.ok(Number.isInteger(row.order) && row.what.length > 0, `row ${row.what}`);
      for (const e of p.extensions) assert.match(e, /^[a-z0-9]+$/, 'extensions are lower case, without the dot');
      assert.equal(!!p.binary, !!p.parseBytes, 'a binary provider parses bytes; a text provider does not');
      assert.equal(!p.binary, !!p.parse, 'a text provider parses text; a binary provider does not');
      if (p.binary) assert.ok(!p.editable && !p.comment && !p.writeValue, 'binary formats are read-only and have no comments');
      if (p.editable) assert.ok(p.writeValue && p.valueSyntax && p.comment, 'an editable format writes values in its own syntax and has comments');
      assert.ok(p.languageIds.length > 0 || (p.editorFilters ?? []).length > 0, 'the editor can open it (a language id or an editor filter)');
    });

    for (const format of p.formats) {
      test(`${p.id}: its ${format} sample is detected, parsed and (if editable) fixed in its own syntax`, () => {
        const sample = SAMPLES[format as keyof typeof SAMPLES];
        assert.ok(sample, `add a sample file for ${format} to SAMPLES in this test`);
        const path = resolve(ROOT, sample);
        const bytes = readFileSync(path);
        const parsed = parseBytes(path, bytes);
        assert.equal(parsed.format, format);
        assert.deepEqual(parsed.problems.filter((x) => x.severity === 'error'), [], 'no error-level problems on a real sample');
        assert.ok(parsed.settings.length > 0, 'the sample yields settings');
        for (const s of parsed.settings) {
          if (p.binary) assert.equal(typeof s.offset, 'number', 'binary settings carry a byte offset');
          else assert.ok(s.span.start <= s.span.end && s.span.end <= parsed.text.length, 'spans lie inside the text');
        }
        const findings = lint(parsed, OPTS);
        assert.ok(findings.some((f) => f.setting), 'the sample has findings on settings');
        const valueEdits = findings.flatMap((f) => f.fixes.filter((x) => x.kind !== 'suppress').flatMap((x) => x.edits));
        if (!p.editable) {
          assert.deepEqual(valueEdits, [], 'a read-only format offers no value edits');
          return;
        }
        const edits = fixAllEdits(findings, { unsafe: true });
        assert.ok(edits.length > 0, 'an editable sample gets fixes');
        const fixedText = applyEdits(parsed.text, edits);
        const again = lint(parseBytes(path, Buffer.from(fixedText, 'utf8')), OPTS);
        assert.equal(parseBytes(path, Buffer.from(fixedText, 'utf8')).format, format, 'the fixed text is still the same format');
        assert.deepEqual(fixAllEdits(again, { unsafe: true }), [], 'fixing twice changes nothing');
      });
    }
  }
});

test('the detection table keeps today\'s order', () => {
  assert.deepEqual(
    detectionTable.map((r) => [r.order, r.provider.id]),
    [
      [10, 'registry-pol'],
      [20, 'reg'],
      [30, 'inf'],
      [40, 'reg'],
      [50, 'inf'],
      [60, 'gpp-registry-xml'],
      [60, 'gpo-report-xml'],
    ],
  );
});

test('detection: name, header and content rows decide in order', () => {
  const SEC = '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\n';
  const REG = 'Windows Registry Editor Version 5.00\r\n';
  const rows: [string, string, FileFormat][] = [
    ['x/Registry.pol', REG, 'registry-pol'], // the .pol name wins over any text
    ['GptTmpl.inf', REG, 'reg'], // a .reg header wins over the GptTmpl.inf name
    ['GPTTMPL.INF', '', 'inf'], // the name alone, even empty
    ['a.reg', SEC, 'reg'], // the .reg extension wins over security sections
    ['hardening.txt', SEC, 'inf'],
    ['noext', SEC, 'inf'],
    ['driver.inf', '[Version]\n[Manufacturer]\n[Registry Values]\n', 'unknown'], // driver INF
    ['other.inf', '<GPO/>', 'unknown'], // an .inf that is not a template stops detection
    ['saved.backup', '<GPO xmlns="x"/>', 'gpo-report-xml'],
    ['noext', '<?xml version="1.0"?><!-- c --><q:Rsop/>', 'rsop-xml'],
    ['Registry.xml', '<RegistrySettings/>', 'gpp-registry-xml'],
    ['pom.xml', '<project/>', 'unknown'],
    ['a.json', '<GPO/>', 'gpo-report-xml'], // content starting with '<' is read as XML
    ['a.json', '{"GPO":1}', 'unknown'],
  ];
  for (const [path, text, want] of rows) assert.equal(detectByProviders(path, text), want, `${path} ${JSON.stringify(text)}`);
});

test('the editor selector and activation events derive from the providers', () => {
  assert.deepEqual(editorSelector(), [
    { language: 'reg' },
    { language: 'secedit-inf' },
    { scheme: 'file', pattern: '**/*.{xml,XML,Xml}' },
    { pattern: '**/{Preferences,preferences,PREFERENCES}/{Registry,registry,REGISTRY}/*.{xml,XML}' },
    { pattern: '**/{Registry,registry,REGISTRY}.{xml,XML}' },
    { pattern: '**/{gpreport,GPReport,GpReport,GPREPORT}*.{xml,XML}' },
    { pattern: '**/*{rsop,RSoP,Rsop,RSOP}*.{xml,XML}' },
    { scheme: 'relaylint-pol' },
  ]);
  assert.deepEqual(activationEvents(), ['onLanguage:reg', 'onLanguage:secedit-inf', 'onLanguage:xml', 'onFileSystem:relaylint-pol']);
});
