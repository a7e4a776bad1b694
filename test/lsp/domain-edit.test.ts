/**
 * An edit of an open document that changes only values (the same files, GPOs and GPO facts) judges
 * the scopes again for the rules whose values changed and keeps the rest of the exposure and fates
 * (domain.ts `indexEdited`). What the editor shows must be what a whole pass over the same files
 * shows: for each edit of the table, every observable of the state after the edit (diagnostics of
 * every value with their related information, hovers on every value and line, the exposure view and
 * every scope of it, the fates of every value, coverage, readiness, GPO and scope indexes) is
 * deep-equal to that of a full pass with the edited text, and the edit took the path it should.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { parseBytes } from '../../server/src/core';
import { computeDomain, DomainModel, updateDomain, type DomainState, type OpenDocument } from '../../server/src/lsp/domain';
import { ExposureCollector, ExposureIndex } from '../../server/src/lsp/exposure';
import { FateIndex, FateIndexBuilder, SPLICE_SLACK } from '../../server/src/lsp/fates';
import { obsAt, obsCount } from '../../server/src/lsp/packed';
import { guid, gptTmpl, INF_LMCOMPAT as LMCOMPAT, INF_SMB_CLIENT as SMB_CLIENT, INF_SMB_SERVER as SMB_SERVER, LSP_DOMAIN, LSP_FILES, lspInputs, toLdif, utf16bom, writeLspSysvol } from '../helpers/domain';

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const never = () => false;
const SMB_KEY = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const opt = (v: number) => `<q1:SecurityOptions><q1:KeyName>${SMB_KEY}</q1:KeyName><q1:SettingNumber>${v}</q1:SettingNumber></q1:SecurityOptions>\n`;
/** One `<GPO>` of a `Get-GPOReport -All` export, its Security Options one per line. */
const reportGpo = (letter: string, name: string, body: string) =>
  `<GPO xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings"><Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${guid(letter)}</Identifier></Identifier><Name>${name}</Name>\n` +
  `<Computer><Enabled>true</Enabled><ExtensionData><Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">\n${body}</Extension></ExtensionData></Computer></GPO>\n`;
const report = (e: number, f: number, fName = 'Report F') => `<?xml version="1.0" encoding="utf-8"?>\n<report>\n${reportGpo('E', 'Report E', opt(e))}${reportGpo('F', fName, opt(f))}</report>\n`;

/**
 * LSP_DOMAIN's four GPOs, plus E (an empty template: no relay value yet) linked at Servers and,
 * in one `-All` report, GPOs E and F (F linked at Workstations, enforced).
 */
function workspace() {
  const root = fs.mkdtempSync(join(tmpdir(), 'relaylint-domain-edit-'));
  roots.push(root);
  const inf = writeLspSysvol(root, { ...LSP_FILES, E: [] });
  fs.writeFileSync(join(root, 'Policies', guid('E'), 'GPT.INI'), '[General]\r\nVersion=1\r\ndisplayName=Report E\r\n');
  const spec = {
    soms: LSP_DOMAIN.soms.map((s) => (s.dn.startsWith('OU=Servers') ? { ...s, links: [...s.links, ['E', 0] as [string, number]] } : s.dn.startsWith('OU=Workstations') ? { ...s, links: [...s.links, ['F', 2] as [string, number]] } : s)),
    gpcs: [...LSP_DOMAIN.gpcs, { letter: 'E', name: 'Report E' }, { letter: 'F', name: 'Report F' }],
  };
  fs.mkdirSync(join(root, 'topology'));
  fs.writeFileSync(join(root, 'topology', 'corp.ldf'), toLdif(spec));
  fs.mkdirSync(join(root, 'reports'));
  const all = join(root, 'reports', 'all.xml');
  fs.writeFileSync(all, report(1, 0));
  return { root, inf, all };
}

