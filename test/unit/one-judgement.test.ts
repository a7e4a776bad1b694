/**
 * One judgement per file: the CLI judges each file once (`lintJudged`) and passes that result to the
 * coverage records and the policy observations. Passing it on must give exactly what judging again
 * gives, and the policy set keeps its own judgement (role `any`, legacy defaults, each GPO with its
 * own peers) wherever the caller's options would give another one (`isPolicyJudgement`).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scanOne } from '../../server/src/cli/report';
import { coverageSources } from '../../server/src/core/coverage';
import { lintJudged } from '../../server/src/core/engine';
import { isPolicyJudgement, judgeFile, setJudgeHookForTests } from '../../server/src/core/judge';
import { parseBytes, parseText } from '../../server/src/core/parse';
import { filePolicy } from '../../server/src/core/policy/set';
import { readXml } from '../../server/src/core/parsers/xml';
import { lineIndexFor } from '../../server/src/core/text';
import type { LintOptions, ParsedFile } from '../../server/src/core/types';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = ['xml', 'pol', 'inf', 'reg'].flatMap((d) =>
  readdirSync(join(ROOT, 'test', 'fixtures', d))
    .filter((n) => n !== 'SOURCES.md')
    .map((n) => join(ROOT, 'test', 'fixtures', d, n)),
);
const RSOP = join(ROOT, 'examples', 'rsop', 'FS01-rsop.xml');
const POL = join(ROOT, 'examples', 'corp.example', 'Policies', '{5C3E2A10-7B44-4F0E-9E7A-1D2B3C4D5E6F}', 'Machine', 'Registry.pol');

const NTDS = 'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\';
const opt = (name: string, v: number) => `<q1:SecurityOptions><q1:KeyName>${NTDS}${name}</q1:KeyName><q1:SettingNumber>${v}</q1:SettingNumber></q1:SecurityOptions>\n`;
function gpo(guid: string, body: string): string {
  return (
    `<GPO xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings"><Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid}</Identifier></Identifier><Name>GPO ${guid.slice(1, 3)}</Name>\n` +
    `<Computer><Enabled>true</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">\n${body}</Extension></ExtensionData></Computer></GPO>\n`
  );
}
/** A `Get-GPOReport -All` export of two GPOs: the channel binding judgement depends on each GPO's own signing value. */
const REPORT_ALL = `<?xml version="1.0" encoding="utf-16"?>\n<report xmlns="http://www.microsoft.com/GroupPolicy/Settings">\n${gpo('{11111111-0000-4000-8000-000000000001}', opt('LDAPServerIntegrity', 2) + opt('LdapEnforceChannelBinding', 1))}${gpo('{22222222-0000-4000-8000-000000000002}', opt('LdapEnforceChannelBinding', 1))}</report>\n`;

const OPTIONS: LintOptions[] = [
  { role: 'any', targetOs: 'legacy' },
  { role: 'member', targetOs: 'legacy' },
  { role: 'dc', targetOs: 'ws2025' },
  { role: 'any', targetOs: 'win11-24h2' },
];

function files(): [string, ParsedFile][] {
  const out: [string, ParsedFile][] = FIXTURES.concat(RSOP, POL).map((p) => [p, parseBytes(p, readFileSync(p))]);
  out.push(['report-all.xml', parseText('gpreport.xml', REPORT_ALL)]);
  return out;
}

