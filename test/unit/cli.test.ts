import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffRuns, REPO, runCli, tempDir, utf16bom, writeFile } from '../helpers/cli';
import { validateSarif } from '../helpers/sarif-validate';

const SERVER_REQUIRE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const weakInf = (eol: string) =>
  ['[Unicode]', 'Unicode=yes', '[Registry Values]', `${SERVER_REQUIRE}=4,0`, 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\NoLMHash=4,1', '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join(eol);

const REQUIRE_MESSAGE =
  'SMB server signing is not required (RequireSecuritySignature = 0): this host accepts unsigned sessions and can be the target of an NTLM relay over SMB.';

test('scan --format json prints one document of the documented shape', () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', utf16bom(weakInf('\r\n')));
  const r = runCli(['scan', '.', '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.tool.name, 'relaylint');
  assert.match(doc.tool.version, /^\d+\.\d+\.\d+/);
  assert.equal(doc.files.length, 1);
  const f = doc.files[0];
  assert.deepEqual([f.path, f.format, f.encoding], ['GptTmpl.inf', 'inf', 'utf-16le-bom']);
  assert.deepEqual(f.settings[0], {
    key: 'HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters',
    name: 'RequireSecuritySignature',
    type: 'REG_DWORD',
    value: 0,
    state: 'set',
    line: 4,
    column: 1,
    origin: '[Registry Values]',
  });
  assert.deepEqual(
    f.settings.map((s: { name: string; value: unknown }) => [s.name, s.value]),
    [
      ['RequireSecuritySignature', 0],
      ['NoLMHash', 1],
    ],
  );
  assert.equal(f.findings.length, 1);
  const finding = f.findings[0];
  assert.deepEqual(
    { ...finding, fingerprint: undefined, fixes: undefined },
    {
      ruleId: 'smb.server.require',
      severity: 'error',
      message: REQUIRE_MESSAGE,
      key: 'HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters',
      name: 'RequireSecuritySignature',
      line: 4,
      column: 1,
      endLine: 4,
      endColumn: SERVER_REQUIRE.length + 5,
      fixable: true,
      fingerprint: undefined,
      fixes: undefined,
    },
  );
  assert.match(finding.fingerprint, /^[0-9a-f]{32}$/);
  assert.deepEqual(finding.fixes[0], {
    title: 'Require SMB server signing (always)',
    kind: 'value',
    preferred: true,
    edits: [{ line: 4, column: SERVER_REQUIRE.length + 2, endLine: 4, endColumn: SERVER_REQUIRE.length + 5, newText: '4,1' }],
  });
  assert.deepEqual(f.problems, []);
  const cov = doc.coverage.find((c: { ruleId: string }) => c.ruleId === 'smb.server.require');
  assert.deepEqual(cov, {
    ruleId: 'smb.server.require',
    key: 'HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters',
    name: 'RequireSecuritySignature',
    status: 'weak',
    exposedWhenMissing: true,
    sources: [{ path: 'GptTmpl.inf', value: 0, state: 'set', status: 'weak', line: 4 }],
  });
  assert.deepEqual(doc.summary.files, 1);
});

test('exit codes follow --fail-on; usage and I/O errors exit 2 with a message', () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', utf16bom(weakInf('\r\n')));
  const rows: [string[], number, RegExp | null][] = [
    [['scan', 'GptTmpl.inf'], 1, null],
    [['scan', 'GptTmpl.inf', '--fail-on', 'never'], 0, null],
    [['scan', 'GptTmpl.inf', '--fail-on', 'warning'], 1, null],
    [['scan', 'missing.inf'], 2, /relaylint: missing\.inf: no such file or folder/],
    [['scan', 'GptTmpl.inf', '--format', 'xml'], 2, /--format must be one of text, json, sarif, html \(got "xml"\)/],
    [['scan', 'GptTmpl.inf', '--bogus'], 2, /Unknown option '--bogus'/],
    [['scan'], 2, /scan needs at least one file or folder/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['scan', 'GptTmpl.inf', '--baseline', 'nope.json'], 2, /cannot read the baseline nope\.json/],
    [['--help'], 0, null],
    [['scan', '--help'], 0, null],
    [['scan', 'GptTmpl.inf', '-h'], 0, null],
    [['report', '--help'], 0, null],
    [['scan', '--', '--help'], 2, /relaylint: --help: no such file or folder/],
  ];
  for (const [args, code, err] of rows) {
    const r = runCli(args, { cwd: dir });
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    if (err) assert.match(r.stderr, err, args.join(' '));
  }
  const clean = tempDir();
  writeFile(clean, 'GptTmpl.inf', utf16bom(weakInf('\r\n').replace('=4,0', '=4,1')));
  assert.equal(runCli(['scan', 'GptTmpl.inf'], { cwd: clean }).code, 0);
});

test('report rejects a bad --window exactly as scan does (exit 2, same message), and accepts what scan accepts', () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', utf16bom(weakInf('\r\n')));
  for (const w of ['0d', 'abc', '-5d', '99999999d']) {
    const s = runCli(['scan', 'GptTmpl.inf', `--window=${w}`], { cwd: dir });
    const r = runCli(['report', 'GptTmpl.inf', '-o', 'page.html', `--window=${w}`], { cwd: dir });
    assert.equal(s.code, 2, `scan --window=${w}`);
    assert.equal(r.code, 2, `report --window=${w}: ${r.stderr}`);
    assert.equal(r.stderr, s.stderr, `report --window=${w}`);
    assert.ok(!fs.existsSync(path.join(dir, 'page.html')), `report --window=${w} wrote no page`);
  }
  const ok = runCli(['report', 'GptTmpl.inf', '-o', 'page.html', '--window=12w'], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(fs.readFileSync(path.join(dir, 'page.html'), 'utf8'), /Watch the events for at least 84 days/, '12w is 84 days, as scan reads it');
});

test('--fix changes only the fixed span, byte for byte, in every encoding and line-ending style; a second run changes nothing', () => {
  const cases: [string, Buffer, (text: string) => number, number][] = [
    // [label, bytes, byte offset of the changed character given the text, bytes per char]
    ['UTF-16LE + BOM + CRLF', utf16bom(weakInf('\r\n')), (t) => 2 + 2 * t.indexOf('=4,0') + 6, 2],
    ['UTF-8 without BOM + LF', Buffer.from(weakInf('\n'), 'utf8'), (t) => Buffer.byteLength(t.slice(0, t.indexOf('=4,0') + 3)), 1],
    ['mixed line endings', Buffer.from(weakInf('\n').replace('[Unicode]\n', '[Unicode]\r\n'), 'utf8'), (t) => Buffer.byteLength(t.slice(0, t.indexOf('=4,0') + 3)), 1],
  ];
  for (const [label, bytes, offsetOf, width] of cases) {
    const dir = tempDir();
    const file = writeFile(dir, 'GptTmpl.inf', bytes);
    const text = width === 2 ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8');
    const r = runCli(['scan', 'GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 0, `${label}: ${r.stdout}${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).summary.fixed, 1, label);
    const after = fs.readFileSync(file);
    const at = offsetOf(text);
    assert.deepEqual(diffRuns(bytes, after), [[at, at + 1, at + 1]], label);
    assert.equal(after[at], '1'.charCodeAt(0), label);
    const again = runCli(['scan', 'GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json'], { cwd: dir });
    assert.equal(JSON.parse(again.stdout).summary.fixed, 0, label);
    assert.deepEqual(fs.readFileSync(file), after, label);
  }
});

test('--baseline reports only findings that are new since the earlier JSON or SARIF result', () => {
  const dir = tempDir();
  const file = writeFile(dir, 'GptTmpl.inf', utf16bom(weakInf('\r\n')));
  fs.writeFileSync(path.join(dir, 'base.json'), runCli(['scan', 'GptTmpl.inf', '--format', 'json'], { cwd: dir }).stdout);
  fs.writeFileSync(path.join(dir, 'base.sarif'), runCli(['scan', 'GptTmpl.inf', '--format', 'sarif'], { cwd: dir }).stdout);
  for (const base of ['base.json', 'base.sarif']) {
    const same = runCli(['scan', 'GptTmpl.inf', '--format', 'json', '--baseline', base], { cwd: dir });
    assert.equal(same.code, 0, base);
    assert.deepEqual(JSON.parse(same.stdout).files[0].findings, [], base);
  }
  // Insert a line above the old finding (it moves) and weaken client signing (new).
  const text = weakInf('\r\n').replace('[Registry Values]\r\n', '[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnablePlainTextPassword=4,1\r\n');
  fs.writeFileSync(file, utf16bom(text));
  for (const base of ['base.json', 'base.sarif']) {
    const r = runCli(['scan', 'GptTmpl.inf', '--format', 'json', '--baseline', base], { cwd: dir });
    const findings = JSON.parse(r.stdout).files[0].findings;
    assert.deepEqual(
      findings.map((f: { ruleId: string; line: number }) => [f.ruleId, f.line]),
      [['smb.client.plaintext', 4]],
      base,
    );
    assert.equal(r.code, 1, base);
  }
});

test('--fix with --baseline fixes only what the baseline does not accept (it fixed the accepted findings too)', () => {
  const dir = tempDir();
  const file = writeFile(dir, 'GptTmpl.inf', utf16bom(weakInf('\r\n')));
  fs.writeFileSync(path.join(dir, 'base.json'), runCli(['scan', 'GptTmpl.inf', '--format', 'json'], { cwd: dir }).stdout);
  fs.writeFileSync(path.join(dir, 'base.sarif'), runCli(['scan', 'GptTmpl.inf', '--format', 'sarif'], { cwd: dir }).stdout);
  // The accepted finding (server signing not required) moves a line down; a new one comes above it.
  const PLAIN = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnablePlainTextPassword';
  const text = weakInf('\r\n').replace('[Registry Values]\r\n', `[Registry Values]\r\n${PLAIN}=4,1\r\n`);
  const newOnly = text.replace(`${PLAIN}=4,1`, `${PLAIN}=4,0`);
  const rows: [string[], string, number][] = [
    [['--baseline', 'base.json'], newOnly, 1],
    [['--baseline', 'base.sarif'], newOnly, 1],
    [[], newOnly.replace(`${SERVER_REQUIRE}=4,0`, `${SERVER_REQUIRE}=4,1`), 2],
  ];
  for (const [extra, expected, fixed] of rows) {
    fs.writeFileSync(file, utf16bom(text));
    const r = runCli(['scan', 'GptTmpl.inf', '--fix', '--unsafe-fixes', '--format', 'json', ...extra], { cwd: dir });
    assert.equal(r.code, 0, `${extra.join(' ')}: ${r.stderr}`);
    assert.deepEqual(fs.readFileSync(file), utf16bom(expected), extra.join(' ') || 'no baseline');
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.files[0].fixed, fixed, extra.join(' ') || 'no baseline');
    assert.deepEqual(doc.files[0].findings, [], 'nothing left to report');
  }
});

test('scan --format sarif: 2.1.0 log with rule metadata, fingerprints equal to the JSON ones, and fixes', () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', utf16bom(weakInf('\r\n')));
  const sarif = JSON.parse(runCli(['scan', 'GptTmpl.inf', '--format', 'sarif'], { cwd: dir }).stdout);
  const json = JSON.parse(runCli(['scan', 'GptTmpl.inf', '--format', 'json'], { cwd: dir }).stdout);
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'relaylint');
  const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'smb.server.require');
  assert.equal(rule.shortDescription.text, 'SMB server signing must be required');
  assert.equal(rule.helpUri, 'https://github.com/relaylint/relaylint/blob/main/docs/rules/smb.server.require.md');
  assert.match(rule.help.markdown, /Microsoft network server: Digitally sign communications \(always\)/);
  assert.equal(rule.defaultConfiguration.level, 'error');
  assert.equal(run.results.length, 1);
  const res = run.results[0];
  assert.equal(res.ruleId, 'smb.server.require');
  assert.equal(run.tool.driver.rules[res.ruleIndex].id, 'smb.server.require');
  assert.equal(res.level, 'error');
  assert.equal(res.message.text, REQUIRE_MESSAGE);
  assert.deepEqual(res.locations[0].physicalLocation, {
    artifactLocation: { uri: 'GptTmpl.inf', uriBaseId: 'SRCROOT' },
    region: { startLine: 4, startColumn: 1, endLine: 4, endColumn: SERVER_REQUIRE.length + 5 },
  });
  assert.equal(res.partialFingerprints['relaylint/v1'], json.files[0].findings[0].fingerprint);
  assert.deepEqual(res.fixes[0].artifactChanges[0].replacements, [
    {
      deletedRegion: { startLine: 4, startColumn: SERVER_REQUIRE.length + 2, endLine: 4, endColumn: SERVER_REQUIRE.length + 5 },
      insertedContent: { text: '4,1' },
    },
  ]);
  assert.deepEqual(run.invocations, [{ executionSuccessful: true }]);
});

