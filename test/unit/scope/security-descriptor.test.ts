/**
 * Security filtering from a GPMC backup's Backup.xml (scope-and-evidence.md §2.10, P10): the hex
 * bytes of the binary self-relative security descriptor, the DACL's ACEs that allow or deny the Apply
 * Group Policy right, SIDs named as the shared doc allows. Real corpus files, hand-built descriptors
 * with exact results, and properties over truncated, bogus and random input (never a throw; a
 * descriptor that does not hold together is refused with a problem, never read as "fewer trustees").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseBackupXml } from '../../../server/src/core/policy/identity';
import { applyTrusteesOfSd, sdBytesOfText, type SdReading } from '../../../server/src/core/policy/security-descriptor';
import { ace, APPLY, hex, le16, le32, sd, type AceSpec } from '../../helpers/sd';

const ROOT = join(__dirname, '..', '..', '..', '..');
const OTHER = join(ROOT, 'test', 'fixtures', 'other');
const OTHER_RIGHT = '00299570-246d-11d0-a768-00aa006e0529';

const AU = 'S-1-5-11';
const WEB = 'S-1-5-21-1-2-3-1108';
const allowApply = (sid: string, extra: Partial<AceSpec> = {}): AceSpec => ({ type: 5, flags: 2, mask: 0x100, sid, object: APPLY, ...extra });
const READ = (sid: string): AceSpec => ({ type: 0, flags: 2, mask: 0x20094, sid });

describe('real Backup.xml files of the corpus', () => {
  for (const file of ['hardenad-smb-signing-configuration__Backup.xml', 'sos-dod-ws2019-dc__Backup.xml']) {
    test(`${file}: Apply Group Policy is allowed to Authenticated Users only, nothing denied`, () => {
      const id = parseBackupXml(readFileSync(join(OTHER, file), 'utf8'));
      assert.deepEqual(id?.applyTrustees, { allow: [{ sid: 'S-1-5-11', name: 'Authenticated Users' }], deny: [], complete: true });
      assert.equal(id?.securityUnknown, undefined);
    });
  }
});

describe('which ACEs carry Apply Group Policy', () => {
  const cases: [string, AceSpec[], SdReading][] = [
    ['object ACE naming the Apply right, plus the Read ACE GPMC adds', [allowApply(WEB), READ(WEB)], { ok: true, allow: [{ sid: WEB }], deny: [] }],
    ['Authenticated Users and Domain Computers are named; other SIDs stay raw', [allowApply(AU), allowApply('S-1-5-21-1-2-3-515'), allowApply('S-1-5-21-1-2-3-516'), allowApply('S-1-1-0'), allowApply('S-1-5-9')], {
      ok: true,
      allow: [{ sid: AU, name: 'Authenticated Users' }, { sid: 'S-1-5-21-1-2-3-515', name: 'Domain Computers' }, { sid: 'S-1-5-21-1-2-3-516', name: 'Domain Controllers' }, { sid: 'S-1-1-0', name: 'Everyone' }, { sid: 'S-1-5-9' }],
      deny: [],
    }],
    ['a plain ACE with the control-access right grants every extended right, Apply included', [{ type: 0, mask: 0x100, sid: WEB }], { ok: true, allow: [{ sid: WEB }], deny: [] }],
    ['an object ACE without an object type grants every extended right', [{ type: 5, mask: 0x100, sid: WEB }], { ok: true, allow: [{ sid: WEB }], deny: [] }],
    ['generic all grants it too', [{ type: 0, mask: 0x10000000, sid: WEB }], { ok: true, allow: [{ sid: WEB }], deny: [] }],
    ['full control as GPMC writes it for admins (0x000F00FF) has no control-access bit', [{ type: 0, flags: 2, mask: 0x000f00ff, sid: 'S-1-5-21-1-2-3-512' }, allowApply(AU)], { ok: true, allow: [{ sid: AU, name: 'Authenticated Users' }], deny: [] }],
    ['an object ACE for another extended right does not count', [allowApply(WEB, { object: OTHER_RIGHT }), allowApply(AU)], { ok: true, allow: [{ sid: AU, name: 'Authenticated Users' }], deny: [] }],
    ['an inherit-only ACE does not apply to the GPO itself', [allowApply(WEB, { flags: 0x0a }), allowApply(AU)], { ok: true, allow: [{ sid: AU, name: 'Authenticated Users' }], deny: [] }],
    ['object type and inherited object type both present: the SID is read after both', [allowApply(WEB, { inherited: OTHER_RIGHT })], { ok: true, allow: [{ sid: WEB }], deny: [] }],
    ['deny object ACE', [allowApply(AU), { type: 6, mask: 0x100, sid: 'S-1-5-21-1-2-3-1109', object: APPLY }], { ok: true, allow: [{ sid: AU, name: 'Authenticated Users' }], deny: [{ sid: 'S-1-5-21-1-2-3-1109' }] }],
    ['the same SID twice is listed once', [allowApply(WEB), { type: 0, mask: 0x100, sid: WEB }], { ok: true, allow: [{ sid: WEB }], deny: [] }],
    ['an empty DACL allows no one', [], { ok: true, allow: [], deny: [] }],
    ['a callback (conditional) ACE granting Apply is not evaluated: refused', [{ type: 0x0b, mask: 0x100, sid: WEB, object: APPLY }], { ok: false, problem: 'ACE 1 allows Apply Group Policy to S-1-5-21-1-2-3-1108 under a condition (a callback ACE), which relaylint does not evaluate' }],
    ['audit ACEs and other types in the DACL are skipped', [{ type: 2, mask: 0x100, sid: WEB }, allowApply(AU)], { ok: true, allow: [{ sid: AU, name: 'Authenticated Users' }], deny: [] }],
  ];
  for (const [name, aces, want] of cases) test(name, () => assert.deepEqual(applyTrusteesOfSd(sd(aces)), want));

  test('names the backup gives for its SIDs (SecurityGroups) are used', () => {
    assert.deepEqual(applyTrusteesOfSd(sd([allowApply(WEB)]), new Map([[WEB, 'CORP\\Web Servers']])), { ok: true, allow: [{ sid: WEB, name: 'CORP\\Web Servers' }], deny: [] });
  });
});

describe('malformed descriptors: refused with a problem, never a crash', () => {
  const good = sd([allowApply(AU), READ(AU)]);
  const patch = (at: number, bytes: number[], base = good) => {
    const b = Uint8Array.from(base);
    b.set(bytes, at);
    return b;
  };
  const aclAt = 20;
  const aceAt = aclAt + 8;
  const cases: [string, Uint8Array, string][] = [
    ['shorter than the header', good.subarray(0, 10), 'the security descriptor is 10 bytes, shorter than its 20-byte header (truncated?)'],
    ['revision 2', patch(0, [2]), 'the security descriptor has revision 2 (expected 1)'],
    ['not self-relative', patch(2, [0x04, 0x1c]), 'the security descriptor is not in self-relative form'],
    ['no DACL (flag off)', patch(2, [0x00, 0x9c]), 'the security descriptor has no DACL, so who may apply the GPO is not stated in it'],
    ['a NULL DACL (offset 0)', patch(16, le32(0)), 'the security descriptor has no DACL, so who may apply the GPO is not stated in it'],
    ['a DACL offset past the end', patch(16, le32(0x7fffffff)), `the DACL offset 2147483647 lies outside the ${good.length}-byte descriptor`],
    ['a DACL offset inside the header', patch(16, le32(4)), `the DACL offset 4 lies outside the ${good.length}-byte descriptor`],
    ['ACL revision 3', patch(aclAt, [3]), 'the DACL has revision 3 (expected 2 or 4)'],
    ['an ACL size past the end', patch(aclAt + 2, le16(0xffff)), `the DACL claims 65535 bytes at offset 20, past the end of the ${good.length}-byte descriptor (truncated?)`],
    ['a huge ACE count', patch(aclAt + 4, le16(0xffff)), `the DACL claims 65535 ACEs, more than its ${good.length - 20} bytes can hold`],
    ['more ACEs claimed than present', patch(aclAt + 4, le16(3)), `ACE 3 of 3 starts at byte ${good.length}, past the end of the DACL`],
    ['an ACE size of zero', patch(aceAt + 2, le16(0)), 'ACE 1 of 2 claims 0 bytes at byte 28, outside the DACL'],
    ['an ACE size past the DACL', patch(aceAt + 2, le16(0x4000)), 'ACE 1 of 2 claims 16384 bytes at byte 28, outside the DACL'],
    ['a SID revision 7', patch(aceAt + 28, [7]), 'ACE 1: the SID at byte 56 has revision 7 (expected 1)'],
    ['a SID with 200 sub-authorities', patch(aceAt + 29, [200]), 'ACE 1: the SID at byte 56 claims 200 sub-authorities (at most 15)'],
    ['a SID running past its ACE', patch(aceAt + 29, [9]), 'ACE 1: the SID at byte 56 (9 sub-authorities) runs past its ACE'],
    ['an object ACE too short for its object type', patch(aceAt + 2, le16(16)), 'object ACE 1 at byte 28 is too short for its object type'],
  ];
  for (const [name, bytes, problem] of cases) test(name, () => assert.deepEqual(applyTrusteesOfSd(bytes), { ok: false, problem }));

  test('the Backup.xml text: empty, not hex, too long', () => {
    assert.equal(sdBytesOfText('  '), 'the SecurityDescriptor element is empty');
    assert.equal(sdBytesOfText('01 00 zz 9c'), 'the SecurityDescriptor text is not hex bytes (at byte 2: "zz")');
    assert.equal(sdBytesOfText('AQAEnA=='), 'the SecurityDescriptor text is not hex bytes (at byte 0: "AQ")');
    assert.equal(sdBytesOfText('0'.repeat(800_000)), 'the SecurityDescriptor text is 800000 characters long, more than any descriptor holds');
    assert.deepEqual([...(sdBytesOfText('01 00\n04 9C') as Uint8Array)], [1, 0, 4, 0x9c]);
    assert.deepEqual([...(sdBytesOfText('0100049c') as Uint8Array)], [1, 0, 4, 0x9c]);
  });

  test('a damaged descriptor in Backup.xml: security filtering unknown, with the reason', () => {
    const text = (sdHex: string) =>
      `<?xml version="1.0" encoding="utf-8"?><GroupPolicyBackupScheme xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations"><GroupPolicyObject><GroupPolicyCoreSettings><ID><![CDATA[{4f2a9b33-1c6d-4e8f-b0a2-7d5c9e1f3a24}]]></ID><SecurityDescriptor>${sdHex}</SecurityDescriptor><DisplayName><![CDATA[SEC - Servers]]></DisplayName></GroupPolicyCoreSettings></GroupPolicyObject></GroupPolicyBackupScheme>`;
    assert.deepEqual(parseBackupXml(text(hex(good.subarray(0, 60)))), {
      source: 'Backup.xml',
      guid: '{4F2A9B33-1C6D-4E8F-B0A2-7D5C9E1F3A24}',
      name: 'SEC - Servers',
      securityUnknown: `its Backup.xml SecurityDescriptor could not be read: the DACL claims ${good.length - 20} bytes at offset 20, past the end of the 60-byte descriptor (truncated?)`,
    });
    assert.deepEqual(parseBackupXml(text(hex(good)))?.applyTrustees, { allow: [{ sid: AU, name: 'Authenticated Users' }], deny: [], complete: true });
  });
});

describe('properties over hostile input', () => {
  const corpus = sdBytesOfText(/<SecurityDescriptor>([^<]*)</.exec(readFileSync(join(OTHER, 'hardenad-smb-signing-configuration__Backup.xml'), 'utf8'))?.[1] ?? '') as Uint8Array;
  let seed = 0x2545f491;
  const rnd = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const valid = (r: SdReading) => (r.ok ? Array.isArray(r.allow) && Array.isArray(r.deny) : typeof r.problem === 'string' && r.problem.length > 0);

  test('the corpus descriptor is whole: every proper prefix is refused, never read as fewer trustees', () => {
    assert.equal(corpus.length, 256);
    for (let n = 0; n < corpus.length; n++) assert.equal(applyTrusteesOfSd(corpus.subarray(0, n)).ok, false, `prefix of ${n} bytes`);
    assert.deepEqual(applyTrusteesOfSd(corpus), { ok: true, allow: [{ sid: AU, name: 'Authenticated Users' }], deny: [] });
  });

  test('bogus offsets, sizes and counts anywhere in the header, the ACL and the ACE headers: a reading or a problem, never a throw', () => {
    const fields = [16, 22, 24, 28 + 2, 28 + 4, 28 + 41];
    for (let i = 0; i < 4000; i++) {
      const b = Uint8Array.from(corpus);
      const at = fields[rnd(fields.length)];
      b.set(le32(rnd(2) ? rnd(0x10000) : rnd(0x7fffffff)).slice(0, at >= 22 && at <= 30 ? 2 : 4), at);
      assert.ok(valid(applyTrusteesOfSd(b)));
    }
  });

  test('random byte flips and random buffers: a reading or a problem, never a throw', () => {
    for (let i = 0; i < 4000; i++) {
      const b = Uint8Array.from(corpus);
      for (let k = rnd(8) + 1; k > 0; k--) b[rnd(b.length)] = rnd(256);
      assert.ok(valid(applyTrusteesOfSd(b.subarray(0, rnd(b.length + 1)))));
      const r = Uint8Array.from({ length: rnd(300) }, () => rnd(256));
      if (r.length > 3) r.set([1, 0, 0x04, 0x80]);
      assert.ok(valid(applyTrusteesOfSd(r)));
    }
  });

  test('a descriptor of 8,000 minimal ACEs (a full 64 KB ACL) is read in one bounded pass', () => {
    const one = ace({ type: 0, mask: 0x20094, sid: 'S-1-1-0' }).slice(0, 8);
    one[2] = 8;
    // 8-byte ACEs with a truncated SID: the first is refused, the loop never runs past the buffer.
    const body = Array.from({ length: 8000 }, () => one).flat();
    const b = Uint8Array.from([1, 0, 0x04, 0x9c, ...le32(0), ...le32(0), ...le32(0), ...le32(20), 4, 0, ...le16(8 + body.length), ...le16(8000), 0, 0, ...body]);
    assert.deepEqual(applyTrusteesOfSd(b), { ok: false, problem: 'ACE 1: a SID at byte 36 runs past its ACE' });
    const audit = body.map((x, i) => (i % 8 === 0 ? 2 : x));
    const c = Uint8Array.from([1, 0, 0x04, 0x9c, ...le32(0), ...le32(0), ...le32(0), ...le32(20), 4, 0, ...le16(8 + audit.length), ...le16(8000), 0, 0, ...audit]);
    assert.deepEqual(applyTrusteesOfSd(c), { ok: true, allow: [], deny: [] });
  });
});
