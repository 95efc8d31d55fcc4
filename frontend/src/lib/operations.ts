// Transactions as the investor thinks of them: one operation per deposit, withdrawal, invest (with the buys
// of its deployment), sale (with its trades), deployment of waiting cash or monthly rebalance, grouped by the
// `operation` each row of GET /transactions names (a day's tax-loss harvest is one); amounts signed by their effect on the wallet; filters;
// and a CSV export of the rows.
import type { Transaction } from "../api/types";
import { formatShares } from "./format";

export type OperationKind = "deposit" | "withdrawal" | "invest" | "sell" | "fee" | "deploy" | "rebalance" | "harvest" | "trade" | "dividend" | "split";

export interface Operation {
  key: string;
  kind: OperationKind;
  /** When it happened: the cash movement's time, or the first trade's. */
  at: string;
  cash: Transaction | null;
  /** Its trades, oldest first. */
  trades: Transaction[];
  /**
   * The change of the wallet's cash (+ in, − out); null when the wallet did not move (a rebalance). A
   * dividend is paid into the portfolio's cash, not the wallet: its amount comes in (+) all the same.
   */
  walletCents: number | null;
  boughtCents: number;
  soldCents: number;
}

export const OPERATION_NAMES: Record<OperationKind, string> = {
  deposit: "Deposit",
  withdrawal: "Withdrawal",
  invest: "Invested",
  sell: "Sale",
  fee: "Fee",
  deploy: "Invested waiting cash",
  rebalance: "Rebalance",
  harvest: "Tax-loss harvest",
  trade: "Trade",
  dividend: "Dividend",
  split: "Share split",
};

/** The filter choices: a label and the kinds it covers. */
export const TYPE_FILTERS: { value: string; label: string; kinds: OperationKind[] }[] = [
  { value: "all", label: "All types", kinds: [] },
  { value: "deposit", label: "Deposits", kinds: ["deposit"] },
  { value: "withdrawal", label: "Withdrawals", kinds: ["withdrawal"] },
  { value: "invest", label: "Investments", kinds: ["invest", "deploy"] },
  { value: "sell", label: "Sales", kinds: ["sell"] },
  { value: "rebalance", label: "Rebalances", kinds: ["rebalance"] },
  { value: "harvest", label: "Tax-loss harvests", kinds: ["harvest"] },
  { value: "fee", label: "Fees", kinds: ["fee"] },
  { value: "dividend", label: "Dividends", kinds: ["dividend"] },
  { value: "split", label: "Share splits", kinds: ["split"] },
];

/** A cash movement's effect on the investor's cash: deposits, sale proceeds and dividends come in, the rest goes out. */
export function walletEffect(kind: string, cents: number): number {
  return kind === "deposit" || kind === "sell" || kind === "dividend" ? cents : -cents;
}

/** A trade's effect on the portfolio's cash: a sale brings cash in, a buy spends it. */
export function tradeEffect(t: Transaction): number {
  return t.kind === "sell" ? t.amount_cents : -t.amount_cents;
}

function keyOf(t: Transaction): string {
  // Servers before `operation` existed: every row is its own operation.
  return t.operation ?? `${t.type === "cash" ? "movement" : "trade"}:${t.id}`;
}

function kindOf(cash: Transaction | null, trades: Transaction[]): OperationKind {
  if (cash) return (["deposit", "withdrawal", "invest", "sell", "fee", "dividend", "split"] as const).find((k) => k === cash.kind) ?? "trade";
  if (trades.some((t) => t.reason === "rebalance")) return "rebalance";
  if (trades.some((t) => t.reason === "harvest")) return "harvest";
  if (trades.some((t) => t.reason === "invest")) return "deploy";
  return "trade";
}

