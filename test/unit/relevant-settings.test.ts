/**
 * The CLI parses in `relevant` mode (only values a rule knows become settings, issue 10: memory on
 * huge clean files) and builds light findings past the listing cap. Both must leave every finding
 * and problem exactly as the full parse gives them; the editor keeps the full parse.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boundFindings } from '../../server/src/core/bounds';
import { isRelayRelevant } from '../../server/src/core/catalog';
import { lint } from '../../server/src/core/engine';
import { parseBytes, parseText } from '../../server/src/core/parse';
import { SeenValues } from '../../server/src/core/parsers/inf-reg-shared';
import { cleanKey, valueId } from '../../server/src/core/keys';
import type { Finding, Hive, LintOptions, ParsedFile } from '../../server/src/core/types';
import { REPO, runCli, tempDir, utf16bom, writeFile } from '../helpers/cli';

const OPTIONS: LintOptions = { role: 'any', targetOs: 'legacy' };
const FIXTURES = path.join(REPO, 'test/fixtures');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A finding as data, its setting reduced to what identifies it (the two parses build different objects). */
function plain(f: Finding): unknown {
  const { setting, ...rest } = f;
  return { ...rest, setting: setting && { hive: setting.hive, key: setting.key, name: setting.name, span: setting.span, state: setting.state } };
}

function settingsOf(file: ParsedFile): unknown[] {
  return file.settings.map((s) => JSON.parse(JSON.stringify(s)));
}

test('relevant mode: same findings and problems as the full parse on every fixture, settings = the relevant subset in order', () => {
  const files = filesUnder(FIXTURES).filter((f) => !f.endsWith('.json') && !f.endsWith('.md'));
  assert.ok(files.length > 40, `fixtures found: ${files.length}`);
  let dropped = 0;
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const all = parseBytes(file, bytes);
    const relevant = parseBytes(file, { bytes: Buffer.from(bytes) }, { settings: 'relevant' });
    const rel = path.relative(FIXTURES, file);
    assert.deepEqual(relevant.problems, all.problems, rel);
    assert.deepEqual(settingsOf(relevant), settingsOf({ ...all, settings: all.settings.filter(isRelayRelevant) }), rel);
    assert.deepEqual(lint(relevant, OPTIONS).map(plain), lint(all, OPTIONS).map(plain), rel);
    dropped += all.settings.length - relevant.settings.length;
  }
  assert.ok(dropped > 100, `the fixtures have unrelated values (${dropped} dropped)`);
});

test('relevant mode keeps deletions that remove a known value and drops the others; the editor parse keeps every value', () => {
  const text = [
    'Windows Registry Editor Version 5.00',
    '',
    '[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanManServer]',
    '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Corp]',
    '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]',
    '"RequireSecuritySignature"=-',
    '"Other"=dword:00000001',
    '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Corp\\App]',
    '"Setting"=dword:00000001',
    '',
  ].join('\r\n');
  const all = parseText('x.reg', text, 'utf-8');
  const relevant = parseText('x.reg', text, 'utf-8', undefined, { settings: 'relevant' });
  assert.deepEqual(
    all.settings.map((s) => `${s.key}|${s.name}|${s.state}`),
    [
      'SYSTEM\\CurrentControlSet\\Services\\LanManServer||deleted',
      'SOFTWARE\\Corp||deleted',
      'SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters|RequireSecuritySignature|deleted',
      'SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters|Other|set',
      'SOFTWARE\\Corp\\App|Setting|set',
    ],
  );
  assert.deepEqual(
    relevant.settings.map((s) => `${s.key}|${s.name}|${s.state}`),
    ['SYSTEM\\CurrentControlSet\\Services\\LanManServer||deleted', 'SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters|RequireSecuritySignature|deleted'],
  );
});

test('a value over the registry limits is still reported in relevant mode, in file order', () => {
  const long = 'K'.repeat(300);
  const text = `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\${long}]\r\n"A"=dword:00000001\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Corp]\r\n"${'n'.repeat(16_400)}"=dword:00000001\r\n`;
  const all = parseText('x.reg', text, 'utf-8');
  const relevant = parseText('x.reg', text, 'utf-8', undefined, { settings: 'relevant' });
  assert.equal(all.problems.filter((p) => p.code === 'limit').length, 2);
  assert.deepEqual(relevant.problems, all.problems);
  assert.deepEqual(relevant.settings, []);
});

