import { initialTransition, type SnapshotFrom } from 'xstate';
import {
  streamCapMachine,
  type StreamCapEvent,
  type StreamCapReply,
  type StreamCapScope,
} from '../streamCapMachine';
import { emitted, pureStepper } from './pureStepper';

export type StreamCapSnapshot = SnapshotFrom<typeof streamCapMachine>;

const step = pureStepper(streamCapMachine, { max: 0, scope: 'service' });

/**
 * Pure stepping for `streamCapMachine`, as its host runs one per address and one for the service.
 *
 * @example
 * ```ts
 * const [next, reply] = streamCaps.step(streamCaps.start(32, 'client'), { type: 'OPEN' });
 * reply; // { type: 'stream.accepted' }
 * ```
 */
export const streamCaps = {
  step(
    snapshot: StreamCapSnapshot,
    event: StreamCapEvent,
  ): [StreamCapSnapshot, StreamCapReply | undefined] {
    const [next, actions] = step(snapshot, event);
    return [next, emitted<StreamCapReply>(actions)];
  },
  start(max: number, scope: StreamCapScope): StreamCapSnapshot {
    return initialTransition(streamCapMachine, { max, scope })[0];
  },
};
