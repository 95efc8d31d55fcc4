// Recurring deposits in words and dates. firstDate mirrors the server's recurring_first_day (migration
// 0009): the review shows the first date before anything is saved; the server's answer is what counts.
import type { RecurringDeposit, RecurringFrequency } from "../api/types";

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export const FREQUENCY_NAMES: Record<RecurringFrequency, string> = {
  weekly: "Every week",
  biweekly: "Every two weeks",
  monthly: "Every month",
};

/** 1 -> "1st", 2 -> "2nd", 11 -> "11th", 22 -> "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}

/** "Every Monday", "Every other Wednesday", "Monthly on the 15th". */
export function describeSchedule(s: Pick<RecurringDeposit, "frequency" | "day">): string {
  if (s.frequency === "monthly") return `Monthly on the ${ordinal(s.day)}`;
  const name = WEEKDAYS[s.day - 1] ?? `day ${s.day}`;
  return s.frequency === "weekly" ? `Every ${name}` : `Every other ${name}`;
}

/** The schedule inside a sentence: "every Monday", "monthly on the 15th". */
export function scheduleInSentence(s: Pick<RecurringDeposit, "frequency" | "day">): string {
  const d = describeSchedule(s);
  return d.charAt(0).toLowerCase() + d.slice(1);
}

/** The largest day a frequency allows (weekday 7, or day of month 28: every month has it). */
export function maxDay(f: RecurringFrequency): number {
  return f === "monthly" ? 28 : 7;
}

function parseDay(day: string): Date {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}

function formatIso(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** Today's date in UTC ("YYYY-MM-DD"), the schedules' calendar. */
export function todayUtc(now: Date = new Date()): string {
  return formatIso(now);
}

/** The first date of a schedule strictly after `today` (UTC "YYYY-MM-DD"). */
export function firstDate(frequency: RecurringFrequency, day: number, today: string): string {
  const t = parseDay(today);
  t.setUTCDate(t.getUTCDate() + 1);
  if (frequency === "monthly") {
    if (t.getUTCDate() > day) t.setUTCMonth(t.getUTCMonth() + 1, 1);
    t.setUTCDate(day);
    return formatIso(t);
  }
  const iso = t.getUTCDay() === 0 ? 7 : t.getUTCDay();
  t.setUTCDate(t.getUTCDate() + ((day - iso + 7) % 7));
  return formatIso(t);
}