test('SeenValues: exact on ids that share prefixes, wide characters, and across table growth', () => {
  const seen = new SeenValues();
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push(`hklm\\software\\corp\\app${i}|name`, `hklm\\software\\corp\\app${i}|nam`, `hklm\\software\\ÿ\\Ā${i}|名前\u00ff`);
  ids.push('', 'a', 'ab', 'aÿ', 'a\u0100', 'a\uffff', 'a\u00ff\u0000');
  ids.forEach((id, i) => assert.equal(seen.check(id, { span: { start: i, end: i + 1 }, state: i % 2 ? 'deleted' : 'set' }), undefined, JSON.stringify(id)));
  ids.forEach((id, i) =>
    assert.deepEqual(seen.check(id, { span: { start: -1, end: -1 }, state: 'set' }), { span: { start: i, end: i + 1 }, state: i % 2 ? 'deleted' : 'set' }, JSON.stringify(id)),
  );
  assert.equal(seen.check('a\u00ff\u0000\u0000', { span: { start: 0, end: 0 }, state: 'set' }), undefined);
  assert.equal(seen.check('hklm\\software\\corp\\app1|nam\u0000', { span: { start: 0, end: 0 }, state: 'set' }), undefined);
});

test('SeenValues.checkValue: finds and is found by check(valueId(…)) for clean and unclean keys, any case, non-ASCII and long ids', () => {
  const cases: [Hive, string, string][] = [
    ['HKLM', 'Software\\Policies\\Corp', 'Name'],
    ['HKLM', '\\Software\\\\Corp\\', 'Other'],
    ['HKCU', 'SOFTWARE\\Corp', 'Name'],
    ['HKLM', 'Software\\\u212Aelvin', 'x'],
    ['HKLM', 'Software\\Ärger', 'Wert'],
    ['HKLM', 'Software\\' + 'Deep\\'.repeat(80) + 'End', 'N'.repeat(300)],
  ];
  const first = (i: number) => ({ span: { start: i, end: i + 1 }, state: 'set' as const });
  // Recorded one way, looked up the other; the same value in another case is the same id.
  const a = new SeenValues();
  cases.forEach(([h, k, n], i) => assert.equal(a.checkValue(h, k, n, first(i)), undefined, k));
  cases.forEach(([h, k, n], i) => assert.deepEqual(a.check(valueId(h, k.toUpperCase(), n.toLowerCase()), first(-1)), first(i), k));
  const b = new SeenValues();
  cases.forEach(([h, k, n], i) => assert.equal(b.check(valueId(h, k, n), first(i)), undefined, k));
  cases.forEach(([h, k, n], i) => assert.deepEqual(b.checkValue(h, k.toLowerCase(), n.toUpperCase(), first(-1)), first(i), k));
  // checkValueIn reads a clean key and the name in place, from ranges of a larger text.
  const c = new SeenValues();
  const clean = cases.filter(([, k]) => cleanKey(k) === k);
  assert.equal(clean.length, 5);
  const texts = clean.map(([, k, n], i) => {
    const text = `${'x'.repeat(i)}MACHINE\\${k}\\${n}=4,1`;
    const keyStart = i + 8;
    return { text, keyStart, keyEnd: keyStart + k.length, nameStart: keyStart + k.length + 1, nameEnd: keyStart + k.length + 1 + n.length };
  });
  clean.forEach(([h], i) => {
    const t = texts[i];
    assert.equal(c.checkValueIn(t.text, h, t.keyStart, t.keyEnd, t.nameStart, t.nameEnd, first(i)), undefined);
  });
  clean.forEach(([h, k, n], i) => assert.deepEqual(c.checkValue(h, k.toUpperCase(), n.toLowerCase(), first(-1)), first(i), k));
  clean.forEach(([h, k, n], i) => assert.deepEqual(c.check(valueId(h, k, n), first(-1)), first(i), k));
  const d = new SeenValues();
  clean.forEach(([h, k, n], i) => assert.equal(d.check(valueId(h, k.toLowerCase(), n), first(i)), undefined, k));
  clean.forEach(([h], i) => {
    const t = texts[i];
    assert.deepEqual(d.checkValueIn(t.text, h, t.keyStart, t.keyEnd, t.nameStart, t.nameEnd, first(-1)), first(i));
  });
  // The Kelvin sign lower-cases to an ASCII k: the same id as "kelvin".
  assert.deepEqual(a.checkValue('HKLM', 'software\\kelvin', 'X', first(-1)), first(3));
  // Another name, another hive: not the same id.
  assert.equal(a.checkValue('HKLM', 'Software\\Policies\\Corp', 'Name2', first(9)), undefined);
  assert.equal(a.checkValue('HKCU', 'Software\\Policies\\Corp', 'Name', first(10)), undefined);
});

