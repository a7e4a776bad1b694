// UI scenario (Playwright + Debian Chromium against code-server with the packaged relaylint.vsix
// installed into a fresh profile): open the weak GptTmpl.inf from the explorer, see the red squiggle
// and the Problems row with the rule id, hover it and read the relay explanation, Ctrl+. and apply
// the quick fix, Ctrl+S, check the bytes on disk, see the squiggle go.
// Screenshots of every step go to .e2e/artifacts/ui-NN-*.png. With E2E_UPDATE_IMAGES=1 the squiggle,
// hover and quick-fix shots are also copied to docs/images/ for the README.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { shrink } from '../../scripts/png-shrink.mjs';
import {
  ARTIFACTS,
  FIXTURES_DOMAIN,
  FIXTURES_RESTRICTED,
  FIXTURES_UI,
  HARMLESS,
  REPO,
  VSIX,
  closeBrowser,
  freshProfile,
  installVsix,
  launchBrowser,
  requireTools,
  startCodeServer,
} from './lib/codeserver.mjs';

const require = createRequire(import.meta.url);
const catalog = require('./lib/catalog.cjs');

const RULE = 'smb.server.require';
const LINE = 'LanManServer\\Parameters\\RequireSecuritySignature=';
const STEP_MS = 30_000;
// The README screenshots come from these steps; they are bundled in the .vsix, so they are written
// as 256-colour PNGs (scripts/png-shrink.mjs) to keep the package under 1 MB.
const VIEWPORT = { width: 1400, height: 900 };

let cs, browser, page, profile;
const consoleErrors = [];
let failed = false;
const shots = {};

before(async () => {
  requireTools();
});

after(async () => {
  if (consoleErrors.length) {
    writeFileSync(join(ARTIFACTS, 'ui-console.log'), consoleErrors.join('\n') + '\n');
    console.log(`  ui: ${consoleErrors.length} browser console error(s) besides known noise (see .e2e/artifacts/ui-console.log)`);
  }
  await closeBrowser(browser, page);
  await cs?.stop();
});

/** One scenario step = one node:test subtest; after a failure the remaining steps are skipped. */
function step(t, name, fn) {
  return t.test(name, { skip: failed ? 'an earlier step failed' : false, timeout: STEP_MS * 2 }, async () => {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const n = String(Object.keys(shots).length + 1).padStart(2, '0');
    try {
      await fn();
      const path = join(ARTIFACTS, `ui-${n}-${slug}.png`);
      await page.screenshot({ path });
      shots[slug] = path;
    } catch (err) {
      failed = true;
      await page?.screenshot({ path: join(ARTIFACTS, `ui-${n}-${slug}-FAILED.png`) }).catch(() => {});
      throw err;
    }
  });
}

