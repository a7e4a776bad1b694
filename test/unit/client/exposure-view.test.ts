// The Relay exposure view's tree (client/src/exposureView.ts) against a stub of the `vscode` module:
// the scopes come from relaylint/exposure with their counts, the rules of a scope from
// relaylint/exposureScope when it is expanded (once per answer), a stale answer lists the scopes
// again, and a failed request is a message. The real editor runs the same view in test/e2e.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import type { ExposureResult, ExposureScopeParams, ExposureScopeResult } from '../../../server/src/lsp/wire';

class EventEmitter<T> {
  private readonly listeners: ((e: T) => void)[] = [];
  readonly event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return { dispose: () => this.listeners.splice(this.listeners.indexOf(l), 1) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.length = 0;
  }
}
class TreeItem {
  id?: string;
  description?: string;
  iconPath?: unknown;
  tooltip?: unknown;
  contextValue?: string;
  command?: unknown;
  accessibilityInformation?: unknown;
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}
class MarkdownString {
  value = '';
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s;
    return this;
  }
}
const vscodeStub = {
  EventEmitter,
  TreeItem,
  MarkdownString,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon: class {
    constructor(
      readonly id: string,
      readonly color?: { id: string },
    ) {}
  },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  Uri: { parse: (s: string) => ({ toString: () => s, path: new URL(s).pathname }) },
  workspace: { asRelativePath: (u: { path: string }) => u.path.split('/').slice(-2).join('/') },
};
const mod = Module as unknown as { _resolveFilename: (r: string, ...rest: unknown[]) => string };
const resolve = mod._resolveFilename;
mod._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscodeStub } as unknown as NodeJS.Module;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ExposureProvider, SCOPE_CHANGED } = require('../../../client/src/exposureView') as typeof import('../../../client/src/exposureView');

const TOP: ExposureResult = {
  available: true,
  version: 7,
  scopes: [
    { som: 'corp.example', kind: 'domain', role: 'member', rules: 35, exposed: 6, statuses: { weak: 2, missing: 32, hardened: 1 } },
    { som: 'corp.example/Servers', kind: 'ou', role: 'member', rules: 2, exposed: 0, statuses: { hardened: 2 } },
  ],
};
const SERVERS: ExposureScopeResult = {
  version: 7,
  som: 'corp.example/Servers',
  rules: [
    {
      ruleId: 'smb.server.require',
      title: 'SMB server signing must be required',
      status: 'hardened',
      exposed: false,
      why: 'GPO "B" wins here.',
      winner: { uri: 'file:///w/Policies/B/GptTmpl.inf', range: { start: { line: 6, character: 0 }, end: { line: 6, character: 9 } }, gpo: 'Servers Hardening' },
      readiness: { status: 'blocked', clients: 2 },
    },
    { ruleId: 'smb.client.guest', title: 'Insecure SMB guest logons must be disabled', status: 'missing', exposed: false, why: 'No GPO configures it.' },
  ],
};

function provider(scope: (p: ExposureScopeParams) => Promise<ExposureScopeResult>, top: () => Promise<ExposureResult> = async () => TOP) {
  const asked = { top: 0, scopes: [] as ExposureScopeParams[] };
  const p = new ExposureProvider(
    async () => (asked.top++, top()),
    async (params) => (asked.scopes.push(params), scope(params)),
    'relaylint.openDecidingLine',
  );
  return { p, asked };
}

