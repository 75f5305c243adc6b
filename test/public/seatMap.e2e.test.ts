import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ManualClock } from '../support/ManualClock';
import { openSeatMap, seatButton, useChromium } from '../support/seatMapPage';
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
const KEY = 'sk_test_seatmap_key';
const DIGEST = createHash('sha256').update(KEY).digest('hex');
const SCREENSHOTS =
  process.env.SCREENSHOTS === '1' ? path.join(__dirname, '..', '..', 'docs') : null;

const seat = seatButton;

describe('seat map in headless Chromium', function () {
  // Finding Chromium may mean installing Debian's package once; the test itself is seconds.
  this.timeout(60_000);
  const browser = useChromium();

  it('two users: a hold shows up live, the other is told why not, book all books, expiry frees', async () => {
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
      const alice = await openSeatMap(browser(), url);
      const bob = await openSeatMap(browser(), url);
      expect(await alice.locator('#grid .seat').count()).to.equal(1000);
      expect(await alice.isVisible('#inspector-link')).to.equal(true);
      expect(await alice.getAttribute('#inspector-link', 'href')).to.equal('http://localhost:4242');

      // Alice clicks C5 into a hold; Bob's page shows it locked within a second, through the
      // event stream.
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
      expect(await bob.textContent('#message')).to.match(/C5 \(SEAT_LOCKED\)/);
      expect(await bob.getAttribute('#message', 'aria-live')).to.equal('polite');
      if (SCREENSHOTS) await shoot(bob, 'seatmap-refused.png');

      // Alice books: booked on both pages.
      await alice.click('#hold-book');
      await alice.waitForSelector(seat('C5', 'booked', true));
      await bob.waitForSelector(seat('C5', 'booked', false));
      expect(await alice.textContent('#message')).to.equal('Booked for you: C5.');

      // Alice holds C6 and lets it run out: it turns back to available on both pages.
      await alice.click(seat('C6'));
      await alice.waitForSelector('#hold-open .countdown');
      expect(await alice.textContent('#hold-open .countdown')).to.match(/^\d+ s left$/);
      await bob.waitForSelector(seat('C6', 'locked'));
      if (SCREENSHOTS) await shoot(alice, 'seatmap.png');

      // Meanwhile Bob holds C7 and releases it: available again on both pages.
      await bob.click(seat('C7'));
      await bob.waitForSelector(seat('C7', 'locked', true));
      await bob.click('#hold-release');
      await bob.waitForSelector(seat('C7', 'available'));
      expect(await bob.textContent('#message')).to.equal(
        'Your hold is released; its seats are free again.',
      );
      expect(await bob.locator('#mine-list li').count()).to.equal(0);
      await alice.waitForSelector(seat('C7', 'available'));

      // Alice's hold on C6 runs out: the service's clock passes its deadline and its timer fires.
      clock.travel(clock.now() + TTL);
      clock.fireDue();
      await alice.waitForSelector(seat('C6', 'available'));
      await bob.waitForSelector(seat('C6', 'available'));
      expect(await alice.textContent('#message')).to.match(/^Your hold expired/);
      expect(await alice.locator('#mine-list li').count()).to.equal(1); // C5, booked

      // Alice holds C8 and releases it from a second window: the first says so, from the stream.
      await alice.click(seat('C8'));
      await alice.waitForSelector(seat('C8', 'locked', true));
      const aliceElsewhere = await alice.context().newPage();
      await aliceElsewhere.goto(url);
      await aliceElsewhere.click('#hold-release');
      await aliceElsewhere.waitForSelector(seat('C8', 'available'));
      await alice.waitForSelector(seat('C8', 'available'));
      await alice.waitForSelector('#hold-open', { state: 'hidden' });
      expect(await alice.textContent('#message')).to.equal(
        'Your hold was released in another window.',
      );
      await aliceElsewhere.close();

      // A reload keeps the session, and the server says which seats are hers, even when the page
      // has forgotten what it was told.
      await alice.evaluate("localStorage.removeItem('seatmap.mine')");
      await alice.reload();
      await alice.waitForSelector(seat('C5', 'booked', true));
      await alice.waitForSelector('#mine-list li[data-seat="C5"]');
      await alice.context().close();
      await bob.context().close();
    } finally {
      await stop();
    }
  });

  it('draws a 1,000,000-seat default event as an overview, with one page of seat buttons', async () => {
    const { service, url, stop } = await serve({
      rows: 1000,
      seatsPerRow: 1000,
      lockTtlMs: 60_000,
    });
    try {
      await service.lock('A1', 'someone');
      const page = await openSeatMap(browser(), url);
      expect(await page.textContent('[data-count="total"]')).to.equal('1,000,000');
      expect(await page.isVisible('#inspector-link')).to.equal(false); // no INSPECT=1
      expect(await page.textContent('[data-count="locked"]')).to.equal('1');
      await page.waitForSelector('#overview[data-drawn="true"]');
      expect(await countPixels(page, OVERVIEW.available)).to.be.greaterThan(0);
      // A grid is one section: it opens at once, a page of whole rows at a time.
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

  it('a 100,000-seat event from the API: the overview draws, a section opens, locks elsewhere show up live', async () => {
    const { url, api, eventService, stop } = await serve({
      apiKeyDigests: [DIGEST],
      lockTtlMs: 60_000,
      maxLocksPerUser: 0,
    });
    try {
      // Ten sections of 50 rows × 200 seats, as a box office's backend would create them.
      const sections = Array.from({ length: 10 }, (_, s) => ({
        id: `S${s + 1}`,
        name: `Block ${s + 1}`,
        rows: Array.from({ length: 50 }, (_, r) => ({ label: rowLabel(r), seats: 200 })),
      }));
      const created = await api.send('POST', '/events', {
        body: { id: 'stadium', name: 'Stadium night', layout: { sections } },
        headers: { Authorization: `Bearer ${KEY}` },
      });
      expect(created.status).to.equal(201);
      const lockElsewhere = async (id: string, userId: string) =>
        expect(
          (await api.send('POST', `/events/stadium/seats/${id}/lock`, { body: { userId } })).status,
        ).to.equal(200);
      await lockElsewhere('S2-A-1', 'carol');
      if (SCREENSHOTS) {
        // For the picture: part of the house sold, in blocks, as sales go.
        const { service } = await eventService.seatsOf('stadium');
        for (const [s, rows] of [
          [1, 30],
          [2, 12],
          [5, 45],
          [8, 20],
        ]) {
          for (let i = 0; i < rows * 200; i++) {
            const id = `S${s}-${rowLabel(Math.floor(i / 200))}-${(i % 200) + 1}`;
            if (id === 'S2-A-1') continue;
            const { lockId } = await service.lock(id, `fan${s}-${i}`);
            await service.confirm(id, `fan${s}-${i}`, lockId);
          }
        }
      }

      const page = await openSeatMap(browser(), `${url}/?event=stadium`);
      await page.waitForSelector('#overview[data-drawn="true"]');
      expect(await page.textContent('#map-heading')).to.equal('Stadium night');
      expect(await page.textContent('[data-count="total"]')).to.equal('100,000');
      expect(await page.textContent('[data-count="locked"]')).to.equal('1');
      expect(await page.locator('#section-list button').count()).to.equal(10);
      if (!SCREENSHOTS) {
        expect(await page.textContent('#section-list [data-section="S2"]')).to.equal(
          'Block 2: 9,999 of 10,000 free',
        );
      }
      if (!SCREENSHOTS) {
        expect(await countPixels(page, OVERVIEW.available)).to.be.greaterThan(90_000 * 0.9);
      }
      const lockedBefore = await countPixels(page, OVERVIEW.locked);
      expect(lockedBefore).to.be.greaterThan(0);
      // Its event picker lists both events, this one chosen.
      expect(await page.inputValue('#event-picker')).to.equal('stadium');
      expect(await page.locator('#event-picker option').count()).to.equal(2);

      // A lock made through the API shows up on the overview and in its section's count.
      await lockElsewhere('S7-C-50', 'carol');
      await page.waitForSelector('#section-list [data-section="S7"][data-available="9999"]');
      await page.waitForFunction(`${countPixelsScript(OVERVIEW.locked)} > ${lockedBefore}`);
      expect(await page.textContent('[data-count="locked"]')).to.equal('2');

      // Choosing a section shows its seats as buttons, a page of whole rows at a time.
      await page.click('#section-list [data-section="S7"]');
      await page.waitForSelector(seat('S7-C-50', 'locked', false));
      expect(await page.locator('#grid .seat').count()).to.equal(1000);
      expect(await page.textContent('#page-label')).to.equal(
        'Seats S7-A-1–S7-E-200 of 10,000 in Block 7',
      );
      expect(new URL(page.url()).search).to.equal('?event=stadium&section=S7');
      // …and a lock made elsewhere in it turns its button, live.
      await lockElsewhere('S7-A-3', 'carol');
      await page.waitForSelector(seat('S7-A-3', 'locked', false));
      // The user holds a seat of it: theirs on the grid and on the overview.
      const mineBefore = await countPixels(page, OVERVIEW.mine);
      await page.click(seat('S7-A-4'));
      await page.waitForSelector(seat('S7-A-4', 'locked', true));
      expect(await countPixels(page, OVERVIEW.mine)).to.be.greaterThan(mineBefore);
      await page.click('#page-next');
      await page.waitForSelector(seat('S7-F-1'));
      if (SCREENSHOTS) {
        await page.evaluate('window.scrollTo(0, 0)');
        await shoot(page, 'seatmap-overview.png');
      }
      await page.context().close();
    } finally {
      await stop();
    }
  });
});

/** The overview's colours (public/seatmap/overview.js), as RGB. */
const OVERVIEW = {
  available: [0x52, 0xb7, 0x88],
  locked: [0xf4, 0xa3, 0x00],
  mine: [0x1d, 0x4e, 0xd8],
} as const;

/** A page script counting the overview canvas's pixels of colour `rgb`. */
function countPixelsScript([r, g, b]: readonly number[]): string {
  return `(() => {
    const canvas = document.getElementById('overview');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === ${r} && data[i + 1] === ${g} && data[i + 2] === ${b}) n++;
    }
    return n;
  })()`;
}

async function countPixels(page: Page, rgb: readonly number[]): Promise<number> {
  return Number(await page.evaluate(countPixelsScript(rgb)));
}

/** Row labels as a grid names them: A…Z, AA… */
function rowLabel(row: number): string {
  let label = '';
  for (let n = row + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
  }
  return label;
}

async function shoot(page: Page, file: string): Promise<void> {
  mkdirSync(SCREENSHOTS!, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS!, file) });
}
