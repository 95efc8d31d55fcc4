// The funds Parity invests in (UNIVERSE_EQUITIES, UNIVERSE_BONDS and the SPY benchmark of SPEC §3): their
// names and asset classes, so pages say "Vanguard Total Bond Market" rather than a bare ticker. The API gives
// symbols only; a symbol outside this table is shown as itself, in "Other".

export type AssetClass = "US stocks" | "International stocks" | "Real estate" | "Bonds" | "Other";

/** Display order of the classes: shares first, then real estate, then bonds. */
export const ASSET_CLASSES: AssetClass[] = ["US stocks", "International stocks", "Real estate", "Bonds", "Other"];

export interface Fund {
  symbol: string;
  name: string;
  assetClass: AssetClass;
}

const FUNDS: Record<string, Omit<Fund, "symbol">> = {
  VTI: { name: "Vanguard Total Stock Market ETF", assetClass: "US stocks" },
  VOO: { name: "Vanguard S&P 500 ETF", assetClass: "US stocks" },
  QQQ: { name: "Invesco QQQ Trust (Nasdaq-100)", assetClass: "US stocks" },
  VTV: { name: "Vanguard Value ETF", assetClass: "US stocks" },
  VUG: { name: "Vanguard Growth ETF", assetClass: "US stocks" },
  IWM: { name: "iShares Russell 2000 ETF (small companies)", assetClass: "US stocks" },
  XLF: { name: "Financial Select Sector SPDR Fund", assetClass: "US stocks" },
  XLV: { name: "Health Care Select Sector SPDR Fund", assetClass: "US stocks" },
  XLE: { name: "Energy Select Sector SPDR Fund", assetClass: "US stocks" },
  XLK: { name: "Technology Select Sector SPDR Fund", assetClass: "US stocks" },
  VEA: { name: "Vanguard FTSE Developed Markets ETF", assetClass: "International stocks" },
  VWO: { name: "Vanguard FTSE Emerging Markets ETF", assetClass: "International stocks" },
  VNQ: { name: "Vanguard Real Estate ETF", assetClass: "Real estate" },
  VNQI: { name: "Vanguard Global ex-U.S. Real Estate ETF", assetClass: "Real estate" },
  BND: { name: "Vanguard Total Bond Market ETF", assetClass: "Bonds" },
  TLT: { name: "iShares 20+ Year Treasury Bond ETF", assetClass: "Bonds" },
  LQD: { name: "iShares iBoxx $ Investment Grade Corporate Bond ETF", assetClass: "Bonds" },
  HYG: { name: "iShares iBoxx $ High Yield Corporate Bond ETF", assetClass: "Bonds" },
  BNDX: { name: "Vanguard Total International Bond ETF", assetClass: "Bonds" },
  SPY: { name: "SPDR S&P 500 ETF Trust", assetClass: "US stocks" },
};

export function fund(symbol: string): Fund {
  const f = FUNDS[symbol];
  return f ? { symbol, ...f } : { symbol, name: symbol, assetClass: "Other" };
}

export interface ClassWeight {
  assetClass: AssetClass;
  weight: number;
  funds: (Fund & { weight: number })[];
}

/** Weights grouped by asset class, in ASSET_CLASSES order; funds within a class by weight, largest first. */
export function byAssetClass(weights: Record<string, number>): ClassWeight[] {
  const groups = new Map<AssetClass, ClassWeight>();
  for (const [symbol, weight] of Object.entries(weights)) {
    if (!(weight > 0)) continue;
    const f = fund(symbol);
    const g = groups.get(f.assetClass) ?? { assetClass: f.assetClass, weight: 0, funds: [] };
    g.weight += weight;
    g.funds.push({ ...f, weight });
    groups.set(f.assetClass, g);
  }
  for (const g of groups.values()) g.funds.sort((a, b) => b.weight - a.weight || a.symbol.localeCompare(b.symbol));
  return ASSET_CLASSES.flatMap((c) => (groups.has(c) ? [groups.get(c)!] : []));
}
