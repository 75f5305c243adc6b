import type { Request } from 'express';

/**
 * How a route finds what serves it: the default event's service, or the one of the event the
 * request's `:eventId` names (which may be unknown: it then throws a 404 problem).
 *
 * @example
 * ```ts
 * const serviceFor: ServiceFor<SeatService> = async (req) => (await events.seatsOf(req.params.eventId)).service;
 * ```
 */
export type ServiceFor<T> = (req: Request) => T | Promise<T>;
