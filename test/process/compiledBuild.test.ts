import { expect } from 'chai';
import { compiledServer } from '../support/compiledBuild';
import { apiClient, ok } from '../support/api';
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
    const api = apiClient(server!.url);
    const lock = await api.lock('B3', 'alice');
    expect(lock.status).to.equal(200);
    const seat = ok(await api.get('B3'));
    expect(seat.seat).to.include({ id: 'B3', state: 'locked' });
    api.close();
  });

  it('serves the seat-map page and its files at /', async () => {
    const api = apiClient(server!.url);
    const page = await api.send('GET', '/');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const script = /<script[^>]*src="([^"]+)"/.exec(page.text)?.[1];
    expect(script, 'the page loads its script').to.be.a('string');
    const code = await api.send('GET', `/${script}`);
    expect(code.status).to.equal(200);
    expect(code.headers.get('content-type')).to.match(/javascript/);
    const config = (await api.send('GET', '/config.json')).body;
    expect(config).to.include({ rows: 2, seatsPerRow: 3 });
    api.close();
  });
});
