/**
 * The posture report as ONE self-contained HTML page, written in chunks to a sink (pure: no fs).
 *
 * - No network: a Content-Security-Policy meta with default-src 'none'; the one style and the one
 *   script are allowed by their SHA-256 hashes; no external fonts, images or scripts; works from file://.
 * - Charts are inline SVG drawn here; every coloured mark also carries its level as text and a pattern.
 * - Accessible: headings in order, real tables with captions and scoped headers, native <details>
 *   for evidence, sort buttons in headers (keyboard reachable, aria-sort), skip link.
 * - Prints: print CSS opens every evidence block and drops the interactive parts.
 */
import { settingRuleById } from '../catalog';
import { describeLoc, topLevel, valueText, type Cell, type CondOutcome, type Posture, type ScopePosture, type Step } from './assess';
import type { Drift, DriftKind } from './drift';
import { readinessStatusText, type Loc, type ReadinessClientJson } from './input';
import { FAMILIES, LEVEL_NAMES, type FamilyDef } from './levels';
import { cspHash } from './sha256';
import { escapeControls } from '../text';

export interface HtmlOptions {
  title?: string;
  /** ISO time shown in the header (the caller passes it: the core reads no clock). */
  generated?: string;
  /** What was scanned, shown in the header. */
  paths?: string[];
  drift?: Drift;
  /** Baseline could not be used (shown instead of the tiles). */
  driftProblem?: string;
  /** Inputs asked for that this build cannot read yet (e.g. `--topology`). */
  notAvailable?: string[];
  /** Readiness window, as text. */
  window?: string;
  /**
   * Editors (the VS Code posture view): an id for each deciding-line reference. When given, every
   * file:line reference carries `data-relaylint-cell="<id>"` so a click can be mapped back to the
   * line; without it the page is unchanged.
   */
  cellId?: (loc: Loc) => string | undefined;
}

export type Sink = (chunk: string) => void;

/** Caps that keep a page for thousands of scopes within a few MB. */
const MAX_LOCS = 3;
const MAX_CLIENTS = 50;
const MAX_SCOPE_NAMES = 12;
/**
 * Past this many scopes the page switches to compact cells (level, the deciding line, clients) and an
 * aggregated heat map, which keeps a 1,100-OU domain under 2 MB and quick to render (npm run bench:posture).
 */
export const COMPACT_AFTER = 150;
const HEAT_ROWS = 80;

export const STYLE = `
:root{--fg:#111;--muted:#444;--line:#999;--bg:#fff;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0 auto;max-width:1400px;padding:0 1rem 2rem;line-height:1.4}
a{color:#0645ad}a:focus,button:focus,summary:focus{outline:3px solid #1a5fb4;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header{border-bottom:2px solid var(--fg);margin-bottom:1rem}
h1{font-size:1.6rem;margin:.8rem 0 .2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid var(--line)}h3{font-size:1.05rem}
.meta{color:var(--muted);font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.85rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
table.ladder{table-layout:fixed}table.ladder th:first-child{width:16%}
th,td{border:1px solid var(--line);padding:.3rem .4rem;vertical-align:top;text-align:left}
thead th{background:#eee}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;text-align:left;color:inherit}
th button::after{content:" \\2195";color:var(--muted)}
.lv{font-weight:700;display:inline-block;min-width:2.2em;border:1px solid #333;border-radius:3px;text-align:center;margin-right:.3em;background:#fff}
.l0{background:#fbd5d3 repeating-linear-gradient(45deg,transparent 0 6px,rgba(0,0,0,.09) 6px 8px)}
.l1{background:#fde3c4 repeating-linear-gradient(90deg,transparent 0 7px,rgba(0,0,0,.08) 7px 8px)}
.l2{background:#fff3b0}
.l3{background:#d8eed3}
.l4{background:#b6dfa9}
.l5{background:#a9d8dc}
.na{background:#eee}
.ok::before{content:"\\2713  ";font-weight:700}.no::before{content:"\\2717  ";font-weight:700}
.ok,.no,.st{list-style:none}ul.ev{padding-left:.2rem;margin:.2rem 0;list-style:none}
svg{max-width:100%;height:auto}
details{margin-top:.2rem}summary{cursor:pointer;color:#0645ad}
.head{border-left:6px solid #333;padding:.3rem .6rem;margin:.3rem 0;background:#f6f6f6}
.tiles{display:flex;gap:1rem;flex-wrap:wrap}.tile{border:2px solid #333;padding:.5rem 1rem;min-width:9rem}
.tile strong{font-size:1.6rem;display:block}
.safe{font-weight:700}.unsafe{font-weight:700;text-decoration:underline}
svg text{font-family:inherit}
.small{font-size:.8rem;color:var(--muted)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
code{font-size:.85em;word-break:break-all}
@media print{
 body{max-width:none;font-size:9pt}table{table-layout:fixed;font-size:7.5pt}td,th{overflow-wrap:anywhere}td .small,td small,th .small{font-size:7pt}.skip,th button::after,.noprint{display:none}
 details>summary{display:none}details::details-content{content-visibility:visible;display:block;height:auto}
 h2{break-after:avoid}tr,.head,.tile{break-inside:avoid}a{color:inherit;text-decoration:none}
 thead{display:table-header-group}
}
`;