test('UI: squiggle, Problems row, hover, quick fix, save', { timeout: 240_000 }, async (t) => {
  const rule = catalog.rule(RULE);
  const fixTitle = rule.fixes.find((f) => f.preferred).title;
  // A distinctive part of the relay explanation (the diagnostic message itself also says "relay").
  const attack = catalog.norm(rule.explanation.attack).split(' ').slice(0, 12).join(' ');
  const file = () => join(profile.ws, 'GptTmpl.inf');
  let original;

  const editor = () => page.locator('.editor-instance .monaco-editor').first();
  const statusItem = () => page.locator('.statusbar-item', { hasText: 'relaylint' });

  const valueLine = () => page.locator('.editor-instance .view-line', { hasText: LINE });
  /** The squiggle drawn on the RequireSecuritySignature line (squiggles are overlays, not children of the line). */
  /**
   * Waits (on the page, no fixed sleep) until a squiggle is drawn on the value line, then returns its
   * box. Decorations are re-created when diagnostics are pulled again (after a hover closes, say), so
   * a box read at the wrong instant can be missing for a frame.
   */
  async function waitSquiggleOnLine() {
    await page.waitForFunction(
      (line) => {
        const row = [...document.querySelectorAll('.editor-instance .view-line')].find((e) => e.textContent?.includes(line));
        if (!row) return false;
        const r = row.getBoundingClientRect();
        return [...document.querySelectorAll('.monaco-editor .squiggly-error')].some((sq) => {
          const b = sq.getBoundingClientRect();
          const mid = b.y + b.height / 2;
          return b.width > 0 && mid >= r.y && mid <= r.y + r.height;
        });
      },
      LINE,
      { timeout: STEP_MS },
    );
    const b = await squiggleOnLine();
    assert.ok(b, 'no squiggle on the RequireSecuritySignature line');
    return b;
  }

  async function squiggleOnLine() {
    const lineBox = await valueLine().first().boundingBox();
    for (const s of await page.locator('.monaco-editor .squiggly-error').all()) {
      const b = await s.boundingBox();
      if (b && lineBox && b.y + b.height / 2 >= lineBox.y && b.y + b.height / 2 <= lineBox.y + lineBox.height) return b;
    }
    return null;
  }

  await step(t, 'workbench loads with the explorer', async () => {
    profile = freshProfile('ui', FIXTURES_UI);
    original = readFileSync(file());
    const installed = installVsix(profile);
    console.log(`  ui: ${installed.split('\n').pop()}`);
    cs = await startCodeServer(profile, 'ui');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('console', (m) => {
      if (m.type() === 'error' && !HARMLESS.some((re) => re.test(m.text()))) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`[pageerror] ${e.message}`));
    await page.goto(`${cs.url}/?folder=${encodeURIComponent(profile.ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: STEP_MS });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'open GptTmpl.inf from the explorer', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'GptTmpl.inf' }).first().click();
    await valueLine().first().waitFor({ timeout: STEP_MS });
    // The language mode in the status bar (the secedit-inf language's alias).
    await page.locator('.statusbar-item[id="status.editor.mode"]').waitFor({ timeout: STEP_MS });
  });

  await step(t, 'red squiggle under the weak value', async () => {
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: STEP_MS });
    await waitSquiggleOnLine();
  });

  await step(t, 'Problems panel row with the rule id', async () => {
    await editor().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: RULE });
    await row.first().waitFor({ timeout: STEP_MS });
    const text = await row.first().innerText();
    assert.match(text, /relaylint/, `Problems row should name the source: ${text}`);
  });

  await step(t, 'status bar item shows the server and the finding count', async () => {
    const item = statusItem();
    await item.filter({ hasText: /relaylint: \d+ findings?/ }).first().waitFor({ timeout: STEP_MS });
    const text = (await item.first().innerText()).trim();
    // The count is relaylint's diagnostics in the workspace: the Problems panel's relaylint rows.
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    const ours = rows.filter((r) => /\nrelaylint\n/.test(r) && /\[Ln \d+, Col \d+\]/.test(r)).length;
    assert.ok(ours > 0, `no relaylint rows in the Problems panel: ${JSON.stringify(rows)}`);
    assert.equal(text, `relaylint: ${ours} finding${ours === 1 ? '' : 's'}`);
  });

  await step(t, 'clicking the status item opens the relaylint output', async () => {
    await statusItem().first().click();
    const out = page.locator('.part.panel .monaco-editor .view-lines');
    await out.filter({ hasText: 'language server started' }).first().waitFor({ timeout: STEP_MS });
    const text = (await out.first().innerText()).replace(/\u00a0/g, " ");
    const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
    for (const want of [`[info] relaylint ${version} (`, '[info] starting the language server', '[info] language server started: relaylint', '[info] settings (workspace): all defaults']) {
      assert.ok(text.includes(want), `the output lacks "${want}":\n${text}`);
    }
  });

  await step(t, 'the rule code in the Problems panel opens the rendered page', async () => {
    // Keep the template's tab (a single click in the explorer opened it as a preview tab, which any
    // editor opened next replaces, as VS Code does for every link).
    await page.locator('.tabs-container .tab', { hasText: 'GptTmpl.inf' }).first().dblclick();
    await editor().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: RULE }).first();
    await row.waitFor({ timeout: STEP_MS });
    await row.locator('a', { hasText: RULE }).first().click();
    const preview = page.locator('.tabs-container .tab', { hasText: `Preview ${RULE}.md` });
    await preview.first().waitFor({ timeout: STEP_MS });
    // rendered: the preview's webview holds the page's first heading as HTML
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await frame.locator('h1').first().waitFor({ timeout: STEP_MS });
    // and no editable copy: no text tab of the page is left open
    const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
    assert.ok(!tabs.some((x) => x.trim() === `${RULE}.md`), `the page is open as text: ${JSON.stringify(tabs)}`);
  });

  await step(t, 'back to the template', async () => {
    const preview = page.locator('.tabs-container .tab', { hasText: `Preview ${RULE}.md` });
    await preview.first().locator('.codicon-close').click({ force: true });
    await preview.first().waitFor({ state: 'detached', timeout: STEP_MS });
    await page.locator('.tabs-container .tab', { hasText: 'GptTmpl.inf' }).first().click();
    await valueLine().first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'hover shows the relay explanation', async () => {
    const b = await waitSquiggleOnLine();
    await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2 - 4);
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2 - 4);
    const hover = page.locator('.monaco-hover:visible, .monaco-resizable-hover:visible').filter({ hasText: rule.displayName });
    try {
      await hover.first().waitFor({ timeout: 8000 });
    } catch {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I'); // "Show hover" from the keyboard
      await hover.first().waitFor({ timeout: STEP_MS });
    }
    // (for the screenshot: the hover has finished fading in)
    await page.waitForFunction(() => [...document.querySelectorAll('.monaco-hover')].some((e) => e.offsetParent && getComputedStyle(e).opacity === '1'), null, { timeout: STEP_MS });
    const text = catalog.norm(await hover.first().innerText());
    assert.ok(text.includes(attack), `hover lacks the relay explanation "${attack}…":\n${text}`);
  });

  await step(t, 'Ctrl+. offers the quick fix', async () => {
    await page.keyboard.press('Escape');
    const b = await waitSquiggleOnLine();
    await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2 - 4);
    await page.keyboard.press('Control+.');
    await page.locator('.action-widget .monaco-list-row', { hasText: fixTitle }).first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'apply the quick fix and save with Ctrl+S', async () => {
    // Keyboard, as a user does (a click can land on the menu's pointer guard): move the focus to the fix, Enter.
    for (let i = 0; i < 10; i++) {
      const focused = await page.locator('.action-widget .monaco-list-row.focused').first().getAttribute('aria-label');
      if (focused && focused.includes(fixTitle)) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .view-line', { hasText: `${LINE}4,1` }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press('Control+S');
    // The bytes on disk: UTF-16LE + BOM + CRLF kept, only "4,0" → "4,1" on that line.
    const expected = Buffer.from(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(original.subarray(2).toString('utf16le').replace(`${LINE}4,0`, `${LINE}4,1`), 'utf16le')]),
    );
    const deadline = Date.now() + STEP_MS;
    let bytes = readFileSync(file());
    while (!bytes.equals(expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100)); // polling the disk, not waiting on the UI
      bytes = readFileSync(file());
    }
    assert.ok(bytes.equals(expected), `GptTmpl.inf on disk differs from the expected fix:\n${bytes.subarray(2).toString('utf16le')}`);
  });

  await step(t, 'the squiggle goes away', async () => {
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: STEP_MS });
    await page.locator('.markers-panel .monaco-list-row', { hasText: RULE }).first().waitFor({ state: 'detached', timeout: STEP_MS });
  });

  if (process.env.E2E_UPDATE_IMAGES === '1' && !failed) {
    const dest = join(REPO, 'docs', 'images');
    mkdirSync(dest, { recursive: true });
    copyFileSync(shots['problems-panel-row-with-the-rule-id'], join(dest, 'squiggle.png')); // squiggle + Problems row
    copyFileSync(shots['hover-shows-the-relay-explanation'], join(dest, 'hover.png'));
    copyFileSync(shots['ctrl-offers-the-quick-fix'], join(dest, 'quickfix.png'));
    copyFileSync(shots['clicking-the-status-item-opens-the-relaylint-output'], join(dest, 'output.png'));
    copyFileSync(shots['the-rule-code-in-the-problems-panel-opens-the-rendered-page'], join(dest, 'docs.png'));
    for (const f of ['squiggle', 'hover', 'quickfix', 'output', 'docs']) shrink(join(dest, `${f}.png`));
    console.log(`  ui: README images updated in ${dest}`);
  }
});

test('UI: Restricted Mode keeps the findings and says which folder settings it ignores', { timeout: 240_000 }, async (t) => {
  // a fresh code-server for this scenario (the first one is stopped)
  await closeBrowser(browser, page);
  await cs?.stop();
  failed = false;
  const infLine = () => page.locator('.editor-instance .view-line', { hasText: LINE });

  await step(t, 'restricted: the untrusted folder opens in Restricted Mode', async () => {
    profile = freshProfile('ui-restricted', FIXTURES_RESTRICTED, { restricted: true, userSettings: { 'relaylint.trace.server': 'verbose' } });
    installVsix(profile);
    cs = await startCodeServer(profile, 'ui-restricted');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${cs.url}/?folder=${encodeURIComponent(profile.ws)}`);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: STEP_MS });
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'restricted: the finding stays although the folder turns the rule off', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'GptTmpl.inf' }).first().click();
    await infLine().first().waitFor({ timeout: STEP_MS });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'restricted: the status item warns and lists the ignored settings', async () => {
    // (the ignored settings are found by reading the folder's files, just after the server starts)
    const item = page
      .locator('.statusbar-item', { hasText: /relaylint: \d+ findings?/ })
      .filter({ has: page.locator('.codicon-workspace-untrusted') })
      .first();
    await item.waitFor({ timeout: STEP_MS });
    await item.hover();
    const tip = page.locator('.monaco-hover:visible, .workbench-hover:visible, .monaco-resizable-hover:visible').filter({ hasText: 'Restricted Mode' }).first();
    await tip.waitFor({ timeout: STEP_MS });
    const text = await tip.innerText();
    for (const k of ['relaylint.rules', 'relaylint.enable', 'relaylint.role', 'relaylint.configFile', 'config file relaylint.json (not read)']) {
      assert.ok(text.includes(k), `the tooltip does not name ${k}:\n${text}`);
    }
  });

  await step(t, 'restricted: trusting the folder applies its settings and tells the server', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+P');
    await page.locator('.quick-input-widget input').waitFor({ timeout: STEP_MS });
    await page.keyboard.type('Manage Workspace Trust');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press('Enter');
    const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
    await trust.waitFor({ timeout: STEP_MS });
    await trust.click();
    // The folder's settings now apply: relaylint.enable is false there, so the findings go, and the warning with them.
    await page
      .locator('.statusbar-item', { hasText: 'relaylint: no findings' })
      .filter({ hasNot: page.locator('.codicon-workspace-untrusted') })
      .first()
      .waitFor({ timeout: STEP_MS });
    // The channel (on disk) logs the change, and the server was sent relaylint/didGrantWorkspaceTrust (traced: verbose in this profile).
    const logs = join(profile.ud, 'logs');
    const find = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? find(join(d, e.name)) : e.name === 'relaylint.log' ? [join(d, e.name)] : []));
    const deadline = Date.now() + STEP_MS;
    let log = '';
    while (Date.now() < deadline) {
      log = find(logs).map((f) => readFileSync(f, 'utf8')).join('\n');
      if (log.includes("Sending notification 'relaylint/didGrantWorkspaceTrust'")) break;
      await new Promise((r) => setTimeout(r, 100)); // polling the log file, not the UI
    }
    assert.ok(log.includes('[info] workspace trusted: folder settings and config files now apply'), log);
    assert.ok(log.includes("Sending notification 'relaylint/didGrantWorkspaceTrust'"), `the server was not told:\n${log}`);
  });

  if (process.env.E2E_UPDATE_IMAGES === '1' && !failed) {
    copyFileSync(shots['restricted-the-status-item-warns-and-lists-the-ignored-settings'], join(REPO, 'docs', 'images', 'restricted.png'));
    shrink(join(REPO, 'docs', 'images', 'restricted.png'));
  }
});

