/**
 * The workspace domain model over real JSON-RPC (issues 11, 12, 14 "In the editor"): a small
 * hand-built domain in a temporary workspace folder (SYSVOL GptTmpl.inf files, an LDIF topology,
 * the example event log), and what the server says about it: `relaylint/exposure`, shadowed and
 * winning findings, hover lines, `relaylint/posture`, recompute after a change on disk, and
 * Restricted Mode ignoring the folder config's topology.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, MarkupContent } from 'vscode-languageserver-protocol/node';
import { missingIsWeak, settingRules } from '../../server/src/core/catalog';
import { guid, toLdif, gptTmpl, zip, INF_LMCOMPAT as LMCOMPAT, INF_SMB_CLIENT as SMB_CLIENT, INF_SMB_SERVER as SMB_SERVER, LSP_DOMAIN as DOMAIN, LSP_FILES } from '../helpers/domain';
import { LspClient, ROOT } from '../helpers/lsp-client';
import type { ExposureResult, ExposureRule, ExposureScope, ExposureScopeResult, PostureResult } from '../../server/src/lsp/protocol';
import { DOMAIN_BUDGET, domainBudget, DomainModel, type DomainInputs } from '../../server/src/lsp/domain';
import { LIMITS } from '../../server/src/core/limits';
import { ExposureCollector } from '../../server/src/lsp/exposure';
import { countTurns } from '../helpers/event-loop';

const FILES = LSP_FILES;

interface Workspace {
  root: string;
  inf: (letter: string) => string;
  uri: (letter: string) => string;
  text: (letter: string) => string;
  write: (letter: string, values: string[]) => void;
}

/** SYSVOL-shaped GPO folders with GPT.INI and UTF-16LE GptTmpl.inf, the topology where `topologyAt` says, the example event log. */
function workspace(topologyAt: string | null = 'topology/corp-gp.ldf', extra?: (root: string) => void): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'relaylint-domain-'));
  const inf = (l: string) => join(root, 'Policies', guid(l), 'Machine', 'Microsoft', 'Windows NT', 'SecEdit', 'GptTmpl.inf');
  const texts = new Map<string, string>();
  const write = (l: string, values: string[]) => {
    const text = gptTmpl(values);
    texts.set(l, text);
    writeFileSync(inf(l), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  };
  for (const [l, values] of Object.entries(FILES)) {
    mkdirSync(join(inf(l), '..'), { recursive: true });
    writeFileSync(join(root, 'Policies', guid(l), 'GPT.INI'), `[General]\r\nVersion=1\r\ndisplayName=${DOMAIN.gpcs.find((g) => g.letter === l)?.name}\r\n`);
    write(l, values);
  }
  if (topologyAt) {
    mkdirSync(join(root, topologyAt, '..'), { recursive: true });
    writeFileSync(join(root, topologyAt), toLdif(DOMAIN));
  }
  mkdirSync(join(root, 'logs'));
  copyFileSync(join(ROOT, 'examples', 'logs', 'DC01-relay-events.xml'), join(root, 'logs', 'DC01-relay-events.xml'));
  extra?.(root);
  return { root, inf, uri: (l) => pathToFileURL(inf(l)).href, text: (l) => texts.get(l) as string, write };
}

const at = (line: number, a: number, b: number) => ({ start: { line, character: a }, end: { line, character: b } });

/** A scope with its rules: what the view shows once every scope is expanded. */
type FullScope = Pick<ExposureScope, 'som' | 'kind' | 'role'> & { rules: ExposureRule[] };
type FullExposure = Omit<ExposureResult, 'scopes'> & { scopes: FullScope[] };

/**
 * The whole exposure as the view shows it with every scope expanded: `relaylint/exposure`, then
 * `relaylint/exposureScope` for each scope. Each scope's counts are checked against its rules.
 */
async function exposure(c: LspClient): Promise<FullExposure> {
  const top = await c.sendRequest<ExposureResult>('relaylint/exposure', {});
  const scopes: FullScope[] = [];
  for (const [i, s] of top.scopes.entries()) {
    const r = await c.sendRequest<ExposureScopeResult>('relaylint/exposureScope', { version: top.version, scope: i });
    assert.equal(r.stale, undefined, `${s.som}: stale`);
    assert.deepEqual([r.version, r.som], [top.version, s.som]);
    const statuses: Record<string, number> = {};
    for (const x of r.rules) statuses[x.status] = (statuses[x.status] ?? 0) + 1;
    assert.deepEqual({ rules: s.rules, exposed: s.exposed, statuses: s.statuses }, { rules: r.rules.length, exposed: r.rules.filter((x) => x.exposed).length, statuses }, `${s.som}: the counts are its rules'`);
    scopes.push({ som: s.som, kind: s.kind, role: s.role, rules: r.rules });
  }
  return { ...top, scopes };
}

/**
 * A checked-in payload (test/lsp/expect/), with the workspace folder put in: `<URI>` is its `file:`
 * URI, `<ROOT>` its path.
 */
