// @ts-check
// "Your hold": the seats held together, one countdown for all of them, and what can be done with
// the hold: Extend (disabled when the service says none is left), Book all, Release all, and each
// seat given back on its own.
import { countdown } from './countdowns.js';

/** @typedef {import('./types.js').Hold} Hold */

/**
 * @typedef {object} HoldElements
 * @property {HTMLElement} empty shown when there is no hold
 * @property {HTMLElement} open shown while a hold is open
 * @property {HTMLElement} summary "3 seats held for you, 58 s left"
 * @property {HTMLElement} seats the hold's seats
 * @property {HTMLButtonElement} extend
 * @property {HTMLButtonElement} book
 * @property {HTMLButtonElement} release
 */

/**
 * Shows `hold` (or that there is none).
 * @param {HoldElements} el
 * @param {Hold | null} hold
 * @param {(id: string) => void} onGiveBack a seat's "give back" was pressed
 */
export function renderHold(el, hold, onGiveBack) {
  el.empty.hidden = !!hold;
  el.open.hidden = !hold;
  if (!hold) {
    el.seats.replaceChildren();
    el.summary.replaceChildren();
    return;
  }
  const count = hold.seats.length;
  el.summary.replaceChildren(
    `${count} ${count === 1 ? 'seat' : 'seats'} held for you, `,
    countdown(Date.parse(hold.expiresAt)),
  );
  el.seats.replaceChildren(
    ...hold.seats.map((seat) => {
      const item = document.createElement('li');
      item.dataset.seat = seat.id;
      const name = document.createElement('strong');
      name.textContent = `Seat ${seat.id}`;
      const giveBack = document.createElement('button');
      giveBack.type = 'button';
      giveBack.className = 'give-back';
      giveBack.textContent = 'Give back';
      giveBack.setAttribute('aria-label', `Give back seat ${seat.id}`);
      giveBack.addEventListener('click', () => onGiveBack(seat.id));
      item.append(name, ' ', giveBack);
      return item;
    }),
  );
  el.extend.disabled = hold.extensionsLeft <= 0;
  el.extend.textContent =
    hold.extensionsLeft > 0 ? `Extend (${hold.extensionsLeft} left)` : 'Extend (none left)';
}
