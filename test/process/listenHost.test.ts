import { expect } from 'chai';
import { request } from 'node:http';
import { ConfigError, loadConfig } from '../../src/config';
import { startServerProcess } from '../support/serverProcess';

/** Resolves with the status of `GET /healthz` at `host:port`, or the connection error's code. */
function probe(host: string, port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/healthz', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe('HOST: the listen address', function () {
  this.timeout(60_000);

  it('listens only on the address HOST names', async () => {
    const server = await startServerProcess({ HOST: '127.0.0.1' });
    try {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(server.url).port);
      expect(await probe('127.0.0.1', port)).to.equal(200);
      expect(await probe('::1', port), 'the IPv6 loopback is another address').to.be.a('string');
    } finally {
      await server.kill();
    }
  });

  it('is every interface when unset, and refuses what is not an address or a host name', () => {
    expect(loadConfig({}).HOST).to.equal(undefined);
    expect(loadConfig({ HOST: ' ::1 ' }).HOST).to.equal('::1');
    expect(loadConfig({ HOST: 'seats.internal' }).HOST).to.equal('seats.internal');
    expect(() => loadConfig({ HOST: 'http://x' })).to.throw(ConfigError, /HOST/);
  });
});
