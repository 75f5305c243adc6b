// @ts-check
// Seat ids as the server names them: a spreadsheet-style row label, then the seat number from 1.

/**
 * Row label of a 0-based row: 0 → A, 25 → Z, 26 → AA.
 * @param {number} row
 */
export function rowLabel(row) {
  let label = '';
  for (let n = row + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
  }
  return label;
}

/**
 * 0-based row of an upper-case row label: A → 0, AA → 26.
 * @param {string} label
 */
export function rowIndex(label) {
  let n = 0;
  for (const ch of label) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * The id of the seat at a 0-based index in row-then-seat order.
 * @param {number} index
 * @param {number} seatsPerRow
 */
export function seatIdAt(index, seatsPerRow) {
  return rowLabel(Math.floor(index / seatsPerRow)) + String((index % seatsPerRow) + 1);
}

/**
 * The row label part of a seat id.
 * @param {string} id
 */
export function rowOf(id) {
  return /^[A-Z]+/.exec(id)?.[0] ?? '';
}