/** Every observable of a state, as the editor and the views read it. */
async function observe(st: DomainState, root: string, text: (p: string) => string) {
  const model = new DomainModel(() => Promise.resolve(lspInputs(root)), () => undefined, () => undefined);
  model.state = st;
  const files: Record<string, unknown> = {};
  for (const [p, f] of [...st.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const t = text(p);
    const rows = Array.from({ length: obsCount(f) }, (_, i) => obsAt(f, i, st.reading.pool));
    // One diagnostic per value (the code and range the server's diagnostics carry).
    const diagnostics: Diagnostic[] = rows.map((o) => ({ range: o.range, code: o.ruleId, severity: 1, message: `value of ${o.ruleId}`, source: 'relaylint' }));
    const lines = new Set(rows.map((o) => o.range.start.line));
    files[p] = {
      annotated: model.annotate(p, t, diagnostics),
      hovers: [...rows.map((o) => model.hoverLines(p, t, o.range.start)), ...[...lines].map((line) => model.hoverLines(p, t, { line, character: 0 }))],
    };
  }
  const top = await model.exposure();
  const scopes = await Promise.all(top.scopes.map((_, i) => model.exposureScope({ version: top.version as number, scope: i })));
  const all = new Set(st.files.keys());
  const fates = [...(st.fateIndex?.fatesOf(all) ?? [])].map(([p, m]) => [p, [...m].sort(([a], [b]) => (a < b ? -1 : 1))]);
  const strip = <T extends { version?: number }>(x: T) => ({ ...x, version: 0 });
  return {
    files,
    exposure: strip(top),
    scopes: scopes.map(strip),
    fates,
    coverage: st.coverage,
    readiness: st.readiness,
    gpoIndex: [...st.gpoIndex],
    gpoScopes: [...st.gpoScopes].map(([g, s]) => [g, [...s]]),
    ruleScopes: [...st.ruleScopes].map(([r, s]) => [r, [...s]]),
    scopeCount: st.scopeCount,
    limits: st.limits,
    short: ['corp.example/Servers', 'corp.example'].map(st.short),
  };
}

interface Edit {
  name: string;
  /** The file edited (a letter: that GPO's template; 'all': the report) and its new text. */
  file: string;
  text: string;
  /** The rules judged again, or undefined: the whole state built anew. */
  rejudged: string[] | undefined;
}

const EDITS: Edit[] = [
  { name: 'weak to hardened (A, linked at the domain)', file: 'A', text: gptTmpl([`${SMB_SERVER}=4,1`, `${LMCOMPAT}=4,3`]), rejudged: ['smb.server.require'] },
  { name: 'hardened to weak (B, Servers)', file: 'B', text: gptTmpl([`${SMB_SERVER}=4,0`]), rejudged: ['smb.server.require'] },
  { name: 'a line deleted: the next value moves up a line (A)', file: 'A', text: gptTmpl([`${LMCOMPAT}=4,3`]), rejudged: ['smb.server.require', 'ntlm.lmcompat'] },
  { name: "a GPO's first relay value (E's empty template)", file: 'E', text: gptTmpl([`${SMB_SERVER}=4,0`]), rejudged: ['smb.server.require'] },
  { name: 'a value of the second GPO of a report with two (F, enforced)', file: 'all', text: report(1, 1), rejudged: ['smb.server.require'] },
  { name: 'a value of the first GPO of that report (E)', file: 'all', text: report(0, 0), rejudged: ['smb.server.require'] },
  { name: 'several values at once, one of them a client rule (D)', file: 'D', text: gptTmpl([`${SMB_CLIENT}=4,0`, `${SMB_SERVER}=4,1`]), rejudged: ['smb.client.require', 'smb.server.require'] },
  { name: 'only a range moved (spaces around "="): nothing judged again', file: 'B', text: gptTmpl([`${SMB_SERVER} = 4,1`]), rejudged: [] },
  { name: "a GPO's name changed in the report: built anew", file: 'all', text: report(1, 0, 'Report F renamed'), rejudged: undefined },
];

test('an edit that changes values gives the state a whole pass over the same files gives', async () => {
  const { root, inf, all } = workspace();
  const pathOf = (file: string) => (file === 'all' ? all : inf(file));
  const docs = new Map<string, string>();
  const open: OpenDocument = (p) => (docs.has(p) ? Promise.resolve(parseBytes(p, p.endsWith('.xml') ? Buffer.from(docs.get(p) as string) : utf16bom(docs.get(p) as string))) : undefined);
  const text = (p: string) => docs.get(p) ?? parseBytes(p, fs.readFileSync(p)).text;
  for (const edit of EDITS) {
    const p = pathOf(edit.file);
    // The document is open with the text on disk, then edited.
    docs.clear();
    docs.set(p, parseBytes(p, fs.readFileSync(p)).text);
    const before = await computeDomain(lspInputs(root), never, open);
    docs.set(p, edit.text);
    const edited = await updateDomain(before, [p], never, open);
    const whole = await computeDomain(lspInputs(root), never, open);
    if (edit.rejudged?.length === 0) assert.equal(edited.effective, before.effective, `${edit.name}: not assembled again`);
    assert.deepEqual(edited.rejudged ? [...edited.rejudged].sort() : undefined, edit.rejudged ? [...edit.rejudged].sort() : undefined, `${edit.name}: rules judged again`);
    assert.equal(whole.rejudged, undefined);
    const got = await observe(edited, root, text);
    const want = await observe(whole, root, text);
    assert.deepStrictEqual(got, want, edit.name);
    // The edit changed what is shown (else the comparison could not tell a stale state).
    if (edit.rejudged?.length) assert.notDeepStrictEqual(await observe(before, root, (q) => (q === p ? parseBytes(p, fs.readFileSync(p)).text : text(q))), want, `${edit.name}: the state before differs`);
  }
});

test('edits in a row: each state equals a whole pass', async () => {
  const { root, inf } = workspace();
  const b = inf('B');
  const docs = new Map<string, string>();
  const open: OpenDocument = (p) => (docs.has(p) ? Promise.resolve(parseBytes(p, utf16bom(docs.get(p) as string))) : undefined);
  const text = (p: string) => docs.get(p) ?? parseBytes(p, fs.readFileSync(p)).text;
  docs.set(b, gptTmpl([`${SMB_SERVER}=4,1`]));
  let st = await computeDomain(lspInputs(root), never, open);
  for (const [i, values] of [[`${SMB_SERVER}=4,0`], [`${SMB_SERVER}=4,1`, `${LMCOMPAT}=4,5`], [`${SMB_SERVER}=1,"text"`], [`${SMB_SERVER}=4,1`]].entries()) {
    docs.set(b, gptTmpl(values));
    st = await updateDomain(st, [b], never, open);
    assert.ok(st.rejudged, `edit ${i}: only values changed`);
    assert.deepStrictEqual(await observe(st, root, text), await observe(await computeDomain(lspInputs(root), never, open), root, text), `edit ${i}`);
  }
});

test('an index continued by edits is built anew once it holds more than twice the strings or locations of its last whole build (plus the slack)', () => {
  const strings = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);
  const rows: [name: string, nStrings: number, nLocs: number, base: { strings: number; locs: number }, continued: boolean][] = [
    ['a whole build', 10, 10, { strings: 10, locs: 10 }, true],
    ['at the bound', 2 * 10 + SPLICE_SLACK, 2 * 10 + SPLICE_SLACK, { strings: 10, locs: 10 }, true],
    ['one string past it', 2 * 10 + SPLICE_SLACK + 1, 10, { strings: 10, locs: 10 }, false],
    ['one location past it', 10, 2 * 10 + SPLICE_SLACK + 1, { strings: 10, locs: 10 }, false],
  ];
  for (const [name, nStrings, nLocs, base, continued] of rows) {
    const fates = new FateIndex([], strings(nStrings), new Int32Array(nLocs * 6), new Int32Array(0), new Int32Array(0), base);
    assert.equal(FateIndexBuilder.continuing(fates) !== undefined, continued, `fates: ${name}`);
    const exposure = new ExposureIndex([], Int32Array.from([0]), new Int32Array(0), strings(nStrings), base.strings);
    assert.equal(ExposureCollector.continuing(exposure, (g) => g) !== undefined, nStrings <= 2 * base.strings + SPLICE_SLACK, `exposure: ${name}`);
  }
  // A whole build's own sizes are its base.
  const built = new FateIndexBuilder().build();
  assert.deepStrictEqual(built.base, { strings: 0, locs: 0 });
  assert.equal(new ExposureCollector((g) => g).build().baseStrings, 0);
});
