/**
 * Precedence rules P1–P18 of scope-and-evidence.md §1 that concern computer policy, each against a
 * small hand-built domain (LDIF written by test/helpers/domain.ts) and hand-made observations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectivePolicy, type EffectivePolicy, type ScopeResult } from '../../../server/src/core/scope';
import { DOMAIN_DN, effectiveOfLdif, guid, policySet, ruleIn, scopeNamed, type DomainSpec, type ObsSpec } from '../../helpers/domain';
import { APPLY, sd } from '../../helpers/sd';
import { READ_CAVEAT } from '../../../server/src/core/policy/filtering';

const SERVERS = `OU=Servers,${DOMAIN_DN}`;
const WEB = `OU=Web,${SERVERS}`;
const DCS = `OU=Domain Controllers,${DOMAIN_DN}`;

const run = effectiveOfLdif;
const scope = scopeNamed;
const rule = ruleIn;

const order = (s: ScopeResult) => s.gpos.map((g) => Object.entries({ A: 0, B: 0, C: 0, D: 0, E: 0, F: 0, G: 0, S: 0, W: 0, X: 0 }).map(([l]) => l).find((l) => guid(l) === g.guid));

const REQ = 'smb.server.require';
const hard = (gpo: string, extra: Partial<ObsSpec> = {}): ObsSpec => ({ gpo, rule: REQ, value: 1, status: 'hardened', ...extra });
const weak = (gpo: string, extra: Partial<ObsSpec> = {}): ObsSpec => ({ gpo, rule: REQ, value: 0, status: 'weak', ...extra });

/** The worked example of §1.2. */
const WORKED: DomainSpec = {
  soms: [
    { dn: DOMAIN_DN, links: [['A', 0], ['B', 2]] },
    { dn: SERVERS, links: [['C', 0], ['D', 1]] },
    { dn: WEB, links: [['E', 0], ['F', 2]], block: true },
  ],
  gpcs: ['A', 'B', 'C', 'D', 'E', 'F'].map((letter) => ({ letter })),
};

describe('ordered GPO list per SOM (§1.2)', () => {
  const r = run(WORKED, policySet([], {}, ['A', 'B', 'C', 'D', 'E', 'F']));

  test('worked example: OU=Web (blocks inheritance) gives B, F, E', () => {
    const s = scope(r, 'corp.example/Servers/Web');
    assert.deepEqual(order(s), ['B', 'F', 'E']);
    assert.deepEqual(
      s.gpos.map((g) => [g.enforced, g.from]),
      [
        [true, 'corp.example'],
        [true, 'corp.example/Servers/Web'],
        [false, 'corp.example/Servers/Web'],
      ],
    );
    assert.equal(s.blocksInheritance, true);
    assert.deepEqual(
      (s.dropped ?? []).map((d) => [d.guid, d.reason]),
      [
        [guid('A'), 'inheritance blocked at corp.example/Servers/Web'],
        [guid('D'), 'link disabled'],
        [guid('C'), 'inheritance blocked at corp.example/Servers/Web'],
      ],
    );
  });

  test('worked example: OU=Servers gives B, C, A', () => {
    assert.deepEqual(order(scope(r, 'corp.example/Servers')), ['B', 'C', 'A']);
  });

  test('domain scope: B (enforced) then A', () => {
    const s = scope(r, 'corp.example');
    assert.deepEqual(order(s), ['B', 'A']);
    assert.equal(s.kind, 'domain');
    assert.equal(s.dn, DOMAIN_DN);
  });

  test('P3: the last gPLink entry is link order 1', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0], ['C', 0]] }], gpcs: [] };
    const s = scope(run(d, policySet([], {}, ['A', 'B', 'C'])), 'corp.example');
    assert.deepEqual(order(s), ['C', 'B', 'A']);
    assert.deepEqual(s.gpos.map((g) => g.order), [1, 2, 3]);
  });
});

