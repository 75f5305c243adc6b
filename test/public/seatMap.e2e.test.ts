import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../support/ManualClock';
import { findChromium, launchChromium } from '../support/chromium';
import { serve } from '../support/serve';

/**
 * The seat map in a real browser: Debian's Chromium driven by playwright-core, two browser
 * contexts as two users, the service on port 0. The service's clock is a ManualClock started at
 * the real time and moved only by the test, so a lock ends exactly when the test says, however
 * slow the machine: nothing waits for a real TTL. Waits are waits for the DOM to change, never
 * sleeps, and no wait is a timing assertion. `SCREENSHOTS=1` also saves the pictures the README
 * shows into docs/.
 */
const TTL = 60_000;
const SCREENSHOTS =
  process.env.SCREENSHOTS === '1' ? path.join(__dirname, '..', '..', 'docs') : null;

const seat = (id: string, state?: string, mine?: boolean) =>
  `#grid [data-seat="${id}"]` +
  (state ? `[data-state="${state}"]` : '') +
  (mine === undefined ? '' : `[data-mine="${mine}"]`);

async function openAs(browser: Browser, url: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(url);
  await page.waitForSelector('#connection[data-live="true"]');
  await page.waitForSelector('#grid[aria-busy="false"]');
  await page.fill('#user-name', name);
  return page;
}

