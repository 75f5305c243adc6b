import { randomUUID } from 'node:crypto';
import express from 'express';

/**
 * The ceiling the bench measures the service against: Express 5 with the same middleware
 * (`express.json()`), the same routes and responses of the same shape and size, and no seat
 * logic beyond a Set of locked ids (so the hot-seat scenario answers 409s here too).
 */
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '16kb' }));

const ROWS = 'ABCDEFGHIJ';
const ids = Array.from({ length: 10_000 }, (_, i) => `${ROWS[i % 10]}${i + 1}`);
const locked = new Set<string>();
const inAMinute = () => new Date(Date.now() + 60_000).toISOString();

function problem(res: express.Response, status: number, code: string, detail: string) {
  const body = { type: `/problems/${code.toLowerCase()}`, title: 'Conflict', status, detail, code };
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

app.get('/seats', (req, res) => {
  const limit = Number(req.query.limit ?? 1000);
  const seats = ids.slice(0, limit).map((id) => ({ id, state: 'available' }));
  res.json({ seats, next: seats[seats.length - 1]?.id ?? null });
});

app.get('/seats/summary', (_req, res) => {
  res.json({
    total: 1_000_000,
    available: 1_000_000 - locked.size,
    locked: locked.size,
    booked: 0,
  });
});

app.get('/seats/:id', (req, res) => {
  const id = req.params.id;
  res.json({ seat: { id, state: locked.has(id) ? 'locked' : 'available' } });
});

app.post('/seats/:id/lock', (req, res) => {
  const id = req.params.id;
  if (typeof (req.body as { userId?: unknown } | undefined)?.userId !== 'string')
    return problem(res, 400, 'INVALID_REQUEST', 'userId?');
  if (locked.has(id)) {
    return problem(
      res,
      409,
      'SEAT_LOCKED',
      `Seat ${id} is locked by another user until 12:00:00Z; try another seat.`,
    );
  }
  locked.add(id);
  const expiresAt = inAMinute();
  res.json({
    message: `Seat ${id} is locked for you until 12:00:00Z; confirm it before then.`,
    seat: { id, state: 'locked', expiresAt },
    lockId: randomUUID().slice(0, 21),
    expiresAt,
  });
});

for (const action of ['confirm', 'release'] as const) {
  app.post(`/seats/:id/${action}`, (req, res) => {
    if (typeof (req.body as { userId?: unknown } | undefined)?.userId !== 'string')
      return problem(res, 400, 'INVALID_REQUEST', 'userId?');
    const state = action === 'confirm' ? 'booked' : 'available';
    res.json({
      message: `Seat ${req.params.id} is ${state} for you.`,
      seat: { id: req.params.id, state },
    });
  });
}

const port = Number(process.env.PORT ?? 3001);
app.listen(port, () => console.log(`Baseline listening on http://localhost:${port}`));
