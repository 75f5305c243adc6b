// @ts-check
// The page's fixed elements, looked up once and checked: a missing or renamed element fails loudly
// at start-up instead of as a null deep inside a handler.

/**
 * The element with this id, which must be of this type.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page has no ${type.name} #${id}.`);
  return element;
}

/** Looks up the page's elements. */
export function pageElements() {
  return {
    connection: byId('connection', HTMLElement),
    inspector: byId('inspector-link', HTMLAnchorElement),
    eventForm: byId('event-form', HTMLFormElement),
    eventPicker: byId('event-picker', HTMLSelectElement),
    mapHeading: byId('map-heading', HTMLElement),
    eventState: byId('event-state', HTMLElement),
    overviewArea: byId('overview-area', HTMLElement),
    overview: byId('overview', HTMLCanvasElement),
    sectionList: byId('section-list', HTMLElement),
    sectionHeading: byId('section-heading', HTMLElement),
    message: byId('message', HTMLElement),
    mineEmpty: byId('mine-empty', HTMLElement),
    holdEmpty: byId('hold-empty', HTMLElement),
    holdOpen: byId('hold-open', HTMLElement),
    holdSummary: byId('hold-summary', HTMLElement),
    holdSeats: byId('hold-seats', HTMLElement),
    holdExtend: byId('hold-extend', HTMLButtonElement),
    holdBook: byId('hold-book', HTMLButtonElement),
    holdRelease: byId('hold-release', HTMLButtonElement),
    bestForm: byId('best-form', HTMLFormElement),
    bestCount: byId('best-count', HTMLInputElement),
    bestSection: byId('best-section', HTMLSelectElement),
    bestSubmit: byId('best-submit', HTMLButtonElement),
    mineList: byId('mine-list', HTMLElement),
    summary: byId('summary', HTMLElement),
    grid: byId('grid', HTMLElement),
    pager: byId('pager', HTMLElement),
    pageLabel: byId('page-label', HTMLElement),
    pagePrev: byId('page-prev', HTMLButtonElement),
    pageNext: byId('page-next', HTMLButtonElement),
    rowJump: byId('row-jump', HTMLFormElement),
    rowInput: byId('row-input', HTMLInputElement),
  };
}

/** @typedef {ReturnType<typeof pageElements>} PageElements */
