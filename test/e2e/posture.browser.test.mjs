// The posture report in a real browser (headless Debian Chromium driven by playwright-core from .e2e):
// the report of the bundled example opens from disk with the network blocked, every ladder cell matches
// the JSON result of the same scan, axe-core finds no serious or critical violation, and the desktop and
// print layouts are saved as the README's screenshots (docs/images/posture*.png).
//
// Run: npm run test:browser (builds first). Needs .e2e/node_modules/playwright-core and /usr/bin/chromium
// (scripts/browser-setup.mjs installs them when missing).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchBrowser, REPO } from './lib/codeserver.mjs';

const require = createRequire(import.meta.url);
const CLI = join(REPO, 'server', 'out', 'cli.js');
const IMAGES = join(REPO, 'docs', 'images');
let tmp;
let browser;
let result;
let htmlUrl;
let core;

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, `relaylint ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

/** The core posture module, bundled from source for the expected values. */
function loadCore() {
  const esbuild = require('esbuild');
  const out = join(tmp, 'posture-core.cjs');
  esbuild.buildSync({ entryPoints: [join(REPO, 'server/src/core/posture/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'silent' });
  return require(out);
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'relaylint-posture-'));
  // Baseline: an earlier result that covered only the SYSVOL tree, so the drift tiles have content.
  cli(['scan', 'examples/corp.example', '--format', 'json', '--fail-on', 'never', '-o', join(tmp, 'baseline.json')]);
  cli(['scan', 'examples', '--format', 'json', '--fail-on', 'never', '-o', join(tmp, 'result.json')]);
  cli(['report', 'examples', '--baseline', join(tmp, 'baseline.json'), '-o', join(tmp, 'posture.html')]);
  result = JSON.parse(readFileSync(join(tmp, 'result.json'), 'utf8'));
  htmlUrl = pathToFileURL(join(tmp, 'posture.html')).href;
  core = loadCore();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Opens the report with every request other than the file itself failing the test. */
async function open(options = {}) {
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 }, ...options });
  const requests = [];
  const problems = [];
  await context.route('**/*', (route) => {
    if (route.request().url() === htmlUrl) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => {
    if (r.url() !== htmlUrl) requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|Refused/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(htmlUrl, { waitUntil: 'load' });
  return { context, page, requests, problems };
}

test('opens from disk offline with no request but the file, no CSP violation, no script error', async () => {
  const { context, page, requests, problems } = await open();
  try {
    assert.deepEqual(requests, []);
    assert.deepEqual(problems, []);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+';/);
    // The style applied (a hash mismatch would leave the page unstyled) and the script ran (sorting works).
    const weight = await page.locator('.lv').first().evaluate((e) => getComputedStyle(e).fontWeight);
    assert.equal(weight, '700');
    const urls = await page.evaluate(() => [...document.querySelectorAll('[src],[href]')].map((e) => e.getAttribute('src') ?? e.getAttribute('href')));
    assert.deepEqual(urls.filter((u) => !u.startsWith('#')), []);
  } finally {
    await context.close();
  }
});

test('every ladder cell shows the level of the JSON result, and its evidence lines match the coverage sources', async () => {
  const { context, page } = await open();
  try {
    const expected = core.assess(core.postureInput(result));
    const cells = await page.evaluate(() => {
      const prefix = document.getElementById('fprefix')?.textContent ?? '';
      const files = Object.fromEntries([...document.querySelectorAll('tr[id^="f"]')].map((tr) => [tr.id, prefix + tr.cells[1].textContent]));
      return [...document.querySelectorAll('table.ladder tbody tr')].flatMap((tr) =>
        [...tr.querySelectorAll('td[data-family]')].map((td) => ({
          scope: tr.getAttribute('data-scope'),
          family: td.getAttribute('data-family'),
          level: Number(td.getAttribute('data-level')),
          badge: td.querySelector('.lv').textContent,
          items: [...td.querySelectorAll('li')].map((li) => ({
            text: li.textContent,
            refs: [...li.querySelectorAll('a[href^="#f"]')].map((a) => {
              const after = a.nextSibling?.textContent ?? '';
              const m = /^:(\d+)/.exec(after);
              return { path: files[a.getAttribute('href').slice(1)], line: m ? Number(m[1]) : undefined };
            }),
          })),
        })),
      );
    });
    assert.equal(cells.length, expected.scopes.length * 6, 'one cell per scope and family');
    for (const sp of expected.scopes) {
      for (const c of sp.cells) {
        const got = cells.find((x) => x.scope === sp.scope.id && x.family === c.family);
        assert.ok(got, `cell ${sp.scope.id} × ${c.family}`);
        assert.equal(got.level, c.level, `${c.family}: level`);
        assert.equal(got.badge, `L${c.level}`);
      }
    }
    // Independent of the level logic: every "rule = value" line and every file:line it cites is in the JSON coverage.
    const byRule = new Map(result.coverage.map((e) => [e.ruleId, e]));
    let checked = 0;
    for (const cell of cells) {
      for (const it of cell.items) {
        const m = /^(?:met: |not met: )?([a-z0-9.]+) = ([^ (]+(?: \/ [^ (]+)*)/.exec(it.text);
        if (!m || !byRule.has(m[1])) continue;
        const entry = byRule.get(m[1]);
        const shown = m[2].split(' / ').sort();
        const values = [...new Set(entry.sources.map((s) => (s.status === 'deleted' ? 'deleted' : String(s.value))))].sort();
        assert.deepEqual(shown, values, `${cell.family}: values of ${m[1]}`);
        for (const r of it.refs) {
          assert.ok(
            entry.sources.some((s) => s.path === r.path && s.line === r.line),
            `${m[1]}: ${r.path}:${r.line} is a coverage source`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked >= 5, `checked ${checked} file:line references`);
  } finally {
    await context.close();
  }
});

test('drift tiles count the changes against the baseline', async () => {
  const { context, page } = await open();
  try {
    const tiles = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.tile')].map((t) => [t.id, Number(t.querySelector('strong').textContent)])));
    const base = core.assess(core.postureInput(JSON.parse(readFileSync(join(tmp, 'baseline.json'), 'utf8'))));
    const d = core.drift(base, core.assess(core.postureInput(result)));
    assert.deepEqual(tiles, { 'tile-regressed': d.counts.regressed, 'tile-improved': d.counts.improved, 'tile-new': d.counts.new, 'tile-removed': d.counts.removed });
    assert.ok(d.counts.new + d.counts.regressed + d.counts.improved > 0, 'the example shows some drift');
  } finally {
    await context.close();
  }
});

test('keyboard: the skip link and a sort button work without a mouse', async () => {
  const { context, page } = await open();
  try {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#ladder');
    const header = page.locator('table.ladder thead th').nth(1);
    await header.locator('button').focus();
    await page.keyboard.press('Enter');
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await page.keyboard.press('Enter');
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
  } finally {
    await context.close();
  }
});

test('axe-core: no serious or critical violations (screen and print)', async () => {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  for (const media of ['screen', 'print']) {
    const { context, page } = await open();
    try {
      await page.emulateMedia({ media });
      await page.evaluate('document.querySelectorAll("details").forEach(function(d){d.open=true})');
      // Evaluated through the DevTools protocol, which the page's CSP does not govern.
      await page.evaluate(source);
      const res = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
      const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.html.slice(0, 120)}`),
        [],
        `${media}: axe violations`,
      );
    } finally {
      await context.close();
    }
  }
});

test('screenshots: desktop and print layout (docs/images)', async () => {
  mkdirSync(IMAGES, { recursive: true });
  const { context, page } = await open();
  try {
    await page.locator('td[data-family="smb-signing"] details').first().evaluate((d) => (d.open = true));
    await page.screenshot({ path: join(IMAGES, 'posture.png'), fullPage: false });
    await page.evaluate(() => {
      for (const f of ['ntlm', 'ldap-signing']) document.querySelector(`td[data-family="${f}"] details`).open = true;
      document.getElementById('ladder').scrollIntoView();
    });
    await page.screenshot({ path: join(IMAGES, 'posture-ladder.png'), fullPage: false });
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 900, height: 1270 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(IMAGES, 'posture-print.png'), fullPage: false });
    const summaryShown = await page.locator('details > summary').first().isVisible();
    assert.equal(summaryShown, false, 'print layout hides the evidence toggles');
    const evidenceShown = await page.locator('td[data-family="ntlm"] ul.ev').first().isVisible();
    assert.equal(evidenceShown, true, 'print layout shows the evidence of every cell');
  } finally {
    await context.close();
  }
});
