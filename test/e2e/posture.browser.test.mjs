// The posture report in a real browser (headless Debian Chromium driven by playwright-core from .e2e):
// the report of the bundled example opens from disk with the network blocked, every ladder cell matches
// the JSON result of the same scan, axe-core finds no serious or critical violation, and the desktop and
// print layouts are saved as the README's screenshots (docs/images/posture*.png).
//
// Run: npm run test:browser (builds first). Needs .e2e/node_modules/playwright-core and /usr/bin/chromium
// (scripts/browser-setup.mjs installs them when missing).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // A fixed time in the page header keeps the screenshots byte-stable between runs.
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1796558400' } });
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
  // The example's files without its topology (examples/topology is not below these folders): the page
  // then has the one "scanned set" scope whose cells are checked against the coverage below. The
  // per-OU ladders (with the topology) are checked in test/unit/cli-domain.test.ts and by the
  // contract-shaped render further down.
  const inputs = ['examples/corp.example', 'examples/backups', 'examples/loose', 'examples/rsop', 'examples/logs'];
  cli(['scan', ...inputs, '--format', 'json', '--fail-on', 'never', '-o', join(tmp, 'result.json')]);
  cli(['report', ...inputs, '--baseline', join(tmp, 'baseline.json'), '-o', join(tmp, 'posture.html')]);
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
    assert.equal(result.scopes, undefined, 'the inputs carry no topology, so the page has the one scanned-set scope');
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

/** A result shaped as the issue 11/12 contracts (scopes, readiness), every catalog rule per scope. */
function domainResult() {
  const rules = JSON.parse(cli(['rules', '--format', 'json']).stdout).filter((r) => r.category !== 'meta');
  const G = { dc: '{6AC1786C-016F-11D2-945F-00C04FB984F9}', base: '{31B2F340-016D-11D2-945F-00C04FB984F9}', srv: '{0D1C3C7B-5A1E-4C8B-9E0B-3C2F1A9E7B11}', ws: '{7E2A8F0C-1B3D-4E5F-8A9B-0C1D2E3F4A5B}' };
  const tmpl = (g) => `corp.example/Policies/${g}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`;
  const scope = (som, role, gpos, over) => ({
    som,
    dn: som.split('/').slice(1).reverse().map((x) => `OU=${x}`).concat(['DC=corp', 'DC=example']).join(','),
    kind: 'ou',
    role,
    gpos: gpos.map((g) => ({ guid: G[g], enforced: false, from: som })),
    effective: rules
      .filter((r) => role === 'dc' || !['ldap.server.signing', 'ldap.server.enforce', 'ldap.server.cbt', 'ntlm.domain.audit', 'ntlm.domain.restrict'].includes(r.id))
      .map((r) => {
        const o = over[r.id];
        if (!o) return { ruleId: r.id, status: 'missing', exposedWhenMissing: false, why: 'not configured' };
        const e = { ruleId: r.id, status: o[0], value: o[1], exposedWhenMissing: true, winner: { gpo: G[o[2]], path: tmpl(G[o[2]]), line: o[3] }, why: 'winner by link order' };
        if (o[4]) e.shadowed = [{ gpo: G.base, path: tmpl(G.base), line: o[4], value: 0 }];
        return e;
      }),
  });
  return {
    tool: { name: 'relaylint', version: '0.1.0' },
    options: { role: 'any', targetOs: 'legacy' },
    gpos: [
      { guid: G.dc, name: 'Default Domain Controllers Policy', computerEnabled: true, links: [{ som: 'corp.example/Domain Controllers', enabled: true, enforced: false, order: 1 }] },
      { guid: G.base, name: 'Default Domain Policy', computerEnabled: true, links: [{ som: 'corp.example', enabled: true, enforced: false, order: 1 }] },
      { guid: G.srv, name: 'Server Baseline', computerEnabled: true, links: [{ som: 'corp.example/Servers', enabled: true, enforced: true, order: 1 }] },
      { guid: G.ws, name: 'Workstation Baseline', computerEnabled: true, links: [{ som: 'corp.example/Workstations', enabled: true, enforced: false, order: 1 }] },
    ],
    scopes: [
      scope('corp.example/Domain Controllers', 'dc', ['dc', 'base'], {
        'smb.server.require': ['hardened', 1, 'dc', 12],
        'smb.client.require': ['hardened', 1, 'dc', 13],
        'ldap.server.signing': ['hardened', 2, 'dc', 14],
        'ldap.server.cbt': ['weak', 1, 'dc', 15],
        'ntlm.lmcompat': ['hardened', 5, 'dc', 16, 9],
        'ntlm.minclient': ['hardened', 537395200, 'base', 20],
        'ntlm.minserver': ['hardened', 537395200, 'base', 21],
        'ntlm.in.audit': ['hardened', 2, 'dc', 17],
        'smb1.server': ['hardened', 0, 'base', 22],
        'smb.client.guest': ['hardened', 0, 'base', 23],
      }),
      scope('corp.example/Servers/File', 'member', ['srv', 'base'], {
        'smb.server.audit.signing': ['hardened', 1, 'srv', 8],
        'smb.server.require': ['hardened', 1, 'srv', 9, 7],
        'smb.client.require': ['hardened', 1, 'srv', 10],
        'ntlm.lmcompat': ['weak', 3, 'base', 11],
        'smb1.server': ['hardened', 0, 'base', 22],
      }),
      scope('corp.example/Workstations', 'member', ['ws', 'base'], {
        'smb.server.audit.signing': ['hardened', 1, 'ws', 5],
        'smb.server.require': ['weak', 0, 'ws', 6],
        'ldap.client.signing': ['hardened', 1, 'ws', 7],
      }),
    ],
    evidence: [{ path: 'logs/FS01-SMBServer-Audit.evtx', format: 'evtx', records: 2261, relevant: 39, from: '2026-10-01T00:00:00Z', to: '2026-11-30T00:00:00Z', computers: ['FS01.corp.example'], problems: [] }],
    readiness: [
      {
        ruleId: 'smb.server.require',
        scope: 'corp.example/Servers/File',
        status: 'blocked',
        clients: [
          { address: '10.0.4.17', host: 'SCANNER01', account: 'CORP\\svc-scan', events: 12, first: '2026-10-02T08:00:00Z', last: '2026-11-29T17:00:00Z', eventIds: [3021], sources: [{ path: 'logs/FS01-SMBServer-Audit.evtx', record: 1234 }] },
          { address: '10.0.9.3', host: 'NAS-OLD', events: 3, eventIds: [3021] },
        ],
        ignored: [],
        why: '2 clients would fail',
      },
      { ruleId: 'smb.server.require', scope: 'corp.example/Domain Controllers', status: 'ready', clients: [], ignored: [], why: 'no failing client in 60 days of logs from DC01' },
      { ruleId: 'ntlm.lmcompat', scope: 'corp.example/Domain Controllers', status: 'ready', clients: [], ignored: [{ reason: 'anonymous-logon', events: 39 }], why: 'no NTLMv1 client; 39 anonymous logons ignored (KB 4090105)' },
    ],
    summary: { files: 12 },
  };
}

