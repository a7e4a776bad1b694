/**
 * Large hostile inputs through the whole product path, in a child process with a heap budget: the
 * 50 MB GPO report and 1 MB lines in every format (moved here from
 * test/unit/robustness/hostile-xml.test.ts, where the limits and measured figures are described;
 * these cases are large and timed, so they run in `npm run test:slow`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { lint } from '../../server/src/core/engine';
import { LIMITS } from '../../server/src/core/limits';
import { parseBytes, parseText } from '../../server/src/core/parse';
import { bigReport, type ChildResult, reportText } from '../unit/robustness/child';
import { checkAll, GPP_HEAD, gppItem, LINT_OPTIONS, REPORT_NS, reportWith, typicalMs } from '../unit/robustness/support';

const CHILD = path.join(__dirname, '../unit/robustness/child.js');
const OPTIONS = LINT_OPTIONS[0];


function child(args: string[], heapMb: number): ChildResult {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, CHILD, '--robust-child', ...args], { encoding: 'utf8', timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, `child ${args.join(' ')} failed with a ${heapMb} MB heap (signal ${r.signal}): ${r.stderr.slice(-1500)}`);
  return JSON.parse(r.stdout) as ChildResult;
}

describe('large inputs: bounded time and memory (in a child process with a heap budget)', () => {
  /** V8 heap of the child; the 50 MB report needed more than 512 MB before the xml.ts changes. */
  const HEAP_MB = 256;
  /** RSS the parse may add on top of the input it was given. */
  const GROWTH_MB = 384;

  test('a 50 MB GPO report (UTF-16LE + BOM and UTF-8) parses within the heap budget and time cap', () => {
    // Typical time per byte: the real report the big one is built from, in this process.
    const real = bigReport(0, 'utf16');
    const perByte = typicalMs(() => lint(parseBytes('gpreport.xml', real), OPTIONS)) / real.length;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaylint-50mb-'));
    for (const encoding of ['utf16', 'utf8'] as const) {
      // Built here and written to disk, so the child holds only the file's bytes before it parses.
      const file = path.join(dir, `gpreport-${encoding}.xml`);
      fs.writeFileSync(file, bigReport(50_000_000, encoding));
      const res = child(['file', 'gpreport.xml', file], HEAP_MB);
      fs.rmSync(file);
      const c = res.cases[0];
      const capMs = Math.max(10_000, 50 * perByte * c.bytes);
      assert.ok(c.bytes >= 50_000_000, `${c.bytes} bytes`);
      assert.ok(c.settings > 10_000, `${c.settings} settings`);
      assert.deepEqual(c.problemCodes, []);
      assert.ok(c.parseMs + c.lintMs < capMs, `${encoding}: ${(c.parseMs + c.lintMs).toFixed(0)} ms, cap ${capMs.toFixed(0)} ms`);
      const growth = res.maxRssMB - res.rssBeforeMB;
      assert.ok(growth < GROWTH_MB, `${encoding}: RSS grew by ${growth.toFixed(0)} MB while parsing`);
      process.stdout.write(
        `# 50 MB report (${encoding}): ${c.bytes} bytes, parse ${c.parseMs.toFixed(0)} ms, lint ${c.lintMs.toFixed(0)} ms, ` +
          `peak RSS ${res.maxRssMB.toFixed(0)} MB (${res.rssBeforeMB.toFixed(0)} MB with the file read), heap limit ${HEAP_MB} MB\n`,
      );
    }
  });

  test('1 MB lines in every format: bounded time and memory, short messages', () => {
    const res = child(['long-lines'], HEAP_MB);
    assert.ok(res.cases.length >= 10);
    for (const c of res.cases) {
      assert.ok(c.parseMs + c.lintMs < 5000, `${c.name}: ${(c.parseMs + c.lintMs).toFixed(0)} ms`);
      assert.ok(c.problems <= LIMITS.maxProblemsPerFile + 2, `${c.name}: ${c.problems} problems`);
    }
    // Parse problems quote a short excerpt, never the line (finding messages: see the note at the top).
    const reportCase = res.cases.find((c) => c.name.startsWith('report on one'));
    assert.ok(reportCase && reportCase.settings > 1000);
    assert.ok(res.maxRssMB - res.rssBeforeMB < 256, `RSS grew by ${(res.maxRssMB - res.rssBeforeMB).toFixed(0)} MB`);
  });

  test('parse problems on 1 MB lines quote short excerpts', () => {
    const big = 'x'.repeat(1 << 20);
    const inputs: [string, string][] = [
      ['GptTmpl.inf', `[Registry Values]\r\nMACHINE\\${big}\r\n`],
      ['GptTmpl.inf', `[${big}\r\n`],
      ['import.reg', `Windows Registry Editor Version 5.00\r\n[HKEY_NOWHERE\\${big}]\r\n`],
      ['import.reg', `Windows Registry Editor Version 5.00\r\n[HKEY_LOCAL_MACHINE\\k]\r\n"v"=${big}\r\n`],
      ['Registry.xml', `<RegistrySettings><${big}/></RegistrySettings>`],
      ['Registry.xml', `<RegistrySettings a="${big}`],
      ['gpreport.xml', `<GPO ${REPORT_NS}><Computer>${big}<</Computer></GPO>`],
      ['gpreport.xml', reportWith(`MACHINE\\${big}`, big)],
      ['gpreport.xml', `<${big} ${REPORT_NS}/>`],
      ['Registry.xml', `<RegistrySettings><a></${big}></RegistrySettings>`],
      ['Registry.xml', `<RegistrySettings><${big}><b></RegistrySettings>`],
      ['Registry.xml', `<RegistrySettings><a ${big}="1" ${big}="2" ${big}/></RegistrySettings>`],
      ['Registry.xml', `<RegistrySettings/><${big}/>`],
      ['Registry.xml', `<p:RegistrySettings xmlns:${big}=""><${big}:a/></p:RegistrySettings>`],
      ['Registry.xml', GPP_HEAD + gppItem('1').replace('action="U"', `action="${big}"`).replace('type="REG_SZ"', `type="${big}"`).replace('name="RequireSecuritySignature">', `name="${big}">`)],
      ['Registry.xml', GPP_HEAD + gppItem('1').replace('type="REG_SZ" value="1"', `type="REG_DWORD" value="${big}"`).replace('hive="HKEY_LOCAL_MACHINE"', `hive="${big}"`)],
      ['Registry.xml', `<RegistrySettings>${'<Registry name="a"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="K" name="v" type="REG_SZ" value="1"/></Registry>'.repeat(2).replace(/key="K"/g, `key="${big}"`)}</RegistrySettings>`],
    ];
    for (const [name, text] of inputs) {
      const p = parseText(name, text);
      const findings = checkAll(name, p, undefined, OPTIONS);
      for (const pr of p.problems) assert.ok(pr.message.length < 2048, `${name}: a ${pr.message.length}-character problem message`);
      void findings;
    }
  });

  test('the report generator keeps the real report valid (sanity check of the 50 MB input)', () => {
    const text = reportText();
    const small = bigReport(text.length * 2 * 3, 'utf16');
    const p = parseBytes('gpreport.xml', small);
    assert.deepEqual(p.problems, []);
    assert.ok(p.settings.length > parseBytes('gpreport.xml', bigReport(0, 'utf16')).settings.length);
  });
});
