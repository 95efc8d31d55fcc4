// Money in the SPA: the API speaks integer cents; these turn cents into text and typed dollars into cents
// without ever going through floating point, so what the investor sees is exactly what the ledger holds.
import { currentLocale } from "./locale";

/** The largest amount a money form accepts: the API's limit on amount_cents (10^10 cents, $100,000,000). */
export const MAX_AMOUNT_CENTS = 10_000_000_000;
/** The forecast API accepts larger figures (10^12 cents) for its initial amount and goal. */
export const MAX_FORECAST_CENTS = 1_000_000_000_000;

const CENTS_PER_DOLLAR = 100;

// Formatters are costly to build and figures are many: one per (locale, options) pair.
const formatters = new Map<string, Intl.NumberFormat>();
function usd(opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const locale = currentLocale();
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: "currency", currency: "USD", ...opts });
    formatters.set(key, f);
  }
  return f;
}

/** Intl's format of an exact decimal string ("1234.56"): no binary fraction is ever rounded on the way. */
function formatDecimal(f: Intl.NumberFormat, decimal: string): string {
  return f.format(decimal as unknown as number);
}

/**
 * "$1,234.56" from 123456, written the reader's way (currentLocale(): "1 234,56 $US" in fr-FR); the
 * currency is USD whatever the locale. Negative amounts read "-$2.50"; with `signed`, positive ones read
 * "+$2.50" (for gains and losses). Only integer cents are money: anything else is a bug upstream and throws.
 */
export function formatCents(cents: number, opts: { signed?: boolean } = {}): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not an integer amount of cents: ${cents}`);
  const abs = Math.abs(cents);
  const text = `${cents < 0 ? "-" : ""}${Math.floor(abs / CENTS_PER_DOLLAR)}.${String(abs % CENTS_PER_DOLLAR).padStart(2, "0")}`;
  return formatDecimal(usd({ minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: opts.signed ? "exceptZero" : "auto" }), text);
}

/** A forecast figure (the API gives percentiles of cents as numbers) rounded to whole dollars: "$12,346". */
export function formatWholeDollars(cents: number): string {
  const dollars = Math.round(cents / CENTS_PER_DOLLAR);
  return usd({ minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(dollars === 0 ? 0 : dollars);
}

/** Short axis labels: "$950", "$12K", "$1.5M", "$2B". Display only: never used for amounts sent anywhere. */
export function formatCentsCompact(cents: number): string {
  const dollars = cents / CENTS_PER_DOLLAR;
  const abs = Math.abs(dollars);
  if (abs < 1000) return usd({ maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(Math.round(dollars));
  // One decimal below 100 units ("$1.5K", "$12K"), none above ("$300K"), as before the locale mattered.
  const units = [1e9, 1e6, 1e3].find((u) => abs >= u) ?? 1e3;
  const scaled = abs / units;
  const digits = scaled >= 100 || Number.isInteger(scaled) ? 0 : 1;
  return usd({ notation: "compact", compactDisplay: "short", minimumFractionDigits: 0, maximumFractionDigits: digits }).format(
    Math.sign(dollars) * Number(scaled.toFixed(digits)) * units,
  );
}

export type ParsedAmount = { ok: true; cents: number } | { ok: false; error: string };

// "1234", "1,234.5", "$1,234.56", " 12.30 ": digits, optional thousands commas (correctly placed), at most
// two decimals. Scientific notation, signs and spaces inside the number are refused.
const AMOUNT_RE = /^\$?((?:\d{1,3}(?:,\d{3})+)|\d+)(?:\.(\d{1,2}))?$/;
// Enough digits for any amount the API accepts; longer input is refused before it could lose precision.
const MAX_WHOLE_DIGITS = 13;

/**
 * Dollars typed by the investor to integer cents, exactly. `min` and `max` are in cents (defaults: 1 cent
 * to MAX_AMOUNT_CENTS); the error is a sentence for the form.
 */
export function parseDollars(input: string, opts: { min?: number; max?: number } = {}): ParsedAmount {
  const min = opts.min ?? 1;
  const max = opts.max ?? MAX_AMOUNT_CENTS;
  const text = input.trim();
  if (text === "") return { ok: false, error: "Enter an amount." };
  const m = AMOUNT_RE.exec(text);
  if (!m) return { ok: false, error: "Enter an amount in dollars, like 1250 or 1,250.50." };
  const whole = (m[1] ?? "").replace(/,/g, "").replace(/^0+(?=\d)/, "");
  if (whole.length > MAX_WHOLE_DIGITS) return { ok: false, error: `The most is ${formatCents(max)}.` };
  const frac = (m[2] ?? "").padEnd(2, "0");
  const cents = Number(whole) * CENTS_PER_DOLLAR + Number(frac);
  if (cents < min) return { ok: false, error: min <= 1 ? "Enter an amount above zero." : `The least is ${formatCents(min)}.` };
  if (cents > max) return { ok: false, error: `The most is ${formatCents(max)}.` };
  return { ok: true, cents };
}

/** Cents as the text a dollar input would hold: 123450 -> "1234.50" (for pre-filling a form). */
export function centsToInput(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a non-negative amount: ${cents}`);
  return `${Math.floor(cents / CENTS_PER_DOLLAR)}.${String(cents % CENTS_PER_DOLLAR).padStart(2, "0")}`;
}