test('the scopes with their counts from relaylint/exposure; the rules of one from relaylint/exposureScope when expanded, asked once', async () => {
  const { p, asked } = provider(async () => SERVERS);
  const roots = await p.getChildren();
  assert.deepEqual(roots, TOP.scopes.map((scope, index) => ({ type: 'scope', scope, index, version: 7 })));
  assert.deepEqual(asked, { top: 1, scopes: [] });
  const domain = p.getTreeItem(roots[0]);
  assert.deepEqual([domain.label, domain.id, domain.description, domain.tooltip, domain.collapsibleState], [
    'corp.example',
    'scope:domain:corp.example',
    'domain · members · 6 of 35 rules exposed',
    'corp.example (domain, members): 6 of 35 rules not hardened',
    1,
  ]);
  assert.deepEqual(p.getTreeItem(roots[1]).description, 'OU · members · all hardened');
  const rules = await p.getChildren(roots[1]);
  assert.deepEqual(asked.scopes, [{ version: 7, scope: 1 }]);
  assert.deepEqual(rules, SERVERS.rules.map((rule) => ({ type: 'rule', scope: TOP.scopes[1], rule })));
  const item = p.getTreeItem(rules[0]);
  assert.deepEqual([item.label, item.id, item.description, item.command], [
    'SMB server signing must be required',
    'rule:ou:corp.example/Servers:smb.server.require',
    'hardened · blocked (2 clients would fail)',
    { command: 'relaylint.openDecidingLine', title: 'Open the deciding line', arguments: [SERVERS.rules[0].winner?.uri, SERVERS.rules[0].winner?.range] },
  ]);
  assert.equal(
    (item.tooltip as MarkdownString).value,
    '$(pass) **hardened**: SMB server signing must be required `smb.server.require`\n\nScope: corp.example/Servers\n\n\nGPO "B" wins here.\n\nDecided by Servers Hardening, B/GptTmpl.inf:7 (click to open)\n\nReadiness: blocked, 2 clients in the event logs would fail if it were enforced now',
  );
  assert.equal(p.getTreeItem(rules[1]).command, undefined);
  // Expanded again (the tree asks on every expansion): answered from what it has.
  assert.deepEqual(await p.getChildren(roots[1]), rules);
  assert.deepEqual(asked.scopes, [{ version: 7, scope: 1 }]);
});

test('a stale answer says so under the scope and lists the scopes again; a failed one is a message and is asked again next time', async () => {
  let stale = true;
  const { p, asked } = provider(async () => (stale ? { version: 8, stale: true, rules: [] } : SERVERS));
  let changed = 0;
  p.onDidChangeTreeData(() => changed++);
  const roots = await p.getChildren();
  assert.deepEqual(await p.getChildren(roots[1]), [{ type: 'message', text: SCOPE_CHANGED }]);
  assert.equal(changed, 1, 'the tree is told to list the scopes again');
  stale = false;
  const again = await p.getChildren();
  assert.equal(asked.top, 2);
  assert.equal((await p.getChildren(again[1])).length, 2);

  const failing = provider(async () => {
    throw new Error('connection lost');
  });
  const r = await failing.p.getChildren();
  assert.deepEqual(await failing.p.getChildren(r[0]), [{ type: 'message', text: 'Could not get the rules of corp.example: connection lost' }]);
  await failing.p.getChildren(r[0]);
  assert.equal(failing.asked.scopes.length, 2, 'a failure is not kept');
  p.dispose();
  failing.p.dispose();
});

test('two scopes with the same kind and name (OU "a/b" and OU "b" under "a\\" both read corp.example/a\\/b) get distinct tree ids, and so do their rules', async () => {
  const som = 'corp.example/a\\/b';
  const scope = { som, kind: 'ou', role: 'member', rules: 1, exposed: 1, statuses: { weak: 1 } } as const;
  // A third OU whose own name looks like the id the second one is given.
  const top: ExposureResult = { available: true, version: 3, scopes: [scope, { ...scope }, { ...scope, som: `${som}#1` }] };
  const rule = { ruleId: 'smb.server.require', title: 'SMB server signing must be required', status: 'weak', exposed: true, why: 'GPO "B" wins here.' } as const;
  const { p } = provider(async (params) => ({ version: 3, som, rules: [rule], ...(params.scope === 2 ? { som: `${som}#1` } : {}) }), async () => top);
  const roots = await p.getChildren();
  const ids = roots.map((n) => p.getTreeItem(n).id);
  assert.deepEqual(ids, [`scope:ou:${som}`, `scope:ou:${som}#1`, `scope:ou:${som}#1#1`]);
  const ruleIds = await Promise.all(roots.map(async (n) => (await p.getChildren(n)).map((r) => p.getTreeItem(r).id)));
  assert.deepEqual(ruleIds, [[`rule:ou:${som}:smb.server.require`], [`rule:ou:${som}#1:smb.server.require`], [`rule:ou:${som}#1#1:smb.server.require`]]);
});
