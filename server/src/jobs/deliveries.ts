import type { DeliveryRecorder } from '../domain/deliveries.js';
import { toStoredDelivery } from '../domain/deliveries.js';
import type { Live } from '../live/index.js';
import type { Clock } from '../shared/clock.js';
import type { LiveTopics } from '../live/topics.js';
import type { EventWriter } from '../store/types.js';

/** What the recorder needs. */
export interface DeliveryRecorderDeps {
  store: Pick<EventWriter, 'insertDelivery'>;
  live: Pick<Live<LiveTopics>, 'publish'>;
  /** The retention cut-off in force: an attempt of an expired event is not stored. */
  cutoffMs: () => number;
  newId: () => string;
  clock: Clock;
}

/** Creates the one recorder of delivery attempts: the CLI's reports, replays and FORWARD_TO all go here. */
export function createDeliveryRecorder({
  store,
  live,
  cutoffMs,
  newId,
  clock,
}: DeliveryRecorderDeps): DeliveryRecorder {
  return {
    async record(report) {
      const attemptedAtMs = report.attemptedAtMs ?? clock.now() - report.durationMs;
      const delivery = toStoredDelivery(newId(), { ...report, attemptedAtMs });
      if (!(await store.insertDelivery(delivery, cutoffMs()))) return null;
      // Published only after the commit, as every topic is: a reader never sees an attempt it cannot read back.
      live.publish('deliveryAdded', delivery);
      return delivery;
    },
  };
}
