import { expect } from 'chai';
import { createApp } from '../src/app';

describe('createApp', () => {
  it('builds an app over a 10 × 10 venue by default', async () => {
    const { service, close } = createApp();
    const { seats } = await service.list({ limit: 1000 });
    expect(seats).to.have.length(100);
    await close();
  });
});