test('scan --format sarif: brackets quoted from a file are escaped, so they cannot make an embedded link (SARIF 2.1.0 §3.11.6)', () => {
  const dir = tempDir();
  const reg = 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\nbad [Open](https://evil.example) [here](1) \\[x]\r\n';
  writeFile(dir, 'a.reg', reg);
  const sarif = JSON.parse(runCli(['scan', 'a.reg', '--format', 'sarif'], { cwd: dir }).stdout);
  assert.deepEqual(
    sarif.runs[0].results.map((r: { ruleId: string; message: { text: string } }) => [r.ruleId, r.message.text]),
    [['file.parse', 'Expected a \\[key\\] line, a "name"=data line, @=data or a ; comment; found "bad \\[Open\\](https://evil.example) \\[here\\](1) \\\\[x\\]".']],
  );
  // JSON keeps the text as it is.
  const json = JSON.parse(runCli(['scan', 'a.reg', '--format', 'json'], { cwd: dir }).stdout);
  assert.equal(json.files[0].problems[0].message, 'Expected a [key] line, a "name"=data line, @=data or a ; comment; found "bad [Open](https://evil.example) [here](1) \\[x]".');
});

test('folders: only Group Policy exports are scanned; other XML and driver INF files are counted as skipped', () => {
  const dir = tempDir();
  writeFile(dir, 'Policies/{11111111-2222-3333-4444-555555555555}/GPT.INI', '[General]\r\nVersion=1\r\ndisplayName=Servers\r\n');
  writeFile(dir, 'Policies/{11111111-2222-3333-4444-555555555555}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf', utf16bom(weakInf('\r\n')));
  writeFile(dir, 'other/Backup.xml', '<?xml version="1.0"?><GroupPolicyBackupScheme/>');
  writeFile(dir, 'drivers/netcard.inf', '[Version]\r\nSignature="$Windows NT$"\r\n[Manufacturer]\r\nX=Y\r\n');
  writeFile(dir, 'notes.txt', 'hello');
  const r = runCli(['scan', '.', '--format', 'json'], { cwd: dir });
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(
    doc.files.map((f: { path: string }) => f.path),
    ['Policies/{11111111-2222-3333-4444-555555555555}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf'],
  );
  assert.deepEqual(doc.files[0].gpo, { guid: '{11111111-2222-3333-4444-555555555555}', name: 'Servers' });
  assert.equal(doc.summary.skipped, 2);
  // Named explicitly, a file that is not an export is reported, not skipped.
  const explicit = JSON.parse(runCli(['scan', 'other/Backup.xml', '--format', 'json'], { cwd: dir }).stdout);
  assert.deepEqual(
    explicit.files[0].problems.map((p: { ruleId: string; severity: string }) => [p.ruleId, p.severity]),
    [['file.unknown', 'info']],
  );
});

test('worker threads give the same report, in the same order, as one thread', () => {
  const dir = tempDir();
  for (let i = 0; i < 70; i++) {
    const v = i % 3 === 0 ? '4,0' : '4,1';
    writeFile(dir, `Policies/gpo${String(i).padStart(3, '0')}/GptTmpl.inf`, utf16bom(weakInf('\r\n').replace('=4,0', `=${v}`)));
  }
  const strip = (s: string) => {
    const d = JSON.parse(s);
    delete d.summary.seconds;
    return d;
  };
  const one = runCli(['scan', '.', '--format', 'json', '--jobs', '1'], { cwd: dir });
  const two = runCli(['scan', '.', '--format', 'json', '--jobs', '2'], { cwd: dir });
  assert.equal(one.code, 1);
  assert.equal(two.code, 1);
  const a = strip(one.stdout);
  assert.equal(a.files.length, 70);
  assert.equal(a.files.filter((f: { findings: unknown[] }) => f.findings.length === 1).length, 24);
  assert.deepEqual(strip(two.stdout), a);
});

test('text output: findings, counts per rule and per file, coverage and a summary; no colour with NO_COLOR', () => {
  const dir = tempDir();
  writeFile(dir, 'GptTmpl.inf', utf16bom(weakInf('\r\n')));
  const r = runCli(['scan', 'GptTmpl.inf'], { cwd: dir });
  assert.doesNotMatch(r.stdout, /\u001b\[/);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'GptTmpl.inf [inf, utf-16le-bom]');
  assert.equal(lines[1], `  4:1       error   ${REQUIRE_MESSAGE} smb.server.require (fixable)`);
  assert.ok(lines.includes('Findings by rule'));
  assert.ok(lines.includes('  smb.server.require  1 error'));
  assert.ok(lines.includes('  GptTmpl.inf  1 error'));
  assert.match(r.stdout, /\n {2}smb\.server\.require +weak {6}1 source: GptTmpl\.inf:4\n/);
  assert.match(lines[lines.length - 2], /^Scanned 1 file in \d+\.\d\d s: 1 error\.$/);
});

test('hostile files named on the command line never crash the CLI', () => {
  const dir = tempDir();
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const files: string[] = [];
  for (let i = 0; i < 12; i++) {
    const b = Buffer.alloc(Math.floor(rnd() * 3000));
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(rnd() * 256);
    const ext = ['inf', 'reg', 'xml', 'pol'][i % 4];
    files.push(path.basename(writeFile(dir, `junk${i}.${ext}`, b)));
  }
  writeFile(dir, 'trunc.pol', Buffer.from('PReg\u0001\u0000\u0000\u0000[\u0000', 'latin1'));
  files.push('trunc.pol');
  const r = runCli(['scan', ...files, '--format', 'json', '--fail-on', 'never'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.files.length, files.length);
  const trunc = doc.files.find((f: { path: string }) => f.path === 'trunc.pol');
  assert.deepEqual(
    trunc.problems.map((p: { ruleId: string; offset: number }) => [p.ruleId, p.offset]),
    [['file.parse', 10]],
  );
});

test('SARIF output is valid for Microsoft\'s SARIF Multitool: every format, fixes, byte-offset regions, inline suppressions', () => {
  const dir = tempDir();
  const suppressed = weakInf('\r\n').replace(
    '[Registry Values]\r\n',
    '[Registry Values]\r\n; relaylint-disable-next-line ntlm.lmcompat -- legacy NAS, ticket 7\r\nMACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel=4,1\r\n',
  );
  writeFile(dir, 'GptTmpl.inf', utf16bom(suppressed));
  const out = path.join(dir, 'out.sarif');
  const r = runCli(['scan', path.join(REPO, 'examples'), 'GptTmpl.inf', '--format', 'sarif', '--output', out], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  const log = JSON.parse(fs.readFileSync(out, 'utf8'));
  const results = log.runs[0].results as { ruleId: string; suppressions?: unknown[]; fixes?: unknown[]; locations: { physicalLocation: { region: Record<string, number> } }[] }[];
  assert.ok(results.some((x) => x.suppressions?.length), 'an inline suppression is carried');
  assert.ok(results.some((x) => x.fixes?.length), 'fixes are carried');
  assert.ok(results.some((x) => x.locations[0].physicalLocation.region.byteOffset !== undefined), 'a Registry.pol byte offset is carried');
  assert.deepEqual(validateSarif(out), { errors: [], warnings: [] });
});
