// Taxes as the investor reads them: the years to choose from, totals by term, what a sale would realise,
// and telling "this server has no tax reports" (an older server: 404 or 405) from a failure to load.
import { ApiError } from "../api/client";
import type { LotMethod, SalePreview, TaxLot, TaxRealized, TaxTerm } from "../api/types";

/** The endpoint is not on this server (an older version): the page says so instead of an error. */
export function isMissingEndpoint(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 405);
}

/** Tax years to offer, newest first: from this year back to the year the account was opened. */
export function taxYears(createdAt: string | undefined, now: Date = new Date()): number[] {
  const current = now.getFullYear();
  const opened = createdAt ? new Date(createdAt).getFullYear() : current;
  const first = Number.isFinite(opened) ? Math.min(opened, current) : current;
  const years: number[] = [];
  for (let y = current; y >= first; y--) years.push(y);
  return years;
}

export const TERM_NAMES: Record<TaxTerm, string> = {
  short: "Short-term",
  long: "Long-term",
};

export const LOT_METHODS: { value: LotMethod; label: string; hint: string }[] = [
  {
    value: "tax_min",
    label: "Lowest tax first (recommended)",
    hint: "Sells the shares that owe the least tax: losses first, then long-term gains with the highest cost.",
  },
  { value: "hifo", label: "Highest cost first", hint: "Sells the shares you paid the most for, which usually realises the smallest gain." },
  { value: "fifo", label: "Oldest first", hint: "Sells the shares you bought first (first in, first out)." },
];

/** The year's realised gain (short + long), in cents. */
export function totalGain(r: TaxRealized): number {
  return r.short.gain_cents + r.long.gain_cents;
}

/** Open lots' totals: basis, value and unrealised gain, in cents. */
export function lotTotals(lots: TaxLot[]): { basis: number; value: number; unrealized: number } {
  return lots.reduce(
    (t, l) => ({ basis: t.basis + l.basis_cents, value: t.value + l.value_cents, unrealized: t.unrealized + l.unrealized_cents }),
    { basis: 0, value: 0, unrealized: 0 },
  );
}

/** "a gain of $1.00" / "a loss of $1.00" / "no gain or loss", for a sentence. */
export function gainWords(cents: number, format: (c: number) => string): string {
  if (cents > 0) return `a gain of ${format(cents)}`;
  if (cents < 0) return `a loss of ${format(-cents)}`;
  return "no gain or loss";
}

/** One sentence on what a sale realises, by term. */
export function salePreviewSentence(p: SalePreview, format: (c: number) => string): string {
  const parts: string[] = [];
  if (p.short.gain_cents !== 0 || p.lots.some((l) => l.term === "short")) parts.push(`${gainWords(p.short.gain_cents, format)} short-term`);
  if (p.long.gain_cents !== 0 || p.lots.some((l) => l.term === "long")) parts.push(`${gainWords(p.long.gain_cents, format)} long-term`);
  if (parts.length === 0) return "This sale realises no gain or loss: it is paid from your portfolio's cash.";
  return `This sale realises ${parts.join(" and ")}.`;
}

/** The file name of a year's report. */
export function reportFileName(year: number): string {
  return `parity-form-8949-${year}.csv`;
}
