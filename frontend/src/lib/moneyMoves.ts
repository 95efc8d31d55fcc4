// What a money move will do, estimated in the browser from what the SPA already has (the portfolio's
// positions and prices, the model's target weights), for the review step before the investor confirms.
// The sale estimate follows the server's rule exactly (operational/svc_trading.c, sell_step); the invest
// estimate is the simple version of the deploy (buy toward the targets with the cash, never sell).
import type { Portfolio } from "../api/types";
import { formatCents } from "./money";

export interface EstimatedTrade {
  symbol: string;
  side: "buy" | "sell";
  /** Dollars of the trade, in cents. */
  cents: number;
  /** Micro-shares, when the price is known (a fund already held); null otherwise. */
  sharesMicro: number | null;
}

const MICRO_PRODUCT_PER_CENT = 10_000_000_000n; // micro-shares x micro-dollars per cent
/** The deploy skips buys under a dollar: the cash stays in the portfolio (svc_trading.c). */
export const MIN_TRADE_CENTS = 100;

/** A price in dollars to micro-dollars, as the server rounds it (llround). */
export function priceMicros(price: number): number {
  return Math.round(price * 1e6);
}

/** Micro-shares at a micro-dollar price, in cents rounded half up (money.c parity_value_cents). */
export function valueCents(sharesMicro: number, micros: number): number {
  const product = BigInt(sharesMicro) * BigInt(micros);
  return Number((product + MICRO_PRODUCT_PER_CENT / 2n) / MICRO_PRODUCT_PER_CENT);
}

/** The whole micro-shares a budget buys at a price (rounded down: never more than the budget). */
export function sharesForCents(cents: number, micros: number): number {
  if (micros <= 0) return 0;
  return Number((BigInt(cents) * MICRO_PRODUCT_PER_CENT) / BigInt(micros));
}

export interface SaleEstimate {
  requestedCents: number;
  fromCashCents: number;
  trades: EstimatedTrade[];
  /** What the wallet receives: the cash taken plus the trades' proceeds. */
  totalCents: number;
}

/**
 * The server's sale: cash first, then every position pro rata, in whole micro-shares rounded down;
 * selling at least the positions' value sells every share. `amount` "all" is the portfolio's value.
 */
export function estimateSale(p: Portfolio, amount: number | "all"): SaleEstimate {
  const requested = amount === "all" ? p.value_cents : amount;
  const fromCash = Math.min(requested, p.cash_cents);
  const rest = requested - fromCash;
  const everything = rest >= p.positions_value_cents;
  const trades: EstimatedTrade[] = [];
  for (const pos of p.positions) {
    if (rest <= 0) break;
    const shares = everything ? pos.shares_micro : Number((BigInt(pos.shares_micro) * BigInt(rest)) / BigInt(Math.max(1, p.positions_value_cents)));
    if (shares <= 0) continue;
    const cents = valueCents(shares, priceMicros(pos.price));
    if (cents <= 0) continue;
    trades.push({ symbol: pos.symbol, side: "sell", cents, sharesMicro: shares });
  }
  return { requestedCents: requested, fromCashCents: fromCash, trades, totalCents: fromCash + trades.reduce((s, t) => s + t.cents, 0) };
}

export interface InvestEstimate {
  /** The cash the deploy spends from: this amount plus what already waits in the portfolio. */
  budgetCents: number;
  trades: EstimatedTrade[];
  /** What stays as cash in the portfolio (skipped small buys, micro-share rounding). */
  leftCents: number;
}

/**
 * Buys toward the model: each fund's shortfall from its target weight of the new value, scaled down to the
 * cash available when the shortfalls add up to more; buys under a dollar are skipped.
 */
export function estimateInvest(p: Portfolio, amount: number, targets: Record<string, number>): InvestEstimate {
  const budget = amount + p.cash_cents;
  const newValue = p.value_cents + amount;
  const held = new Map(p.positions.map((x) => [x.symbol, x]));
  const shortfalls = Object.entries(targets)
    .filter(([symbol, w]) => symbol !== "CASH" && w > 0)
    .map(([symbol, w]) => ({ symbol, need: Math.max(0, w * newValue - (held.get(symbol)?.value_cents ?? 0)) }))
    .filter((s) => s.need > 0)
    .sort((a, b) => b.need - a.need || a.symbol.localeCompare(b.symbol));
  const totalNeed = shortfalls.reduce((s, x) => s + x.need, 0);
  const scale = totalNeed > budget ? budget / totalNeed : 1;
  const trades: EstimatedTrade[] = [];
  for (const s of shortfalls) {
    const budgetCents = Math.floor(s.need * scale);
    if (budgetCents < MIN_TRADE_CENTS) continue;
    const pos = held.get(s.symbol);
    if (pos && pos.price > 0) {
      const micros = priceMicros(pos.price);
      const shares = sharesForCents(budgetCents, micros);
      trades.push({ symbol: s.symbol, side: "buy", cents: valueCents(shares, micros), sharesMicro: shares });
    } else {
      trades.push({ symbol: s.symbol, side: "buy", cents: budgetCents, sharesMicro: null });
    }
  }
  const spent = trades.reduce((s, t) => s + t.cents, 0);
  return { budgetCents: budget, trades, leftCents: Math.max(0, budget - spent) };
}

/**
 * Why a sale paid a little less (or more) than asked: whole micro-shares, rounded down, at each fund's
 * price; null when it paid exactly the amount.
 */
export function saleRoundingNote(requestedCents: number, paidCents: number): string | null {
  if (requestedCents === paidCents) return null;
  const diff = formatCents(Math.abs(requestedCents - paidCents));
  if (paidCents < requestedCents)
    return (
      `You asked for ${formatCents(requestedCents)} and received ${formatCents(paidCents)}: we sell whole micro-shares ` +
      `(millionths of a share) of each fund, rounding down so a sale never sells more than you asked. ` +
      `The ${diff} difference stays invested.`
    );
  return (
    `You asked for ${formatCents(requestedCents)} and received ${formatCents(paidCents)}: each fund's proceeds are ` +
    `rounded to the cent, which added ${diff}.`
  );
}
