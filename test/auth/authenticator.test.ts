import { expect } from 'chai';
import express from 'express';
import { createSigner } from 'fast-jwt';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ApiKeys, newApiKey } from '../../src/auth/ApiKeys';
import { Authenticator, type AuthenticatorOptions } from '../../src/auth/Authenticator';
import { boxOfficeTokens, type BoxOfficeTokensOptions } from '../../src/auth/BoxOfficeTokens';
import { GuestSessions } from '../../src/auth/GuestSessions';
import { ApiRouter } from '../../src/http/ApiRouter';
import { defineRoute } from '../../src/http/defineRoute';
import { errorHandler } from '../../src/http/errorHandler';
import { json } from '../../src/http/responses';
import { apiClient, expectProblem, ok, type ApiClient } from '../support/api';
import { listenLocally, type Listening } from '../support/serve';

const whoSchema = z.object({ kind: z.string(), userId: z.string() });
const claim = defineRoute({
  method: 'post',
  path: '/claim',
  summary: 'Who am I (a write).',
  security: 'caller',
  body: z.object({ userId: z.string().optional() }),
  responses: { 200: json('The caller.', whoSchema) },
});
const mine = defineRoute({
  method: 'get',
  path: '/mine',
  summary: 'Who am I (a read of my own).',
  security: 'caller',
  responses: { 200: json('The caller.', whoSchema) },
});
const admin = defineRoute({
  method: 'post',
  path: '/admin',
  summary: 'A backend-only action.',
  security: 'backend',
  responses: { 200: json('The key id.', z.object({ apiKeyId: z.string() })) },
});

const HS_SECRET = 'box-office-secret-of-at-least-32-characters';
const { key: API_KEY, digest } = newApiKey();
const NOW = Date.now();
const inAnHour = Math.floor(NOW / 1000) + 3600;

/** A token signed by "the box office" with `key` (a secret or a private key). */
function boxOfficeToken(key: string | KeyObject, claims: Record<string, unknown>, kid?: string) {
  const pem = typeof key === 'string' ? key : key.export({ type: 'pkcs8', format: 'pem' });
  return createSigner({ key: pem, noTimestamp: true, ...(kid ? { kid } : {}) })({
    exp: inAnHour,
    ...claims,
  });
}

