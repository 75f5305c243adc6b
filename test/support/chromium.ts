import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { aptInstall } from '../../scripts/aptInstall';

/** Where Debian puts its Chromium; `CHROMIUM_PATH` overrides. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Flags for a quiet, self-contained headless Chromium: no sandbox (tests run as root in
 * containers), no GPU, and nothing that phones home (QUIC, component updates, sync).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The path of Debian's Chromium, installing it with apt-get when it is missing and we are root
 * with apt available. It never downloads a browser of its own (no `playwright install`): only
 * the distribution's package is trusted here. Returns `undefined` when there is no way to get it.
 *
 * @example
 * ```ts
 * const executablePath = findChromium();
 * if (!executablePath) this.skip();
 * ```
 */
export function findChromium(): string | undefined {
  const found = () =>
    [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
  if (found()) return found();
  if (!aptInstall(['chromium'])) return undefined;
  return found();
}

/**
 * Launches Debian's Chromium through playwright-core. Playwright gives every launch a fresh
 * user-data-dir in the temp directory and deletes it on close; each `browser.newContext()` is a
 * separate profile (its own localStorage), so two contexts are two users.
 *
 * @example
 * ```ts
 * const browser = await launchChromium('/usr/bin/chromium');
 * const page = await (await browser.newContext()).newPage();
 * await browser.close();
 * ```
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    chromiumSandbox: false,
  });
}