describe('effective value per scope', () => {
  test('P1/P15: the closest OU wins; a GPO that does not configure the value never overrides', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: SERVERS, links: [['C', 0], ['B', 0]] }], gpcs: [] };
    const r = run(d, policySet([weak('A', { line: 7 }), hard('C', { line: 12 })], {}, ['B']));
    const e = rule(scope(r, 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'hardened');
    assert.equal(e.value, 1);
    assert.deepEqual(e.winner, { gpo: guid('C'), path: `Policies/${guid('C')}/GptTmpl.inf`, line: 12, value: 1, extension: 'security' });
    assert.deepEqual(e.shadowed, [{ gpo: guid('A'), path: `Policies/${guid('A')}/GptTmpl.inf`, line: 7, value: 0, extension: 'security' }]);
    assert.equal(e.exposed, false);
    assert.equal(rule(scope(r, 'corp.example'), REQ).status, 'weak');
  });

  test('P2: within one SOM the lower link order wins', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0]] }], gpcs: [] };
    const e = rule(scope(run(d, policySet([hard('A'), weak('B')])), 'corp.example'), REQ);
    assert.equal(e.status, 'weak');
    assert.equal(e.winner?.gpo, guid('B'));
  });

  test('P4: an enforced domain link beats the OU link', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 2]] }, { dn: SERVERS, links: [['C', 0]] }], gpcs: [] };
    const e = rule(scope(run(d, policySet([weak('A'), hard('C')])), 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'weak');
    assert.equal(e.winner?.gpo, guid('A'));
    assert.match(e.why, /GPO "GPO A" \(linked at corp\.example, enforced\) sets 0/);
  });

  test('P5: enforced vs enforced, the link higher in the hierarchy wins', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 2]] }, { dn: SERVERS, links: [['C', 2]] }, { dn: WEB, links: [['E', 2]] }], gpcs: [] };
    const r = run(d, policySet([hard('A'), weak('C'), weak('E')]));
    const s = scope(r, 'corp.example/Servers/Web');
    assert.deepEqual(order(s), ['A', 'C', 'E']);
    const e = rule(s, REQ);
    assert.equal(e.status, 'hardened');
    assert.equal(e.winner?.gpo, guid('A'));
    assert.deepEqual(e.shadowed.map((x) => x.gpo), [guid('C'), guid('E')]);
  });

  test('P6: block inheritance drops inherited non-enforced links, an enforced parent still applies', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 2]] }, { dn: SERVERS, links: [], block: true }], gpcs: [] };
    const r = run(d, policySet([hard('A'), { gpo: 'B', rule: 'netlogon.sign', value: 1, status: 'hardened' }]));
    const s = scope(r, 'corp.example/Servers');
    assert.deepEqual(order(s), ['B']);
    assert.equal(rule(s, REQ).status, 'missing');
    assert.equal(rule(s, REQ).exposed, true);
    assert.equal(rule(s, 'netlogon.sign').status, 'hardened');
    assert.equal(rule(scope(r, 'corp.example'), REQ).status, 'hardened');
  });

  test('P7: a disabled link does not apply (also when enforced), another link of the GPO still does', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 3]] }, { dn: SERVERS, links: [['A', 0], ['C', 1]] }], gpcs: [] };
    const r = run(d, policySet([hard('A'), weak('C')]));
    assert.equal(rule(scope(r, 'corp.example'), REQ).status, 'missing');
    const e = rule(scope(r, 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'hardened');
    assert.equal(e.winner?.gpo, guid('A'));
    assert.deepEqual(e.shadowed, []);
  });

  test('P8: a GPO whose computer side is disabled (flags 2 or 3, or Computer/Enabled false) applies nowhere', () => {
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0], ['C', 0]] }],
      gpcs: [{ letter: 'B', flags: 2 }, { letter: 'C', flags: 3 }, { letter: 'A', flags: 1 }],
    };
    const r = run(d, policySet([hard('A'), weak('B'), weak('C'), weak('D')], { D: { computerEnabled: false } }));
    const s = scope(r, 'corp.example');
    assert.deepEqual(order(s), ['A']);
    assert.equal(rule(s, REQ).status, 'hardened');
    const summary = (l: string) => r.gpos.find((g) => g.guid === guid(l));
    assert.equal(summary('B')?.computerEnabled, false);
    assert.match(summary('B')?.appliesNowhere ?? '', /computer side is disabled/);
    assert.equal(summary('A')?.computerEnabled, true);
    assert.equal(summary('A')?.appliesNowhere, undefined);
    assert.match(summary('D')?.appliesNowhere ?? '', /computer side is disabled/);
  });

  test('P9: only GPOs whose gPCFunctionalityVersion is 2 are used; another value applies nowhere, absent means no check', () => {
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0], ['C', 0], ['E', 0]] }],
      gpcs: [{ letter: 'A', version: '2' }, { letter: 'B', version: '3' }, { letter: 'C', version: 'x' }, { letter: 'E' }],
    };
    const r = run(d, policySet([hard('A'), weak('B'), weak('C')], {}, ['E']));
    const s = scope(r, 'corp.example');
    assert.deepEqual(order(s), ['E', 'A']);
    assert.deepEqual(s.dropped, [
      { guid: guid('C'), som: 'corp.example', reason: 'gPCFunctionalityVersion x, not 2' },
      { guid: guid('B'), som: 'corp.example', reason: 'gPCFunctionalityVersion 3, not 2' },
    ]);
    const e = rule(s, REQ);
    assert.equal(e.status, 'hardened');
    assert.deepEqual(e.shadowed, []);
    const summary = (l: string) => r.gpos.find((g) => g.guid === guid(l));
    assert.deepEqual(
      ['A', 'B', 'C', 'E'].map((l) => [summary(l)?.functionalityVersion, summary(l)?.appliesNowhere]),
      [
        [2, undefined],
        [3, 'its gPCFunctionalityVersion is "3", not 2, and clients use only GPOs of version 2 (MS-GPOL 3.2.5.1.6), so its settings apply nowhere'],
        ['x', 'its gPCFunctionalityVersion is "x", not 2, and clients use only GPOs of version 2 (MS-GPOL 3.2.5.1.6), so its settings apply nowhere'],
        [undefined, undefined],
      ],
    );
    assert.deepEqual(r.problems, [{ source: 'corp.ldf', severity: 'warning', line: 20, message: `gPCFunctionalityVersion "x" of ${guid('C')} is not a number; clients use only GPOs of version 2, so it is treated as applying nowhere.` }]);
  });

  test('an unlinked GPO applies nowhere', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['X', 1]] }], gpcs: [] };
    const r = run(d, policySet([hard('A'), weak('G'), weak('X')]));
    assert.match(r.gpos.find((g) => g.guid === guid('G'))?.appliesNowhere ?? '', /no enabled link/);
    assert.match(r.gpos.find((g) => g.guid === guid('X'))?.appliesNowhere ?? '', /every link to it is disabled/);
  });

  test('P10: security filtering that does not grant Apply to all computers makes the result conditional, naming the group', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: SERVERS, links: [['C', 0]] }], gpcs: [] };
    const set = policySet([weak('A'), hard('C')], { C: { trustees: { allow: [{ sid: 'S-1-5-21-1-2-3-1108', name: 'CORP\\Web Servers' }], deny: [] } } });
    const e = rule(scope(run(d, set), 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'conditional');
    assert.equal(e.condition, 'security filtering: applies only to CORP\\Web Servers');
    assert.equal(e.winner?.gpo, guid('C'));
    assert.match(e.why, /gives hardened only where security filtering: applies only to CORP\\Web Servers; elsewhere the result is weak/);
    assert.equal(e.exposed, true);
    const g = run(d, set).gpos.find((x) => x.guid === guid('C'));
    assert.deepEqual(g?.filters, { security: ['CORP\\Web Servers'] });
  });

  test('P10: Authenticated Users / Domain Computers with Apply is not a condition', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['C', 0]] }], gpcs: [] };
    for (const t of [{ sid: 'S-1-5-11', name: 'NT AUTHORITY\\Authenticated Users' }, { sid: 'S-1-5-21-1-2-3-515', name: 'CORP\\Domain Computers' }]) {
      const e = rule(scope(run(d, policySet([hard('C')], { C: { trustees: { allow: [t], deny: [] } } })), 'corp.example'), REQ);
      assert.equal(e.status, 'hardened', t.name);
    }
  });

  test('P10: a deny of Apply is a condition', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['C', 0]] }], gpcs: [] };
    const set = policySet([hard('C')], { C: { trustees: { allow: [{ sid: 'S-1-5-11' }], deny: [{ name: 'CORP\\Kiosks' }] } } });
    const e = rule(scope(run(d, set), 'corp.example'), REQ);
    assert.equal(e.status, 'conditional');
    assert.equal(e.condition, 'security filtering: Apply Group Policy denied to CORP\\Kiosks');
  });

  describe('P10 per role (member scopes vs the Domain Controllers OU), one GPO C setting the value hardened over a weak domain GPO A', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: SERVERS, links: [['C', 0]] }, { dn: DCS, links: [['C', 0]] }], gpcs: [] };
    const AU = { sid: 'S-1-5-11', name: 'Authenticated Users' };
    const DCOMP = { sid: 'S-1-5-21-1-2-3-515', name: 'Domain Computers' };
    const DCTRL = { sid: 'S-1-5-21-1-2-3-516', name: 'Domain Controllers' };
    const EDC = { sid: 'S-1-5-9' };
    const WEBS = { sid: 'S-1-5-21-1-2-3-1108' };
    // [case, trustees, member scope (status, condition or dropped reason), DC scope, gpos[].appliesNowhere]
    const cases: [string, { allow: { sid: string; name?: string }[]; deny: { sid: string; name?: string }[]; complete?: boolean }, [string, string?], [string, string?], string?][] = [
      ['Everyone', { allow: [{ sid: 'S-1-1-0', name: 'Everyone' }], deny: [] }, ['hardened'], ['hardened']],
      ['Domain Computers: all members, not the DCs', { allow: [DCOMP], deny: [] }, ['hardened'], ['conditional', 'security filtering: applies only to Domain Computers']],
      ['Domain Controllers RID 516: the DCs only', { allow: [DCTRL], deny: [] }, ['conditional', 'security filtering: applies only to Domain Controllers'], ['hardened']],
      ['S-1-5-9 (raw): the DCs only', { allow: [EDC], deny: [] }, ['conditional', 'security filtering: applies only to S-1-5-9'], ['hardened']],
      ['a group named by its raw SID', { allow: [WEBS], deny: [] }, ['conditional', 'security filtering: applies only to S-1-5-21-1-2-3-1108'], ['conditional', 'security filtering: applies only to S-1-5-21-1-2-3-1108']],
      ['deny to Authenticated Users: applies nowhere', { allow: [AU], deny: [AU] }, ['weak', 'security filtering denies Apply Group Policy to Authenticated Users'], ['weak', 'security filtering denies Apply Group Policy to Authenticated Users'], 'security filtering denies Apply Group Policy to Authenticated Users, so its settings apply nowhere'],
      ['deny to Domain Computers: no member, the DCs only under a condition', { allow: [AU], deny: [DCOMP] }, ['weak', 'security filtering denies Apply Group Policy to Domain Computers'], ['conditional', 'security filtering: Apply Group Policy denied to Domain Computers']],
      ['deny to Domain Computers and Domain Controllers: applies nowhere', { allow: [AU], deny: [DCOMP, DCTRL] }, ['weak', 'security filtering denies Apply Group Policy to Domain Computers'], ['weak', 'security filtering denies Apply Group Policy to Domain Controllers'], 'security filtering denies Apply Group Policy to Domain Computers (member computers) and denies Apply Group Policy to Domain Controllers (domain controllers), so its settings apply nowhere'],
      ['nobody allowed in a whole DACL (Backup.xml): applies nowhere', { allow: [], deny: [], complete: true }, ['weak', 'security filtering grants Apply Group Policy to no one'], ['weak', 'security filtering grants Apply Group Policy to no one'], 'security filtering grants Apply Group Policy to no one, so its settings apply nowhere'],
      ['nobody allowed in a report\'s permission list (it can leave trustees out): a condition', { allow: [], deny: [WEBS] }, ['conditional', 'security filtering: no trustee is granted Apply Group Policy in the permission list; security filtering: Apply Group Policy denied to S-1-5-21-1-2-3-1108'], ['conditional', 'security filtering: no trustee is granted Apply Group Policy in the permission list; security filtering: Apply Group Policy denied to S-1-5-21-1-2-3-1108']],
    ];
    for (const [name, trustees, member, dc, nowhere] of cases) {
      test(name, () => {
        const r = run(d, policySet([weak('A'), hard('C')], { C: { trustees } }));
        const check = (som: string, [status, why]: [string, string?]) => {
          const s = scope(r, som);
          const e = rule(s, REQ);
          const drop = s.dropped?.find((x) => x.guid === guid('C'))?.reason;
          assert.deepEqual([e.status, e.condition ?? drop], [status, why], som);
        };
        check('corp.example/Servers', member);
        check('corp.example/Domain Controllers', dc);
        assert.equal(r.gpos.find((g) => g.guid === guid('C'))?.appliesNowhere, nowhere);
      });
    }
  });

  test('P10: when every scanned GPO carries its security filtering (reports, Backup.xml), the topology no longer lacks it', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['C', 0]] }], gpcs: [{ letter: 'A' }, { letter: 'C' }] };
    const au = { allow: [{ sid: 'S-1-5-11' }], deny: [] };
    assert.deepEqual(run(d, policySet([weak('A'), hard('C')], { A: { trustees: au }, C: { trustees: au } })).lacks.map((l) => l.fact), ['sites']);
    assert.deepEqual(run(d, policySet([weak('A'), hard('C')], { C: { trustees: au } })).lacks.map((l) => l.fact), ['security-filtering', 'sites']);
  });

  test('P10: security filtering that could not be read (damaged Backup.xml descriptor) is a condition, an error and named in gpos[]', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: SERVERS, links: [['C', 0]] }], gpcs: [] };
    const why = 'its Backup.xml SecurityDescriptor could not be read: the security descriptor is 10 bytes, shorter than its 20-byte header (truncated?)';
    const r = run(d, policySet([weak('A'), hard('C')], { C: { securityUnknown: why } }));
    const e = rule(scope(r, 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'conditional');
    assert.equal(e.condition, `security filtering unknown (${why})`);
    assert.deepEqual(r.gpos.find((g) => g.guid === guid('C'))?.filters, { securityUnknown: why });
    assert.deepEqual(r.problems, [{ source: 'Backup.xml', severity: 'error', message: `GPO "GPO C" ${guid('C')}: ${why}. Its security filtering is unknown, so results it decides are conditional.` }]);
  });

  test('P10 from the LDIF: a GPC nTSecurityDescriptor (folded :: base64) gives the trustees; deny to Authenticated Users = applies nowhere; a damaged one is an error and a condition', () => {
    const allowWeb = sd([{ type: 5, flags: 2, mask: 0x100, sid: 'S-1-5-21-1-2-3-1108', object: APPLY }]);
    const denyAll = sd([{ type: 5, mask: 0x100, sid: 'S-1-5-11', object: APPLY }, { type: 6, mask: 0x100, sid: 'S-1-5-11', object: APPLY }]);
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: SERVERS, links: [['C', 0], ['E', 0]] }, { dn: WEB, links: [['F', 0]] }],
      gpcs: [{ letter: 'A', sd: sd([{ type: 5, mask: 0x100, sid: 'S-1-5-11', object: APPLY }]) }, { letter: 'C', sd: allowWeb }, { letter: 'E', sd: denyAll }, { letter: 'F', sd: allowWeb.subarray(0, 30) }],
    };
    const r = run(d, policySet([weak('A'), hard('C'), hard('E'), hard('F')]));
    const servers = scope(r, 'corp.example/Servers');
    assert.deepEqual([rule(servers, REQ).status, rule(servers, REQ).condition], ['conditional', `security filtering: applies only to S-1-5-21-1-2-3-1108${READ_CAVEAT}`]);
    assert.deepEqual(servers.dropped, [{ guid: guid('E'), som: 'corp.example/Servers', reason: 'security filtering denies Apply Group Policy to Authenticated Users' }]);
    const summary = (l: string) => r.gpos.find((g) => g.guid === guid(l));
    assert.deepEqual([summary('E')?.filters, summary('E')?.appliesNowhere], [{ security: ['Authenticated Users'], securityDenied: ['Authenticated Users'] }, 'security filtering denies Apply Group Policy to Authenticated Users (nTSecurityDescriptor in the topology), so its settings apply nowhere']);
    assert.deepEqual(summary('A')?.filters, { security: ['Authenticated Users'] });
    const why = 'its nTSecurityDescriptor could not be read: the DACL claims 64 bytes at offset 20, past the end of the 30-byte descriptor (truncated?)';
    assert.deepEqual(summary('F')?.filters, { securityUnknown: why });
    const web = rule(scope(r, 'corp.example/Servers/Web'), REQ);
    assert.deepEqual([web.status, web.condition], ['conditional', `security filtering unknown (${why})`]);
    assert.deepEqual(r.problems.map((p) => [p.severity, p.line, p.message]), [['error', 44, `${guid('F')}: ${why}. Its security filtering is unknown, so results it decides are conditional.`]]);
    // Every GPC carried its descriptor: the LDIF no longer lacks security filtering.
    assert.deepEqual(r.lacks.map((l) => l.fact), ['sites']);
  });

  test('P11: a WMI filter makes the result conditional, naming the filter (LDIF msWMI-Som name)', () => {
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['W', 0]] }],
      gpcs: [{ letter: 'W', wmi: { id: '{7B0E0000-0000-4000-8000-000000000001}', name: 'Servers only' } }],
    };
    const r = run(d, policySet([hard('W')]));
    const e = rule(scope(r, 'corp.example'), REQ);
    assert.equal(e.status, 'conditional');
    assert.equal(e.condition, 'WMI filter "Servers only"');
    assert.match(e.why, /elsewhere the result is not configured \(machines use their OS default, which leaves them exposed/);
    assert.equal(r.gpos.find((g) => g.guid === guid('W'))?.filters.wmi, 'Servers only');
  });

  test('P12: a site link applies only to computers in the site (conditional); site scopes are listed', () => {
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [] }, { dn: `CN=HQ,CN=Sites,CN=Configuration,${DOMAIN_DN}`, links: [['S', 0]] }],
      gpcs: [],
    };
    const r = run(d, policySet([hard('S')]));
    const e = rule(scope(r, 'corp.example'), REQ);
    assert.equal(e.status, 'conditional');
    assert.equal(e.condition, 'computers in site "HQ"');
    const site = scope(r, 'corp.example/Configuration/Sites/HQ');
    assert.equal(site.kind, 'site');
    assert.equal(rule(site, REQ).status, 'hardened');
  });

  test('P12 + P1: a domain link overrides a site link; a hardened conditional winner over a hardened fallback is hardened', () => {
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: `CN=HQ,CN=Sites,CN=Configuration,${DOMAIN_DN}`, links: [['S', 0]] }],
      gpcs: [],
    };
    const r = run(d, policySet([hard('A'), weak('S')]));
    const e = rule(scope(r, 'corp.example'), REQ);
    assert.equal(e.status, 'hardened');
    assert.equal(e.winner?.gpo, guid('A'));
  });

  test('P5: an enforced site link against an enforced domain link is not confirmed: undetermined when they disagree', () => {
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['A', 2]] }, { dn: `CN=HQ,CN=Sites,CN=Configuration,${DOMAIN_DN}`, links: [['S', 2]] }],
      gpcs: [],
    };
    const e = rule(scope(run(d, policySet([hard('A'), weak('S')])), 'corp.example'), REQ);
    assert.equal(e.status, 'undetermined');
    assert.equal(e.why, "The result is conditional or hardened depending on whether an enforced site link beats an enforced domain link: presumed, but not confirmed by Microsoft's documentation (scope-and-evidence.md P5), so no topology export can decide it.");
    const same = rule(scope(run(d, policySet([hard('A'), hard('S')])), 'corp.example'), REQ);
    assert.equal(same.status, 'hardened');
  });

  test('P17: different extensions writing different values is a conflict, both listed, no winner', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0]] }], gpcs: [] };
    const r = run(d, policySet([hard('A', { ext: 'security', line: 5 }), weak('B', { ext: 'registry', line: 120 })]));
    const e = rule(scope(r, 'corp.example'), REQ);
    assert.equal(e.status, 'conflict');
    assert.equal(e.winner, undefined);
    assert.deepEqual(e.writers, [
      { gpo: guid('B'), path: `Policies/${guid('B')}/Registry.pol`, offset: 120, value: 0, extension: 'registry' },
      { gpo: guid('A'), path: `Policies/${guid('A')}/GptTmpl.inf`, line: 5, value: 1, extension: 'security' },
    ]);
    assert.deepEqual(e.shadowed, []);
    assert.match(e.why, /extension order, not the link order, decides/);
    assert.equal(e.exposed, true);
  });

  test('P17: the same value from two extensions is no conflict', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0]] }], gpcs: [] };
    const e = rule(scope(run(d, policySet([hard('A', { ext: 'gpp' }), hard('B', { ext: 'registry' })])), 'corp.example'), REQ);
    assert.equal(e.status, 'hardened');
    assert.equal(e.winner?.extension, 'gpp');
  });

  test('P18: a GPP item with item-level targeting is conditional', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }], gpcs: [] };
    const e = rule(scope(run(d, policySet([hard('A', { ext: 'gpp', state: 'conditional', condition: 'computer name is FS01' })])), 'corp.example'), REQ);
    assert.equal(e.status, 'conditional');
    assert.equal(e.condition, 'GPP item-level targeting (computer name is FS01)');
  });

  test('a deletion that wins leaves the OS default', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: SERVERS, links: [['C', 0]] }], gpcs: [] };
    const e = rule(scope(run(d, policySet([hard('A'), { gpo: 'C', rule: REQ, value: null, status: 'deleted', state: 'deleted', ext: 'gpp' }])), 'corp.example/Servers'), REQ);
    // Different extensions (security vs GPP) disagree: conflict, by P17.
    assert.equal(e.status, 'conflict');
    const e2 = rule(scope(run(d, policySet([hard('A', { ext: 'gpp' }), { gpo: 'C', rule: REQ, value: null, status: 'deleted', state: 'deleted', ext: 'gpp' }])), 'corp.example/Servers'), REQ);
    assert.equal(e2.status, 'missing');
    assert.equal(e2.winner?.gpo, guid('C'));
    assert.equal(e2.exposed, true);
    // A deletion the judgement does not call a weakening (status unknown) still leaves the OS default.
    const e3 = rule(scope(run(d, policySet([hard('A', { ext: 'gpp' }), { gpo: 'C', rule: REQ, value: null, status: 'unknown', state: 'deleted', ext: 'gpp' }])), 'corp.example/Servers'), REQ);
    assert.equal(e3.status, 'missing');
  });

  test('RSoP losers are listed as shadowed', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }], gpcs: [] };
    const e = rule(scope(run(d, policySet([hard('A'), weak('A', { shadowed: true, line: 40 })])), 'corp.example'), REQ);
    assert.equal(e.status, 'hardened');
    assert.deepEqual(e.shadowed, [{ gpo: guid('A'), path: `Policies/${guid('A')}/GptTmpl.inf`, line: 40, value: 0, extension: 'security', rsop: true }]);
  });
});

