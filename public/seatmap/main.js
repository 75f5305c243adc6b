// @ts-check
// The seat map: plain browser modules, no framework and no build step. The server decides every
// seat rule; this page only shows seats, sends the user's requests and shows the server's answers.
// This module wires the others together and holds what the page is doing right now.
import { getJson, RefusedError } from './api.js';
import { renderHold } from './holdPanel.js';
import { Holds, refusedSeats } from './holds.js';
import { startCountdowns, tick } from './countdowns.js';
import { pageElements } from './dom.js';
import { EventLayout } from './eventLayout.js';
import { loadEventPicker } from './eventPicker.js';
import { moveFocus, onGridKey } from './keyboard.js';
import { lockEndedMessage } from './lockEnded.js';
import { say as sayIn } from './message.js';
import { renderMineList } from './mineList.js';
import { MySeats } from './mySeats.js';
import { MINE_COLOUR, Overview, OVERVIEW_COLOURS } from './overview.js';
import { SeatGrid } from './seatGrid.js';
import {
  gridRows,
  pageFrom,
  previousPageStart,
  SHOW_WHOLE_UP_TO,
  updatePager,
} from './seatPages.js';
import { SeatStates } from './seatStates.js';
import { openSeatStream } from './seatStream.js';
import { SectionList } from './sectionList.js';
import { fetchMySeats, postAsGuest, sessionUser, startGuestSession } from './session.js';
import { showCounts } from './summary.js';

/** @typedef {import('./types.js').PageConfig} PageConfig */
/** @typedef {import('./types.js').Transition} Transition */
/** @typedef {import('./types.js').SeatPage} SeatPage */
/** @typedef {import('./types.js').EventDetails} EventDetails */
/** @typedef {import('./types.js').LockAnswer} LockAnswer */
/** @typedef {import('./types.js').SettleAnswer} SettleAnswer */
/** @typedef {import('./mineList.js').SettleAction} SettleAction */
/** @typedef {import('./seatPages.js').SeatRange} SeatRange */

/** Refusal codes meaning the user's lock is gone. */
const GONE = new Set(['LOCK_EXPIRED', 'NOT_LOCKED', 'LOCK_NOT_HELD']);
const SALES_TEXT = {
  scheduled: 'Sales have not opened yet.',
  onSale: 'On sale.',
  closed: 'Sales are closed.',
  cancelled: 'This event is cancelled.',
};

const el = pageElements();
/** The event on screen: `?event=<id>`, the default event without it. */
const query = new URLSearchParams(window.location.search);
const eventId = query.get('event') || 'default';
/** Where the event's seat routes live. */
const base = `/events/${encodeURIComponent(eventId)}`;
const mine = new MySeats(eventId);
const holds = new Holds(base, eventId, userId);
const grid = new SeatGrid(
  el.grid,
  (id, state) => (state === 'locked' && holds.has(id)) || mine.of(id, userId())?.state === state,
);
const sections = new SectionList(el.sectionList, (s) => openSection(s, layout.sections[s].start));

let layout = new EventLayout([], true);
let states = new SeatStates(layout);
/** @type {Overview | null} the venue on a canvas, for events too big to show whole */
let overview = null;
/** The seats on screen: which section (-1 for the whole event), and which of its seats. */
const shown = { section: -1, start: 0, end: 0 };
/** @type {Transition[] | null} events that arrive while seats load, applied in order after */
let pending = null;
/** Seats this page is releasing right now: their return to available is no news to the user. */
const releasing = new Set();

/**
 * @param {string} text
 * @param {import('./message.js').MessageKind} [kind]
 */
const say = (text, kind) => sayIn(el.message, text, kind);

/** @param {unknown} err */
const reasonOf = (err) => (err instanceof Error ? err.message : String(err));

/** The guest session's user: every seat the page calls yours is this user's. */
function userId() {
  return sessionUser();
}

/** @param {string} id */
const seatUrl = (id) => `${base}/seats/${encodeURIComponent(id)}`;

// ---------- seats on screen ----------

