import { assign, emit, setup } from 'xstate';
import type {
  EventContext,
  EventEvent,
  EventInput,
  EventRefusalCode,
  EventReply,
  SalesState,
} from './eventTypes';

/** A refusal as the machine's JSON shows it: the named `refuse` action with its code. */
const refuse = (code: EventRefusalCode, state: SalesState) =>
  ({ type: 'refuse', params: { code, state } }) as const;

/**
 * The instant an event happened. Every host event carries `now`; the two events xstate makes
 * itself carry none, and each happened at a known instant: the creation (`xstate.init`) at
 * `createdAt`, and the open timer (the only timer whose target arms another) at `salesOpenAt`.
 */
function nowOf(context: EventContext, event: { type: string; now?: number }): number {
  if (typeof event.now === 'number') return event.now;
  if (event.type.startsWith('xstate.after.')) return context.salesOpenAt ?? context.createdAt;
  return context.createdAt;
}

/**
 * A confirm or release: it never starts a sale, so it goes ahead once sales have opened, even
 * after they closed (a lock taken before the close may be confirmed or given back until its own
 * deadline, which the seat machine checks). A request that finds a deadline passed before its
 * timer fired moves the event on first, as the timer would have.
 */
const settleInScheduled = [
  { guard: 'salesCloseDue', target: 'closed', actions: 'accept' },
  { guard: 'salesOpenDue', target: 'onSale', actions: 'accept' },
  { actions: refuse('SALES_NOT_OPEN', 'scheduled') },
] as const;

const settleOnSale = [
  { guard: 'salesCloseDue', target: 'closed', actions: 'accept' },
  { actions: 'accept' },
] as const;

/**
 * The sales window of one event: `scheduled → onSale → closed`, plus `cancelled`, moved by the
 * window's deadlines (`salesOpenAt`, `salesCloseAt`: data in context, delayed transitions armed
 * from them, as the seat machine's lock deadline is) and by an admin's OPEN, CLOSE and CANCEL.
 * It is the only place that decides whether a seat request may proceed on an event: the host
 * sends `REQUEST_LOCK` / `REQUEST_CONFIRM` / `REQUEST_RELEASE` before it asks the seat, and reads
 * the reply the machine emits (`sales.accepted`, or `sales.refused` with a code).
 *
 * The rules, where the issue left a choice:
 * - A lock needs the event on sale: `SALES_NOT_OPEN` before, `SALES_CLOSED` after the close and on
 *   a cancelled event (the reply's `state` says `cancelled`).
 * - A confirm or release goes ahead on a closed event: a lock taken before the close may still be
 *   confirmed (or given back) until its own deadline, as the seat machine decides. Before sales
 *   open no lock can exist, so they are refused `SALES_NOT_OPEN` like a lock.
 * - Cancelling stops sales for good: a confirm is refused `SALES_CLOSED`, a release still goes
 *   ahead (giving a seat back never sells anything), bookings stay as they are, and OPEN or
 *   CLOSE on a cancelled event is refused `EVENT_CANCELLED`.
 * - OPEN on a scheduled event opens it now; OPEN on a closed event reopens it until it is closed
 *   by hand (a close deadline already passed is dropped). CLOSE closes now. Repeating an admin
 *   event that already holds (OPEN on sale, CLOSE on closed, CANCEL on cancelled) is accepted and
 *   changes nothing, so an admin's retry is safe.
 *
 * Time enters only through the events' `now` (and the creation's `input.now`). Hosts that keep
 * the event as a snapshot tell it the time with `TICK{now}`, which moves it past any deadline due
 * or re-arms the delayed transition a restored snapshot has lost; every request re-checks the
 * deadlines too, so a late timer can never let a lock through after the close.
 *
 * @example
 * ```ts
 * const event = createActor(eventMachine, {
 *   input: { now: Date.now(), salesOpenAt: Date.now() + 60_000 },
 * }).start();
 * event.on('sales.refused', (reply) => console.log(reply.code)); // SALES_NOT_OPEN
 * event.send({ type: 'REQUEST_LOCK', now: Date.now() });
 * event.getSnapshot().value; // 'scheduled'
 * ```
 */
