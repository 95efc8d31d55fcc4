// The review step's estimates: the sale follows the server's rule (svc_trading.c sell_step) to the cent,
// the invest estimate buys toward the model's weights; the rounding of a sale is explained in words.
import { describe, expect, it } from "vitest";
import type { Portfolio, Position } from "../src/api/types";
import { estimateInvest, estimateSale, priceMicros, saleRoundingNote, sharesForCents, valueCents } from "../src/lib/moneyMoves";

function position(symbol: string, shares_micro: number, price: number): Position {
  const value_cents = valueCents(shares_micro, priceMicros(price));
  return { symbol, shares_micro, price, price_time: "2026-12-01T21:00:00Z", value_cents, cost_basis_cents: value_cents, unrealized_pnl_cents: 0, weight: 0, target_weight: null };
}

function portfolio(positions: Position[], cash_cents = 0): Portfolio {
  const positions_value_cents = positions.reduce((s, p) => s + p.value_cents, 0);
  const value_cents = positions_value_cents + cash_cents;
  return { value_cents, cash_cents, pending_cents: 0, positions_value_cents, net_contributions_cents: value_cents, pnl_cents: 0, bucket: "risk_3_horizon_long", model_as_of: null, drift: 0, positions, weights: {}, target_weights: {} };
}

describe("valueCents and sharesForCents (money.c)", () => {
  it("rounds half up to the cent and buys whole micro-shares rounded down", () => {
    // 2 shares at $10.005: 2,000,000 x 10,005,000 = 2.001e13 micro-products = 2001 cents exactly
    expect(valueCents(2_000_000, 10_005_000)).toBe(2001);
    // 1 micro-share at $5,000.00 is $0.005, half a cent: half up -> 1 cent; at $4,999.99, just under -> 0
    expect(valueCents(1, 5_000_000_000)).toBe(1);
    expect(valueCents(1, 4_999_990_000)).toBe(0);
    // 3,333,333 micro-shares at $3: 9,999,999e6 / 1e10 = 999.9999 cents -> 1000
    expect(valueCents(3_333_333, 3_000_000)).toBe(1000);
    // $10.00 at $3: 1000 x 1e10 / 3e6 = 3,333,333.33 -> 3,333,333 micro-shares
    expect(sharesForCents(1000, 3_000_000)).toBe(3_333_333);
    // beyond 2^53 in the product: 10^12 micro-shares x $1,000 = 10^21 micro-products = 10^11 cents
    expect(valueCents(1_000_000_000_000, 1_000_000_000)).toBe(100_000_000_000);
  });
});

describe("estimateSale", () => {
  // Three funds where selling $5.00 pro rata pays $4.99 (found by search, checked by hand):
  // positions worth 1,926,308 + 1,986,946 + 1,917,405 = 5,830,659 cents;
  // shares sold = floor(shares x 500 / 5,830,659) = 5498, 6411, 4656 micro-shares;
  // their values: 5498 x 300.433142 = 165.18 -> 165, 6411 x 265.740182 = 170.37 -> 170,
  // 4656 x 353.097093 = 164.40 -> 164 cents; 165 + 170 + 164 = 499.
  const p = portfolio([position("AAA", 64_117_699, 300.433142), position("BBB", 74_770_246, 265.740182), position("CCC", 54_302_500, 353.097093)]);

  it("sells every fund pro rata in whole micro-shares, as the server does", () => {
    expect(p.positions_value_cents).toBe(5_830_659);
    const e = estimateSale(p, 500);
    expect(e.trades.map((t) => [t.symbol, t.sharesMicro, t.cents])).toEqual([
      ["AAA", 5498, 165],
      ["BBB", 6411, 170],
      ["CCC", 4656, 164],
    ]);
    expect(e.totalCents).toBe(499);
    expect(e.fromCashCents).toBe(0);
  });

  it("takes the portfolio's cash first, and sells every share for 'all'", () => {
    const withCash = portfolio(p.positions, 250);
    const small = estimateSale(withCash, 200);
    expect(small).toEqual({ requestedCents: 200, fromCashCents: 200, trades: [], totalCents: 200 });
    const all = estimateSale(withCash, "all");
    expect(all.requestedCents).toBe(5_830_909);
    expect(all.trades.map((t) => t.sharesMicro)).toEqual([64_117_699, 74_770_246, 54_302_500]);
    expect(all.totalCents).toBe(5_830_909);
  });
});

describe("estimateInvest", () => {
  it("splits an empty portfolio's money by the target weights, skipping buys under $1", () => {
    const e = estimateInvest(portfolio([]), 100_000, { VTI: 0.6, BND: 0.3995, GLD: 0.0005 });
    // 60% and 39.95% of $1,000; GLD's 0.05% is 50 cents: under a dollar, skipped and left as cash
    expect(e.trades).toEqual([
      { symbol: "VTI", side: "buy", cents: 60_000, sharesMicro: null },
      { symbol: "BND", side: "buy", cents: 39_950, sharesMicro: null },
    ]);
    expect(e.leftCents).toBe(50);
  });

  it("buys what each held fund lacks, at its price, and never sells", () => {
    // VTI $600 held at $100 (6 shares), BND $0: targets 50/50 of the new value $1,000 -> BND lacks $500,
    // VTI lacks nothing (it is above its $500 target): only BND is bought, with the $400 of new money.
    const held = portfolio([position("VTI", 6_000_000, 100)]);
    const e = estimateInvest(held, 40_000, { VTI: 0.5, BND: 0.5 });
    expect(e.trades).toEqual([{ symbol: "BND", side: "buy", cents: 40_000, sharesMicro: null }]);
    // VTI held at $100, lacking $200 of a $1,000 target: 2 shares exactly
    const e2 = estimateInvest(portfolio([position("VTI", 8_000_000, 100)]), 20_000, { VTI: 1 });
    expect(e2.trades).toEqual([{ symbol: "VTI", side: "buy", cents: 20_000, sharesMicro: 2_000_000 }]);
  });
});

describe("saleRoundingNote", () => {
  it("explains a sale that paid less than asked, and says nothing when it paid exactly", () => {
    expect(saleRoundingNote(500, 500)).toBeNull();
    expect(saleRoundingNote(500, 499)).toBe(
      "You asked for $5.00 and received $4.99: we sell whole micro-shares (millionths of a share) of each fund, rounding down so a sale never sells more than you asked. The $0.01 difference stays invested.",
    );
    expect(saleRoundingNote(500, 501)).toBe("You asked for $5.00 and received $5.01: each fund's proceeds are rounded to the cent, which added $0.01.");
  });
});
