// @ts-check
// The seats on screen: one button per seat, grouped by row, repainted one seat at a time.

/** @typedef {import('./types.js').GridRow} GridRow */
/** @typedef {import('./types.js').SeatState} SeatState */

/** Each colour comes with a word, so the state never depends on colour alone. */
const STATE_TEXT = { available: 'free', locked: 'held', booked: 'sold' };
const MINE_TEXT = { available: 'free', locked: 'yours', booked: 'yours ✓' };
const DESCRIPTION = {
  available: 'available',
  locked: 'locked by someone else',
  booked: 'booked',
};
const MINE_DESCRIPTION = {
  available: 'available',
  locked: 'locked by you',
  booked: 'booked by you',
};

export class SeatGrid {
  /**
   * @param {HTMLElement} element the grid container
   * @param {(id: string, state: SeatState) => boolean} isMine whether the user holds the seat in that state
   */
  constructor(element, isMine) {
    this.element = element;
    this.isMine = isMine;
    /** @type {Map<string, HTMLButtonElement>} seat id → its button, for the seats on screen only */
    this.buttons = new Map();
    /** @type {Map<string, SeatState>} seat id → state, for the seats on screen only */
    this.states = new Map();
  }

  /**
   * The state of a seat on screen, or undefined when it is not on screen.
   * @param {string} id
   */
  stateOf(id) {
    return this.states.get(id);
  }

  /**
   * Records a seat's new state and repaints it, if it is on screen.
   * @param {string} id
   * @param {SeatState} state
   */
  setState(id, state) {
    if (!this.states.has(id)) return;
    this.states.set(id, state);
    this.paint(id);
  }

  /** Marks the grid busy while a page of seats loads. */
  setBusy() {
    this.element.setAttribute('aria-busy', 'true');
  }

  /**
   * Shows these rows of seats instead of the ones on screen.
   * @param {GridRow[]} rows
   */
  render(rows) {
    this.buttons.clear();
    this.states.clear();
    const fragment = document.createDocumentFragment();
    rows.forEach(({ label, name, seats }, r) => {
      const row = rowElement(label, name);
      seats.forEach((seat, i) => row.append(this.seatButton(seat, r === 0 && i === 0)));
      fragment.append(row);
    });
    this.element.replaceChildren(fragment);
    this.element.setAttribute('aria-busy', 'false');
  }

  /** Repaints every seat on screen (the user, and so which seats are theirs, changed). */
  paintAll() {
    for (const id of this.buttons.keys()) this.paint(id);
  }

  /**
   * @param {string} id
   * @returns {HTMLButtonElement | undefined}
   */
  button(id) {
    return this.buttons.get(id);
  }

  /**
   * @private
   * @param {string} id
   */
  paint(id) {
    const button = this.buttons.get(id);
    const state = this.states.get(id);
    if (!button || !state) return;
    const mine = this.isMine(id, state);
    button.dataset.state = state;
    button.dataset.mine = String(mine);
    /** @type {HTMLElement} */ (button.lastChild).textContent = (mine ? MINE_TEXT : STATE_TEXT)[
      state
    ];
    button.setAttribute(
      'aria-label',
      `Seat ${id}, ${(mine ? MINE_DESCRIPTION : DESCRIPTION)[state]}`,
    );
  }

  /**
   * @private
   * @param {import('./types.js').GridSeat} seat
   * @param {boolean} focusable the grid is one tab stop: one seat is in the tab order
   */
  seatButton(seat, focusable) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'seat';
    button.dataset.seat = seat.id;
    button.tabIndex = focusable ? 0 : -1;
    const number = document.createElement('span');
    number.className = 'num';
    number.textContent = String(seat.number);
    const status = document.createElement('span');
    status.className = 'st';
    button.append(number, status);
    this.buttons.set(seat.id, button);
    this.states.set(seat.id, seat.state);
    this.paint(seat.id);
    return button;
  }
}

/**
 * A row's group, labelled for screen readers, with its visible label.
 * @param {string} text the row's label as shown (`A`)
 * @param {string} name what a screen reader calls it (`Row A of Floor`)
 */
function rowElement(text, name) {
  const row = document.createElement('div');
  row.className = 'row';
  row.setAttribute('role', 'group');
  row.setAttribute('aria-label', name);
  const label = document.createElement('span');
  label.className = 'row-label';
  label.setAttribute('aria-hidden', 'true');
  label.textContent = text;
  row.append(label);
  return row;
}
