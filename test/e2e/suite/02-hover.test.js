// Hovers (vscode.executeHoverProvider) carry the catalog's teaching text: the Group Policy display
// name, the registry value and the relay explanation, in every format that has an editable value.
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { catalog, PATHS } = h;

function checkHover(text, what) {
  const rule = catalog.rule('smb.server.require');
  const t = catalog.norm(text);
  assert.ok(t.length > 0, `${what}: no hover`);
  assert.ok(t.includes(catalog.norm(rule.displayName)), `${what}: hover lacks the GPO display name "${rule.displayName}"\n${text}`);
  assert.ok(/RequireSecuritySignature/.test(t), `${what}: hover lacks the registry value name\n${text}`);
  // The relay explanation, as written once in the catalog (first sentence of `attack`).
  const attack = catalog.norm(rule.explanation.attack.split(/(?<=\.)\s/)[0]);
  assert.ok(t.includes(attack), `${what}: hover lacks the relay explanation:\n  "${attack}"\n--- hover ---\n${text}`);
}

suite('hover', () => {
  test('GptTmpl.inf: hover on the flagged value explains the NTLM relay', async () => {
    const doc = await h.open(PATHS.inf);
    const r = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', '4,0');
    await h.waitForDiagnostics(doc.uri, h.hasCode('smb.server.require'), 'smb.server.require');
    checkHover(await h.hoverText(doc.uri, r.start.translate(0, 1)), 'GptTmpl.inf');
  });

  test('GptTmpl.inf: hover on the value name works too', async () => {
    const doc = await h.open(PATHS.inf);
    const r = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', 'RequireSecuritySignature');
    checkHover(await h.hoverText(doc.uri, r.start.translate(0, 3)), 'GptTmpl.inf (value name)');
  });

  test('.reg: hover on the flagged value', async () => {
    const doc = await h.open(PATHS.reg);
    const r = h.rangeOf(doc, '"RequireSecuritySignature"=', 'dword:00000000');
    await h.waitForDiagnostics(doc.uri, h.hasCode('smb.server.require'), 'smb.server.require');
    checkHover(await h.hoverText(doc.uri, r.start.translate(0, 2)), 'weak.reg');
  });

  test('GPP Registry.xml: hover on the flagged value', async () => {
    const doc = await h.open(PATHS.gpp);
    const r = h.rangeOf(doc, 'type="REG_DWORD" value="', '00000000');
    await h.waitForDiagnostics(doc.uri, h.hasCode('smb.server.require'), 'smb.server.require');
    checkHover(await h.hoverText(doc.uri, r.start.translate(0, 2)), 'Registry.xml');
  });

  test('gpreport.xml: hover on the flagged Security Option value', async () => {
    const doc = await h.open(PATHS.report);
    await h.waitForDiagnostics(doc.uri, h.hasCode('smb.server.require'), 'smb.server.require');
    const d = h.ours(doc.uri).find((x) => h.codeOf(x) === 'smb.server.require');
    checkHover(await h.hoverText(doc.uri, d.range.start), 'gpreport.xml');
  });

  test('a hardened, unflagged known setting still gets a hover', async function () {
    const doc = await h.open(PATHS.inf);
    const r = h.rangeOf(doc, 'LanManServer\\Parameters\\EnableSecuritySignature=', '4,1');
    const known = catalog.loadCatalog().ruleForValue('HKLM', 'System\\CurrentControlSet\\Services\\LanManServer\\Parameters', 'EnableSecuritySignature');
    if (!known) this.skip(); // the catalog does not know this value (yet)
    const text = catalog.norm(await h.hoverText(doc.uri, r.start.translate(0, 1)));
    assert.ok(text.includes(catalog.norm(known.displayName)), `hover lacks "${known.displayName}":\n${text}`);
  });
});
