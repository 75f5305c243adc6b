import { expect } from 'chai';
import { compiledServer } from '../support/compiledBuild';
import { request } from '../support/request';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

describe('the compiled build (npm run build, as npm start runs it)', function () {
  this.timeout(180_000);
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.kill('SIGTERM');
  });

  before(async () => {
    server = await startServerProcess(
      { DATABASE_URL: '', SEAT_ROWS: '2', SEATS_PER_ROW: '3' },
      { script: await compiledServer() },
    );
  });

  it('serves the API from JavaScript alone', async () => {
    const lock = await request(server!.url, 'POST', '/seats/B3/lock', { userId: 'alice' });
    expect(lock.status).to.equal(200);
    const seat = await request(server!.url, 'GET', '/seats/B3');
    expect(seat.body.seat).to.include({ id: 'B3', state: 'locked' });
  });

  it('serves the seat-map page and its files at /', async () => {
    const page = await fetch(`${server!.url}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const script = /<script[^>]*src="([^"]+)"/.exec(await page.text())?.[1];
    expect(script, 'the page loads its script').to.be.a('string');
    const code = await fetch(`${server!.url}/${script}`);
    expect(code.status).to.equal(200);
    expect(code.headers.get('content-type')).to.match(/javascript/);
    const config = await (await fetch(`${server!.url}/config.json`)).json();
    expect(config).to.include({ rows: 2, seatsPerRow: 3 });
  });
});
