/** Registry.pol (PReg) files built for tests: the header, then one record per [key, value, type, data]. */

const u16 = (s: string): Buffer => Buffer.from(s, 'utf16le');

/** A little-endian 32-bit number (a record's type and size, a REG_DWORD's data). */
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** A PReg file of these records [key, value name, type, data bytes] (version 1 unless given). */
export function preg(records: [string, string, number, Buffer][], version = 1): Buffer {
  const z = Buffer.from([0, 0]);
  const parts: Buffer[] = [Buffer.from('PReg', 'ascii'), u32(version)];
  for (const [k, v, t, d] of records) parts.push(u16('['), u16(k), z, u16(';'), u16(v), z, u16(';'), u32(t), u16(';'), u32(d.length), u16(';'), d, u16(']'));
  return Buffer.concat(parts);
}
