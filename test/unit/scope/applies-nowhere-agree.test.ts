/**
 * One reason why a GPO applies nowhere, the same in every output that says it: (a) the CLI's
 * `gpo.applies-nowhere` finding on the GPO's file, (b) `gpos[].appliesNowhere` in JSON and the
 * "applies nowhere" line of the text format, (c) the language server's diagnostic on a weak value
 * of the GPO ("Its GPO … applies nowhere (…)"). Table-driven: each row is one GPO built with a
 * combination of facts (computer side disabled in Backup.xml `Options`, in a report's
 * `Computer/Enabled` or in the topology's GPC flags; unlinked; every link disabled; linked only to
 * SOMs that are not in the topology; gPCFunctionalityVersion; security filtering from Backup.xml or
 * the topology's nTSecurityDescriptor; topology unknown; reports only). Domain and GUIDs made up.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { runCli, tempDir, utf16bom, writeFile } from '../../helpers/cli';
import { guid, toLdif, type DomainSpec } from '../../helpers/domain';
import { LspClient } from '../../helpers/lsp-client';
import { APPLY, hex, sd } from '../../helpers/sd';
import { appliesNowhereReason, type NowhereFacts } from '../../../server/src/core/policy/nowhere';
import { PolicySetBuilder } from '../../../server/src/core/policy/set';

const SRV = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
// A report's weak value follows another setting on its line (a report written without line breaks):
// the editor must find the value's own setting there, not the line's first.
const WKS = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnableSecuritySignature';
const SEC = 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf';
const infText = (lines: string[]) => ['[Unicode]', 'Unicode=yes', '[Version]', 'signature="$CHICAGO$"', 'Revision=1', '[Registry Values]', ...lines, ''].join('\r\n');
const WEAK = infText([`${SRV}=4,0`]);

const ALLOW_AU = { type: 5, mask: 0x100, sid: 'S-1-5-11', object: APPLY };
const DENY_AU = { type: 6, mask: 0x100, sid: 'S-1-5-11', object: APPLY };

/** How a row's GPO is written. */
type Shape =
  | { kind: 'sysvol' }
  | { kind: 'backup'; options?: number; sdHex?: string }
  | { kind: 'report'; computerEnabled: boolean; links: [string, boolean][] };

interface Row {
  id: string;
  letter: string;
  shape: Shape;
  /** What every output must say (undefined: the GPO applies somewhere, or it cannot be told). */
  want?: string;
}

const COMPUTER = (src: string) => `its computer side is disabled (${src}), so none of its computer settings apply anywhere`;
const NO_LINK = 'no enabled link to it is in the topology, so its settings apply nowhere';
const ALL_DISABLED = 'every link to it is disabled, so its settings apply nowhere';
const GATE = 'its gPCFunctionalityVersion is "1", not 2, and clients use only GPOs of version 2 (MS-GPOL 3.2.5.1.6), so its settings apply nowhere';
const DENIED = 'security filtering denies Apply Group Policy to Authenticated Users';
const CONTAINER_MISSING = 'its group policy container is not in the LDIF export, which holds the other containers of its domain (a deleted GPO whose SYSVOL folder was left behind, or an incomplete export); its links are dropped, so its settings apply nowhere';

function reportXml(g: string, name: string, computerEnabled: boolean, links: [string, boolean][]): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\n' +
    `<Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${g}</Identifier></Identifier>\n<Name>${name}</Name>\n` +
    `<Computer><Enabled>${computerEnabled}</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">\n<q1:SecurityOptions><q1:KeyName>${WKS}</q1:KeyName><q1:SettingNumber>1</q1:SettingNumber></q1:SecurityOptions><q1:SecurityOptions><q1:KeyName>${SRV}</q1:KeyName><q1:SettingNumber>0</q1:SettingNumber></q1:SecurityOptions>\n</Extension></ExtensionData></Computer>\n` +
    links.map(([som, on]) => `<LinksTo><SOMName>${som.split('/').pop()}</SOMName><SOMPath>${som}</SOMPath><Enabled>${on}</Enabled><NoOverride>false</NoOverride></LinksTo>\n`).join('') +
    '</GPO>\n'
  );
}

