import type { DeliveryResolvers } from '../generated.js';

/** Delivery attempt fields, read from the stored attempt. */
export const Delivery: DeliveryResolvers = {
  attemptedAt: (delivery) => delivery.attemptedAtMs,
};
