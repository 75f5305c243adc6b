import { expect } from 'chai';
import { eventMachine } from '../../machines/eventMachine';
import {
  persistEvent,
  restoreEvent,
  salesStateAt,
  startEvent,
  stepEvent,
} from '../../machines/run/stepEvent';
import { eventActor } from '../support/eventActor';

const ACCEPTED = { type: 'sales.accepted' };
const OPEN_AT = 1_000;
const CLOSE_AT = 5_000;

function refused(code: string, state: string, salesOpenAt: number | null = null) {
  return { type: 'sales.refused', code, state, salesOpenAt };
}

describe('eventMachine', () => {
  describe('starting', () => {
    it('is on sale from its creation without an opening time', () => {
      const event = eventActor();
      expect(event.state).to.equal('onSale');
      expect(event.send({ type: 'REQUEST_LOCK' })).to.deep.equal(ACCEPTED);
    });

    it('is scheduled until its opening time, and refuses a lock with SALES_NOT_OPEN and when', () => {
      const event = eventActor({ salesOpenAt: OPEN_AT });
      expect(event.state).to.equal('scheduled');
      expect(event.send({ type: 'REQUEST_LOCK' })).to.deep.equal(
        refused('SALES_NOT_OPEN', 'scheduled', OPEN_AT),
      );
      expect(event.state).to.equal('scheduled');
    });

    it('is closed when created after its closing time', () => {
      const event = eventActor({ salesOpenAt: -2_000, salesCloseAt: -1_000 });
      expect(event.state).to.equal('closed');
    });

    it('is on sale when created inside its window', () => {
      expect(eventActor({ salesOpenAt: -1, salesCloseAt: CLOSE_AT }).state).to.equal('onSale');
    });
  });

  describe('the sales window moves by time alone', () => {
    it('opens at salesOpenAt and not a millisecond before', () => {
      const event = eventActor({ salesOpenAt: OPEN_AT });
      event.clock.increment(OPEN_AT - 1);
      expect(event.state).to.equal('scheduled');
      event.clock.increment(1);
      expect(event.state).to.equal('onSale');
      expect(event.send({ type: 'REQUEST_LOCK' })).to.deep.equal(ACCEPTED);
    });

    it('closes at salesCloseAt after opening by its timer', () => {
      const event = eventActor({ salesOpenAt: OPEN_AT, salesCloseAt: CLOSE_AT });
      // Time passes as it does: the open timer fires at its instant, then the close timer's.
      event.clock.increment(OPEN_AT);
      event.clock.increment(CLOSE_AT - OPEN_AT - 1);
      expect(event.state).to.equal('onSale');
      event.clock.increment(1);
      expect(event.state).to.equal('closed');
    });

    it('stays on sale for good without a closing time', () => {
      const event = eventActor();
      event.clock.increment(365 * 24 * 3_600_000);
      expect(event.state).to.equal('onSale');
    });

    it('refuses a lock that arrives after the close before the timer fired, and closes', () => {
      const event = eventActor({ salesCloseAt: CLOSE_AT });
      expect(event.send({ type: 'REQUEST_LOCK', now: CLOSE_AT })).to.deep.equal(
        refused('SALES_CLOSED', 'closed'),
      );
      expect(event.state).to.equal('closed');
    });

    it('lets a lock through that arrives at the opening time before the timer fired', () => {
      const event = eventActor({ salesOpenAt: OPEN_AT });
      expect(event.send({ type: 'REQUEST_LOCK', now: OPEN_AT })).to.deep.equal(ACCEPTED);
      expect(event.state).to.equal('onSale');
    });

    it('re-arms the close timer of a restored snapshot when told the time', () => {
      const first = eventActor({ salesCloseAt: CLOSE_AT });
      const persisted = first.actor.getPersistedSnapshot();
      first.actor.stop();
      // A restored actor has no pending timer: a TICK re-enters the state and arms it again.
      const restored = eventActor({}, persisted);
      restored.clock.set(1_000);
      restored.send({ type: 'TICK' });
      restored.clock.increment(CLOSE_AT - 1_000 - 1);
      expect(restored.state).to.equal('onSale');
      restored.clock.increment(1);
      expect(restored.state).to.equal('closed');
    });
  });

  describe('after the close', () => {
    it('refuses a lock with SALES_CLOSED', () => {
      const event = eventActor({ salesCloseAt: CLOSE_AT });
      event.clock.increment(CLOSE_AT);
      expect(event.send({ type: 'REQUEST_LOCK' })).to.deep.equal(refused('SALES_CLOSED', 'closed'));
    });

    it('lets a confirm and a release through: a lock taken before the close runs to its deadline', () => {
      const event = eventActor({ salesCloseAt: CLOSE_AT });
      event.clock.increment(CLOSE_AT);
      expect(event.send({ type: 'REQUEST_CONFIRM' })).to.deep.equal(ACCEPTED);
      expect(event.send({ type: 'REQUEST_RELEASE' })).to.deep.equal(ACCEPTED);
      expect(event.state).to.equal('closed');
    });
  });

  describe('before the opening', () => {
    it('refuses confirm and release with SALES_NOT_OPEN (no lock can exist yet)', () => {
      const event = eventActor({ salesOpenAt: OPEN_AT });
      const notOpen = refused('SALES_NOT_OPEN', 'scheduled', OPEN_AT);
      expect(event.send({ type: 'REQUEST_CONFIRM' })).to.deep.equal(notOpen);
      expect(event.send({ type: 'REQUEST_RELEASE' })).to.deep.equal(notOpen);
    });
  });

  describe('admin events', () => {
    it('OPEN opens a scheduled event now, keeping its closing time', () => {
      const event = eventActor({ salesOpenAt: OPEN_AT, salesCloseAt: CLOSE_AT });
      event.clock.set(200);
      expect(event.send({ type: 'OPEN' })).to.deep.equal(ACCEPTED);
      expect(event.state).to.equal('onSale');
      expect(event.context).to.include({ salesOpenAt: 200, salesCloseAt: CLOSE_AT });
      event.clock.set(CLOSE_AT);
      expect(event.state).to.equal('closed');
    });

    it('CLOSE closes an event on sale now, and a lock is then refused', () => {
      const event = eventActor({ salesCloseAt: CLOSE_AT });
      event.clock.set(300);
      expect(event.send({ type: 'CLOSE' })).to.deep.equal(ACCEPTED);
      expect(event.state).to.equal('closed');
      expect(event.context.salesCloseAt).to.equal(300);
      expect(event.send({ type: 'REQUEST_LOCK' })).to.deep.equal(refused('SALES_CLOSED', 'closed'));
    });

    it('CLOSE closes a scheduled event before it ever opens', () => {
      const event = eventActor({ salesOpenAt: OPEN_AT });
      event.send({ type: 'CLOSE' });
      event.clock.increment(OPEN_AT);
      expect(event.state).to.equal('closed');
    });

    it('OPEN reopens a closed event until it is closed by hand', () => {
      const event = eventActor({ salesCloseAt: CLOSE_AT });
      event.clock.set(CLOSE_AT + 10);
      expect(event.state).to.equal('closed');
      expect(event.send({ type: 'OPEN' })).to.deep.equal(ACCEPTED);
      expect(event.state).to.equal('onSale');
      expect(event.context.salesCloseAt).to.equal(null);
      event.clock.increment(1_000_000);
      expect(event.state).to.equal('onSale');
    });

    it('accepts a repeated OPEN or CLOSE without changing anything (a safe retry)', () => {
      const event = eventActor();
      const before = event.actor.getSnapshot();
      expect(event.send({ type: 'OPEN' })).to.deep.equal(ACCEPTED);
      expect(event.actor.getSnapshot()).to.equal(before);
      event.send({ type: 'CLOSE' });
      const closed = event.actor.getSnapshot();
      expect(event.send({ type: 'CLOSE' })).to.deep.equal(ACCEPTED);
      expect(event.actor.getSnapshot()).to.equal(closed);
    });
  });

  describe('cancelled', () => {
    function cancelled() {
      const event = eventActor({ salesCloseAt: CLOSE_AT });
      event.clock.set(100);
      expect(event.send({ type: 'CANCEL' })).to.deep.equal(ACCEPTED);
      return event;
    }

    it('records when, and stays cancelled when its window would have closed', () => {
      const event = cancelled();
      expect(event.context.cancelledAt).to.equal(100);
      event.clock.set(CLOSE_AT);
      expect(event.state).to.equal('cancelled');
    });

    it('refuses lock and confirm with SALES_CLOSED saying cancelled, lets a release through', () => {
      const event = cancelled();
      expect(event.send({ type: 'REQUEST_LOCK' })).to.deep.equal(
        refused('SALES_CLOSED', 'cancelled'),
      );
      expect(event.send({ type: 'REQUEST_CONFIRM' })).to.deep.equal(
        refused('SALES_CLOSED', 'cancelled'),
      );
      expect(event.send({ type: 'REQUEST_RELEASE' })).to.deep.equal(ACCEPTED);
    });

    it('refuses OPEN and CLOSE with EVENT_CANCELLED, accepts CANCEL again', () => {
      const event = cancelled();
      expect(event.send({ type: 'OPEN' })).to.deep.equal(refused('EVENT_CANCELLED', 'cancelled'));
      expect(event.send({ type: 'CLOSE' })).to.deep.equal(refused('EVENT_CANCELLED', 'cancelled'));
      expect(event.send({ type: 'CANCEL' })).to.deep.equal(ACCEPTED);
      expect(event.state).to.equal('cancelled');
    });
  });

  describe('run purely from a snapshot (how the stores host it)', () => {
    it('moves past a deadline on the next step, as the timer would have', () => {
      const start = startEvent({ now: 0, salesOpenAt: OPEN_AT, salesCloseAt: CLOSE_AT });
      expect(start.value).to.equal('scheduled');
      const opened = stepEvent(start, { type: 'REQUEST_LOCK', now: OPEN_AT });
      expect(opened.reply).to.deep.equal(ACCEPTED);
      expect(opened.changed).to.equal(true);
      expect(opened.snapshot.value).to.equal('onSale');
      const late = stepEvent(opened.snapshot, { type: 'REQUEST_LOCK', now: CLOSE_AT + 1 });
      expect(late.reply).to.deep.equal(refused('SALES_CLOSED', 'closed', OPEN_AT));
    });

    it('reports no change for a request that changes nothing', () => {
      const start = startEvent({ now: 0 });
      const step = stepEvent(start, { type: 'REQUEST_LOCK', now: 10 });
      expect(step.changed).to.equal(false);
    });

    it('reads the sales state at a time without changing the snapshot', () => {
      const start = startEvent({ now: 0, salesCloseAt: CLOSE_AT });
      expect(salesStateAt(start, CLOSE_AT - 1)).to.equal('onSale');
      expect(salesStateAt(start, CLOSE_AT)).to.equal('closed');
      expect(start.value).to.equal('onSale');
    });

    it('survives persisting and restoring', () => {
      const start = startEvent({ now: 0, salesOpenAt: OPEN_AT });
      const restored = restoreEvent(JSON.parse(JSON.stringify(persistEvent(start))));
      expect(restored.value).to.equal('scheduled');
      expect(restored.context).to.deep.equal(start.context);
      expect(stepEvent(restored, { type: 'TICK', now: OPEN_AT }).snapshot.value).to.equal('onSale');
    });
  });

  it('has the four sales states and the start', () => {
    expect(Object.keys(eventMachine.root.states).sort()).to.deep.equal(
      ['cancelled', 'closed', 'onSale', 'scheduled', 'starting'].sort(),
    );
  });
});