function backupXml(g: string, name: string, options: number | undefined, sdHex: string | undefined): string {
  return `<?xml version="1.0" encoding="utf-8"?><GroupPolicyBackupScheme bkp:version="2.0" bkp:type="GroupPolicyBackupTemplate" xmlns:bkp="http://www.microsoft.com/GroupPolicy/GPOOperations" xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations"><GroupPolicyObject><GroupPolicyCoreSettings><ID><![CDATA[${g}]]></ID><Domain><![CDATA[corp.example]]></Domain>${sdHex ? `<SecurityDescriptor>${sdHex}</SecurityDescriptor>` : ''}<DisplayName><![CDATA[${name}]]></DisplayName>${options !== undefined ? `<Options><![CDATA[${options}]]></Options>` : ''}</GroupPolicyCoreSettings></GroupPolicyObject></GroupPolicyBackupScheme>`;
}

/** Writes the row's GPO; returns the file that carries its weak value (relative) and the text the editor opens. */
function writeRow(dir: string, r: Row): { rel: string; text: string; lang: string } {
  const g = guid(r.letter);
  const name = `Row ${r.id}`;
  const s = r.shape;
  if (s.kind === 'sysvol') {
    writeFile(dir, `sysvol/Policies/${g}/GPT.INI`, `[General]\r\nVersion=1\r\ndisplayName=${name}\r\n`);
    const rel = `sysvol/Policies/${g}/${SEC}`;
    writeFile(dir, rel, utf16bom(WEAK));
    return { rel, text: WEAK, lang: 'secedit-inf' };
  }
  if (s.kind === 'backup') {
    const bk = `backups/{0A0B0C0D-0000-4000-8000-0000000000${r.letter.charCodeAt(0).toString(16)}}`;
    writeFile(dir, `${bk}/Backup.xml`, backupXml(g.toLowerCase(), name, s.options, s.sdHex));
    const rel = `${bk}/DomainSysvol/GPO/Machine/microsoft/windows nt/SecEdit/GptTmpl.inf`;
    writeFile(dir, rel, utf16bom(WEAK));
    return { rel, text: WEAK, lang: 'secedit-inf' };
  }
  const rel = `reports/${r.id}.xml`;
  const text = reportXml(g, name, s.computerEnabled, s.links);
  writeFile(dir, rel, text);
  return { rel, text, lang: 'xml' };
}