describe('seat map in headless Chromium', function () {
  // Finding Chromium may mean installing Debian's package once; the test itself is seconds.
  this.timeout(60_000);
  let browser: Browser | undefined;

  before(function () {
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

  it('two users: a lock shows up live, the other is told why not, confirm books, expiry frees', async () => {
    const clock = new ManualClock();
    clock.travel(Date.now());
    const { service, url, stop } = await serve({
      rows: 25,
      seatsPerRow: 40,
      lockTtlMs: TTL,
      clock,
      inspectorUrl: 'http://localhost:4242', // as with INSPECT=1
    });
    try {
      // Some of the house is sold already, so the page has every state to show.
      for (const id of ['D11', 'D12', 'D13', 'D14', 'E12', 'E13']) {
        const { lockId } = await service.lock(id, 'carol');
        await service.confirm(id, 'carol', lockId);
      }
      const alice = await openAs(browser!, url, 'alice');
      const bob = await openAs(browser!, url, 'bob');
      expect(await alice.locator('#grid .seat').count()).to.equal(1000);
      expect(await alice.isVisible('#inspector-link')).to.equal(true);
      expect(await alice.getAttribute('#inspector-link', 'href')).to.equal('http://localhost:4242');

      // Alice locks C5; Bob's page shows it locked within a second, through the event stream.
      await alice.click(seat('C5'));
      await alice.waitForSelector(seat('C5', 'locked', true));
      await bob.waitForSelector(seat('C5', 'locked', false));
      expect(await bob.getAttribute(seat('C5'), 'aria-label')).to.equal(
        'Seat C5, locked by someone else',
      );

      // Bob tries it from the keyboard and is told, in words, why not.
      await bob.focus(seat('A1'));
      await bob.keyboard.press('ArrowDown');
      await bob.keyboard.press('ArrowDown');
      for (let i = 0; i < 4; i++) await bob.keyboard.press('ArrowRight');
      // Strings, not functions: this project compiles without the DOM's types.
      expect(await bob.evaluate('document.activeElement.dataset.seat')).to.equal('C5');
      expect(await bob.evaluate('getComputedStyle(document.activeElement).outlineStyle')).to.equal(
        'solid',
      );
      await bob.keyboard.press('Enter');
      await bob.waitForSelector('#message[data-kind="error"]');
      expect(await bob.textContent('#message')).to.match(
        /^Seat C5 is locked by another user until .*; try another seat\.$/,
      );
      expect(await bob.getAttribute('#message', 'aria-live')).to.equal('polite');
      if (SCREENSHOTS) await shoot(bob, 'seatmap-refused.png');

      // Alice confirms: booked on both pages.
      await alice.click('#mine-list li[data-seat="C5"] .confirm');
      await alice.waitForSelector(seat('C5', 'booked', true));
      await bob.waitForSelector(seat('C5', 'booked', false));
      expect(await alice.textContent('#message')).to.equal('Seat C5 is booked for you.');

      // Alice locks C6 and lets it run out: it turns back to available on both pages.
      await alice.click(seat('C6'));
      await alice.waitForSelector('#mine-list li[data-seat="C6"] .countdown');
      expect(await alice.textContent('#mine-list li[data-seat="C6"] .countdown')).to.match(
        /^\d+ s left$/,
      );
      await bob.waitForSelector(seat('C6', 'locked'));
      if (SCREENSHOTS) await shoot(alice, 'seatmap.png');

      // Meanwhile Bob locks C7 and releases it: available again on both pages.
      await bob.click(seat('C7'));
      await bob.click('#mine-list li[data-seat="C7"] .release');
      await bob.waitForSelector(seat('C7', 'available'));
      expect(await bob.textContent('#message')).to.equal(
        'Seat C7 is released and available again.',
      );
      expect(await bob.locator('#mine-list li').count()).to.equal(0);
      await alice.waitForSelector(seat('C7', 'available'));

      // Alice's lock on C6 runs out: the service's clock passes its deadline and its timer fires.
      clock.travel(clock.now() + TTL);
      clock.fireDue();
      await alice.waitForSelector(seat('C6', 'available'));
      await bob.waitForSelector(seat('C6', 'available'));
      expect(await alice.textContent('#message')).to.match(/Your lock on seat C6 expired/);
      expect(await alice.locator('#mine-list li').count()).to.equal(1); // C5, booked

      // Alice locks C8 and releases it from a second window half a second before its deadline:
      // the first window says it was released, from the event's reason (a guess from the times
      // would call it an expiry).
      await alice.click(seat('C8'));
      await alice.waitForSelector('#mine-list li[data-seat="C8"] .release');
      clock.travel(clock.now() + TTL - 500);
      const aliceElsewhere = await alice.context().newPage();
      await aliceElsewhere.goto(url);
      await aliceElsewhere.click('#mine-list li[data-seat="C8"] .release');
      await aliceElsewhere.waitForSelector(seat('C8', 'available'));
      await alice.waitForSelector(seat('C8', 'available'));
      expect(await alice.textContent('#message')).to.equal(
        'Your lock on seat C8 was released in another window.',
      );
      await aliceElsewhere.close();

      // A reload keeps the name and knows which seat is hers.
      await alice.reload();
      await alice.waitForSelector(seat('C5', 'booked', true));
      expect(await alice.inputValue('#user-name')).to.equal('alice');
      await alice.context().close();
      await bob.context().close();
    } finally {
      await stop();
    }
  });

  it('does not try to render a 1,000,000-seat venue: a summary and one page of seats', async () => {
    const { service, url, stop } = await serve({
      rows: 1000,
      seatsPerRow: 1000,
      lockTtlMs: 60_000,
    });
    try {
      await service.lock('A1', 'someone');
      const page = await openAs(browser!, url, 'dora');
      expect(await page.textContent('[data-count="total"]')).to.equal('1,000,000');
      expect(await page.isVisible('#inspector-link')).to.equal(false); // no INSPECT=1
      expect(await page.textContent('[data-count="locked"]')).to.equal('1');
      expect(await page.locator('#grid .seat').count()).to.equal(1000);
      expect(await page.textContent('#page-label')).to.equal('Seats A1–A1000 of 1,000,000');
      await page.fill('#row-input', 'alj');
      await page.click('#row-jump button[type="submit"]');
      await page.waitForSelector(seat('ALJ1'));
      expect(await page.locator('#grid .seat').count()).to.equal(1000);
      await page.context().close();
    } finally {
      await stop();
    }
  });
});

async function shoot(page: Page, file: string): Promise<void> {
  mkdirSync(SCREENSHOTS!, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS!, file) });
}
