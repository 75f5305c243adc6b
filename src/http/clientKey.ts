import { ipKeyGenerator } from 'express-rate-limit';

/**
 * The key a client address is counted by, for every per-address limit (rate limit, locks per
 * client, event streams): an IPv4 address as it is (IPv4-mapped IPv6 included), an IPv6 address
 * by its /56 network. One subscriber is usually given a whole /56 or /64, so counting single IPv6
 * addresses would let one client hop to a fresh address for every request.
 *
 * @example
 * ```ts
 * clientKey('203.0.113.9'); // '203.0.113.9'
 * clientKey('::ffff:203.0.113.9'); // '203.0.113.9'
 * clientKey('2001:db8:abcd:12ff::1'); // '2001:db8:abcd:1200::/56'
 * ```
 */
export function clientKey(address: string | undefined): string {
  return address ? ipKeyGenerator(address, 56) : 'unknown';
}
