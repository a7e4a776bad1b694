// The status item's tooltip (client/src/status.ts) against a stub of the `vscode` module: in
// Restricted Mode it lists the folder settings files and config files it ignores, whose paths the
// untrusted folder chooses, inside a tooltip whose one command link (Manage Workspace Trust) is trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';

class MarkdownString {
  value = '';
  isTrusted: unknown;
  constructor(
    _value?: string,
    readonly supportThemeIcons = false,
  ) {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
}
const item = { text: '', tooltip: undefined as MarkdownString | undefined, show() {}, hide() {}, dispose() {} };
const vscodeStub = {
  MarkdownString,
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  StatusBarAlignment: { Left: 1 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  window: { createStatusBarItem: () => item },
  languages: { onDidChangeDiagnostics: () => ({ dispose() {} }), getDiagnostics: () => [] },
  workspace: { asRelativePath: (u: { path: string }) => u.path.replace(/^\/w\//, '') },
};
const mod = Module as unknown as { _resolveFilename: (r: string, ...rest: unknown[]) => string };
const resolve = mod._resolveFilename;
mod._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscodeStub } as unknown as NodeJS.Module;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StatusItem } = require('../../../client/src/status') as typeof import('../../../client/src/status');

test('Restricted Mode: a folder path with backticks stays inside its code span, so it cannot add a link to the trusted tooltip', () => {
  const s = new StatusItem('relaylint', 'relaylint.showOutput');
  const dir = 'x`` [Trust this folder](command:workbench.trust.manage) ``y';
  s.setIgnored([
    { key: 'relaylint.json', file: { path: `/w/${dir}/relaylint.json` } as never },
    { key: 'relaylint.rules', file: { path: `/w/${dir}\n\n[z](https://evil.example)/.vscode/settings.json` } as never },
  ]);
  const md = item.tooltip as MarkdownString;
  assert.deepEqual(md.isTrusted, { enabledCommands: ['workbench.trust.manage'] });
  const list = md.value.split('\n').filter((l) => l.startsWith('- '));
  assert.deepEqual(list, [
    '- config file ```x`` [Trust this folder](command:workbench.trust.manage) ``y/relaylint.json``` (not read)',
    '- `relaylint.rules` (```x`` [Trust this folder](command:workbench.trust.manage) ``y  [z](https://evil.example)/.vscode/settings.json```)',
  ]);
  s.dispose();
});