export const eventMachine = setup({
  types: {
    context: {} as EventContext,
    events: {} as EventEvent,
    input: {} as EventInput,
    emitted: {} as EventReply,
  },
  guards: {
    /** Sales should be open by now: no opening time, or it has come. */
    salesOpenDue: ({ context, event }) =>
      context.salesOpenAt === null || nowOf(context, event) >= context.salesOpenAt,
    /** Sales should be closed by now: a closing time that has come. */
    salesCloseDue: ({ context, event }) =>
      context.salesCloseAt !== null && nowOf(context, event) >= context.salesCloseAt,
    /** A closing time is set, so the close timer means something. */
    hasSalesClose: ({ context }) => context.salesCloseAt !== null,
  },
  actions: {
    /**
     * Sales open now: a future opening time becomes now (a past one stays, it is history), and a
     * closing time already passed is dropped, so a reopened event stays open until closed by hand.
     */
    openNow: assign(({ context, event }) => {
      const now = nowOf(context, event);
      const { salesOpenAt, salesCloseAt } = context;
      return {
        salesOpenAt: salesOpenAt !== null && salesOpenAt > now ? now : salesOpenAt,
        salesCloseAt: salesCloseAt !== null && salesCloseAt <= now ? null : salesCloseAt,
      };
    }),
    /** Sales close now (or stay closed at the earlier closing time already passed). */
    closeNow: assign(({ context, event }) => {
      const now = nowOf(context, event);
      const { salesCloseAt } = context;
      return { salesCloseAt: salesCloseAt !== null && salesCloseAt <= now ? salesCloseAt : now };
    }),
    cancel: assign(({ context, event }) => ({ cancelledAt: nowOf(context, event) })),
    accept: emit({ type: 'sales.accepted' } satisfies EventReply),
    /** Tells the host why the request was refused, and what it needs to say so. */
    refuse: emit(({ context }, params: { code: EventRefusalCode; state: SalesState }) => ({
      type: 'sales.refused' as const,
      code: params.code,
      state: params.state,
      salesOpenAt: context.salesOpenAt,
    })),
  },
  delays: {
    /** Time left until sales open, from the deadline in context and the entering event's now. */
    untilSalesOpen: ({ context, event }) =>
      Math.max(0, (context.salesOpenAt ?? 0) - nowOf(context, event)),
    /** Time left until sales close (0 without a closing time: the guarded timer does nothing). */
    untilSalesClose: ({ context, event }) =>
      Math.max(0, (context.salesCloseAt ?? 0) - nowOf(context, event)),
  },
}).createMachine({
  id: 'event',
  initial: 'starting',
  context: ({ input }) => ({
    createdAt: input.now,
    salesOpenAt: input.salesOpenAt ?? null,
    salesCloseAt: input.salesCloseAt ?? null,
    cancelledAt: null,
  }),
  states: {
    /** Only at creation: the window and the creation time decide where the event starts. */
    starting: {
      always: [
        { guard: 'salesCloseDue', target: 'closed' },
        { guard: 'salesOpenDue', target: 'onSale' },
        { target: 'scheduled' },
      ],
    },
    scheduled: {
      after: { untilSalesOpen: { target: 'onSale' } },
      on: {
        // Time passing, told by the host: moves past a due deadline, otherwise re-enters so the
        // delayed transition is armed again (a snapshot restored from storage has no timer).
        TICK: [
          { guard: 'salesCloseDue', target: 'closed' },
          { guard: 'salesOpenDue', target: 'onSale' },
          { target: 'scheduled', reenter: true },
        ],
        REQUEST_LOCK: [
          { guard: 'salesCloseDue', target: 'closed', actions: refuse('SALES_CLOSED', 'closed') },
          { guard: 'salesOpenDue', target: 'onSale', actions: 'accept' },
          { actions: refuse('SALES_NOT_OPEN', 'scheduled') },
        ],
        REQUEST_CONFIRM: settleInScheduled,
        REQUEST_RELEASE: settleInScheduled,
        OPEN: { target: 'onSale', actions: ['openNow', 'accept'] },
        CLOSE: { target: 'closed', actions: ['closeNow', 'accept'] },
        CANCEL: { target: 'cancelled', actions: ['cancel', 'accept'] },
      },
    },
    onSale: {
      after: { untilSalesClose: { guard: 'hasSalesClose', target: 'closed' } },
      on: {
        TICK: [
          { guard: 'salesCloseDue', target: 'closed' },
          { target: 'onSale', reenter: true },
        ],
        REQUEST_LOCK: [
          { guard: 'salesCloseDue', target: 'closed', actions: refuse('SALES_CLOSED', 'closed') },
          { actions: 'accept' },
        ],
        REQUEST_CONFIRM: settleOnSale,
        REQUEST_RELEASE: settleOnSale,
        OPEN: [
          // Its close came and the timer has not fired: opening it now drops that close.
          {
            guard: 'salesCloseDue',
            target: 'onSale',
            reenter: true,
            actions: ['openNow', 'accept'],
          },
          { actions: 'accept' },
        ],
        CLOSE: { target: 'closed', actions: ['closeNow', 'accept'] },
        CANCEL: { target: 'cancelled', actions: ['cancel', 'accept'] },
      },
    },
    closed: {
      on: {
        REQUEST_LOCK: { actions: refuse('SALES_CLOSED', 'closed') },
        REQUEST_CONFIRM: { actions: 'accept' },
        REQUEST_RELEASE: { actions: 'accept' },
        OPEN: { target: 'onSale', actions: ['openNow', 'accept'] },
        CLOSE: { actions: 'accept' },
        CANCEL: { target: 'cancelled', actions: ['cancel', 'accept'] },
      },
    },
    cancelled: {
      on: {
        REQUEST_LOCK: { actions: refuse('SALES_CLOSED', 'cancelled') },
        REQUEST_CONFIRM: { actions: refuse('SALES_CLOSED', 'cancelled') },
        REQUEST_RELEASE: { actions: 'accept' },
        OPEN: { actions: refuse('EVENT_CANCELLED', 'cancelled') },
        CLOSE: { actions: refuse('EVENT_CANCELLED', 'cancelled') },
        CANCEL: { actions: 'accept' },
      },
    },
  },
});
