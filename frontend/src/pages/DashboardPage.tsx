// The dashboard: wallet and portfolio figures, the four money forms, history, positions against the
// model's targets, the model itself and the list of transactions. Everything shown comes from the API
// as integer cents and is formatted, never computed, except sums the API also gives (checked in e2e).
import { useEffect, useRef, useState } from "react";
import type { History, HistoryRange, InvestAnswer, Model, Movement, Portfolio, SellAnswer, TransactionsPage, Wallet } from "../api/types";
import { useAuth } from "../auth/auth";
import { HistoryChart } from "../components/HistoryChart";
import { MoneyForm } from "../components/MoneyForm";
import { SellForm } from "../components/SellForm";
import { Card, ErrorBox, Loading, Notice, Stat } from "../components/ui";
import { describeBucket, formatDateTime, formatDay, formatPercent, formatPrice, formatShares } from "../lib/format";
import { formatCents } from "../lib/money";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";

/** How often the portfolio is read again while invested cash is still being deployed. */
export const PENDING_POLL_MS = 1000;
export const TRANSACTIONS_PER_PAGE = 10;
const RANGES: HistoryRange[] = ["1M", "6M", "1Y", "MAX"];

function investMessage(a: InvestAnswer): string {
  const amount = formatCents(a.amount_cents);
  switch (a.status) {
    case "deploying":
      return `Investing ${amount}: buying the funds of your model now.`;
    case "waiting_for_model":
      return `${amount} moved to your portfolio; it is invested as soon as your model portfolio is ready.`;
    case "queued_behind_open_request":
      return `${amount} moved to your portfolio; it is invested right after your previous investment.`;
    default:
      return `${amount} moved to your portfolio.`;
  }
}

function tone(cents: number): "up" | "down" | undefined {
  return cents > 0 ? "up" : cents < 0 ? "down" : undefined;
}

function Summary({ portfolio, wallet }: { portfolio: Portfolio | undefined; wallet: Wallet | undefined }) {
  return (
    <Card title="Overview" className="span-all">
      <dl className="stats">
        <Stat label="Portfolio value" value={portfolio ? formatCents(portfolio.value_cents) : "…"} testId="portfolio-value" />
        <Stat
          label="Gain or loss"
          value={portfolio ? formatCents(portfolio.pnl_cents, { signed: true }) : "…"}
          tone={portfolio ? tone(portfolio.pnl_cents) : undefined}
          testId="portfolio-pnl"
        />
        <Stat label="Net contributions" value={portfolio ? formatCents(portfolio.net_contributions_cents) : "…"} testId="portfolio-contributions" />
        <Stat label="Wallet cash" value={wallet ? formatCents(wallet.cash_cents) : "…"} testId="wallet-cash" />
      </dl>
      {portfolio && portfolio.pending_cents > 0 && (
        <Notice>
          <span className="spinner" aria-hidden="true" /> Deploying <strong data-testid="pending">{formatCents(portfolio.pending_cents)}</strong> into
          your funds…
        </Notice>
      )}
    </Card>
  );
}

