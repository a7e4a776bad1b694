/**
 * Well-known SIDs have one list (core/sids.ts): security filtering, the names of SDDL trustees and the
 * anonymous-logon test of event 4624 all read it, and no other core file spells a SID.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SID, WELL_KNOWN_SIDS, wellKnownName, wellKnownSid } from '../../server/src/core/sids';
import { coversAll } from '../../server/src/core/policy/filtering';
import { trusteeOf } from '../../server/src/core/policy/security-descriptor';
import { eventKindOf } from '../../server/src/core/evidence/events';

const REPO = path.resolve(__dirname, '../../..');
const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';

test('the well-known list: SIDs, RIDs, names and the roles each group holds every computer of', () => {
  assert.deepEqual(
    WELL_KNOWN_SIDS.map((s) => [s.sid ?? `RID ${s.rid}`, s.name, (s.holdsEvery ?? []).join('+')]),
    [
      ['S-1-5-11', 'Authenticated Users', 'member+dc'],
      ['S-1-1-0', 'Everyone', 'member+dc'],
      ['RID 515', 'Domain Computers', 'member'],
      ['RID 516', 'Domain Controllers', 'dc'],
      ['S-1-5-9', 'Enterprise Domain Controllers', 'dc'],
      ['S-1-5-7', 'ANONYMOUS LOGON', ''],
    ],
  );
  assert.equal(wellKnownSid('s-1-5-11'), SID.authenticatedUsers);
  assert.equal(wellKnownSid(`${DOMAIN}-515`), SID.domainComputers);
  assert.equal(wellKnownSid(`${DOMAIN}-1105`), undefined);
  assert.equal(wellKnownSid('S-1-5-21-1-2-515'), undefined, 'a RID counts only under a full domain SID');
  assert.equal(wellKnownName('CORP\\domain computers'), SID.domainComputers);
  assert.equal(wellKnownName('Domain Computers Extra'), undefined);
});

test('security filtering: which trustees hold every computer of a role (by SID, by name only without a SID)', () => {
  const cases: [sid: string | undefined, name: string | undefined, member: boolean, dc: boolean][] = [
    ['S-1-5-11', undefined, true, true],
    ['S-1-1-0', 'Somebody', true, true],
    [`${DOMAIN}-515`, undefined, true, false],
    [`${DOMAIN}-516`, undefined, false, true],
    ['S-1-5-9', undefined, false, true],
    ['S-1-5-7', 'ANONYMOUS LOGON', false, false],
    [`${DOMAIN}-1105`, 'Authenticated Users', false, false],
    [undefined, 'NT AUTHORITY\\Authenticated Users', true, true],
    [undefined, 'CORP\\Domain Computers', true, false],
    [undefined, 'enterprise domain controllers', false, true],
    [undefined, 'Web Servers', false, false],
  ];
  for (const [sid, name, member, dc] of cases) {
    const t = { ...(sid ? { sid } : {}), ...(name ? { name } : {}) };
    assert.equal(coversAll(t, 'member'), member, `${sid} ${name} member`);
    assert.equal(coversAll(t, 'dc'), dc, `${sid} ${name} dc`);
  }
});

test('SDDL trustees are named from the file first, then from the list; other SIDs stay raw', () => {
  assert.deepEqual(trusteeOf('S-1-5-11'), { sid: 'S-1-5-11', name: 'Authenticated Users' });
  assert.deepEqual(trusteeOf(`${DOMAIN}-516`), { sid: `${DOMAIN}-516`, name: 'Domain Controllers' });
  assert.deepEqual(trusteeOf('S-1-5-9'), { sid: 'S-1-5-9' }, 'the fact base gives S-1-5-9 without a name');
  assert.deepEqual(trusteeOf(`${DOMAIN}-1105`), { sid: `${DOMAIN}-1105` });
  assert.deepEqual(trusteeOf('S-1-5-11', new Map([['S-1-5-11', 'Usuarios autentificados']])), { sid: 'S-1-5-11', name: 'Usuarios autentificados' });
});

test('event 4624: the anonymous logon is recognised by the listed SID or name', () => {
  const logon = (sid: string, name: string) =>
    eventKindOf({ eventId: 4624, channel: 'Security', data: [] })?.classify({
      eventId: 4624,
      channel: 'Security',
      data: [
        { name: 'AuthenticationPackageName', value: 'NTLM' },
        { name: 'LmPackageName', value: 'NTLM V1' },
        { name: 'TargetUserSid', value: sid },
        { name: 'TargetUserName', value: name },
      ],
    }).kind;
  assert.equal(logon(' S-1-5-7 ', 'x'), 'ignored');
  assert.equal(logon(`${DOMAIN}-1105`, 'anonymous logon'), 'ignored');
  assert.equal(logon(`${DOMAIN}-1105`, 'alice'), 'client');
});

test('no other core file spells a well-known SID or matches a group by its name', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith(path.join('core', 'sids.ts'))) {
        // Code only: comments may cite a SID, and catalog prose may name the groups.
        const code = fs.readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        if (/S-1-\d+-\d+/i.test(code)) offenders.push(`${path.relative(REPO, p)}: a SID`);
        if (!p.includes(`${path.sep}catalog${path.sep}`) && /\b(authenticated users|everyone|domain computers|enterprise domain controllers|anonymous logon)\b/i.test(code)) offenders.push(`${path.relative(REPO, p)}: a group name`);
      }
    }
  };
  walk(path.join(REPO, 'server/src'));
  assert.deepEqual(offenders, []);
});
