import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';

describe('config: database and workers', () => {
  it('keeps seats in memory in one process by default', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).to.equal(undefined);
    expect(config.WORKERS).to.equal(1);
  });

  it('refuses several workers without a database, and says why', () => {
    expect(() => loadConfig({ WORKERS: '2' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/WORKERS=2 needs DATABASE_URL.*each sell the same seats/);
  });

  it('accepts several workers on PostgreSQL', () => {
    const config = loadConfig({ WORKERS: '4', DATABASE_URL: 'postgres://127.0.0.1/seats' });
    expect(config).to.include({ WORKERS: 4, DATABASE_URL: 'postgres://127.0.0.1/seats' });
  });

  it('refuses a DATABASE_URL that is not a PostgreSQL connection string', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).to.throw(ConfigError, /postgres:\/\//);
  });
});