test('SeenValues.take / giveBack: a parse starts with nothing seen; an instance a large file grew is not kept', () => {
  const s = SeenValues.take();
  assert.equal(s.checkValue('HKLM', 'Software\\Corp', 'A', { span: { start: 1, end: 2 }, state: 'set' }), undefined);
  SeenValues.giveBack(s);
  const again = SeenValues.take();
  assert.equal(again, s, 'the instance given back is reused');
  assert.equal(again.checkValue('HKLM', 'Software\\Corp', 'A', { span: { start: 3, end: 4 }, state: 'set' }), undefined, 'and holds nothing of the last parse');
  for (let i = 0; i < 5000; i++) again.checkValue('HKLM', 'Software\\Corp', `V${i}`, { span: { start: i, end: i }, state: 'set' });
  SeenValues.giveBack(again);
  assert.notEqual(SeenValues.take(), again, 'a grown instance is let go');
  // So is one that looked up a long id (a value name of 10,000 characters).
  const long = SeenValues.take();
  long.checkValue('HKLM', 'Software\\Corp', 'n'.repeat(10_000), { span: { start: 0, end: 1 }, state: 'set' });
  SeenValues.giveBack(long);
  assert.notEqual(SeenValues.take(), long, 'an instance with a grown id buffer is let go');
  // Two INF parses in a row: a value of the first is no duplicate in the second.
  const inf = ['[Unicode]', 'Unicode=yes', '[Registry Values]', `${SERVER}=4,1`, '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');
  for (let i = 0; i < 2; i++) assert.deepEqual(parseText('GptTmpl.inf', inf, 'utf-16le-bom').problems, [], `parse ${i}`);
});

const SERVER = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const CLIENT = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature';

test('light findings past the listing cap: the bounded list is exactly that of the full lint (summaries, severities, overrides, suppressions)', () => {
  const lines = ['[Unicode]', 'Unicode=yes', '[Registry Values]'];
  for (let i = 0; i < 40; i++) {
    if (i === 7) lines.push('; relaylint-disable-next-line smb.server.require -- lab share');
    lines.push(`${SERVER}=4,${i % 5 === 0 ? 1 : 0}`, `${CLIENT}=4,${i % 3 ? 0 : 7}`);
  }
  const file = parseText('GptTmpl.inf', `${lines.join('\r\n')}\r\n`, 'utf-16le-bom');
  const cases: LintOptions[] = [OPTIONS, { ...OPTIONS, severity: { 'smb.client.require': 'info' } }, { ...OPTIONS, severity: { 'smb.server.require': 'off' } }];
  for (const limits of [
    { perRule: 5, perFile: 10_000 },
    { perRule: 5, perFile: 7 },
    { perRule: 1, perFile: 100 },
  ]) {
    for (const options of cases) {
      const full = boundFindings(lint(file, options), limits);
      const light = boundFindings(lint(file, options, { perRule: limits.perRule }), limits);
      assert.deepEqual(light.map(plain), full.map(plain), JSON.stringify({ limits, options }));
      assert.ok(full.some((f) => / more smb\.(server|client)\.require findings? (is|are) not listed/.test(f.message)), 'the case has summaries');
    }
  }
});

test('CLI: JSON settings list the relay-relevant values; --all-settings every value; findings the same', () => {
  const dir = tempDir();
  try {
    writeFile(
      dir,
      'GptTmpl.inf',
      utf16bom(['[Unicode]', 'Unicode=yes', '[Registry Values]', `${SERVER}=4,0`, 'MACHINE\\Software\\Corp\\App\\Setting=4,1', `${CLIENT}=4,1`, ''].join('\r\n')),
    );
    const def = runCli(['scan', 'GptTmpl.inf', '--format', 'json'], { cwd: dir });
    const all = runCli(['scan', 'GptTmpl.inf', '--format', 'json', '--all-settings'], { cwd: dir });
    assert.equal(def.code, 1, def.stderr);
    assert.equal(all.code, 1, all.stderr);
    const d = JSON.parse(def.stdout).files[0];
    const a = JSON.parse(all.stdout).files[0];
    assert.deepEqual(
      d.settings.map((s: { key: string; name: string; line: number }) => [s.key, s.name, s.line]),
      [
        ['HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters', 'RequireSecuritySignature', 4],
        ['HKLM\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters', 'RequireSecuritySignature', 6],
      ],
    );
    assert.deepEqual(
      a.settings.map((s: { name: string; line: number }) => [s.name, s.line]),
      [
        ['RequireSecuritySignature', 4],
        ['Setting', 5],
        ['RequireSecuritySignature', 6],
      ],
    );
    assert.deepEqual(d.findings, a.findings);
    assert.deepEqual(JSON.parse(def.stdout).coverage, JSON.parse(all.stdout).coverage);
    assert.match(runCli(['--help']).stdout, /--all-settings +json: list every registry value/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
