import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { ManualClock } from '../support/ManualClock';
import { openSeatMap, seatButton, useChromium } from '../support/seatMapPage';
import { serve } from '../support/serve';

/**
 * The seat map's holds (issue 13) in Debian's Chromium: two users in two browser contexts (each
 * its own localStorage, so its own guest session) click seats into one hold with one countdown,
 * extend it until no extension is left, book it whole, release it whole, ask for the best
 * available block, and compete for the same block. The service's clock is a ManualClock moved by
 * the test, so a hold expires when the test says. Waits are for the DOM, never sleeps.
 */
const TTL = 60_000;
const KEY = 'sk_test_seatmap_holds';
const DIGEST = createHash('sha256').update(KEY).digest('hex');

const seat = seatButton;
const holdSeats = (page: Page) =>
  page.$$eval('#hold-seats li', (items: { getAttribute(name: string): string | null }[]) =>
    items.map((item) => item.getAttribute('data-seat')),
  );

describe('seat map holds in headless Chromium', function () {
  this.timeout(120_000);
  const browser = useChromium();

  it('clicks seats into one hold with one countdown; extend until none left, book all, release all, expiry', async () => {
    const clock = new ManualClock();
    clock.travel(Date.now());
    const { url, stop } = await serve({
      rows: 10,
      seatsPerRow: 20,
      lockTtlMs: TTL,
      clock,
    });
    try {
      const alice = await openSeatMap(browser(), url);
      const bob = await openSeatMap(browser(), url);

      // Alice clicks four seats: one hold, one countdown; bob sees them taken, live.
      for (const id of ['C5', 'C6', 'C7', 'C8']) {
        await alice.click(seat(id));
        await alice.waitForSelector(seat(id, 'locked', true));
      }
      expect(await holdSeats(alice)).to.deep.equal(['C5', 'C6', 'C7', 'C8']);
      expect(await alice.locator('#hold-open .countdown').count()).to.equal(1);
      expect(await alice.textContent('#hold-summary')).to.match(
        /^4 seats held for you, \d+ s left$/,
      );
      for (const id of ['C5', 'C6', 'C7', 'C8']) {
        await bob.waitForSelector(seat(id, 'locked', false));
      }

      // Bob wants part of the same block: his hold is all or nothing, and he is told which seat.
      await bob.click(seat('C9'));
      await bob.waitForSelector(seat('C9', 'locked', true));
      await bob.click(seat('C8'));
      await bob.waitForSelector('#message[data-kind="error"]');
      expect(await bob.textContent('#message')).to.match(/C8 \(SEAT_LOCKED\)/);
      expect(await holdSeats(bob)).to.deep.equal(['C9']);

      // A seat clicked again leaves the hold.
      await alice.click(seat('C8'));
      await alice.waitForSelector(seat('C8', 'available', false));
      expect(await holdSeats(alice)).to.deep.equal(['C5', 'C6', 'C7']);
      await bob.waitForSelector(seat('C8', 'available'));

      // Extend until none is left: the button says so and is disabled.
      expect(await alice.textContent('#hold-extend')).to.equal('Extend (2 left)');
      await alice.click('#hold-extend');
      await alice.waitForSelector('#hold-extend:has-text("Extend (1 left)")');
      await alice.click('#hold-extend');
      await alice.waitForSelector('#hold-extend:has-text("Extend (none left)")');
      expect(await alice.isDisabled('#hold-extend')).to.equal(true);

      // Book all: every seat of the hold booked at once, hers on her page, sold on bob's.
      await alice.click('#hold-book');
      for (const id of ['C5', 'C6', 'C7']) {
        await alice.waitForSelector(seat(id, 'booked', true));
        await bob.waitForSelector(seat(id, 'booked', false));
      }
      expect(await alice.textContent('#message')).to.equal('Booked for you: C5, C6, C7.');
      expect(await alice.isVisible('#hold-open')).to.equal(false);
      expect(await alice.locator('#mine-list li').count()).to.equal(3);

      // Release all: bob's hold gives every seat back.
      await bob.click(seat('C10'));
      await bob.waitForSelector(seat('C10', 'locked', true));
      await bob.click('#hold-release');
      await bob.waitForSelector(seat('C9', 'available', false));
      await bob.waitForSelector(seat('C10', 'available', false));
      await alice.waitForSelector(seat('C10', 'available'));
      expect(await bob.isVisible('#hold-open')).to.equal(false);

      // A hold left alone expires as one: all its seats free together, and bob is told.
      await bob.click(seat('D1'));
      await bob.waitForSelector(seat('D1', 'locked', true));
      await bob.click(seat('D2'));
      await bob.waitForSelector(seat('D2', 'locked', true));
      clock.travel(clock.now() + TTL);
      clock.fireDue();
      await bob.waitForSelector(seat('D1', 'available', false));
      await bob.waitForSelector(seat('D2', 'available', false));
      await alice.waitForSelector(seat('D2', 'available'));
      expect(await bob.textContent('#message')).to.match(/^Your hold expired/);
      expect(await bob.isVisible('#hold-open')).to.equal(false);

      // A reload finds an open hold again.
      await alice.click(seat('E1'));
      await alice.waitForSelector(seat('E1', 'locked', true));
      await alice.reload();
      await alice.waitForSelector(seat('E1', 'locked', true));
      expect(await holdSeats(alice)).to.deep.equal(['E1']);
      await alice.context().close();
      await bob.context().close();
    } finally {
      await stop();
    }
  });

  it('best available: two users press it for the only block at once, one gets it whole', async () => {
    const { url, api, stop } = await serve({
      apiKeyDigests: [DIGEST],
      lockTtlMs: TTL,
    });
    try {
      // One row of four: the only block of four there is.
      const created = await api.send('POST', '/events', {
        body: { id: 'duel', name: 'Duel', layout: { rows: 1, seatsPerRow: 4 } },
        headers: { Authorization: `Bearer ${KEY}` },
      });
      expect(created.status).to.equal(201);
      const alice = await openSeatMap(browser(), `${url}/?event=duel`);
      const bob = await openSeatMap(browser(), `${url}/?event=duel`);
      expect(await alice.textContent('#best-submit')).to.equal('Best available: 2 seats');
      for (const page of [alice, bob]) {
        await page.fill('#best-count', '4');
        expect(await page.textContent('#best-submit')).to.equal('Best available: 4 seats');
      }
      await Promise.all([alice.click('#best-submit'), bob.click('#best-submit')]);
      await Promise.all(
        [alice, bob].map((page) => page.waitForSelector('#message[data-kind]:not(:empty)')),
      );
      const [aliceSeats, bobSeats] = [await holdSeats(alice), await holdSeats(bob)];
      const [winner, loser] = aliceSeats.length > 0 ? [alice, bob] : [bob, alice];
      expect([aliceSeats, bobSeats].map((s) => s.length).sort()).to.deep.equal([0, 4]);
      expect(await holdSeats(winner)).to.deep.equal(['A1', 'A2', 'A3', 'A4']);
      expect(await loser.textContent('#message')).to.match(/no 4 adjacent available seats/);
      for (const id of ['A1', 'A2', 'A3', 'A4']) {
        await winner.waitForSelector(seat(id, 'locked', true));
        await loser.waitForSelector(seat(id, 'locked', false));
      }
      // While the winner's hold is open, best available waits for it to be booked or released.
      expect(await winner.isDisabled('#best-submit')).to.equal(true);
      await alice.context().close();
      await bob.context().close();
    } finally {
      await stop();
    }
  });
});
