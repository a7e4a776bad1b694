/**
 * LineIndex (server/src/core/text.ts): line starts as the LSP counts them (CRLF, LF and a lone CR
 * each end a line), whichever path builds them: native searches when every CR is part of a CRLF,
 * a character loop otherwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from '../../server/src/core/text';
import { seededRandom } from '../helpers/rng';

/** The line starts, character by character. */
function reference(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n') i++;
    if (c === '\r' || c === '\n') starts.push(i + 1);
  }
  return starts;
}

test('line starts: a table of line-break shapes', () => {
  const rows: [string, number[]][] = [
    ['', [0]],
    ['a', [0]],
    ['a\nb', [0, 2]],
    ['a\r\nb\r\n', [0, 3, 6]],
    ['\n\n', [0, 1, 2]],
    ['a\rb', [0, 2]],
    ['a\r', [0, 2]],
    ['\r\n\r', [0, 2, 3]],
    ['a\r\rb\n', [0, 2, 3, 5]],
    ['a\n\r\nb', [0, 2, 4]],
    ['a\r\n\nb\r', [0, 3, 4, 6]],
  ];
  for (const [text, starts] of rows) assert.deepEqual([...new LineIndex(text).lineStarts], starts, JSON.stringify(text));
});

test('line starts: random texts of CR, LF and letters agree with the character-by-character count', () => {
  const rnd = seededRandom(20261207);
  const alphabet = ['a', 'b', '\n', '\r\n', '\r\n', '\r'];
  for (let k = 0; k < 5000; k++) {
    const crOnly = k % 3 === 0;
    let text = '';
    const parts = Math.floor(rnd() * 60);
    for (let i = 0; i < parts; i++) {
      const p = alphabet[Math.floor(rnd() * (crOnly ? alphabet.length : alphabet.length - 1))];
      text += p;
    }
    assert.deepEqual([...new LineIndex(text).lineStarts], reference(text), JSON.stringify(text));
  }
  // Many short lines: more than the first guess of the line count holds.
  for (const eol of ['\n', '\r\n']) {
    const text = `x${eol}`.repeat(5000);
    assert.deepEqual([...new LineIndex(text).lineStarts], reference(text), `5,000 lines ending ${JSON.stringify(eol)}`);
  }
});
