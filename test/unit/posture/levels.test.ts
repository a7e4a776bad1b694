/**
 * Level assignment per control family, table-driven, from JSON shaped as the published contracts:
 * `coverage` (files only), `scopes` (issue 11) and `readiness` (issue 12). Includes the cases where
 * evidence is missing and the level must stop at L3.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { missingIsWeak, settingRuleById, settingRules } from '../../../server/src/core/catalog';
import { posture } from '../../../server/src/core';
import type { RegData, Role, TargetOs } from '../../../server/src/core/types';

type P = typeof posture;
type Values = Record<string, number | number[]>;

/** A coverage array as the scan writes it: every rule, judged by the catalog; `values` lists the value per configuring source. */
function coverage(values: Values, role: Role = 'any', targetOs: TargetOs = 'legacy'): posture.CoverageEntryJson[] {
  // Peers as the scan sees them in one file: the first value of every rule.
  const peers = new Map<string, RegData>(Object.entries(values).map(([k, v]) => [k, ([] as number[]).concat(v)[0]]));
  const ctx = { role, targetOs, peers };
  return settingRules
    .filter((r) => !(r.dcOnly && role === 'member'))
    .map((r) => {
      const vs = values[r.id] === undefined ? [] : ([] as number[]).concat(values[r.id]);
      const sources = vs.map((v, i) => ({ path: `gpo${i + 1}/GptTmpl.inf`, line: 10 + i, value: v, state: 'set', status: r.judge(v, ctx).status as 'hardened', gpo: `GPO ${i + 1}` }));
      const hard = sources.filter((s) => s.status === 'hardened').length;
      return {
        ruleId: r.id,
        key: r.locations[0].key,
        name: r.locations[0].name,
        status: vs.length === 0 ? 'missing' : hard === vs.length ? 'hardened' : hard === 0 ? 'weak' : 'mixed',
        exposedWhenMissing: missingIsWeak(r, ctx),
        sources,
      };
    });
}

function ready(ruleId: string, status: posture.ReadinessStatus = 'ready', clients = 0, scope?: string): posture.ReadinessJson {
  const r: posture.ReadinessJson = {
    ruleId,
    status,
    clients: Array.from({ length: clients }, (_, i) => ({ host: `PC${i + 1}`, address: `10.0.0.${i + 1}`, events: 3 - i, eventIds: [3021] })),
    ignored: [],
    why: status,
  };
  if (scope) r.scope = scope;
  return r;
}

function levels(doc: posture.ScanResultJson, scope?: string): Record<string, number> {
  const p = posture.assess(posture.postureInput(doc));
  const sp = scope ? p.scopes.find((s) => s.scope.id === scope) : p.scopes[0];
  assert.ok(sp, `scope ${scope}`);
  return Object.fromEntries(sp.cells.map((c) => [c.family, c.level]));
}

function cellOf(doc: posture.ScanResultJson, family: string, scope?: string): posture.Cell {
  const p = posture.assess(posture.postureInput(doc));
  const sp = scope ? p.scopes.find((s) => s.scope.id === scope) : p.scopes[0];
  const c = sp?.cells.find((x) => x.family === family);
  assert.ok(c);
  return c;
}

const files = (values: Values, readiness: posture.ReadinessJson[] = [], role: Role = 'any', targetOs: TargetOs = 'legacy'): posture.ScanResultJson => ({
  options: { role, targetOs },
  coverage: coverage(values, role, targetOs),
  readiness,
});

const SMB_REQ = { 'smb.server.require': 1, 'smb.client.require': 1 };
const NTLM_L3 = { 'ntlm.lmcompat': 5, 'ntlm.minclient': 537395200, 'ntlm.minserver': 537395200 };

