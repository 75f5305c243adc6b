// @ts-check
// localStorage that never breaks the page: private mode or a full storage only means forgetting.

/**
 * The JSON stored under `key`, or `fallback` when there is none or it cannot be read.
 * @template T
 * @param {string} key
 * @param {T} fallback
 * @returns {T}
 */
export function readJson(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : /** @type {T} */ (JSON.parse(raw));
  } catch {
    return fallback;
  }
}

/**
 * Stores `value` as JSON under `key`, if the browser lets the page.
 * @param {string} key
 * @param {unknown} value
 */
export function writeJson(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or full storage: the page still works, it just forgets on reload.
  }
}
