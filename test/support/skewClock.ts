/**
 * Preloaded into a service process (`node --require`) to make its wall clock wrong by
 * `SKEW_CLOCK_MS` (may be negative): `Date.now()` and `new Date()` are shifted, as on a host whose
 * NTP is off. The clock-skew fault test starts one of two instances with it.
 */
const skew = Number(process.env.SKEW_CLOCK_MS ?? 0);
if (skew !== 0) {
  const realNow = Date.now.bind(Date);
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(realNow() + skew);
      else super(...(args as [string]));
    }
    static override now(): number {
      return realNow() + skew;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
}
