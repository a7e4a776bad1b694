/**
 * The relevance prefilter (`mayBeKnownName`, issue 10: less CPU per value) must never drop a value
 * a rule knows. For every catalog location, every spelling the parsers accept (value name and key in
 * any case, a Kelvin sign for "k", the hive prefixes of each format, the policy key and the service
 * Parameters key as the catalog lists them) still produces its setting in `relevant` mode, in every
 * format: security template, .reg, Registry.pol, GPP Registry.xml. And the filter itself agrees with
 * the plain test on the known names and on names around them.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { isRelayRelevant, mayBeKnownName, ruleForValue, ruleOf, settingRules } from '../../server/src/core/catalog';
import { cleanKey, cleanKeyIsLower, valueId } from '../../server/src/core/keys';
import { parseBytes, parseText } from '../../server/src/core/parse';
import type { Hive, ParsedFile } from '../../server/src/core/types';
import { preg, u32 } from '../helpers/preg';

const LOCATIONS = settingRules.flatMap((r) => r.locations.map((l) => ({ rule: r.id, ...l })));
const KNOWN = new Set(LOCATIONS.map((l) => l.name.toLowerCase()));

function swapCase(s: string): string {
  return [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Spellings of one name or key that Windows treats as the same (case-insensitive). */
function spellings(s: string): string[] {
  const out = new Set([s, s.toLowerCase(), s.toUpperCase(), swapCase(s)]);
  // U+212A KELVIN SIGN lower-cases to "k": JavaScript's toLowerCase (the catalog's key) folds it.
  if (/k/i.test(s)) out.add(s.replace(/k/i, '\u212a'));
  return [...out];
}

test('mayBeKnownName: true for every known name in every spelling; false only where the plain test is false', () => {
  assert.ok(LOCATIONS.length >= 50, `catalog locations: ${LOCATIONS.length}`);
  for (const l of LOCATIONS) for (const name of spellings(l.name)) assert.equal(mayBeKnownName(name), true, name);
  const probes = ['', 'a', 'x'.repeat(40), 'SMB', 'Start ', ' Start', 'Starts', 'Star', 'İ', 'İnable', '\u212aey', 'NoLMHash\u0000', 'requiresecuritysignaturE', 'RequireSecuritySignatur'];
  for (const l of LOCATIONS) probes.push(l.name.slice(1), l.name + 'x', `x${l.name.slice(1)}`, l.name.replace(/./, '\u00e9'));
  // A first character outside ASCII goes to the full test (no catalog name starts with "k" today,
  // the one letter with a non-ASCII capital form, U+212A, so this is for the names still to come).
  for (const name of ['\u212aerberos', '\u212a', '\u00e9', '\u0130x']) assert.equal(mayBeKnownName(name), true, JSON.stringify(name));
  for (const name of probes) {
    const plain = KNOWN.has(name.toLowerCase());
    if (!mayBeKnownName(name)) assert.equal(plain, false, `filtered out a known name: ${JSON.stringify(name)}`);
    if (plain) assert.equal(mayBeKnownName(name), true, JSON.stringify(name));
  }
});

test('isRelayRelevant and ruleOf: every catalog location in every spelling of key and name', () => {
  for (const l of LOCATIONS) {
    for (const key of spellings(l.key)) {
      for (const name of spellings(l.name)) {
        const s = { hive: l.hive as Hive, key, name, state: 'set' };
        assert.equal(isRelayRelevant(s), true, `${key}\\${name}`);
        assert.equal(ruleOf({ ...s })?.id, settingRules.find((r) => r.locations.some((x) => x.key.toLowerCase() === l.key.toLowerCase() && x.name.toLowerCase() === l.name.toLowerCase()))?.id, `${key}\\${name}`);
        assert.equal(isRelayRelevant({ ...s, name: `${name}X` }), false);
      }
    }
  }
});

test('ruleForValue, ruleOf and isRelayRelevant answer as the lookup by the lower-cased value id, for keys around each known one', () => {
  // The plain lookup: valueId of every location, the last rule listed for an id.
  const plain = new Map<string, string>();
  for (const r of settingRules) for (const l of r.locations) plain.set(valueId(l.hive, l.key, l.name), r.id);
  const hives: Hive[] = ['HKLM', 'HKCU', 'HKU'];
  let asked = 0;
  for (const l of LOCATIONS) {
    const keys = [
      ...spellings(l.key),
      `\\${l.key}`,
      `${l.key}\\`,
      `\\\\${l.key}\\\\`,
      l.key.replace(/\\/g, '\\\\'),
      l.key.replace(/\\/, '\\\\\\'),
      l.key.slice(0, -1),
      `${l.key}x`,
      `${l.key}\\x`,
      l.key.replace(/\\[^\\]*$/, ''),
      l.key.replace(/s/i, '\u017f'), // LATIN SMALL LONG S: upper-cases to S, lower-cases to itself
      l.key.replace(/i/i, '\u0130'), // lower-cases to two characters
      l.key.replace(/\\/, '\u00e9\\'),
      '',
      '\\',
    ];
    for (const hive of hives) {
      for (const key of keys) {
        for (const name of [l.name, l.name.toUpperCase(), `${l.name}x`]) {
          const want = plain.get(valueId(hive, key, name));
          assert.equal(ruleForValue(hive, key, name)?.id, want, `${hive} ${JSON.stringify(key)} ${name}`);
          assert.equal(ruleOf({ hive, key, name })?.id, want, `${hive} ${JSON.stringify(key)} ${name}`);
          assert.equal(isRelayRelevant({ hive, key, name, state: 'set' }), want !== undefined, `${hive} ${JSON.stringify(key)} ${name}`);
          asked++;
        }
      }
    }
  }
  assert.ok(asked > 5000, `asked ${asked}`);
});

