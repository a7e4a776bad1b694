/**
 * Teaching hovers over real JSON-RPC: flagged and hardened values, every text format, the range
 * the hover belongs to, and positions with nothing to say.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol/node';
import { ruleMarkdown, ruleSummaryMarkdown } from '../../server/src/core/catalog/render';
import { settingRuleById } from '../../server/src/core';
import { DOCS_BASE, fixtureText, fixtureUri, LspClient } from '../helpers/lsp-client';
import { on, withInserted } from '../helpers/lsp-expect';

const INF = ['weak', 'GptTmpl.inf'];
const INTENT =
  '_relaylint reads what this file configures, not the state of a running machine: another GPO, local policy or a missing reboot can change what a machine really does._';

function markdown(h: Hover | null): string {
  assert.ok(h, 'expected a hover');
  const c = h.contents as MarkupContent;
  assert.equal(c.kind, 'markdown');
  return c.value;
}

describe('hover', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start();
    await c.open(fixtureUri(...INF), 'secedit-inf', fixtureText(...INF));
  });
  after(async () => {
    await c.stop();
  });

  test('on a flagged value: this value, the secure value and the fix first, the finding in one line (not its text again), then the whole rule', async () => {
    const rule = settingRuleById('smb.server.require');
    assert.ok(rule);
    const h = await c.hover(fixtureUri(...INF), { line: 5, character: 92 });
    assert.deepEqual(h?.range, on(5, 91, 94));
    const expected = [
      '### SMB server signing must be required (`smb.server.require`)',
      '**This value:** `0` — Disabled: the server accepts unsigned SMB sessions  \n**Secure value:** 1 (Enabled)  \n**Fix:** Require SMB server signing (always): writes `4,1` (quick fix)',
      '**relaylint error** `smb.server.require`',
      ruleSummaryMarkdown(rule),
      '---',
      ruleMarkdown(rule, { title: false, headingLevel: 4, omitSummary: true }).trimEnd(),
      `[Rule documentation: smb.server.require](${DOCS_BASE}smb.server.require.md)  \n${INTENT}`,
    ].join('\n\n');
    const md = markdown(h);
    assert.equal(md, expected);
    assert.ok(!md.includes('this host accepts unsigned sessions'), 'the hover repeats the diagnostic text');
    // What the hover must teach, whatever the catalog's wording: names, paths, defaults, attack, rollout, baselines.
    for (const fact of [
      '**Group Policy setting:** Microsoft network server: Digitally sign communications (always)',
      '**In the GPO editor:** Computer Configuration \\> Policies \\> Windows Settings \\> Security Settings \\> Local Policies \\> Security Options',
      '**Registry:** `HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature` (REG_DWORD)',
      '**Applies to:** the server side (the machine that accepts the connection)',
      '#### The attack',
      '#### Defaults when not configured',
      'Windows 11 24H2',
      'Windows Server 2025',
      '#### Rollout',
      '**Events to watch:**',
      '3021',
      '- Microsoft security baseline: 1',
      '- CIS benchmark: 1 (2.3.9.2, L1)',
      '- DISA STIG: WN10/WN11-SO-000120, WN19-SO-000190',
      '#### References',
    ]) {
      assert.ok(md.includes(fact), `hover lacks: ${fact}`);
    }
  });

  test('on the value name the hover covers the name', async () => {
    const h = await c.hover(fixtureUri(...INF), { line: 5, character: 70 });
    assert.deepEqual(h?.range, on(5, 66, 90));
    assert.match(markdown(h), /^### SMB server signing must be required \(`smb.server.require`\)\n\n\*\*This value:\*\* `0`/);
  });

  test('on a hardened value: no finding, the value marked hardened', async () => {
    const rule = settingRuleById('smb.client.plaintext');
    assert.ok(rule);
    const h = await c.hover(fixtureUri(...INF), { line: 7, character: 96 });
    assert.deepEqual(h?.range, on(7, 95, 98));
    const md = markdown(h);
    assert.ok(
      md.startsWith(
        `### ${rule.title} (\`smb.client.plaintext\`)\n\n**This value:** \`0\` — ${rule.values[0]} (hardened)  \n**Secure value:** ${rule.secure}\n\n`,
      ),
      md.slice(0, 400),
    );
    assert.ok(!md.includes('**relaylint'));
  });

  test('a DC-only setting says so', async () => {
    const md = markdown(await c.hover(fixtureUri(...INF), { line: 8, character: 85 }));
    assert.ok(md.includes('**Applies to:** the server side (the machine that accepts the connection); only meaningful on domain controllers'));
    assert.ok(md.includes('\n\n**relaylint error** `ldap.server.cbt`\n\n'));
    assert.ok(md.includes('**Fix:** Require channel binding: Always: writes `4,2` (quick fix)'), md.slice(0, 600));
  });

  test('nothing to say: section headers, other sections, past the end', async () => {
    const uri = fixtureUri(...INF);
    assert.equal(await c.hover(uri, { line: 0, character: 3 }), null);
    assert.equal(await c.hover(uri, { line: 3, character: 5 }), null);
    assert.equal(await c.hover(uri, { line: 400, character: 0 }), null);
  });

  test('.reg: the dword value', async () => {
    const uri = fixtureUri('nas.reg');
    await c.open(uri, 'reg', fixtureText('nas.reg'));
    const h = await c.hover(uri, { line: 4, character: 30 });
    assert.deepEqual(h?.range, on(4, 27, 41));
    const md = markdown(h);
    assert.ok(md.startsWith('### SMB client signing should be required (`smb.client.require`)\n\n**This value:** `0`'), md.slice(0, 300));
    assert.ok(md.includes('**Fix:** Require SMB client signing (always): writes `dword:00000001` (quick fix)\n\n**relaylint warning** `smb.client.require`\n\n'), md.slice(0, 600));
  });

  test('GPP Registry.xml: the value attribute, flagged or not', async () => {
    const parts = ['Machine', 'Preferences', 'Registry', 'Registry.xml'];
    const uri = fixtureUri(...parts);
    await c.open(uri, 'xml', fixtureText(...parts));
    const h = await c.hover(uri, { line: 3, character: 355 });
    assert.deepEqual(h?.range, on(3, 351, 359));
    const md = markdown(h);
    assert.ok(md.startsWith(`### ${settingRuleById('smb1.server')?.title} (\`smb1.server\`)\n\n`), md.slice(0, 200));
    assert.ok(md.includes('\n\n**relaylint error** `smb1.server`\n\n'));
    assert.ok(!md.includes('The SMBv1 server is enabled (SMB1 = 1)'));
    assert.ok(md.includes('**This value:** `1`'));
  });

  test('gpreport.xml: the hover names the policy the value came from', async () => {
    const uri = fixtureUri('gpreport.xml');
    await c.open(uri, 'xml', fixtureText('gpreport.xml'));
    const h = await c.hover(uri, { line: 23, character: 22 });
    assert.deepEqual(h?.range, on(23, 20, 27));
    const md = markdown(h);
    assert.ok(md.includes('**From the policy:** Configure SMB v1 server'));
    // A report has no text fix: the fix line says which GPO setting to change.
    assert.ok(md.includes(`**Fix:** set "${settingRuleById('smb1.server')?.displayName}" to`), md.slice(0, 800));
  });

  test('a finding without a setting (a suppression without a reason) shows its rule', async () => {
    const uri = fixtureUri('hover-suppression', 'GptTmpl.inf');
    await c.open(uri, 'secedit-inf', withInserted(fixtureText(...INF), '\r\n', 5, '; relaylint-disable-next-line smb.server.require -- '));
    const md = markdown(await c.hover(uri, { line: 5, character: 10 }));
    // Only the missing reason: relaylint's own comment is not reported as a format problem.
    assert.ok(md.startsWith('**relaylint warning** `suppression.reason`\n\n---\n\n'), md.slice(0, 300));
    assert.ok(!md.includes('file.parse'), md);
    assert.ok(md.includes('### A relaylint suppression has no reason (`suppression.reason`)'));
    assert.ok(md.includes(`[Rule documentation: suppression.reason](${DOCS_BASE}suppression.reason.md)`));
  });
});
