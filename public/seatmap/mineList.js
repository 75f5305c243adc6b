// @ts-check
// "Your seats": the user's bookings, and their locks with a countdown, Confirm and Release.
import { countdown } from './countdowns.js';

/** @typedef {import('./types.js').MySeat} MySeat */
/** @typedef {'confirm' | 'release'} SettleAction */

/**
 * Shows the user's seats in `list` (and `empty` when there are none).
 * @param {{ list: HTMLElement, empty: HTMLElement }} elements
 * @param {Array<[string, MySeat]>} entries in the order to show
 * @param {(id: string, action: SettleAction) => void} onAction Confirm or Release clicked
 */
export function renderMineList({ list, empty }, entries, onAction) {
  empty.hidden = entries.length > 0;
  const items = entries.map(([id, entry]) => {
    const item = document.createElement('li');
    item.dataset.seat = id;
    const title = document.createElement('strong');
    title.textContent = `Seat ${id}`;
    item.append(title, ' ');
    if (entry.state === 'booked') {
      item.append('booked — enjoy the show.');
      return item;
    }
    const confirm = actionButton(id, 'confirm', onAction);
    const release = actionButton(id, 'release', onAction);
    item.append('locked for you, ', countdown(entry.expiresAt), ' ', confirm, ' ', release);
    return item;
  });
  list.replaceChildren(...items);
}

/**
 * The Confirm or Release button of one of the user's locks.
 * @param {string} id
 * @param {SettleAction} action
 * @param {(id: string, action: SettleAction) => void} onAction
 */
function actionButton(id, action, onAction) {
  const button = document.createElement('button');
  const label = action === 'confirm' ? 'Confirm' : 'Release';
  button.type = 'button';
  button.className = action;
  button.textContent = label;
  button.setAttribute('aria-label', `${label} seat ${id}`);
  button.addEventListener('click', () => onAction(id, action));
  return button;
}
