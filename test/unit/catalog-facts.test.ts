/**
 * Catalog and judgement corrections from issue 10 item 11, each checked against the fact base.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { settingRuleById } from '../../server/src/core/catalog';
import { CoverageAccumulator, coverageSources } from '../../server/src/core/coverage';
import { lint } from '../../server/src/core/engine';
import { parseBytes, parseText } from '../../server/src/core/parse';
import { lineIndexFor } from '../../server/src/core/text';
import type { LintOptions } from '../../server/src/core/types';

const M = 'MACHINE\\System\\CurrentControlSet\\';
const inf = (...lines: string[]) => ['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');

test('coverage does not call Restrict NTLM "Allow all" (0) hardened: environment-specific settings are "configured"', () => {
  for (const [line, id] of [
    [`${M}Control\\Lsa\\MSV1_0\\RestrictReceivingNTLMTraffic=4,0`, 'ntlm.in.restrict'],
    [`${M}Services\\Netlogon\\Parameters\\RestrictNTLMInDomain=4,0`, 'ntlm.domain.restrict'],
  ]) {
    const opts: LintOptions = { role: 'dc', targetOs: 'legacy' };
    const file = parseText('GptTmpl.inf', inf(line), 'utf-16le-bom');
    assert.deepEqual(lint(file, opts).filter((f) => f.ruleId === id), [], id);
    const acc = new CoverageAccumulator(opts);
    acc.add(coverageSources('GptTmpl.inf', file, lineIndexFor(file.text), opts));
    const e = acc.result().find((c) => c.ruleId === id);
    assert.equal(e?.status, 'configured', id);
    assert.deepEqual(e?.sources.map((s) => [s.status, s.value]), [['unknown', 0]], id);
  }
});

test('"set channel binding next" is filed under LdapEnforceChannelBinding and its text follows the target OS', () => {
  const text = inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`);
  const file = parseText('GptTmpl.inf', text, 'utf-16le-bom');
  for (const targetOs of ['legacy', 'ws2025'] as const) {
    const [f] = lint(file, { role: 'dc', targetOs }).filter((x) => x.ruleId === 'ldap.server.cbt');
    assert.equal(f.severity, 'info');
    assert.deepEqual([f.setting?.hive, f.setting?.key, f.setting?.name], ['HKLM', 'System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding']);
    // Still marked on the line that makes it due, with that line as related information.
    assert.equal(text.slice(f.span.start, f.span.end), `${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`);
    assert.deepEqual(f.related?.map((r) => text.slice(r.span.start, r.span.end)), [`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`]);
    if (targetOs === 'ws2025') {
      assert.match(f.message, /New Windows Server 2025 deployments default to 'When supported'/);
      assert.doesNotMatch(f.message, /Next step: set channel binding to 'When supported'/);
    } else {
      assert.match(f.message, /Next step: set channel binding to 'When supported'/);
    }
  }
});

test("with target ws2025 the LDAP signing message does not say unsigned binds are accepted and then that Server 2025 enforces signing", () => {
  const file = parseText('GptTmpl.inf', inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,1`), 'utf-16le-bom');
  const [f] = lint(file, { role: 'dc', targetOs: 'ws2025' }).filter((x) => x.ruleId === 'ldap.server.signing');
  assert.equal(f.severity, 'warning');
  assert.doesNotMatch(f.message, /are accepted/);
  assert.match(f.message, /new Server 2025 DCs still require signing while the enforcement policy is unset, but DCs upgraded in place keep their existing policy/);
  const [legacy] = lint(file, { role: 'dc', targetOs: 'legacy' }).filter((x) => x.ruleId === 'ldap.server.signing');
  assert.equal(legacy.severity, 'error');
  assert.match(legacy.message, /are accepted/);
});

test('no help text says 31998 and 31999 both find servers that cannot sign (which id is which is not confirmed)', () => {
  const rule = settingRuleById('smb.client.require');
  assert.ok(rule);
  const all = JSON.stringify(rule.explanation);
  assert.doesNotMatch(all, /31998 and 31999 to find servers that cannot sign/);
  assert.match(all, /one reports servers that cannot sign, the other servers that cannot encrypt; which id is which is not confirmed/);
});

test('report fix texts name the Default Domain Controllers Policy once', () => {
  const p = path.resolve(__dirname, '../../../test/fixtures/xml/sos-ddcp-soslan__gpreport.xml');
  const file = parseBytes(p, fs.readFileSync(p));
  const messages = lint(file, { role: 'dc', targetOs: 'legacy' }).map((f) => f.message).filter((m) => m.includes('Default Domain Controllers Policy'));
  assert.ok(messages.length > 0);
  for (const m of messages) assert.equal(m.split('Default Domain Controllers Policy').length - 1, 1, m);
});
