// Event ids stamped by the database-clock ingest (receivedAtStamp 'database'): ULID-shaped (26 Crockford
// base32 characters, 48 bits of epoch ms first), with the event's sequence in the next 60 bits and 20
// random bits last. Within one millisecond ids then sort by sequence, and across milliseconds by time,
// which never goes back as sequence grows: (received_at, id) order is commit order on every replica, so
// the contract's keysets (received_at, id) and the committed stream (sequence) agree.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `value` in `length` base32 characters, most significant first. */
function base32(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

/** The id of the event stored at `receivedAtMs` with position `sequence` (see above). */
export function stampedEventId(receivedAtMs: number, sequence: bigint): string {
  const random = BigInt(Math.floor(Math.random() * 0x100000));
  return base32(BigInt(receivedAtMs), 10) + base32(sequence, 12) + base32(random, 4);
}
