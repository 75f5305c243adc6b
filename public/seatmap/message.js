// @ts-check
// The live region that tells the user what happened (screen readers announce it).

/** @typedef {'info' | 'ok' | 'error'} MessageKind */

/**
 * Shows `text` in the message region, styled by `kind`.
 * @param {HTMLElement} region
 * @param {string} text
 * @param {MessageKind} [kind]
 */
export function say(region, text, kind = 'info') {
  region.textContent = text;
  region.dataset.kind = kind;
}
