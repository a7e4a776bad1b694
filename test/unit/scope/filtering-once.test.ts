/**
 * Security filtering decided once:
 * - whether the topology input still lacks it is decided over every known GPO's trustees, whichever
 *   input carried them (a report, a Backup.xml descriptor, the LDIF's nTSecurityDescriptor);
 * - the Read half of "Apply Group Policy" (scope-and-evidence.md P10): a report's "Apply Group
 *   Policy" permission is GPMC's Apply (Read and Apply), a security descriptor is read for the Apply
 *   right only, so the conditions drawn from one carry that caveat. Exact texts. Domain and GUIDs made up.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterConditions, READ_CAVEAT, type ApplyTrustees } from '../../../server/src/core/policy/filtering';
import { runCli, tempDir, utf16bom, writeFile } from '../../helpers/cli';
import { guid, toLdif, type DomainSpec } from '../../helpers/domain';
import { APPLY, hex, sd } from '../../helpers/sd';

const SRV = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const inf = (v: number) => utf16bom(['[Unicode]', 'Unicode=yes', '[Registry Values]', `${SRV}=4,${v}`, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n'));
const SEC = 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf';
const ALLOW_AU = { type: 5, mask: 0x100, sid: 'S-1-5-11', object: APPLY };
const ALLOW_WEB = { type: 5, mask: 0x100, sid: 'S-1-5-21-1-2-3-1108', object: APPLY };
const DENY_KIOSK = { type: 6, mask: 0x100, sid: 'S-1-5-21-1-2-3-1109', object: APPLY };

/** GPO A scanned from SYSVOL (hardened), GPO B from a GPMC backup (weak) whose Backup.xml carries `bSd` (hex) if given; the LDIF links A at the domain and B at Servers. */
function domain(gpcs: DomainSpec['gpcs'], bSd: string | undefined): string {
  const dir = tempDir('relaylint-filtering-');
  writeFile(dir, `sysvol/Policies/${guid('A')}/GPT.INI`, '[General]\r\nVersion=1\r\ndisplayName=Baseline\r\n');
  writeFile(dir, `sysvol/Policies/${guid('A')}/${SEC}`, inf(1));
  const bk = 'backups/{0A0B0C0D-0000-4000-8000-00000000000B}';
  writeFile(
    dir,
    `${bk}/Backup.xml`,
    `<?xml version="1.0" encoding="utf-8"?><GroupPolicyBackupScheme bkp:version="2.0" bkp:type="GroupPolicyBackupTemplate" xmlns:bkp="http://www.microsoft.com/GroupPolicy/GPOOperations" xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations"><GroupPolicyObject><GroupPolicyCoreSettings><ID><![CDATA[${guid('B')}]]></ID><Domain><![CDATA[corp.example]]></Domain>${bSd ? `<SecurityDescriptor>${bSd}</SecurityDescriptor>` : ''}<DisplayName><![CDATA[Servers Legacy]]></DisplayName></GroupPolicyCoreSettings></GroupPolicyObject></GroupPolicyBackupScheme>`,
  );
  writeFile(dir, `${bk}/DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf`, inf(0));
  writeFile(dir, 'corp.ldf', toLdif({ soms: [{ dn: 'DC=corp,DC=example', links: [['A', 0]] }, { dn: 'OU=Servers,DC=corp,DC=example', links: [['B', 0]] }], gpcs }));
  return dir;
}

function scan(dir: string): { lacks: string[]; header: string; servers: { status: string; condition?: string; why: string } } {
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  const text = runCli(['scan', '.', '--fail-on', 'never'], { cwd: dir }).stdout;
  const servers = j.scopes.find((s: { som: string }) => s.som === 'corp.example/Servers').effective.find((e: { ruleId: string }) => e.ruleId === 'smb.server.require');
  return { lacks: j.topology.lacks.map((l: { fact: string }) => l.fact), header: /^Effective policy per scope.*$/m.exec(text)?.[0] ?? '', servers };
}

describe('the security-filtering lack is decided once, over every known GPO', () => {
  test('mixed: GPO A\'s trustees from the LDIF nTSecurityDescriptor, GPO B\'s from its Backup.xml descriptor: nothing is lacking', () => {
    const r = scan(domain([{ letter: 'A', sd: sd([ALLOW_AU]) }, { letter: 'B' }], hex(sd([ALLOW_AU]))));
    assert.deepEqual([r.lacks, r.header], [['sites'], 'Effective policy per scope (the topology input lacks: sites)']);
  });

  test('one GPO whose trustees no input carries (B without a descriptor): still lacking', () => {
    const r = scan(domain([{ letter: 'A', sd: sd([ALLOW_AU]) }, { letter: 'B' }], undefined));
    assert.deepEqual([r.lacks, r.header], [['security-filtering', 'sites'], 'Effective policy per scope (the topology input lacks: security-filtering, sites)']);
  });
});

describe('the Read half of Apply Group Policy (P10)', () => {
  const web = { sid: 'S-1-5-21-1-2-3-1108' };
  const kiosk = { sid: 'S-1-5-21-1-2-3-1109', name: 'CORP\\Kiosks' };
  // [case, trustees, member-role conditions]
  const cases: [string, ApplyTrustees, string[]][] = [
    ['report: allowed to one group', { allow: [web], deny: [] }, ['security filtering: applies only to S-1-5-21-1-2-3-1108']],
    ['report: denied to one group', { allow: [{ sid: 'S-1-5-11' }], deny: [kiosk] }, ['security filtering: Apply Group Policy denied to CORP\\Kiosks']],
    ['descriptor: allowed to one group', { allow: [web], deny: [], complete: true }, [`security filtering: applies only to S-1-5-21-1-2-3-1108${READ_CAVEAT}`]],
    ['descriptor: allowed to one group, denied to another (the caveat once)', { allow: [web], deny: [kiosk], complete: true }, ['security filtering: applies only to S-1-5-21-1-2-3-1108', `security filtering: Apply Group Policy denied to CORP\\Kiosks${READ_CAVEAT}`]],
    ['descriptor: allowed to Authenticated Users (no condition, no caveat)', { allow: [{ sid: 'S-1-5-11' }], deny: [], complete: true }, []],
  ];
  for (const [name, trustees, want] of cases) test(name, () => assert.deepEqual(filterConditions(trustees, 'member'), want));

  test('the caveat, word for word', () => {
    assert.equal(READ_CAVEAT, ' (a GPO applies only to computers granted both Read and Apply Group Policy; relaylint checked the security descriptor for Apply Group Policy only: scope-and-evidence.md P10)');
  });

  test('in the scan: a Backup.xml descriptor and an LDIF nTSecurityDescriptor give conditions with the caveat', () => {
    const fromBackup = scan(domain([{ letter: 'A' }, { letter: 'B' }], hex(sd([ALLOW_WEB]))));
    const cond = `security filtering: applies only to S-1-5-21-1-2-3-1108${READ_CAVEAT}`;
    assert.deepEqual([fromBackup.servers.status, fromBackup.servers.condition], ['conditional', cond]);
    assert.match(fromBackup.servers.why, new RegExp(`gives weak only where ${cond.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; elsewhere the result is hardened`));
    const fromLdif = scan(domain([{ letter: 'A' }, { letter: 'B', sd: sd([ALLOW_AU, DENY_KIOSK]) }], undefined));
    assert.deepEqual([fromLdif.servers.status, fromLdif.servers.condition], ['conditional', `security filtering: Apply Group Policy denied to S-1-5-21-1-2-3-1109${READ_CAVEAT}`]);
  });
});
