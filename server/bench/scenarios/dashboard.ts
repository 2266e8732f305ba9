import { execSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { packageRoot } from '../../src/shared/paths.js';
import type { Scenario } from '../context.js';
import { SAMPLE_BODY, sleep, startHookscope } from '../lib.js';
import { round } from '../report.js';

/** What the browser's long-task observer saw while events arrived at one rate. */
interface LongTasks {
  posted: number;
  count: number;
  maxMs: number;
}

/** The dashboard's initial JavaScript budget, gzipped (docs/dashboard.md, "Speed"). */
const INITIAL_BUDGET_KB = 250;

/**
 * Size of the JS and CSS the dashboard's page loads first (what index.html names), raw and gzipped at
 * level 9. Only those: dist/web also holds the views loaded on first use and the query IDE's page
 * (GraphiQL and Monaco, megabytes that the dashboard never loads).
 */
function bundleBytes(): { gzipBytes: number; rawBytes: number } {
  if (!existsSync(join(packageRoot, 'dist/web/index.html')))
    execSync('npm run build:web', { cwd: packageRoot, stdio: 'inherit' });
  const webRoot = join(packageRoot, 'dist/web');
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const [, file] of html.matchAll(/(?:src|href)="\/dashboard\/(assets\/[^"]+\.(?:js|css))"/g)) {
    const content = readFileSync(join(webRoot, file as string));
    rawBytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { gzipBytes, rawBytes };
}

/** Opens the dashboard and POSTs `ratePerS` events for `durationS`, recording the page's long tasks. */
async function measure(
  browser: Browser,
  url: string,
  ratePerS: number,
  durationS: number,
): Promise<LongTasks> {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${url}/dashboard/`, { waitUntil: 'networkidle' });
  await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
  const started = performance.now();
  let posted = 0;
  while (performance.now() - started < durationS * 1_000) {
    const due = Math.floor(((performance.now() - started) / 1_000) * ratePerS);
    const batch: Promise<unknown>[] = [];
    for (; posted < due; posted++) {
      batch.push(
        fetch(`${url}/webhooks/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: SAMPLE_BODY,
        }),
      );
    }
    await Promise.all(batch);
    await sleep(10);
  }
  await sleep(500);
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  await page.close();
  return { posted, count: longTasks.length, maxMs: longTasks.length ? Math.max(...longTasks) : 0 };
}

/** The bundle's size, and the long tasks of the open dashboard at 100 events/s against an idle one. */
export const dashboard: Scenario = {
  name: 'dashboard',
  async run(ctx) {
    process.stdout.write('dashboard\n');
    const { gzipBytes, rawBytes } = bundleBytes();
    ctx.add({
      scenario: 'dashboard',
      metric: 'initial JS+CSS, gzipped (KB)',
      value: round(gzipBytes / 1024, 1),
      baseline: `${round(rawBytes / 1024, 1)} raw`,
      target: `under ${INITIAL_BUDGET_KB} KB`,
      pass: gzipBytes < INITIAL_BUDGET_KB * 1024,
    });
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const durationS = ctx.full ? 20 : 10;
    const dataDir = ctx.tempDir();
    const server = await startHookscope({ DATA_DIR: dataDir }, ctx.port());
    const idle = await measure(browser, server.url, 0, durationS);
    const busy = await measure(browser, server.url, 100, durationS);
    await server.stop();
    await browser.close();
    rmSync(dataDir, { recursive: true, force: true });
    ctx.raw.dashboard = { gzipBytes, rawBytes, idle, busy };
    ctx.add({
      scenario: 'dashboard',
      metric: `long tasks at 100 events/s (count, longest ms)`,
      value: `${busy.count}, ${round(busy.maxMs, 0)}`,
      baseline: `${idle.count}, ${round(idle.maxMs, 0)} idle`,
      target: 'no long task over 50 ms',
      pass: busy.maxMs <= 50,
    });
  },
};
