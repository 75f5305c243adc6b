import type { Request, Result } from 'autocannon';
import { Venue } from '../src/venue';
import { newApiKey } from '../src/auth/ApiKeys';

/** The venue every scenario runs on: 1,000 rows of 1,000 seats. */
export const BENCH_ROWS = 1000;
export const BENCH_SEATS_PER_ROW = 1000;
export const venue = new Venue(BENCH_ROWS, BENCH_SEATS_PER_ROW);

/**
 * The bench's backend API key (its digest is given to the service as `API_KEYS`): every seat
 * action acts for the `userId` its body names, and pays for an API-key check as a backend's would.
 */
export const BENCH_API_KEY = newApiKey();
/** The headers of every bench seat action. */
export const BENCH_HEADERS = { authorization: `Bearer ${BENCH_API_KEY.key}` };
const JSON_HEADERS = { 'content-type': 'application/json', ...BENCH_HEADERS };
const HOT_SEATS = 10;

/** One load run of one scenario against one server: the requests, and what to check after. */
export interface Load {
  requests: Request[];
  /** Throws when the responses were not what this scenario must get. */
  check(result: Result, url: string): Promise<void>;
}

export interface Scenario {
  key: string;
  title: string;
  /** A fresh load for round `round` (rounds and servers never share seats that matter). */
  load(round: number): Load;
}

/** Every response must be 2xx and no request may fail. */
function allOk(name: string) {
  return async (result: Result) => {
    expectNoErrors(name, result);
    if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} responses were not 2xx`);
  };
}

function expectNoErrors(name: string, result: Result): void {
  if (result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${name}: ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  if (result.requests.total === 0) throw new Error(`${name}: no request completed`);
}

/** Seat indexes handed out in order, so every lock in a scenario goes to a seat nobody locked. */
function seatCounter(start = 0) {
  let next = start;
  return () => {
    if (next >= venue.size) throw new Error('the bench ran out of distinct seats');
    return venue.idAt(next++);
  };
}

/** A lock request on the next distinct seat, by a user of its own. */
function lockRequest(nextSeat: () => string, onLocked?: Request['onResponse']): Request {
  return {
    method: 'POST',
    headers: JSON_HEADERS,
    setupRequest(request, context: { seat?: string }) {
      const seat = nextSeat();
      context.seat = seat;
      return { ...request, path: `/seats/${seat}/lock`, body: `{"userId":"u-${seat}"}` };
    },
    onResponse: onLocked,
  };
}

/**
 * (a) every request locks a different seat; (b) lock then confirm with the lockId it got; (c) the
 * hot on-sale: every client on the same 10 seats, then exactly one winner per seat; (d) one seat by
 * id; (e) one page of 100 seats at a cursor anywhere in the venue.
 */
export function scenarios(): Scenario[] {
  // Shared by every round and both servers, so no seat is ever locked twice in a scenario.
  const lockSeats = seatCounter();
  const confirmSeats = seatCounter();
  return [
    {
      key: 'lock',
      title: '(a) POST lock, distinct seats',
      load: () => ({ requests: [lockRequest(lockSeats)], check: allOk('lock') }),
    },
    {
      key: 'lockConfirm',
      title: '(b) POST lock, then confirm',
      load: () => {
        const lock = lockRequest(confirmSeats, (status, body, context: { lockId?: string }) => {
          context.lockId =
            status === 200 ? (JSON.parse(body) as { lockId?: string }).lockId : undefined;
        });
        const confirm: Request = {
          method: 'POST',
          headers: JSON_HEADERS,
          setupRequest(request, context: { seat?: string; lockId?: string }) {
            const body = JSON.stringify({ userId: `u-${context.seat}`, lockId: context.lockId });
            return { ...request, path: `/seats/${context.seat}/confirm`, body };
          },
        };
        return { requests: [lock, confirm], check: allOk('lock+confirm') };
      },
    },
    {
      key: 'hot',
      title: '(c) hot on-sale: 50 clients, 10 seats',
      load: (round) => {
        // Each round its own row of 10 seats, so each round has 10 fresh winners to find.
        const seats = Array.from({ length: HOT_SEATS }, (_, i) =>
          venue.idAt((round + 1) * BENCH_SEATS_PER_ROW + i),
        );
        const wins = new Map<string, number>(seats.map((seat) => [seat, 0]));
        const answered = new Set<string>();
        let sent = 0;
        const request: Request = {
          method: 'POST',
          headers: JSON_HEADERS,
          setupRequest(req, context: { seat?: string }) {
            const seat = seats[sent % HOT_SEATS];
            context.seat = seat;
            return { ...req, path: `/seats/${seat}/lock`, body: `{"userId":"fan-${sent++}"}` };
          },
          onResponse(status, _body, context: { seat?: string }) {
            answered.add(context.seat!);
            if (status === 200) wins.set(context.seat!, wins.get(context.seat!)! + 1);
          },
        };
        return {
          requests: [request],
          async check(result, url) {
            expectNoErrors('hot', result);
            const codes = Object.keys(result.statusCodeStats ?? {}).filter((c) => c !== '200');
            if (codes.some((code) => code !== '409')) {
              throw new Error(`hot: unexpected statuses ${codes.join(', ')}`);
            }
            for (const [seat, count] of wins) {
              // Two winners is a double sale. None is possible only when the winner's answer was
              // still in flight as the run ended (a very busy machine): the seat must be locked
              // then, unless no answer about it at all came back before the end.
              if (count > 1) throw new Error(`hot: seat ${seat} had ${count} winners, not 1`);
              const response = await fetch(`${url}/seats/${seat}`);
              const { seat: view } = (await response.json()) as { seat: { state: string } };
              const cutShort = count === 0 && !answered.has(seat); // no answer came back in time
              if (view.state !== 'locked' && !cutShort) {
                throw new Error(`hot: seat ${seat} is ${view.state}`);
              }
            }
          },
        };
      },
    },
    {
      key: 'getSeat',
      title: '(d) GET /seats/:id',
      load: () => getEach('get seat', (i) => `/seats/${venue.idAt((i * 7919) % venue.size)}`),
    },
    {
      key: 'page',
      title: '(e) GET /seats?limit=100 (1M seats)',
      load: () =>
        getEach('page', (i) => `/seats?limit=100&after=${venue.idAt((i * 104_729) % 999_000)}`),
    },
  ];
}

/** GETs `pathOf(0)`, `pathOf(1)`, …: seats spread over the whole venue. */
function getEach(name: string, pathOf: (i: number) => string): Load {
  let i = 0;
  const request: Request = {
    method: 'GET',
    setupRequest: (req) => ({ ...req, path: pathOf(i++) }),
  };
  return { requests: [request], check: allOk(name) };
}

/** Locks distinct seats from seat index `first` on, as many as it is asked to. */
export function lockMany(first = 0): Load {
  return { requests: [lockRequest(seatCounter(first))], check: allOk('lock many') };
}
