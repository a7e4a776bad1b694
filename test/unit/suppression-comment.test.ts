import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseInf } from '../../server/src/core/parsers/inf';

describe('security templates: relaylint comments are not format problems', () => {
  const table: [string, string[], string[]][] = [
    // [name, lines, expected problem texts (the span's text)]
    ['a relaylint comment only', ['[Registry Values]', '; relaylint-disable-next-line smb.server.require -- NAS', 'MACHINE\\A\\N=4,1'], []],
    ['an indented relaylint comment', ['[Registry Values]', '   ;relaylint-disable-next-line x -- y', 'MACHINE\\A\\N=4,1'], []],
    [
      'a relaylint comment, then another comment: the other one gets the hint',
      ['[Registry Values]', '; relaylint-disable-next-line smb.server.require -- NAS', '; hand-made', 'MACHINE\\A\\N=4,1'],
      ['; hand-made'],
    ],
    ['another comment first', ['; note', '[Registry Values]', 'MACHINE\\A\\N=4,1'], ['; note']],
    ['a comment that only mentions relaylint', ['[Registry Values]', '; checked by relaylint', 'MACHINE\\A\\N=4,1'], ['; checked by relaylint']],
  ];
  for (const [name, lines, expected] of table) {
    test(name, () => {
      const pf = parseInf(lines.join('\r\n'), 'utf-16le-bom');
      assert.deepEqual(
        pf.problems.map((p) => [p.code, p.severity, pf.text.slice(p.span!.start, p.span!.end)]),
        expected.map((t) => ['parse', 'hint', t]),
      );
      // The comment is still a comment (suppressions read it).
      assert.equal(pf.comments.length, lines.filter((l) => l.trim().startsWith(';')).length);
    });
  }
});
