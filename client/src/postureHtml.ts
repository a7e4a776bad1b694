/**
 * The posture page as the webview shows it: the server's page, unchanged except for one script.
 * Pure (no `vscode`), so the unit tests can check it byte for byte.
 *
 * The page carries its own Content-Security-Policy (default-src 'none', its one style and one script
 * allowed by SHA-256 hashes). The webview keeps that policy and only adds a nonce to `script-src`, so
 * the page's hashed script keeps working and the injected script (the only other one allowed) tells
 * the extension which cell was followed: `{cell: id}` for a click, or Enter / Space, on an element
 * with `data-relaylint-cell`. The page never names a file: the extension opens the line the server
 * listed for that id.
 */

/** The attribute on elements of the page that stand for a deciding line. */
export const CELL_ATTRIBUTE = 'data-relaylint-cell';

/**
 * The script injected with the nonce. `acquireVsCodeApi` is the webview's own bridge. Elements with
 * a cell id become keyboard reachable links (a tab stop and role=link unless they already are).
 */
export const CELL_SCRIPT = `(function(){
var api=acquireVsCodeApi();var A='${CELL_ATTRIBUTE}';
function cellOf(t){var e=t&&t.closest?t.closest('['+A+']'):null;return e?e.getAttribute(A):null;}
document.querySelectorAll('['+A+']').forEach(function(e){
 if(!/^(A|BUTTON|SUMMARY)$/.test(e.tagName)&&!e.hasAttribute('tabindex'))e.setAttribute('tabindex','0');
 if(!e.hasAttribute('role')&&e.tagName!=='A'&&e.tagName!=='BUTTON')e.setAttribute('role','link');
 if(!e.hasAttribute('title'))e.setAttribute('title','Open the deciding line in the editor');
});
document.addEventListener('click',function(ev){var id=cellOf(ev.target);if(id===null)return;ev.preventDefault();api.postMessage({cell:id});});
document.addEventListener('keydown',function(ev){if(ev.key!=='Enter'&&ev.key!==' ')return;var id=cellOf(ev.target);if(id===null||ev.target.tagName==='A'||ev.target.tagName==='BUTTON')return;ev.preventDefault();api.postMessage({cell:id});});
})();`;

const CSP_META = /<meta\s[^>]*http-equiv\s*=\s*["']?Content-Security-Policy["']?[^>]*>/i;
const CONTENT_ATTR = /(\scontent\s*=\s*)(?:(")([^"]*)"|(')([^']*)')/i;

/**
 * The page is drawn dark on light (its :root sets --fg and --bg), but VS Code's default webview styles
 * colour the body with the theme's colours: light text on the page's white background in a dark
 * theme. This style (allowed by the same nonce) gives the body the page's own colours back.
 */
export const PAGE_STYLE = 'body{color:var(--fg,#111);background:var(--bg,#fff)}';

/**
 * Adds `'nonce-<nonce>'` to the `script-src` (and to an existing `style-src`) of the page's CSP meta (or a `script-src` with only the
 * nonce when the policy has none, which keeps every other script of the page blocked as before).
 * A page without a CSP meta gets a strict one (no network, inline styles, the nonce'd script only).
 */
export function addNonceToCsp(html: string, nonce: string): string {
  const token = `'nonce-${nonce}'`;
  const meta = CSP_META.exec(html);
  if (!meta) {
    const strict = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src ${token}; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'">`;
    const head = /<head[^>]*>/i.exec(html);
    return head ? html.slice(0, head.index + head[0].length) + strict + html.slice(head.index + head[0].length) : strict + html;
  }
  const attr = CONTENT_ATTR.exec(meta[0]);
  // a CSP meta without a readable policy: replace it with the strict one
  if (!attr) return addNonceToCsp(html.slice(0, meta.index) + html.slice(meta.index + meta[0].length), nonce);
  const quote = attr[2] ?? attr[4];
  const directives = (attr[3] ?? attr[5]).split(';').map((d) => d.trim()).filter(Boolean);
  const i = directives.findIndex((d) => /^script-src(\s|$)/i.test(d));
  if (i >= 0) directives[i] = `${directives[i]} ${token}`;
  else directives.push(`script-src ${token}`);
  const j = directives.findIndex((d) => /^style-src(\s|$)/i.test(d));
  if (j >= 0) directives[j] = `${directives[j]} ${token}`;
  const newMeta = meta[0].slice(0, attr.index) + `${attr[1]}${quote}${directives.join('; ')}${quote}` + meta[0].slice(attr.index + attr[0].length);
  return html.slice(0, meta.index) + newMeta + html.slice(meta.index + meta[0].length);
}

/** The page with the nonce in its CSP, the body colour style, and the cell script just before `</body>` (or at the end). */
export function webviewHtml(html: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('the nonce must be at least 16 base64 characters');
  const page = addNonceToCsp(html, nonce);
  const script = `<style nonce="${nonce}">${PAGE_STYLE}</style><script nonce="${nonce}">${CELL_SCRIPT}</script>`;
  const end = page.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
  return end >= 0 ? page.slice(0, end) + script + page.slice(end) : page + script;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A small page for when the posture cannot be shown (no script at all). */
export function messageHtml(title: string, text: string): string {
  const e = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]);
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<title>${e(title)}</title></head><body style="font-family:var(--vscode-font-family);padding:1rem">` +
    `<h1 style="font-size:1.2rem">${e(title)}</h1><p>${e(text)}</p></body></html>`
  );
}
