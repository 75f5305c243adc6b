// @ts-check
'use strict';
/**
 * `npm run build`: compiles machines/ and src/ to JavaScript in dist/ (tsconfig.build.json) and
 * copies the seat-map page (public/) beside it, so dist/ alone serves everything `npm start`
 * serves. Plain JavaScript on purpose: it runs before anything is compiled.
 *
 * @example
 * ```sh
 * npm run build                          # dist/
 * node scripts/build.js --out-dir /tmp/x # elsewhere (the build test)
 * ```
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
/** What the build is made from: a change to any of these makes dist/ stale. */
const SOURCES = ['machines', 'src', 'public', 'tsconfig.json', 'tsconfig.build.json'];
/** Written last: its time is when the build finished, and its presence that it finished. */
const STAMP = '.build-complete';

/** The newest modification time under `target` (a file or a folder), in ms. */
function newestChange(target) {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its folder
  for (const entry of fs.readdirSync(target)) {
    newest = Math.max(newest, newestChange(path.join(target, entry)));
  }
  return newest;
}

/** Whether a build finished in `outDir` (however old). */
function isBuilt(outDir = path.join(ROOT, 'dist')) {
  return fs.existsSync(path.join(outDir, STAMP));
}

/** Whether `outDir` is missing, unfinished, or older than any source. */
function isStale(outDir = path.join(ROOT, 'dist')) {
  const stamp = fs.statSync(path.join(outDir, STAMP), { throwIfNoEntry: false });
  if (!stamp) return true;
  return SOURCES.some((source) => newestChange(path.join(ROOT, source)) > stamp.mtimeMs);
}

/** Compiles into a fresh `outDir` (nothing left over from deleted sources) and copies public/. */
function build(outDir = path.join(ROOT, 'dist')) {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  } catch {
    throw new Error(
      'Cannot build: TypeScript is not installed (it is a devDependency). Run `npm ci`, then ' +
        '`npm run build`; or build on another machine and ship dist/ with `npm ci --omit=dev`.',
    );
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir],
    { cwd: ROOT, stdio: 'inherit' },
  );
  // The page's files as they are (no build step), without the tsconfig that type-checks them.
  fs.cpSync(path.join(ROOT, 'public'), path.join(outDir, 'public'), {
    recursive: true,
    filter: (source) => path.basename(source) !== 'tsconfig.json',
  });
  fs.writeFileSync(path.join(outDir, STAMP), `${new Date().toISOString()}\n`);
}

module.exports = { build, isBuilt, isStale };

if (require.main === module) {
  const at = process.argv.indexOf('--out-dir');
  const outDir = at > 0 ? path.resolve(process.argv[at + 1]) : undefined;
  try {
    build(outDir);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
