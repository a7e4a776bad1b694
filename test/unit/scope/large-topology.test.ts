/**
 * Merging a topology with very many computers (a SharpHound computers.json or an LDIF of a large
 * domain): every computer is placed, and the merge does not overflow the call stack (a spread into
 * push() did above about 120,000 items).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeTopology, readTopologyInput } from '../../../server/src/core';

const LDIF = ['dn: DC=corp,DC=example', 'objectClass: domain', '', 'dn: OU=Workstations,DC=corp,DC=example', 'objectClass: organizationalUnit', 'ou: Workstations', ''].join('\n');

test('200,000 computers are merged and placed in their OU', () => {
  const parts = readTopologyInput('big.ldf', Buffer.from(LDIF), { explicit: true });
  assert.ok(parts?.length === 1, 'the LDIF is a topology');
  const part = parts[0];
  part.computers = Array.from({ length: 200_000 }, (_, i) => ({ dn: `CN=PC${i},OU=Workstations,DC=corp,DC=example`, name: `PC${i}`, source: 'big.ldf' }));
  const topo = mergeTopology(parts);
  assert.equal(topo.namesComputers, true);
  const placed = [...topo.computers.values()].reduce((n, list) => n + list.length, 0);
  assert.equal(placed, 200_000);
});
