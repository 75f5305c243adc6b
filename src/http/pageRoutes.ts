import path from 'node:path';
import express, { Router } from 'express';
import type { Venue } from '../venue';

/** What the seat-map page needs to know about this server (`GET /config.json`). */
export interface PageConfig {
  rows: number;
  seatsPerRow: number;
  lockTtlMs: number;
  /** The Stately inspector relay page when the service runs with `INSPECT=1`, else `null`. */
  inspectorUrl: string | null;
}

/** The seat-map page's static files: plain HTML, CSS and JS, no build step. */
export const PUBLIC_DIR = path.join(__dirname, '..', '..', 'public');

/**
 * The seat-map page at `/` (files in `public/`) and `GET /config.json` that tells it the venue's
 * shape, the lock TTL and where the inspector is.
 *
 * @example
 * ```ts
 * app.use(pageRoutes({ venue, lockTtlMs: 60_000, inspectorUrl: null }));
 * ```
 */
export function pageRoutes(options: {
  venue: Venue;
  lockTtlMs: number;
  inspectorUrl: string | null;
}): Router {
  const router = Router();
  const config: PageConfig = {
    rows: options.venue.rows,
    seatsPerRow: options.venue.seatsPerRow,
    lockTtlMs: options.lockTtlMs,
    inspectorUrl: options.inspectorUrl,
  };
  router.get('/config.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(config);
  });
  router.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));
  return router;
}