// [name, document, family, expected level]
const CASES: [string, posture.ScanResultJson, string, number][] = [
  // SMB signing
  ['nothing configured (legacy, role any): SMB signing L0', files({}), 'smb-signing', 0],
  ['signing audit on: L1', files({ 'smb.server.audit.signing': 1 }), 'smb-signing', 1],
  ['audit switch at 0 is not audited', files({ 'smb.server.audit.signing': 0 }), 'smb-signing', 0],
  ['"if client agrees" on, client default: L2', files({ 'smb.server.enable': 1 }), 'smb-signing', 2],
  ['server requires signing: L3', files({ 'smb.server.require': 1 }), 'smb-signing', 3],
  ['required on servers and clients, NO evidence: stops at L3', files(SMB_REQ), 'smb-signing', 3],
  ['required everywhere and the logs show no failing client: L4', files(SMB_REQ, [ready('smb.server.require')]), 'smb-signing', 4],
  ['required everywhere but 2 clients would fail: L3', files(SMB_REQ, [ready('smb.server.require', 'blocked', 2)]), 'smb-signing', 3],
  ['required everywhere, logs too short: L3', files(SMB_REQ, [ready('smb.server.require', 'window-short')]), 'smb-signing', 3],
  ['required everywhere, readiness says no-evidence: L3', files(SMB_REQ, [ready('smb.server.require', 'no-evidence')]), 'smb-signing', 3],
  ['evidence for another rule does not count: L3', files(SMB_REQ, [ready('ldap.server.signing')]), 'smb-signing', 3],
  ['GPOs disagree on server signing (1 and 0): not L3', files({ 'smb.server.require': [1, 0] }), 'smb-signing', 0],
  ['role dc, nothing configured: the DC default requires server signing, L3', files({}, [], 'dc'), 'smb-signing', 3],
  ['Windows 11 24H2 targets: defaults require signing both ways, L3 without evidence', files({}, [], 'any', 'win11-24h2'), 'smb-signing', 3],
  ['Windows 11 24H2 targets with clean logs: L4', files({}, [ready('smb.server.require')], 'any', 'win11-24h2'), 'smb-signing', 4],
  // SMBv1 and guest
  ['SMBv1 server not configured: L0', files({}), 'smb1-guest', 0],
  ['guest audit on: L1', files({ 'smb.client.audit.guest': 1 }), 'smb1-guest', 1],
  ['SMBv1 server off, guest logons refused: L3', files({ 'smb1.server': 0, 'smb.client.guest': 0 }), 'smb1-guest', 3],
  ['SMBv1 server off, guest not configured on legacy targets (allowed by the ADMX default): not L3', files({ 'smb1.server': 0 }), 'smb1-guest', 0],
  ['SMBv1 server off, guest not configured on Windows 11 24H2 targets (blocked by default): L3', files({ 'smb1.server': 0 }, [], 'any', 'win11-24h2'), 'smb1-guest', 3],
  ['SMBv1 off, guest allowed: not L3', files({ 'smb1.server': 0, 'smb.client.guest': 1 }), 'smb1-guest', 0],
  ['SMBv1 server and client off, no evidence: stops at L3', files({ 'smb1.server': 0, 'smb1.client': 4, 'smb.client.guest': 0 }), 'smb1-guest', 3],
  ['SMBv1 off both sides, clean logs for both gates: L4', files({ 'smb1.server': 0, 'smb1.client': 4, 'smb.client.guest': 0 }, [ready('smb1.server'), ready('smb.client.guest')]), 'smb1-guest', 4],
  // LDAP signing
  ['LDAP: clients negotiate by default: L2', files({}), 'ldap-signing', 2],
  ['LDAP: client signing off: L0', files({ 'ldap.client.signing': 0 }), 'ldap-signing', 0],
  ['LDAP: DCs at 1 ("None"): L2', files({ 'ldap.server.signing': 1 }), 'ldap-signing', 2],
  ['LDAP: DCs require signing: L3', files({ 'ldap.server.signing': 2 }), 'ldap-signing', 3],
  ['LDAP: DCs and clients require, NO evidence: stops at L3', files({ 'ldap.server.signing': 2, 'ldap.client.signing': 2 }), 'ldap-signing', 3],
  ['LDAP: DCs and clients require, clean DC logs: L4', files({ 'ldap.server.signing': 2, 'ldap.client.signing': 2 }, [ready('ldap.server.signing')]), 'ldap-signing', 4],
  ['LDAP: the logs show the 2889 audit, client signing off: L1', files({ 'ldap.client.signing': 0 }, [ready('ldap.server.signing', 'blocked', 1)]), 'ldap-signing', 1],
  ['LDAP: audit-off readiness is not L1', files({ 'ldap.client.signing': 0 }, [ready('ldap.server.signing', 'audit-off')]), 'ldap-signing', 0],
  ['LDAP, Server 2025 with enforcement on: the catalog judges it required, L3', files({ 'ldap.server.signing': 1, 'ldap.server.enforce': 1 }, [], 'any', 'ws2025'), 'ldap-signing', 3],
  // Channel binding
  ['CBT not configured: L0', files({}), 'ldap-cbt', 0],
  ['CBT When supported: L2', files({ 'ldap.server.cbt': 1 }), 'ldap-cbt', 2],
  ['CBT Always, NO evidence: stops at L3', files({ 'ldap.server.cbt': 2 }), 'ldap-cbt', 3],
  ['CBT Always, clean logs: L4', files({ 'ldap.server.cbt': 2 }, [ready('ldap.server.cbt')]), 'ldap-cbt', 4],
  // NTLM
  ['NTLM nothing configured: L0', files({}), 'ntlm', 0],
  ['NTLM incoming audit for all accounts: L1', files({ 'ntlm.in.audit': 2 }), 'ntlm', 1],
  ['NTLM incoming audit for domain accounts only is not L1', files({ 'ntlm.in.audit': 1 }), 'ntlm', 0],
  ['NTLM outgoing Audit all: L1', files({ 'ntlm.out': 1 }), 'ntlm', 1],
  ['NTLMv2 session security both ways, level default 3: L2', files({ 'ntlm.minclient': 537395200, 'ntlm.minserver': 537395200 }), 'ntlm', 2],
  ['NTLM level 2 sends NTLMv1: not L2', files({ 'ntlm.lmcompat': 2, 'ntlm.minclient': 537395200, 'ntlm.minserver': 537395200 }), 'ntlm', 0],
  ['LM and NTLMv1 refused everywhere, NO evidence: stops at L3', files(NTLM_L3), 'ntlm', 3],
  ['LM and NTLMv1 refused, no NTLMv1 client in the logs: L4', files(NTLM_L3, [ready('ntlm.lmcompat')]), 'ntlm', 4],
  ['NTLMv1 clients in the logs: L3', files(NTLM_L3, [ready('ntlm.lmcompat', 'blocked', 3)]), 'ntlm', 3],
  ['outgoing NTLM denied, no NTLM audit evidence: stays L4', files({ ...NTLM_L3, 'ntlm.out': 2 }, [ready('ntlm.lmcompat')]), 'ntlm', 4],
  ['outgoing NTLM denied with clean NTLM logs: L5', files({ ...NTLM_L3, 'ntlm.out': 2 }, [ready('ntlm.lmcompat'), ready('ntlm.out')]), 'ntlm', 5],
  ['incoming NTLM denied with clean logs: L5', files({ ...NTLM_L3, 'ntlm.in.restrict': 2 }, [ready('ntlm.lmcompat'), ready('ntlm.out')]), 'ntlm', 5],
  ['restriction without the L4 base is not L5', files({ 'ntlm.out': 2 }, [ready('ntlm.lmcompat'), ready('ntlm.out')]), 'ntlm', 1],
  ['NTLM in the domain denied on DCs (7, Deny all) with clean logs: L5', files({ ...NTLM_L3, 'ntlm.domain.restrict': 7 }, [ready('ntlm.lmcompat'), ready('ntlm.out')]), 'ntlm', 5],
  ['ntlm.domain.restrict 3 (what it restricts is not confirmed) does not make L5', files({ ...NTLM_L3, 'ntlm.domain.restrict': 3 }, [ready('ntlm.lmcompat'), ready('ntlm.out')]), 'ntlm', 4],
  ['ntlm.domain.restrict 1 does not make L5 either', files({ ...NTLM_L3, 'ntlm.domain.restrict': 1 }, [ready('ntlm.lmcompat'), ready('ntlm.out')]), 'ntlm', 4],
  // Netlogon
  ['Netlogon defaults: L3 (no event source for L4)', files({}), 'netlogon', 3],
  ['Netlogon "always" turned off: L2', files({ 'netlogon.signorseal': 0 }), 'netlogon', 2],
  ['Netlogon signing when possible off: L0', files({ 'netlogon.sign': 0 }), 'netlogon', 0],
  ['Netlogon with (hypothetical) clean evidence: L4', files({}, [ready('netlogon.signorseal')]), 'netlogon', 4],
];

