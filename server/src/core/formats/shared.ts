/** Value text helpers shared by the providers. */
export const HEX8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
export const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
export const regString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export const SEMICOLON_COMMENT = { line: (body: string) => `; ${body}`, reasonSeparator: '--' } as const;
export const XML_COMMENT = { line: (body: string) => `<!-- ${body} -->`, reasonSeparator: ':' } as const;
