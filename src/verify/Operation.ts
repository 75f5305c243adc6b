import type { SeatStateValue } from '../../machines/seatTypes';

/** What a client asked of one seat. `get` is a read; the others become machine events. */
export type OperationKind = 'lock' | 'confirm' | 'release' | 'get';

/**
 * What the service answered, reduced to what the sequential specification can predict: the status,
 * the refusal code of a 409, and the seat facts a 200 reports.
 */
export interface Outcome {
  /** 200 (accepted / read) or 409 (refused by the machine). */
  status: 200 | 409;
  /** The machine's refusal code, on a 409. */
  code?: string;
  /** `seat.state` of a 200. */
  state?: SeatStateValue;
  /** The lock's id, on an accepted lock. */
  lockId?: string;
  /** The lock's deadline in ms since epoch: an accepted lock's, or a locked seat's on a read. */
  expiresAt?: number;
}

/**
 * One operation of a recorded history: who asked what of which seat, between which instants (ms
 * since epoch, the clock the server stamps its events with), and what came back.
 */
export interface Operation {
  /** Unique within its history; gives the order of invocation. */
  id: number;
  /** Which client (connection of requests in sequence) issued it. */
  client: number;
  seat: string;
  kind: OperationKind;
  userId?: string;
  /** The lockId the client sent with a confirm or release, if any. */
  lockId?: string;
  /** When the request was about to be sent. */
  invokedAt: number;
  /** When the whole response had arrived; `Infinity` when it never did. */
  returnedAt: number;
  /** `null` when the outcome is unknown (no response, or a 5xx): it may or may not have happened. */
  outcome: Outcome | null;
}
