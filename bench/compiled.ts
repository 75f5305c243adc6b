import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

/** scripts/build.js, plain JavaScript (it runs before anything is compiled). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script outside the TypeScript project: its shape is stated here
const buildScript = require('../scripts/build') as {
  build(outDir?: string): void;
  isStale(outDir?: string): boolean;
};

/** What the bench runs: every process as compiled JavaScript, none through ts-node. */
export interface CompiledBench {
  /** The service as `npm start` runs it (dist/src/process/server.js). */
  server: string;
  /** bench/baseline.ts, compiled. */
  baseline: string;
  /** bench/probe.ts, compiled, preloaded into every process the bench starts. */
  probe: string;
}

/**
 * Builds dist/ when it is missing or stale (as `npm start` does), and compiles the baseline and
 * the probe beside the bench (bench/.compiled/, where `node_modules` still resolves). The bench
 * measures what runs in production: ts-node's require hooks and source-map support cost memory
 * and make every stack trace dearer, so neither side of a comparison may carry them.
 *
 * @example
 * ```ts
 * const { server, probe } = compileBench();
 * spawn(process.execPath, ['-r', probe, server]);
 * ```
 */
export function compileBench(): CompiledBench {
  if (buildScript.isStale()) buildScript.build();
  const outDir = path.join(__dirname, '.compiled');
  mkdirSync(outDir, { recursive: true });
  const compile = (name: string) => {
    const source = readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const file = path.join(outDir, `${name}.js`);
    writeFileSync(file, outputText);
    return file;
  };
  return {
    server: path.join(ROOT, 'dist', 'src', 'process', 'server.js'),
    baseline: compile('baseline'),
    probe: compile('probe'),
  };
}
