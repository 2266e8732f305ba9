import { describe, expect, it } from 'vitest';
import { foldEntity, noRetainedCreateWarning } from '../../src/domain/fold.js';
import { createMockGenerator, createRandom, mockDeliveryId, mockUuid } from '../../src/domain/mock.js';
import type { FoldInput, JsonObject } from '../../src/domain/types.js';
import { parseWebhookBody } from '../../src/domain/validate.js';

const START_MS = Date.UTC(2026, 0, 1);

function generate(seed: number, count: number): JsonObject[] {
  let nowMs = START_MS;
  const generator = createMockGenerator({ seed, now: () => (nowMs += 1500) });
  return Array.from({ length: count }, () => generator.next());
}

describe('createMockGenerator', () => {
  it('is deterministic: same seed, same bodies; another seed, other bodies', () => {
    expect(generate(7, 300)).toEqual(generate(7, 300));
    expect(generate(8, 50)).not.toEqual(generate(7, 50));
  });

  it('does not change its bodies when delivery ids are drawn in between', () => {
    const generator = createMockGenerator({ seed: 7, now: () => START_MS });
    const mixed = Array.from({ length: 50 }, () => {
      generator.nextDeliveryId();
      return generator.next();
    });
    const plain = createMockGenerator({ seed: 7, now: () => START_MS });
    expect(mixed).toEqual(Array.from({ length: 50 }, () => plain.next()));
  });

  it('produces 2,000 bodies that all validate and fold without orphan or modified_fields warnings', () => {
    const bodies = generate(42, 2000);
    const byEntity = new Map<string, FoldInput[]>();
    const actions = new Map<string, number>();
    const types = new Set<string>();
    bodies.forEach((body, index) => {
      const raw = JSON.stringify(body);
      const parsed = parseWebhookBody(Buffer.from(raw));
      if (!parsed.ok) throw new Error(`body ${index} refused: ${parsed.message}\n${raw}`);
      const { event } = parsed;
      actions.set(event.action, (actions.get(event.action) ?? 0) + 1);
      types.add(event.entityType);
      if (event.action === 'create') expect(body['id']).toBeUndefined();
      else expect(body['id']).toBe(event.entityId);
      const list = byEntity.get(event.entityId) ?? [];
      list.push({ ...event, id: `evt${index}`, receivedAtMs: event.timeMs, deliveryId: null, raw });
      byEntity.set(event.entityId, list);
    });
    expect([...types].sort()).toEqual(['asset_version', 'component', 'note', 'project', 'task']);
    expect(actions.get('create')).toBeGreaterThan(100);
    expect(actions.get('update')).toBeGreaterThan(actions.get('create') ?? 0);
    expect(actions.get('delete')).toBeGreaterThan(10);

    let entitiesWithUpdates = 0;
    for (const events of byEntity.values()) {
      expect(events[0]?.action).toBe('create');
      const fold = foldEntity(events);
      // Every entity here was created by the generator, so the fold must find nothing to complain about.
      expect(fold.warnings).toEqual([]);
      expect(fold.warnings).not.toContain(noRetainedCreateWarning('update'));
      for (const event of fold.order) {
        if (event.action !== 'update') continue;
        entitiesWithUpdates++;
        // modified_fields lists exactly the fields whose value changed.
        const changed = fold.analysis.get(event.id)?.changes.map((change) => change.field) ?? [];
        expect([...(event.modifiedFields ?? [])].sort()).toEqual(changed);
      }
    }
    expect(entitiesWithUpdates).toBeGreaterThan(0);
  });

  it('stamps time with the injected clock as RFC 3339', () => {
    const generator = createMockGenerator({ seed: 1, now: () => Date.UTC(2026, 4, 6, 7, 8, 9, 10) });
    expect(generator.next()['time']).toBe('2026-05-06T07:08:09.010Z');
  });
});

describe('mock ids', () => {
  it('look like UUID v4 and webhook-ids, repeatably for a seed', () => {
    const random = createRandom(3);
    const ids = Array.from({ length: 200 }, () => mockUuid(random));
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(mockUuid(createRandom(3))).toBe(ids[0]);
    expect(mockDeliveryId(createRandom(3))).toMatch(/^msg_[0-9A-Za-z]{24}$/);
  });
});
