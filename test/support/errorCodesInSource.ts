import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** How the code writes an error code: thrown or built problems, machine refusals, `code:` fields. */
const PATTERNS = [
  /(?:HttpError|problem)\(\s*\d{3},\s*'([A-Z][A-Z0-9_]+)'/g,
  /refuse\('([A-Z][A-Z0-9_]+)'\)/g,
  /\bcode: '([A-Z][A-Z0-9_]+)'/g,
];
/** A union type of codes, such as `SeatRefusalCode`. */
const CODE_UNION = /type \w*Code\s*=([^;]+);/g;
const RELATIVE_IMPORT = /from '(\.[^']+)'/g;

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/**
 * Every error code the service can answer with: read from `src/` and from the files it imports
 * (the machines it runs), so that a test can hold the README's error table to it. A machine that
 * no part of the service uses yet adds nothing.
 *
 * @example
 * ```ts
 * for (const code of errorCodesInSource(root)) expect(errorsSection).to.include(`\`${code}\``);
 * ```
 */
export function errorCodesInSource(root: string): Set<string> {
  const codes = new Set<string>();
  const queue = [...tsFiles(join(root, 'src'))];
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
