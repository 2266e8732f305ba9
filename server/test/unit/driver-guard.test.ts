import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isDriverConnectionLoss } from '../../src/store/pg/driver-guard.js';

describe('the driver guard', () => {
  it('knows a refused connection (the socket error itself) and the driver’s lost-connection codes', async () => {
    // A real refused connect: port 1 on loopback has no listener.
    const refused = await new Promise<Error>((resolve) => connect(1, '127.0.0.1').once('error', resolve));
    expect(isDriverConnectionLoss(refused)).toBe(true);
    const closed = Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' });
    expect(isDriverConnectionLoss(closed)).toBe(true);
  });

  it('leaves every other error to crash the process as usual', () => {
    expect(isDriverConnectionLoss(new Error('boom'))).toBe(false);
    expect(isDriverConnectionLoss(new TypeError("Cannot read properties of null (reading 'x')"))).toBe(false);
    // A constraint violation from PostgreSQL (SQLSTATE) is a bug to see, not a restart.
    expect(isDriverConnectionLoss(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDriverConnectionLoss('ECONNREFUSED')).toBe(false);
  });
});
