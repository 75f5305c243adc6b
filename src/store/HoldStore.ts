import type {
  HoldContext,
  HoldInput,
  HoldReply,
  HoldRequestEvent,
  HoldStateValue,
} from '../../machines/holdTypes';
import type { RefusedSeat } from './SeatStore';

/** A hold as a store knows it: its id, its machine state and context. */
export interface HoldRecord {
  id: string;
  state: HoldStateValue;
  context: HoldContext;
}

/** The request that makes a hold. */
export type CreateHold = Extract<HoldRequestEvent, { type: 'CREATE' }>;

/**
 * What a hold request did: accepted (the hold and its seats changed together), refused by the
 * hold's machine (nothing changed, except that a hold found past its deadline is now expired),
 * refused by some of the seats' machines (nothing changed; each refused seat named), or there is
 * no such hold.
 */
export type HoldOutcome =
  | { ok: true; hold: HoldRecord }
  | { ok: false; refusedBy: 'hold'; reply: HoldReply | undefined; hold: HoldRecord }
  | { ok: false; refusedBy: 'seats'; refused: RefusedSeat[] }
  | { ok: false; refusedBy: 'missing' };

/**
 * Where multi-seat holds live, beside the seats they hold: each hold's machine
 * (`machines/holdMachine.ts`) as a snapshot, stepped together with its seats' machines in one
 * atomic step of the seat store (`applyAll`), so a hold and its seats never disagree. A store only
 * keeps and steps snapshots; every rule is the hold machine's or the seat machine's.
 */
export interface HoldStore {
  /** Makes a hold with `input`'s id and limits and the CREATE request, all or nothing. */
  create(input: HoldInput, event: CreateHold): Promise<HoldOutcome>;
  /** Sends a request to hold `holdId`: the hold's machine first, then its seats'. */
  send(holdId: string, event: HoldRequestEvent): Promise<HoldOutcome>;
  /** Hold `holdId` as the machine sees it at `now` (an open hold past its deadline is expired). */
  get(holdId: string, now: number): Promise<HoldRecord | undefined>;
}