for (const [name, doc, family, level] of CASES) {
  test(`level: ${name}`, () => {
    assert.equal(levels(doc)[family], level);
  });
}

test('the level stops at L3 only for missing evidence: the cell says so, and only then', () => {
  assert.equal(cellOf(files(SMB_REQ), 'smb-signing').evidenceMissing, true);
  assert.equal(cellOf(files(SMB_REQ, [ready('smb.server.require', 'blocked', 2)]), 'smb-signing').evidenceMissing, false);
  assert.equal(cellOf(files({ 'smb.server.require': 1 }), 'smb-signing').evidenceMissing, false, 'client signing is missing too');
  const c = cellOf(files(SMB_REQ), 'smb-signing');
  assert.deepEqual(
    c.next?.missing.map((m) => m.text),
    ['no event-log evidence for smb.server.require'],
  );
});

test('blocked readiness lists the clients that would fail on the cell', () => {
  const c = cellOf(files(SMB_REQ, [ready('smb.server.require', 'blocked', 2)]), 'smb-signing');
  assert.deepEqual(
    c.clients.map((x) => [x.host, x.address, x.events]),
    [
      ['PC1', '10.0.0.1', 3],
      ['PC2', '10.0.0.2', 2],
    ],
  );
  assert.equal(c.next?.missing[0].text, 'event logs: smb.server.require blocked (2 clients)');
});

