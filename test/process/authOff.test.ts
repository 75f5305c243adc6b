import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';
import { startServerProcess } from '../support/serverProcess';

describe('AUTH=off and the credential settings', function () {
  this.timeout(60_000);

  it('AUTH=off listens on 127.0.0.1 only, says so in a warning, and trusts the body’s userId', async () => {
    const server = await startServerProcess({ AUTH: 'off', HOST: '' });
    try {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.output()).to.match(/"level":40.*AUTH=off/);
      const res = await fetch(`${server.url}/seats/A1/lock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'alice' }),
      });
      expect(res.status).to.equal(200);
    } finally {
      await server.kill();
    }
  });

  it('refuses AUTH=off on an address other hosts reach, and settings that contradict each other', () => {
    expect(loadConfig({}).AUTH).to.equal('on');
    expect(loadConfig({ AUTH: 'off', HOST: '::1' }).AUTH).to.equal('off');
    expect(() => loadConfig({ AUTH: 'off', HOST: '0.0.0.0' })).to.throw(ConfigError, /AUTH=off/);
    expect(() => loadConfig({ AUTH: 'maybe' })).to.throw(ConfigError, /AUTH/);
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).to.throw(ConfigError, /32 characters/);
    expect(() => loadConfig({ SESSION_TTL_MS: '999' })).to.throw(ConfigError, /SESSION_TTL_MS/);
    expect(() =>
      loadConfig({ JWT_SECRET: 'j'.repeat(32), JWKS_URL: 'https://id.example/jwks.json' }),
    ).to.throw(ConfigError, /one of JWT_SECRET/);
    expect(() => loadConfig({ JWT_PUBLIC_KEY: 'not a key' })).to.throw(ConfigError, /PEM/);
  });
});