function expected(name: string, root: string): unknown {
  const text = readFileSync(join(ROOT, 'test', 'lsp', 'expect', name), 'utf8');
  return JSON.parse(text.replaceAll('<URI>', pathToFileURL(root).href).replaceAll('<ROOT>', JSON.stringify(root).slice(1, -1)));
}

const scopeRequest = (c: LspClient, params: unknown) => c.sendRequest<ExposureScopeResult>('relaylint/exposureScope', params);

function markdown(h: unknown): string {
  assert.ok(h, 'expected a hover');
  return ((h as { contents: MarkupContent }).contents as MarkupContent).value as string;
}

describe('workspace domain model (topology + event log)', () => {
  let ws: Workspace;
  let c: LspClient;
  before(async () => {
    ws = workspace();
    c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href });
  });
  after(async () => {
    await c.stop();
    rmSync(ws.root, { recursive: true, force: true });
  });

  test('relaylint/exposure lists the scopes with their counts, relaylint/exposureScope the rules of one (full payloads); another version or index is stale', async () => {
    const top = await c.sendRequest<ExposureResult>('relaylint/exposure', {});
    const summary = (som: string, kind: string, role: string, rules: number, exposed: number, statuses: Record<string, number>) => ({ som, kind, role, rules, exposed, statuses });
    assert.deepEqual(top, {
      available: true,
      version: 1,
      scopes: [
        summary('corp.example', 'domain', 'member', 35, 6, { weak: 2, missing: 32, hardened: 1 }),
        summary('corp.example/Domain Controllers', 'ou', 'dc', 40, 8, { weak: 2, missing: 37, hardened: 1 }),
        summary('corp.example/Servers', 'ou', 'member', 35, 5, { hardened: 2, missing: 32, weak: 1 }),
        summary('corp.example/Workstations', 'ou', 'member', 35, 6, { weak: 2, missing: 32, hardened: 1 }),
      ],
    });
    assert.deepEqual(await scopeRequest(c, { version: 1, scope: 2 }), expected('exposure-scope-servers.json', ws.root));
    for (const params of [{ version: 2, scope: 2 }, { version: 0, scope: 0 }, { version: 1, scope: 4 }, { version: 1, scope: -1 }, { version: 1, scope: 1.5 }, { version: 1, scope: '2' }, { version: '1', scope: 2 }, {}, null]) {
      assert.deepEqual(await scopeRequest(c, params), { version: 1, stale: true, rules: [] }, JSON.stringify(params));
    }
  });

  test('relaylint/exposure: every scope of the topology, every rule of its role, the deciding line and the readiness', async () => {
    const r = await exposure(c);
    assert.equal(r.available, true);
    assert.equal(r.reason, undefined);
    assert.deepEqual(
      r.scopes.map((s) => [s.som, s.kind, s.role]),
      [
        ['corp.example', 'domain', 'member'],
        ['corp.example/Domain Controllers', 'ou', 'dc'],
        ['corp.example/Servers', 'ou', 'member'],
        ['corp.example/Workstations', 'ou', 'member'],
      ],
    );
    for (const s of r.scopes) {
      const expected = settingRules.filter((rule) => s.role === 'dc' || !rule.dcOnly).map((rule) => rule.id);
      assert.deepEqual(s.rules.map((x) => x.ruleId).sort(), [...expected].sort(), s.som);
    }
    const rule = (som: string, id: string) => {
      const x = r.scopes.find((s) => s.som === som)?.rules.find((y) => y.ruleId === id);
      assert.ok(x, `${som} ${id}`);
      const { why, title, ...rest } = x;
      assert.ok(title.length > 0 && (why ?? '').length > 0);
      return rest;
    };
    const line = (l: string, n: number, len: number) => ({ uri: ws.uri(l), range: at(n, 0, len) });
    const SMB_LEN = `${SMB_SERVER}=4,0`.length;
    const CLI_LEN = `${SMB_CLIENT}=4,0`.length;
    assert.deepEqual(rule('corp.example/Servers', 'smb.server.require'), {
      ruleId: 'smb.server.require',
      status: 'hardened',
      exposed: false,
      winner: { ...line('B', 6, SMB_LEN), gpo: 'Servers Hardening' },
      readiness: { status: 'audit-off', clients: 0 },
    });
    assert.deepEqual(rule('corp.example/Workstations', 'smb.server.require'), {
      ruleId: 'smb.server.require',
      status: 'weak',
      exposed: true,
      winner: { ...line('A', 6, SMB_LEN), gpo: 'Baseline' },
      readiness: { status: 'audit-off', clients: 0 },
    });
    assert.deepEqual(rule('corp.example/Workstations', 'smb.client.require'), {
      ruleId: 'smb.client.require',
      status: 'hardened',
      exposed: false,
      winner: { ...line('D', 6, CLI_LEN), gpo: 'Client Signing' },
      readiness: { status: 'audit-off', clients: 0 },
    });
    assert.deepEqual(rule('corp.example/Domain Controllers', 'ntlm.lmcompat'), {
      ruleId: 'ntlm.lmcompat',
      status: 'weak',
      exposed: true,
      winner: { ...line('A', 7, `${LMCOMPAT}=4,3`.length), gpo: 'Baseline' },
      readiness: { status: 'blocked', clients: 1 },
    });
    // Not configured anywhere: exposed only where the Windows default leaves machines exposed.
    for (const s of r.scopes) {
      for (const x of s.rules.filter((y) => y.status === 'missing')) {
        const rule = settingRules.find((r) => r.id === x.ruleId);
        const expectExposed = rule ? missingIsWeak(rule, { role: s.role, targetOs: 'legacy' }) : false;
        assert.equal(x.exposed, expectExposed, `${s.som} ${x.ruleId}`);
      }
    }
    assert.ok(r.scopes.some((s) => s.rules.some((x) => x.status === 'missing' && x.exposed === false)), 'some missing rule has an acceptable default');
  });

  test('a value shadowed in every scope where its GPO applies drops to info, says so and links the winner', async () => {
    await c.open(ws.uri('C'), 'secedit-inf', ws.text('C'));
    const d = (await c.diagnostics(ws.uri('C'))).find((x) => x.code === 'smb.client.require') as Diagnostic;
    assert.ok(d);
    assert.equal(d.severity, 3);
    assert.match(d.message as string, / Shadowed in every scope where its GPO applies \(Workstations\): "Client Signing" wins\.$/);
    assert.deepEqual(d.relatedInformation, [
      { location: { uri: ws.uri('D'), range: at(6, 0, `${SMB_CLIENT}=4,1`.length) }, message: 'wins in Workstations: "Client Signing" sets 1' },
    ]);
  });

  test('a value that wins somewhere keeps its severity and says where', async () => {
    await c.open(ws.uri('A'), 'secedit-inf', ws.text('A'));
    const d = (await c.diagnostics(ws.uri('A'))).find((x) => x.code === 'smb.server.require') as Diagnostic;
    assert.equal(d.severity, 1);
    assert.match(d.message as string, / Wins in: corp\.example, Domain Controllers, Workstations\.$/);
    assert.equal(d.relatedInformation, undefined);
  });

  test('hover: where the line is effective, and the readiness from the logs', async () => {
    const onC = markdown(await c.hover(ws.uri('C'), { line: 6, character: 10 }));
    assert.ok(onC.includes(`\n\n---\n\n**Effective in:** Workstations (overridden by GPO "Client Signing", enforced, [line 7](${ws.uri('D')}#L7))  \n**Readiness (audit-off):** The audit switch (smb.client.audit.signing) is not on in the GPOs scanned`), onC);
    const onA = markdown(await c.hover(ws.uri('A'), { line: 6, character: 10 }));
    assert.ok(onA.includes('\n\n---\n\n**Effective in:** corp.example (this line wins), Domain Controllers (this line wins), Workstations (this line wins), Servers (overridden by GPO "Servers Hardening", [line 7]'), onA);
    const lm = markdown(await c.hover(ws.uri('A'), { line: 7, character: 10 }));
    assert.ok(lm.includes('**Readiness:** Enforcing this now would break 1 client seen in the logs (SCANNER01).'), lm);
  });

  test('relaylint/posture: the page with a cell for every deciding-line reference', async () => {
    const r = await c.sendRequest<PostureResult>('relaylint/posture', {});
    assert.match(r.html, /^<!DOCTYPE html>/);
    assert.match(r.html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.ok(r.cells.length >= 4, `cells: ${r.cells.length}`);
    r.cells.forEach((cell, i) => {
      assert.equal(cell.id, String(i));
      assert.ok(r.html.includes(`data-relaylint-cell="${i}"`), `cell ${i} in the page`);
    });
    const ids = [...r.html.matchAll(/data-relaylint-cell="(\d+)"/g)].map((m) => Number(m[1]));
    assert.ok(ids.every((i) => i < r.cells.length));
    const b = r.cells.find((x) => x.uri === ws.uri('B'));
    assert.deepEqual(b?.range, at(6, 0, `${SMB_SERVER}=4,1`.length));
  });

  test('a change on disk recomputes: relaylint/domainChanged, then the new exposure', async () => {
    let changed = 0;
    c.conn.onNotification('relaylint/domainChanged', () => {
      changed++;
    });
    ws.write('B', [`${SMB_SERVER}=4,0`]);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: ws.uri('B'), type: 2 }] });
    const r = await exposure(c);
    assert.equal(r.scopes.find((s) => s.som === 'corp.example/Servers')?.rules.find((x) => x.ruleId === 'smb.server.require')?.status, 'weak');
    assert.equal(changed, 1);
    // The scopes listed before the change are stale: the view lists them again.
    assert.equal(r.version, 2);
    assert.deepEqual(await scopeRequest(c, { version: 1, scope: 2 }), { version: 2, stale: true, rules: [] });
  });
});

