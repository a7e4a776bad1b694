// The posture webview's page (client/src/postureHtml.ts): the server's page with one nonce added to
// its CSP script-src and the cell script before </body>, nothing else changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { addNonceToCsp, CELL_SCRIPT, messageHtml, PAGE_STYLE, webviewHtml } from '../../../client/src/postureHtml';
import { csp, SCRIPT } from '../../../server/src/core/posture/html';

const NONCE = 'AbCdEfGhIjKlMnOpQrStUvWx';
const page = (csp: string) => `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="${csp}">\n<title>t</title></head><body><p data-relaylint-cell="c1">x</p><script>${SCRIPT}</script>\n</body></html>\n`;

test('the nonce is added to script-src and style-src; the page hashes and every other directive stay', () => {
  const out = addNonceToCsp(page(csp()), NONCE);
  const hash = `'sha256-${createHash('sha256').update(SCRIPT, 'utf8').digest('base64')}'`;
  const expected = csp().split(';').map((d) => d.trim()).map((d) => (d.startsWith('script-src') || d.startsWith('style-src') ? `${d} 'nonce-${NONCE}'` : d)).join('; ');
  assert.ok(csp().includes(`script-src ${hash}`), 'the server page allows its script by hash');
  assert.equal(out, page(expected));
});

test('a policy without script-src gets one with the nonce only; no policy gets a strict one', () => {
  assert.equal(addNonceToCsp(page("default-src 'none'"), NONCE), page(`default-src 'none'; script-src 'nonce-${NONCE}'`));
  const bare = addNonceToCsp('<html><head><title>t</title></head><body></body></html>', NONCE);
  assert.equal(
    bare,
    `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${NONCE}'; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"><title>t</title></head><body></body></html>`,
  );
});

test('webviewHtml puts the cell script, with the nonce, just before the last </body>', () => {
  const src = page(csp());
  const out = webviewHtml(src, NONCE);
  const withNonce = addNonceToCsp(src, NONCE);
  const at = withNonce.lastIndexOf('</body>');
  assert.equal(out, withNonce.slice(0, at) + `<style nonce="${NONCE}">${PAGE_STYLE}</style><script nonce="${NONCE}">${CELL_SCRIPT}</script>` + withNonce.slice(at));
  assert.throws(() => webviewHtml(src, 'short'), /at least 16/);
  assert.equal(webviewHtml('<p>no body</p>', NONCE), `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${NONCE}'; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"><p>no body</p><style nonce="${NONCE}">${PAGE_STYLE}</style><script nonce="${NONCE}">${CELL_SCRIPT}</script>`);
});

test('the cell script posts {cell} only, and the message page escapes its text and runs no script', () => {
  assert.match(CELL_SCRIPT, /api\.postMessage\(\{cell:id\}\)/);
  assert.doesNotMatch(CELL_SCRIPT, /href|fetch|XMLHttpRequest|eval/);
  const m = messageHtml('T <x>', 'a "b" & <script>');
  assert.ok(m.includes('<p>a &quot;b&quot; &amp; &lt;script&gt;</p>') && m.includes("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
  assert.ok(!/<script/i.test(m));
});