/** Rows (newest first, as the API lists them) to operations, newest first. */
export function groupOperations(rows: Transaction[]): Operation[] {
  const groups = new Map<string, { cash: Transaction | null; trades: Transaction[] }>();
  for (const t of rows) {
    const k = keyOf(t);
    const g = groups.get(k) ?? { cash: null, trades: [] };
    if (t.type === "cash") g.cash = t;
    else g.trades.push(t);
    groups.set(k, g);
  }
  const out: Operation[] = [];
  for (const [key, g] of groups) {
    const trades = [...g.trades].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
    const kind = kindOf(g.cash, trades);
    out.push({
      key,
      kind,
      at: g.cash?.created_at ?? trades[0]?.created_at ?? "",
      cash: g.cash,
      trades,
      // a split moves shares, never cash: no amount rather than a $0 one
      walletCents: g.cash && g.cash.kind !== "split" ? walletEffect(g.cash.kind, g.cash.amount_cents) : null,
      boughtCents: trades.filter((t) => t.kind === "buy").reduce((s, t) => s + t.amount_cents, 0),
      soldCents: trades.filter((t) => t.kind === "sell").reduce((s, t) => s + t.amount_cents, 0),
    });
  }
  return out.sort((a, b) => b.at.localeCompare(a.at) || b.key.localeCompare(a.key));
}

/** "2026-12-03" of a timestamp, in the reader's time zone (what the list shows). */
export function localDay(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

export interface OperationFilter {
  type: string;
  /** Inclusive local days ("YYYY-MM-DD"), or "" for no bound. */
  from: string;
  to: string;
}

export function filterOperations(ops: Operation[], f: OperationFilter): Operation[] {
  const kinds = TYPE_FILTERS.find((t) => t.value === f.type)?.kinds ?? [];
  return ops.filter((op) => {
    if (kinds.length && !kinds.includes(op.kind)) return false;
    const day = localDay(op.at);
    if (f.from && day < f.from) return false;
    if (f.to && day > f.to) return false;
    return true;
  });
}

/** Signed cents as a plain decimal for spreadsheets: -123456 -> "-1234.56". */
function decimal(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

function csvField(v: string): string {
  // Quote what needs it, and defuse spreadsheet formulas (a cell starting with = + - @ is run by Excel).
  const safe = /^[=+\-@\t\r]/.test(v) && !/^-\d/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = ["date", "operation", "operation_type", "row", "kind", "symbol", "shares", "price", "amount", "effect_on"];

/**
 * The operations' rows as CSV (RFC 4180, CRLF): one line for each cash movement (amount signed by its
 * effect on the wallet) and one for each trade (signed by its effect on the portfolio's cash).
 */
export function operationsCsv(ops: Operation[]): string {
  const lines = [CSV_HEADER.join(",")];
  for (const op of ops) {
    if (op.cash && op.kind === "dividend") {
      // the fund that paid, the shares it paid on and the amount per share; into the portfolio's cash
      const c = op.cash;
      const perShare = c.per_share_micros !== undefined ? (c.per_share_micros / 1e6).toFixed(6).replace(/0{1,4}$/, "") : "";
      const shares = c.shares_micro !== undefined ? formatShares(c.shares_micro) : "";
      lines.push([c.created_at, op.key, op.kind, "cash", c.kind, c.symbol ?? "", shares, perShare, decimal(c.amount_cents), "portfolio cash"].map(csvField).join(","));
    } else if (op.cash && op.kind === "split") {
      // the fund that split and the shares it added; no cash moved
      const c = op.cash;
      const shares = c.shares_micro !== undefined ? formatShares(c.shares_micro) : "";
      lines.push([c.created_at, op.key, op.kind, "cash", c.kind, c.symbol ?? "", shares, "", "0.00", "shares"].map(csvField).join(","));
    } else if (op.cash)
      lines.push([op.cash.created_at, op.key, op.kind, "cash", op.cash.kind, "", "", "", decimal(op.walletCents ?? 0), "wallet"].map(csvField).join(","));
    for (const t of op.trades) {
      const price = t.price_micros !== undefined ? (t.price_micros / 1e6).toFixed(6).replace(/0{1,4}$/, "") : "";
      const shares = t.shares_micro !== undefined ? formatShares(t.shares_micro) : "";
      lines.push([t.created_at, op.key, op.kind, "trade", t.kind, t.symbol ?? "", shares, price, decimal(tradeEffect(t)), "portfolio cash"].map(csvField).join(","));
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}
