import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium } from './chromium';

/**
 * A CSS selector for seat `id`'s button on the seat map, in `state` and (when given) the user's
 * or not.
 *
 * @example
 * ```ts
 * await page.waitForSelector(seatButton('C5', 'locked', true));
 * ```
 */
export function seatButton(id: string, state?: string, mine?: boolean): string {
  return (
    `#grid [data-seat="${id}"]` +
    (state ? `[data-state="${state}"]` : '') +
    (mine === undefined ? '' : `[data-mine="${mine}"]`)
  );
}

/**
 * Opens the seat map at `url` in a context of its own (its own localStorage: another visitor, who
 * gets a guest session of their own), fails the test on any page error, and waits until it is
 * live with its seats shown.
 *
 * @example
 * ```ts
 * const alice = await openSeatMap(browser, `${url}/?event=duel`);
 * ```
 */
export async function openSeatMap(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(url);
  await page.waitForSelector('#connection[data-live="true"]');
  await page.waitForSelector('#grid[aria-busy="false"]');
  return page;
}

/**
 * Mocha hooks for a suite of browser tests: Debian's Chromium launched before them (the suite is
 * skipped when there is none and it cannot be installed), closed after. Call it inside `describe`;
 * it returns the browser's getter.
 *
 * @example
 * ```ts
 * describe('seat map', function () {
 *   const browser = useChromium();
 *   it('…', async () => openSeatMap(browser(), url, 'alice'));
 * });
 * ```
 */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  before(function () {
    // Finding Chromium may mean installing Debian's package once.
    this.timeout(15 * 60_000);
    const executablePath = findChromium();
    if (!executablePath) {
      console.warn('    (no Chromium: not root with apt-get, and none installed; skipping)');
      this.skip();
    }
    return launchChromium(executablePath).then((b) => {
      browser = b;
    });
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser!;
}
