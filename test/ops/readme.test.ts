import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/app';
import { CONFIG_VARIABLES } from '../../src/config';
import { errorCodesInSource } from '../support/errorCodesInSource';

const root = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** The text of a `## heading` section, up to the next heading of the same level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, `section ${heading}`).to.be.greaterThan(-1);
  const rest = markdown.slice(start + heading.length + 2);
  const level = heading.split(' ')[0];
  const next = rest.search(new RegExp(`^${level} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

/** The backquoted names in the first column of a markdown table. */
function firstColumn(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1]);
}

describe('the documentation', () => {
  const readme = read('README.md');
  const operations = read('docs/operations.md');

  it('keeps the README short: at most 200 lines, the two commands first', () => {
    expect(readme.split('\n').length).to.be.at.most(200);
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```\n', 10));
    expect(firstBlock).to.include('npm ci && npm start');
    expect(firstBlock).to.include('npm test');
  });

  it('lists every environment variable in the README Configuration table, and no other', () => {
    const documented = firstColumn(section(readme, '## Configuration'));
    expect([...documented].sort()).to.deep.equal([...CONFIG_VARIABLES].sort());
  });

  it('lists every error code the source can answer with in the README Errors table', () => {
    const errors = section(readme, '### Errors');
    const documented = [...errors.matchAll(/^\| \d{3}\s+\| `([A-Z_]+)`/gm)].map((m) => m[1]);
    const inSource = errorCodesInSource(root);
    for (const code of inSource) expect(documented, code).to.include(code);
    for (const code of documented)
      expect([...inSource], `${code} is documented but never answered`).to.include(code);
  });

  it('lists every endpoint and metric in docs/operations.md', async () => {
    const endpoints = section(operations, '## Endpoints');
    const metricsSection = section(operations, '## Metrics');
    const { metrics, routes, close } = createApp();
    try {
      for (const route of routes) {
        expect(endpoints, route.path).to.include(`\`${route.method.toUpperCase()} ${route.path}\``);
      }
      for (const { name } of await metrics.registry.getMetricsAsJSON()) {
        expect(metricsSection, name).to.include(`\`${name}\``);
      }
    } finally {
      await close();
    }
  });

  it('links only to documents that exist', () => {
    for (const [file, text] of [
      ['README.md', readme],
      ...['design', 'operations', 'reliability', 'performance', 'seatmap'].map(
        (name) => [`docs/${name}.md`, read(`docs/${name}.md`)] as const,
      ),
    ] as const) {
      for (const [, target] of text.matchAll(/\]\(([^)#:]+\.(?:md|png))(?:#[^)]*)?\)/g)) {
        const path = join(root, file.includes('/') ? 'docs' : '', target);
        expect(() => readFileSync(path), `${file} links to ${target}`).not.to.throw();
      }
    }
  });
});
