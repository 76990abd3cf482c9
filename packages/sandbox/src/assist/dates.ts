/** Assist writes dates as `dd.mm.yyyy hh:mm:ss` in GMT (assist.md §2.1, RUBY fixtures `26.09.2016 23:08:37`). */
export function formatAssistDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}.${two(date.getUTCMonth() + 1)}.${date.getUTCFullYear()} ${two(
    date.getUTCHours(),
  )}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

/** `RecurringMaxDate` is `DD.MM.YYYY` (§4.4); a date that does not exist is refused. */
export function parseDayMonthYear(raw: string): Date | undefined {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(raw);
  if (!m) return undefined;
  const [, d, mo, y] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), 23, 59, 59));
  if (date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1) return undefined;
  return date;
}