function Positions({ portfolio }: { portfolio: Portfolio }) {
  if (portfolio.positions.length === 0 && portfolio.cash_cents === 0)
    return <p className="muted">No investments yet. Deposit money, then invest it: we buy the funds of your model portfolio.</p>;
  const cashWeight = portfolio.weights.CASH ?? (portfolio.value_cents ? portfolio.cash_cents / portfolio.value_cents : 0);
  return (
    <>
      <div className="table-wrap">
        <table className="numbers" data-testid="positions">
          <thead>
            <tr>
              <th scope="col">Fund</th>
              <th scope="col" className="wide-only">Shares</th>
              <th scope="col" className="wide-only">Price</th>
              <th scope="col">Value</th>
              <th scope="col" className="wide-only">Gain</th>
              <th scope="col">Weight</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {portfolio.positions.map((p) => (
              <tr key={p.symbol} data-symbol={p.symbol}>
                <th scope="row">{p.symbol}</th>
                <td className="wide-only">{formatShares(p.shares_micro)}</td>
                <td className="wide-only">{formatPrice(p.price)}</td>
                <td data-testid="position-value">{formatCents(p.value_cents)}</td>
                <td className={`wide-only tone-${tone(p.unrealized_pnl_cents) ?? "flat"}`}>{formatCents(p.unrealized_pnl_cents, { signed: true })}</td>
                <td>{formatPercent(p.weight)}</td>
                <td>{p.target_weight === null ? "—" : formatPercent(p.target_weight)}</td>
              </tr>
            ))}
            <tr data-symbol="CASH">
              <th scope="row">Cash</th>
              <td className="wide-only" />
              <td className="wide-only" />
              <td data-testid="portfolio-cash">{formatCents(portfolio.cash_cents)}</td>
              <td className="wide-only" />
              <td>{formatPercent(cashWeight)}</td>
              <td>{formatPercent(0)}</td>
            </tr>
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="wide-only" />
              <td className="wide-only" />
              <td data-testid="positions-total">{formatCents(portfolio.value_cents)}</td>
              <td className={`wide-only tone-${tone(portfolio.pnl_cents) ?? "flat"}`}>{formatCents(portfolio.pnl_cents, { signed: true })}</td>
              <td>{formatPercent(1)}</td>
              <td>{formatPercent(1)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted">
        Drift from the model: <strong data-testid="drift">{formatPercent(portfolio.drift, 2)}</strong> (half the sum of the differences between
        weights and targets). We rebalance monthly.
      </p>
    </>
  );
}

function WeightBar({ weight }: { weight: number }) {
  // An SVG rectangle rather than a styled <div>: no inline style attribute for the CSP to refuse.
  return (
    <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect x="0" y="0" width={Math.max(0, Math.min(1, weight)) * 100} height="10" />
    </svg>
  );
}

function ModelCard({ bucket }: { bucket: string }) {
  const { client } = useAuth();
  const model = useApi(() => client.get<Model>(`/models/${encodeURIComponent(bucket)}`, { auth: false }), bucket);
  return (
    <Card title="Your model portfolio">
      <p className="muted">
        {describeBucket(bucket)}
        {model.data && <> · computed from prices up to {formatDay(model.data.as_of)}</>}
      </p>
      {model.loading && !model.data && <Loading />}
      <ErrorBox error={model.error} />
      {model.data && (
        <table className="weights" data-testid="model">
          <tbody>
            {Object.entries(model.data.weights)
              .sort((a, b) => b[1] - a[1])
              .map(([symbol, w]) => (
                <tr key={symbol}>
                  <th scope="row">{symbol}</th>
                  <td className="bar-cell">
                    <WeightBar weight={w} />
                  </td>
                  <td>{formatPercent(w)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function HistoryCard({ version }: { version: number }) {
  const { client } = useAuth();
  const [range, setRange] = useState<HistoryRange>("1M");
  const history = useApi(() => client.get<History>(`/portfolio/history?range=${range}`), `${range}:${version}`);
  return (
    <Card
      title="History"
      className="span-2"
      actions={
        <div className="segmented" role="group" aria-label="Period">
          {RANGES.map((r) => (
            <button key={r} type="button" aria-pressed={r === range} onClick={() => setRange(r)}>
              {r}
            </button>
          ))}
        </div>
      }
    >
      <ErrorBox error={history.error} />
      {history.data ? <HistoryChart history={history.data} /> : history.loading && <Loading />}
    </Card>
  );
}

const KIND_NAMES: Record<string, string> = {
  deposit: "Deposit",
  withdrawal: "Withdrawal",
  invest: "Invested",
  sell: "Sale proceeds",
  fee: "Fee",
};

function Transactions({ version }: { version: number }) {
  const { client } = useAuth();
  const [page, setPage] = useState(1);
  const list = useApi(
    () => client.get<TransactionsPage>(`/transactions?page=${page}&limit=${TRANSACTIONS_PER_PAGE}`),
    `${page}:${version}`,
  );
  const total = list.data?.paging.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / TRANSACTIONS_PER_PAGE));
  return (
    <Card title="Transactions" className="span-2">
      <ErrorBox error={list.error} />
      {list.data && list.data.transactions.length === 0 && <p className="muted">Nothing yet.</p>}
      {list.data && list.data.transactions.length > 0 && (
        <div className="table-wrap">
          <table className="numbers" data-testid="transactions">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col" className="text">What</th>
                <th scope="col" className="text wide-only">Detail</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {list.data.transactions.map((t) => (
                <tr key={`${t.type}-${t.id}`} data-kind={t.type === "cash" ? t.kind : `trade-${t.kind}`}>
                  <td>{formatDateTime(t.created_at)}</td>
                  <td className="text">{t.type === "cash" ? (KIND_NAMES[t.kind] ?? t.kind) : `${t.kind === "buy" ? "Bought" : "Sold"} ${t.symbol ?? ""}`}</td>
                  <td className="text muted wide-only">
                    {t.type === "trade" && t.shares_micro !== undefined && t.price_micros !== undefined
                      ? `${formatShares(t.shares_micro)} at ${formatPrice(t.price_micros / 1e6)}`
                      : ""}
                  </td>
                  <td>{formatCents(t.amount_cents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Transaction pages">
        <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
          Newer
        </button>
        <span aria-live="polite">
          Page {Math.min(page, pages)} of {pages}
        </span>
        <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
          Older
        </button>
      </nav>
    </Card>
  );
}

export function DashboardPage() {
  const { client, me } = useAuth();
  // Bumped after money moves and when a deployment finishes, so lists and charts are read again.
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  const wallet = useApi(() => client.get<Wallet>("/wallet"), `wallet:${version}`);
  const portfolio = useApi(() => client.get<Portfolio>("/portfolio"), `portfolio:${version}`);
  const pending = portfolio.data?.pending_cents ?? 0;
  const wasPending = useRef(false);

  // While invested cash is being deployed, read the portfolio again until nothing is pending.
  useEffect(() => {
    if (pending > 0) {
      wasPending.current = true;
      const t = setTimeout(portfolio.reload, PENDING_POLL_MS);
      return () => clearTimeout(t);
    }
    if (wasPending.current) {
      wasPending.current = false;
      setVersion((v) => v + 1);
    }
    return undefined;
  }, [portfolio.data, pending, portfolio.reload]);

  const bucket = portfolio.data?.bucket ?? me?.bucket ?? null;
  const walletCash = wallet.data?.cash_cents ?? 0;
  const value = portfolio.data?.value_cents ?? 0;

  return (
    <div className="page">
      <h1>Dashboard</h1>
      {!bucket && (
        <Notice tone="warn">
          Before investing, tell us about yourself: <Link to="/onboarding">answer four questions</Link>.
        </Notice>
      )}
      <ErrorBox error={wallet.error ?? portfolio.error} />
      <div className="grid">
        <Summary portfolio={portfolio.data} wallet={wallet.data} />
        <Card title="Move money" className="span-all">
          <div className="forms">
            <MoneyForm
              action="deposit"
              label="Deposit (dollars)"
              submitLabel="Deposit"
              hint="Paper money: nothing is charged."
              onSubmit={async (cents, key) => {
                const m = await client.post<Movement>("/wallet/deposits", { amount_cents: cents }, { idempotencyKey: key });
                bump();
                return `Deposited ${formatCents(m.amount_cents)}. Wallet: ${formatCents(m.cash_cents)}.`;
              }}
            />
            <MoneyForm
              action="withdraw"
              label="Withdraw (dollars)"
              submitLabel="Withdraw"
              hint={`Available: ${formatCents(walletCash)}.`}
              maxCents={walletCash}
              onSubmit={async (cents, key) => {
                const m = await client.post<Movement>("/wallet/withdrawals", { amount_cents: cents }, { idempotencyKey: key });
                bump();
                return `Withdrew ${formatCents(m.amount_cents)}. Wallet: ${formatCents(m.cash_cents)}.`;
              }}
            />
            <MoneyForm
              action="invest"
              label="Invest (dollars)"
              submitLabel="Invest"
              hint={bucket ? `From your wallet (${formatCents(walletCash)}) into your model portfolio.` : "Answer the onboarding questions first."}
              maxCents={walletCash}
              disabled={!bucket}
              onSubmit={async (cents, key) => {
                const a = await client.post<InvestAnswer>("/portfolio/invest", { amount_cents: cents }, { idempotencyKey: key });
                bump();
                return investMessage(a);
              }}
            />
            <SellForm
              valueCents={value}
              disabled={value === 0}
              onSell={async (body, key) => {
                const a = await client.post<SellAnswer>("/portfolio/sell", body, { idempotencyKey: key });
                bump();
                return a;
              }}
            />
          </div>
        </Card>
        <HistoryCard version={version} />
        {bucket && <ModelCard bucket={bucket} />}
        <Card title="Positions" className="span-all">
          {portfolio.data ? <Positions portfolio={portfolio.data} /> : portfolio.loading && <Loading />}
        </Card>
        <Card title="Forecast">
          <p>How could your portfolio grow? See the range of outcomes, month by month, from 10,000 simulated markets.</p>
          <p>
            <Link to="/forecast" className="button">
              Open the forecast
            </Link>
          </p>
        </Card>
        <Transactions version={version} />
      </div>
    </div>
  );
}