test('evidence of a cell names the deciding lines', () => {
  const c = cellOf(files({ 'smb.server.require': [1, 0] }), 'smb-signing');
  const st = c.states.get('smb.server.require');
  assert.deepEqual(
    st?.deciders.map((d) => [d.gpo, d.path, d.line, d.value]),
    [
      ['GPO 1', 'gpo1/GptTmpl.inf', 10, 1],
      ['GPO 2', 'gpo2/GptTmpl.inf', 11, 0],
    ],
  );
});

// ---- with scopes (issue 11 contract) -----------------------------------------------------------

const G_DC = '{6AC1786C-016F-11D2-945F-00C04FB984F9}';
const G_WS = '{11111111-2222-3333-4444-555555555555}';

function eff(ruleId: string, status: posture.EffectiveStatus, value?: number, gpo = G_DC, line = 12): posture.EffectiveJson {
  const e: posture.EffectiveJson = { ruleId, status, exposedWhenMissing: status === 'missing' };
  if (value !== undefined) {
    e.value = value;
    e.winner = { gpo, path: `Policies/${gpo}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`, line };
  }
  return e;
}

const domain = (dcEffective: posture.EffectiveJson[], wsEffective: posture.EffectiveJson[], readiness: posture.ReadinessJson[] = []): posture.ScanResultJson => ({
  options: { role: 'any', targetOs: 'legacy' },
  gpos: [
    { guid: G_DC, name: 'Default Domain Controllers Policy', computerEnabled: true, links: [{ som: 'corp.example/Domain Controllers', enabled: true, enforced: false, order: 1 }] },
    { guid: G_WS, name: 'Workstation Baseline', computerEnabled: true, links: [{ som: 'corp.example/Workstations', enabled: true, enforced: false, order: 1 }] },
  ],
  scopes: [
    { som: 'corp.example/Domain Controllers', dn: 'OU=Domain Controllers,DC=corp,DC=example', kind: 'ou', role: 'dc', gpos: [{ guid: G_DC, enforced: false, from: 'corp.example/Domain Controllers' }], effective: dcEffective },
    { som: 'corp.example/Workstations', dn: 'OU=Workstations,DC=corp,DC=example', kind: 'ou', role: 'member', gpos: [{ guid: G_WS }], effective: wsEffective },
  ],
  readiness,
});

