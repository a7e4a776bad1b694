/**
 * Event logs that could not be read in full (audit, wave 18b): the readiness judged with them says
 * so (`unread`, the caveat in `why`, never plainly ready on the posture page, no L4 from it); the
 * posture page lists their errors as input problems; SARIF has an `evidence.problem` result at the
 * problem's level. And: the audit switches come only from GPO exports actually scanned (a stray
 * file does not make a rule audit-off); report without a path names report; a loop of links is
 * said to be one; format characters are escaped in the text output.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { bytesSource, detectEvidence, EvidenceCollector, readEvidenceFile, type EvidenceFormat, type Readiness } from '../../../server/src/core/evidence';
import { posture } from '../../../server/src/core';
import { evalCond } from '../../../server/src/core/posture/assess';
import { escapeControls } from '../../../server/src/cli/text';
import { REPO, runCli, tempDir, writeFile } from '../../helpers/cli';
import { fixture } from '../../helpers/evidence';

/** security.evtx with chunk 2's signature zeroed: its records are skipped (an error). */
function damaged(): Buffer {
  const d = Buffer.from(fixture('security.evtx'));
  d[4096 + 65536 * 2] = 0;
  return d;
}
const DAMAGED_ERROR = 'Damaged chunk at byte 135168: no chunk signature; its records were skipped.';
const CUT_ERROR = 'The EVTX file is truncated: it ends at byte 2000, inside the 4096-byte header block; no chunk to read.';
const EXAMPLE_LOG = 'examples/logs/DC01-relay-events.xml';

const caveat = (list: string, n = 1) =>
  ` ${n === 1 ? 'An event log' : `${n} event logs`} could not be read in full (${list}; see the errors of the event logs read): events in the part not read are not counted, so this holds only as far as the logs read show.`;

function judge(files: { path: string; bytes: Uint8Array }[]): Readiness[] {
  const c = new EvidenceCollector();
  for (const f of files) {
    const src = bytesSource(f.bytes);
    readEvidenceFile(c, f.path, detectEvidence(src, f.path) as EvidenceFormat, src);
  }
  return c.judge();
}

const READY_WHY =
  'Ready: no failing client in 30 days of logs from WIN-03DLIIOFRRA. The logs of 37L4247F27-25 end before the window (last event 2016-07-08T18:14:59.617Z) and were not used. 3 anonymous NTLM logons were left out: they always read "NTLM V1" and are not NTLMv1 use (KB4090105).';

test('readiness judged while an event log had an error names it (unread, why), for the rules its log may hold', () => {
  const cut = damaged().subarray(0, 2000);
  const cases: { name: string; files: { path: string; bytes: Uint8Array }[]; rule: string; status: string; unread?: string[]; why?: string }[] = [
    { name: 'intact log: plainly ready', files: [{ path: 'ok.evtx', bytes: fixture('security.evtx') }], rule: 'ntlm.lmcompat', status: 'ready', why: READY_WHY },
    { name: 'damaged chunk, its own log (Security)', files: [{ path: 'dmg.evtx', bytes: damaged() }], rule: 'ntlm.lmcompat', status: 'ready', unread: ['dmg.evtx'], why: READY_WHY + caveat('dmg.evtx') },
    // An EVTX holds one log: a damaged Security log says nothing about the Directory Service.
    { name: 'damaged Security log, an LDAP rule', files: [{ path: 'dmg.evtx', bytes: damaged() }], rule: 'ldap.server.signing', status: 'no-evidence' },
    // Cut in its header: which log it is was never read, so it may hold any rule's events.
    { name: 'cut in its header, an LDAP rule', files: [{ path: 'ok.evtx', bytes: fixture('security.evtx') }, { path: 'cut.evtx', bytes: cut }], rule: 'ldap.server.signing', status: 'no-evidence', unread: ['cut.evtx'] },
    {
      name: 'both',
      files: [
        { path: 'dmg.evtx', bytes: damaged() },
        { path: 'cut.evtx', bytes: cut },
      ],
      rule: 'ntlm.lmcompat',
      status: 'ready',
      unread: ['dmg.evtx', 'cut.evtx'],
      why: READY_WHY + caveat('dmg.evtx, cut.evtx', 2),
    },
  ];
  for (const c of cases) {
    const r = judge(c.files).find((x) => x.ruleId === c.rule) as Readiness;
    assert.equal(r.status, c.status, c.name);
    assert.deepEqual(r.unread, c.unread, c.name);
    if (c.why) assert.equal(r.why, c.why, c.name);
    else if (!c.unread) assert.ok(!r.why.includes('could not be read in full'), c.name);
    else assert.ok(r.why.endsWith(caveat(c.unread.join(', '), c.unread.length)), c.name);
  }
});