/**
 * Shows seats `range` of section `s` (-1: the whole event) as buttons, from the states loaded.
 * @param {number} s
 * @param {SeatRange} range
 */
function showSeats(s, range) {
  shown.section = s;
  shown.start = range.start;
  shown.end = range.end;
  grid.render(gridRows(layout, states, range));
  updatePager(
    { pager: el.pager, label: el.pageLabel, previous: el.pagePrev, next: el.pageNext },
    layout,
    s,
    range,
  );
  refreshMine();
}

/**
 * Opens section `s` at the page that starts at seat `from`.
 * @param {number} s
 * @param {number} from
 */
function openSection(s, from) {
  const section = layout.sections[s];
  sections.choose(s);
  el.sectionHeading.textContent = `${section.name}: ${(section.end - section.start).toLocaleString('en')} seats`;
  showSeats(s, pageFrom(layout, s, from));
  const url = new URL(window.location.href);
  url.searchParams.set('event', eventId);
  url.searchParams.set('section', section.id);
  window.history.replaceState(null, '', url);
}

/** Draws the overview again, whole (after a load, a resync, a resize). */
function drawOverview() {
  if (!overview) return;
  const width = Math.max(240, el.overviewArea.clientWidth);
  overview.place(width, Math.max(240, Math.round(window.innerHeight * 0.75)));
  const load = performance.now();
  overview.draw(states, mineIndexes());
  performance.measure('seatmap:overview-draw', { start: load, end: performance.now() });
}

/** Indexes of the seats this browser holds or booked for the user on screen. */
function mineIndexes() {
  const ids = [...mine.listFor(userId()).map(([id]) => id), ...holds.seatIds()];
  return ids.map((id) => layout.indexOf(id));
}

/**
 * Repaints seat `index` on the overview: the user's colour, or its state's.
 * @param {number} index
 */
function paintOverview(index) {
  if (!overview || index < 0) return;
  const id = layout.idAt(index);
  const yours = holds.has(id) || mine.of(id, userId());
  const colour = yours ? MINE_COLOUR : OVERVIEW_COLOURS[states.bytes[index]];
  overview.paintSeat(index, colour);
}

/**
 * Records seat `id`'s new state everywhere it is shown: counts, overview, section, button.
 * @param {string} id
 * @param {import('./types.js').SeatState} state
 */
function setSeat(id, state) {
  const index = layout.indexOf(id);
  if (index < 0) return;
  if (states.set(index, state)) {
    showCounts(el.summary, states.counts);
    sections.update(layout.sectionAt(index), states);
  }
  paintOverview(index);
  grid.setState(id, state);
}

// ---------- the user's seats ----------

function refreshMine() {
  const entries = mine.listFor(userId());
  renderMineList({ list: el.mineList, empty: el.mineEmpty }, entries, (id, action) => {
    void settle(id, action);
  });
  tick(el.mineList, Date.now());
  grid.paintAll();
  // Every seat this browser knows of (whoever's): one of them may have stopped being the user's.
  for (const id of mine.seats.keys()) paintOverview(layout.indexOf(id));
}

/**
 * Confirms or releases one of the user's locks.
 * @param {string} id
 * @param {SettleAction} action
 */
async function settle(id, action) {
  const entry = mine.get(id);
  if (!entry) return;
  if (action === 'release') releasing.add(id);
  try {
    /** @type {SettleAnswer} */
    const body = await postAsGuest(`${seatUrl(id)}/${action}`, { lockId: entry.lockId });
    if (action === 'confirm') mine.set(id, { ...entry, state: 'booked' });
    else mine.delete(id);
    setSeat(id, body.seat.state);
    say(body.message, 'ok');
  } catch (err) {
    // The server says this lock is no longer the user's: stop showing it as theirs.
    if (err instanceof RefusedError && err.code !== undefined && GONE.has(err.code))
      mine.delete(id);
    say(reasonOf(err), 'error');
  } finally {
    releasing.delete(id);
  }
  refreshMine();
  grid.button(id)?.focus();
}

