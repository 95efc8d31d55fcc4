// Non-money formatting: weights and returns as percentages, share quantities, dates and times, written the
// reader's way (currentLocale(): the browser's language).
import { currentLocale } from "./locale";

/** 0.21411625 -> "21.4%"; with `signed`, positive values get a "+". */
export function formatPercent(fraction: number, digits = 1, opts: { signed?: boolean } = {}): string {
  return new Intl.NumberFormat(currentLocale(), {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: opts.signed ? "exceptZero" : "auto",
  }).format(fraction);
}

const MICRO = 1_000_000;

/** Micro-shares (the API's unit) to shares with up to six decimals: 2243456 -> "2.243456", 5000000 -> "5".
 * Kept in the API's notation whatever the locale: it is a quantity to compare with confirmations. */
export function formatShares(micro: number): string {
  if (!Number.isSafeInteger(micro)) throw new RangeError(`not an integer number of micro-shares: ${micro}`);
  const sign = micro < 0 ? "-" : "";
  const abs = Math.abs(micro);
  const frac = String(abs % MICRO).padStart(6, "0").replace(/0+$/, "");
  return `${sign}${Math.floor(abs / MICRO)}${frac ? `.${frac}` : ""}`;
}

/** A price in dollars (the API gives prices as numbers) to "$674.15". */
export function formatPrice(dollars: number): string {
  return dollars.toLocaleString(currentLocale(), { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** "2026-05-01" -> "May 1, 2026" ("1 mai 2026" in fr-FR): a calendar day, read as such (no time zone shift). */
export function formatDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(currentLocale(), {
    timeZone: "UTC",
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

/** An RFC 3339 timestamp in the reader's local time: "Nov 22, 2026, 1:33 AM". */
export function formatDateTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleString(currentLocale(), { dateStyle: "medium", timeStyle: "short" });
}

/** "risk_4_horizon_long" -> "Risk 4 · long horizon". */
export function describeBucket(bucket: string): string {
  const m = /^risk_([1-5])_horizon_(short|medium|long)$/.exec(bucket);
  return m ? `Risk ${m[1]} · ${m[2]} horizon` : bucket;
}

export const RISK_NAMES: Record<number, string> = {
  1: "Very cautious",
  2: "Cautious",
  3: "Balanced",
  4: "Growth",
  5: "Aggressive",
};

export const HORIZON_NAMES: Record<string, string> = {
  short: "Short (under 3 years)",
  medium: "Medium (3 to 7 years)",
  long: "Long (over 7 years)",
};