test('cleanKeyIsLower answers as cleanKey(key).toLowerCase() === lower, and gives up on characters outside ASCII', () => {
  const rows: [string, string, boolean | undefined][] = [
    ['System\\CurrentControlSet', 'system\\currentcontrolset', true],
    ['\\\\System\\\\\\CurrentControlSet\\', 'system\\currentcontrolset', true],
    ['System\\CurrentControlSet', 'system\\currentcontrolse', false],
    ['System\\CurrentControlSe', 'system\\currentcontrolset', false],
    ['System\\Current', 'system\\currentcontrolset', false],
    ['', '', true],
    ['\\\\', '', true],
    ['A\\B', 'a\\\\b', false],
    ['Syst\u00e9m', 'syst\u00e9m', undefined],
    ['X\u212a', 'xk', undefined],
    ['Other\u212a', 'system', false],
  ];
  for (const [key, lower, want] of rows) {
    assert.equal(cleanKeyIsLower(key, lower), want, JSON.stringify([key, lower]));
    if (want !== undefined) assert.equal(cleanKey(key).toLowerCase() === lower, want, `the table row ${JSON.stringify(key)} agrees with cleanKey`);
  }
});

test('ruleForValue agrees with the value-id lookup on 20,000 random edits of catalog keys', () => {
  const plain = new Map<string, string>();
  for (const r of settingRules) for (const l of r.locations) plain.set(valueId(l.hive, l.key, l.name), r.id);
  // A fixed generator: the same keys on every run.
  let seed = 20261207;
  const rnd = (n: number) => {
    // mulberry32: every bit varies (the low bits of a plain LCG repeat with a short period).
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pieces = ['\\', '\\\\', 'a', 'K', 'k', '\u212a', '\u017f', '\u0130', '\u00e9', 'S', 's', '|', ' ', ''];
  let hits = 0;
  for (let n = 0; n < 20_000; n++) {
    const l = LOCATIONS[rnd(LOCATIONS.length)];
    let key = rnd(2) ? l.key : l.key.toUpperCase();
    for (let e = rnd(3); e > 0; e--) {
      // Half the edits at a separator or an end, where an edit may keep the key the same value.
      const seps = [0, key.length, ...[...key].flatMap((c, i) => (c === '\\' ? [i, i + 1] : []))];
      const at = rnd(2) ? seps[rnd(seps.length)] : rnd(key.length + 1);
      const cut = rnd(4) === 0 ? 1 : 0;
      key = key.slice(0, at) + pieces[rnd(pieces.length)] + key.slice(at + cut);
    }
    const name = rnd(3) ? l.name : l.name.toLowerCase();
    const want = plain.get(valueId(l.hive as Hive, key, name));
    if (want) hits++;
    assert.equal(ruleForValue(l.hive as Hive, key, name)?.id, want, JSON.stringify(key));
  }
  // Both kinds of answer were asked for.
  assert.ok(hits > 2000 && hits < 18_000, `hits ${hits}`);
});

/** The (key, name) of each setting a relevant-mode parse kept, lower-cased. */
function kept(file: ParsedFile): string[] {
  return file.settings.map((s) => `${s.hive}\\${s.key}|${s.name}`.toLowerCase());
}

function expected(hive: Hive, key: string, name: string): string {
  return `${hive}\\${key.replace(/\\{2,}/g, '\\').replace(/^\\+|\\+$/g, '')}|${name}`.toLowerCase();
}

function utf16bom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** A Registry.pol of these values, each REG_DWORD 1. */
function pregDwords(records: [string, string][]): Buffer {
  return preg(records.map(([k, v]): [string, string, number, Buffer] => [k, v, 4, u32(1)]));
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

test('every format keeps every catalog location in every spelling (relevant mode = the full parse, filtered)', () => {
  const variants: { key: string; name: string }[] = [];
  for (const l of LOCATIONS) {
    if (l.hive !== 'HKLM') continue;
    for (const key of spellings(l.key)) for (const name of spellings(l.name)) variants.push({ key, name });
    // Doubled and trailing separators are the same key (cleanKey).
    variants.push({ key: `${l.key.replace(/\\/, '\\\\')}\\`, name: l.name });
  }
  // One unrelated value between each known one, so the filter has something to drop.
  const noise = { key: 'Software\\Corp\\App', name: 'RequireSecuritySignaturX' };
  // A template line splits the path at its last "\\", so a value name with a backslash (the
  // hardened UNC paths) cannot be written there: those go through the other formats.
  const infVariants = variants.filter((v) => !v.name.includes('\\'));
  const cases: { what: string; parse: (relevant: boolean) => ParsedFile; variants: { key: string; name: string }[] }[] = [];
  for (const prefix of ['MACHINE', 'machine', 'Machine']) {
    cases.push({
      what: `GptTmpl.inf ${prefix}\\`,
      variants: infVariants,
      parse: (relevant) => {
        const lines = ['[Unicode]', 'Unicode=yes', '[Registry Values]'];
        for (const v of [...infVariants, noise]) lines.push(`${prefix}\\${v.key}\\${v.name}=4,1`, `${prefix}\\${noise.key}\\${noise.name}=4,1`);
        lines.push('[Version]', 'signature="$CHICAGO$"', 'Revision=1', '');
        return parseBytes('GptTmpl.inf', utf16bom(lines.join('\r\n')), relevant ? { settings: 'relevant' } : undefined);
      },
    });
  }
  for (const hive of ['HKEY_LOCAL_MACHINE', 'HKLM', 'hkey_local_machine']) {
    cases.push({
      what: `.reg ${hive}`,
      variants,
      parse: (relevant) => {
        const lines = ['Windows Registry Editor Version 5.00', ''];
        for (const v of variants) lines.push(`[${hive}\\${v.key}]`, `"${v.name.replace(/\\/g, '\\\\')}"=dword:00000001`, `[${hive}\\${noise.key}]`, `"${noise.name}"=dword:00000001`, '');
        return parseText('x.reg', lines.join('\r\n'), 'utf-8', undefined, relevant ? { settings: 'relevant' } : undefined);
      },
    });
    cases.push({
      what: `GPP Registry.xml hive="${hive}"`,
      variants,
      parse: (relevant) => {
        const items = [...variants, noise].map(
          (v, i) =>
            `<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="${i}" uid="{00000000-0000-0000-0000-${String(i).padStart(12, '0')}}"><Properties action="U" hive="${hive}" key="${xmlEscape(v.key)}" name="${xmlEscape(v.name)}" type="REG_DWORD" value="00000001"/></Registry>`,
        );
        const text = `<?xml version="1.0" encoding="utf-8"?>\r\n<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">${items.join('\r\n')}</RegistrySettings>`;
        return parseBytes('Machine/Preferences/Registry/Registry.xml', Buffer.from(text, 'utf8'), relevant ? { settings: 'relevant' } : undefined);
      },
    });
  }
  cases.push({
    what: 'Machine/Registry.pol',
    variants,
    parse: (relevant) => {
      const records: [string, string][] = [];
      for (const v of variants) records.push([v.key, v.name], [noise.key, noise.name]);
      return parseBytes('Machine/Registry.pol', pregDwords(records), relevant ? { settings: 'relevant' } : undefined);
    },
  });
  for (const c of cases) {
    const full = c.parse(false);
    const relevant = c.parse(true);
    assert.deepEqual(
      relevant.problems.filter((p) => p.severity === 'error').map((p) => p.message),
      [],
      `${c.what}: no error (the spellings repeat values, so duplicates and the HKLM abbreviation are warnings)`,
    );
    const want = c.variants.map((v) => expected('HKLM', v.key, v.name));
    assert.deepEqual(kept(relevant), want, `${c.what}: every spelling kept, nothing else`);
    assert.deepEqual(kept(relevant), kept({ ...full, settings: full.settings.filter(isRelayRelevant) }), c.what);
    assert.ok(full.settings.length > relevant.settings.length, `${c.what}: the noise was parsed and dropped`);
    for (const s of relevant.settings) assert.ok(ruleOf(s), `${c.what}: ${s.key}\\${s.name} has its rule`);
  }
});

test('Registry.pol view: each record line starts with its byte offset as 0x and 8 upper-case hex digits', () => {
  const records: [string, string][] = [];
  // Long keys push the offsets past 0xFF, 0xFFFF and 0xFFFFF, so every digit position is used.
  for (let i = 0; i < 300; i++) records.push([`Software\\Corp\\${'K'.repeat(i * 12)}`, `V${i}`]);
  const file = parseBytes('Machine/Registry.pol', pregDwords(records));
  assert.equal(file.settings.length, 300);
  for (const s of file.settings) {
    const line = file.text.slice(s.span.start, s.span.end);
    assert.equal(line.slice(0, 11), `@0x${s.offset!.toString(16).toUpperCase().padStart(8, '0')}`, line.slice(0, 40));
  }
  assert.ok(file.settings[299].offset! > 0xfffff, `last offset ${file.settings[299].offset}`);
});