describe('workspace domain model without topology, and in Restricted Mode', () => {
  test('no topology: one "(scanned files)" scope from coverage, with the reason', async () => {
    const ws = workspace(null);
    const c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href });
    try {
      assert.deepEqual(await c.sendRequest<ExposureResult>('relaylint/exposure', {}), {
        available: true,
        reason: 'No domain topology in the workspace (an LDIF, SharpHound or Get-GPInheritance export, or the relaylint.topology setting): the scanned files are judged as one set, not per OU.',
        version: 1,
        scopes: [{ som: '(scanned files)', kind: 'domain', role: 'member', rules: 40, exposed: 9, statuses: { undetermined: 2, missing: 37, weak: 1 } }],
      });
      assert.deepEqual(await scopeRequest(c, { version: 1, scope: 0 }), expected('exposure-scope-scanned-files.json', ws.root));
      assert.deepEqual(await scopeRequest(c, { version: 1, scope: 1 }), { version: 1, stale: true, rules: [] });
      const r = await exposure(c);
      assert.equal(r.available, true);
      assert.match(r.reason ?? '', /No domain topology/);
      assert.deepEqual(r.scopes.map((s) => [s.som, s.kind, s.role]), [['(scanned files)', 'domain', 'member']]);
      const smb = r.scopes[0].rules.find((x) => x.ruleId === 'smb.server.require');
      assert.equal(smb?.status, 'undetermined');
      assert.equal(smb?.winner?.uri, ws.uri('A'));
      // Diagnostics are as without the model.
      await c.open(ws.uri('C'), 'secedit-inf', ws.text('C'));
      const d = (await c.diagnostics(ws.uri('C'))).find((x) => x.code === 'smb.client.require');
      assert.equal(d?.severity, 2);
      assert.doesNotMatch((d?.message as string | undefined) ?? '', /Shadowed|Wins in/);
    } finally {
      await c.stop();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });

  test('no GPO export in the folder: not available, with the reason, and no scope to ask about', async () => {
    const root = mkdtempSync(join(tmpdir(), 'relaylint-empty-'));
    const c = await LspClient.start({ rootUri: pathToFileURL(root).href });
    try {
      assert.deepEqual(await c.sendRequest<ExposureResult>('relaylint/exposure', {}), { available: false, reason: 'No Group Policy export was found in the workspace folders.', version: 1, scopes: [] });
      assert.deepEqual(await scopeRequest(c, { version: 1, scope: 0 }), { version: 1, stale: true, rules: [] });
    } finally {
      await c.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('untrusted: a topology found in the folder is read, but never lowers a severity', async () => {
    const ws = workspace();
    const c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href, initializationOptions: { workspaceTrusted: false } });
    try {
      await c.open(ws.uri('C'), 'secedit-inf', ws.text('C'));
      await exposure(c); // the model is computed
      const d = (await c.diagnostics(ws.uri('C'))).find((x) => x.code === 'smb.client.require');
      assert.equal(d?.severity, 2);
      assert.match((d?.message as string | undefined) ?? '', / Shadowed in every scope where its GPO applies \(Workstations\): "Client Signing" wins\.$/);
    } finally {
      await c.stop();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });

  test("the config file's topology applies in a trusted folder and is ignored in an untrusted one", async () => {
    // Three folders deep: the content search (two levels) does not find it, only the config names it.
    const deep = 'a/b/c/corp-gp.ldf';
    const ws = workspace(deep, (root) => writeFileSync(join(root, 'relaylint.json'), JSON.stringify({ topology: [deep] })));
    try {
      for (const trusted of [true, false]) {
        const c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href, initializationOptions: { workspaceTrusted: trusted } });
        try {
          const r = await exposure(c);
          assert.deepEqual(
            r.scopes.map((s) => s.som),
            trusted ? ['corp.example', 'corp.example/Domain Controllers', 'corp.example/Servers', 'corp.example/Workstations'] : ['(scanned files)'],
            `trusted: ${trusted}`,
          );
        } finally {
          await c.stop();
        }
      }
      // relaylint.topology names it too; ignored as well in an untrusted folder.
      for (const trusted of [true, false]) {
        rmSync(join(ws.root, 'relaylint.json'));
        const c = await LspClient.start({
          rootUri: pathToFileURL(ws.root).href,
          initializationOptions: { workspaceTrusted: trusted },
          settings: () => ({ topology: [deep] }),
        });
        try {
          const r = await exposure(c);
          assert.equal(r.scopes.length, trusted ? 4 : 1, `setting, trusted: ${trusted}`);
        } finally {
          await c.stop();
          writeFileSync(join(ws.root, 'relaylint.json'), '{}');
        }
      }
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

describe("the workspace walk is the CLI's (io/walk.ts)", () => {
  test('a link loop, a link out of the folder and a FIFO named like an export are said in the log, not followed or read; the rest is read', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'relaylint-outside-'));
    writeFileSync(join(outside, 'GptTmpl.inf'), gptTmpl([`${SMB_SERVER}=4,0`]));
    let fifo = false;
    const ws = workspace('topology/corp-gp.ldf', (root) => {
      symlinkSync(root, join(root, 'Policies', 'loop'));
      symlinkSync(join(outside, 'GptTmpl.inf'), join(root, 'outside.inf'));
      fifo = spawnSync('mkfifo', [join(root, 'pipe.inf')]).status === 0;
    });
    const c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href });
    try {
      const r = await exposure(c);
      assert.deepEqual(r.scopes.map((s) => s.som), ['corp.example', 'corp.example/Domain Controllers', 'corp.example/Servers', 'corp.example/Workstations']);
      // The four GPOs and nothing else: the loop was not walked twice, the outside file not read.
      const winners = new Set(r.scopes.flatMap((s) => s.rules.map((x) => x.winner?.uri).filter((u): u is string => !!u)));
      assert.deepEqual([...winners].sort(), ['A', 'B', 'D'].map(ws.uri).sort());
      const notes = c.logs.filter((l) => l.includes(ws.root) && !l.startsWith('stderr:'));
      assert.deepEqual(notes, [
        `relaylint: ${join(ws.root, 'outside.inf')}: This file is a symbolic link to a file outside the scanned folders; it was not read (name the target on the command line to scan it).`,
        `relaylint: ${join(ws.root, 'Policies', 'loop')}: This folder is a symbolic link back into a folder being scanned (a loop); it was not followed again.`,
        ...(fifo ? [`relaylint: ${join(ws.root, 'pipe.inf')}: not read (a named pipe (FIFO)).`] : []),
      ]);
    } finally {
      await c.stop();
      rmSync(ws.root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('open documents count in the workspace model with their unsaved text', () => {
  test('an unsaved edit changes the exposure and keeps its annotations on the new lines; closing without saving goes back to the file on disk', async () => {
    const ws = workspace();
    const c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href });
    const servers = async () => (await exposure(c)).scopes.find((s) => s.som === 'corp.example/Servers')?.rules.find((x) => x.ruleId === 'smb.server.require');
    const SMB_LEN = `${SMB_SERVER}=4,0`.length;
    try {
      await c.open(ws.uri('B'), 'secedit-inf', ws.text('B'));
      assert.deepEqual(await servers().then((x) => [x?.status, x?.winner?.range]), ['hardened', at(6, 0, SMB_LEN)]);
      // Unsaved: the value turns weak and moves a line down.
      await c.replace(ws.uri('B'), gptTmpl([`${LMCOMPAT}=4,5`, `${SMB_SERVER}=4,0`]));
      assert.deepEqual(await servers().then((x) => [x?.status, x?.exposed, x?.winner?.uri, x?.winner?.range]), ['weak', true, ws.uri('B'), at(7, 0, SMB_LEN)]);
      // The diagnostics of the edited text carry what the model says about it, at the new line.
      const d = (await c.diagnostics(ws.uri('B'))).find((x) => x.code === 'smb.server.require');
      assert.deepEqual([d?.range, d?.severity], [at(7, SMB_SERVER.length + 1, SMB_LEN), 1]);
      assert.match((d?.message as string | undefined) ?? '', / Wins in: Servers\.$/);
      const hover = markdown(await c.hover(ws.uri('B'), { line: 7, character: 10 }));
      assert.ok(hover.includes('**Effective in:** Servers (this line wins)'), hover);
      // Closed without saving: the file on disk (still 4,1) is what counts again.
      await c.close(ws.uri('B'));
      assert.deepEqual(await servers().then((x) => [x?.status, x?.winner?.range]), ['hardened', at(6, 0, SMB_LEN)]);
      // The edit and the close judged only that document again; the workspace was read once.
      const passes = c.logs.filter((l) => l.startsWith('relaylint: workspace model')).map((l) => l.replace(/, \d+ ms$/, ''));
      assert.deepEqual(passes, [
        'relaylint: workspace model: 4 GPO file(s), 4 scope(s), 1 event log(s)',
        'relaylint: workspace model (1 edited document(s) judged again): 4 GPO file(s), 4 scope(s), 1 event log(s)',
        'relaylint: workspace model (1 edited document(s) judged again): 4 GPO file(s), 4 scope(s), 1 event log(s)',
      ]);
    } finally {
      await c.stop();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

describe('the workspace model has a budget (bytes read, values kept per pass)', () => {
  test('past it the model reads no further GPO export and says so in the log, the Relay exposure view and the posture page; open documents keep their diagnostics', async () => {
    const ws = workspace();
    // Sorted as the pass reads them: the first file is read (2 values), then the budget of 1 value is spent.
    const [first, stop, ...rest] = ['A', 'B', 'C', 'D'].sort((x, y) => (ws.inf(x) < ws.inf(y) ? -1 : 1));
    const note = `The workspace model stopped at its budget (512 MiB read or 1 value kept per pass): 3 of 4 GPO export(s), from ${ws.inf(stop)} on, were not read, so the effective policy, coverage and Relay exposure leave them out (the CLI reads any number).`;
    const c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href, env: { RELAYLINT_DOMAIN_BUDGET_VALUES: '1' } });
    const plain = await LspClient.start({ env: { RELAYLINT_DOMAIN_BUDGET_VALUES: '1' } });
    try {
      const r = await exposure(c);
      assert.equal(r.available, true);
      assert.equal(r.reason, note);
      assert.ok(c.logs.includes(`relaylint: ${note}`), c.logs.join('\n'));
      assert.ok(c.logs.some((l) => l.startsWith('relaylint: workspace model: 1 GPO file(s), 4 scope(s), 1 event log(s), ')), c.logs.join('\n'));
      // Only the first file's values are in the effective policy: the one GPO read wins where it applies.
      const smb = (som: string) => r.scopes.find((s) => s.som === som)?.rules.find((x) => x.ruleId === 'smb.server.require');
      assert.equal(smb('corp.example/Servers')?.winner?.uri, ws.uri(first));
      const posture = await c.sendRequest<PostureResult>('relaylint/posture', {});
      assert.ok(posture.html.includes(`<p class="head"><strong>Input problem:</strong> ${note}</p>`), 'the note heads the posture page');
      // A document the model did not read: its diagnostics are served, the same as from a server without the workspace.
      for (const l of [stop, ...rest]) {
        await c.open(ws.uri(l), 'secedit-inf', ws.text(l));
        await plain.open(ws.uri(l), 'secedit-inf', ws.text(l));
        assert.deepEqual(await c.diagnostics(ws.uri(l)), await plain.diagnostics(ws.uri(l)), l);
      }
      // C's weak client signing (not read by the model) still has its finding, at its line.
      const d = (await c.diagnostics(ws.uri('C'))).find((x) => x.code === 'smb.client.require');
      assert.deepEqual([d?.severity, d?.range], [2, at(6, SMB_CLIENT.length + 1, `${SMB_CLIENT}=4,0`.length)]);
    } finally {
      await c.stop();
      await plain.stop();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });

  test('the budget: 512 MiB and 250,000 values; the environment may set positive whole numbers, anything else is ignored', () => {
    assert.deepEqual(DOMAIN_BUDGET, { bytes: 512 * 1024 * 1024, values: 250_000 });
    assert.deepEqual(domainBudget({}), DOMAIN_BUDGET);
    assert.deepEqual(domainBudget({ RELAYLINT_DOMAIN_BUDGET_BYTES: '2048', RELAYLINT_DOMAIN_BUDGET_VALUES: '7' }), { bytes: 2048, values: 7 });
    for (const bad of ['', '0', '-5', '1e3', '12.5', ' 9', 'abc', '0x10', '99999999999999999'])
      assert.deepEqual(domainBudget({ RELAYLINT_DOMAIN_BUDGET_BYTES: bad, RELAYLINT_DOMAIN_BUDGET_VALUES: bad }), DOMAIN_BUDGET, JSON.stringify(bad));
  });

  test('the budget in bytes: a pass that reaches it stops before the next file', async () => {
    const ws = workspace();
    const sorted = ['A', 'B', 'C', 'D'].sort((x, y) => (ws.inf(x) < ws.inf(y) ? -1 : 1));
    // The topology is read first and counts too: one byte more leaves room for the first GPO export.
    const budget = Buffer.byteLength(toLdif(DOMAIN)) + 1;
    const c = await LspClient.start({ rootUri: pathToFileURL(ws.root).href, env: { RELAYLINT_DOMAIN_BUDGET_BYTES: String(budget) } });
    try {
      const r = await exposure(c);
      assert.equal(
        r.reason,
        `The workspace model stopped at its budget (${budget.toLocaleString('en-US')} bytes read or 250,000 values kept per pass): 3 of 4 GPO export(s), from ${ws.inf(sorted[1])} on, were not read, so the effective policy, coverage and Relay exposure leave them out (the CLI reads any number). ` +
          `The workspace model stopped at its budget (${budget.toLocaleString('en-US')} bytes read per pass): 1 of 1 event-log file(s), from ${join(ws.root, 'logs', 'DC01-relay-events.xml')} on, were not read, so the rollout readiness leaves them out (the CLI reads any number).`,
      );
    } finally {
      await c.stop();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

describe('requests read no scope of the effective-policy stream again', () => {
  test('the exposure and a fate-cache miss (annotations, hover of a file not open in the pass) come from what the pass kept; only the posture page reads the scopes, once per state', async () => {
    const ws = workspace();
    const inputs: DomainInputs = { folders: [ws.root], topology: [], evidence: [], lint: { role: 'any', targetOs: 'legacy' }, windowDays: 30, trusted: true };
    const start = async () => {
      const model = new DomainModel(async () => inputs, () => undefined, () => undefined);
      model.schedule(0);
      const st = await model.settled();
      assert.ok(st?.effective, 'the topology was read');
      return model;
    };
    // Diagnostics as the server judges C (its smb.client.require value is shadowed everywhere).
    const d: Diagnostic = { range: at(6, SMB_CLIENT.length + 1, `${SMB_CLIENT}=4,0`.length), severity: 2, code: 'smb.client.require', source: 'relaylint', message: 'm.' };
    const plain = await start();
    const fullExposure = async (m: DomainModel) => {
      const top = await m.exposure();
      const all = { top, scopes: await Promise.all(top.scopes.map((_, i) => m.exposureScope({ version: top.version as number, scope: i }))) };
      assert.ok(all.scopes.every((x) => x.version === top.version && !x.stale && x.rules.length));
      // The versions number the states of this process, so the two models' differ.
      return JSON.parse(JSON.stringify(all, (k, v: unknown) => (k === 'version' ? undefined : v))) as unknown;
    };
    const expected = { annotated: plain.annotate(ws.inf('C'), ws.text('C'), [d]), hover: plain.hoverLines(ws.inf('D'), ws.text('D'), { line: 6, character: 10 }), exposure: await fullExposure(plain) };
    // The annotations say what the fates say (so the comparison below can fail).
    assert.match(expected.annotated[0].message as string, /^m\. Shadowed in every scope where its GPO applies \(Workstations\): "Client Signing" wins\.$/);
    assert.ok(expected.hover.some((l) => l.startsWith('**Effective in:** corp.example (this line wins), Domain Controllers (this line wins)')), expected.hover.join('\n'));
    plain.dispose();

    const model = await start();
    const st = model.state as NonNullable<typeof model.state>;
    const eff = st.effective as NonNullable<typeof st.effective>;
    const scopes = eff.scopes.bind(eff);
    let reads = 0;
    eff.scopes = () => {
      reads++;
      return scopes();
    };
    try {
      assert.deepEqual(await fullExposure(model), expected.exposure);
      assert.deepEqual(model.annotate(ws.inf('C'), ws.text('C'), [d]), expected.annotated);
      assert.deepEqual(model.hoverLines(ws.inf('D'), ws.text('D'), { line: 6, character: 10 }), expected.hover);
      assert.equal(reads, 0, 'no request read the scopes again');
      const page = await model.posture('0.0.0', new Date(0));
      assert.equal(reads, 1, 'the posture page reads them once');
      // The page is kept with the state: a second request reads no scope, only its time differs.
      const again = await model.posture('0.0.0', new Date(1000));
      assert.equal(reads, 1, 'a second posture request read the scopes again');
      assert.equal(again.html, page.html.replace('generated 1970-01-01T00:00:00.000Z', 'generated 1970-01-01T00:00:01.000Z'));
      assert.notEqual(again.html, page.html);
    } finally {
      model.dispose();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

/** The inputs of a pass over `ws` alone (the topology found in it). */
const inputsOf = (ws: Workspace, trusted: boolean): DomainInputs => ({ folders: [ws.root], topology: [], evidence: [], lint: { role: 'any', targetOs: 'legacy' }, windowDays: 30, trusted });

/** An LDIF of the domain and `n` OUs right under it. */
const wideLdif = (n: number): string =>
  [`dn: DC=corp,DC=example\nobjectClass: domain\n`, ...Array.from({ length: n }, (_, i) => `dn: OU=O${i},DC=corp,DC=example\nobjectClass: organizationalUnit\n`)].join('\n');

/** A model over `ws` after its first pass; `logs` gets what it logs. */
async function settledModel(ws: Workspace, trusted: boolean, logs: string[] = []): Promise<DomainModel> {
  const inputs = inputsOf(ws, trusted);
  const model = new DomainModel(async () => inputs, () => undefined, (m) => logs.push(m));
  model.schedule(0);
  await model.settled();
  return model;
}

describe('a topology that gives no scope (audit, wave 18)', () => {
  test('a refused export is said in the log, the exposure (the scanned files as one set, with why) and the posture page', async () => {
    // A SharpHound zip whose entry inflates past the size its directory declares: refused, as by the CLI.
    const ws = workspace(null, (root) => {
      const z = zip({ '20261206101500_ous.json': ' '.repeat(5000) });
      for (let i = 0; i + 4 <= z.length; i++) if (z.readUInt32LE(i) === 0x02014b50) z.writeUInt32LE(100, i + 24);
      writeFileSync(join(root, 'bomb.zip'), z);
    });
    const logs: string[] = [];
    const model = await settledModel(ws, false, logs);
    try {
      const error = `${join(ws.root, 'bomb.zip')}: 20261206101500_ous.json: the entry inflates to more than the 100 bytes the zip directory declares (damaged or hostile archive); not read.`;
      assert.ok(logs.some((l) => l.includes(`Topology ${error}`)), logs.join('\n'));
      const top = await model.exposure();
      assert.equal(top.reason, `The domain topology could not be read in full: ${error} No scope came from the domain topology in the workspace: the scanned files are judged as one set, not per OU.`);
      assert.deepEqual(
        top.scopes.map((s) => s.som),
        ['(scanned files)'],
      );
      const rules = await model.exposureScope({ version: top.version as number, scope: 0 });
      assert.equal(rules.som, '(scanned files)');
      assert.ok(rules.rules.length > 0 && !rules.stale);
      const page = await model.posture('0.0.0', new Date(0));
      assert.ok(page.html.includes(`<strong>Input problem:</strong> the topology ${error.replace(/&/g, '&amp;')}`), 'the posture page names the refused export');
    } finally {
      model.dispose();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

describe('the errors the topology merge adds are in the log (wave 19)', () => {
  test(`OUs nested deeper than ${LIMITS.maxOuDepth} levels: the merge's error is logged once, as each file's errors are`, async () => {
    // The domain, then a chain of OUs one level deeper than relaylint reads.
    const ous: string[] = [];
    let dn = 'DC=corp,DC=example';
    for (let i = 0; i <= LIMITS.maxOuDepth; i++) ous.push(`dn: ${(dn = `OU=L${i},${dn}`)}\nobjectClass: organizationalUnit\n`);
    const ws = workspace(null, (root) => writeFileSync(join(root, 'deep.ldf'), [`dn: DC=corp,DC=example\nobjectClass: domain\n`, ...ous].join('\n')));
    const logs: string[] = [];
    const model = await settledModel(ws, true, logs);
    try {
      const said = logs.filter((l) => l.includes('nested deeper than'));
      assert.equal(said.length, 1, logs.join('\n'));
      assert.ok(said[0].startsWith(`relaylint: Topology ${join(ws.root, 'deep.ldf')}: 1 OU is nested deeper than ${LIMITS.maxOuDepth} levels (the first: corp.example/L0/L1/`), said[0]);
      assert.ok(said[0].endsWith('); relaylint reads OUs to that depth, so its scope and those below were left out.'), said[0]);
    } finally {
      model.dispose();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

describe('a topology of more scopes than the editor computes (audit, wave 18)', () => {
  test(`past ${LIMITS.maxEditorScopes.toLocaleString('en-US')} OUs, domains and sites the topology is left out, said in the log, the exposure and the posture page`, async () => {
    const ws = workspace(null, (root) => writeFileSync(join(root, 'wide.ldf'), wideLdif(LIMITS.maxEditorScopes)));
    const logs: string[] = [];
    const model = await settledModel(ws, true, logs);
    try {
      assert.equal(model.state?.effective, undefined);
      const note = `The topology names ${(LIMITS.maxEditorScopes + 1).toLocaleString('en-US')} OUs, domains and sites; the editor computes the effective policy for up to ${LIMITS.maxEditorScopes.toLocaleString('en-US')} (the CLI for any number), so the topology was left out and the Relay exposure judges the scanned files as one set.`;
      assert.ok(logs.some((l) => l.includes(note)), logs.join('\n'));
      const top = await model.exposure();
      assert.equal(top.reason, note);
      assert.deepEqual(top.scopes.map((s) => s.som), ['(scanned files)']);
      const page = await model.posture('0.0.0', new Date(0));
      assert.ok(page.html.includes(`<strong>Input problem:</strong> ${note}`), 'the posture page says it');
    } finally {
      model.dispose();
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

describe('the pass answers requests between scopes (audit, wave 18)', () => {
  test('the event loop turns at least every 64 scopes while they are judged (10,000 OUs held requests for 1.5 s)', async () => {
    const ws = workspace(null, (root) => writeFileSync(join(root, 'wide.ldf'), wideLdif(300)));
    const loop = countTurns();
    // The turn count at each scope the exposure is given.
    const at: number[] = [];
    const real = ExposureCollector.prototype.scope;
    ExposureCollector.prototype.scope = function (this: ExposureCollector, ...args: Parameters<typeof real>) {
      at.push(loop.turns);
      return real.apply(this, args);
    };
    let model: DomainModel | undefined;
    try {
      model = await settledModel(ws, true);
      assert.equal(model.state?.scopeCount, 301);
    } finally {
      ExposureCollector.prototype.scope = real;
      loop.stop();
      model?.dispose();
      rmSync(ws.root, { recursive: true, force: true });
    }
    assert.equal(at.length, 301);
    // Any 64 scopes in a row have a turn of the event loop among them.
    for (let i = 64; i < at.length; i++) assert.ok(at[i] > at[i - 64], `the event loop turned between scope ${i - 64} and scope ${i} (turns ${at[i - 64]} → ${at[i]})`);
  });
});
