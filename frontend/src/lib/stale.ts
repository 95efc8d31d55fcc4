// The age of the prices behind an answer (`prices_as_of`, the newest close used). Markets close for at most
// a long weekend (Friday's close read on a Tuesday holiday is 4 days old), so older than 4 days means the
// prices are not being updated: the data is offline, and the page says so.

export const STALE_AFTER_DAYS = 4;

const DAY_MS = 86_400_000;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "YYYY-MM-DD" to a day number (days since 1970-01-01), or null when it is not such a date. */
export function dayNumber(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t / DAY_MS;
}

/** The reader's own calendar day (local time) as a day number. */
export function localToday(now: Date = new Date()): number {
  return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / DAY_MS;
}

/** Whole days from `asOf` to the reader's today, or null without a valid date. */
export function pricesAgeDays(asOf: string | null | undefined, now: Date = new Date()): number | null {
  const d = asOf ? dayNumber(asOf) : null;
  return d === null ? null : localToday(now) - d;
}

/** True when the newest close is more than STALE_AFTER_DAYS days before today. */
export function pricesStale(asOf: string | null | undefined, now: Date = new Date()): boolean {
  const age = pricesAgeDays(asOf, now);
  return age !== null && age > STALE_AFTER_DAYS;
}

/** "2026-05-01" -> "1 May 2026". */
export function formatDayLong(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m || dayNumber(day) === null) return day;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}