test('with scopes and readiness (contract-shaped result): levels per OU, failing clients on the cell, axe clean', async () => {
  const doc = domainResult();
  const file = join(tmp, 'domain.html');
  let html = '';
  core.renderPostureHtml(core.assess(core.postureInput(doc)), { generated: '2026-12-06T10:00:00Z', paths: ['corp.example'] }, (c) => (html += c));
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const requests = [];
  await context.route('**/*', (r) => (r.request().url() === url ? r.continue() : (requests.push(r.request().url()), r.abort())));
  const page = await context.newPage();
  try {
    await page.goto(url);
    const levels = await page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('table.ladder tbody tr')].map((tr) => [tr.getAttribute('data-scope'), [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-level')))])),
    );
    // SMB, SMBv1/guest, LDAP signing, CBT, NTLM, Netlogon.
    assert.deepEqual(levels, {
      'corp.example/Domain Controllers': [4, 3, 3, 2, 4, 3],
      'corp.example/Servers/File': [3, 3, 3, 2, 0, 3],
      'corp.example/Workstations': [1, 0, 3, 2, 0, 3],
    });
    const fileCell = page.locator('tr[data-scope="corp.example/Servers/File"] td[data-family="smb-signing"]');
    assert.match(await fileCell.innerText(), /2 client\(s\) would fail/);
    await fileCell.locator('summary').click();
    const ev = await fileCell.locator('ul.ev').innerText();
    assert.match(ev, /SCANNER01 · 10\.0\.4\.17 · CORP\\svc-scan: 12 event\(s\) \(3021\)/);
    assert.match(ev, /smb\.server\.require = 1 — decided by F\d+:9 \(Server Baseline\) = 1; shadows F\d+:7 \(Default Domain Policy\) = 0/);
    assert.deepEqual(requests, []);
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const res = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    assert.deepEqual(res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), []);
    await page.evaluate(() => document.querySelector('.steps')?.scrollIntoView());
    await page.evaluate(() => document.getElementById('canary').scrollIntoView());
    await page.screenshot({ path: join(IMAGES, 'posture-scopes.png') });
  } finally {
    await context.close();
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
