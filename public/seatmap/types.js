// @ts-check
// The shapes the page exchanges with the service, as JSDoc types for `tsc` (this module exports no
// values; the browser loads it only through type imports, which vanish at run time).

/** @typedef {'available' | 'locked' | 'booked'} SeatState */

/** @typedef {{ id: string, state: SeatState, expiresAt?: string }} Seat */

/**
 * A seat as the grid draws it: its id, state and number in its row.
 * @typedef {{ id: string, state: SeatState, number: number }} GridSeat
 */

/**
 * A row as the grid draws it: its label (`A`), its name for screen readers (`Row A of Floor`),
 * its seats on screen.
 * @typedef {{ label: string, name: string, seats: GridSeat[] }} GridRow
 */

/** @typedef {'scheduled' | 'onSale' | 'closed' | 'cancelled'} SalesState */

/** @typedef {{ label: string, seats: number }} RowShape */

/**
 * One section of `GET /events/:eventId`'s layout: enough to draw it and name it.
 * @typedef {{ id: string, name: string, category: string, seats: number, rows: RowShape[] }} SectionShape
 */

/**
 * An event as `GET /events` lists it.
 * @typedef {{ id: string, name: string, salesState: SalesState, startsAt: string | null, lockTtlMs: number, seats: number }} EventView
 */

/** @typedef {{ events: EventView[], next: string | null }} EventList */

/**
 * `GET /events/:eventId`: the event, its counts and the layout to draw.
 * @typedef {EventView & { counts: Summary, layout: { sections: SectionShape[] } }} EventDetails
 */

/**
 * Why a seat changed, as the seat machine decided it (the event stream's `reason`).
 * @typedef {'locked' | 'confirmed' | 'released' | 'expired'} TransitionReason
 */

/**
 * One message of `GET /seats/events`.
 * @typedef {{ id: string, from: SeatState, to: SeatState, reason: TransitionReason, at: string }} Transition
 */

/** @typedef {{ seats: Seat[], next: string | null }} SeatPage */

/** @typedef {{ total: number, available: number, locked: number, booked: number }} Summary */

/**
 * `GET …/seats/states`: the runs of locked and of booked seats, flat `[first index, length, …]`.
 * @typedef {{ size: number, locked: number[], booked: number[] }} SeatStateRuns
 */

/**
 * `GET /config.json`: the venue's shape, the lock TTL and the inspector's address.
 * @typedef {{ rows: number, seatsPerRow: number, lockTtlMs: number, inspectorUrl: string | null }} PageConfig
 */

/** @typedef {{ message: string, seat: Seat, lockId: string, expiresAt: string }} LockAnswer */

/** @typedef {{ message: string, seat: Seat }} SettleAnswer */

/**
 * One of the user's seats, as this page remembers it (the server never says who holds a seat).
 * @typedef {{ userId: string, state: 'locked' | 'booked', lockId: string, expiresAt: number }} MySeat
 */

/** @typedef {'open' | 'confirmed' | 'released' | 'expired'} HoldState */

/**
 * A hold (issue 13): several seats held as one unit by one user, with one deadline.
 * @typedef {{ id: string, eventId: string, state: HoldState, seats: Seat[], expiresAt: string, extensionsLeft: number }} Hold
 */

/** @typedef {{ id: string, seats: Seat[], at: string }} Booking */

/** A seat a hold request could not have, and the seat machine's reason (`SEAT_LOCKED`…). @typedef {{ id: string, code: string }} RefusedSeat */

export {};
