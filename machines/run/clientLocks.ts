import { clientLocksMachine } from '../clientLocksMachine';
import { lockCapRunner } from './lockCapRunner';

/**
 * The per-client lock cap's machine, stepped purely: what every client-cap host runs.
 *
 * @example
 * ```ts
 * const [next, reply] = clientLocks.step(clientLocks.start(30), { type: 'REQUEST_LOCK', seatId: 'A1' });
 * ```
 */
export const clientLocks = lockCapRunner(clientLocksMachine);