describe('one judgement per file', () => {
  test('the fixtures cover what matters: an RSoP naming several GPOs, a report of several GPOs, a .pol', () => {
    const all = files();
    const rsop = all.find(([p]) => p === RSOP)?.[1];
    assert.equal(rsop?.format, 'rsop-xml');
    assert.ok(new Set(rsop.settings.map((s) => s.gpo)).size > 1);
    const report = all.find(([p]) => p === 'report-all.xml')?.[1];
    assert.equal(report?.format, 'gpo-report-xml');
    assert.equal(new Set(report.settings.map((s) => s.gpo)).size, 2);
    assert.equal(all.find(([p]) => p === POL)?.[1].format, 'registry-pol');
  });

  test('isPolicyJudgement: only role any, legacy defaults and the default profile (an RSoP of several GPOs too: the set splits files as gpoParts does)', () => {
    const all = new Map(files());
    const pol = all.get(POL) as ParsedFile;
    const rsop = all.get(RSOP) as ParsedFile;
    const report = all.get('report-all.xml') as ParsedFile;
    const rows: [ParsedFile, LintOptions, boolean][] = [
      [pol, { role: 'any', targetOs: 'legacy' }, true],
      [report, { role: 'any', targetOs: 'legacy' }, true],
      [rsop, { role: 'any', targetOs: 'legacy' }, true],
      [pol, { role: 'member', targetOs: 'legacy' }, false],
      [pol, { role: 'dc', targetOs: 'legacy' }, false],
      [pol, { role: 'any', targetOs: 'ws2025' }, false],
      [pol, { role: 'any', targetOs: 'legacy', profile: { id: 'strict', judges: {} } }, false],
    ];
    for (const [file, options, want] of rows) assert.equal(isPolicyJudgement(file, options), want, `${file.format} ${JSON.stringify(options)}`);
  });

  for (const options of OPTIONS) {
    test(`passing the judgement on gives what judging again gives (${options.role}, ${options.targetOs})`, () => {
      let reused = 0;
      for (const [path, file] of files()) {
        const index = lineIndexFor(file.text);
        const { judged } = lintJudged(file, options);
        assert.ok(judged, path);
        assert.deepEqual(judged, judgeFile(file, options), path);
        assert.deepEqual(coverageSources(path, file, index, options, undefined, judged), coverageSources(path, file, index, options), path);
        const given = isPolicyJudgement(file, options) ? judged : undefined;
        if (given && judged.length) reused++;
        assert.deepEqual(filePolicy(path, file, undefined, index, given), filePolicy(path, file, undefined, index), path);
      }
      assert.equal(reused > 0, options.role === 'any' && options.targetOs === 'legacy');
    });
  }

  test('the CLI judges a file once for its findings, coverage and policy observations', () => {
    const file = parseBytes(POL, readFileSync(POL));
    const options: LintOptions = { role: 'any', targetOs: 'legacy' };
    const once = judgeFile(file, options).filter((j) => j.judgement).length;
    assert.ok(once > 0);
    let calls = 0;
    setJudgeHookForTests(() => {
      calls++;
      return undefined;
    });
    try {
      const report = scanOne(POL, 'Registry.pol', undefined, { lint: options, fix: false });
      assert.equal(calls, once);
      assert.ok(report.coverage.length > 0 && (report.policy?.observations.length ?? 0) > 0);
      // Judged again only where the policy set needs its own judgement.
      calls = 0;
      scanOne(POL, 'Registry.pol', undefined, { lint: { role: 'member', targetOs: 'legacy' }, fix: false });
      assert.equal(calls, judgeFile(file, { role: 'member', targetOs: 'legacy' }).filter((j) => j.judgement).length + once);
    } finally {
      setJudgeHookForTests(undefined);
    }
  });
});

describe('XML attributes built once, spans on access', () => {
  test('problems keep their order: every name of a tag is split before any prefix is resolved', () => {
    const text = '<a x:b="1" c:d:e="2"><y:c w:z="3"/></a>';
    const doc = readXml(text);
    assert.deepEqual(
      doc.problems.map((p) => [p.message, text.slice(p.span?.start, p.span?.end)]),
      [
        ['"c:d:e" is not a valid qualified name.', 'c:d:e'],
        ['Namespace prefix "x" is not declared.', 'x:b'],
        ['Namespace prefix "w" is not declared.', 'w:z'],
        ['Namespace prefix "y" is not declared.', 'y:c'],
      ],
    );
    const b = doc.root?.attributes[0];
    assert.deepEqual([b?.name, b?.prefix, b?.local, b?.ns, b?.value, b?.nameSpan, b?.valueSpan], ['x:b', 'x', 'b', '', '1', { start: 3, end: 6 }, { start: 8, end: 9 }]);
    assert.notEqual(b?.nameSpan, b?.nameSpan, 'a new span object on each read (no one can change the tree through it)');
  });

  test('a declaration on the same tag binds the prefixes of the attributes before it', () => {
    const doc = readXml('<a p:x="1" xmlns:p="urn:p" y="2"/>');
    assert.deepEqual(
      doc.root?.attributes.map((a) => [a.name, a.ns, a.value]),
      [
        ['xmlns:p', 'http://www.w3.org/2000/xmlns/', 'urn:p'],
        ['p:x', 'urn:p', '1'],
        ['y', '', '2'],
      ],
    );
    assert.deepEqual(doc.problems, []);
  });
});
