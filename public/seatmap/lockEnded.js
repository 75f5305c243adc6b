// @ts-check
// What to tell the user when a lock of theirs ends without this page having asked for it.

/** @typedef {import('./types.js').Transition} Transition */
/** @typedef {import('./message.js').MessageKind} MessageKind */

/**
 * The sentence for a lock of the user's that the stream says has ended: it ran out, or the user
 * released it in another window. The event's `reason` says which, as the seat machine decided it;
 * the page does not guess from the times.
 * @param {Transition} transition
 * @returns {{ text: string, kind: MessageKind }}
 */
export function lockEndedMessage(transition) {
  return transition.reason === 'expired'
    ? {
        text: `Your lock on seat ${transition.id} expired; lock it again if you still want it.`,
        kind: 'error',
      }
    : { text: `Your lock on seat ${transition.id} was released in another window.`, kind: 'info' };
}
