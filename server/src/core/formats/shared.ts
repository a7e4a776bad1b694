/** Value text helpers shared by the providers. */
import type { DetectContext } from './types';

/** The local name of the first element of an XML text, skipping the declaration, comments and a DOCTYPE. */
export function xmlRootName(head: string): string | undefined {
  let i = 0;
  const n = Math.min(head.length, 64 * 1024);
  while (i < n) {
    const lt = head.indexOf('<', i);
    if (lt < 0 || lt >= n) return undefined;
    const c = head[lt + 1];
    if (c === '?') {
      const e = head.indexOf('?>', lt + 2);
      if (e < 0) return undefined;
      i = e + 2;
    } else if (head.startsWith('<!--', lt)) {
      const e = head.indexOf('-->', lt + 4);
      if (e < 0) return undefined;
      i = e + 3;
    } else if (c === '!') {
      // DOCTYPE: skip to the first '>' that is not inside an internal subset.
      const bracket = head.indexOf('[', lt);
      const close = head.indexOf('>', lt);
      if (bracket >= 0 && bracket < close) {
        const e = head.indexOf(']>', bracket);
        if (e < 0) return undefined;
        i = e + 2;
      } else {
        if (close < 0) return undefined;
        i = close + 1;
      }
    } else {
      const m = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(head.slice(lt, lt + 256));
      return m ? m[2] : undefined;
    }
  }
  return undefined;
}

/** Whether detection should look at the XML root: an XML-like name, or text that starts with '<'. */
export const mayBeXml = (ctx: DetectContext) => ctx.ext === 'xml' || ctx.ext === 'backup' || ctx.head.trimStart().startsWith('<');

/** Detection order of the XML providers' root-element rows (after every name and header row). */
export const XML_ROOT_ORDER = 60;

export const HEX8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
export const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
export const regString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export const SEMICOLON_COMMENT = { line: (body: string) => `; ${body}`, reasonSeparator: '--' } as const;
export const XML_COMMENT = { line: (body: string) => `<!-- ${body} -->`, reasonSeparator: ':', prolog: /^\uFEFF?<\?xml\b[^>]*\?>/ } as const;
