import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { findChromium, launchChromium } from '../test/support/chromium';
import type { TargetRow } from './targets';

const KEY = 'sk_bench_seatmap';
const EVENT = 'stadium';
/** Ten sections of 50 rows × 200 seats. */
const SECTIONS = Array.from({ length: 10 }, (_, s) => ({
  id: `S${s + 1}`,
  name: `Block ${s + 1}`,
  rows: Array.from({ length: 50 }, (_, r) => ({ label: `R${r + 1}`, seats: 200 })),
}));
const SEATS = 100_000;
/** Page loads measured per case; the median is reported. */
const LOADS = 5;
/** The target: the page shows a 100,000-seat overview within this long of navigating to it. */
const TARGET_MS = 3000;

/** One case's figures: medians over the loads, ms. */
export interface RenderFigures {
  /** From navigation to every seat drawn (`seatmap:loaded`). */
  loadedMs: number;
  /** Drawing the whole overview once (`seatmap:overview-draw`). */
  drawMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/**
 * The seat map's overview of a 100,000-seat event in headless Chromium (Debian's, through
 * playwright-core; `undefined` when there is none): the service in this process, the event created
 * through the API, the page loaded {@link LOADS} times, fresh and again with 10 % of the seats
 * booked at random (the overview's worst case: few runs of one state to draw at once). Reports
 * the median time from navigation to the overview drawn (`performance.mark('seatmap:loaded')`
 * on the page) and the draw alone.
 *
 * @example
 * ```ts
 * const row = await measureSeatMapRender(); // a TargetRow for bench/results.md
 * ```
 */
export async function measureSeatMapRender(): Promise<
  { fresh: RenderFigures; booked: RenderFigures; row: TargetRow } | undefined
> {
  const executablePath = findChromium();
  if (!executablePath) return undefined;
  const seatApp = createApp({
    apiKeyDigests: [createHash('sha256').update(KEY).digest('hex')],
    rows: 1,
    seatsPerRow: 10,
    maxLocksPerUser: 0,
  });
  const server = seatApp.app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  seatApp.lifecycle.ready();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium(executablePath);
  try {
    const created = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ id: EVENT, name: 'Stadium', layout: { sections: SECTIONS } }),
    });
    if (created.status !== 201) throw new Error(`POST /events answered ${created.status}`);
    const measure = async (): Promise<RenderFigures> => {
      const loaded: number[] = [];
      const drawn: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${url}/?event=${EVENT}`);
        await page.waitForSelector('#overview[data-drawn="true"]', { timeout: 120_000 });
        await page.waitForFunction(`performance.getEntriesByName('seatmap:loaded').length > 0`);
        const figures = await page.evaluate<{ loaded: number; draw: number }>(`({
          loaded: performance.getEntriesByName('seatmap:loaded')[0].startTime,
          draw: performance.getEntriesByName('seatmap:overview-draw')[0].duration,
        })`);
        loaded.push(figures.loaded);
        drawn.push(figures.draw);
        await context.close();
      }
      return { loadedMs: median(loaded), drawMs: median(drawn) };
    };
    const fresh = await measure();
    const { service } = await seatApp.eventService.seatsOf(EVENT);
    const sold = new Set<number>();
    for (let n = 1; sold.size < SEATS / 10; n++) sold.add((n * 7919 * 104_729) % SEATS);
    for (const index of sold) {
      const s = Math.floor(index / 10_000);
      const r = Math.floor((index % 10_000) / 200);
      const id = `S${s + 1}-R${r + 1}-${(index % 200) + 1}`;
      const { lockId } = await service.lock(id, `fan${index}`);
      await service.confirm(id, `fan${index}`, lockId);
    }
    const booked = await measure();
    const fmt = (f: RenderFigures) =>
      `loaded ${f.loadedMs.toFixed(0)} ms after navigation, draw ${f.drawMs.toFixed(0)} ms`;
    const row: TargetRow = {
      target: `Seat map (headless Chromium): a ${SEATS.toLocaleString('en')}-seat event's overview is drawn ≤ ${TARGET_MS} ms after navigating to it`,
      measured: `fresh: ${fmt(fresh)}; 10 % booked at random: ${fmt(booked)} (median of ${LOADS})`,
      met: Math.max(fresh.loadedMs, booked.loadedMs) <= TARGET_MS,
    };
    return { fresh, booked, row };
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await seatApp.close();
  }
}

// `npx ts-node --transpile-only bench/seatmapRender.ts`: this measurement alone.
if (require.main === module) {
  measureSeatMapRender().then(
    (result) => {
      console.log(result ? `${result.row.target}\n  ${result.row.measured}` : 'No Chromium.');
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
