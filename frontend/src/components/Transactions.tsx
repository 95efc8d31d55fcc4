// The transactions: one row per operation, expandable into its trades, amounts signed by their effect on the
// wallet, filters by type and date, and a CSV export. Every page of GET /transactions is read (100 rows a
// call, up to MAX_PAGES) because an operation's rows can straddle the API's pages and the filters and the
// export need them all; the list then pages through operations in the browser.
import { Fragment, useId, useMemo, useState } from "react";
import type { ApiClient } from "../api/client";
import type { Transaction, TransactionsPage } from "../api/types";
import { useAuth } from "../auth/auth";
import { formatDateTime, formatPrice, formatShares } from "../lib/format";
import { formatCents } from "../lib/money";
import { filterOperations, groupOperations, OPERATION_NAMES, operationsCsv, TYPE_FILTERS, type Operation, type OperationFilter } from "../lib/operations";
import { useApi } from "../lib/useApi";
import { Card, LoadError, Loading, TableRegion } from "./ui";
import { PdfButton } from "./PdfButton";
import { saveFile } from "../lib/download";
import { confirmationFileName } from "../lib/statements";
import { currentLocale } from "../lib/locale";

export const OPERATIONS_PER_PAGE = 10;
const ROWS_PER_CALL = 100;
/** At most this many calls (10,000 rows); past it the list says it shows the newest ones only. */
export const MAX_PAGES = 100;

export async function loadAllTransactions(client: ApiClient): Promise<{ rows: Transaction[]; complete: boolean }> {
  const rows: Transaction[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await client.get<TransactionsPage>(`/transactions?page=${page}&limit=${ROWS_PER_CALL}`);
    rows.push(...answer.transactions);
    if (answer.transactions.length < ROWS_PER_CALL || rows.length >= answer.paging.total) return { rows, complete: true };
  }
  return { rows, complete: false };
}

function describe(op: Operation): string {
  const n = op.trades.length;
  const funds = `${n} ${n === 1 ? "trade" : "trades"}`;
  switch (op.kind) {
    case "invest":
      return n ? `Into your portfolio; bought ${formatCents(op.boughtCents)} in ${funds}` : "Into your portfolio";
    case "deploy":
      return `Bought ${formatCents(op.boughtCents)} in ${funds} with cash waiting in your portfolio`;
    case "sell":
      return n ? `Sold ${formatCents(op.soldCents)} in ${funds}; proceeds to your wallet` : "From your portfolio's cash to your wallet";
    case "rebalance":
      return `Back to your model: sold ${formatCents(op.soldCents)}, bought ${formatCents(op.boughtCents)}`;
    case "harvest": {
      const sold = op.trades.filter((t) => t.kind === "sell").map((t) => t.symbol);
      const bought = op.trades.filter((t) => t.kind === "buy").map((t) => t.symbol);
      return `Sold ${sold.join(", ")} at a loss for ${formatCents(op.soldCents)}, bought ${bought.join(", ")}, a similar fund`;
    }
    case "deposit":
      return "Into your wallet";
    case "withdrawal":
      return "Out of your wallet";
    case "dividend": {
      const c = op.cash;
      const paidBy = c?.symbol ? `Paid by ${c.symbol}${c.shares_micro !== undefined ? ` on ${formatShares(c.shares_micro)} shares` : ""}` : "A fund's dividend";
      return `${paidBy}; into your portfolio's cash, invested at the next deployment`;
    }
    case "split": {
      const c = op.cash;
      if (!c?.symbol || c.shares_micro === undefined) return "Your shares changed, their value did not";
      return `+${formatShares(c.shares_micro)} shares of ${c.symbol}; the price moved the other way, the value did not change`;
    }
    default:
      return "";
  }
}

function downloadCsv(ops: Operation[]): void {
  saveFile(new Blob([operationsCsv(ops)], { type: "text/csv;charset=utf-8" }), `parity-transactions-${new Date().toISOString().slice(0, 10)}.csv`);
}

function Amount({ cents }: { cents: number | null }) {
  if (cents === null) return <span className="muted">no cash moved</span>;
  return <span className={cents < 0 ? "amount-out" : "amount-in"}>{formatCents(cents, { signed: true })}</span>;
}

