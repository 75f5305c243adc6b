// @ts-check
// The seat map: plain browser modules, no framework and no build step. The server decides every
// seat rule; this page only shows seats, sends the user's requests and shows the server's answers.
// This module wires the others together and holds what the page is doing right now.
import { fetchSeats, getJson, post, RefusedError } from './api.js';
import { startCountdowns, tick } from './countdowns.js';
import { pageElements } from './dom.js';
import { moveFocus, onGridKey } from './keyboard.js';
import { lockEndedMessage } from './lockEnded.js';
import { say as sayIn } from './message.js';
import { renderMineList } from './mineList.js';
import { MySeats } from './mySeats.js';
import { pageSeats, pageSizeFrom, updatePager } from './pager.js';
import { SeatGrid } from './seatGrid.js';
import { rowIndex, rowLabel, seatIdAt } from './seatIds.js';
import { openSeatStream } from './seatStream.js';
import { readJson, writeJson } from './storage.js';
import { SummaryView } from './summary.js';

/** @typedef {import('./types.js').PageConfig} PageConfig */
/** @typedef {import('./types.js').Transition} Transition */
/** @typedef {import('./types.js').Seat} Seat */
/** @typedef {import('./types.js').LockAnswer} LockAnswer */
/** @typedef {import('./types.js').SettleAnswer} SettleAnswer */
/** @typedef {import('./mineList.js').SettleAction} SettleAction */

const NAME_KEY = 'seatmap.name';
/** Refusal codes meaning the user's lock is gone. */
const GONE = new Set(['LOCK_EXPIRED', 'NOT_LOCKED', 'LOCK_NOT_HELD']);

const el = pageElements();
const mine = new MySeats();
const grid = new SeatGrid(el.grid, (id, state) => mine.of(id, userId())?.state === state);
const summary = new SummaryView(el.summary);

/** @type {PageConfig} */
let config = { rows: 0, seatsPerRow: 0, lockTtlMs: 0, inspectorUrl: null };
/** The seats on screen: index of the first, and how many. */
const shown = { start: 0, size: 0 };
/** @type {Transition[] | null} events that arrive while seats load, applied in order after */
let pending = null;
/** Counts page loads, so that only the latest one renders. */
let loads = 0;
/** Seats this page is releasing right now: their return to available is no news to the user. */
const releasing = new Set();

/**
 * @param {string} text
 * @param {import('./message.js').MessageKind} [kind]
 */
const say = (text, kind) => sayIn(el.message, text, kind);

/** @param {unknown} err */
const reasonOf = (err) => (err instanceof Error ? err.message : String(err));

function userId() {
  return el.name.value.trim();
}

// ---------- seats on screen ----------

/**
 * Shows the seats from index `start`; a newer call (a quick second click) wins.
 * @param {number} start
 */
async function loadPage(start) {
  const load = ++loads;
  pending = pending || [];
  grid.setBusy();
  const size = pageSizeFrom(start, summary.total, config.seatsPerRow);
  /** @type {Seat[] | null} */
  let seats = null;
  try {
    seats = await fetchSeats(start === 0 ? null : seatIdAt(start - 1, config.seatsPerRow), size);
  } catch (err) {
    say(`Could not load the seats: ${reasonOf(err)}`, 'error');
  }
  if (load !== loads) return;
  if (seats) {
    shown.start = start;
    shown.size = size;
    grid.render(seats);
    mine.prune((id) => grid.stateOf(id), Date.now());
  }
  const queued = pending;
  pending = null;
  queued.forEach(applyTransition);
  updatePager(
    { pager: el.pager, label: el.pageLabel, previous: el.pagePrev, next: el.pageNext },
    { ...shown, total: summary.total, seatsPerRow: config.seatsPerRow },
  );
  refreshMine();
}

/**
 * Runs a page load from an event handler, where nobody awaits it (it reports its own failures).
 * @param {number} start
 */
function showPage(start) {
  void loadPage(start);
}

// ---------- the user's seats ----------

function refreshMine() {
  renderMineList(
    { list: el.mineList, empty: el.mineEmpty },
    mine.listFor(userId()),
    (id, action) => {
      void settle(id, action);
    },
  );
  tick(el.mineList, Date.now());
  grid.paintAll();
}

