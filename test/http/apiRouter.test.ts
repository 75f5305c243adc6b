import { expect } from 'chai';
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Caller } from '../../src/auth/Caller';
import { ApiRouter } from '../../src/http/ApiRouter';
import { defineRoute } from '../../src/http/defineRoute';
import { errorHandler } from '../../src/http/errorHandler';
import { openApiDocument } from '../../src/http/openApiDocument';
import { json, problemResponse } from '../../src/http/responses';
import { apiClient, expectProblem, ok } from '../support/api';

const whoAmI = defineRoute({
  method: 'post',
  path: '/things/:thingId/claim',
  summary: 'Claim a thing.',
  security: 'caller',
  params: z.object({ thingId: z.string() }),
  body: z.object({ note: z.string({ error: 'note must be a string.' }) }),
  responses: {
    200: json('Claimed.', z.object({ thingId: z.string(), userId: z.string() })),
    400: problemResponse('INVALID_REQUEST: the body is not as described.'),
  },
});

describe('route declarations (ApiRouter, defineRoute)', () => {
  it('refuses a declaration whose path parameters and params schema differ', () => {
    expect(() =>
      defineRoute({
        method: 'get',
        path: '/a/:x/b/:y',
        summary: 'Mismatched.',
        security: 'public',
        // @ts-expect-error the type check catches it too: `y` is missing
        params: z.object({ x: z.string() }),
        responses: {},
      }),
    ).to.throw(/path parameters \[x,y\] and params schema keys \[x\] differ/);
  });

  it('refuses to register a route for callers without an authentication middleware', () => {
    expect(() => new ApiRouter().route(whoAmI, () => undefined)).to.throw(/security 'caller'/);
  });

  it('documents a caller route with its 401 and 403 problems and the bearer scheme', () => {
    expect(Object.keys(whoAmI.responses)).to.have.members(['200', '400', '401', '403']);
    const doc = openApiDocument([whoAmI]);
    expect(doc.paths?.['/things/{thingId}/claim']?.post?.security).to.deep.equal([{ bearer: [] }]);
    expect(doc.components?.securitySchemes).to.have.key('bearer');
  });

  it('authenticates first, then validates, then hands the handler its typed input and caller', async () => {
    const authenticate: express.RequestHandler = (req, res, next) => {
      if (req.get('authorization') !== 'Bearer good') {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer')
          .type('application/problem+json')
          .send(
            JSON.stringify({
              type: '/problems/unauthenticated',
              title: 'Unauthorized',
              status: 401,
              detail: 'Send a credential.',
              code: 'UNAUTHENTICATED',
            }),
          );
        return;
      }
      const caller: Caller = { kind: 'apiKey', userId: 'alice', clientAddress: '127.0.0.1' };
      res.locals.caller = caller;
      next();
    };
    const api = new ApiRouter({ caller: authenticate });
    api.route(whoAmI, ({ params, caller }) => ({ thingId: params.thingId, userId: caller.userId }));
    const app = express().use(express.json()).use(api.router).use(errorHandler());
    const server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const anonymous = apiClient(url, { routes: api.routes });
      expectProblem(
        await anonymous.send('POST', '/things/t1/claim', { body: {} }),
        401,
        'UNAUTHENTICATED',
      );
      const known = apiClient(url, {
        routes: api.routes,
        credentials: () => ({ authorization: 'Bearer good' }),
      });
      expectProblem(
        await known.send('POST', '/things/t1/claim', { body: { note: 1 } }),
        400,
        'INVALID_REQUEST',
        'note must be a string.',
      );
      const claimed = await known.reply<{ thingId: string; userId: string }>(
        'POST',
        '/things/t1/claim',
        { body: { note: 'mine' } },
      );
      expect(ok(claimed)).to.deep.equal({ thingId: 't1', userId: 'alice' });
      anonymous.close();
      known.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