test('scopes: a DC-only setting decides the member scopes too, and the cell says where it was judged', () => {
  const doc = domain([eff('ldap.server.signing', 'hardened', 2)], [eff('ldap.client.signing', 'missing')]);
  assert.equal(levels(doc, 'corp.example/Workstations')['ldap-signing'], 3);
  const c = cellOf(doc, 'ldap-signing', 'corp.example/Workstations');
  const o = c.reached.find((x) => x.rule === 'ldap.server.signing');
  assert.equal(o?.judgedIn, 'corp.example/Domain Controllers');
  assert.equal(o?.text, 'ldap.server.signing = 2 (hardened) (in corp.example/Domain Controllers)');
  assert.deepEqual(o?.state?.deciders[0].gpo, 'Default Domain Controllers Policy');
});

test('scopes: conditional, conflict and undetermined values never reach the level they would give', () => {
  for (const status of ['conditional', 'conflict', 'undetermined'] as const) {
    const doc = domain([], [{ ...eff('smb.server.require', status, 1, G_WS), why: `because ${status}` }]);
    const c = cellOf(doc, 'smb-signing', 'corp.example/Workstations');
    assert.equal(c.level, 0, status);
    const m = c.next?.missing.find((x) => x.rule === 'smb.server.require');
    assert.equal(m, undefined, 'L1 is next; the require condition is listed in the steps');
    const p = posture.assess(posture.postureInput(doc));
    const cell3 = posture.assessCell(p.input, p.input.scopes[1], posture.familyById('smb-signing'));
    assert.equal(cell3.level, 0);
  }
  const doc = domain([], [eff('smb.server.require', 'conditional', 1, G_WS), eff('smb.server.audit.signing', 'hardened', 1, G_WS)]);
  const c = cellOf(doc, 'smb-signing', 'corp.example/Workstations');
  assert.equal(c.level, 1);
  assert.equal(c.next?.level, 2);
});

test('scopes: readiness is per scope', () => {
  const req = [eff('smb.server.require', 'hardened', 1, G_WS), eff('smb.client.require', 'hardened', 1, G_WS)];
  const doc = domain(req, req, [ready('smb.server.require', 'ready', 0, 'corp.example/Workstations'), ready('smb.server.require', 'blocked', 1, 'corp.example/Domain Controllers')]);
  assert.equal(levels(doc, 'corp.example/Workstations')['smb-signing'], 4);
  assert.equal(levels(doc, 'corp.example/Domain Controllers')['smb-signing'], 3);
});

test('scopes: without a DC scope, DC-decided conditions stay unmet and say why', () => {
  const doc: posture.ScanResultJson = { scopes: [{ som: 'corp.example/Workstations', kind: 'ou', role: 'member', gpos: [], effective: [eff('ldap.client.signing', 'hardened', 1)] }] };
  const c = cellOf(doc, 'ldap-signing', 'corp.example/Workstations');
  assert.equal(c.level, 2);
  assert.equal(c.next?.missing[0].uncertain, 'no DC scope');
});

test('files only with --role member: DC-only rules are not judged, so the DC stages stay open', () => {
  const doc = files({ 'ldap.client.signing': 1 }, [], 'member');
  assert.equal(levels(doc)['ldap-signing'], 2);
  assert.deepEqual(
    cellOf(doc, 'ldap-signing').next?.missing.map((m) => [m.text, m.uncertain]),
    [["ldap.server.signing: decided on domain controllers, and no domain controllers' scope is in the input", 'no DC scope']],
  );
});