describe('credentials: who is asking (Authenticator)', () => {
  let server: Listening | undefined;
  let jwks: Listening | undefined;
  let api: ApiClient;
  let sessions: GuestSessions;
  let now = NOW;

  async function start(
    boxOffice?: BoxOfficeTokensOptions,
    extra: Partial<AuthenticatorOptions> = {},
  ) {
    sessions = new GuestSessions({
      secret: 'x'.repeat(32),
      ttlMs: 60_000,
      clock: { now: () => now },
    });
    const auth = new Authenticator({
      sessions,
      boxOffice: boxOffice && boxOfficeTokens(boxOffice),
      apiKeys: new ApiKeys([digest]),
      clock: { now: () => now },
      ...extra,
    });
    const app = express();
    app.use(express.json());
    const router = new ApiRouter({ caller: auth.caller, backend: auth.backend });
    router.route(claim, ({ caller }) => ({ kind: caller.kind, userId: caller.userId }));
    router.route(mine, ({ caller }) => ({ kind: caller.kind, userId: caller.userId }));
    router.route(admin, ({ caller }) => ({ apiKeyId: caller.apiKeyId }));
    app.use(router.router);
    app.use(errorHandler(() => undefined));
    server = await listenLocally(app);
    api = apiClient(server.url, { credentials: () => ({}), routes: router.routes });
  }

  const as = (token: string, body: unknown = {}) =>
    api.reply<{ kind: string; userId: string }>('POST', '/claim', {
      body,
      headers: { authorization: `Bearer ${token}` },
    });

  afterEach(async () => {
    now = NOW;
    api?.close();
    await server?.stop();
    await jwks?.stop();
    server = jwks = undefined;
  });

  it('gives two guest sessions two different users, and each token acts as its own', async () => {
    await start();
    const first = sessions.start();
    const second = sessions.start();
    expect(first.userId).not.to.equal(second.userId);
    expect(ok(await as(first.token))).to.deep.equal({ kind: 'session', userId: first.userId });
    expect(ok(await as(second.token))).to.deep.equal({ kind: 'session', userId: second.userId });
    expect(ok(await as(first.token, { userId: first.userId })).userId).to.equal(first.userId);
  });

  it('answers 403 FORBIDDEN when a user credential names another user', async () => {
    await start();
    const { token } = sessions.start();
    expectProblem(await as(token, { userId: 'alice' }), 403, 'FORBIDDEN');
    const query = await api.send('GET', '/mine?userId=alice', {
      headers: { authorization: `Bearer ${token}` },
    });
    expectProblem(query, 403, 'FORBIDDEN');
  });

  it('refuses no credential, a malformed header, an unknown key and a forged session with 401 UNAUTHENTICATED', async () => {
    await start();
    const { token } = sessions.start();
    const [header, payload, signature] = token.split('.');
    const otherUser = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'alice' }),
    ).toString('base64url');
    const forgedBySomeoneElse = new GuestSessions({
      secret: 'y'.repeat(32),
      ttlMs: 60_000,
      clock: { now: () => now },
    }).start().token;
    for (const authorization of [
      undefined,
      'Basic YWxpY2U6c2VjcmV0',
      'Bearer',
      'Bearer sk_not_a_key',
      `Bearer ${header}.${otherUser}.${signature}`,
      `Bearer ${header}.${payload}.`,
      `Bearer ${forgedBySomeoneElse}`,
      `Bearer ${header.replace(/./, 'x')}.${payload}.${signature}`,
    ]) {
      const reply = await api.send('POST', '/claim', {
        body: { userId: 'alice' },
        headers: authorization === undefined ? {} : { authorization },
      });
      expectProblem(reply, 401, 'UNAUTHENTICATED');
      expect(reply.headers.get('www-authenticate'), authorization).to.match(/^Bearer/);
    }
  });

  it('answers 401 TOKEN_EXPIRED once a session has run out, even after a cached success', async () => {
    await start();
    const { token } = sessions.start();
    ok(await as(token));
    now += 60_000;
    const reply = await as(token);
    expectProblem(reply, 401, 'TOKEN_EXPIRED', 'POST /sessions');
    expect(reply.headers.get('www-authenticate')).to.match(/^Bearer/);
  });

  it('accepts a box office HS256 JWT as its sub, and refuses it expired, with another issuer or audience', async () => {
    await start({ secret: HS_SECRET, issuer: 'https://id.example', audience: 'seats' });
    const good = { sub: 'alice', iss: 'https://id.example', aud: 'seats' };
    expect(ok(await as(boxOfficeToken(HS_SECRET, good)))).to.deep.equal({
      kind: 'jwt',
      userId: 'alice',
    });
    const expired = boxOfficeToken(HS_SECRET, { ...good, exp: Math.floor(NOW / 1000) - 1 });
    expectProblem(await as(expired), 401, 'TOKEN_EXPIRED');
    for (const claims of [
      { ...good, iss: 'https://evil.example' },
      { ...good, aud: 'elsewhere' },
      { sub: 'alice', aud: 'seats' },
      { sub: 'alice', iss: 'https://id.example' },
      { ...good, exp: undefined },
    ]) {
      expectProblem(await as(boxOfficeToken(HS_SECRET, claims)), 401, 'UNAUTHENTICATED');
    }
    const wrongSecret = boxOfficeToken('z'.repeat(40), good);
    expectProblem(await as(wrongSecret), 401, 'UNAUTHENTICATED');
    const unsigned = createSigner({ algorithm: 'none' })({ ...good, exp: inAnHour });
    expectProblem(await as(unsigned), 401, 'UNAUTHENTICATED');
  });

  it('answers 400 for a token whose subject is not a valid user id', async () => {
    await start({ secret: HS_SECRET });
    for (const sub of ['a\u0000b', 'x\ud800', '']) {
      expectProblem(await as(boxOfficeToken(HS_SECRET, { sub })), 400, 'INVALID_REQUEST');
    }
  });

  it('accepts RS256, ES256 and EdDSA JWTs against a PEM public key, and refuses HS256 signed with that key', async () => {
    for (const [type, options] of [
      ['rsa', { modulusLength: 2048 }],
      ['ec', { namedCurve: 'P-256' }],
      ['ed25519', {}],
    ] as const) {
      const pair = generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
      const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await start({ publicKey: publicPem });
      expect(ok(await as(boxOfficeToken(pair.privateKey, { sub: `u-${type}` }))).userId).to.equal(
        `u-${type}`,
      );
      // The classic confusion: the public key used as an HMAC secret.
      const confused = createSigner({ key: publicPem, algorithm: 'HS256', noTimestamp: true })({
        sub: 'mallory',
        exp: inAnHour,
      });
      expectProblem(await as(confused), 401, 'UNAUTHENTICATED');
      api.close();
      await server!.stop();
      server = undefined;
    }
  });

  it('accepts an RS256 JWT whose key is in a JWKS the box office serves, by kid', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let fetches = 0;
    const keySet = express();
    keySet.get('/jwks.json', (_req, res) => {
      fetches++;
      res.json({ keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] });
    });
    jwks = await listenLocally(keySet);
    await start({ jwksUrl: `${jwks.url}/jwks.json` });
    const token = boxOfficeToken(pair.privateKey, { sub: 'bob' }, 'k1');
    expect(ok(await as(token))).to.deep.equal({ kind: 'jwt', userId: 'bob' });
    ok(await as(token));
    const stranger = boxOfficeToken(other.privateKey, { sub: 'bob' }, 'k1');
    expectProblem(await as(stranger), 401, 'UNAUTHENTICATED');
    const unknownKid = boxOfficeToken(other.privateKey, { sub: 'bob' }, 'k2');
    expectProblem(await as(unknownKid), 401, 'UNAUTHENTICATED');
    expectProblem(
      await as(boxOfficeToken(other.privateKey, { sub: 'bob' }, 'k3')),
      401,
      'UNAUTHENTICATED',
    );
    // Fetched once: unknown kids within 30 s of the last fetch cannot make it fetch again.
    expect(fetches).to.equal(1);
  });

  it('lets an API key act for the user the request names, and only with one named', async () => {
    await start();
    expect(ok(await as(API_KEY, { userId: 'carol' }))).to.deep.equal({
      kind: 'apiKey',
      userId: 'carol',
    });
    expectProblem(await as(API_KEY, {}), 400, 'INVALID_REQUEST', 'userId is required');
    expectProblem(await as(API_KEY, { userId: 'a\u0007' }), 400, 'INVALID_REQUEST');
    const read = await api.send('GET', '/mine?userId=dave', {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(read.body).to.deep.equal({ kind: 'apiKey', userId: 'dave' });
  });

  it('keeps backend routes to API keys: a guest session or no key is a 401', async () => {
    await start();
    const adminAs = (authorization?: string) =>
      api.send('POST', '/admin', { headers: authorization ? { authorization } : {} });
    expect((await adminAs(`Bearer ${API_KEY}`)).body).to.deep.equal({
      apiKeyId: digest.slice(0, 16),
    });
    expectProblem(await adminAs(), 401, 'UNAUTHENTICATED');
    expectProblem(await adminAs(`Bearer ${sessions.start().token}`), 401, 'UNAUTHENTICATED');
  });

  it('trusts the named user without a credential only with AUTH=off', async () => {
    await start(undefined, { open: true });
    const open = await api.send('POST', '/claim', { body: { userId: 'erin' } });
    expect(open.body).to.deep.equal({ kind: 'open', userId: 'erin' });
    expectProblem(await api.send('POST', '/claim', { body: {} }), 400, 'INVALID_REQUEST');
    const { token, userId } = sessions.start();
    expect(ok(await as(token)).userId).to.equal(userId);
  });
});