/** The reason each output gives per row: [id, (a) file finding, (b) gpos[] JSON, (b) text line, (c) editor diagnostic, (c) its hover]. */
async function observe(rows: Row[], topology: DomainSpec | undefined, lsp: boolean, keepsLevel = false): Promise<[string, ...(string | undefined)[]][]> {
  const dir = tempDir('relaylint-nowhere-');
  const files = new Map(rows.map((r) => [r.id, writeRow(dir, r)]));
  if (topology) writeFile(dir, 'corp.ldf', toLdif(topology));
  const j = JSON.parse(runCli(['scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir }).stdout);
  const text = runCli(['scan', '.', '--fail-on', 'never'], { cwd: dir }).stdout;
  const client = lsp ? await LspClient.start({ rootUri: pathToFileURL(dir).href }) : undefined;
  const out: [string, ...(string | undefined)[]][] = [];
  try {
    // The exposure answers once the workspace model (files and topology) is read.
    if (client) await client.sendRequest('relaylint/exposure', {});
    for (const r of rows) {
      const g = guid(r.letter);
      const f = files.get(r.id) as { rel: string; text: string; lang: string };
      const finding = j.files.find((x: { path: string }) => x.path === f.rel)?.findings.find((x: { ruleId: string }) => x.ruleId === 'gpo.applies-nowhere')?.message as string | undefined;
      const a = finding ? /applies nowhere: (.*)\. Its values do not count/.exec(finding)?.[1] : undefined;
      const b = j.gpos ? (j.gpos.find((x: { guid: string }) => x.guid === g)?.appliesNowhere as string | undefined) : '(no gpos section)';
      const line = new RegExp(`^  GPO "Row ${r.id}" applies nowhere: (.*)$`, 'm').exec(text)?.[1];
      const row: [string, ...(string | undefined)[]] = [r.id, a, b, j.gpos ? line : '(no gpos section)'];
      if (client) {
        const uri = pathToFileURL(path.join(dir, f.rel)).href;
        await client.open(uri, f.lang, f.text);
        const d = (await client.diagnostics(uri)).find((x) => x.code === 'smb.server.require');
        const why = d ? /Its GPO .* applies nowhere \((.*)\), so this value takes effect on no machine\.$/.exec(d.message as string)?.[1] : '(no diagnostic)';
        // With a topology (an export, or reports with links) a reason drops the diagnostic to info, as
        // the CLI's finding is; without one the reason is said and the level kept (1, error).
        const level = keepsLevel ? 1 : 3;
        row.push(d && why && d.severity !== level ? `${why} (severity ${d.severity}, not ${level})` : why);
        // The hover on the value says the same reason.
        const h = d ? await client.hover(uri, d.range.start) : null;
        const md = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
        row.push(d ? /^\*\*Effective in:\*\* nowhere: its GPO .* applies nowhere \((.*)\)\.$/m.exec(md)?.[1] : '(no diagnostic)');
        await client.close(uri);
      }
      out.push(row);
    }
  } finally {
    await client?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const expected = (rows: Row[], lsp: boolean, noGpos = false) => rows.map((r) => [r.id, r.want, ...(noGpos ? ['(no gpos section)', '(no gpos section)'] : [r.want, r.want]), ...(lsp ? [r.want, r.want] : [])]);

describe('why a GPO applies nowhere: one reason in the file finding, gpos[] (JSON and text) and the editor', () => {
  // With an LDIF topology. Rows on the old code that disagreed are named in the commit and the report.
  const withTopology: Row[] = [
    { id: 'backup-options-2', letter: 'A', shape: { kind: 'backup', options: 2 }, want: COMPUTER('GPO status in Backup.xml') },
    { id: 'report-computer-off', letter: 'B', shape: { kind: 'report', computerEnabled: false, links: [['corp.example', true]] }, want: COMPUTER('GPO status') },
    { id: 'gpc-flags-2', letter: 'C', shape: { kind: 'sysvol' }, want: COMPUTER('GPO status flags in the topology') },
    { id: 'unlinked', letter: 'D', shape: { kind: 'sysvol' }, want: NO_LINK },
    { id: 'links-all-disabled', letter: 'E', shape: { kind: 'sysvol' }, want: ALL_DISABLED },
    { id: 'report-links-outside-topology', letter: 'F', shape: { kind: 'report', computerEnabled: true, links: [['corp.example/Elsewhere', true]] }, want: NO_LINK },
    { id: 'report-no-link-topology-links', letter: 'G', shape: { kind: 'report', computerEnabled: true, links: [] } },
    { id: 'report-no-link-gpc-flags-2', letter: 'H', shape: { kind: 'report', computerEnabled: true, links: [] }, want: COMPUTER('GPO status flags in the topology') },
    { id: 'backup-options-2-unlinked', letter: 'I', shape: { kind: 'backup', options: 2 }, want: COMPUTER('GPO status in Backup.xml') },
    { id: 'backup-denies-au', letter: 'J', shape: { kind: 'backup', sdHex: hex(sd([ALLOW_AU, DENY_AU])) }, want: `${DENIED} (Backup.xml security descriptor), so its settings apply nowhere` },
    { id: 'version-1-and-topology-denies', letter: 'K', shape: { kind: 'sysvol' }, want: GATE },
    { id: 'backup-allows-topology-denies', letter: 'L', shape: { kind: 'backup', sdHex: hex(sd([ALLOW_AU])) } },
    { id: 'topology-denies', letter: 'M', shape: { kind: 'sysvol' }, want: `${DENIED} (nTSecurityDescriptor in the topology), so its settings apply nowhere` },
    { id: 'linked', letter: 'N', shape: { kind: 'sysvol' } },
    // Linked, but the LDIF (which holds the other containers of the domain) lacks its container: the effective policy drops its link.
    { id: 'container-missing', letter: 'O', shape: { kind: 'sysvol' }, want: CONTAINER_MISSING },
    { id: 'container-missing-computer-off', letter: 'P', shape: { kind: 'backup', options: 2 }, want: COMPUTER('GPO status in Backup.xml') },
  ];
  const topology: DomainSpec = {
    soms: [
      { dn: 'DC=corp,DC=example', links: [['A', 0], ['B', 0], ['C', 0], ['E', 1], ['G', 0], ['H', 0], ['J', 0], ['K', 0], ['L', 0], ['M', 0], ['N', 0], ['O', 0], ['P', 0]] },
      { dn: 'OU=Servers,DC=corp,DC=example', links: [['E', 3], ['O', 0]] },
    ],
    // Every linked GPO has its container except O and P.
    gpcs: [
      { letter: 'A' },
      { letter: 'B' },
      { letter: 'E' },
      { letter: 'G' },
      { letter: 'J' },
      { letter: 'N' },
      { letter: 'C', flags: 2 },
      { letter: 'D' },
      { letter: 'H', flags: 2 },
      { letter: 'K', version: '1', sd: sd([ALLOW_AU, DENY_AU]) },
      { letter: 'L', sd: sd([ALLOW_AU, DENY_AU]) },
      { letter: 'M', sd: sd([ALLOW_AU, DENY_AU]) },
    ],
  };
  test('with an LDIF topology', async () => {
    assert.deepEqual(await observe(withTopology, topology, true), expected(withTopology, true));
  });

  // Reports only (no topology export): links come from the reports; a GPO without a report has unknown links.
  const reportsOnly: Row[] = [
    { id: 'ro-report-no-link', letter: 'P', shape: { kind: 'report', computerEnabled: true, links: [] }, want: 'its report shows no link, so its settings apply nowhere' },
    { id: 'ro-report-links-disabled', letter: 'Q', shape: { kind: 'report', computerEnabled: true, links: [['corp.example', false]] }, want: 'every link in its report is disabled, so its settings apply nowhere' },
    { id: 'ro-report-computer-off', letter: 'R', shape: { kind: 'report', computerEnabled: false, links: [['corp.example', true]] }, want: COMPUTER('GPO status') },
    { id: 'ro-backup-options-2', letter: 'S', shape: { kind: 'backup', options: 2 }, want: COMPUTER('GPO status in Backup.xml') },
    { id: 'ro-report-linked', letter: 'T', shape: { kind: 'report', computerEnabled: true, links: [['corp.example', true]] } },
    // No report of its own: its links are unknown, so nothing can be said (not "applies nowhere").
    { id: 'ro-sysvol-links-unknown', letter: 'X', shape: { kind: 'sysvol' } },
  ];
  test('reports only', async () => {
    assert.deepEqual(await observe(reportsOnly, undefined, true), expected(reportsOnly, true));
  });

  // Topology unknown (no topology export, no report): only the GPO's own files can say it; no gpos[]
  // section. The editor says the reason but keeps the diagnostic's level: lowering it is a judgement
  // about the domain, made only where its topology is known.
  const unknown: Row[] = [
    { id: 'nt-backup-options-2', letter: 'U', shape: { kind: 'backup', options: 2 }, want: COMPUTER('GPO status in Backup.xml') },
    { id: 'nt-backup-denies-au', letter: 'V', shape: { kind: 'backup', sdHex: hex(sd([ALLOW_AU, DENY_AU])) }, want: `${DENIED} (Backup.xml security descriptor), so its settings apply nowhere` },
    { id: 'nt-sysvol', letter: 'W', shape: { kind: 'sysvol' } },
  ];
  test('topology unknown', async () => {
    assert.deepEqual(await observe(unknown, undefined, true, true), expected(unknown, true, true));
  });
});

describe('appliesNowhereReason: one precedence order over the facts', () => {
  const AU = { sid: 'S-1-5-11', name: 'Authenticated Users' };
  const DCOMP = { sid: 'S-1-5-21-1-2-3-515', name: 'Domain Computers' };
  const deny: NowhereFacts['filtering'] = { trustees: { allow: [AU], deny: [AU] }, from: 'topology' };
  const denyMembers: NowhereFacts['filtering'] = { trustees: { allow: [AU], deny: [DCOMP] }, from: 'report' };
  const all: NowhereFacts = { computerOff: 'backup', functionalityVersion: '0', filtering: deny, links: { from: 'topology', total: 0, enabled: 0 } };
  // [case, facts, role, code, short]
  const rows: [string, NowhereFacts, 'member' | 'dc' | undefined, string | undefined, string | undefined][] = [
    ['every fact: the computer side first', all, undefined, 'computer-off', 'computer side disabled'],
    ['then the version', { ...all, computerOff: undefined }, undefined, 'version', 'gPCFunctionalityVersion 0, not 2'],
    ['version 2 passes', { ...all, computerOff: undefined, functionalityVersion: '2' }, undefined, 'filtered', 'security filtering denies Apply Group Policy to Authenticated Users'],
    ['then security filtering', { ...all, computerOff: undefined, functionalityVersion: undefined }, undefined, 'filtered', 'security filtering denies Apply Group Policy to Authenticated Users'],
    ['then the container missing from the LDIF', { ...all, computerOff: undefined, functionalityVersion: undefined, filtering: undefined, containerMissing: true }, undefined, 'container-missing', 'its group policy container is not in the LDIF export (deleted GPO?)'],
    ['then no link', { links: { from: 'report', total: 0, enabled: 0 } }, undefined, 'unlinked', 'no link'],
    ['then every link disabled', { links: { from: 'report', total: 2, enabled: 0 } }, undefined, 'links-disabled', 'link disabled'],
    ['one enabled link: applies', { links: { from: 'topology', total: 2, enabled: 1 } }, undefined, undefined, undefined],
    ['links unknown: cannot be told', {}, undefined, undefined, undefined],
    ['a deny to Domain Computers excludes members only: not nowhere', { filtering: denyMembers }, undefined, undefined, undefined],
    ['… but for the member role it drops the GPO', { filtering: denyMembers }, 'member', 'filtered', 'security filtering denies Apply Group Policy to Domain Computers'],
    ['… and not for the DC role', { filtering: denyMembers }, 'dc', undefined, undefined],
  ];
  for (const [name, facts, role, code, short] of rows) {
    test(name, () => {
      const r = appliesNowhereReason(facts, role);
      assert.deepEqual([r?.code, r?.short], [code, short]);
    });
  }
});

test('the set names a disabled computer side from a report before Backup.xml, whichever file came first', () => {
  const g = guid('Y');
  for (const order of [['backup', 'report'], ['report', 'backup']]) {
    const b = new PolicySetBuilder();
    for (const kind of order) b.add({ path: `${kind}.xml`, format: 'unknown', gpos: [{ guid: g, computerEnabled: false, ...(kind === 'backup' ? { from: 'backup' as const } : {}) }], observations: [] });
    assert.equal(b.build().gpos.get(g)?.computerOff, 'report', order.join(' then '));
  }
  const only = new PolicySetBuilder();
  only.add({ path: 'Backup.xml', format: 'unknown', gpos: [{ guid: g, computerEnabled: false, from: 'backup' }], observations: [] });
  assert.equal(only.build().gpos.get(g)?.computerOff, 'backup');
});
