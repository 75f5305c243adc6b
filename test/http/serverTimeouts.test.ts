import { expect } from 'chai';
import net from 'node:net';
import { createServer } from 'node:http';
import { applyServerTimeouts, DEFAULT_SERVER_TIMEOUTS } from '../../src/http/serverTimeouts';
import { serve, type Served } from '../support/serve';

/**
 * Sends `prefix` at once, then trickles `text` one byte per `everyMs` on a fresh connection until
 * the server closes it; reports how many bytes of `text` got out and what the server said.
 */
function trickle(port: number, prefix: string, text: string, everyMs: number) {
  return new Promise<{ sent: number; answer: string }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let sent = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const next = () => {
      if (socket.destroyed || sent >= text.length) return;
      socket.write(text[sent++]);
      timer = setTimeout(next, everyMs);
    };
    socket.on('connect', () => {
      socket.write(prefix);
      next();
    });
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset is one way of being cut off
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ sent, answer });
    });
  });
}

describe('Server timeouts (slow clients cannot pin connections)', function () {
  this.timeout(20_000);
  let served: Served;

  before(async () => {
    // Small limits so the test is quick; production uses DEFAULT_SERVER_TIMEOUTS.
    served = await serve(
      { rows: 1, seatsPerRow: 2 },
      {
        timeouts: {
          headersTimeoutMs: 1_000,
          requestTimeoutMs: 1_500,
          keepAliveTimeoutMs: 500,
          checkIntervalMs: 100,
        },
      },
    );
  });
  after(() => served.stop());

  it('cuts off a client that sends its headers one byte a second', async () => {
    const request =
      'GET /seats/A1 HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'z'.repeat(40) + '\r\n\r\n';
    const { sent, answer } = await trickle(served.port, '', request, 1_000);
    expect(sent, 'bytes sent before the server closed').to.be.lessThan(request.length);
    expect(answer).to.match(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client that trickles its body', async () => {
    const body = '{"userId":"slowpoke"}';
    const head = `POST /seats/A2/lock HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { sent, answer } = await trickle(served.port, head, body, 1_000);
    expect(sent).to.be.lessThan(body.length);
    expect(answer).to.match(/^HTTP\/1\.1 408/);
    expect((await served.service.get('A2')).state, 'the half-sent lock changed nothing').to.equal(
      'available',
    );
  });

  it('applies production defaults when given no limits', () => {
    const server = createServer();
    const applied = applyServerTimeouts(server);
    expect(applied).to.deep.equal(DEFAULT_SERVER_TIMEOUTS);
    expect(server.headersTimeout).to.equal(DEFAULT_SERVER_TIMEOUTS.headersTimeoutMs);
    expect(server.requestTimeout).to.equal(DEFAULT_SERVER_TIMEOUTS.requestTimeoutMs);
    expect(server.keepAliveTimeout).to.equal(DEFAULT_SERVER_TIMEOUTS.keepAliveTimeoutMs);
  });
});