test('posture: an event log error is an input problem, and ready with an unread log is not proof for L4', () => {
  const doc: posture.ScanResultJson = {
    coverage: [],
    evidence: [{ path: 'dmg.evtx', format: 'evtx', problems: [{ severity: 'error', message: DAMAGED_ERROR, offset: 135168 }, { severity: 'warning', message: 'a warning' }] }],
    readiness: [{ ruleId: 'ntlm.lmcompat', status: 'ready', why: 'Ready.', unread: ['dmg.evtx'] } as posture.ReadinessJson],
  };
  const input = posture.postureInput(doc);
  assert.deepEqual(input.problems, [`the event log dmg.evtx: ${DAMAGED_ERROR}`]);
  assert.deepEqual(input.readiness[0].unread, ['dmg.evtx']);
  const ev = evalCond(input, input.scopes[0], { evidence: ['ntlm.lmcompat'], need: 'ready' } as posture.Condition);
  assert.deepEqual([ev.ok, ev.text, ev.uncertain], [false, 'event logs: ntlm.lmcompat ready, but not every event log was read in full (dmg.evtx)', 'ready, but not every event log was read in full (dmg.evtx)']);
  const plain = posture.postureInput({ ...doc, readiness: [{ ruleId: 'ntlm.lmcompat', status: 'ready', why: 'Ready.' }] });
  assert.equal(evalCond(plain, plain.scopes[0], { evidence: ['ntlm.lmcompat'], need: 'ready' } as posture.Condition).ok, true);
});