/** Sorts tables with class "sortable" by the clicked header; keeps evidence rows with their cells. */
export const SCRIPT = `(function(){
function key(td){var v=td?td.getAttribute('data-sort'):null;if(v===null)v=td?td.textContent.trim():'';var n=Number(v);return v!==''&&!isNaN(n)?n:v.toLowerCase();}
document.querySelectorAll('table.sortable').forEach(function(t){
 var hs=t.querySelectorAll('thead th');
 hs.forEach(function(th,i){var b=th.querySelector('button');if(!b)return;b.addEventListener('click',function(){
  var asc=th.getAttribute('aria-sort')!=='ascending';hs.forEach(function(h){h.removeAttribute('aria-sort');});th.setAttribute('aria-sort',asc?'ascending':'descending');
  var tb=t.tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
  rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);return (x<y?-1:x>y?1:0)*(asc?1:-1);});
  rows.forEach(function(r){tb.appendChild(r);});});});});
var o=[];window.addEventListener('beforeprint',function(){o=[];document.querySelectorAll('details').forEach(function(d){if(!d.open){o.push(d);d.open=true;}});});
window.addEventListener('afterprint',function(){o.forEach(function(d){d.open=false;});});
})();`;

let cspText: string | undefined;
/**
 * The page's Content-Security-Policy: its own style and script by hash, nothing else. Made on first
 * use, not when the module loads: every scan and the language server load this module, and hashing
 * the two blocks in plain TypeScript costs a few ms of cold code they do not need.
 */