describe('roles', () => {
  const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0]] }, { dn: DCS, links: [['B', 0]] }], gpcs: [] };
  const r = run(d, policySet([{ gpo: 'B', rule: 'ldap.server.signing', value: 2, status: 'hardened' }, { gpo: 'A', rule: 'ldap.server.signing', value: 0, status: 'weak' }]));

  test('the Domain Controllers OU is role dc and judges DC-only rules', () => {
    const s = scope(r, 'corp.example/Domain Controllers');
    assert.equal(s.role, 'dc');
    assert.equal(rule(s, 'ldap.server.signing').status, 'hardened');
  });

  test('member scopes leave DC-only rules out; every other catalog rule appears', () => {
    const s = scope(r, 'corp.example');
    assert.equal(s.role, 'member');
    assert.equal(s.effective.find((e) => e.ruleId === 'ldap.server.signing'), undefined);
    const dcRules = scope(r, 'corp.example/Domain Controllers').effective.map((e) => e.ruleId);
    assert.deepEqual(
      dcRules.filter((id) => !s.effective.some((e) => e.ruleId === id)),
      ['ldap.server.signing', 'ldap.server.enforce', 'ldap.server.cbt', 'ntlm.domain.audit', 'ntlm.domain.restrict'],
    );
  });

  test('exposedWhenMissing follows the scope role', () => {
    // LmCompat-independent example: ldap.server.signing missing is exposed on DCs (legacy target).
    const d2: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [] }, { dn: DCS, links: [] }], gpcs: [] };
    const r2 = run(d2, policySet([]));
    assert.equal(rule(scope(r2, 'corp.example/Domain Controllers'), 'ldap.server.signing').exposedWhenMissing, true);
    assert.equal(rule(scope(r2, 'corp.example'), 'smb.client.guest').exposedWhenMissing, true);
  });
});