test('relaylint report and scan --format html: the event logs\' errors head the page and readiness is not plainly ready; report exits 0', () => {
  const dir = tempDir();
  writeFile(dir, 'dmg.evtx', damaged());
  writeFile(dir, 'cut.evtx', damaged().subarray(0, 2000));
  for (const args of [
    ['report', 'dmg.evtx', 'cut.evtx', '-o', 'p.html'],
    ['scan', 'dmg.evtx', 'cut.evtx', '--format', 'html', '--fail-on', 'never', '-o', 'p.html'],
  ]) {
    fs.rmSync(path.join(dir, 'p.html'), { force: true });
    const r = runCli(args, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const html = fs.readFileSync(path.join(dir, 'p.html'), 'utf8');
    assert.deepEqual(
      [...html.matchAll(/<strong>Input problem:<\/strong> ([^<]*)<\/p>/g)].map((m) => m[1]),
      [`the event log dmg.evtx: ${DAMAGED_ERROR}`, `the event log cut.evtx: ${CUT_ERROR}`],
    );
    assert.match(html, /Readiness ntlm\.lmcompat: ready, but not every event log was read in full \(dmg\.evtx, cut\.evtx\) — Ready: no failing client/);
    assert.doesNotMatch(html, /Readiness ntlm\.lmcompat: ready — /);
  }
});

test('SARIF: an event log\'s problems are evidence.problem results at their level and place', () => {
  const dir = tempDir();
  writeFile(dir, 'dmg.evtx', damaged());
  writeFile(dir, 'cut.evtx', damaged().subarray(0, 2000));
  const r = runCli(['scan', 'dmg.evtx', 'cut.evtx', '--format', 'sarif'], { cwd: dir });
  assert.equal(r.code, 1, 'an event log that could not be read fails the scan, as in text');
  const run = JSON.parse(r.stdout).runs[0];
  const ev = run.results.filter((x: { ruleId: string }) => x.ruleId === 'evidence.problem');
  assert.deepEqual(
    ev.map((x: { level: string; message: { text: string }; locations: unknown[]; ruleIndex: number }) => [x.level, x.message.text, x.locations, run.tool.driver.rules[x.ruleIndex].id]),
    [
      ['error', DAMAGED_ERROR, [{ physicalLocation: { artifactLocation: { uri: 'dmg.evtx', uriBaseId: 'SRCROOT' }, region: { byteOffset: 135168, byteLength: 1 } } }], 'evidence.problem'],
      ['error', CUT_ERROR, [{ physicalLocation: { artifactLocation: { uri: 'cut.evtx', uriBaseId: 'SRCROOT' }, region: { byteOffset: 2000, byteLength: 0 } } }], 'evidence.problem'],
    ],
  );
  assert.deepEqual(run.invocations, [{ executionSuccessful: true }]);
});

test('text: the last line names the inputs\' errors (it said "no findings" for a scan that exits 1)', () => {
  const dir = tempDir();
  writeFile(dir, 'dmg.evtx', damaged());
  writeFile(dir, 'cut.evtx', damaged().subarray(0, 2000));
  writeFile(dir, 'x.json', '{"name":"not topology"}');
  const r = runCli(['scan', 'dmg.evtx', 'cut.evtx', '--topology', 'x.json', '--no-color'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\nScanned 0 files in \d+\.\d\d s: no findings; 2 event-log errors, 1 topology error\.\n$/);
  const one = runCli(['scan', 'dmg.evtx', '--no-color'], { cwd: dir });
  assert.match(one.stdout, /\nScanned 0 files in \d+\.\d\d s: no findings; 1 event-log error\.\n$/);
});

test('the audit switches come only from GPO exports scanned: a stray file does not make a rule audit-off', () => {
  const dir = tempDir();
  writeFile(dir, 'dc01.xml', fs.readFileSync(path.join(REPO, EXAMPLE_LOG)));
  writeFile(dir, 'notes.txt', 'hello\n');
  writeFile(dir, 'GptTmpl.inf', '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel=4,1\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n');
  writeFile(dir, 'gone.inf', '');
  fs.rmSync(path.join(dir, 'gone.inf'));
  fs.symlinkSync('nowhere.inf', path.join(dir, 'gone.inf'));
  const cases: [string[], string][] = [
    [['dc01.xml'], 'no-evidence'],
    [['dc01.xml', 'notes.txt'], 'no-evidence'],
    [['dc01.xml', 'gone.inf'], 'no-evidence'],
    [['dc01.xml', 'notes.txt', 'GptTmpl.inf'], 'audit-off'],
  ];
  for (const [args, status] of cases) {
    const r = runCli(['scan', ...args, '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    const j = JSON.parse(r.stdout);
    const x = j.readiness.find((y: { ruleId: string }) => y.ruleId === 'smb.server.require');
    assert.equal(x.status, status, args.join(' '));
  }
});

test('relaylint report without a path names report; --help says a path is required', () => {
  const r = runCli(['report', '--evidence', EXAMPLE_LOG, '-o', path.join(tempDir(), 'x.html')]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'relaylint: report needs at least one file or folder of GPO exports (--evidence and --topology add to them)\nRun "relaylint --help" for usage.\n');
  assert.equal(runCli(['scan']).stderr, 'relaylint: scan needs at least one file or folder\nRun "relaylint --help" for usage.\n');
  assert.match(runCli(['--help']).stdout, /\nreport needs at least one <path> \(a file or folder of GPO exports\)\. It exits 0 unless a path cannot be read \(2\); a\ntopology or an event log that could not be read in full is listed at the top of the page as an input problem\.\n/);
});

test('a loop of symbolic links in a scanned folder is said to be a loop, not a broken link', () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'dl'));
  fs.symlinkSync('a', path.join(dir, 'dl/b.xml'));
  fs.symlinkSync('b.xml', path.join(dir, 'dl/a'));
  fs.symlinkSync('nowhere.xml', path.join(dir, 'dl/c.xml'));
  const r = runCli(['scan', 'dl', '--format', 'json', '--no-coverage'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.deepEqual(
    JSON.parse(r.stdout).files.map((f: { path: string; problems: { message: string }[] }) => [f.path, f.problems.map((p) => p.message)]),
    [
      ['dl/b.xml', ['This file is a symbolic link in a loop of links (each leads to another and none to a file); it could not be read.']],
      ['dl/c.xml', ['This file is a symbolic link that leads nowhere (broken link); it could not be read.']],
    ],
  );
  // Named on the command line: the same words, not node's ELOOP text.
  const named = runCli(['scan', 'dl/a'], { cwd: dir });
  assert.equal(named.code, 2);
  assert.equal(named.stderr, 'relaylint: dl/a: a symbolic link in a loop of links (each leads to another and none to a file or folder)\n');
});

test('escapeControls: C0/C1 controls, bidi controls and the other invisible format characters are shown as escapes', () => {
  const cases: [string, string][] = [
    ['plain Zürich ✓', 'plain Zürich ✓'],
    ['a\u0007b\u009bc', 'a\\x07b\\x9bc'],
    ['abc\u202efdp.exe', 'abc\\u202efdp.exe'],
    ['\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c', '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c'],
    ['zero\u200bwidth\u200c\u200d\u2060\ufeff', 'zero\\u200bwidth\\u200c\\u200d\\u2060\\ufeff'],
    ['soft\u00adhyphen', 'soft\\xadhyphen'],
    ['line\u2028para\u2029', 'line\\u2028para\\u2029'],
    ['tag\u{e0041}', 'tag\\u{e0041}'],
  ];
  for (const [input, out] of cases) assert.equal(escapeControls(input), out, JSON.stringify(input));
});

test('text output: a format character in an event log field is escaped in the readiness table', () => {
  const dir = tempDir();
  const H = '"TimeCreated","LogName","ProviderName","Id","RecordId","MachineName","EventData"';
  writeFile(dir, 'bidi.csv', `${H}\n"2026-01-10T00:00:00Z","Directory Service","NTDS LDAP","2889","1","DC01","{""Data[0]"":""10.0.0.1:1"",""Data[1]"":""abc\u202efdp.exe\u200b"",""Data[2]"":""0""}"\n`);
  const r = runCli(['scan', 'bidi.csv'], { cwd: dir });
  assert.match(r.stdout, /\n {11}1 {2}10\.0\.0\.1 {2}abc\\u202efdp\.exe\\u200b {2}2026-01-10…2026-01-10 {2}DC01\n/);
  assert.doesNotMatch(r.stdout, /[\u202e\u200b]/);
});
