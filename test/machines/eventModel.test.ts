import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { eventMachine } from '../../machines/eventMachine';
import type { EventReply } from '../../machines/eventTypes';
import { startEvent, stepEvent } from '../../machines/run/stepEvent';
import { describeEventStep, eventModelPaths, type EventModelPath } from '../support/eventModel';

/**
 * Model-based tests: every path xstate/graph finds through the event machine is replayed against
 * a running actor (whose own timers move the window) and against the pure runner the stores use
 * (which tells time with TICK), and each step must give the reply and state the model predicts.
 */
const paths = eventModelPaths();

const isDelayed = (event: { type: string }) => event.type.startsWith('xstate.after.');

function pathName({
  window,
  path,
}: {
  window: { salesOpenAt?: number | null };
  path: EventModelPath;
}) {
  const start = window.salesOpenAt === undefined ? 'open-ended' : 'windowed';
  return `${start}: ${path.steps
    .slice(1)
    .map((step) => `${describeEventStep(step.event)} → ${String(step.state.value)}`)
    .join(', ')}`;
}

/** What the model says the machine answers to each step (nothing for init and timers). */
function predictedReplies(path: EventModelPath): Array<EventReply | undefined> {
  return path.steps.map((step, i) =>
    i === 0 || isDelayed(step.event)
      ? undefined
      : stepEvent(path.steps[i - 1].state, step.event).reply,
  );
}

describe('model-based tests generated from the event machine', () => {
  it(`reaches every sales state and both timers (${paths.length} paths)`, () => {
    const reached = new Set(
      paths.flatMap(({ path }) => path.steps.map((s) => String(s.state.value))),
    );
    expect([...reached].sort()).to.deep.equal(['cancelled', 'closed', 'onSale', 'scheduled']);
    const steps = paths.flatMap(({ path }) => path.steps.map((s) => describeEventStep(s.event)));
    expect(steps).to.include.members(['open timer', 'close timer']);
  });

  describe('against an event actor on a simulated clock', () => {
    for (const entry of paths) {
      it(pathName(entry), () => {
        const { window, path } = entry;
        const clock = new SimulatedClock();
        const actor = createActor(eventMachine, { input: window, clock });
        let reply: EventReply | undefined;
        actor.on('*', (emitted) => (reply = emitted));
        actor.start();
        const predicted = predictedReplies(path);
        path.steps.forEach((step, i) => {
          if (i === 0) return; // xstate.init: the actor has just started
          reply = undefined;
          // A timer step: time runs on until the one timer the state armed fires (a timer armed
          // by the state it leads to starts from then, so it does not fire in the same jump).
          if (isDelayed(step.event)) clock.increment(1_000_000);
          else actor.send(step.event);
          const where = `step ${i}: ${describeEventStep(step.event)}`;
          expect(reply, where).to.deep.equal(predicted[i]);
          expect(actor.getSnapshot().value, where).to.equal(step.state.value);
          expect(actor.getSnapshot().context, where).to.deep.equal(step.state.context);
        });
        actor.stop();
      });
    }
  });

  describe('against the pure runner, telling time with TICK at each deadline', () => {
    for (const entry of paths) {
      it(pathName(entry), () => {
        const { window, path } = entry;
        let snapshot = startEvent(window);
        const predicted = predictedReplies(path);
        path.steps.forEach((step, i) => {
          if (i === 0) return;
          const { salesOpenAt, salesCloseAt } = snapshot.context;
          const deadline = snapshot.value === 'scheduled' ? salesOpenAt : salesCloseAt;
          const event = isDelayed(step.event)
            ? { type: 'TICK' as const, now: deadline! }
            : step.event;
          const result = stepEvent(snapshot, event);
          snapshot = result.snapshot;
          const where = `step ${i}: ${describeEventStep(step.event)}`;
          expect(result.reply, where).to.deep.equal(predicted[i]);
          expect(snapshot.value, where).to.equal(step.state.value);
          expect(snapshot.context, where).to.deep.equal(step.state.context);
        });
      });
    }
  });
});
