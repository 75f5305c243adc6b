/** Where an event's sales stand. */
export type SalesState = 'scheduled' | 'onSale' | 'closed' | 'cancelled';

export interface EventContext {
  /** When the event was created (ms since epoch): the instant its machine first looked at time. */
  createdAt: number;
  /**
   * When sales open: set at creation, or by OPEN to the instant an admin opened sales early.
   * `null` for an event on sale from its creation.
   */
  salesOpenAt: number | null;
  /** When sales close: set at creation or by CLOSE; `null` while open until closed by hand. */
  salesCloseAt: number | null;
  /** When the event was cancelled, once it is. */
  cancelledAt: number | null;
}

export interface EventInput {
  /** The host's clock at creation: the machine never reads a clock itself. */
  now: number;
  salesOpenAt?: number | null;
  /** Must be later than `salesOpenAt` when both are given (the API's schema checks it). */
  salesCloseAt?: number | null;
}

/** The seat requests the sales window decides on (the seat machine decides the rest). */
export type SalesRequestType = 'REQUEST_LOCK' | 'REQUEST_CONFIRM' | 'REQUEST_RELEASE';

/**
 * What a host can tell an event. Every event carries `now`, the host's clock in ms since epoch.
 * `TICK` is the host telling time (a deadline's timer fired, or a snapshot was restored).
 */
export type EventEvent =
  | { type: SalesRequestType; now: number }
  | { type: 'OPEN'; now: number }
  | { type: 'CLOSE'; now: number }
  | { type: 'CANCEL'; now: number }
  | { type: 'TICK'; now: number };

/** The admin's events. */
export type EventAdminType = 'OPEN' | 'CLOSE' | 'CANCEL';

/**
 * Why a request was refused: sales have not opened yet, have closed (or the event is cancelled:
 * `state` says which), or an admin tried to open or close a cancelled event.
 */
export type EventRefusalCode = 'SALES_NOT_OPEN' | 'SALES_CLOSED' | 'EVENT_CANCELLED';

/**
 * The machine's answer to a request or admin event, emitted while it handles it. A refusal says
 * the sales state the decision was made in and when sales open, so a host's message can say
 * "Sales open at …" or "This event was cancelled" without looking at anything else.
 */
export type EventReply =
  | { type: 'sales.accepted' }
  | {
      type: 'sales.refused';
      code: EventRefusalCode;
      state: SalesState;
      salesOpenAt: number | null;
    };
