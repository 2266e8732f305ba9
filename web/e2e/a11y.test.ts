import AxeBuilder from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, postEvent, startTempServer, type TempServer } from './helpers.js';

/** What the views below need: an event, its entity, and where each server listens. */
interface Seed {
  open: string;
  auth: string;
  eventId: string;
  entityId: string;
}

/** One view of the dashboard to audit: where it is, how to tell it has rendered, and at which width. */
interface AuditedView {
  name: string;
  url: (seed: Seed) => string;
  /** Resolves once the view shows what it is about (not a loading state). */
  ready: (page: Page) => Promise<unknown>;
  widthPx?: number;
  /** Parts left out of the audit, each with the reason beside it (third-party markup we cannot change). */
  exclude?: string[];
}

const WIDE_PX = 1400;
const NARROW_PX = 1000;
/** The impacts that fail the audit (axe's "minor" and "moderate" are reported, not failed). */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Every view of the dashboard. A new view is one entry here (its URL and what shows it has rendered), so
 * the audit keeps covering the whole page as it grows.
 */
const VIEWS: AuditedView[] = [
  {
    name: 'stream with events',
    url: (s) => `${s.open}/dashboard/`,
    ready: (p) => p.getByTestId('stream-row').first().waitFor(),
    widthPx: NARROW_PX,
  },
  {
    name: 'stream, split view open',
    url: (s) => `${s.open}/dashboard/?sel=${encodeURIComponent(s.eventId)}`,
    ready: (p) => p.getByTestId('detail-pane').getByTestId('raw-body').waitFor(),
    widthPx: WIDE_PX,
  },
  {
    name: 'event detail',
    url: (s) => `${s.open}/dashboard/events/${encodeURIComponent(s.eventId)}`,
    ready: (p) => p.getByTestId('raw-body').waitFor(),
  },
  {
    name: 'entity view',
    url: (s) => `${s.open}/dashboard/entities/${encodeURIComponent(s.entityId)}`,
    ready: (p) => p.getByTestId('timeline-item').first().waitFor(),
  },
  {
    name: 'refused deliveries',
    url: (s) => `${s.open}/dashboard/rejections`,
    ready: (p) => p.getByTestId('rejection').first().waitFor(),
  },
  {
    name: 'event detail with deliveries',
    url: (s) => `${s.open}/dashboard/events/${encodeURIComponent(s.eventId)}`,
    ready: (p) => p.getByTestId('delivery').nth(1).waitFor(),
  },
  {
    name: 'schemas',
    url: (s) => `${s.open}/dashboard/schemas`,
    ready: (p) => p.getByTestId('schema-field').first().waitFor(),
  },
  {
    name: 'query (GraphiQL)',
    url: (s) => `${s.open}/graphiql`,
    ready: (p) =>
      p
        .getByRole('button', { name: /execute/i })
        .first()
        .waitFor(),
    // GraphiQL's own tab bar puts each tab's close button inside the tab (nested-interactive); that is
    // @graphiql/react's markup, which hookscope cannot restructure. Everything else on the page is audited.
    exclude: ['.graphiql-tabs'],
  },
  {
    name: 'not found',
    url: (s) => `${s.open}/dashboard/no/such/view`,
    ready: (p) => p.getByRole('heading', { name: 'Not found' }).waitFor(),
  },
  {
    name: 'sign-in page (AUTH_TOKEN set)',
    url: (s) => `${s.auth}/dashboard/`,
    ready: (p) => p.getByLabel(/Access token/).waitFor(),
  },
];

/** One violation as a person fixing it wants to read it: rule, impact, what it means, where. */
function describeViolation(violation: Result): string {
  const nodes = violation.nodes.map(
    (node) =>
      `    at ${node.target.join(' ')}\n      ${(node.failureSummary ?? '').replaceAll('\n', '\n      ')}`,
  );
  return `${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help}\n    ${violation.helpUrl}\n${nodes.join('\n')}`;
}

let browser: Browser;
let openServer: TempServer;
let authServer: TempServer;
let seed: Seed;

beforeAll(async () => {
  [openServer, authServer, browser] = await Promise.all([
    startTempServer(),
    startTempServer({ AUTH_TOKEN: 'a11y-audit-token-0123456789abcdef' }),
    launchBrowser(),
  ]);
  const entityId = 'a11y-task-1';
  await postEvent(openServer.url, {
    action: 'create',
    entity_type: 'task',
    time: '2024-05-01T10:00:00Z',
    payload: { id: entityId, name: 'first', tags: ['a', 'b'], owner: { id: 'u-1' } },
  });
  const eventId = await postEvent(openServer.url, {
    action: 'update',
    entity_type: 'task',
    id: entityId,
    time: '2024-05-01T11:00:00Z',
    modified_fields: ['name', 'missing_field'],
    payload: { name: 'second' },
  });
  const refused = await fetch(`${openServer.url}/webhooks/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      action: 'rename',
      entity_type: 'task',
      time: '2024-05-01T12:00:00Z',
      payload: {},
    }),
  });
  expect(refused.status).toBe(422);
  // Two answers in the event's Deliveries panel: one with a body, one that never came.
  for (const input of [
    { status: 500, durationMs: 12, responseBody: 'handler failed' },
    { status: null, durationMs: 3, error: 'connect ECONNREFUSED 127.0.0.1:3000' },
  ]) {
    const answer = await fetch(`${openServer.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation ($input: DeliveryInput!) { recordDelivery(input: $input) { id } }',
        variables: { input: { eventId, target: 'http://127.0.0.1:3000/webhook', ...input } },
      }),
    });
    expect(await answer.json()).toMatchObject({ data: { recordDelivery: { id: expect.any(String) } } });
  }
  seed = { open: openServer.url, auth: authServer.url, eventId, entityId };
});

afterAll(async () => {
  await Promise.all([browser?.close(), openServer?.dispose(), authServer?.dispose()]);
});

describe('accessibility audit (axe-core): no serious or critical violation in any view', () => {
  for (const view of VIEWS) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`${view.name}, ${colorScheme}`, async () => {
        // AxeBuilder needs a page of an explicit context (it opens a blank one of its own in it).
        const context = await browser.newContext({
          viewport: { width: view.widthPx ?? NARROW_PX, height: 800 },
          colorScheme,
        });
        const page = await context.newPage();
        try {
          await page.goto(view.url(seed));
          await view.ready(page);
          const builder = new AxeBuilder({ page });
          for (const selector of view.exclude ?? []) builder.exclude(selector);
          const results = await builder.analyze();
          const failing = results.violations.filter((v) => FAILING_IMPACTS.has(v.impact ?? ''));
          const others = results.violations.filter((v) => !FAILING_IMPACTS.has(v.impact ?? ''));
          if (others.length > 0)
            console.log(
              `${view.name}, ${colorScheme}: below the bar:\n${others.map(describeViolation).join('\n')}`,
            );
          expect(failing.map(describeViolation).join('\n\n')).toBe('');
          // The audit saw the view itself, not an empty page.
          expect(results.passes.length).toBeGreaterThan(5);
        } finally {
          await context.close();
        }
      });
    }
  }
});
