/** Registration entries (`.reg`, `Windows Registry Editor Version 5.00` / `REGEDIT4`). */
import { parseReg } from '../parsers/reg';
import { HEX8, regString, SEMICOLON_COMMENT } from './shared';
import type { FormatProvider } from './types';

const REG_HEADER = /^\s*(windows registry editor version 5\.00|regedit4)\s*$/i;

const data = (value: number | string) => (typeof value === 'number' ? `dword:${HEX8(value).toLowerCase()}` : regString(value));

export const regProvider: FormatProvider = {
  id: 'reg',
  formats: ['reg'],
  languageIds: ['reg'],
  extensions: ['reg'],
  parse: parseReg,
  valueSyntax: 'reg',
  writeValue: (_setting, _rule, value) => data(value),
  /** A paired value goes right after the anchor line, when it lives in the anchor's key. */
  insertValue(file, rule, value, anchor) {
    if (anchor.state === 'deleted' || anchor.deleteScope === 'key') return undefined;
    const loc = rule.locations.find((l) => l.hive === anchor.hive && l.key.toLowerCase() === anchor.key.toLowerCase());
    if (!loc) return undefined;
    return [{ start: anchor.span.end, end: anchor.span.end, newText: `${file.eol}${regString(loc.name)}=${data(value)}` }];
  },
  comment: SEMICOLON_COMMENT,
  editable: true,
  detect: [
    { order: 20, what: 'first line `Windows Registry Editor Version 5.00` or `REGEDIT4`, whatever the name', test: (c) => (REG_HEADER.test(c.firstLine) ? 'reg' : undefined) },
    { order: 40, what: 'extension .reg', test: (c) => (c.ext === 'reg' ? 'reg' : undefined) },
  ],
  completion: 'reg',
};
