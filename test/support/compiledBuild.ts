import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
let built: Promise<string> | undefined;
let transpiled: string | undefined;

/** A folder of this test run's own under the repository (so `node_modules` resolves), removed at exit. */
function runFolder(name: string): string {
  const outDir = join(ROOT, '.test-build', `${process.pid}-${name}`);
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  return outDir;
}

/**
 * Builds the service as `npm run build` does (scripts/build.js: type-checked, with source maps),
 * once per test run, into a folder of its own (a developer's dist/ is left alone). Resolves with
 * the path of the compiled server entry point. For the tests of the build itself; other tests
 * start {@link transpiledServer}, which is the same JavaScript made without the type check.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({}, { script: await compiledServer() });
 * ```
 */
export function compiledServer(): Promise<string> {
  built ??= (async () => {
    const outDir = runFolder('build');
    await promisify(execFile)(process.execPath, ['scripts/build.js', '--out-dir', outDir], {
      cwd: ROOT,
    });
    return join(outDir, 'src', 'process', 'server.js');
  })();
  return built;
}

/**
 * The service's JavaScript laid out as `npm run build` lays it out (machines/, src/, public/), made
 * once per test run file by file with the build's compiler options and no type check (`npm test`
 * type-checks first): a second or two, where a full build takes ~20 s of CPU and every ts-node
 * child 2–3 s to compile the sources again. Returns the server entry point.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [transpiledServer()]);
 * ```
 */
export function transpiledServer(): string {
  if (transpiled === undefined) {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.build.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    if (!config) throw new Error('tsconfig.build.json could not be read');
    const compilerOptions = { ...config.options, sourceMap: false, declaration: false };
    const outDir = runFolder('transpiled');
    for (const folder of ['machines', 'src']) {
      transpileTree(join(ROOT, folder), join(outDir, folder), compilerOptions);
    }
    cpSync(join(ROOT, 'public'), join(outDir, 'public'), { recursive: true });
    transpiled = join(outDir, 'src', 'process', 'server.js');
  }
  return transpiled;
}

function transpileTree(from: string, to: string, compilerOptions: ts.CompilerOptions): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      transpileTree(source, join(to, entry.name), compilerOptions);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions,
        fileName: source,
      });
      writeFileSync(join(to, entry.name.replace(/\.ts$/, '.js')), outputText);
    }
  }
}
