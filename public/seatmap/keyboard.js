// @ts-check
// Keyboard use of the grid: it is one tab stop, and arrow keys, Home and End move between seats.

/**
 * Moves the one tab stop of the grid from one seat to another, and the focus with it.
 * @param {HTMLElement} from
 * @param {HTMLElement} to
 */
export function moveFocus(from, to) {
  from.tabIndex = -1;
  to.tabIndex = 0;
  to.focus();
}

/**
 * The grid's keydown handler: arrow keys move seat by seat (up and down keep the column as far
 * as the other row allows), Home and End go to the ends of the row.
 * @param {KeyboardEvent} event
 */
export function onGridKey(event) {
  const current = event.target instanceof Element ? event.target.closest('.seat') : null;
  const row = current?.parentElement;
  if (!(current instanceof HTMLElement) || !row) return;
  /** @type {HTMLElement[]} */
  const seatsInRow = [...row.querySelectorAll('.seat')].filter((s) => s instanceof HTMLElement);
  const column = seatsInRow.indexOf(current);
  /** @type {HTMLElement | undefined} */
  let target;
  switch (event.key) {
    case 'ArrowLeft':
      target = seatsInRow[column - 1];
      break;
    case 'ArrowRight':
      target = seatsInRow[column + 1];
      break;
    case 'ArrowUp':
    case 'ArrowDown': {
      const other = event.key === 'ArrowUp' ? row.previousElementSibling : row.nextElementSibling;
      if (other) {
        /** @type {NodeListOf<HTMLElement>} */
        const seats = other.querySelectorAll('.seat');
        target = seats[Math.min(column, seats.length - 1)];
      }
      break;
    }
    case 'Home':
      target = seatsInRow[0];
      break;
    case 'End':
      target = seatsInRow[seatsInRow.length - 1];
      break;
    default:
      return;
  }
  event.preventDefault();
  if (target) moveFocus(current, target);
}
