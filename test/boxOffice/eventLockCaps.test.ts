import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { createApp, type SeatApp } from '../../src/app';
import type { Clock } from '../../src/clock';
import { outcome } from '../support/outcome';

describe('lock caps of events made with POST /events (memory store)', () => {
  let seatApp: SeatApp;
  beforeEach(async () => {
    const clock = new SimulatedClock() as SimulatedClock & Clock;
    clock.set(Date.UTC(2030, 0, 1));
    seatApp = createApp({
      clock,
      rows: 1,
      seatsPerRow: 4,
      maxLocksPerUser: 1,
      maxLocksPerClient: 2,
    });
    await seatApp.eventService.create({
      id: 'hamlet',
      name: 'Hamlet',
      layout: { rows: 1, seatsPerRow: 4 },
    });
  });
  afterEach(() => seatApp.close());

  it('counts MAX_LOCKS_PER_CLIENT per event: an address’s guests may hold the cap in each event', async () => {
    const hamlet = (await seatApp.eventService.seatsOf('hamlet')).service;
    const from = '203.0.113.9';
    expect(await outcome(hamlet.lock('A1', 'guest-1', from))).to.equal('200');
    expect(await outcome(hamlet.lock('A2', 'guest-2', from))).to.equal('200');
    expect(await outcome(hamlet.lock('A3', 'guest-3', from))).to.equal('409 TOO_MANY_CLIENT_LOCKS');
    expect(
      await outcome(seatApp.service.lock('A1', 'guest-4', from)),
      'the default event',
    ).to.equal('200');
    expect(await outcome(hamlet.lock('A3', 'guest-5', '198.51.100.7')), 'another address').to.equal(
      '200',
    );
  });

  it('counts MAX_LOCKS_PER_USER per event', async () => {
    const hamlet = (await seatApp.eventService.seatsOf('hamlet')).service;
    expect(await outcome(hamlet.lock('A1', 'alice'))).to.equal('200');
    expect(await outcome(hamlet.lock('A2', 'alice'))).to.equal('409 TOO_MANY_LOCKS');
    expect(await outcome(seatApp.service.lock('A2', 'alice'))).to.equal('200');
  });
});
