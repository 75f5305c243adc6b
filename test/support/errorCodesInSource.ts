import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** How the code writes an error code: thrown or built problems, machine refusals, `code:` fields. */
const PATTERNS = [
  /(?:HttpError|problem)\(\s*\d{3},\s*'([A-Z][A-Z0-9_]+)'/g,
  /refuse\('([A-Z][A-Z0-9_]+)'\)/g,
  /\bcode: '([A-Z][A-Z0-9_]+)'/g,
];
/** A union type of codes, such as `SeatRefusalCode`. */
const CODE_UNION = /type \w*Code\s*=([^;]+);/g;
/** Where the service starts: everything it can answer is imported from these. */
const ENTRY_POINTS = ['src/process/server.ts', 'src/app.ts'];
const RELATIVE_IMPORT = /from '(\.[^']+)'/g;

/**
 * Every error code the service can answer with: read from the files the server and the app import,
 * directly or not (the machines they run included), so that a test can hold the README's error
 * table to it. A module or machine that the service does not use yet adds nothing.
 *
 * @example
 * ```ts
 * for (const code of errorCodesInSource(root)) expect(errorsSection).to.include(`\`${code}\``);
 * ```
 */
export function errorCodesInSource(root: string): Set<string> {
  const codes = new Set<string>();
  const queue = ENTRY_POINTS.map((file) => join(root, file));
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.pop()!;
    const text = readFileSync(file, 'utf8');
    for (const pattern of PATTERNS) for (const match of text.matchAll(pattern)) codes.add(match[1]);
    for (const union of text.matchAll(CODE_UNION))
      for (const literal of union[1].matchAll(/'([A-Z][A-Z0-9_]+)'/g)) codes.add(literal[1]);
    for (const [, specifier] of text.matchAll(RELATIVE_IMPORT)) {
      const imported = resolve(dirname(file), `${specifier}.ts`);
      if (!seen.has(imported) && existsSync(imported)) {
        seen.add(imported);
        queue.push(imported);
      }
    }
  }
  return codes;
}
