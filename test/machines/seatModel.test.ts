import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { seatMachine } from '../../machines/seatMachine';
import type { SeatEvent, SeatReply } from '../../machines/seatTypes';
import type { LockResponse } from '../../src/http/schemas';
import { ok } from '../support/api';
import { serve } from '../support/serve';
import {
  describeStep,
  expectedReply,
  isHoldStep,
  MODEL_TTL,
  seatModelPaths,
  type ModelPath,
} from '../support/seatModel';

/**
 * Model-based tests: every path xstate/graph finds through the seat machine (see seatModel.ts)
 * is replayed against a real actor and against the HTTP API, step by step, and each step must
 * give the reply and the state the model predicts. The paths are generated from the machine, so a
 * new state or event changes these tests without editing them.
 */
const paths = seatModelPaths();

/** Times depend on the clock the test runs on; the model's clock stands still. */
function withoutTimes(context: object): unknown {
  return JSON.parse(
    JSON.stringify(context, (key, value: unknown) =>
      key === 'until' || key === 'at' ? 'T' : value,
    ),
  ) as unknown;
}

const isDelayed = (event: { type: string }) => event.type.startsWith('xstate.after.');

function pathName(path: ModelPath): string {
  return path.steps
    .map((step) => `${describeStep(step.event as never)} → ${step.state.value}`)
    .join(', ');
}

/** The reply the model predicts for each step (none for the init and expiry steps). */
function predictedReplies(path: ModelPath): Array<SeatReply | undefined> {
  return path.steps.map((step, i) =>
    i === 0 ? undefined : expectedReply(path.steps[i - 1].state, step.event),
  );
}

describe('model-based tests generated from the seat machine', () => {
  it(`generates paths covering every state and the expiry step (${paths.length} paths)`, () => {
    const reached = new Set(paths.flatMap((p) => p.steps.map((s) => String(s.state.value))));
    expect([...reached].sort()).to.deep.equal(Object.keys(seatMachine.root.states).sort());
    expect(paths.some((p) => p.steps.some((s) => isDelayed(s.event)))).to.equal(true);
  });

  describe('against a seat actor', () => {
    for (const path of paths) {
      it(pathName(path), () => {
        const clock = new SimulatedClock();
        const actor = createActor(seatMachine, { input: { ttlMs: MODEL_TTL }, clock });
        let reply: SeatReply | undefined;
        actor.on('*', (emitted) => emitted.type !== 'seat.moved' && (reply = emitted));
        actor.start();
        const predicted = predictedReplies(path);

        path.steps.forEach((step, i) => {
          if (i === 0) return; // xstate.init: the actor has just started
          reply = undefined;
          if (isDelayed(step.event)) {
            clock.increment(actor.getSnapshot().context.lock!.until - clock.now());
          } else {
            // A hold's deadline is relative in the model (its clock stands at 0): make it real.
            const event = step.event;
            const until = 'until' in event ? { until: clock.now() + event.until } : {};
            actor.send({ ...event, ...until, now: clock.now() });
          }
          const snapshot = actor.getSnapshot();
          const where = `step ${i}: ${describeStep(step.event)}`;
          expect(reply, where).to.deep.equal(predicted[i]);
          expect(snapshot.value, where).to.equal(step.state.value);
          expect(withoutTimes(snapshot.context), where).to.deep.equal(
            withoutTimes(step.state.context),
          );
        });
        actor.stop();
      });
    }
  });

  describe('against the HTTP API (clock controlled by the test)', () => {
    // Hold steps come from a hold's host, not from single-seat routes: the hold tests cover them.
    for (const path of paths.filter((p) => !p.steps.some((step) => isHoldStep(step.event)))) {
      it(pathName(path), async () => {
        const clock = new SimulatedClock();
        const server = await serve({ lockTtlMs: MODEL_TTL, clock });
        const predicted = predictedReplies(path);
        /** The model names locks `L-alice`; the server gives them real ids. */
        const realLockIds = new Map<string, string>();
        try {
          for (let i = 1; i < path.steps.length; i++) {
            const event = path.steps[i].event as SeatEvent | { type: string };
            const where = `step ${i}: ${describeStep(event)}`;
            if (isDelayed(event)) {
              const { seat } = ok(await server.api.get('A1'));
              clock.increment(Date.parse(seat.expiresAt ?? '') - clock.now());
            } else if ('userId' in event && 'lockId' in event) {
              const { type, userId, lockId } = event;
              const body = { userId, lockId: lockId && (realLockIds.get(lockId) ?? lockId) };
              const res = await server.api.reply<LockResponse>(
                'POST',
                `/seats/A1/${type.toLowerCase()}`,
                { body },
              );
              const reply = predicted[i];
              if (reply?.type === 'seat.accepted') {
                expect(res.status, `${where}: ${res.text}`).to.equal(200);
                if (type === 'LOCK') realLockIds.set(`L-${userId}`, ok(res).lockId);
              } else {
                expect(res.status, where).to.equal(409);
                expect(!res.ok && res.body.code, where).to.equal(reply?.code);
              }
            } // EXPIRE is the host's own event with the model's clock standing still: a no-op here.
            const body = ok(await server.api.get('A1'));
            expect(body.seat.state, where).to.equal(path.steps[i].state.value);
            expect('expiresAt' in body.seat, where).to.equal(body.seat.state === 'locked');
          }
        } finally {
          await server.stop();
        }
      });
    }
  });
});
