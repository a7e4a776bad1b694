/**
 * The reporter contract (CONTRIBUTING.md, "Add a reporter"; server/src/cli/reporters/types.ts).
 * Every format in `FORMATS` is driven through the same calls with the same hostile data: a file
 * path and a GPO name with terminal escapes, markup and quotes, a weak value, a parse problem.
 * A new reporter must read back here (a row in READ_BACK), name every file and every finding,
 * escape what comes from the files, close its document, and be deterministic.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint, parseText } from '../../server/src/core';
import { buildReport } from '../../server/src/cli/report';
import { createReporter, FORMATS, type Format, type RunMeta, type SetResults } from '../../server/src/cli/reporters';
import type { FileResult } from '../../server/src/cli/reporters';

const OPTS = { role: 'any', targetOs: 'legacy' } as const;
const HOSTILE = 'gpo/<b>"x"\u001b[31m&amp;/GptTmpl.inf';
const INF =
  '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\n' +
  'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0\r\n' +
  'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0\r\n' +
  '[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n';

function sample(path: string): FileResult {
  const parsed = parseText(path, INF, 'utf-16le-bom');
  return buildReport(path, parsed, lint(parsed, OPTS), { guid: '{11111111-2222-3333-4444-555555555555}', name: 'Name <i>\u0007' }, OPTS);
}

const META: RunMeta = { tool: { name: 'relaylint', version: '0.1.0' }, options: OPTS, rootUri: 'file:///work/', color: false, baseline: false, fix: false };
const SET: SetResults = { summary: { files: 2, skipped: 0, seconds: 0.5, fixed: 0, errors: 0, ioError: false } };

function run(format: Format, files: FileResult[]): string {
  let out = '';
  const r = createReporter(format, (chunk) => {
    out += chunk;
  });
  r.begin(META);
  for (const f of files) r.file(f);
  r.end(SET);
  return out;
}

/** How each format's output is read back: the paths, rule ids and file count it reports. A new format adds its row. */
const READ_BACK: Record<Format, (out: string) => { paths: string[]; ruleIds: string[] }> = {
  json: (out) => {
    const doc = JSON.parse(out);
    return { paths: doc.files.map((f: { path: string }) => f.path), ruleIds: doc.files.flatMap((f: { findings: { ruleId: string }[]; problems: { ruleId: string }[] }) => [...f.findings, ...f.problems].map((x) => x.ruleId)) };
  },
  sarif: (out) => {
    const doc = JSON.parse(out);
    assert.equal(doc.version, '2.1.0');
    const results = doc.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    return { paths: results.map((r) => decodeURIComponent(r.locations[0].physicalLocation.artifactLocation.uri)), ruleIds: results.map((r) => r.ruleId) };
  },
  text: (out) => ({
    // Text shows control characters as \xNN: read the path back in that form.
    paths: out.includes(HOSTILE.replace('\u001b', '\\x1b')) ? [HOSTILE] : [],
    ruleIds: [...out.matchAll(/\b(smb\.server\.require|file\.duplicate)\b/g)].map((m) => m[1]),
  }),
};

for (const format of FORMATS) {
  test(`reporter ${format}: names every file and finding, escapes file content, is deterministic`, () => {
    const read = READ_BACK[format];
    assert.ok(read, `add a READ_BACK row for the new format "${format}"`);
    const files = [sample(HOSTILE), sample('other/GptTmpl.inf')];
    const out = run(format, files);
    // No raw control characters from the files (only line breaks and tabs of the format itself).
    assert.doesNotMatch(out, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, 'raw control characters in the output');
    const back = read(out);
    assert.ok(back.paths.includes(HOSTILE), `the hostile path is reported: ${back.paths.join(' | ')}`);
    assert.ok(back.ruleIds.includes('smb.server.require'), 'the weak value is reported');
    assert.ok(back.ruleIds.includes('file.duplicate'), 'the duplicate is reported');
    assert.equal(run(format, files), out, 'same input, same output');
  });

  test(`reporter ${format}: an empty run is a complete document`, () => {
    const out = run(format, []);
    assert.ok(out.length > 0);
    const back = READ_BACK[format](out);
    assert.deepEqual(back.paths, []);
  });
}

test('--format accepts exactly the registered reporters (and html)', () => {
  assert.deepEqual([...FORMATS], ['text', 'json', 'sarif']);
});