function TradeRows({ op }: { op: Operation }) {
  return (
    <>
      {op.trades.map((t) => (
        <tr key={`trade-${t.id}`} className="trade-row" data-kind={`trade-${t.kind}`}>
          <td />
          <td className="text">
            {t.kind === "buy" ? "Bought" : "Sold"} {t.symbol}
            <span className="muted small block">
              {t.shares_micro !== undefined && t.price_micros !== undefined ? `${formatShares(t.shares_micro)} shares at ${formatPrice(t.price_micros / 1e6)}` : ""}
            </span>
            <PdfButton path={`/trades/${t.id}/confirmation?format=pdf`} fileName={confirmationFileName(t.id)} label="Confirmation (PDF)" testId={`confirmation-${t.id}`} className="link-button small" />
          </td>
          <td>{formatCents(t.amount_cents)}</td>
        </tr>
      ))}
    </>
  );
}

export function Transactions({ version }: { version: number }) {
  const { client } = useAuth();
  const list = useApi(() => loadAllTransactions(client), `transactions:${version}`);
  const [filter, setFilter] = useState<OperationFilter>({ type: "all", from: "", to: "" });
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const ids = useId();
  const ops = useMemo(() => (list.data ? groupOperations(list.data.rows) : []), [list.data]);
  const shown = useMemo(() => filterOperations(ops, filter), [ops, filter]);
  const pages = Math.max(1, Math.ceil(shown.length / OPERATIONS_PER_PAGE));
  const current = Math.min(page, pages);
  const slice = shown.slice((current - 1) * OPERATIONS_PER_PAGE, current * OPERATIONS_PER_PAGE);
  const filtered = filter.type !== "all" || filter.from !== "" || filter.to !== "";

  const set = (k: keyof OperationFilter) => (e: { target: { value: string } }) => {
    setFilter((f) => ({ ...f, [k]: e.target.value }));
    setPage(1);
  };
  const toggle = (key: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <Card title="Transactions" className="span-all" id="transactions">
      <div className="filters" role="group" aria-label="Filter the transactions">
        <div className="field">
          <label htmlFor={`${ids}-type`}>Type</label>
          <select id={`${ids}-type`} value={filter.type} onChange={set("type")}>
            {TYPE_FILTERS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-from`}>From</label>
          <input id={`${ids}-from`} type="date" value={filter.from} max={filter.to || undefined} onChange={set("from")} />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-to`}>To</label>
          <input id={`${ids}-to`} type="date" value={filter.to} min={filter.from || undefined} onChange={set("to")} />
        </div>
        <button type="button" className="secondary" disabled={!list.data || shown.length === 0} onClick={() => downloadCsv(shown)}>
          Export CSV
        </button>
      </div>
      <LoadError what="your transactions" error={list.error} onRetry={list.reload} staleSince={list.data ? list.updatedAt : undefined} />
      {!list.data && list.loading && <Loading what="Loading your transactions" />}
      {list.data && !list.data.complete && <p className="muted small">Showing your newest {list.data.rows.length.toLocaleString(currentLocale())} rows.</p>}
      {list.data && shown.length === 0 && <p className="muted">{filtered ? "Nothing matches these filters." : "Nothing yet."}</p>}
      {slice.length > 0 && (
        <>
          <p className="muted small">Amounts are what came into (+) or went out of (−) your wallet; open an operation to see its trades.</p>
          <TableRegion label="Transactions table">
            <table className="numbers operations" data-testid="transactions">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col" className="text">
                    What
                  </th>
                  <th scope="col">Amount</th>
                </tr>
              </thead>
              <tbody>
                {slice.map((op) => {
                  const expanded = open.has(op.key);
                  return (
                    <Fragment key={op.key}>
                      <tr data-kind={op.kind} data-operation={op.key}>
                        <td className="when">{formatDateTime(op.at)}</td>
                        <td className="text">
                          {op.trades.length > 0 ? (
                            <button type="button" className="link-button disclosure" aria-expanded={expanded} onClick={() => toggle(op.key)}>
                              {OPERATION_NAMES[op.kind]}
                            </button>
                          ) : (
                            <strong>{OPERATION_NAMES[op.kind]}</strong>
                          )}
                          <span className="muted small block">{describe(op)}</span>
                        </td>
                        <td data-testid="operation-amount">
                          <Amount cents={op.walletCents} />
                        </td>
                      </tr>
                      {expanded && <TradeRows op={op} />}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
        </>
      )}
      <nav className="pager" aria-label="Transaction pages">
        <button type="button" className="secondary" disabled={current <= 1} onClick={() => setPage(current - 1)}>
          Newer
        </button>
        <span aria-live="polite">
          Page {current} of {pages}
        </span>
        <button type="button" className="secondary" disabled={current >= pages} onClick={() => setPage(current + 1)}>
          Older
        </button>
      </nav>
    </Card>
  );
}
