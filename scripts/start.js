// @ts-check
'use strict';
/**
 * `npm start`: runs the compiled service (dist/src/process/server.js), building it first when
 * dist/ is missing or older than the sources, so `npm ci && npm start` works on a fresh clone.
 * In production, build once and run `node dist/src/process/server.js` directly
 * (docs/operations.md). node:cluster workers (`WORKERS`) re-run this file: they skip the check.
 */
const cluster = require('node:cluster');
const path = require('node:path');
const { build, isBuilt, isStale } = require('./build');

if (cluster.isPrimary && isStale()) {
  console.log('Building dist/ (sources changed since the last build)…');
  try {
    build();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    // A shipped dist/ on a machine without TypeScript (npm ci --omit=dev) still runs.
    if (!isBuilt()) {
      console.error(`Cannot start: ${why}`);
      process.exit(1);
    }
    console.error(`Running the existing dist/, which may be older than the sources: ${why}`);
  }
}
require(path.join(__dirname, '..', 'dist', 'src', 'process', 'server.js'));
