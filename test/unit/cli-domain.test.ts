/**
 * The joined features in the CLI on the bundled example domain (examples/: SYSVOL, the LDIF
 * topology with its computer objects, and DC01's exported events): readiness is judged per scope of
 * the effective policy (issue 12 contract: `scope` on every entry when topology is given), and the
 * posture page shows a ladder per OU fed with that readiness (issue 14).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readinessScopes, type EffectivePolicy } from '../../server/src/core';
import { REPO, runCli, tempDir } from '../helpers/cli';

interface Doc {
  scopes: { som: string; role: string; computers?: string[]; effective: { ruleId: string }[] }[];
  readiness: { ruleId: string; scope?: string; status: string; clients: { address?: string; host?: string; account?: string; events: number }[]; servers: string[]; missingServers?: string[]; why: string }[];
  evidence: { path: string; computers: string[] }[];
}

function scanJson(args: string[]): Doc {
  const r = runCli(['scan', ...args, '--format', 'json', '--fail-on', 'never']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Doc;
}

const DC = 'corp.example/Domain Controllers';
const WS = 'corp.example/Workstations';

test('scan with topology: readiness has a scope per OU and domain, with the servers the LDIF puts there', () => {
  const doc = scanJson(['examples']);
  // The computer objects of examples/topology/corp-computers.ldf, in the scopes of the JSON.
  assert.deepEqual(
    doc.scopes.map((s) => [s.som, s.role, s.computers]),
    [
      ['corp.example', 'member', []],
      [DC, 'dc', ['DC01.corp.example']],
      ['corp.example/Servers', 'member', []],
      ['corp.example/Servers/File', 'member', ['FS01.corp.example']],
      [WS, 'member', ['WS0142.corp.example']],
    ],
  );
  assert.ok(doc.readiness.length > 0);
  assert.ok(doc.readiness.every((r) => typeof r.scope === 'string'));
  // Every scope is judged for the evidence rules of its role, and only for those.
  const scopesOf = (ruleId: string) => doc.readiness.filter((r) => r.ruleId === ruleId).map((r) => r.scope);
  assert.deepEqual(scopesOf('ldap.server.signing'), [DC]);
  assert.deepEqual(scopesOf('ldap.server.cbt'), [DC]);
  assert.deepEqual(scopesOf('ntlm.domain.restrict'), [DC]);
  assert.deepEqual(scopesOf('ntlm.lmcompat'), ['corp.example', DC, 'corp.example/Servers', 'corp.example/Servers/File', WS]);
  const at = (ruleId: string, scope: string) => doc.readiness.find((r) => r.ruleId === ruleId && r.scope === scope);

  // DC01's log speaks for the DCs' scope: the clients that would fail are listed there.
  const ldap = at('ldap.server.signing', DC);
  assert.equal(ldap?.status, 'blocked');
  assert.deepEqual(ldap?.servers, ['DC01.corp.example']);
  assert.deepEqual(
    ldap?.clients.map((c) => [c.address, c.account, c.events]),
    [
      ['10.0.4.17', 'CORP\\svc-scan', 3],
      ['10.0.7.30', 'cn=printer-ldap,ou=Devices,dc=corp,dc=example', 1],
    ],
  );
  const ntlmDc = at('ntlm.lmcompat', DC);
  assert.equal(ntlmDc?.status, 'blocked');
  assert.deepEqual(ntlmDc?.clients.map((c) => [c.host, c.events]), [['SCANNER01', 2]]);

  // ...and not for the workstations: their computer gave no log.
  const ntlmWs = at('ntlm.lmcompat', WS);
  assert.equal(ntlmWs?.status, 'no-evidence');
  assert.deepEqual(ntlmWs?.clients, []);
  assert.deepEqual(ntlmWs?.missingServers, ['WS0142.corp.example']);
  assert.match(ntlmWs?.why ?? '', /^No Security log was given from the servers of corp\.example\/Workstations \(WS0142\.corp\.example\)/);

  // A scope without computers in the topology: no log is known to come from it.
  const ntlmServers = at('ntlm.lmcompat', 'corp.example/Servers');
  assert.equal(ntlmServers?.status, 'no-evidence');
  assert.match(ntlmServers?.why ?? '', /^The topology names no computer in corp\.example\/Servers, so no log is known to come from it/);

  // The audit switch per scope: "Audit client does not support signing" is set nowhere, so audit-off.
  assert.equal(at('smb.server.require', DC)?.status, 'audit-off');
  assert.match(at('smb.server.require', DC)?.why ?? '', /is not on in corp\.example\/Domain Controllers/);
});

test('scan without topology: readiness has no scope (issue 12 contract)', () => {
  const doc = scanJson([path.join('examples', 'corp.example'), path.join('examples', 'logs')]);
  assert.equal(doc.scopes, undefined);
  assert.ok(doc.readiness.length > 0);
  assert.ok(doc.readiness.every((r) => r.scope === undefined));
  assert.equal(doc.readiness.find((r) => r.ruleId === 'ldap.server.signing')?.status, 'blocked');
});

test('readinessScopes: one per domain and OU (sites left out), the rules of its role, switch states from the effective entries', () => {
  const eff = {
    gpos: [],
    problems: [],
    lacks: [],
    scopes: [
      { som: 'x.example', dn: 'DC=x,DC=example', kind: 'domain', role: 'member', blocksInheritance: false, gpos: [], exposedRules: 0, computers: [], effective: [
        { ruleId: 'smb.server.audit.signing', status: 'hardened' },
        { ruleId: 'ntlm.in.audit', status: 'missing' },
        { ruleId: 'ntlm.out', status: 'conditional' },
      ] },
      { som: 'x.example/Domain Controllers', dn: 'OU=Domain Controllers,DC=x,DC=example', kind: 'ou', role: 'dc', blocksInheritance: false, gpos: [], exposedRules: 0, computers: ['DC1.x.example'], effective: [
        { ruleId: 'ntlm.domain.audit', status: 'weak' },
      ] },
      { som: 'HQ', dn: 'CN=HQ,CN=Sites,CN=Configuration,DC=x,DC=example', kind: 'site', role: 'member', blocksInheritance: null, gpos: [], exposedRules: 0, effective: [] },
    ],
  } as unknown as EffectivePolicy;
  assert.deepEqual(readinessScopes(eff), [
    {
      name: 'x.example',
      auditSwitches: { 'smb.server.audit.signing': 'on', 'ntlm.in.audit': 'off', 'ntlm.out': 'unknown' },
      rules: ['smb.server.audit.signing', 'ntlm.in.audit', 'ntlm.out'],
      servers: [],
    },
    { name: 'x.example/Domain Controllers', auditSwitches: { 'ntlm.domain.audit': 'off' }, rules: ['ntlm.domain.audit'], servers: ['DC1.x.example'] },
  ]);
});

test('report with --topology and --evidence: a ladder per OU, readiness per OU in its cells, no "not available" note', () => {
  const dir = tempDir();
  const out = path.join(dir, 'posture.html');
  const r = runCli(['report', path.join('examples', 'corp.example'), '--topology', path.join('examples', 'topology', 'corp-gp.ldf'), '--topology', path.join('examples', 'topology', 'corp-computers.ldf'), '--evidence', path.join('examples', 'logs'), '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(out, 'utf8');
  assert.doesNotMatch(html, /not available in this build/);
  assert.doesNotMatch(html, /no scope could be built|no event export was found/);
  const rows = new Map<string, { levels: string[]; row: string }>();
  for (const m of html.matchAll(/<tr data-scope="([^"]+)">([\s\S]*?)<\/tr>/g)) {
    rows.set(m[1], { levels: [...m[2].matchAll(/data-family="([^"]+)" data-level="(\d)"/g)].map((x) => `${x[1]}=L${x[2]}`), row: m[2] });
  }
  assert.deepEqual([...rows.keys()], [DC, 'corp.example/Servers', 'corp.example/Servers/File', WS, 'corp.example']);
  assert.deepEqual(rows.get(DC)?.levels, ['smb-signing=L3', 'smb1-guest=L0', 'ldap-signing=L2', 'ldap-cbt=L1', 'ntlm=L0', 'netlogon=L3']);
  assert.deepEqual(rows.get('corp.example/Servers/File')?.levels, ['smb-signing=L0', 'smb1-guest=L0', 'ldap-signing=L2', 'ldap-cbt=L1', 'ntlm=L0', 'netlogon=L3']);
  // The NTLMv1 client seen on DC01 is evidence for the DCs' scope only; LDAP (DC-only) evidence is read from the DCs' scope everywhere.
  assert.match(rows.get(DC)?.row ?? '', /SCANNER01/);
  assert.doesNotMatch(rows.get(WS)?.row ?? '', /SCANNER01/);
  assert.match(rows.get(WS)?.row ?? '', /10\.0\.4\.17/);
});

test('scan --format html of the example domain: the same per-OU ladders', () => {
  const r = runCli(['scan', 'examples', '--format', 'html', '--fail-on', 'never']);
  assert.equal(r.code, 0, r.stderr);
  const scopes = [...r.stdout.matchAll(/<tr data-scope="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(scopes, [DC, 'corp.example/Servers', 'corp.example/Servers/File', WS, 'corp.example']);
  assert.doesNotMatch(r.stdout, /not available in this build/);
});

test('the html adapter has no stale "not available in this build" text', () => {
  const src = fs.readFileSync(path.join(REPO, 'server/src/cli/html.ts'), 'utf8');
  assert.doesNotMatch(src, /not available in this build/);
});
