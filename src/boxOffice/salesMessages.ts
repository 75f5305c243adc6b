import type { EventReply } from '../../machines/eventTypes';

type Refusal = Extract<EventReply, { type: 'sales.refused' }>;

/**
 * The sentence for a request the event's sales window refused: it only words the machine's reply
 * (its code, the state it decided in, when sales open); it decides nothing.
 *
 * @example
 * ```ts
 * salesRefusalDetail({ type: 'sales.refused', code: 'SALES_CLOSED', state: 'closed', salesOpenAt: null }, 'Hamlet');
 * // 'Sales for "Hamlet" have closed: no new locks. …'
 * ```
 */
export function salesRefusalDetail(refusal: Refusal, name: string): string {
  const event = JSON.stringify(name);
  if (refusal.code === 'EVENT_CANCELLED') {
    return `${event} is cancelled; its sales cannot be opened or closed again.`;
  }
  if (refusal.state === 'cancelled') {
    return `${event} is cancelled: no seat can be locked or booked any more; a lock may still be released.`;
  }
  if (refusal.code === 'SALES_NOT_OPEN') {
    const when =
      refusal.salesOpenAt === null ? 'later' : `at ${new Date(refusal.salesOpenAt).toISOString()}`;
    return `Sales for ${event} open ${when}; try again then.`;
  }
  return `Sales for ${event} have closed: no new locks. A lock taken before the close can still be confirmed until it expires.`;
}