test('scope groups: DCs, member servers and workstations by OU name', () => {
  assert.equal(posture.groupOf('dc', 'corp.example/Domain Controllers', 'ou'), 'dc');
  assert.equal(posture.groupOf('member', 'corp.example/Servers/File', 'ou'), 'server');
  assert.equal(posture.groupOf('member', 'corp.example/Workstations', 'ou'), 'workstation');
  assert.equal(posture.groupOf('member', 'corp.example/Computers/Laptops', 'ou'), 'workstation');
  assert.equal(posture.groupOf('member', 'corp.example', 'domain'), 'member');
});

// ---- canary and next steps ----------------------------------------------------------------------

test('canary headline: SMB signing decides whether LDAP, channel binding and NTLM wait or come next', () => {
  const head = (doc: posture.ScanResultJson) => posture.assess(posture.postureInput(doc)).scopes[0].headline;
  assert.equal(
    head(files({})),
    'Across the scanned GPOs, SMB signing is neither required nor audited: LDAP signing, LDAP channel binding, NTLM restriction should wait; turn on the SMB signing audit first.',
  );
  assert.equal(
    head(files({ 'smb.server.audit.signing': 1 })),
    'Across the scanned GPOs, SMB signing is only audited (L1): LDAP signing, LDAP channel binding, NTLM restriction should wait; fix the clients the audit names and require SMB signing first.',
  );
  assert.equal(
    head(files({ 'smb.server.require': 1 })),
    'Across the scanned GPOs, SMB signing is required on servers and domain controllers (L3): LDAP signing should come next, then LDAP channel binding, NTLM restriction.',
  );
  assert.equal(
    head(files({ ...SMB_REQ, 'ldap.server.signing': 2 }, [ready('smb.server.require')])),
    'Across the scanned GPOs, SMB signing is required everywhere with no failing client (L4): LDAP channel binding should come next, then NTLM restriction.',
  );
});

test('a step marked safe only writes values the catalog stages as audit or negotiate; NTLM\'s level 2 enforces, so it waits with the requires', () => {
  const stageOk = (s: posture.Step): boolean => {
    // The rule of the step from its fix text: `Set "<display name>" (…) to <value> …`.
    const m = /^Set "(.+?)" \(.*\) to (\d+)/.exec(s.fix);
    if (!m) return true; // audit of a non-GPO switch, watch, fix clients: no value written by the plan
    const rule = settingRules.find((r) => r.displayName === m[1]);
    assert.ok(rule, m[1]);
    const v = Number(m[2]);
    const stage = rule.fixes.find((c) => c.value === v && (c.target === undefined || c.target === rule.id))?.stage ?? rule.stage ?? 'enforce';
    return stage === 'audit' || stage === 'negotiate';
  };
  for (const [name, doc] of [
    ['nothing configured', files({})],
    ['nothing configured, members', files({}, [], 'member')],
    ['NTLM audited only', files({ 'ntlm.in.audit': 2 })],
    ['everything weak', files(Object.fromEntries(settingRules.map((r) => [r.id, 0])))],
  ] as const) {
    const steps = posture.assess(posture.postureInput(doc)).steps;
    for (const s of steps) assert.equal(s.applicability === 'safe', stageOk(s) || s.kind === 'watch' || s.kind === 'fix-clients', `${name}: ${s.kind} ${s.applicability} ${s.title}: ${s.fix}`);
  }
  const ntlm = posture.assess(posture.postureInput(files({ 'ntlm.in.audit': 2 }))).steps.filter((s) => s.family === 'ntlm');
  assert.deepEqual(
    ntlm.map((s) => [s.kind, s.applicability, s.title, s.kind === 'require' ? s.fix.replace(/^.*: /, '') : '']),
    [
      ['watch', 'safe', 'Watch the events for at least 30 days', ''],
      ['require', 'unsafe', 'Then require: Network security: Minimum session security for NTLM SSP based (including secure RPC) clients', 'NTLMMinClientSec = 537395200'],
      ['require', 'unsafe', 'Then require: Network security: Minimum session security for NTLM SSP based (including secure RPC) servers', 'NTLMMinServerSec = 537395200'],
      ['require', 'unsafe', 'Then require: Network security: LAN Manager authentication level', 'LmCompatibilityLevel = 5'],
    ],
    'from L1 the NTLM plan has no negotiate step (before, session security was "Negotiate first", safe): watch, then require session security everywhere and 5 on the DCs (3, NTLMv2 only, is the default)',
  );
});