// ---------- the user's hold ----------

/** Hold requests of this page in flight: the stream's news of their seats is no news. */
let holdBusy = 0;
/** The hold's seats as last shown, to repaint those that left it. */
let holdShown = /** @type {string[]} */ ([]);

/** Shows the hold, and repaints its seats (and those that just left it) as the user's or not. */
function showHold() {
  renderHold(
    {
      empty: el.holdEmpty,
      open: el.holdOpen,
      summary: el.holdSummary,
      seats: el.holdSeats,
      extend: el.holdExtend,
      book: el.holdBook,
      release: el.holdRelease,
    },
    holds.hold,
    (id) => void holdAction(() => holds.remove(id), `Seat ${id} is given back.`),
  );
  el.bestSubmit.disabled = !!holds.hold;
  el.bestSubmit.title = holds.hold ? 'Book or release your hold first.' : '';
  tick(el.holdOpen, Date.now());
  const now = holds.seatIds();
  for (const id of new Set([...holdShown, ...now])) {
    paintOverview(layout.indexOf(id));
    const state = grid.stateOf(id);
    if (state) grid.setState(id, state);
  }
  holdShown = now;
}

/**
 * Runs one hold request, then shows the hold and says `done` (or the service's refusal).
 * @param {() => Promise<unknown>} request
 * @param {string | ((result: unknown) => string)} done
 */
async function holdAction(request, done) {
  holdBusy++;
  try {
    const result = await request();
    // The seats the service just answered for, at once (the stream will say so too).
    for (const seat of holds.hold?.seats ?? []) setSeat(seat.id, seat.state);
    say(typeof done === 'string' ? done : done(result), 'ok');
  } catch (err) {
    const refused = refusedSeats(err)
      .map((seat) => `${seat.id} (${seat.code})`)
      .join(', ');
    const detail = reasonOf(err);
    say(refused && !detail.includes(refused) ? `${detail} Refused: ${refused}.` : detail, 'error');
  } finally {
    holdBusy--;
  }
  showHold();
}

/**
 * A seat was clicked: into the hold (a new one if none is open), or out of it when it was in.
 * @param {string} id
 */
function holdSeat(id) {
  if (holds.has(id)) {
    void holdAction(() => holds.remove(id), `Seat ${id} is given back.`);
    return;
  }
  void holdAction(
    () => holds.add(id),
    () => `Seat ${id} is in your hold: ${holdWords()}.`,
  );
}

/** "3 seats until 21:40:05" */
function holdWords() {
  const hold = holds.hold;
  if (!hold) return 'none';
  const count = hold.seats.length;
  const until = new Date(hold.expiresAt).toLocaleTimeString('en-GB');
  return `${count} ${count === 1 ? 'seat' : 'seats'} until ${until}`;
}

async function bookAll() {
  const user = userId();
  await holdAction(
    () => holds.confirm(),
    (result) => {
      const booking = /** @type {import('./types.js').Booking} */ (result);
      for (const seat of booking.seats) {
        mine.set(seat.id, { userId: user, state: 'booked', lockId: booking.id, expiresAt: 0 });
        setSeat(seat.id, 'booked');
      }
      refreshMine();
      return `Booked for you: ${booking.seats.map((seat) => seat.id).join(', ')}.`;
    },
  );
}

/** @param {SubmitEvent} event */
function onBestAvailable(event) {
  event.preventDefault();
  const count = Number(el.bestCount.value);
  const section = el.bestSection.value || undefined;
  void holdAction(
    () => holds.best(count, section),
    () => `Best available, held for you: ${holds.seatIds().join(', ')} (${holdWords()}).`,
  );
}

/** The best-available button says how many seats it asks for. */
function onBestCount() {
  const count = Number(el.bestCount.value) || 1;
  el.bestSubmit.textContent = `Best available: ${count} ${count === 1 ? 'seat' : 'seats'}`;
}

/**
 * The stream changed a seat of the hold without this page asking: the hold expired (all its
 * seats at once), or another window of the user's changed it. Read it again.
 * @param {Transition} event
 */
