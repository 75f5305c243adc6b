import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/app';
import { CONFIG_VARIABLES } from '../../src/config';
import { apiRoutes } from '../../src/http/apiRoutes';

describe('README ## Operations', () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const operations = readme.slice(readme.indexOf('## Operations'));

  it('documents every endpoint, variable and metric', async () => {
    expect(readme).to.include('## Operations');
    for (const route of apiRoutes) {
      expect(operations, route.path).to.include(`\`${route.method.toUpperCase()} ${route.path}\``);
    }
    for (const variable of CONFIG_VARIABLES)
      expect(operations, variable).to.include(`\`${variable}\``);
    const { metrics, close } = createApp();
    for (const { name } of await metrics.registry.getMetricsAsJSON()) {
      expect(operations, name).to.include(`\`${name}\``);
    }
    await close();
  });
});