test('next steps follow the audit-first order with safe and unsafe marked and the safe fix text', () => {
  const p = posture.assess(posture.postureInput(files({ 'smb.server.require': [1, 0] })));
  const smb = p.steps.filter((s) => s.family === 'smb-signing');
  assert.deepEqual(
    smb.map((s) => [s.kind, s.applicability, s.title]),
    [
      ['audit', 'safe', 'Turn on the audit: Audit client does not support signing'],
      ['negotiate', 'safe', 'Negotiate first: Microsoft network server: Digitally sign communications (if client agrees)'],
      ['watch', 'safe', 'Watch the events for at least 30 days'],
      ['require', 'unsafe', 'Then require: Microsoft network server: Digitally sign communications (always)'],
    ],
    'from L0 the plan runs audit → negotiate → watch → require (L3)',
  );
  assert.deepEqual(
    smb[3].targets.map((t) => [t.where, t.lines.map((l) => `${l.path}:${l.line}=${l.value}`)]),
    [['GPO "GPO 2"', ['gpo2/GptTmpl.inf:11=0']]],
    'the GPO to change is the one with the weak line',
  );
  const rule = settingRuleById('smb.server.audit.signing');
  assert.equal(smb[0].fix, `Set "${rule?.displayName}" (${rule?.gpoPath}) to 1 (Enabled): AuditClientDoesNotSupportSigning = 1`);
  assert.deepEqual(smb[0].targets.map((t) => [t.where, t.scopes]), [['a GPO that applies to every machine in scope', ['All scanned files (role any, no topology)']]]);

  const p2 = posture.assess(posture.postureInput(files({ 'smb.server.audit.signing': 1, 'smb.server.enable': 1, 'smb.server.require': [1, 0] }, [ready('smb.server.require', 'blocked', 1)])));
  const s2 = p2.steps.filter((s) => s.family === 'smb-signing');
  assert.deepEqual(
    s2.map((s) => [s.kind, s.applicability]),
    [
      ['watch', 'safe'],
      ['fix-clients', 'safe'],
      ['require', 'unsafe'],
    ],
  );
  assert.match(s2[0].fix, /3021/);
  assert.equal(s2[1].fix, 'PC1 10.0.0.1');
  assert.equal(s2[2].targets[0].where, 'GPO "GPO 2"');
  assert.deepEqual(
    s2[2].targets[0].lines.map((l) => [l.path, l.line, l.value]),
    [['gpo2/GptTmpl.inf', 11, 0]],
    'the weak line is the one to change',
  );
  // Families come in rollout order.
  const order = p2.steps.map((s) => posture.ROLLOUT_ORDER.indexOf(s.family));
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
});

test('next steps are merged across scopes: one step, one target per GPO with the scopes it serves', () => {
  const doc = domain([eff('smb.server.audit.signing', 'missing')], [eff('smb.server.audit.signing', 'missing')]);
  const p = posture.assess(posture.postureInput(doc));
  const audit = p.steps.filter((s) => s.family === 'smb-signing' && s.kind === 'audit');
  assert.equal(audit.length, 1);
  assert.deepEqual(
    audit[0].targets.map((t) => [t.where, t.scopes]),
    [
      ['GPO "Default Domain Controllers Policy" (highest precedence in corp.example/Domain Controllers) or a new GPO linked there', ['corp.example/Domain Controllers']],
      ['GPO "Workstation Baseline" (highest precedence in corp.example/Workstations) or a new GPO linked there', ['corp.example/Workstations']],
    ],
  );
});

