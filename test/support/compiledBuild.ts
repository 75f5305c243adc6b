import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
let built: Promise<string> | undefined;

/**
 * Builds the service as `npm run build` does (scripts/build.js), once per test run, into a folder
 * of its own under the repository (so `node_modules` resolves, and a developer's dist/ is left
 * alone), removed when the run ends. Resolves with the path of the compiled server entry point.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({}, { script: await compiledServer() });
 * ```
 */
export function compiledServer(): Promise<string> {
  built ??= (async () => {
    const outDir = join(ROOT, '.test-build', String(process.pid));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    await promisify(execFile)(process.execPath, ['scripts/build.js', '--out-dir', outDir], {
      cwd: ROOT,
    });
    return join(outDir, 'src', 'process', 'server.js');
  })();
  return built;
}
