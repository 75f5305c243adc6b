// The seat map: plain browser JavaScript, no framework and no build step. The server decides every
// seat rule; this page only shows seats, sends the user's requests and shows the server's answers.
'use strict';

(function seatMap() {
  /** Venues up to this size are shown whole; bigger ones a page at a time. */
  const SHOW_WHOLE_UP_TO = 2000;
  /** Seats per request to `GET /seats` (the server's own maximum page may be smaller). */
  const FETCH_LIMIT = 1000;
  /** Seats per page on a big venue: enough to see a block of rows, few enough to stay fast. */
  const PAGE_SEATS = 1000;
  const STORAGE = { name: 'seatmap.name', mine: 'seatmap.mine' };
  const STATE_TEXT = { available: 'free', locked: 'held', booked: 'sold' };
  const MINE_TEXT = { locked: 'yours', booked: 'yours ✓' };
  /** Refusal codes meaning the user's lock is gone. */
  const GONE = new Set(['LOCK_EXPIRED', 'NOT_LOCKED', 'LOCK_NOT_HELD']);

  const el = {
    connection: document.getElementById('connection'),
    inspector: document.getElementById('inspector-link'),
    name: document.getElementById('user-name'),
    message: document.getElementById('message'),
    mineEmpty: document.getElementById('mine-empty'),
    mineList: document.getElementById('mine-list'),
    grid: document.getElementById('grid'),
    pager: document.getElementById('pager'),
    pageLabel: document.getElementById('page-label'),
    pagePrev: document.getElementById('page-prev'),
    pageNext: document.getElementById('page-next'),
    rowJump: document.getElementById('row-jump'),
    rowInput: document.getElementById('row-input'),
  };

  let config = { rows: 0, seatsPerRow: 0, lockTtlMs: 0, inspectorUrl: null };
  let total = 0;
  /** The venue's counts, from `GET /seats/summary`. */
  let counts = null;
  /** Index of the first seat shown, and how many are shown. */
  let pageStart = 0;
  let pageSize = 0;
  /** Seat id → its button, for the seats on screen only. */
  const buttons = new Map();
  /** Seat id → state, for the seats on screen only. */
  const states = new Map();
  /**
   * The user's seats, kept across reloads: id → {userId, state: 'locked'|'booked', lockId,
   * expiresAt (ms)}. The server never says who holds a seat, so only this page knows which are yours.
   */
  const mine = new Map(readJson(STORAGE.mine, []));
  /** Events that arrive while seats are loading; applied in order once they are loaded. */
  let pending = null;
  /** Counts page loads, so only the latest one renders. */
  let loads = 0;
  let summaryTimer = null;
  /** Seats this page is releasing right now: their return to available is no expiry. */
  const releasing = new Set();

  // ---------- small helpers ----------

  function readJson(key, fallback) {
    try {
      const raw = localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  }

  function saveMine() {
    try {
      localStorage.setItem(STORAGE.mine, JSON.stringify([...mine]));
    } catch {
      // Private mode or full storage: the page still works, it just forgets on reload.
    }
  }

  function userId() {
    return el.name.value.trim();
  }

  /** Mine for the name now in the field (two people may share a browser). */
  function myEntry(id) {
    const entry = mine.get(id);
    return entry && entry.userId === userId() ? entry : undefined;
  }

  /** Spreadsheet-style row label, as the server names rows: 0 → A, 25 → Z, 26 → AA. */
  function rowLabel(row) {
    let label = '';
    for (let n = row + 1; n > 0; n = Math.floor((n - 1) / 26)) {
      label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
    }
    return label;
  }

  function rowIndex(label) {
    let n = 0;
    for (const ch of label) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n - 1;
  }

  function seatIdAt(index) {
    return (
      rowLabel(Math.floor(index / config.seatsPerRow)) + String((index % config.seatsPerRow) + 1)
    );
  }

  function say(text, kind) {
    el.message.textContent = text;
    el.message.dataset.kind = kind || 'info';
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  }

  /** POSTs a seat request; resolves to the body, or rejects with the server's `detail`. */
  async function post(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      throw new Error('The service cannot be reached; check your connection and try again.');
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.detail || `The service refused (HTTP ${response.status}).`);
      error.code = data.code;
      throw error;
    }
    return data;
  }

  // ---------- seats on screen ----------

  function describe(id, state) {
    const entry = myEntry(id);
    if (state === 'locked' && entry && entry.state === 'locked') return 'locked by you';
    if (state === 'booked' && entry && entry.state === 'booked') return 'booked by you';
    return { available: 'available', locked: 'locked by someone else', booked: 'booked' }[state];
  }

  function paintSeat(id) {
    const button = buttons.get(id);
    const state = states.get(id);
    if (!button || !state) return;
    const entry = myEntry(id);
    const isMine = Boolean(entry && entry.state === state);
    button.dataset.state = state;
    button.dataset.mine = String(isMine);
    button.lastChild.textContent = isMine ? MINE_TEXT[state] : STATE_TEXT[state];
    button.setAttribute('aria-label', `Seat ${id}, ${describe(id, state)}`);
  }

  function makeSeat(seat, focusable) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'seat';
    button.dataset.seat = seat.id;
    button.tabIndex = focusable ? 0 : -1;
    const number = document.createElement('span');
    number.className = 'num';
    number.textContent = seat.id.replace(/^[A-Z]+/, '');
    const status = document.createElement('span');
    status.className = 'st';
    button.append(number, status);
    buttons.set(seat.id, button);
    states.set(seat.id, seat.state);
    paintSeat(seat.id);
    return button;
  }

  function render(seats) {
    buttons.clear();
    states.clear();
    const fragment = document.createDocumentFragment();
    let row = null;
    let rowName = '';
    seats.forEach((seat, i) => {
      const name = seat.id.match(/^[A-Z]+/)[0];
      if (name !== rowName) {
        rowName = name;
        row = document.createElement('div');
        row.className = 'row';
        row.setAttribute('role', 'group');
        row.setAttribute('aria-label', `Row ${name}`);
        const label = document.createElement('span');
        label.className = 'row-label';
        label.setAttribute('aria-hidden', 'true');
        label.textContent = name;
        row.append(label);
        fragment.append(row);
      }
      row.append(makeSeat(seat, i === 0));
    });
    el.grid.replaceChildren(fragment);
    el.grid.setAttribute('aria-busy', 'false');
  }

  /** GETs `count` seats after seat `after` (or from the first), following `next` page by page. */
  async function fetchSeats(after, count) {
    const seats = [];
    let cursor = after;
    while (seats.length < count) {
      const limit = Math.min(FETCH_LIMIT, count - seats.length);
      let url = `/seats?limit=${limit}`;
      if (cursor) url += `&after=${encodeURIComponent(cursor)}`;
      const page = await getJson(url);
      // A server without paging answers every seat from the first: skip to the cursor, keep what
      // was asked for. (A paging server's answer starts after the cursor, so it is not in it.)
      const skip = cursor ? page.seats.findIndex((s) => s.id === cursor) + 1 : 0;
      seats.push(...page.seats.slice(skip, skip + count - seats.length));
      if (!page.next) break;
      cursor = page.next;
    }
    return seats;
  }

  async function loadPage(start) {
    const load = ++loads;
    pending = pending || [];
    el.grid.setAttribute('aria-busy', 'true');
    const size = Math.min(total - start, total <= SHOW_WHOLE_UP_TO ? total : pageSeats());
    let seats = null;
    try {
      seats = await fetchSeats(start === 0 ? null : seatIdAt(start - 1), size);
    } catch (err) {
      say(`Could not load the seats: ${err.message}`, 'error');
    }
    if (load !== loads) return; // a newer load (a quick second click) has taken over
    if (seats) {
      pageStart = start;
      pageSize = size;
      render(seats);
      pruneMine();
    }
    const queued = pending;
    pending = null;
    queued.forEach(applyTransition);
    updatePager();
    refreshMine();
  }

  /** A big venue's page holds whole rows when rows are short enough. */
  function pageSeats() {
    if (config.seatsPerRow > PAGE_SEATS) return PAGE_SEATS;
    return Math.floor(PAGE_SEATS / config.seatsPerRow) * config.seatsPerRow;
  }

  function updatePager() {
    const paged = total > SHOW_WHOLE_UP_TO;
    el.pager.hidden = !paged;
    if (!paged) return;
    const last = pageStart + pageSize - 1;
    el.pageLabel.textContent = `Seats ${seatIdAt(pageStart)}–${seatIdAt(last)} of ${total.toLocaleString('en')}`;
    el.pagePrev.disabled = pageStart === 0;
    el.pageNext.disabled = last >= total - 1;
  }

  // ---------- summary ----------

  async function loadSummary() {
    counts = await getJson('/seats/summary');
    total = counts.total;
    showCounts();
  }

  function showCounts() {
    for (const key of ['total', 'available', 'locked', 'booked']) {
      document.querySelector(`[data-count="${key}"]`).textContent =
        counts[key].toLocaleString('en');
    }
  }

  /**
   * Events move the counts at once; a refetch (at most twice a second) then puts them right, so
   * an event counted twice around a reload never leaves them wrong.
   */
  function scheduleSummary() {
    if (summaryTimer) return;
    summaryTimer = setTimeout(() => {
      summaryTimer = null;
      loadSummary().catch(() => {});
    }, 500);
  }

  // ---------- the user's seats ----------

  function refreshMine() {
    const name = userId();
    const entries = [...mine].filter(([, entry]) => entry.userId === name);
    entries.sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
    el.mineEmpty.hidden = entries.length > 0;
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
      const countdown = document.createElement('span');
      countdown.className = 'countdown';
      countdown.dataset.expiresAt = String(entry.expiresAt);
      const confirm = actionButton(id, 'confirm');
      const release = actionButton(id, 'release');
      item.append('locked for you, ', countdown, ' ', confirm, ' ', release);
      return item;
    });
    el.mineList.replaceChildren(...items);
    tick();
    for (const id of buttons.keys()) paintSeat(id);
  }

  /**
   * Forgets the user's seats that the server no longer shows as theirs (a lock that ran out while
   * the page was closed, or a service restart), judged from the seats just loaded.
   */
  function pruneMine() {
    const now = Date.now();
    for (const [id, entry] of mine) {
      const state = states.get(id);
      const gone = entry.state === 'locked' && entry.expiresAt <= now;
      if (gone || (state !== undefined && state !== entry.state)) mine.delete(id);
    }
    saveMine();
  }

  /** The Confirm or Release button of one of the user's locks. */
  function actionButton(id, action) {
    const button = document.createElement('button');
    const label = action === 'confirm' ? 'Confirm' : 'Release';
    button.type = 'button';
    button.className = action;
    button.textContent = label;
    button.setAttribute('aria-label', `${label} seat ${id}`);
    button.addEventListener('click', () => settle(id, action));
    return button;
  }

  /** Updates every countdown; the timer re-renders text only, never the list. */
  function tick() {
    const now = Date.now();
    for (const span of el.mineList.querySelectorAll('.countdown')) {
      const left = Math.ceil((Number(span.dataset.expiresAt) - now) / 1000);
      span.textContent = left > 0 ? `${left} s left` : 'expiring…';
      span.dataset.urgent = String(left <= 10);
    }
  }

  async function lock(id) {
    const name = userId();
    if (!name) {
      say('Type your name first, then choose a seat.', 'error');
      el.name.focus();
      return;
    }
    const entry = myEntry(id);
    if (entry && entry.state === 'locked') {
      // Already yours: take the user to what they can do with it.
      el.mineList.querySelector(`li[data-seat="${id}"] .confirm`)?.focus();
      say(`Seat ${id} is already locked for you; confirm or release it below.`);
      return;
    }
    try {
      const body = await post(`/seats/${encodeURIComponent(id)}/lock`, { userId: name });
      mine.set(id, {
        userId: name,
        state: 'locked',
        lockId: body.lockId,
        expiresAt: Date.parse(body.expiresAt),
      });
      saveMine();
      if (states.has(id)) states.set(id, body.seat.state);
      refreshMine();
      say(body.message, 'ok');
    } catch (err) {
      say(err.message, 'error');
    }
  }

  async function settle(id, action) {
    const entry = mine.get(id);
    if (!entry) return;
    if (action === 'release') releasing.add(id);
    try {
      const body = await post(`/seats/${encodeURIComponent(id)}/${action}`, {
        userId: entry.userId,
        lockId: entry.lockId,
      });
      if (action === 'confirm') mine.set(id, { ...entry, state: 'booked' });
      else mine.delete(id);
      if (states.has(id)) states.set(id, body.seat.state);
      say(body.message, 'ok');
    } catch (err) {
      // The server says this lock is no longer the user's: stop showing it as theirs.
      if (GONE.has(err.code)) mine.delete(id);
      say(err.message, 'error');
    } finally {
      releasing.delete(id);
    }
    saveMine();
    refreshMine();
    buttons.get(id)?.focus();
  }

  // ---------- live updates ----------

  function applyTransition(event) {
    if (pending) {
      pending.push(event);
      return;
    }
    const entry = mine.get(event.id);
    if (entry && entry.state === 'locked' && event.to === 'available') {
      mine.delete(event.id);
      saveMine();
      // Not released from this page: it ran out, or the user released it in another window. Both
      // times are the server's; the second allows for a timer that fires a hair early.
      if (entry.userId === userId() && !releasing.has(event.id)) {
        const ranOut = Date.parse(event.at) >= entry.expiresAt - 1000;
        say(
          ranOut
            ? `Your lock on seat ${event.id} expired; lock it again if you still want it.`
            : `Your lock on seat ${event.id} was released in another window.`,
          ranOut ? 'error' : 'info',
        );
      }
      refreshMine();
    }
    if (states.has(event.id)) {
      states.set(event.id, event.to);
      paintSeat(event.id);
    }
    if (counts) {
      counts[event.from] -= 1;
      counts[event.to] += 1;
      showCounts();
    }
    scheduleSummary();
  }

  function connect() {
    return new Promise((resolve) => {
      const source = new EventSource('/seats/events');
      let first = true;
      source.onopen = () => {
        el.connection.textContent = 'Live';
        el.connection.dataset.live = 'true';
        if (first) {
          first = false;
          resolve();
        }
      };
      source.onerror = () => {
        el.connection.textContent = 'Reconnecting…';
        el.connection.dataset.live = 'false';
        if (first) {
          first = false;
          resolve();
        }
      };
      source.onmessage = (message) => applyTransition(JSON.parse(message.data));
      // The stream could not replay what this page missed (too long away, or a restart): reload.
      source.addEventListener('resync', () => {
        loadSummary().then(() => loadPage(Math.min(pageStart, Math.max(0, total - 1))));
      });
    });
  }

  // ---------- keyboard ----------

  /** Arrow keys move the focus seat by seat (one seat is in the tab order: the grid is one stop). */
  function onGridKey(event) {
    const current = event.target.closest('.seat');
    if (!current) return;
    const row = current.parentElement;
    const seatsInRow = [...row.querySelectorAll('.seat')];
    const column = seatsInRow.indexOf(current);
    let target = null;
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

  function moveFocus(from, to) {
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }

  // ---------- start ----------

  async function start() {
    el.name.value = readJson(STORAGE.name, '');
    el.name.addEventListener('input', () => {
      localStorage.setItem(STORAGE.name, JSON.stringify(userId()));
      refreshMine();
    });
    el.grid.addEventListener('click', (event) => {
      const seat = event.target.closest('.seat');
      if (!seat) return;
      const focused = el.grid.querySelector('.seat[tabindex="0"]');
      if (focused && focused !== seat) moveFocus(focused, seat);
      lock(seat.dataset.seat);
    });
    el.grid.addEventListener('keydown', onGridKey);
    el.pagePrev.addEventListener('click', () => loadPage(Math.max(0, pageStart - pageSeats())));
    el.pageNext.addEventListener('click', () => loadPage(pageStart + pageSize));
    el.rowJump.addEventListener('submit', (event) => {
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
      loadPage(row * config.seatsPerRow);
    });
    setInterval(tick, 500);

    try {
      config = await getJson('/config.json');
      if (config.inspectorUrl) {
        el.inspector.href = config.inspectorUrl;
        el.inspector.hidden = false;
      }
      // Listen first, then load: a change made while loading is queued, not lost.
      await connect();
      await loadSummary();
      await loadPage(0);
    } catch (err) {
      say(`Could not load the seat map: ${err.message}`, 'error');
    }
  }

  start();
})();