describe('reports-only input: link order and block inheritance unknown', () => {
  const links = (som: string, enforced = false) => [{ som, enabled: true, enforced }];

  test('two GPOs linked at one SOM with different values: undetermined, naming the link order', () => {
    const set = policySet([hard('A'), weak('B')], { A: { links: links('corp.example/Servers') }, B: { links: links('corp.example/Servers') } });
    const r = effectivePolicy(set, [], { targetOs: 'legacy' });
    assert.ok(r);
    const e = rule(scope(r, 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'undetermined');
    assert.match(e.why, /hardened or weak depending on the link order in corp\.example\/Servers/);
    assert.equal(e.exposed, true);
    assert.deepEqual(r.lacks.map((l) => l.fact), ['link-order', 'block-inheritance', 'sites']);
  });

  test('same values at one SOM: determined, the order does not matter', () => {
    const set = policySet([hard('A'), hard('B')], { A: { links: links('corp.example/Servers') }, B: { links: links('corp.example/Servers') } });
    const e = rule(scope(effectivePolicy(set, [], { targetOs: 'legacy' }) as EffectivePolicy, 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'hardened');
    assert.match(e.why, /depends on link order the topology does not carry; the status is the same either way/);
  });

  test('a non-enforced parent link may be blocked: undetermined, naming block inheritance', () => {
    const set = policySet([hard('A')], { A: { links: links('corp.example') }, C: { links: links('corp.example/Servers') } });
    const r = effectivePolicy(set, [], { targetOs: 'legacy' }) as EffectivePolicy;
    const e = rule(scope(r, 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'undetermined');
    assert.match(e.why, /hardened or missing depending on whether corp\.example\/Servers blocks inheritance/);
    assert.equal(scope(r, 'corp.example/Servers').blocksInheritance, null);
    // At the domain itself nothing is inherited: determined.
    assert.equal(rule(scope(r, 'corp.example'), REQ).status, 'hardened');
  });

  test('an enforced parent link cannot be blocked: determined', () => {
    const set = policySet([hard('A'), weak('C')], { A: { links: links('corp.example', true) }, C: { links: links('corp.example/Servers') } });
    const e = rule(scope(effectivePolicy(set, [], { targetOs: 'legacy' }) as EffectivePolicy, 'corp.example/Servers'), REQ);
    assert.equal(e.status, 'hardened');
    assert.equal(e.winner?.gpo, guid('A'));
  });

  test('a GPO scanned without a report: its links are unknown (named), not "applies nowhere"', () => {
    const set = policySet([hard('A'), weak('G')], { A: { links: links('corp.example') } });
    const r = effectivePolicy(set, [], { targetOs: 'legacy' }) as EffectivePolicy;
    assert.equal(r.gpos.find((g) => g.guid === guid('G'))?.appliesNowhere, undefined);
    assert.deepEqual(r.lacks.find((l) => l.fact === 'links')?.message, '1 scanned GPO has no report, so where it is linked is unknown and its values are in no scope (GPO G); give a topology export');
  });

  test('a GPO with no link in its report applies nowhere', () => {
    const set = policySet([hard('A'), weak('B')], { A: { links: links('corp.example') }, B: { links: [] } });
    const r = effectivePolicy(set, [], { targetOs: 'legacy' }) as EffectivePolicy;
    assert.equal(r.gpos.find((g) => g.guid === guid('B'))?.appliesNowhere, 'its report shows no link, so its settings apply nowhere');
    assert.equal(rule(scope(r, 'corp.example'), REQ).status, 'hardened');
  });
});