// ---- bad input -----------------------------------------------------------------------------------

test('bad input gives problems, never a throw', () => {
  const bad: [unknown, string][] = [
    [null, 'the result is not a JSON object'],
    [[1, 2], 'the result is not a JSON object'],
    [{}, 'the result has neither "scopes" nor "coverage": nothing to assess'],
    [{ coverage: [{ ruleId: 'smb.server.require', status: 'strange' }] }, 'a coverage entry without a rule id or a known status was ignored'],
    [{ scopes: [{ kind: 'ou' }, { som: 'x', role: 'member', effective: [{ status: 'hardened' }] }] }, 'a scope without a "som" path was ignored'],
    [{ coverage: [], readiness: [{ ruleId: 'x', status: 'maybe' }] }, 'a readiness entry without a rule id or a known status was ignored'],
  ];
  for (const [doc, problem] of bad) {
    const input = posture.postureInput(doc);
    assert.ok(input.problems.includes(problem), `${JSON.stringify(doc)}: ${input.problems.join(' | ')}`);
    const p = posture.assess(input);
    assert.equal(p.scopes.length, input.scopes.length);
  }
});

void (null as unknown as P);

test('postureInput: a located object shared by scopes is one Loc; a winner without a value gets the value on a copy', () => {
  const shadowedAtDomain = { path: 'Policies/{A}/GptTmpl.inf', gpo: '{A}', line: 7, value: 0, extension: 'security' };
  const winner = { path: 'Policies/{B}/GptTmpl.inf', gpo: '{B}', line: 9 };
  const why = ['GPO "B" sets 1 via', 'security and wins here.'].join(' ');
  const entry = () => ({
    ruleId: 'smb.server.require',
    key: 'HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters',
    name: 'RequireSecuritySignature',
    status: 'hardened',
    value: 1,
    winner,
    shadowed: [shadowedAtDomain],
    exposedWhenMissing: true,
    exposed: false,
    why,
  });
  const scope = (som: string) => ({ som, dn: `OU=${som}`, kind: 'ou', role: 'member', blocksInheritance: false, gpos: [], effective: [entry()] });
  const doc = { tool: { name: 'relaylint', version: '1' }, options: { role: 'any', targetOs: 'legacy' }, gpos: [{ guid: '{A}', name: 'GPO A' }, { guid: '{B}', name: 'GPO B' }], scopes: [scope('corp.example/One'), scope('corp.example/Two')] };
  const input = posture.postureInput(doc, { sharedObjects: true });
  const [one, two] = input.scopes.map((s) => s.rules.get('smb.server.require'));
  assert.ok(one && two);
  assert.deepEqual(one.shadowed, [{ path: 'Policies/{A}/GptTmpl.inf', gpo: 'GPO A', line: 7, value: 0 }]);
  assert.equal(one.shadowed[0], two.shadowed[0], 'one Loc for the shared object');
  assert.equal(one.why, why);
  assert.equal(two.why, why);
  // The winner names no value: each scope's decider carries the entry's value, and the Loc is not changed.
  assert.deepEqual(one.deciders, [{ path: 'Policies/{B}/GptTmpl.inf', gpo: 'GPO B', line: 9, value: 1 }]);
  assert.deepEqual(two.deciders, one.deciders);
  assert.deepEqual(winner, { path: 'Policies/{B}/GptTmpl.inf', gpo: '{B}', line: 9 });
  // Not told the objects are shared (parsed JSON shares none): a Loc per scope, equal, and the same model.
  const apart = posture.postureInput(doc);
  const [a1, a2] = apart.scopes.map((s) => s.rules.get('smb.server.require'));
  assert.deepEqual(a1?.shadowed, a2?.shadowed);
  assert.notEqual(a1?.shadowed[0], a2?.shadowed[0]);
  assert.deepEqual(apart, input);
});
