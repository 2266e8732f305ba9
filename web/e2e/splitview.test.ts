import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, postEvent, screenshot, startTempServer, type TempServer } from './helpers.js';

const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 1000, height: 800 };
const TYPE = 'e2e_split';

let browser: Browser;
let server: TempServer;
/** The events posted before the tests, oldest first. */
const ids: string[] = [];

const row = (id: string): string => `[data-testid="stream-row"][data-event-id="${id}"]`;
const selectedId = (page: Page): Promise<string | null> =>
  page.locator('[data-testid="stream-row"][data-selected="true"]').getAttribute('data-event-id');
/** The event id the detail pane shows (from its "Event id" field). */
const paneEventId = (page: Page): Promise<string | null> =>
  page.getByTestId('detail-pane').locator('dl.meta dd code').first().textContent();
const here = (page: Page): string => {
  const url = new URL(page.url());
  return url.pathname + url.search;
};
const post = (n: number): Promise<string> =>
  postEvent(server.url, {
    action: 'create',
    entity_type: TYPE,
    time: new Date().toISOString(),
    payload: { id: `split-${n}`, n, name: `split event ${n}` },
  });

beforeAll(async () => {
  [server, browser] = await Promise.all([startTempServer(), launchBrowser()]);
  // Sequential: each is newer than the one before, so the stream's order is known.
  for (let n = 0; n < 80; n++) ids.push(await post(n));
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.dispose()]);
});

describe('split view on a wide screen', () => {
  it('selects, walks with j/k, keeps the selection while events stream in, and names it in a shareable URL', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    await page.goto(`${server.url}/dashboard/?type=${TYPE}`);
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    const third = ids[ids.length - 3] ?? '';
    await page.locator(row(third)).click();
    // The list stays; the detail opens beside it, and the URL keeps the filter.
    expect(here(page)).toBe(`/dashboard/?type=${TYPE}&sel=${third}`);
    await expect.poll(() => paneEventId(page)).toBe(third);
    expect(await page.getByTestId('detail-pane').getByTestId('raw-body').textContent()).toContain(
      `"split-${ids.length - 3}"`,
    );
    await expect.poll(() => selectedId(page)).toBe(third);

    await page.keyboard.press('j');
    const fourth = ids[ids.length - 4] ?? '';
    await expect.poll(() => paneEventId(page)).toBe(fourth);
    expect(await selectedId(page)).toBe(fourth);
    // Focus (and so the focus ring and Enter) moved with the selection, off the clicked row.
    expect(
      await page.evaluate(() =>
        document.activeElement?.closest('[data-event-id]')?.getAttribute('data-event-id'),
      ),
    ).toBe(fourth);
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    const second = ids[ids.length - 2] ?? '';
    await expect.poll(() => paneEventId(page)).toBe(second);
    await screenshot(page, 'split', { docs: true });

    // Events keep arriving on top; the selection, the pane and the URL stay where they were.
    const fresh = [await post(1000), await post(1001)];
    for (const id of fresh) await page.waitForSelector(row(id));
    expect(await page.locator('[data-testid="stream-row"]').first().getAttribute('data-event-id')).toBe(
      fresh[1],
    );
    expect(await selectedId(page)).toBe(second);
    expect(await paneEventId(page)).toBe(second);
    expect(here(page)).toBe(`/dashboard/?type=${TYPE}&sel=${second}`);
    // j walks from the selection, not from the top the new rows took.
    await page.keyboard.press('j');
    await expect.poll(() => paneEventId(page)).toBe(third);

    // The URL is the selection: a fresh page opened on it shows the same one.
    const shared = await browser.newPage({ viewport: WIDE });
    await shared.goto(page.url());
    await expect.poll(() => paneEventId(shared)).toBe(third);
    await expect.poll(() => selectedId(shared)).toBe(third);
    expect(await shared.getByLabel('Entity type').inputValue()).toBe(TYPE);
    await shared.close();

    // Enter opens the full page; Esc comes back to the split view with the same selection.
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/dashboard/events/${third}`);
    await page.getByTestId('raw-body').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.search === `?type=${TYPE}&sel=${third}`);
    await expect.poll(() => paneEventId(page)).toBe(third);
    // Esc clears the selection and closes the pane.
    await page.keyboard.press('Escape');
    await page.getByTestId('detail-pane').waitFor({ state: 'detached' });
    expect(here(page)).toBe(`/dashboard/?type=${TYPE}`);
    await page.close();
  });

  it('scrolls a selection outside the rendered rows into view, from a link and from the keyboard', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const oldest = ids[0] ?? '';
    // The oldest of 80 rows of 34 px is far below the fold, and not rendered until scrolled to.
    await page.goto(`${server.url}/dashboard/?type=${TYPE}&sel=${oldest}`);
    await expect.poll(() => paneEventId(page)).toBe(oldest);
    const inView = async (id: string): Promise<boolean> => {
      const list = await page.getByTestId('stream-list').boundingBox();
      const box = await page.locator(row(id)).boundingBox();
      return (
        list !== null && box !== null && box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1
      );
    };
    await expect.poll(() => inView(oldest)).toBe(true);
    // Walking up with k past the top of the viewport keeps the selected row on screen.
    for (let n = 0; n < 30; n++) await page.keyboard.press('k');
    const walkedTo = ids[30] ?? '';
    await expect.poll(() => selectedId(page)).toBe(walkedTo);
    await expect.poll(() => inView(walkedTo)).toBe(true);
    await expect.poll(() => paneEventId(page)).toBe(walkedTo);
    await page.close();
  });

  it('keeps the full-page detail on a narrow screen', async () => {
    const page = await browser.newPage({ viewport: NARROW });
    const id = ids[ids.length - 1] ?? '';
    await page.goto(`${server.url}/dashboard/?type=${TYPE}&sel=${id}`);
    // The shared selection is highlighted, but nothing opens beside the list.
    await expect.poll(() => selectedId(page)).toBe(id);
    expect(await page.getByTestId('detail-pane').count()).toBe(0);
    await page.locator(row(id)).click();
    await page.waitForURL(`**/dashboard/events/${id}`);
    await page.getByTestId('raw-body').waitFor();
    expect(await page.getByTestId('detail-pane').count()).toBe(0);
    // Widening the window opens the pane on the selection the URL names.
    await page.goBack();
    await page.waitForSelector(row(id));
    await page.setViewportSize(WIDE);
    await expect.poll(() => paneEventId(page)).toBe(id);
    await page.close();
  });
});
