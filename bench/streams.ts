import net from 'node:net';
import { freePort } from '../scripts/freePort';
import { compileBench } from './compiled';
import { NodeChild } from './NodeChild';

/**
 * `npx ts-node --transpile-only bench/streams.ts [streams=1000]`: the server's memory with
 * `streams` `GET /seats/events` clients that never read (issue 11: 100 such sockets used to hold
 * 97 MB). Each resumes with the `Last-Event-ID` of the first event after 2,000 transitions (the
 * most a resume could ask), then never reads a byte while 6,000 more transitions are published.
 * Clients come from 32 streams per loopback address (127.0.0.2, .3, …), within the default
 * per-address cap. Prints the server's RSS and heap (after a full GC) before and after, and how
 * many streams the server cut.
 */
async function main(): Promise<void> {
  const streams = Number(process.argv[2] ?? 1000);
  const port = await freePort();
  const compiled = compileBench();
  const server = new NodeChild({
    script: compiled.server,
    probe: compiled.probe,
    port,
    env: {
      AUTH: 'off',
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_MINUTE: '0',
      MAX_LOCKS_PER_CLIENT: '0',
      MAX_LOCKS_PER_USER: '0',
      SEAT_ROWS: '10',
      SEATS_PER_ROW: '10',
    },
  });
  await server.start();
  try {
    const url = `http://127.0.0.1:${port}`;
    const churn = async (transitions: number) => {
      for (let done = 0; done < transitions; done += 200) {
        await Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            const seat = `${'ABCDEFGHIJ'[Math.floor(i / 10)]}${(i % 10) + 1}`;
            for (const action of ['lock', 'release']) {
              await fetch(`${url}/seats/${seat}/${action}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ userId: `u${i}` }),
              });
            }
          }),
        );
      }
    };
    const firstId = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += String(chunk);
        const match = /\nid: (\S+)/.exec(text);
        if (match) {
          socket.destroy();
          resolve(match[1]);
        }
      });
      socket.write('GET /seats/events HTTP/1.1\r\nHost: bench\r\n\r\n');
      void churn(200);
    });
    await churn(2000);
    const before = await server.memory();

    const sockets: net.Socket[] = [];
    let refused = 0;
    for (let i = 0; i < streams; i++) {
      const localAddress = `127.0.0.${2 + Math.floor(i / 32)}`;
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      socket.on('error', () => {});
      await new Promise<void>((resolve) => {
        socket.once('data', (chunk) => {
          if (String(chunk).startsWith('HTTP/1.1 429')) refused++;
          socket.pause(); // never reads again
          resolve();
        });
        socket.write(
          `GET /seats/events HTTP/1.1\r\nHost: bench\r\nLast-Event-ID: ${firstId}\r\n\r\n`,
        );
      });
      sockets.push(socket);
    }
    const opened = await server.memory();
    await churn(6000);
    const after = await server.memory();
    const closedByServer = sockets.filter((s) => s.readableEnded || s.destroyed).length;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(`${streams} never-reading streams (${refused} refused at the door)`);
    console.log(`before:            RSS ${mb(before.rss)}, heap ${mb(before.heapUsed)}`);
    console.log(`streams open:      RSS ${mb(opened.rss)}, heap ${mb(opened.heapUsed)}`);
    console.log(`after 6,000 more:  RSS ${mb(after.rss)}, heap ${mb(after.heapUsed)}`);
    console.log(
      `per stream (after - before): ${((after.rss - before.rss) / streams / 1024).toFixed(1)} KiB`,
    );
    console.log(
      `streams the client sees closed: ${closedByServer} (paused sockets see it only when they read)`,
    );
    for (const socket of sockets) socket.destroy();
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
