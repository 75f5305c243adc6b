import type { SeatEmitted, SeatMoved, SeatReply } from '../seatTypes';

/** A transition as the machine announced it, before a store adds the seat id and time. */
export type SeatChange = Omit<SeatMoved, 'type'>;

/**
 * The transitions among what a seat machine emitted: its `seat.moved` events, with the reason and
 * the lock's user exactly as the machine's actions decided them. What every store publishes, so
 * metrics, the per-user lock cap and the event stream hear the same facts whichever store runs the
 * seats. A lock taken over after its deadline is two moves (expired, then locked); a refusal none.
 *
 * @example
 * ```ts
 * seatChanges([{ type: 'seat.moved', from: 'available', to: 'locked', reason: 'locked', userId: 'alice' }, { type: 'seat.accepted' }]);
 * // [{ from: 'available', to: 'locked', reason: 'locked', userId: 'alice' }]
 * ```
 */
export function seatChanges(emitted: readonly SeatEmitted[]): SeatChange[] {
  const changes: SeatChange[] = [];
  for (const event of emitted) {
    if (event.type !== 'seat.moved') continue;
    const { from, to, reason, userId } = event;
    changes.push({ from, to, reason, userId });
  }
  return changes;
}

/**
 * The machine's reply among what it emitted, if it replied (it does to every request event).
 *
 * @example
 * ```ts
 * seatReply([{ type: 'seat.moved', … }, { type: 'seat.accepted' }]); // { type: 'seat.accepted' }
 * ```
 */
export function seatReply(emitted: readonly SeatEmitted[]): SeatReply | undefined {
  for (const event of emitted) if (event.type !== 'seat.moved') return event;
  return undefined;
}
