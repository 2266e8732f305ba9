import type { RejectionResolvers } from '../generated.js';

/** Refused-delivery fields. */
export const Rejection: RejectionResolvers = {
  receivedAt: (rejection) => rejection.receivedAtMs,
  raw: (rejection) => rejection.raw.toString('utf8'),
  rawTruncated: (rejection) => rejection.raw.length < rejection.rawBytes,
};
