// @ts-check
// The countdowns of the user's locks. A timer rewrites their text only, never the list around them.

/** How often the countdowns are rewritten: twice a second keeps whole seconds honest. */
const TICK_MS = 500;

/**
 * Rewrites every countdown under `container` from its `data-expires-at` (ms since the epoch).
 * @param {ParentNode} container
 * @param {number} now
 */
export function tick(container, now) {
  /** @type {NodeListOf<HTMLElement>} */
  const spans = container.querySelectorAll('.countdown');
  for (const span of spans) {
    const left = Math.ceil((Number(span.dataset.expiresAt) - now) / 1000);
    span.textContent = left > 0 ? `${left} s left` : 'expiring…';
    span.dataset.urgent = String(left <= 10);
  }
}

/**
 * Keeps the countdowns under `container` running.
 * @param {ParentNode} container
 */
export function startCountdowns(container) {
  setInterval(() => tick(container, Date.now()), TICK_MS);
}

/**
 * A countdown to `expiresAt`, filled in by the next {@link tick}.
 * @param {number} expiresAt ms since the epoch
 */
export function countdown(expiresAt) {
  const span = document.createElement('span');
  span.className = 'countdown';
  span.dataset.expiresAt = String(expiresAt);
  return span;
}