/** @param {string} id */
async function lock(id) {
  const name = userId();
  if (!name) {
    say('Type your name first, then choose a seat.', 'error');
    el.name.focus();
    return;
  }
  if (mine.of(id, name)?.state === 'locked') {
    // Already yours: take the user to what they can do with it.
    /** @type {HTMLElement | null} */
    const confirm = el.mineList.querySelector(`li[data-seat="${id}"] .confirm`);
    confirm?.focus();
    say(`Seat ${id} is already locked for you; confirm or release it below.`);
    return;
  }
  try {
    /** @type {LockAnswer} */
    const body = await post(`/seats/${encodeURIComponent(id)}/lock`, { userId: name });
    mine.set(id, {
      userId: name,
      state: 'locked',
      lockId: body.lockId,
      expiresAt: Date.parse(body.expiresAt),
    });
    grid.setState(id, body.seat.state);
    refreshMine();
    say(body.message, 'ok');
  } catch (err) {
    say(reasonOf(err), 'error');
  }
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
    const body = await post(`/seats/${encodeURIComponent(id)}/${action}`, {
      userId: entry.userId,
      lockId: entry.lockId,
    });
    if (action === 'confirm') mine.set(id, { ...entry, state: 'booked' });
    else mine.delete(id);
    grid.setState(id, body.seat.state);
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

// ---------- live updates ----------

/** @param {Transition} event */
function applyTransition(event) {
  if (pending) {
    pending.push(event);
    return;
  }
  const entry = mine.get(event.id);
  if (entry && entry.state === 'locked' && event.to === 'available') {
    mine.delete(event.id);
    if (entry.userId === userId() && !releasing.has(event.id)) {
      const { text, kind } = lockEndedMessage(event);
      say(text, kind);
    }
    refreshMine();
  }
  grid.setState(event.id, event.to);
  summary.apply(event);
}

/** The stream could not replay what this page missed (too long away, or a restart): reload. */
async function resync() {
  try {
    await summary.load();
    await loadPage(Math.min(shown.start, Math.max(0, summary.total - 1)));
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
  const label = el.rowInput.value.trim().toUpperCase();
  const row = /^[A-Z]{1,6}$/.test(label) ? rowIndex(label) : -1;
  if (row < 0 || row >= config.rows) {
    say(
      `There is no row ${label || '(empty)'}; rows go from A to ${rowLabel(config.rows - 1)}.`,
      'error',
    );
    return;
  }
  showPage(row * config.seatsPerRow);
}

/** @param {MouseEvent} event */
function onGridClick(event) {
  const seat = event.target instanceof Element ? event.target.closest('.seat') : null;
  if (!(seat instanceof HTMLElement) || !seat.dataset.seat) return;
  /** @type {HTMLElement | null} */
  const focused = el.grid.querySelector('.seat[tabindex="0"]');
  if (focused && focused !== seat) moveFocus(focused, seat);
  void lock(seat.dataset.seat);
}

async function start() {
  el.name.value = readJson(NAME_KEY, '');
  el.name.addEventListener('input', () => {
    writeJson(NAME_KEY, userId());
    refreshMine();
  });
  el.grid.addEventListener('click', onGridClick);
  el.grid.addEventListener('keydown', onGridKey);
  el.pagePrev.addEventListener('click', () =>
    showPage(Math.max(0, shown.start - pageSeats(config.seatsPerRow))),
  );
  el.pageNext.addEventListener('click', () => showPage(shown.start + shown.size));
  el.rowJump.addEventListener('submit', onRowJump);
  startCountdowns(el.mineList);

  try {
    config = await getJson('/config.json');
    if (config.inspectorUrl) {
      el.inspector.href = config.inspectorUrl;
      el.inspector.hidden = false;
    }
    // Listen first, then load: a change made while loading is queued, not lost.
    await openSeatStream({
      onTransition: applyTransition,
      onResync: () => void resync(),
      onStatus: showConnection,
    });
    await summary.load();
    await loadPage(0);
  } catch (err) {
    say(`Could not load the seat map: ${reasonOf(err)}`, 'error');
  }
}

void start();
