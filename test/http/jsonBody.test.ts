import { expect } from 'chai';
import express, { type RequestHandler } from 'express';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonBody } from '../../src/http/jsonBody';

/** What a parser made of a request: the status and body type, or the error's status and type. */
interface Outcome {
  status: number;
  answer: unknown;
}

/** Serves `parser` then echoes the body it left, or the status and `type` of its error. */
async function outcomes(
  parser: RequestHandler,
  requests: Array<{ headers: Record<string, string>; body: Buffer }>,
): Promise<Outcome[]> {
  const app = express();
  app.use(parser);
  app.post('/', (req, res) => void res.json({ body: req.body as unknown }));
  app.use(((err, _req, res, _next) => {
    const { status, type } = err as { status: number; type: string };
    res.status(status).json({ type });
  }) as express.ErrorRequestHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const results: Outcome[] = [];
    for (const { headers, body } of requests) {
      results.push(
        await new Promise<Outcome>((resolve, reject) => {
          const req = httpRequest({ port, method: 'POST', path: '/', headers }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, answer: JSON.parse(text) }));
          });
          req.on('error', reject);
          req.end(body);
        }),
      );
    }
    return results;
  } finally {
    server.close();
  }
}

describe('jsonBody: the JSON body parser', () => {
  it('reads every body as express.json does: the same bodies, the same errors, the same limit', async () => {
    const json = { 'content-type': 'application/json' };
    const request = (body: string | Buffer, headers: Record<string, string> = json) => ({
      headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
      body: Buffer.from(body),
    });
    const requests = [
      request('{"userId":"u1","lockId":"é"}'),
      request('[1,2]'),
      request(''),
      request('   '),
      request(' \n {"a":1}'),
      request('\ufeff{"a":1}'),
      request('"text"'),
      request('5'),
      request('{bad'),
      request(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
      request('{"a":1}', { 'content-type': 'Application/JSON; Charset=UTF-8' }),
      request('{"a":1}', { 'content-type': 'application/json; charset=latin1' }),
      request('{"a":1}', { 'content-type': 'text/plain' }),
      request(JSON.stringify({ pad: 'x'.repeat(16 * 1024) })),
      request('{"a":"' + 'x'.repeat(16 * 1024 - 8) + '"}'),
      { headers: { ...json, 'transfer-encoding': 'chunked' }, body: Buffer.from('{"a":1}') },
    ];
    const ours = await outcomes(jsonBody(16 * 1024), requests);
    const theirs = await outcomes(express.json({ limit: '16kb' }), requests);
    expect(ours).to.deep.equal(theirs);
    expect(ours.map((o) => o.status)).to.deep.equal([
      200, 200, 200, 400, 200, 200, 400, 400, 400, 200, 200, 415, 200, 413, 200, 200,
    ]);
  });
});