export function csp(): string {
  return (cspText ??= `default-src 'none'; style-src ${cspHash(STYLE)}; script-src ${cspHash(SCRIPT)}; img-src 'none'; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`);
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/**
 * A value from the (untrusted) scan JSON as text: strings, numbers and booleans as they are, nothing
 * for null/undefined, anything else as JSON (an object without a prototype has no toString).
 */
function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/** `&<>"'` as references: text from the caller itself (the time it passes). */
function escMarkup(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

/**
 * Text for HTML. Names and fields from the inputs may also hold control and format characters: a
 * bidirectional override (U+202E) reorders the page's own words after it in the block ("In
 * corp.example/Workstations‮, SMB signing is…" shows the verdict backwards), zero-width and tag
 * characters hide text. Those show as visible escapes (`\x1b`, `\u202e`), as in the text output
 * (`escapeControls`).
 */
export function esc(s: string): string {
  return escapeControls(escMarkup(s));
}

const GROUP_TITLES: Record<string, string> = {
  dc: 'Domain controllers',
  server: 'Member servers',
  workstation: 'Workstations',
  member: 'Other member scopes',
  all: 'Whole scanned set (no topology)',
};

/** Compact references to files: every path is written once, in the Files table. */
class FileRefs {
  readonly ids = new Map<string, number>();
  readonly gpo = new Map<string, string>();
  constructor(
    private readonly compact = false,
    private readonly cellId?: (loc: Loc) => string | undefined,
  ) {}
  ref(l: Loc): string {
    const cell = this.cellId?.(l);
    const attr = cell !== undefined ? ` data-relaylint-cell="${esc(cell)}"` : '';
    let id = this.ids.get(l.path);
    if (id === undefined) this.ids.set(l.path, (id = this.ids.size + 1));
    if (l.gpo && !this.gpo.has(l.path)) this.gpo.set(l.path, l.gpo);
    const at = l.line !== undefined ? `:${l.line}` : l.offset !== undefined ? ` @${l.offset}` : '';
    if (this.compact) return `<a href="#f${id}"${attr}>F${id}</a>${at}`;
    return `<a href="#f${id}" title="${esc(l.path)}"${attr}>F${id}</a>${at}${l.gpo ? ` (${esc(l.gpo)})` : ''}`;
  }
}

function locList(refs: FileRefs, locs: readonly Loc[], label: string): string {
  if (locs.length === 0) return '';
  const shown = locs.slice(0, MAX_LOCS).map((l) => `${refs.ref(l)}${l.value !== undefined ? ` = ${esc(valueText(l.value))}` : ''}`);
  const more = locs.length > MAX_LOCS ? `, and ${locs.length - MAX_LOCS} more` : '';
  return `${label} ${shown.join(', ')}${more}`;
}

function outcomeLi(refs: FileRefs, o: CondOutcome): string {
  const cls = o.ok ? 'ok' : 'no';
  let s = `<li class="${cls}"><span class="sr">${o.ok ? 'met: ' : 'not met: '}</span>${esc(o.text)}`;
  const st = o.state ?? o.alternatives?.find((a) => a.ok || a.state?.deciders.length)?.state;
  if (st) {
    s += locList(refs, st.deciders, st.deciders.length > 1 ? ' — set in' : ' — decided by');
    s += locList(refs, st.shadowed, '; shadows');
  }
  if (o.uncertain && o.uncertain !== 'no evidence') s += ` <em>(uncertain: ${esc(o.uncertain)})</em>`;
  return s + '</li>';
}

function clientText(c: ReadinessClientJson): string {
  const who = [c.host, c.address, c.account].filter(Boolean).join(' · ') || 'unnamed client';
  return `${who}: ${c.events} event(s)${c.eventIds?.length ? ` (${c.eventIds.join(', ')})` : ''}${c.first ? `, ${c.first}` : ''}${c.last ? ` – ${c.last}` : ''}`;
}

/** Compact cell: level, the one line that keeps it from the next level, and the clients count. */
function compactCellHtml(refs: FileRefs, f: FamilyDef, c: Cell): string {
  let h = `<td class="l${c.level}" data-level="${c.level}"><span class="lv">L${c.level}</span>`;
  void f;
  const m = c.next?.missing[0];
  if (m) {
    const st = m.state ?? m.alternatives?.find((a) => a.state?.deciders.length)?.state;
    h += `<br><small>✗ ${esc(m.text)}${st?.deciders.length ? ' ' + refs.ref(st.deciders[0]) : ''}${st?.shadowed.length ? `, shadows ${st.shadowed.length}` : ''}</small>`;
  }
  if (c.clients.length) h += `<br><strong>${c.clients.length} client(s) would fail</strong>`;
  return h + '</td>';
}

function cellHtml(refs: FileRefs, f: FamilyDef, c: Cell): string {
  const top = topLevel(f);
  let h = `<td class="l${c.level}" data-sort="${c.level}" data-family="${f.id}" data-level="${c.level}"><span class="lv">L${c.level}</span>${esc(c.name)}`;
  if (c.evidenceMissing) h += `<br><span class="small">stops at L${c.level}: no event-log evidence</span>`;
  if (c.clients.length) h += `<br><strong>${c.clients.length} client(s) would fail</strong>`;
  h += `<details><summary>Evidence<span class="sr"> for ${esc(f.title)}</span></summary><ul class="ev">`;
  for (const o of c.reached) h += outcomeLi(refs, o);
  if (c.next) {
    h += `<li class="small">For L${c.next.level} (${esc(c.next.name)}):</li>`;
    for (const o of c.next.missing) h += outcomeLi(refs, o);
  } else if (c.level === top) {
    h += `<li class="small">Top of the ladder for this family.</li>`;
  }
  const mentioned = new Set([...c.reached, ...(c.next?.missing ?? [])].flatMap((o) => [o.rule, ...(o.alternatives ?? []).map((a) => a.rule)]));
  const others = [...c.states.values()].filter((st) => !mentioned.has(st.ruleId) && (st.status !== 'missing' || st.exposedWhenMissing));
  if (others.length) {
    h += `<li class="small">Other settings of this family:</li>`;
    for (const st of others) {
      const vals = [...new Set(st.values.map(valueText))].join(' / ');
      h += `<li class="st">${esc(st.ruleId)}${st.status === 'missing' ? ': not configured (exposed by default)' : ` = ${esc(vals)} (${esc(st.status)})`}${locList(refs, st.deciders, st.deciders.length > 1 ? ' — set in' : ' — decided by')}${locList(refs, st.shadowed, '; shadows')}</li>`;
    }
  }
  if (c.clients.length) {
    h += `<li class="small">Clients that would fail:</li>`;
    for (const cl of c.clients.slice(0, MAX_CLIENTS)) h += `<li class="no">${esc(clientText(cl))}</li>`;
    if (c.clients.length > MAX_CLIENTS) h += `<li class="small">and ${c.clients.length - MAX_CLIENTS} more (see the JSON result)</li>`;
  }
  for (const r of c.readiness) {
    const ign = (r.ignored ?? []).map((i) => `${i.events} ignored (${i.reason})`).join(', ');
    h += `<li class="small">Readiness ${esc(r.ruleId)}: ${esc(readinessStatusText(r))}${r.why ? ` — ${esc(r.why)}` : ''}${ign ? `; ${esc(ign)}` : ''}</li>`;
  }
  return h + '</ul></details></td>';
}

const LEVEL_FILL = ['#fbd5d3', '#fde3c4', '#fff3b0', '#d8eed3', '#b6dfa9', '#a9d8dc'];

function svgDefs(): string {
  return (
    '<defs>' +
    '<pattern id="p0" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#fbd5d3"/><rect width="2" height="8" fill="#d9a3a0"/></pattern>' +
    '<pattern id="p1" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#fde3c4"/><rect width="1" height="8" fill="#d6b48c"/></pattern>' +
    '<pattern id="p2" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff3b0"/><circle cx="3" cy="3" r="1" fill="#c9b95a"/></pattern>' +
    '</defs>'
  );
}

const fillOf = (l: number) => (l <= 2 ? `url(#p${l})` : LEVEL_FILL[l]);

/** Horizontal stacked bars: per family, how many scopes are at each level. */
function barsSvg(p: Posture): string {
  const n = p.scopes.length;
  const W = 760;
  const left = 200;
  const barW = W - left - 20;
  const rowH = 30;
  const H = FAMILIES.length * rowH + 40;
  let s = `<svg role="img" aria-labelledby="bars-t bars-d" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`;
  s += `<title id="bars-t">Scopes per level, by control family</title><desc id="bars-d">${esc(
    FAMILIES.map((f) => `${f.title}: ${[0, 1, 2, 3, 4, 5].map((l) => `L${l} ${p.scopes.filter((sp) => sp.cells.find((c) => c.family === f.id)?.level === l).length}`).join(', ')}`).join('. '),
  )}</desc>${svgDefs()}`;
  FAMILIES.forEach((f, i) => {
    const y = 10 + i * rowH;
    s += `<text x="0" y="${y + 17}" font-size="13" fill="#111">${esc(f.title)}</text>`;
    let x = left;
    for (let l = 0; l <= 5; l++) {
      const count = p.scopes.filter((sp) => sp.cells.find((c) => c.family === f.id)?.level === l).length;
      if (!count) continue;
      const w = Math.max(1, (count / Math.max(1, n)) * barW);
      s += `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="22" fill="${fillOf(l)}" stroke="#333"><title>${esc(f.title)}: ${count} scope(s) at L${l}</title></rect>`;
      if (w > 34) s += `<text x="${(x + 4).toFixed(1)}" y="${y + 16}" font-size="12" fill="#111">L${l}: ${count}</text>`;
      x += w;
    }
  });
  s += `<text x="${left}" y="${H - 6}" font-size="11" fill="#444">${n} scope(s); each segment is labelled with its level and count</text>`;
  return s + '</svg>';
}

interface HeatRow {
  label: string;
  /** Lowest and highest level per family among the scopes of the row. */
  lo: number[];
  hi: number[];
}

/** One row per scope, or, for many scopes, one row per parent OU (lowest level shown, range as text). */
function heatRows(p: Posture): HeatRow[] {
  const one = (label: string, sps: readonly ScopePosture[]): HeatRow => ({
    label,
    lo: FAMILIES.map((f) => Math.min(...sps.map((sp) => sp.cells.find((c) => c.family === f.id)?.level ?? 0))),
    hi: FAMILIES.map((f) => Math.max(...sps.map((sp) => sp.cells.find((c) => c.family === f.id)?.level ?? 0))),
  });
  if (p.scopes.length <= HEAT_ROWS) return p.scopes.map((sp) => one(sp.scope.label, [sp]));
  for (let depth = 3; depth >= 1; depth--) {
    const groups = new Map<string, ScopePosture[]>();
    for (const sp of p.scopes) {
      const key = sp.scope.id.split('/').slice(0, depth).join('/');
      const g = groups.get(key) ?? [];
      g.push(sp);
      groups.set(key, g);
    }
    if (groups.size <= HEAT_ROWS || depth === 1) {
      return [...groups].slice(0, HEAT_ROWS).map(([k, g]) => one(`${k}${g.length > 1 ? ` (${g.length} scopes)` : ''}`, g));
    }
  }
  return [];
}

/** Scope × family heat map; each cell carries its level as text. */
function heatSvg(p: Posture): string {
  const cw = 120;
  const left = 300;
  const rh = 18;
  const hr = heatRows(p);
  const rows = hr.length;
  const W = left + FAMILIES.length * cw + 10;
  const H = 40 + rows * rh + (p.scopes.length > HEAT_ROWS ? 18 : 0);
  let s = `<svg role="img" aria-labelledby="heat-t" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><title id="heat-t">Heat map of levels: scopes (rows) by control family (columns); the ladder table below carries the same data</title>${svgDefs()}`;
  FAMILIES.forEach((f, j) => {
    s += `<text x="${left + j * cw + 4}" y="28" font-size="11" fill="#111">${esc(f.title.length > 18 ? f.title.slice(0, 17) + '…' : f.title)}</text>`;
  });
  hr.forEach((row, i) => {
    const y = 36 + i * rh;
    const label = row.label.length > 48 ? '…' + row.label.slice(-47) : row.label;
    s += `<text x="0" y="${y + 13}" font-size="11" fill="#111">${esc(label)}</text>`;
    row.lo.forEach((lo, j) => {
      const x = left + j * cw;
      const hi = row.hi[j];
      s += `<rect x="${x}" y="${y}" width="${cw - 2}" height="${rh - 2}" fill="${fillOf(lo)}" stroke="#555"/><text x="${x + 4}" y="${y + 12}" font-size="11" fill="#111">L${lo}${hi !== lo ? `–L${hi}` : ''}</text>`;
    });
  });
  if (p.scopes.length > HEAT_ROWS) s += `<text x="0" y="${H - 4}" font-size="11" fill="#444">${p.scopes.length} scopes grouped by parent OU; each cell shows the lowest level (its colour) and the range.</text>`;
  return s + '</svg>';
}

const MAX_TARGETS = 8;

function stepHtml(refs: FileRefs, s: Step, i: number): string {
  const fam = FAMILIES.find((f) => f.id === s.family)?.title ?? s.family;
  let h = `<li id="step${i + 1}"><strong>${esc(fam)}: ${esc(s.title)}</strong> <span class="${s.applicability}">[${s.applicability === 'safe' ? 'safe: audits or negotiates; breaks no client that behaves as it advertises' : 'unsafe: enforces; only after the audit is clean'}]</span>`;
  h += `<br>${s.kind === 'watch' ? 'Events' : s.kind === 'fix-clients' ? 'Clients' : 'Fix'}: ${esc(s.fix)}<ul>`;
  for (const t of s.targets.slice(0, MAX_TARGETS)) {
    const scopes = t.scopes.slice(0, MAX_SCOPE_NAMES).map(esc).join('; ') + (t.scopes.length > MAX_SCOPE_NAMES ? `; and ${t.scopes.length - MAX_SCOPE_NAMES} more` : '');
    h += `<li>Where: ${esc(t.where)}${t.lines.length ? `, lines: ${t.lines.slice(0, MAX_LOCS).map((l) => refs.ref(l)).join(', ')}${t.lines.length > MAX_LOCS ? `, and ${t.lines.length - MAX_LOCS} more` : ''}` : ''}`;
    h += `<br><span class="small">Scopes (${t.scopes.length}): ${scopes}</span></li>`;
  }
  if (s.targets.length > MAX_TARGETS) {
    const rest = s.targets.slice(MAX_TARGETS);
    h += `<li>and ${rest.length} more GPOs or places, for ${rest.reduce((n, t) => n + t.scopes.length, 0)} scopes (the ladder cells name the deciding line of each)</li>`;
  }
  return h + '</ul></li>';
}

const DRIFT_TITLES: Record<DriftKind, string> = { regressed: 'Regressed', improved: 'Improved', new: 'New', removed: 'Removed' };

/** Writes the whole page to `sink`, section by section. */
export function renderPostureHtml(p: Posture, opts: HtmlOptions, sink: Sink): void {
  const title = opts.title ?? 'relaylint posture report';
  const compact = p.scopes.length > COMPACT_AFTER;
  const refs = new FileRefs(compact, opts.cellId);
  const inp = p.input;
  sink(
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="${csp()}">\n` +
      `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title>\n<style>${STYLE}</style></head>\n<body>\n`,
  );
  sink(`<a class="skip" href="#ladder">Skip to the ladder</a><header><h1>${esc(title)}</h1><p class="meta">`);
  const meta: string[] = [`relaylint ${inp.version || ''}`.trim(), `role ${inp.role}, target ${inp.targetOs}`, `${inp.files} file(s) scanned`];
  meta.push(inp.mode === 'scopes' ? `${inp.scopes.length} scope(s) from the effective policy` : 'no topology: the whole scanned set is one scope');
  meta.push(inp.readiness.length ? `${inp.evidence.length} event-log source(s), ${inp.readiness.length} readiness entries` : 'no event logs: levels stop at L3 where L4 needs evidence');
  // The time is the caller's own text, written as it is but for markup: the editor passes a marker
  // of NUL characters there, which no input can then produce (esc shows theirs as \x00).
  sink(meta.map(esc).join(' · ') + (opts.generated ? ` · generated ${escMarkup(opts.generated)}` : '') + '</p>');
  if (opts.paths?.length) sink(`<p class="meta">Scanned: ${opts.paths.map((x) => `<code>${esc(x)}</code>`).join(', ')}</p>`);
  for (const na of opts.notAvailable ?? []) sink(`<p class="head"><strong>Not available:</strong> ${esc(na)}</p>`);
  for (const pr of inp.problems) sink(`<p class="head"><strong>Input problem:</strong> ${esc(pr)}</p>`);
  sink('</header><main>\n');

  // Canary headlines.
  sink('<section aria-labelledby="canary"><h2 id="canary">The canary: SMB signing</h2><p>SMB signing is the first control to require; where it is required everywhere, LDAP signing, channel binding and then NTLM restriction can follow.</p>');
  const shown = p.scopes.slice(0, compact ? 40 : COMPACT_AFTER);
  for (const sp of shown) {
    const smb = sp.cells.find((c) => c.family === 'smb-signing');
    sink(`<p class="head"><span class="lv l${smb?.level ?? 0}">L${smb?.level ?? 0}</span> ${esc(sp.headline)}</p>`);
  }
  if (p.scopes.length > shown.length) sink(`<p>${p.scopes.length - shown.length} more scopes: see the ladder.</p>`);
  sink('</section>\n');

  // Charts.
  sink(`<section aria-labelledby="charts"><h2 id="charts">Levels at a glance</h2>${barsSvg(p)}`);
  sink(`<h3>Scope × family</h3>${heatSvg(p)}</section>\n`);

  // The ladder.
  sink('<section aria-labelledby="ladder"><h2 id="ladder" tabindex="-1">The ladder per control family and scope</h2>');
  sink(
    compact
      ? `<p>${p.scopes.length} scopes: each cell gives the level and the one setting that keeps it from the next level, with its deciding line (F<i>n</i> refers to the Files table) and how many lines it shadows; the JSON result (<code>scan --format json</code>) has every line.</p>`
      : '<p>Each cell gives the level, its name and the evidence: the line that decides each setting (F<i>n</i> refers to the Files table), what it shadows, and the clients that would fail the next step. ✓ met, ✗ not met.</p>',
  );
  const groups = ['dc', 'server', 'workstation', 'member', 'all'];
  for (const g of groups) {
    const rows = p.scopes.filter((sp) => sp.scope.group === g);
    if (!rows.length) continue;
    sink(`<h3 id="group-${g}">${esc(GROUP_TITLES[g])} (${rows.length})</h3>`);
    sink(`<table class="sortable ladder" data-group="${g}"><caption>${esc(GROUP_TITLES[g])}: level per control family</caption><thead><tr><th scope="col"><button type="button">Scope</button></th>`);
    for (const f of FAMILIES) sink(`<th scope="col"><button type="button">${esc(f.title)}</button></th>`);
    sink('</tr></thead><tbody>\n');
    for (const sp of rows) {
      let row = `<tr data-scope="${esc(sp.scope.id)}"><th scope="row">${esc(sp.scope.label)}`;
      if (sp.scope.gpos.length && !compact) row += `<br><span class="small">${sp.scope.gpos.length} GPO(s)${sp.scope.gpos.length <= 6 ? ': ' + sp.scope.gpos.map(esc).join(', ') : ''}</span>`;
      row += '</th>';
      for (const f of FAMILIES) {
        const c = sp.cells.find((x) => x.family === f.id);
        row += c ? (compact ? compactCellHtml(refs, f, c) : cellHtml(refs, f, c)) : '<td class="na">n/a</td>';
      }
      sink(row + '</tr>\n');
    }
    sink('</tbody></table>\n');
  }
  sink('</section>\n');

  // Next steps.
  sink(`<section aria-labelledby="steps"><h2 id="steps">Next steps (audit first)</h2><p>In rollout order: turn on the audit, negotiate where there is a negotiate stage, watch the events for ${esc(opts.window ?? '30 days')}, fix the clients they name, then require. Safe steps can be applied in bulk; unsafe ones enforce and come last.</p>`);
  if (p.steps.length === 0) sink('<p>Nothing left: every family is at the top of its ladder.</p>');
  else {
    sink('<ol class="steps">');
    p.steps.forEach((s, i) => sink(stepHtml(refs, s, i)));
    sink('</ol>');
  }
  sink('</section>\n');

  // Drift.
  sink('<section aria-labelledby="drift"><h2 id="drift">Drift against the baseline</h2>');
  if (opts.driftProblem) sink(`<p>${esc(opts.driftProblem)}</p>`);
  else if (!opts.drift) sink('<p>No baseline given (<code>--baseline FILE</code> with an earlier JSON result).</p>');
  else {
    const d = opts.drift;
    sink('<div class="tiles">');
    for (const k of ['regressed', 'improved', 'new', 'removed'] as DriftKind[]) sink(`<div class="tile" id="tile-${k}"><strong>${d.counts[k]}</strong>${DRIFT_TITLES[k]}</div>`);
    sink('</div>');
    if (d.items.length) {
      sink('<table class="sortable"><caption>Changes since the baseline</caption><thead><tr><th scope="col"><button type="button">Change</button></th><th scope="col"><button type="button">Scope</button></th><th scope="col"><button type="button">Setting or family</button></th><th scope="col">Before</th><th scope="col">Now</th><th scope="col">Line</th></tr></thead><tbody>');
      for (const it of d.items.slice(0, 2000)) {
        sink(`<tr><td>${DRIFT_TITLES[it.kind]}</td><td>${esc(it.scope)}</td><td>${esc(it.ruleId ?? it.family ?? '')}</td><td>${esc(it.before)}</td><td>${esc(it.after)}</td><td>${it.at ? refs.ref(it.at) : ''}</td></tr>\n`);
      }
      sink('</tbody></table>');
      if (d.items.length > 2000) sink(`<p>${d.items.length - 2000} more changes are not listed.</p>`);
    }
  }
  sink('</section>\n');

  // Evidence sources.
  if (inp.evidence.length) {
    sink('<section aria-labelledby="logs"><h2 id="logs">Event logs read</h2><table class="sortable"><caption>Event-log sources</caption><thead><tr><th scope="col"><button type="button">File</button></th><th scope="col">Format</th><th scope="col"><button type="button">Records</button></th><th scope="col">Relevant</th><th scope="col">From – to</th><th scope="col">Computers</th></tr></thead><tbody>');
    for (const e of inp.evidence) {
      sink(`<tr><td><code>${esc(asText(e.path))}</code></td><td>${esc(asText(e.format))}</td><td>${esc(asText(e.records))}</td><td>${esc(asText(e.relevant))}</td><td>${esc(asText(e.from))} – ${esc(asText(e.to))}</td><td>${esc((Array.isArray(e.computers) ? e.computers : []).map(asText).join(', '))}</td></tr>\n`);
    }
    sink('</tbody></table></section>\n');
  }

  // Level definitions.
  sink('<section aria-labelledby="levels"><h2 id="levels">What each level means</h2><table><caption>Level definitions per control family (from the rule catalog)</caption><thead><tr><th scope="col">Family</th>');
  for (let l = 0; l <= 5; l++) sink(`<th scope="col"><span class="lv l${l}">L${l}</span>${esc(LEVEL_NAMES[l])}</th>`);
  sink('</tr></thead><tbody>');
  for (const f of FAMILIES) {
    let row = `<tr><th scope="row">${esc(f.title)}<br><span class="small">${f.rules.map(esc).join(', ')}</span></th>`;
    for (let l = 0; l <= 5; l++) {
      const d = f.levels.find((x) => x.level === l);
      row += d && d.requires !== null ? `<td>${esc(d.text)}</td>` : `<td class="na">${esc(d?.text ?? 'Not a stage of this family.')}</td>`;
    }
    sink(row + '</tr>\n');
  }
  sink('</tbody></table><p class="small">A family\'s level is the highest level whose whole requirement holds. "Not configured" counts only where the catalog says the Windows default is secure for the role and target OS. L4 always needs event-log evidence, so without logs a family stops at L3.</p></section>\n');

  // Files.
  sink('<section aria-labelledby="files"><h2 id="files">Files referred to</h2>');
  if (refs.ids.size === 0) sink('<p>No setting lines are referred to.</p>');
  else {
    const paths = [...refs.ids.keys()];
    let prefix = paths.length > 1 ? paths.reduce((a, b) => (b.startsWith(a) ? a : commonPrefix(a, b))) : '';
    prefix = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (prefix) sink(`<p>Paths below <code id="fprefix">${esc(prefix)}</code></p>`);
    sink('<table><caption>F-numbers used in the cells</caption><thead><tr><th scope="col">Ref</th><th scope="col">File</th><th scope="col">GPO</th></tr></thead><tbody>');
    for (const [path, id] of refs.ids) sink(`<tr id="f${id}"><td>F${id}</td><td><code>${esc(path.slice(prefix.length))}</code></td><td>${esc(refs.gpo.get(path) ?? '')}</td></tr>\n`);
    sink('</tbody></table>');
  }
  sink('</section>\n');
  sink(`</main><footer><p class="small">Written by relaylint from Group Policy exports${inp.readiness.length ? ' and event logs' : ''}; no network access. Rule pages: docs/rules/&lt;rule id&gt;.md. ${esc(ruleCount())}</p></footer>\n`);
  sink(`<script>${SCRIPT}</script>\n</body></html>\n`);
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

function ruleCount(): string {
  const ids = new Set(FAMILIES.flatMap((f) => f.rules));
  const known = [...ids].filter((id) => settingRuleById(id)).length;
  return `${known} catalog rules feed the ladder.`;
}

export { describeLoc };
export type { ScopePosture };
