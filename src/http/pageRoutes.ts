import path from 'node:path';
import express, { type RequestHandler } from 'express';
import type { Venue } from '../venue';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { json } from './responses';
import { pageConfigSchema, type PageConfig } from './schemas';

/** The seat-map page's static files: plain HTML, CSS and JS, no build step. */
export const PUBLIC_DIR = path.join(__dirname, '..', '..', 'public');

export const pageConfig = defineRoute({
  method: 'get',
  path: '/config.json',
  summary: "What the seat-map page at / needs: the venue's shape, the lock TTL, the inspector URL.",
  tags: ['seat map'],
  security: 'public',
  responses: { 200: json('The page configuration.', pageConfigSchema) },
});

/**
 * `GET /config.json`, which tells the seat-map page the venue's shape, the lock TTL and where the
 * inspector is.
 *
 * @example
 * ```ts
 * pageRoutes(api, { venue, lockTtlMs: 60_000, inspectorUrl: null });
 * ```
 */
export function pageRoutes(
  api: ApiRouter,
  options: { venue: Venue; lockTtlMs: number; inspectorUrl: string | null },
): void {
  const config: PageConfig = {
    rows: options.venue.rows,
    seatsPerRow: options.venue.seatsPerRow,
    lockTtlMs: options.lockTtlMs,
    inspectorUrl: options.inspectorUrl,
  };
  api.route(pageConfig, (_input, res) => {
    res.set('Cache-Control', 'no-cache');
    return config;
  });
}

/**
 * The seat-map page at `/` (files in `public/`). Mount it after every API route, so the API never
 * pays for `express.static` looking for a file first.
 */
export function pageFiles(): RequestHandler {
  return express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 });
}