function onHoldSeatChanged(event) {
  if (holdBusy > 0 || !holds.has(event.id) || event.to === 'locked') return;
  if (event.reason === 'expired') {
    holds.forget();
    say(
      'Your hold expired; its seats are free again. Choose seats again if you still want them.',
      'error',
    );
    showHold();
    return;
  }
  void holds.restore().then(() => {
    if (!holds.hold) {
      const how = event.to === 'booked' ? 'booked' : 'released';
      say(`Your hold was ${how} in another window.`, 'info');
    }
    showHold();
  });
}

// ---------- live updates ----------

/** @param {Transition} event */
function applyTransition(event) {
  if (pending) {
    pending.push(event);
    return;
  }
  onHoldSeatChanged(event);
  const entry = mine.get(event.id);
  if (entry && entry.state === 'locked' && event.to === 'available') {
    mine.delete(event.id);
    if (entry.userId === userId() && !releasing.has(event.id)) {
      const { text, kind } = lockEndedMessage(event);
      say(text, kind);
    }
    refreshMine();
  }
  setSeat(event.id, event.to);
}

/**
 * Reads every seat's state (the seats not available), then applies what the stream brought
 * meanwhile, and shows it all: counts, overview, sections, the seats on screen.
 */
async function loadStates() {
  pending = pending || [];
  grid.setBusy();
  try {
    await states.load(base);
  } finally {
    const queued = pending;
    pending = null;
    for (const event of queued) applyTransition(event);
  }
  // The user's seats the server no longer shows as theirs (a lock that ran out while the page was
  // closed, a restart) are forgotten.
  mine.prune((id) => {
    const index = layout.indexOf(id);
    return index < 0 ? undefined : states.stateAt(index);
  });
  showCounts(el.summary, states.counts);
  if (overview) {
    drawOverview();
    sections.render(layout, states);
  }
  if (shown.section >= 0) openSection(shown.section, shown.start);
  else if (shown.end > 0) showSeats(-1, { start: 0, end: layout.size });
}

/** The stream could not replay what this page missed (too long away, or a restart): reload. */
async function resync() {
  try {
    await loadStates();
  } catch (err) {
    say(`Could not load the seat map: ${reasonOf(err)}`, 'error');
  }
}

/** @param {boolean} live */
function showConnection(live) {
  el.connection.textContent = live ? 'Live' : 'Reconnecting…';
  el.connection.dataset.live = String(live);
}

// ---------- start ----------

/** @param {SubmitEvent} event */
function onRowJump(event) {
  event.preventDefault();
  const s = Math.max(0, shown.section);
  const section = layout.sections[s];
  const typed = el.rowInput.value.trim();
  const rows = layout.rows.slice(section.firstRow, section.firstRow + section.rowCount);
  const row =
    rows.find((r) => r.label === typed) ??
    rows.find((r) => r.label.toUpperCase() === typed.toUpperCase());
  if (!row) {
    const range = `${rows[0].label} to ${rows[rows.length - 1].label}`;
    say(
      `There is no row ${typed || '(empty)'} in ${section.name}; rows go from ${range}.`,
      'error',
    );
    return;
  }
  openSection(s, row.start);
}

/** @param {MouseEvent} event */
function onGridClick(event) {
  const seat = event.target instanceof Element ? event.target.closest('.seat') : null;
  if (!(seat instanceof HTMLElement) || !seat.dataset.seat) return;
  /** @type {HTMLElement | null} */
  const focused = el.grid.querySelector('.seat[tabindex="0"]');
  if (focused && focused !== seat) moveFocus(focused, seat);
  holdSeat(seat.dataset.seat);
}

/** @param {MouseEvent} event */
function onOverviewClick(event) {
  const spot = overview?.hit(event.offsetX, event.offsetY);
  if (!spot) return;
  openSection(spot.section, layout.rows[spot.row].start);
  el.sectionHeading.scrollIntoView({ block: 'nearest' });
}