test('UI: the Relay exposure view and the posture webview on the example domain', { timeout: 240_000 }, async (t) => {
  await closeBrowser(browser, page);
  await cs?.stop();
  failed = false;
  const pane = () => page.locator('.pane', { has: page.locator('.pane-header', { hasText: /relay exposure/i }) }).first();
  const rows = () => pane().locator('.monaco-list-row');
  const webview = () => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  await step(t, 'domain: the example domain opens', async () => {
    profile = freshProfile('ui-domain', FIXTURES_DOMAIN);
    installVsix(profile);
    cs = await startCodeServer(profile, 'ui-domain');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('console', (m) => {
      if (m.type() === 'error' && !HARMLESS.some((re) => re.test(m.text()))) consoleErrors.push(m.text());
    });
    await page.goto(`${cs.url}/?folder=${encodeURIComponent(profile.ws)}`);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'domain: the Relay exposure view lists the scopes', async () => {
    const header = pane().locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    // room for the view: a wider side bar (drag its edge), and the folder tree collapsed (its header is named after the workspace folder)
    const bar = await page.locator('.part.sidebar').first().boundingBox();
    if (bar) {
      await page.mouse.move(bar.x + bar.width + 1, bar.y + 300);
      await page.mouse.down();
      await page.mouse.move(bar.x + bar.width + 260, bar.y + 300, { steps: 5 });
      await page.mouse.up();
    }
    const folders = page.locator('.pane-header').filter({ hasText: /^workspace/i });
    if ((await folders.count()) && (await folders.first().getAttribute('aria-expanded')) === 'true') await folders.first().click();
    for (const som of ['corp.example/Domain Controllers', 'corp.example/Servers/File', 'corp.example/Workstations']) {
      await rows().filter({ hasText: som }).first().waitFor({ timeout: STEP_MS });
    }
    // each scope says how many of its rules are exposed, in words
    await rows().filter({ hasText: 'corp.example/Servers/File' }).filter({ hasText: /OU · members · \d+ of \d+ rules exposed/ }).first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'domain: a rule opens its deciding line', async () => {
    await rows().filter({ hasText: 'corp.example/Servers/File' }).first().click();
    // the row's accessible name carries the status in words: "<rule title>, weak[, readiness]"
    const weak = pane().locator('.monaco-list-row[aria-label*=", weak"]').first();
    try {
      await weak.waitFor({ timeout: STEP_MS });
    } catch (err) {
      const seen = await rows().evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-level')} [${e.getAttribute('aria-label')}] ${e.textContent}`));
      throw new Error(`${err.message}\nrows:\n${seen.join('\n')}`);
    }
    await weak.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'GptTmpl.inf' }).first().waitFor({ timeout: STEP_MS });
    await page.locator('.editor-instance .view-line', { hasText: 'LanManServer\\Parameters\\RequireSecuritySignature=4,0' }).first().waitFor({ timeout: STEP_MS });
    await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: /Ln 7,/ }).first().waitFor({ timeout: STEP_MS });
  });

  await step(t, 'domain: Show Posture opens the page in a webview', async () => {
    await page.keyboard.press('Control+Shift+P');
    await page.locator('.quick-input-widget input').waitFor({ timeout: STEP_MS });
    await page.keyboard.type('relaylint: Show Posture');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Posture' }).first().waitFor({ timeout: STEP_MS });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'Posture' }).first().waitFor({ timeout: STEP_MS });
    await webview().locator('h1').first().waitFor({ timeout: STEP_MS });
    await webview().locator('[data-relaylint-cell]').first().waitFor({ state: 'attached', timeout: STEP_MS });
    // the page's own (hashed) script still runs next to the injected one: a sort button sorts
    const th = webview().locator('table.sortable thead th:has(button)').first();
    await th.locator('button').click();
    assert.equal(await th.getAttribute('aria-sort'), 'ascending');
    await webview().locator('h1').first().scrollIntoViewIfNeeded(); // (for the screenshot: the top of the page)
  });

  await step(t, 'domain: following a cell opens its line', async () => {
    const cell = webview().locator('[data-relaylint-cell]').filter({ visible: true }).first();
    await cell.scrollIntoViewIfNeeded();
    await cell.click();
    const tab = page.locator('.tabs-container .tab.active').filter({ hasText: /\.(inf|xml|pol)\b/i }).first();
    await tab.waitFor({ timeout: STEP_MS });
    await page.locator('.editor-instance .view-line').first().waitFor({ timeout: STEP_MS });
  });

  if (process.env.E2E_UPDATE_IMAGES === '1' && !failed) {
    const dest = join(REPO, 'docs', 'images');
    copyFileSync(shots['domain-a-rule-opens-its-deciding-line'], join(dest, 'exposure.png'));
    copyFileSync(shots['domain-show-posture-opens-the-page-in-a-webview'], join(dest, 'posture-vscode.png'));
    for (const f of ['exposure', 'posture-vscode']) shrink(join(dest, `${f}.png`));
  }
});

