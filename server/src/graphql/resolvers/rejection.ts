import type { RejectionResolvers } from '../generated.js';
import { msToDateTime } from '../../datetime.js';

/** Refused-delivery fields. */
export const Rejection: RejectionResolvers = {
  receivedAt: (rejection) => msToDateTime(rejection.receivedAtMs),
  raw: (rejection) => rejection.raw.toString('utf8'),
  rawTruncated: (rejection) => rejection.raw.length < rejection.rawBytes,
};
