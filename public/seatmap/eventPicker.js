// @ts-check
// The event picker: every event `GET /events` lists, by name; choosing one opens its map (a new
// address, `?event=<id>`, so a reload or a shared link shows the same event).
import { getJson } from './api.js';

/** @typedef {import('./types.js').EventList} EventList */
/** @typedef {import('./types.js').EventView} EventView */

/** Most events the picker lists (pages of 100 followed until then). */
const MAX_EVENTS = 1000;
const SALES_TEXT = {
  scheduled: 'sales not open yet',
  onSale: 'on sale',
  closed: 'sales closed',
  cancelled: 'cancelled',
};

/**
 * The label of an event in the picker.
 * @param {EventView} event
 */
export function eventLabel(event) {
  return `${event.name} (${event.seats.toLocaleString('en')} seats, ${SALES_TEXT[event.salesState]})`;
}

/**
 * Fills `select` with the events and selects `current`; choosing another opens it.
 * @param {HTMLSelectElement} select
 * @param {string} current the event on screen
 */
export async function loadEventPicker(select, current) {
  /** @type {EventView[]} */
  const events = [];
  /** @type {string | null} */
  let after = null;
  do {
    const cursor = after ? `&after=${encodeURIComponent(after)}` : '';
    /** @type {EventList} */
    const page = await getJson(`/events?limit=100${cursor}`);
    events.push(...page.events);
    after = page.next;
  } while (after && events.length < MAX_EVENTS);
  select.replaceChildren(
    ...events.map((event) => {
      const option = document.createElement('option');
      option.value = event.id;
      option.textContent = eventLabel(event);
      option.selected = event.id === current;
      return option;
    }),
  );
  select.disabled = false;
  select.addEventListener('change', () => {
    const url = new URL(window.location.href);
    url.search = new URLSearchParams({ event: select.value }).toString();
    window.location.assign(url);
  });
}