test('the installed .vsix has its icon, its user README and every image the README shows', () => {
  const p = freshProfile('vsix', FIXTURES_UI);
  installVsix(p);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const dir = join(p.ext, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  const icon = readFileSync(join(dir, pkg.icon));
  assert.equal(icon.subarray(1, 4).toString('ascii'), 'PNG');
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'icon.png must be 128x128');
  // vsce stores the README as extension/readme.md (VS Code looks it up case-insensitively)
  const readmeName = readdirSync(dir).find((f) => f.toLowerCase() === 'readme.md');
  assert.ok(readmeName, `no README in the installed extension: ${readdirSync(dir).join(', ')}`);
  const readme = readFileSync(join(dir, readmeName), 'utf8');
  assert.equal(readme, readFileSync(join(REPO, 'README-vscode.md'), 'utf8'), 'the packaged README is README-vscode.md, unchanged');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
  assert.ok(images.length >= 4, `the README shows too few screenshots: ${images.join(', ')}`);
  for (const src of images) {
    assert.ok(!/^[a-z]+:/i.test(src), `README image ${src} is not bundled (remote URL)`);
    const bytes = readFileSync(join(dir, src)); // throws when the image is not in the .vsix
    assert.equal(bytes.subarray(1, 4).toString('ascii'), 'PNG', src);
  }
  assert.ok(!/npx\s+(--yes\s+)?relaylint/.test(readme), 'the README must not run an unpublished npm name');
  assert.ok(statSync(VSIX).size < 1024 * 1024, `relaylint.vsix is ${statSync(VSIX).size} bytes (target < 1 MB)`);
});
