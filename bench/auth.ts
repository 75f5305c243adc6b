/**
 * `npm run bench:auth`: what authentication costs one request, per credential kind, cached (the
 * same token again: the usual case, a client sends its token with every request) and uncached
 * (every token new to the service: the first request of each). It times the `caller` middleware
 * alone, in this process, on one core: µs per request, the median of 5 rounds.
 *
 *   npm run bench:auth               # about 20 s
 *   npm run bench:auth -- --quick    # a smoke run (about 3 s)
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Request, Response } from 'express';
import { createSigner } from 'fast-jwt';
import { ApiKeys, newApiKey } from '../src/auth/ApiKeys';
import { Authenticator } from '../src/auth/Authenticator';
import { boxOfficeTokens, type BoxOfficeTokensOptions } from '../src/auth/BoxOfficeTokens';
import { GuestSessions } from '../src/auth/GuestSessions';
import { systemClock } from '../src/clock';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const ITERATIONS = args.quick ? 2_000 : 20_000;
const ROUNDS = args.quick ? 3 : 5;

const { key: apiKey, digest } = newApiKey();
const secret = 'box-office-secret-of-at-least-32-characters';
const sessions = new GuestSessions({
  secret: 'x'.repeat(43),
  ttlMs: 7_200_000,
  clock: systemClock,
});

function authenticator(boxOffice: BoxOfficeTokensOptions | undefined, cached: boolean) {
  return new Authenticator({
    sessions,
    boxOffice: boxOffice && boxOfficeTokens(boxOffice),
    apiKeys: new ApiKeys([digest]),
    clock: systemClock,
    cacheSize: cached ? 10_000 : 0,
  });
}

function pair(type: 'rsa' | 'ec' | 'ed25519') {
  const options =
    type === 'rsa' ? { modulusLength: 2048 } : type === 'ec' ? { namedCurve: 'P-256' } : {};
  const keys = generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
  return {
    publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (claims: object) => signWith(keys.privateKey, claims),
  };
}

function signWith(key: KeyObject | string, claims: object): string {
  const pem =
    typeof key === 'string' ? key : key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return createSigner({ key: pem })({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims });
}

/** µs per call of the `caller` middleware with `authorization`, median of the rounds. */
function measure(auth: Authenticator, authorization: string, body: object): number {
  const req = { method: 'POST', headers: { authorization }, body, query: {}, ip: '127.0.0.1' };
  const res = { locals: {} };
  let called = 0;
  const next = () => void called++;
  const run = () => auth.caller(req as unknown as Request, res as unknown as Response, next);
  for (let i = 0; i < 200; i++) run(); // warm up (and fill the cache when it is on)
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) run();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS);
  }
  if (called !== 200 + ROUNDS * ITERATIONS) throw new Error(`${authorization}: refused`);
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
}

const rsa = pair('rsa');
const ec = pair('ec');
const ed = pair('ed25519');
const kinds: Array<{
  kind: string;
  boxOffice?: BoxOfficeTokensOptions;
  token: string;
  body: object;
}> = [
  { kind: 'guest session (HS256)', token: sessions.start().token, body: {} },
  {
    kind: 'box office JWT HS256',
    boxOffice: { secret },
    token: signWith(secret, { sub: 'alice' }),
    body: {},
  },
  {
    kind: 'box office JWT RS256',
    boxOffice: { publicKey: rsa.publicKey },
    token: rsa.sign({ sub: 'alice' }),
    body: {},
  },
  {
    kind: 'box office JWT ES256',
    boxOffice: { publicKey: ec.publicKey },
    token: ec.sign({ sub: 'alice' }),
    body: {},
  },
  {
    kind: 'box office JWT EdDSA',
    boxOffice: { publicKey: ed.publicKey },
    token: ed.sign({ sub: 'alice' }),
    body: {},
  },
  { kind: 'API key (SHA-256, never cached)', token: apiKey, body: { userId: 'alice' } },
];

console.log(
  `Authentication, µs per request (median of ${ROUNDS} × ${ITERATIONS}), Node ${process.version}:\n`,
);
console.log('| credential | uncached µs | cached µs |');
console.log('| --- | ---: | ---: |');
for (const { kind, boxOffice, token, body } of kinds) {
  const uncached = measure(authenticator(boxOffice, false), `Bearer ${token}`, body);
  const cached = measure(authenticator(boxOffice, true), `Bearer ${token}`, body);
  console.log(`| ${kind} | ${uncached.toFixed(1)} | ${cached.toFixed(2)} |`);
}
