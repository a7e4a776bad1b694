/**
 * Readiness from event logs: table-driven per event kind, per export format, the anonymous-logon
 * trap (KB4090105), missing fields, the 2887-without-2889 case, audit switches, scopes and the
 * window logic. The events are written for these tests from the field lists of
 * scope-and-evidence.md §3 (no real sample has them, §5).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bytesSource,
  detectEvidence,
  EvidenceCollector,
  readEvidenceFile,
  type EvidenceFormat,
  type Readiness,
  type ReadinessOptions,
} from '../../../server/src/core/evidence';
import { settingRuleById } from '../../../server/src/core/catalog';
import { EVENT_KINDS, RULE_EVIDENCE } from '../../../server/src/core/evidence';
import { fixture } from '../../helpers/evidence';

const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

interface Ev {
  channel: string;
  provider?: string;
  id: number;
  time: string;
  computer: string;
  /** EventRecordID; none when not given (events that share one, computer, log and time are one event given twice). */
  record?: number;
  data: Record<string, string> | string[];
}

function eventXml(e: Ev, rendered = false): string {
  const data = Array.isArray(e.data)
    ? e.data.map((v) => `<Data>${esc(v)}</Data>`).join('')
    : Object.entries(e.data)
        .map(([k, v]) => `<Data Name="${k}">${esc(v)}</Data>`)
        .join('');
  const provider = e.provider ? `<Provider Name="${e.provider}"/>` : '';
  return (
    `<Event xmlns="${NS}"><System>${provider}<EventID>${e.id}</EventID><Version>0</Version><Level>4</Level>` +
    `<TimeCreated SystemTime="${e.time}"/>${e.record === undefined ? '' : `<EventRecordID>${e.record}</EventRecordID>`}<Channel>${e.channel}</Channel>` +
    `<Computer>${e.computer}</Computer><Security/></System><EventData>${data}</EventData>` +
    (rendered ? `<RenderingInfo Culture="en-US"><Message>localised &amp; ignored</Message><Level>Information</Level></RenderingInfo>` : '') +
    `</Event>`
  );
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

const enc = new TextEncoder();

function judge(files: { path: string; text?: string; bytes?: Uint8Array }[], options: ReadinessOptions = {}) {
  const c = new EvidenceCollector();
  for (const f of files) {
    const bytes = f.bytes ?? enc.encode(f.text ?? '');
    const src = bytesSource(bytes);
    const format = detectEvidence(src, f.path);
    assert.ok(format, `${f.path} is recognised as an event export`);
    readEvidenceFile(c, f.path, format as EvidenceFormat, src);
  }
  return { files: c.files, readiness: c.judge(options) };
}

function rule(r: Readiness[], id: string): Readiness {
  const x = r.find((y) => y.ruleId === id);
  assert.ok(x, `readiness for ${id}`);
  return x as Readiness;
}

const DS = 'Directory Service';
const DSP = 'Microsoft-Windows-ActiveDirectory_DomainService';
const T0 = '2026-11-01T08:00:00.0000000Z';
const T_END = '2026-11-30T20:00:00.0000000Z';
/** A quiet event at the start and the end of the window for a channel and server, so the log covers 30 days. */
function span(channel: string, computer: string, provider?: string): string {
  return [
    eventXml({ channel, provider, id: 1, time: '2026-10-30T00:00:00.0000000Z', computer, data: [] }),
    eventXml({ channel, provider, id: 1, time: T_END, computer, data: [] }),
  ].join('\n');
}

interface KindCase {
  name: string;
  ev: Ev;
  ruleId: string;
  client: Record<string, unknown>;
  options?: ReadinessOptions;
}

const KIND_CASES: KindCase[] = [
  {
    name: 'SMB1 access 3000: the first value is the client address, its name shown raw',
    ev: { channel: 'Microsoft-Windows-SMBServer/Audit', provider: 'Microsoft-Windows-SMBServer', id: 3000, time: T0, computer: 'FS01', data: { ClientName: '10.0.4.17' } },
    ruleId: 'smb1.server',
    client: { address: '10.0.4.17', fields: { ClientName: '10.0.4.17' } },
  },
  {
    name: 'SMB 3021: fields UNVERIFIED, raw only',
    ev: { channel: 'Microsoft-Windows-SMBServer/Audit', provider: 'Microsoft-Windows-SMBServer', id: 3021, time: T0, computer: 'FS01', data: { ClientName: 'SCANNER01', ClientAddress: '10.0.4.17' } },
    ruleId: 'smb.server.require',
    client: { fields: { ClientName: 'SCANNER01', ClientAddress: '10.0.4.17' } },
  },
  {
    name: 'SMB 3027 (SMB1 without signing): raw only',
    ev: { channel: 'Microsoft-Windows-SMBServer/Audit', id: 3027, time: T0, computer: 'FS01', data: ['OLDNAS'] },
    ruleId: 'smb.server.require',
    client: { fields: { 'Data[0]': 'OLDNAS' } },
  },
  {
    name: 'SMB 3025 SPN audit: raw only',
    ev: { channel: 'Microsoft-Windows-SMBServer/Audit', id: 3025, time: T0, computer: 'FS01', data: { SpnName: 'cifs/x' } },
    ruleId: 'smb.server.spn',
    client: { fields: { SpnName: 'cifs/x' } },
  },
  {
    name: 'SMB client 31998: the recording machine is the client',
    ev: { channel: 'Microsoft-Windows-SMBClient/Audit', provider: 'Microsoft-Windows-SMBClient', id: 31998, time: T0, computer: 'WS17', data: { ServerName: 'OLDNAS' } },
    ruleId: 'smb.client.require',
    client: { host: 'WS17', fields: { ServerName: 'OLDNAS' } },
    // Counted only where the encryption audit, which shares the two ids, is off (see the next test).
    options: { auditSwitches: { 'smb.client.audit.encryption': 'off' } },
  },
  {
    name: 'LDAP 2889 SASL without signing (type 0), IPv4',
    ev: { channel: DS, provider: DSP, id: 2889, time: T0, computer: 'DC01', data: ['10.0.4.17:51234', 'CORP\\svc-scan', '0'] },
    ruleId: 'ldap.server.signing',
    client: { address: '10.0.4.17', port: '51234', account: 'CORP\\svc-scan', fields: { bindType: '0 (SASL without signing)' } },
  },
  {
    name: 'LDAP 2889 simple bind (type 1), IPv6 in brackets',
    ev: { channel: DS, provider: DSP, id: 2889, time: T0, computer: 'DC01', data: ['[fe80::1]:389', 'cn=app', '1'] },
    ruleId: 'ldap.server.signing',
    client: { address: 'fe80::1', port: '389', account: 'cn=app', fields: { bindType: '1 (simple bind, clear text)' } },
  },
  {
    name: 'LDAP 3074: client found by its IP:port value, all values raw',
    ev: { channel: DS, provider: DSP, id: 3074, time: T0, computer: 'DC01', data: ['CORP\\app1', '10.0.9.9:50000', '1'] },
    ruleId: 'ldap.server.cbt',
    client: { address: '10.0.9.9', port: '50000', fields: { 'Data[0]': 'CORP\\app1', 'Data[1]': '10.0.9.9:50000', 'Data[2]': '1' } },
  },
  {
    name: 'LDAP 3039 without an IP:port value: raw only',
    ev: { channel: DS, id: 3039, time: T0, computer: 'DC01', data: ['CORP\\app2'] },
    ruleId: 'ldap.server.cbt',
    client: { fields: { 'Data[0]': 'CORP\\app2' } },
  },
  {
    name: 'NTLM 8001 outgoing: recorded on the client, TargetName the server',
    ev: { channel: 'Microsoft-Windows-NTLM/Operational', provider: 'Microsoft-Windows-NTLM', id: 8001, time: T0, computer: 'WS17', data: { TargetName: 'cifs/oldnas', UserName: 'alice', DomainName: 'CORP', ProcessName: 'explorer.exe' } },
    ruleId: 'ntlm.out',
    client: { host: 'WS17', account: 'CORP\\alice', fields: { TargetName: 'cifs/oldnas', ProcessName: 'explorer.exe' } },
  },
  {
    name: 'NTLM 8002 incoming: the account only',
    ev: { channel: 'Microsoft-Windows-NTLM/Operational', id: 8002, time: T0, computer: 'FS01', data: { CallerPID: '4', ProcessName: 'System', ClientUserName: 'bob', ClientDomainName: 'CORP' } },
    ruleId: 'ntlm.in.restrict',
    client: { account: 'CORP\\bob', fields: { ProcessName: 'System' } },
  },
  {
    name: 'NTLM 8003 domain: Workstation',
    ev: { channel: 'Microsoft-Windows-NTLM/Operational', id: 8003, time: T0, computer: 'DC01', data: { UserName: 'carol', DomainName: 'CORP', Workstation: 'WS20' } },
    ruleId: 'ntlm.domain.restrict',
    client: { host: 'WS20', account: 'CORP\\carol' },
  },
  {
    name: 'NTLM 8004 pass-through (Netlogon provider)',
    ev: { channel: 'Microsoft-Windows-NTLM/Operational', provider: 'Microsoft-Windows-Security-Netlogon', id: 8004, time: T0, computer: 'DC01', data: { SChannelName: 'FS01', UserName: 'dave', DomainName: 'CORP', WorkstationName: 'WS21', SChannelType: '2' } },
    ruleId: 'ntlm.domain.restrict',
    client: { host: 'WS21', account: 'CORP\\dave', fields: { SChannelName: 'FS01' } },
  },
  {
    name: 'Security 4624 NTLM V1 with an address',
    ev: {
      channel: 'Security',
      provider: 'Microsoft-Windows-Security-Auditing',
      id: 4624,
      time: T0,
      computer: 'DC01',
      data: { TargetUserSid: 'S-1-5-21-1-2-3-1104', TargetUserName: 'svc-scan', TargetDomainName: 'CORP', LogonType: '3', AuthenticationPackageName: 'NTLM', WorkstationName: 'SCANNER01', LmPackageName: 'NTLM V1', KeyLength: '128', IpAddress: '10.0.4.17', IpPort: '50123' },
    },
    ruleId: 'ntlm.lmcompat',
    client: { address: '10.0.4.17', port: '50123', host: 'SCANNER01', account: 'CORP\\svc-scan', fields: { LmPackageName: 'NTLM V1' } },
  },
  {
    name: 'Security 4624 LM, no address ("-")',
    ev: {
      channel: 'Security',
      id: 4624,
      time: T0,
      computer: 'DC01',
      data: { TargetUserSid: 'S-1-5-21-1-2-3-1105', TargetUserName: 'old', TargetDomainName: 'CORP', AuthenticationPackageName: 'NTLM', WorkstationName: 'DOS01', LmPackageName: 'LM', IpAddress: '-', IpPort: '-' },
    },
    ruleId: 'ntlm.lmcompat',
    client: { host: 'DOS01', account: 'CORP\\old', fields: { LmPackageName: 'LM' } },
  },
];

for (const c of KIND_CASES) {
  test(`event kind: ${c.name}`, () => {
    const text = span(c.ev.channel, c.ev.computer, c.ev.provider) + '\n' + eventXml({ ...c.ev, record: 1 });
    const { readiness, files } = judge([{ path: 'x.xml', text }], c.options);
    assert.equal(files[0].relevant, 1);
    const r = rule(readiness, c.ruleId);
    assert.equal(r.status, 'blocked');
    assert.equal(r.clients.length, 1);
    const { events, first, last, eventIds, servers, sources, logs, ...facts } = r.clients[0];
    assert.deepEqual(facts, c.client);
    assert.equal(events, 1);
    assert.equal(first, '2026-11-01T08:00:00.000Z');
    assert.equal(last, '2026-11-01T08:00:00.000Z');
    assert.deepEqual(eventIds, [c.ev.id]);
    assert.deepEqual(servers, [c.ev.computer]);
    assert.deepEqual(logs, [c.ev.channel]);
    assert.deepEqual(sources, [{ path: 'x.xml', record: 1, line: 3 }]);
    assert.match(r.why, /^1 client would fail if this were enforced now/);
  });
}

test('event ids are keyed on the channel: GroupPolicy 8001 is not NTLM 8001, and 4624 with Kerberos is not NTLMv1', () => {
  const text = [
    span('Security', 'DC01'),
    eventXml({ channel: 'Microsoft-Windows-GroupPolicy/Operational', id: 8001, time: T0, computer: 'DC01', data: { PolicyElaspedTimeInSeconds: '1', PrincipalSamName: 'CORP\\DC01$' } }),
    eventXml({ channel: 'Security', id: 4624, time: T0, computer: 'DC01', data: { TargetUserName: 'x', AuthenticationPackageName: 'Kerberos', LmPackageName: '-' } }),
    eventXml({ channel: 'Security', id: 4624, time: T0, computer: 'DC01', data: { TargetUserName: 'y', AuthenticationPackageName: 'NTLM', LmPackageName: 'NTLM V2' } }),
  ].join('\n');
  const { readiness, files } = judge([{ path: 'x.xml', text }]);
  assert.equal(files[0].relevant, 0);
  assert.equal(rule(readiness, 'ntlm.out').status, 'no-evidence');
  const lm = rule(readiness, 'ntlm.lmcompat');
  assert.equal(lm.status, 'ready');
  assert.equal(lm.why, 'Ready: no failing client in 30 days of logs from DC01.');
});

// --- Per export format: the same two 2889 events in every format give the same clients. -------

const E1: Ev = { channel: DS, provider: DSP, id: 2889, time: '2026-11-10T10:00:00.0000000Z', computer: 'DC01.corp.example', record: 7, data: ['10.0.4.17:51234', 'CORP\\svc-scan', '0'] };
const E2: Ev = { ...E1, time: '2026-11-12T10:00:00.0000000Z', record: 9 };
const spanDs = span(DS, 'DC01.corp.example', DSP);

const FORMATS: { name: string; path: string; text?: string; bytes?: Uint8Array; untimed?: boolean }[] = [
  { name: 'wevtutil qe /f:xml (no root)', path: 'dc01.xml', text: `${spanDs}${eventXml(E1)}${eventXml(E2)}` },
  { name: 'wevtutil qe /f:xml /e:Events (root)', path: 'dc01.xml', text: `<Events>\r\n${spanDs}\r\n${eventXml(E1)}\r\n${eventXml(E2)}\r\n</Events>` },
  { name: 'wevtutil qe /f:RenderedXml', path: 'dc01.xml', text: `<Events>${spanDs}${eventXml(E1, true)}${eventXml(E2, true)}</Events>` },
  {
    name: 'Get-WinEvent | % { $_.ToXml() } (UTF-16LE with BOM, one per line)',
    path: 'dc01.txt',
    bytes: utf16le(`${spanDs.replace('\n', '\r\n')}\r\n${eventXml(E1)}\r\n${eventXml(E2)}\r\n`),
  },
  {
    name: 'the recipe CSV (docs/evidence.md)',
    path: 'dc01.csv',
    text:
      '"TimeCreated","LogName","ProviderName","Id","RecordId","MachineName","EventData"\r\n' +
      `"2026-10-30T00:00:00.0000000Z","Directory Service","${DSP}","1","1","DC01.corp.example","{}"\r\n` +
      `"2026-11-10T10:00:00.0000000Z","Directory Service","${DSP}","2889","7","DC01.corp.example","{""Data[0]"":""10.0.4.17:51234"",""Data[1]"":""CORP\\\\svc-scan"",""Data[2]"":""0""}"\r\n` +
      `"2026-11-12T10:00:00.0000000Z","Directory Service","${DSP}","2889","9","DC01.corp.example","{""Data[0]"":""10.0.4.17:51234"",""Data[1]"":""CORP\\\\svc-scan"",""Data[2]"":""0""}"\r\n` +
      `"2026-11-30T20:00:00.0000000Z","Directory Service","${DSP}","1","2","DC01.corp.example","{}"\r\n`,
  },
  {
    name: 'Query-InsecureLDAPBinds.ps1 CSV',
    path: 'InsecureLDAPBinds.csv',
    text: '"IPAddress","Port","User","BindType"\r\n"10.0.4.17","51234","CORP\\svc-scan","Unsigned"\r\n"10.0.4.17","51234","CORP\\svc-scan","Unsigned"\r\n',
    untimed: true,
  },
];

function utf16le(s: string): Uint8Array {
  const b = Buffer.from('\uFEFF' + s, 'utf16le');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

for (const f of FORMATS) {
  test(`export format: ${f.name}`, () => {
    const { readiness, files } = judge([f]);
    assert.deepEqual(files[0].problems, []);
    assert.equal(files[0].relevant, 2);
    const r = rule(readiness, 'ldap.server.signing');
    assert.equal(r.status, 'blocked');
    assert.equal(r.clients.length, 1);
    const c = r.clients[0];
    assert.equal(c.address, '10.0.4.17');
    assert.equal(c.account, 'CORP\\svc-scan');
    assert.equal(c.events, 2);
    assert.deepEqual(c.eventIds, [2889]);
    if (f.untimed) {
      assert.equal(c.first, undefined);
      assert.deepEqual(c.servers, []);
      assert.equal(files[0].untimed, true);
    } else {
      assert.equal(c.first, '2026-11-10T10:00:00.000Z');
      assert.equal(c.last, '2026-11-12T10:00:00.000Z');
      assert.deepEqual(c.servers, ['DC01.corp.example']);
      assert.deepEqual(files[0].computers, ['DC01.corp.example']);
      assert.equal(files[0].from, '2026-10-30T00:00:00.000Z');
      assert.equal(files[0].to, '2026-11-30T20:00:00.000Z');
    }
  });
}

test('Query-InsecureLDAPBinds CSV without clients never makes the rule ready (no times, no DC)', () => {
  const { readiness } = judge([{ path: 'b.csv', text: '"IPAddress","Port","User","BindType"\r\n' }]);
  // A header only: no rows, no channel seen → no evidence.
  assert.equal(rule(readiness, 'ldap.server.signing').status, 'no-evidence');
});

// --- The anonymous-logon trap on the real sample. -----------------------------------------------

test('security.evtx: 39 NTLM V1 logons, all ANONYMOUS LOGON, are ignored (KB4090105), no client', () => {
  const { readiness, files } = judge([{ path: 'security.evtx', bytes: fixture('security.evtx') }]);
  assert.equal(files[0].format, 'evtx');
  assert.equal(files[0].records, 2261);
  assert.equal(files[0].relevant, 39);
  assert.deepEqual(files[0].computers, ['37L4247F27-25', 'WIN-03DLIIOFRRA']);
  assert.equal(files[0].from, '2016-07-08T18:12:51.681Z');
  assert.equal(files[0].to, '2017-04-14T01:21:10.906Z');
  const r = rule(readiness, 'ntlm.lmcompat');
  assert.deepEqual(r.clients, []);
  // Only the anonymous logons inside the 30-day window are counted; all 39 with a longer window.
  assert.equal(r.status, 'ready');
  const wide = rule(judge([{ path: 'security.evtx', bytes: fixture('security.evtx') }], { windowDays: 279 }).readiness, 'ntlm.lmcompat');
  assert.deepEqual(wide.ignored, [{ reason: 'anonymous-logon', events: 17, source: 'KB4090105' }]);
  assert.equal(
    wide.why,
    'Ready: no failing client in 279 days of logs from WIN-03DLIIOFRRA. The logs of 37L4247F27-25 end before the window (last event 2016-07-08T18:14:59.617Z) and were not used. 17 anonymous NTLM logons were left out: they always read "NTLM V1" and are not NTLMv1 use (KB4090105).',
  );
  assert.equal(wide.status, 'ready');
  // A window longer than the logs: window-short, and all 39 anonymous logons listed.
  const longer = rule(judge([{ path: 'security.evtx', bytes: fixture('security.evtx') }], { windowDays: 400 }).readiness, 'ntlm.lmcompat');
  assert.equal(longer.status, 'window-short');
  assert.deepEqual(longer.ignored, [{ reason: 'anonymous-logon', events: 39, source: 'KB4090105' }]);
});

test('an anonymous logon is recognised by SID or name only, never by key length or a missing address', () => {
  const base = { channel: 'Security', id: 4624, time: T0, computer: 'DC01' };
  const text = [
    span('Security', 'DC01'),
    eventXml({ ...base, data: { TargetUserSid: 'S-1-5-7', TargetUserName: 'ANONYMOUS LOGON', AuthenticationPackageName: 'NTLM', LmPackageName: 'NTLM V1', KeyLength: '128', IpAddress: '10.0.0.5', WorkstationName: 'WS1' } }),
    eventXml({ ...base, data: { TargetUserName: 'ANONYMOUS LOGON', AuthenticationPackageName: 'NTLM', LmPackageName: 'NTLM V1', KeyLength: '0', IpAddress: '-' } }),
    eventXml({ ...base, data: { TargetUserSid: 'S-1-5-21-9', TargetUserName: 'real', TargetDomainName: 'CORP', AuthenticationPackageName: 'NTLM', LmPackageName: 'NTLM V1', KeyLength: '0', IpAddress: '-' } }),
  ].join('\n');
  const r = rule(judge([{ path: 'x.xml', text }]).readiness, 'ntlm.lmcompat');
  assert.equal(r.status, 'blocked');
  assert.deepEqual(
    r.clients.map((c) => c.account),
    ['CORP\\real'],
  );
  assert.deepEqual(r.ignored, [{ reason: 'anonymous-logon', events: 2, source: 'KB4090105' }]);
});

// --- Missing fields. ------------------------------------------------------------------------------

test('missing fields: a 2889 with only the address, a 2889 with nothing, a 4624 with "-" everywhere', () => {
  const text = [
    spanDs,
    eventXml({ ...E1, record: 21, data: ['10.0.4.18:1000'] }),
    eventXml({ ...E1, record: 22, data: [] }),
    span('Security', 'DC01.corp.example'),
    eventXml({ channel: 'Security', id: 4624, time: T0, computer: 'DC01.corp.example', data: { AuthenticationPackageName: 'NTLM', LmPackageName: 'NTLM V1', IpAddress: '-', WorkstationName: '-', TargetUserName: '-' } }),
  ].join('\n');
  const { readiness } = judge([{ path: 'x.xml', text }]);
  const ldap = rule(readiness, 'ldap.server.signing');
  assert.deepEqual(
    ldap.clients.map(({ address, port, account, fields }) => ({ address, port, account, fields })),
    [
      { address: undefined, port: undefined, account: undefined, fields: { bindType: '' } },
      { address: '10.0.4.18', port: '1000', account: undefined, fields: { bindType: '' } },
    ],
  );
  const lm = rule(readiness, 'ntlm.lmcompat');
  assert.equal(lm.clients.length, 1);
  assert.deepEqual(lm.clients[0].fields, { LmPackageName: 'NTLM V1' });
  assert.equal(lm.clients[0].address, undefined);
});

// --- 2887 without 2889, audit switches, scopes, window. ---------------------------------------------

test('2887 counts without 2889: audit-off, says how to turn 2889 on', () => {
  const text = spanDs + eventXml({ channel: DS, provider: DSP, id: 2887, time: T0, computer: 'DC01.corp.example', data: ['3', '12'] });
  const r = rule(judge([{ path: 'x.xml', text }]).readiness, 'ldap.server.signing');
  assert.equal(r.status, 'audit-off');
  assert.equal(
    r.why,
    'DC01.corp.example logged event 2887 (binds without signing in 24 hours: 3 simple without TLS, 12 SASL without signing), but 2887 names no client and no 2889 was found: ' +
      'on each DC set HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics "16 LDAP Interface Events" (REG_DWORD) = 2 (no restart needed) so that event 2889 names each client, export the Directory Service log, and set it back to 0 after the audit window.',
  );
  // 2887 with zero counts is no reason to wait.
  const zero = spanDs + eventXml({ channel: DS, provider: DSP, id: 2887, time: T0, computer: 'DC01.corp.example', data: ['0', '0'] });
  assert.equal(rule(judge([{ path: 'x.xml', text: zero }]).readiness, 'ldap.server.signing').status, 'ready');
});

test('3040 counts without a client-naming event: audit-off for channel binding', () => {
  const text = spanDs + eventXml({ channel: DS, provider: DSP, id: 3040, time: T0, computer: 'DC01.corp.example', data: ['7'] });
  const r = rule(judge([{ path: 'x.xml', text }]).readiness, 'ldap.server.cbt');
  assert.equal(r.status, 'audit-off');
  assert.match(r.why, /^DC01\.corp\.example logged event 3040 \(LDAPS binds without a channel binding token in 24 hours; values Data\[0\]=7\), which names no client/);
});

test('audit switch off in the GPOs: audit-off, unless events of the rule prove auditing on', () => {
  const quiet = span('Microsoft-Windows-SMBServer/Audit', 'FS01');
  const off = rule(judge([{ path: 'x.xml', text: quiet }], { auditSwitches: { 'smb.server.audit.signing': 'off' } }).readiness, 'smb.server.require');
  assert.equal(off.status, 'audit-off');
  assert.match(off.why, /^The audit switch \(smb\.server\.audit\.signing\) is not on in the GPOs scanned/);
  const on = rule(judge([{ path: 'x.xml', text: quiet }], { auditSwitches: { 'smb.server.audit.signing': 'on' } }).readiness, 'smb.server.require');
  assert.equal(on.status, 'ready');
  assert.equal(on.why, 'Ready: no failing client in 30 days of logs from FS01.');
  const unknown = rule(judge([{ path: 'x.xml', text: quiet }]).readiness, 'smb.server.require');
  assert.equal(unknown.status, 'ready');
  assert.match(unknown.why, /Whether the audit switch \(smb\.server\.audit\.signing\) applies was not checked/);
  const withEvent = quiet + eventXml({ channel: 'Microsoft-Windows-SMBServer/Audit', id: 3021, time: T0, computer: 'FS01', data: { ClientName: 'X' } });
  assert.equal(rule(judge([{ path: 'x.xml', text: withEvent }], { auditSwitches: { 'smb.server.audit.signing': 'off' } }).readiness, 'smb.server.require').status, 'blocked');
});

test('31998 / 31999 (one is the encryption audit\'s, which one is not confirmed) count for client signing only where the encryption audit is off', () => {
  const SMBC = 'Microsoft-Windows-SMBClient/Audit';
  const text = [span(SMBC, 'WS17'), eventXml({ channel: SMBC, id: 31998, time: T0, computer: 'WS17', data: { ServerName: 'OLDNAS' } }), eventXml({ channel: SMBC, id: 31999, time: T0, computer: 'WS17', record: 2, data: { ServerName: 'NAS2' } })].join('\n');
  const cases: [string, ReadinessOptions, Readiness['status'], string, Readiness['ignored']][] = [
    [
      'encryption audit off in the GPOs: the events are the signing audit\'s',
      { auditSwitches: { 'smb.client.audit.encryption': 'off', 'smb.client.audit.signing': 'on' } },
      'blocked',
      '1 client would fail if this were enforced now (WS17), seen in the logs of WS17. Events 31998 / 31999 were counted: one of these ids is the smb.client.audit.encryption audit\'s (which one is not confirmed), and that audit is off in the GPOs scanned.',
      [],
    ],
    [
      'encryption audit on: they may be servers that cannot encrypt',
      { auditSwitches: { 'smb.client.audit.encryption': 'on', 'smb.client.audit.signing': 'on' } },
      'no-evidence',
      "1 client (WS17) logged events 31998 / 31999, but one of these ids is the smb.client.audit.encryption audit's and which one is not confirmed, and that audit is on in the GPOs scanned: they may be servers that cannot encrypt rather than sign, so they do not show whether enforcing would break anything. Turn the smb.client.audit.encryption audit off for the audit window, or read the events' text, to tell them apart.",
      [{ reason: 'shared-event-id', events: 2, source: 'settings-and-formats.md §1.9' }],
    ],
    [
      'no GPO says: not known to be off',
      {},
      'no-evidence',
      "1 client (WS17) logged events 31998 / 31999, but one of these ids is the smb.client.audit.encryption audit's and which one is not confirmed, and that audit is not known to be off in the GPOs scanned: they may be servers that cannot encrypt rather than sign, so they do not show whether enforcing would break anything. Turn the smb.client.audit.encryption audit off for the audit window, or read the events' text, to tell them apart.",
      [{ reason: 'shared-event-id', events: 2, source: 'settings-and-formats.md §1.9' }],
    ],
  ];
  for (const [name, options, status, why, ignored] of cases) {
    const r = rule(judge([{ path: 'x.xml', text }], options).readiness, 'smb.client.require');
    assert.deepEqual({ status: r.status, why: r.why, ignored: r.ignored, clients: r.clients.map((c) => [c.host, c.events]) }, { status, why, ignored, clients: status === 'blocked' ? [['WS17', 2]] : [] }, name);
  }
  // Per scope: the switch of the scope decides.
  const scoped = judge([{ path: 'x.xml', text }], {
    scopes: [
      { name: 'corp.example/Enc', auditSwitches: { 'smb.client.audit.encryption': 'on' } },
      { name: 'corp.example/Plain', auditSwitches: { 'smb.client.audit.encryption': 'off' } },
    ],
  }).readiness.filter((x) => x.ruleId === 'smb.client.require');
  assert.deepEqual(scoped.map((x) => [x.scope, x.status]), [['corp.example/Enc', 'no-evidence'], ['corp.example/Plain', 'blocked']]);
  assert.match(scoped[0].why, /and that audit is on in corp\.example\/Enc:/);
});

test('no log of the rule\'s channel: no-evidence with how to get it', () => {
  const r = rule(judge([{ path: 'x.xml', text: span('Security', 'DC01') }]).readiness, 'ldap.server.cbt');
  assert.equal(r.status, 'no-evidence');
  assert.match(r.why, /^No Directory Service log was given: on each DC set NTDS\\Diagnostics "16 LDAP Interface Events" = 2/);
});

test('window: events before the window do not count; a log shorter than the window is window-short', () => {
  const old = eventXml({ ...E1, time: '2026-09-01T00:00:00.0000000Z' });
  const text = span(DS, 'DC01.corp.example', DSP) + old;
  const r30 = rule(judge([{ path: 'x.xml', text }]).readiness, 'ldap.server.signing');
  assert.equal(r30.status, 'ready');
  assert.deepEqual(r30.window, { from: '2026-10-31T20:00:00.000Z', to: '2026-11-30T20:00:00.000Z', days: 30 });
  const r120 = rule(judge([{ path: 'x.xml', text }], { windowDays: 120 }).readiness, 'ldap.server.signing');
  assert.equal(r120.status, 'blocked');
  assert.equal(r120.clients[0].first, '2026-09-01T00:00:00.000Z');

  const short = eventXml({ channel: DS, id: 1, time: '2026-11-20T00:00:00.0000000Z', computer: 'DC02', data: [] }) + eventXml({ channel: DS, id: 1, time: T_END, computer: 'DC02', data: [] });
  const s = rule(judge([{ path: 'x.xml', text: short }]).readiness, 'ldap.server.signing');
  assert.equal(s.status, 'window-short');
  assert.equal(s.why, 'The logs cover less than the 30-day window (DC02: 10 days): export a longer period or wait before enforcing.');
  // Within a day of slack counts as covering.
  const nearly = eventXml({ channel: DS, id: 1, time: '2026-11-01T12:00:00.0000000Z', computer: 'DC02', data: [] }) + eventXml({ channel: DS, id: 1, time: T_END, computer: 'DC02', data: [] });
  assert.equal(rule(judge([{ path: 'x.xml', text: nearly }]).readiness, 'ldap.server.signing').status, 'ready');
});

// An event time that cannot be (9999-99-99, month 13) or that lies in the future of the scan, or a
// single event far newer than all others, must never move the window past clients (fuzz audit D2).
// The client (2889 on 11-10 and 11-12) is in the 30-day window of the real logs (to 11-30): blocked.
const D2_NOW = Date.parse('2027-06-01T12:00:00Z');
function d2Xml(time: string): string {
  return `${spanDs}\n${eventXml(E1)}\n${eventXml(E2)}\n${eventXml({ channel: DS, provider: DSP, id: 1, time, computer: 'DC01.corp.example', record: 99, data: [] })}\n`;
}
function d2Csv(time: string): string {
  const rows = FORMATS.find((f) => f.path === 'dc01.csv')?.text as string;
  return rows + `"${time}","Directory Service","${DSP}","1","99","DC01.corp.example","{}"\r\n`;
}
const D2_CASES: { name: string; time: string; problem: RegExp }[] = [
  { name: 'impossible time 9999-99-99T99:99:99Z', time: '9999-99-99T99:99:99.0000000Z', problem: /"9999-99-99T99:99:99\.0000000Z" is not a valid time/ },
  { name: 'month 13', time: '2026-13-45T00:00:00.0000000Z', problem: /"2026-13-45T00:00:00\.0000000Z" is not a valid time/ },
  { name: 'February 30', time: '2026-02-30T00:00:00.0000000Z', problem: /"2026-02-30T00:00:00\.0000000Z" is not a valid time/ },
  { name: 'far in the future (2099)', time: '2099-01-01T00:00:00.0000000Z', problem: /2099-01-01T00:00:00\.0000000Z is later than the scan's clock/ },
  { name: 'in the past of the clock, but 19 days newer than any other event', time: '2026-12-20T00:00:00.0000000Z', problem: /2026-12-20T00:00:00\.000Z is more than a day newer than any other event/ },
];
for (const fmt of ['xml', 'csv'] as const) {
  for (const c of D2_CASES) {
    test(`window (${fmt}): one event at ${c.name} does not turn blocked into ready, and is named in a problem`, () => {
      const path = `dc01.${fmt}`;
      const text = fmt === 'xml' ? d2Xml(c.time) : d2Csv(c.time);
      const base = rule(judge([{ path, text: fmt === 'xml' ? d2Xml(T_END) : d2Csv(T_END) }]).readiness, 'ldap.server.signing');
      assert.equal(base.status, 'blocked', 'without the outlier');
      const col = new EvidenceCollector({ now: D2_NOW });
      const src = bytesSource(enc.encode(text));
      readEvidenceFile(col, path, detectEvidence(src, path) as EvidenceFormat, src);
      const r = rule(col.judge(), 'ldap.server.signing');
      assert.equal(r.status, 'blocked', `${c.name}: ${r.why}`);
      assert.equal(r.clients[0].address, '10.0.4.17');
      const where = fmt === 'xml' ? /line \d+/i : /line 6/i;
      const p = col.files[0].problems.find((x) => c.problem.test(x.message));
      assert.ok(p, `a problem names the outlier: ${JSON.stringify(col.files[0].problems)}`);
      assert.equal(p.severity, 'warning');
      assert.match(p.message, where);
      assert.ok(p.line !== undefined);
    });
  }
}

test('scopes: per scope servers, missing servers named, audit switch per scope', () => {
  const text = span(DS, 'DC01.corp.example', DSP) + eventXml({ ...E1, computer: 'DC03.corp.example' }) + span(DS, 'DC03.corp.example', DSP);
  const { readiness } = judge([{ path: 'x.xml', text }], {
    scopes: [
      { name: 'corp.example/Domain Controllers', servers: ['DC01', 'DC02'] },
      { name: 'corp.example/Branch DCs', servers: ['dc03'] },
    ],
  });
  const dcs = readiness.filter((r) => r.ruleId === 'ldap.server.signing');
  assert.deepEqual(
    dcs.map((r) => [r.scope, r.status, r.missingServers, r.servers, r.clients.length]),
    [
      ['corp.example/Domain Controllers', 'no-evidence', ['DC02'], ['DC01.corp.example'], 0],
      ['corp.example/Branch DCs', 'blocked', undefined, ['DC03.corp.example'], 1],
    ],
  );
  assert.equal(dcs[0].why, 'No Directory Service log from DC02 (logs were given from DC01.corp.example).');
});

// --- Bad input gives a clear problem. -----------------------------------------------------------

test('bad input: XML cut in the middle keeps the complete events and says where it ends', () => {
  const text = `${spanDs}\n${eventXml(E1)}\n${eventXml(E2).slice(0, 120)}`;
  const { files, readiness } = judge([{ path: 'cut.xml', text }]);
  assert.equal(files[0].records, 3);
  assert.deepEqual(files[0].problems, [
    { severity: 'error', message: 'The file ends inside the <Event> that starts at line 4 (the export looks cut in the middle); the 3 complete events before it were read.', line: 4 },
  ]);
  assert.equal(rule(readiness, 'ldap.server.signing').clients[0].events, 1);
});

test('bad input: a CSV without the needed columns, and Export-Csv output that lost the event data', () => {
  const c = new EvidenceCollector();
  const f1 = readEvidenceFile(c, 'a.csv', 'event-csv', bytesSource(enc.encode('"Name","Value"\r\n"a","b"\r\n')));
  assert.deepEqual(f1.problems, [
    {
      severity: 'error',
      message:
        "This CSV has none of the columns relaylint reads: the recipe's TimeCreated, LogName, ProviderName, Id, RecordId, MachineName, EventData or Query-InsecureLDAPBinds.ps1's IPAddress, Port, User, BindType.",
      line: 1,
    },
  ]);
  const lost = '"Message","Id","Version","LogName","TimeCreated","Properties"\r\n"x","2889","0","Directory Service","11/10/2026 10:00:00","System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"\r\n';
  const src = bytesSource(enc.encode(lost));
  assert.equal(detectEvidence(src, 'x.csv'), 'event-csv');
  const f2 = readEvidenceFile(c, 'b.csv', 'event-csv', src);
  assert.equal(f2.records, 0);
  assert.match(f2.problems[0].message, /^This CSV has event columns but no EventData column: Export-Csv of Get-WinEvent objects drops the event data/);
});

test('bad input: an event CSV that lost needed columns (Id, EventData) is detected and refused with an error naming them', () => {
  const cases: { name: string; header: string; missing: string }[] = [
    { name: 'recipe columns without Id and EventData', header: '"TimeCreated","LogName","ProviderName","RecordId","MachineName"', missing: 'Id, EventData' },
    { name: 'recipe columns without Id', header: '"TimeCreated","LogName","ProviderName","RecordId","MachineName","EventData"', missing: 'Id' },
    { name: 'only TimeCreated and MachineName', header: '"TimeCreated","MachineName"', missing: 'LogName, Id, EventData' },
  ];
  for (const c of cases) {
    const text = `\uFEFF${c.header}\r\n"2026-10-28T06:00:01.0000000Z","Security","Microsoft-Windows-Security-Auditing","1","DC01","{}"\r\n`;
    const src = bytesSource(enc.encode(text));
    assert.equal(detectEvidence(src, 'events.csv'), 'event-csv', c.name);
    const f = readEvidenceFile(new EvidenceCollector(), 'events.csv', 'event-csv', src);
    assert.equal(f.records, 0, c.name);
    assert.deepEqual(
      f.problems,
      [
        {
          severity: 'error',
          message: `This CSV looks like an event export but lacks the column(s) ${c.missing} that relaylint needs, so no event can be judged from it. Export with the recipe in docs/evidence.md (columns ${'TimeCreated, LogName, ProviderName, Id, RecordId, MachineName, EventData'}).`,
          line: 1,
        },
      ],
      c.name,
    );
  }
});

test('bad input: a log from an unrelated channel says it holds nothing relaylint uses', () => {
  const { files, readiness } = judge([{ path: 'system.evtx', bytes: fixture('system.evtx') }]);
  assert.equal(files[0].records, 1881);
  assert.equal(files[0].relevant, 0);
  assert.deepEqual(files[0].channels, ['System']);
  assert.equal(files[0].problems.length, 1);
  assert.match(files[0].problems[0].message, /^This log \(System\) holds no event relaylint uses: readiness needs Security \(4624\)/);
  assert.ok(readiness.every((r) => r.status === 'no-evidence'));
});

test('bad input: a truncated EVTX keeps the complete records and names the offset', () => {
  const full = fixture('security.evtx');
  const cut = full.subarray(0, 4096 + 65536 + 30000);
  const { files } = judge([{ path: 'cut.evtx', bytes: cut }]);
  const chunk2 = files[0].problems.find((p) => p.offset === 4096 + 65536);
  assert.ok(chunk2, JSON.stringify(files[0].problems));
  assert.equal(chunk2.message, 'The EVTX file is truncated: the chunk at byte 69632 has 30000 of 65536 bytes; the records that are complete were read.');
  assert.ok(files[0].records > 91 && files[0].records < 177, String(files[0].records));
});

test('detection by content, not by name', () => {
  const d = (s: string | Uint8Array, name = 'x') => detectEvidence(bytesSource(typeof s === 'string' ? enc.encode(s) : s), name);
  assert.equal(d(fixture('Application_no_crc32.evtx'), 'renamed.bin'), 'evtx');
  assert.equal(d(eventXml(E1), 'events.txt'), 'event-xml');
  assert.equal(d('<Events>' + eventXml(E1)), 'event-xml');
  assert.equal(d('<?xml version="1.0"?><GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings"/>', 'gpreport.xml'), undefined);
  assert.equal(d('"IPAddress","Port","User","BindType"\n'), 'event-csv');
  assert.equal(d('a,b,c\n1,2,3\n', 'data.csv'), undefined);
  assert.equal(d('Windows Registry Editor Version 5.00\r\n', 'x.reg'), undefined);
});

test('the event catalogue names only catalog rules, and every audit switch is a catalog rule', () => {
  for (const k of EVENT_KINDS) for (const r of k.rules) assert.ok(settingRuleById(r), `${k.key} → ${r}`);
  for (const r of RULE_EVIDENCE) {
    assert.ok(settingRuleById(r.ruleId), r.ruleId);
    if (r.switchRule) assert.ok(settingRuleById(r.switchRule), r.switchRule);
  }
  // Keyed on (channel, id): no two kinds share both.
  const keys = EVENT_KINDS.map((k) => `${k.channel}|${k.id}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(
    RULE_EVIDENCE.map((r) => r.ruleId),
    ['smb1.server', 'smb.server.require', 'smb.server.spn', 'smb.client.require', 'ldap.server.signing', 'ldap.server.cbt', 'ntlm.out', 'ntlm.in.restrict', 'ntlm.domain.restrict', 'ntlm.lmcompat'],
  );
});

test('the event table agrees with the catalog entries that name their evidence events and audit switch', () => {
  for (const re of RULE_EVIDENCE) {
    const entry = settingRuleById(re.ruleId);
    if (entry?.auditSwitch && re.switchRule) assert.equal(re.switchRule, entry.auditSwitch, re.ruleId);
    if (!entry?.evidence) continue;
    for (const k of EVENT_KINDS.filter((x) => x.rules.includes(re.ruleId))) {
      assert.ok(
        entry.evidence.events.some((e) => e.log.toLowerCase() === k.channel.toLowerCase() && e.ids.includes(k.id)),
        `${re.ruleId}: ${k.channel} ${k.id} is in the catalog entry's evidence`,
      );
    }
  }
});
