/**
 * Robokassa's servers run on Moscow time (UTC+3, no daylight saving since 2014) and their .NET serializer writes
 * seven fractional digits: `2019-11-13T10:21:22.0500029+03:00` (§3.1).
 */
const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

export function formatMoscowDate(date: Date): string {
  const shifted = new Date(date.getTime() + MOSCOW_OFFSET_MS);
  const iso = shifted.toISOString(); // 2019-11-13T07:21:22.050Z, already shifted
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}0000+03:00`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses `ExpirationDate` (§1.1): ISO 8601 with up to seven fractional digits; the short `2029-01-16T12:00` of the
 * official example is accepted too. Without an offset the time is read as Moscow time, as Robokassa's would be.
 */
export function parseExpirationDate(raw: string): Date | undefined {
  const m = ISO.exec(raw.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  const ms = Number(frac.padEnd(7, '0').slice(0, 3));
  let offsetMs = MOSCOW_OFFSET_MS;
  if (zone === 'Z') offsetMs = 0;
  else if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMs = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60 * 1000;
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const date = new Date(utc - offsetMs);
  // Date.UTC rolls 2029-02-30 over to March; a real calendar date must survive the round trip.
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  return date;
}
