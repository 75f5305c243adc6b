import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import { SimulatedClock } from 'xstate';
import { createApp } from '../../src/app';
import { openApiPath } from '../../src/http/openApiDocument';
import { checked } from '../support/documented';
import { ok } from '../support/api';
import { guestSession } from '../support/credentials';
import { serve, type Served } from '../support/serve';

/** The parts of the OpenAPI document these tests read. */
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation | undefined>>;
  components: {
    schemas: Record<string, { required?: string[] }>;
    securitySchemes?: Record<string, { type: string; scheme: string }>;
  };
}

interface Operation {
  responses: Record<string, { headers?: Record<string, unknown> }>;
  security?: Array<Record<string, string[]>>;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the Express app routes, nested routers included (all mounted at `/`). */
function appRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          found.push(`${method} ${layer.route.path}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

describe('API documentation (one zod source → OpenAPI 3.1)', () => {
  let api: Served;
  afterEach(async () => api?.stop());

  it('routes nothing but the declared routes, so nothing is served undocumented', async () => {
    const { app, routes, close } = createApp();
    const routed = new Set(appRoutes(app));
    const documented = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(
      [...routed].filter((r) => !documented.has(r)),
      'routed but undocumented',
    ).to.be.empty;
    expect(
      [...documented].filter((r) => !routed.has(r)),
      'documented but not routed',
    ).to.be.empty;
    await close();
  });

  it('serves the OpenAPI 3.1 document and an HTML page of it, without any script', async () => {
    api = await serve();
    const doc = ok(await api.api.reply<OpenApiDocument>('GET', '/openapi.json'));
    expect(doc.openapi).to.equal('3.1.0');
    for (const route of api.routes) {
      const operation = doc.paths[openApiPath(route.path)]?.[route.method];
      expect(operation, `${route.method} ${route.path}`).to.exist;
      expect(Object.keys(operation?.responses ?? {})).to.have.members(
        Object.keys(route.responses).map(String),
      );
    }
    expect(doc.components.schemas.Problem.required).to.include.members(['code', 'detail']);
    const page = await api.call('GET', '/docs');
    for (const route of api.routes) expect(page.text).to.include(openApiPath(route.path));
    expect(page.text).not.to.match(/<script|https?:\/\/(?!localhost)/i);
  });

  it('documents the bearer scheme, and 401 (and 403 for callers) on every route that needs a credential', async () => {
    api = await serve();
    const doc = ok(await api.api.reply<OpenApiDocument>('GET', '/openapi.json'));
    expect(doc.components.securitySchemes?.bearer).to.include({ type: 'http', scheme: 'bearer' });
    for (const route of api.routes) {
      const operation = doc.paths[openApiPath(route.path)][route.method]!;
      const statuses = Object.keys(operation.responses);
      const what = `${route.method} ${route.path}`;
      if (route.security === 'public') {
        expect(operation.security ?? [], what).to.deep.equal([]);
        expect(statuses, what).not.to.include('401');
        continue;
      }
      expect(operation.security, what).to.deep.equal([{ bearer: [] }]);
      expect(statuses, what).to.include('401');
      expect(operation.responses['401'].headers, what).to.have.property('WWW-Authenticate');
      if (route.security === 'caller') expect(statuses, what).to.include.members(['400', '403']);
    }
    const writes = api.routes.filter((r) => r.method !== 'get' && r.path.includes('/seats/'));
    expect(writes.length).to.be.greaterThan(5);
    for (const route of writes) expect(route.security, route.path).to.equal('caller');
  });

  it('every route answers as documented across successes and problems', async () => {
    checked.clear();
    const clock = new SimulatedClock();
    api = await serve({
      rows: 1,
      seatsPerRow: 5,
      clock,
      maxLocksPerUser: 2,
      rateLimitPerMinute: 30,
      apiKeyDigests: [createHash('sha256').update('sk_docs').digest('hex')],
    });
    const admin = { Authorization: 'Bearer sk_docs' };
    await api.call('POST', '/sessions');
    const layout = { sections: [{ id: 'F', rows: [{ label: 'A', seats: 2 }] }] };
    await api.call('POST', '/events', { body: { id: 'e', name: 'E', layout }, headers: admin });
    await api.call('POST', '/events', { body: { id: 'e', name: 'E', layout }, headers: admin }); // 409
    await api.call('POST', '/events', { body: { name: 'E', layout: {} }, headers: admin }); // 400
    const anonymous = { authorization: '' };
    await api.call('POST', '/events', { body: { name: 'E', layout }, headers: anonymous }); // 401
    await api.call('GET', '/events?state=onSale');
    await api.api.getEvent('e');
    await api.api.getEvent('nope'); // 404
    await api.call('GET', '/events/e/seats');
    await api.api.event('e').get('F-A-1');
    await api.api.event('e').summary();
    await api.call('GET', '/events/e/seats/states');
    const eventLock = ok(await api.api.event('e').lock('F-A-1', 'dora'));
    await api.api.event('e').confirm('F-A-1', 'dora', eventLock.lockId);
    await api.call('POST', '/events/e/seats/F-A-2/release', { body: { userId: 'dora' } }); // 409
    // Hold routes act for the user an API key names (body `userId`, or `?userId=`).
    const holdRoutes = async (prefix: string, seats: string[]) => {
      const as = (method: string, path: string, body?: object) =>
        api.call(method, path, { body, headers: admin });
      const made = await api.api.hold('hana', seats, { prefix, headers: admin });
      const at = `${prefix}/holds/${made.ok ? made.body.hold.id : undefined}`;
      await as('POST', `${prefix}/holds`, { userId: 'ivan', seats }); // 409
      await as('POST', `${prefix}/holds`, { userId: 'ivan', count: 9 }); // 409
      await api.call('POST', `${prefix}/holds`, { body: { seats }, headers: anonymous }); // 401
      await as('GET', `${at}?userId=hana`);
      await as('GET', `${at}?userId=ivan`); // 404
      await as('POST', `${at}/seats`, { userId: 'hana', seats: [] }); // 400
      await as('DELETE', `${at}/seats/${seats[0]}?userId=hana`);
      await as('POST', `${at}/seats`, { userId: 'hana', seats: [seats[0]] });
      await as('POST', `${at}/extend`, { userId: 'hana' });
      await as('POST', `${at}/confirm`, { userId: 'hana' });
      await as('DELETE', `${at}?userId=hana`); // 409 HOLD_CONFIRMED
    };
    await holdRoutes('/events/e', ['F-A-2']);
    await holdRoutes('', ['A4', 'A5']);
    await api.call('POST', '/events/e/close', { headers: admin });
    await api.call('POST', '/events/e/seats/F-A-2/lock', { body: { userId: 'dora' } }); // 409
    await api.call('POST', '/events/e/open', { headers: admin });
    await api.call('POST', '/events/e/cancel', { headers: admin });
    await api.call('POST', '/events/e/open', { headers: admin }); // 409
    await api.call('GET', '/seats');
    await api.api.get('A1');
    await api.api.get('Z9');
    const body = ok(await api.api.lock('A1', 'alice'));
    await api.api.lock('A1', 'bob'); // 409 SEAT_LOCKED
    await api.api.lock('A2', 'alice');
    await api.api.lock('A3', 'alice'); // 409 TOO_MANY_LOCKS
    await api.api.lock('Z9', 'alice'); // 404
    await api.call('POST', '/seats/A1/lock', { rawBody: '{"userId":' }); // 400
    await api.call('POST', '/seats/A1/lock', { body: { userId: 'x'.repeat(20_000) } }); // 413
    await api.call('POST', '/seats/A1/confirm', { body: { userId: 'alice', lockId: body.lockId } });
    await api.call('POST', '/seats/A2/release', { body: { userId: 'alice' } });
    await api.call('POST', '/seats/A2/release', { body: { userId: 'alice' } }); // 409
    await api.call('POST', '/seats/A3/confirm', { body: { userId: 'bob' } }); // 409
    await api.call('POST', '/seats/A3/confirm', { body: {} }); // 400
    await api.call('POST', '/seats/A4/lock', { body: {}, headers: anonymous }); // 401
    const guest = await guestSession(api.url);
    const asGuest = await guest.credentials(undefined);
    await api.call('POST', '/seats/A4/lock', { body: { userId: 'alice' }, headers: asGuest }); // 403
    await api.call('GET', '/me/seats', { headers: asGuest });
    await api.call('GET', '/me/seats?userId=alice');
    await api.call('GET', '/me/seats'); // 400: an API key names the user
    await api.api.get('A1');
    await api.api.summary();
    await api.call('GET', '/seats/states');
    await api.call('GET', '/config.json');
    await api.call('GET', '/machine');
    await api.call('GET', '/metrics');
    await api.call('GET', '/healthz');
    await api.call('GET', '/readyz');
    await api.call('GET', '/nowhere'); // 404 NOT_FOUND problem
    void api.lifecycle.drain();
    await api.call('GET', '/readyz'); // 503
    for (const route of api.routes) {
      const hits = [...checked].filter((c) => c.startsWith(`${route.method} ${route.path} `));
      // The event stream never ends, so it is checked by its own tests (seatEventsRoute.test.ts).
      if (
        !['/openapi.json', '/docs', '/seats/events', '/events/:eventId/seats/events'].includes(
          route.path,
        )
      ) {
        expect(hits, `${route.method} ${route.path} exercised`).not.to.be.empty;
      }
    }
    expect(checked).to.include.members([
      'post /seats/:id/lock 409',
      'post /seats/:id/lock 400',
      'post /seats/:id/lock 413',
      'post /seats/:id/lock 404',
      'post /seats/:id/lock 401',
      'post /seats/:id/lock 403',
      'post /events 401',
      'get /me/seats 200',
      'get /me/seats 400',
      'post /seats/:id/release 409',
      'get /readyz 503',
    ]);
  });
});
