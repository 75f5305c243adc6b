import { assign, emit, setup } from 'xstate';

/** Whose cap an event stream counts against: one client address's, or the whole service's. */
export type StreamCapScope = 'client' | 'service';

export interface StreamCapContext {
  /** Streams open now. */
  open: number;
  /** Most streams that may be open at once. */
  max: number;
  scope: StreamCapScope;
}

export interface StreamCapInput {
  max: number;
  scope: StreamCapScope;
}

/** A stream asks to open (answered), or one that was let in has closed (a fact). */
export type StreamCapEvent = { type: 'OPEN' } | { type: 'CLOSED' };

export type StreamCapReply =
  | { type: 'stream.accepted' }
  | { type: 'stream.refused'; code: 'TOO_MANY_STREAMS'; scope: StreamCapScope; max: number };

/**
 * A cap on open event streams (`GET /seats/events`): one machine per client address
 * (`EVENTS_MAX_STREAMS_PER_CLIENT`, default 32) and one for the whole service
 * (`EVENTS_MAX_STREAMS`, default 10 000). An idle stream costs the server a socket and its send
 * buffer for as long as the client likes, so one address opening thousands must be refused (429
 * `TOO_MANY_STREAMS`) rather than served. The only place that decides it; the host asks with
 * `OPEN` and answers from the emitted reply, and reports `CLOSED` for every stream it let in.
 *
 * @example
 * ```ts
 * const address = createActor(streamCapMachine, { input: { max: 1, scope: 'client' } }).start();
 * address.on('*', (reply) => console.log(reply.type));
 * address.send({ type: 'OPEN' }); // stream.accepted
 * address.send({ type: 'OPEN' }); // stream.refused (TOO_MANY_STREAMS, client)
 * ```
 */
export const streamCapMachine = setup({
  types: {
    context: {} as StreamCapContext,
    events: {} as StreamCapEvent,
    input: {} as StreamCapInput,
    emitted: {} as StreamCapReply,
  },
  guards: {
    atLimit: ({ context }) => context.open >= context.max,
  },
  actions: {
    count: assign({ open: ({ context }) => context.open + 1 }),
    // A close never reported twice by the host, but never below zero all the same.
    uncount: assign({ open: ({ context }) => Math.max(0, context.open - 1) }),
    accept: emit({ type: 'stream.accepted' } satisfies StreamCapReply),
    refuse: emit(({ context }) => ({
      type: 'stream.refused' as const,
      code: 'TOO_MANY_STREAMS' as const,
      scope: context.scope,
      max: context.max,
    })),
  },
}).createMachine({
  id: 'streamCap',
  context: ({ input }) => ({ open: 0, max: input.max, scope: input.scope }),
  initial: 'check',
  // A stream that closes frees its place in every state.
  on: { CLOSED: { actions: 'uncount', target: '.check' } },
  states: {
    /** Decides which of the two states below the cap is in. */
    check: {
      always: [{ guard: 'atLimit', target: 'full' }, { target: 'room' }],
    },
    /** Under the cap: the next stream may open. */
    room: {
      on: { OPEN: { actions: ['count', 'accept'], target: 'check' } },
    },
    /** At the cap: every new stream is refused until one closes. */
    full: {
      on: { OPEN: { actions: 'refuse' } },
    },
  },
});
