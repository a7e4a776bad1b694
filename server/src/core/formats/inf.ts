/** Security templates (`GptTmpl.inf`, secedit `.inf`): `MACHINE\…\Name=4,1` lines under `[Registry Values]`. */
import { parseInf } from '../parsers/inf';
import type { ParsedFile, TextEdit } from '../types';
import { SEMICOLON_COMMENT } from './shared';
import type { FormatProvider } from './types';

/** Edits that insert a value line under `[Registry Values]`, creating the section when needed. */
export function infInsertEdits(file: ParsedFile, line: string): TextEdit[] {
  const eol = file.eol;
  const section = file.sections?.find((s) => s.name.trim().toLowerCase() === 'registry values');
  if (section) return [{ start: section.span.end, end: section.span.end, newText: eol + line }];
  const text = file.text;
  const needsBreak = text.length > 0 && !/[\r\n]$/.test(text);
  return [{ start: text.length, end: text.length, newText: `${needsBreak ? eol : ''}[Registry Values]${eol}${line}${eol}` }];
}

const SECURITY_SECTIONS =
  /^\s*\[(registry values|system access|privilege rights|event audit|kerberos policy|service general setting|registry keys|file security|group membership|system log|security log|application log)\]\s*$/im;
const DRIVER_SECTIONS = /^\s*\[(manufacturer|sourcedisksfiles|sourcedisksnames|defaultinstall[^\]]*|strings\.[^\]]*)\]\s*$/im;

const data = (value: number | string) => (typeof value === 'number' ? `4,${value}` : `1,"${value}"`);

export const infProvider: FormatProvider = {
  id: 'inf',
  formats: ['inf'],
  languageIds: ['secedit-inf'],
  extensions: ['inf'],
  parse: parseInf,
  valueSyntax: 'inf',
  writeValue: (_setting, _rule, value) => data(value),
  insertValue(file, rule, value) {
    const loc = rule.locations[0];
    if (loc.hive !== 'HKLM') return undefined;
    return infInsertEdits(file, `MACHINE\\${loc.key}\\${loc.name}=${data(value)}`);
  },
  comment: SEMICOLON_COMMENT,
  editable: true,
  detect: [
    { order: 30, what: 'file name GptTmpl.inf', test: (c) => (c.base === 'gpttmpl.inf' ? 'inf' : undefined) },
    {
      order: 50,
      what: 'security template sections and no driver INF sections (.inf, .txt or no extension); any other .inf is not an export',
      test: (c) => {
        if (c.ext !== 'inf' && c.ext !== 'txt' && c.ext !== '') return undefined;
        if (SECURITY_SECTIONS.test(c.head) && !DRIVER_SECTIONS.test(c.head)) return 'inf';
        return c.ext === 'inf' ? 'unknown' : undefined;
      },
    },
  ],
  completion: 'inf',
};
