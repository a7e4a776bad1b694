/**
 * The CLI with event-log evidence: the JSON contract (`evidence`, `readiness`), bad input that
 * gives a problem while the scan goes on, `--window`, text and SARIF output, the bundled example.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO, runCli, tempDir, writeFile } from '../../helpers/cli';

const EXAMPLE_LOG = 'examples/logs/DC01-relay-events.xml';

test('scan of the bundled example: JSON carries evidence and readiness as in the contract', () => {
  const r = runCli(['scan', 'examples', '--format', 'json', '--fail-on', 'never']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.evidence, [
    {
      path: EXAMPLE_LOG,
      format: 'event-xml',
      records: 12,
      relevant: 9,
      computers: ['DC01.corp.example'],
      channels: ['Directory Service', 'Security'],
      problems: [],
      from: '2026-10-28T06:00:01.123Z',
      to: '2026-11-30T18:00:00.000Z',
    },
  ]);
  // The example log is not a GPO file: it is not in `files`.
  assert.ok(!j.files.some((f: { path: string }) => f.path === EXAMPLE_LOG));
  // The example has a topology (examples/topology): readiness is per scope, and DC01's log speaks for the DCs' scope.
  const DC = 'corp.example/Domain Controllers';
  const lm = j.readiness.find((x: { ruleId: string; scope?: string }) => x.ruleId === 'ntlm.lmcompat' && x.scope === DC);
  assert.deepEqual(lm, {
    ruleId: 'ntlm.lmcompat',
    scope: DC,
    status: 'blocked',
    clients: [
      {
        events: 2,
        eventIds: [4624],
        logs: ['Security'],
        servers: ['DC01.corp.example'],
        sources: [
          { path: EXAMPLE_LOG, record: 1004, line: 5 },
          { path: EXAMPLE_LOG, record: 1009, line: 10 },
        ],
        address: '10.0.4.17',
        port: '50211',
        host: 'SCANNER01',
        account: 'CORP\\svc-scan',
        fields: { LmPackageName: 'NTLM V1' },
        first: '2026-11-12T10:02:13.000Z',
        last: '2026-11-29T11:30:41.000Z',
      },
    ],
    ignored: [{ reason: 'anonymous-logon', events: 2, source: 'KB4090105' }],
    servers: ['DC01.corp.example'],
    window: { from: '2026-10-31T18:00:00.000Z', to: '2026-11-30T18:00:00.000Z', days: 30 },
    why: '1 client would fail if this were enforced now (SCANNER01), seen in the logs of DC01.corp.example. 2 anonymous NTLM logons were left out: they always read "NTLM V1" and are not NTLMv1 use (KB4090105).',
  });
  const ldap = j.readiness.find((x: { ruleId: string; scope?: string }) => x.ruleId === 'ldap.server.signing' && x.scope === DC);
  assert.equal(ldap.status, 'blocked');
  assert.deepEqual(
    ldap.clients.map((c: { address: string; events: number }) => [c.address, c.events]),
    [
      ['10.0.4.17', 3],
      ['10.0.7.30', 1],
    ],
  );
  // The GPOs do not turn the SMB server signing audit on: a quiet log would prove nothing.
  assert.equal(j.readiness.find((x: { ruleId: string }) => x.ruleId === 'smb.server.require').status, 'audit-off');
  assert.equal(j.readiness.find((x: { ruleId: string }) => x.ruleId === 'smb1.server').status, 'no-evidence');
});

test('text output: a table per rule, most events first; --window changes the window', () => {
  const r = runCli(['scan', EXAMPLE_LOG, '--window', '10d']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Rollout readiness: who breaks if the rule is enforced now\n/);
  assert.match(
    r.stdout,
    /  ldap\.server\.signing  blocked  1 client would fail if this were enforced now \(10\.0\.4\.17\), seen in the logs of DC01\.corp\.example\.\n {6}events  client {2}/,
  );
  assert.match(r.stdout, /\n {11}2 {2}10\.0\.4\.17 {2}CORP\\svc-scan {2}2026-11-29…2026-11-30 {2}DC01\.corp\.example\n/);
  const bad = runCli(['scan', EXAMPLE_LOG, '--window', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--window must be a number of days such as 30d, 12w or 90 \(got "soon"\)/);
});

test('bad evidence input gives a clear problem and the scan goes on', () => {
  const dir = tempDir();
  const sec = fs.readFileSync(path.join(REPO, 'test/fixtures/evtx/security.evtx'));
  writeFile(dir, 'cut.evtx', sec.subarray(0, 4096 + 65536 + 1000));
  writeFile(dir, 'junk.evtx', 'not a log');
  const xml = fs.readFileSync(path.join(REPO, EXAMPLE_LOG), 'utf8');
  writeFile(dir, 'cut.xml', xml.slice(0, Math.floor(xml.length / 2)));
  writeFile(dir, 'binds.csv', '"IPAddress","Port"\r\n"10.0.0.1","1"\r\n');
  writeFile(dir, 'other.csv', 'a,b\r\n1,2\r\n');
  writeFile(dir, 'system.evtx', fs.readFileSync(path.join(REPO, 'test/fixtures/evtx/system.evtx')));
  writeFile(dir, 'GptTmpl.inf', '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel=4,1\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n');
  const r = runCli(['scan', dir, '--format', 'json']);
  assert.equal(r.code, 1, 'an export that could not be read fails closed');
  const j = JSON.parse(r.stdout);
  const byName = (n: string) => j.evidence.find((e: { path: string }) => e.path.endsWith(n));
  assert.equal(byName('cut.evtx').records, 91);
  assert.deepEqual(byName('cut.evtx').problems, [
    { severity: 'error', message: 'The EVTX file is truncated: the chunk at byte 69632 has 1000 of 65536 bytes; the records that are complete were read.', offset: 69632 },
  ]);
  assert.deepEqual(byName('junk.evtx').problems, [{ severity: 'error', message: 'Not an EVTX file: the file header signature "ElfFile" is missing.', offset: 0 }]);
  assert.match(byName('cut.xml').problems[0].message, /^The file ends inside the <Event> that starts at line \d+ \(the export looks cut in the middle\)/);
  // A CSV without the needed columns is not taken for an event export: the GPO scan skips it.
  assert.equal(byName('binds.csv'), undefined);
  assert.equal(byName('other.csv'), undefined);
  assert.match(byName('system.evtx').problems[0].message, /^This log \(System\) holds no event relaylint uses/);
  // The GPO file was still scanned.
  assert.equal(j.files.length, 1);
  assert.equal(j.files[0].findings[0].ruleId, 'ntlm.lmcompat');
});

test('a CSV named on the command line without the needed columns says which columns it needs', () => {
  const dir = tempDir();
  const p = writeFile(dir, 'lost.csv', '"Message","Id","Version","LogName","TimeCreated","Properties"\r\n"x","4624","2","Security","1/1/2026","System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"\r\n');
  const r = runCli(['scan', p, '--format', 'json']);
  const j = JSON.parse(r.stdout);
  assert.match(j.evidence[0].problems[0].message, /no EventData column: Export-Csv of Get-WinEvent objects drops the event data/);
  assert.equal(r.code, 1);
});

test('SARIF: one result per rule that is not ready, at the GPO line that would enforce it', () => {
  const r = runCli(['scan', 'examples', '--format', 'sarif', '--fail-on', 'never']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const ready = s.runs[0].results.filter((x: { properties?: { readiness?: string } }) => x.properties?.readiness);
  const ldap = ready.find((x: { ruleId: string }) => x.ruleId === 'ldap.server.signing');
  assert.equal(ldap.level, 'warning');
  assert.deepEqual(ldap.locations[0].physicalLocation, {
    artifactLocation: { uri: 'examples/corp.example/Policies/%7B6AC1786C-016F-11D2-945F-00C04fB984F9%7D/Machine/Microsoft/Windows%20NT/SecEdit/GptTmpl.inf', uriBaseId: 'SRCROOT' },
    region: { startLine: 10, startColumn: 1, endLine: 11, endColumn: 1 },
  });
  assert.match(ldap.message.text, /^Rollout readiness in corp\.example\/Domain Controllers: blocked\. 2 clients would fail/);
  assert.ok(!ready.some((x: { properties: { readiness: string } }) => x.properties.readiness === 'ready'));
  // No GPO sets channel binding: file-level on the evidence file.
  const cbt = ready.find((x: { ruleId: string }) => x.ruleId === 'ldap.server.cbt');
  assert.equal(cbt, undefined, 'channel binding is ready in the example (no 3040, no 3074/3075)');
});

test('the config file\'s "evidence" locations are read with the GPOs it applies to', () => {
  const dir = tempDir();
  writeFile(dir, 'relaylint.json', JSON.stringify({ evidence: ['logs/'] }));
  writeFile(dir, 'gpo/GptTmpl.inf', '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel=4,1\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n');
  writeFile(dir, 'logs/dc01.xml', fs.readFileSync(path.join(REPO, EXAMPLE_LOG)));
  const r = runCli(['scan', 'gpo', '--format', 'json'], { cwd: dir });
  const j = JSON.parse(r.stdout);
  assert.deepEqual(
    j.evidence.map((e: { path: string; records: number }) => [e.path, e.records]),
    [['logs/dc01.xml', 12]],
  );
  assert.equal(j.readiness.find((x: { ruleId: string }) => x.ruleId === 'ntlm.lmcompat').status, 'blocked');
});
