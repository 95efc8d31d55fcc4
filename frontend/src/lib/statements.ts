// Statements: the month's name, the file names of the documents, and the check that a statement's figures
// add up (opening + contributions − withdrawals + dividends − fees + market change = closing, in cents).
import type { Statement } from "../api/types";
import { currentLocale } from "./locale";

/** "2026-03" as "March 2026" in the browser's language (the month is a calendar month, no time zone). */
export function monthLabel(month: string, locale: string = currentLocale()): string {
  const [y, m] = month.split("-").map(Number);
  if (!y || !m) return month;
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, 1)));
}

export function statementFileName(month: string): string {
  return `parity-statement-${month}.pdf`;
}

export function confirmationFileName(tradeId: number): string {
  return `parity-trade-${tradeId}.pdf`;
}

/** The closing value the month's flows and market change lead to from the opening value. */
export function expectedClosing(s: Statement): number {
  return s.opening_value_cents + s.contributions_cents - s.withdrawals_cents + s.dividends_cents - s.fees_cents + s.market_change_cents;
}

/** True when the statement's summary adds up to its closing value, to the cent. */
export function addsUp(s: Statement): boolean {
  return expectedClosing(s) === s.closing_value_cents;
}
