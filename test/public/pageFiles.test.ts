import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PUBLIC_DIR } from '../../src/http/pageRoutes';
import { serve, type Served } from '../support/serve';

/** The seat map's modules, as files: every `.js` under public/seatmap. */
const MODULE_DIR = join(PUBLIC_DIR, 'seatmap');
const modules = readdirSync(MODULE_DIR).filter((name) => name.endsWith('.js'));

describe('seat map files', () => {
  let api: Served;
  before(async () => {
    api = await serve({ rows: 2, seatsPerRow: 2 });
  });
  after(() => api.stop());

  it('loads the page as an ES module from index.html', async () => {
    const res = await fetch(`${api.url}/`);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(await res.text()).to.include('<script type="module" src="seatmap/main.js"></script>');
  });

  it('serves every module as JavaScript, which browsers require of a module under nosniff', async () => {
    expect(modules).to.include('main.js');
    for (const name of modules) {
      const res = await fetch(`${api.url}/seatmap/${name}`);
      expect(res.status, name).to.equal(200);
      expect(res.headers.get('content-type'), name).to.match(/^text\/javascript/);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      await res.arrayBuffer();
    }
  });

  it("lets the page's own scripts run under the Content-Security-Policy, and no other", async () => {
    const res = await fetch(`${api.url}/seatmap/main.js`);
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc.split(' ')).to.include("'self'");
    expect(scriptSrc).not.to.include('unsafe-inline');
  });

  it('imports only modules that exist, each by its relative path with .js (no bundler resolves them)', () => {
    for (const name of modules) {
      const text = readFileSync(join(MODULE_DIR, name), 'utf8');
      for (const [, specifier] of text.matchAll(/^import [^;]*? from '([^']+)';$/gm)) {
        expect(specifier, `${name} imports ${specifier}`).to.match(/^\.\.?\/.*\.js$/);
        expect(existsSync(join(dirname(join(MODULE_DIR, name)), specifier)), specifier).to.equal(
          true,
        );
      }
      expect(text.startsWith('// @ts-check\n'), `${name} starts with // @ts-check`).to.equal(true);
    }
  });
});