/**
 * Reads the event and its layout. Whether seat ids are a grid's (`A12`) or a section's
 * (`FLOOR-A-12`) is read from the event's first seat.
 */
async function loadEvent() {
  /** @type {Promise<{ event: EventDetails }>} */
  const details = getJson(base);
  /** @type {SeatPage} */
  const first = await getJson(`${base}/seats?limit=1`);
  const { event } = await details;
  const gridIds = !first.seats[0]?.id.includes('-');
  layout = new EventLayout(event.layout.sections, gridIds);
  states = new SeatStates(layout);
  el.mapHeading.textContent = event.name;
  if (layout.sections.length > 1) {
    for (const section of layout.sections) el.bestSection.add(new Option(section.name, section.id));
    el.bestSection.hidden = false;
  }
  el.eventState.textContent = SALES_TEXT[event.salesState];
  el.eventState.dataset.sales = event.salesState;
  document.title = `${event.name} · Seat map`;
  return event;
}

async function start() {
  el.grid.addEventListener('click', onGridClick);
  el.grid.addEventListener('keydown', onGridKey);
  el.overview.addEventListener('click', onOverviewClick);
  el.pagePrev.addEventListener('click', () =>
    openSection(shown.section, previousPageStart(layout, shown.section, shown.start)),
  );
  el.pageNext.addEventListener('click', () => openSection(shown.section, shown.end));
  el.rowJump.addEventListener('submit', onRowJump);
  el.eventForm.addEventListener('submit', (event) => event.preventDefault());
  el.holdExtend.addEventListener('click', () => {
    void holdAction(
      () => holds.extend(),
      () => `Your hold is extended: ${holdWords()}.`,
    );
  });
  el.holdBook.addEventListener('click', () => void bookAll());
  el.holdRelease.addEventListener('click', () => {
    void holdAction(() => holds.release(), 'Your hold is released; its seats are free again.');
  });
  el.bestForm.addEventListener('submit', onBestAvailable);
  el.bestCount.addEventListener('input', onBestCount);
  startCountdowns(el.mineList);
  startCountdowns(el.holdOpen);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resizing;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(drawOverview, 200);
  });

  loadEventPicker(el.eventPicker, eventId).catch((err) =>
    say(`Could not list the events: ${reasonOf(err)}`, 'error'),
  );
  try {
    /** @type {Promise<PageConfig>} */
    const configured = getJson('/config.json');
    // Who this browser is (a guest session, started on the first visit) before any write.
    const session = startGuestSession();
    await loadEvent();
    await session;
    const config = await configured;
    if (config.inspectorUrl) {
      el.inspector.href = config.inspectorUrl;
      el.inspector.hidden = false;
    }
    // Listen first, then load: a change made while loading is queued, not lost.
    pending = [];
    await openSeatStream(`${base}/seats/events`, {
      onTransition: applyTransition,
      onResync: () => void resync(),
      onStatus: showConnection,
    });
    const big = layout.size > SHOW_WHOLE_UP_TO;
    if (big) {
      overview = new Overview(el.overview, layout);
      el.overviewArea.hidden = false;
    }
    await loadStates();
    // After a reload, or in another tab: the guest's seats as the server knows them.
    for (const [id, seat] of await fetchMySeats(eventId)) mine.set(id, seat);
    refreshMine();
    performance.mark('seatmap:loaded');
    if (!big) showSeats(-1, { start: 0, end: layout.size });
    else {
      const chosen = layout.sectionIndex(query.get('section') ?? '');
      // One section (a grid) has nothing to choose: it opens at once.
      if (chosen >= 0 || layout.sections.length === 1) openSection(Math.max(0, chosen), 0);
      else {
        el.sectionHeading.textContent = 'Choose a section to see its seats.';
        grid.render([]);
      }
    }
    // The hold a previous visit (or another window) left open, if it still is.
    await holds.restore();
    showHold();
  } catch (err) {
    say(`Could not load the seat map: ${reasonOf(err)}`, 'error');
  }
}

void start();
