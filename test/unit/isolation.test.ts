/**
 * Isolation (issue 9 point 6): a rule judge or a parser that throws becomes an error-level
 * `file.internal` problem on that file (that value), and the scan goes on.
 */
import { afterEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CoverageAccumulator, coverageSources } from '../../server/src/core/coverage';
import { lint } from '../../server/src/core/engine';
import { setJudgeHookForTests } from '../../server/src/core/judge';
import { parseBytes, parseText, setParserHookForTests } from '../../server/src/core/parse';
import { lineIndexFor } from '../../server/src/core/text';
import type { LintOptions } from '../../server/src/core/types';
import { scanOne } from '../../server/src/cli/report';
import { tempDir, utf16bom, writeFile } from '../helpers/cli';

const ANY: LintOptions = { role: 'any', targetOs: 'legacy' };
const M = 'MACHINE\\System\\CurrentControlSet\\';
const inf = (...lines: string[]) => ['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');
const TEXT = inf(`${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`, `${M}Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,0`);

afterEach(() => {
  setJudgeHookForTests(undefined);
  setParserHookForTests(undefined);
});

test('a throwing judge is an internal error on that value; the other values of the file are still judged', () => {
  setJudgeHookForTests((rule) => {
    if (rule.id === 'smb.server.require') throw new TypeError('boom');
    return undefined;
  });
  const file = parseText('GptTmpl.inf', TEXT, 'utf-16le-bom');
  const findings = lint(file, ANY);
  const line = (start: number) => lineIndexFor(file.text).positionAt(start).line + 1;
  assert.deepEqual(
    findings.filter((f) => !f.ruleId.startsWith('file.parse')).map((f) => [f.ruleId, f.severity, line(f.span.start)]),
    [
      ['file.internal', 'error', 4],
      ['smb.client.require', 'warning', 5],
    ],
  );
  assert.match(findings[0].message, /^The rule smb\.server\.require failed on this value: TypeError: boom\. relaylint could not judge this value/);
  // Coverage does not call the value hardened or weak.
  const acc = new CoverageAccumulator(ANY);
  acc.add(coverageSources('GptTmpl.inf', file, lineIndexFor(file.text), ANY));
  const e = acc.result().find((c) => c.ruleId === 'smb.server.require');
  assert.deepEqual(e?.sources.map((s) => s.status), ['unknown']);
});

test('a throwing parser is an internal error on that file, for text and binary formats', () => {
  setParserHookForTests((format) => {
    throw new RangeError(`no ${format}`);
  });
  const file = parseText('GptTmpl.inf', TEXT, 'utf-16le-bom');
  assert.equal(file.format, 'inf');
  assert.deepEqual(file.settings, []);
  assert.deepEqual(lint(file, ANY).map((f) => [f.ruleId, f.severity, f.message]), [
    ['file.internal', 'error', "relaylint's inf parser failed on this file (RangeError: no inf); nothing in it was checked."],
  ]);
  const pol = parseBytes('Registry.pol', Buffer.from([0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0]));
  assert.deepEqual(lint(pol, ANY).map((f) => [f.ruleId, f.severity]), [['file.internal', 'error']]);
});

test('the CLI scan goes on past a file whose rule throws: that file gets the error, the next one is judged', () => {
  const dir = tempDir();
  const a = writeFile(dir, 'a/GptTmpl.inf', utf16bom(TEXT));
  const b = writeFile(dir, 'b/GptTmpl.inf', utf16bom(inf(`${M}Control\\Lsa\\LmCompatibilityLevel=4,2`)));
  setJudgeHookForTests((rule) => {
    if (rule.id === 'smb.server.require') throw new Error('boom');
    return undefined;
  });
  const ra = scanOne(a, 'a/GptTmpl.inf', undefined, { lint: ANY, fix: false });
  const rb = scanOne(b, 'b/GptTmpl.inf', undefined, { lint: ANY, fix: false });
  assert.deepEqual([...ra.problems, ...ra.findings].map((f) => f.ruleId).sort(), ['file.internal', 'smb.client.require']);
  assert.deepEqual(rb.findings.map((f) => f.ruleId), ['ntlm.lmcompat']);
});
