// The dashboard: the portfolio first (value, gain, wallet), one button for each money move (each a review
// and a receipt), positions against the model's targets, history, the model and the transactions. A figure
// that could not be loaded is never shown as a value: "…" while it loads, "—" and a retry when it failed.
import { useEffect, useRef, useState, type ReactNode } from "react";
import type { History, HistoryRange, InvestAnswer, Model, Movement, Portfolio, SellAnswer, Wallet } from "../api/types";
import { useAuth } from "../auth/auth";
import { GoalsCard } from "../components/GoalsCard";
import { HistoryChart } from "../components/HistoryChart";
import { CardDepositCard } from "../components/CardDepositCard";
import { MoneyFlow, type Amount } from "../components/MoneyFlow";
import { RiskCard } from "../components/RiskCard";
import { StaleNotice } from "../components/StaleNotice";
import { RecurringCard } from "../components/RecurringCard";
import { Transactions } from "../components/Transactions";
import { Card, LoadError, Loading, Notice, Stat, TableRegion } from "../components/ui";
import { describeBucket, formatDay, formatPercent, formatPrice, formatShares } from "../lib/format";
import { formatCents } from "../lib/money";
import { estimateInvest, estimateSale, saleRoundingNote } from "../lib/moneyMoves";
import { Link } from "../lib/router";
import { useApi, type Resource } from "../lib/useApi";
import { loadSalePreview } from "../components/SalePreview";

/** How often the portfolio is read again while invested cash is still being deployed. */
export const PENDING_POLL_MS = 1000;
const RANGES: HistoryRange[] = ["1M", "6M", "1Y", "MAX"];

export type MoneyAction = "deposit" | "withdraw" | "invest" | "sell";
const ACTIONS: { action: MoneyAction; label: string }[] = [
  { action: "deposit", label: "Deposit" },
  { action: "withdraw", label: "Withdraw" },
  { action: "invest", label: "Invest" },
  { action: "sell", label: "Sell" },
];
const PANEL_ID = "money-panel";

function tone(cents: number): "up" | "down" | undefined {
  return cents > 0 ? "up" : cents < 0 ? "down" : undefined;
}

/** A figure of a resource: its value, "…" while loading, "—" when the load failed (never a made-up zero). */
function figure<T>(r: Resource<T>, show: (d: T) => string): ReactNode {
  if (r.data !== undefined) return show(r.data);
  if (r.error !== undefined) return <span aria-label="not loaded">—</span>;
  return <span aria-label="loading">…</span>;
}

function Summary({
  portfolio,
  wallet,
  action,
  onAction,
}: {
  portfolio: Resource<Portfolio>;
  wallet: Resource<Wallet>;
  action: MoneyAction | null;
  onAction(a: MoneyAction | null): void;
}) {
  const p = portfolio.data;
  return (
    <Card title="Your portfolio" className="span-all">
      <dl className="stats">
        <Stat label="Portfolio value" value={figure(portfolio, (d) => formatCents(d.value_cents))} testId="portfolio-value" />
        <Stat label="Gain or loss" value={figure(portfolio, (d) => formatCents(d.pnl_cents, { signed: true }))} tone={p ? tone(p.pnl_cents) : undefined} testId="portfolio-pnl" />
        <Stat label="Net contributions" value={figure(portfolio, (d) => formatCents(d.net_contributions_cents))} testId="portfolio-contributions" />
        <Stat label="Wallet cash" value={figure(wallet, (d) => formatCents(d.cash_cents))} testId="wallet-cash" />
      </dl>
      <LoadError what="your portfolio" error={portfolio.error} onRetry={portfolio.reload} staleSince={p ? portfolio.updatedAt : undefined} />
      <LoadError what="your wallet" error={wallet.error} onRetry={wallet.reload} staleSince={wallet.data ? wallet.updatedAt : undefined} />
      {p && p.pending_cents > 0 && (
        <Notice>
          <span className="spinner" aria-hidden="true" /> Deploying <strong data-testid="pending">{formatCents(p.pending_cents)}</strong> into your funds…
        </Notice>
      )}
      <div className="actions" role="group" aria-label="Move money">
        {ACTIONS.map((a) => (
          <button
            key={a.action}
            type="button"
            className={action === a.action ? undefined : "secondary"}
            aria-expanded={action === a.action}
            aria-controls={PANEL_ID}
            onClick={() => onAction(action === a.action ? null : a.action)}
          >
            {a.label}
          </button>
        ))}
      </div>
    </Card>
  );
}

function Positions({ portfolio }: { portfolio: Portfolio }) {
  if (portfolio.positions.length === 0 && portfolio.cash_cents === 0)
    return <p className="muted">No investments yet. Deposit money, then invest it: we buy the funds of your model portfolio.</p>;
  const cashWeight = portfolio.weights.CASH ?? (portfolio.value_cents ? portfolio.cash_cents / portfolio.value_cents : 0);
  return (
    <>
      <TableRegion label="Positions table">
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
      </TableRegion>
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

function ModelCard({ bucket, model }: { bucket: string; model: Resource<Model> }) {
  return (
    <Card title="Your model portfolio">
      <p className="muted">
        {describeBucket(bucket)}
        {model.data && <> · computed from prices up to {formatDay(model.data.as_of)}</>}
      </p>
      {model.loading && !model.data && <Loading />}
      <LoadError what="your model portfolio" error={model.error} onRetry={model.reload} staleSince={model.data ? model.updatedAt : undefined} />
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
      <p>
        <Link to={`/models/${encodeURIComponent(bucket)}`} data-testid="model-link">
          Risk and backtest of this model
        </Link>
      </p>
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
      <LoadError what="your history" error={history.error} onRetry={history.reload} staleSince={history.data ? history.updatedAt : undefined} />
      {history.data ? <HistoryChart history={history.data} /> : history.loading && <Loading />}
    </Card>
  );
}



/** What the wallet will hold after a move, when the wallet is known. */
function walletAfter(wallet: Wallet | undefined, delta: number): string {
  return wallet ? formatCents(wallet.cash_cents + delta) : "—";
}

function availability(wallet: Resource<Wallet>, verb: string): string {
  if (wallet.data) return `Available: ${formatCents(wallet.data.cash_cents)}.`;
  if (wallet.error !== undefined) return `Your wallet's balance could not be loaded, so you cannot ${verb} now.`;
  return "Loading your wallet…";
}

interface InvestDone {
  answer: InvestAnswer;
  at: number;
}

interface SaleDone {
  answer: SellAnswer;
  requested: Amount;
}

function MoneyPanel({
  action,
  wallet,
  portfolio,
  targets,
  bucket,
  onMoved,
  onClose,
}: {
  action: MoneyAction;
  wallet: Resource<Wallet>;
  portfolio: Resource<Portfolio>;
  targets: Record<string, number> | undefined;
  bucket: string | null;
  onMoved(): void;
  onClose(): void;
}) {
  const { client } = useAuth();
  const w = wallet.data;
  const p = portfolio.data;
  const walletMax = w ? w.cash_cents : null;
  const cents = (a: Amount) => (a === "all" ? (p?.value_cents ?? 0) : a);

  if (action === "deposit")
    return (
      <MoneyFlow<Movement>
        action="deposit"
        verb="Deposit"
        label="Amount to deposit (dollars)"
        hint="Paper money: nothing is charged."
        review={(a) => ({
          amountCents: cents(a),
          lines: [
            { label: "To", value: "Your wallet" },
            { label: "Wallet after", value: walletAfter(w, cents(a)) },
          ],
          happens: "The money is in your wallet at once, as cash. Invest it when you are ready.",
        })}
        perform={async (a, key) => {
          const m = await client.post<Movement>("/wallet/deposits", { amount_cents: cents(a) }, { idempotencyKey: key });
          onMoved();
          return m;
        }}
        receipt={(m) => (
          <>
            <p data-testid="receipt-text">
              Deposited {formatCents(m.amount_cents)}. Your wallet holds {formatCents(m.cash_cents)}.
            </p>
            <p className="muted small">Reference: deposit #{m.id} · fees: none</p>
          </>
        )}
        onClose={onClose}
      />
    );

  if (action === "withdraw")
    return (
      <MoneyFlow<Movement>
        action="withdraw"
        verb="Withdraw"
        label="Amount to withdraw (dollars)"
        hint={availability(wallet, "withdraw")}
        maxCents={walletMax}
        review={(a) => ({
          amountCents: cents(a),
          lines: [
            { label: "From", value: "Your wallet" },
            { label: "Wallet after", value: walletAfter(w, -cents(a)) },
          ],
          happens: "The money leaves your wallet at once. This is paper trading: no bank transfer happens.",
        })}
        perform={async (a, key) => {
          const m = await client.post<Movement>("/wallet/withdrawals", { amount_cents: cents(a) }, { idempotencyKey: key });
          onMoved();
          return m;
        }}
        receipt={(m) => (
          <>
            <p data-testid="receipt-text">
              Withdrew {formatCents(m.amount_cents)}. Your wallet holds {formatCents(m.cash_cents)}.
            </p>
            <p className="muted small">Reference: withdrawal #{m.id} · fees: none</p>
          </>
        )}
        onClose={onClose}
      />
    );

  if (action === "invest")
    return (
      <MoneyFlow<InvestDone>
        action="invest"
        verb="Invest"
        label="Amount to invest (dollars)"
        hint={bucket ? availability(wallet, "invest") : undefined}
        maxCents={walletMax}
        blocked={bucket ? null : "Answer the onboarding questions first, so we know how to invest for you."}
        review={(a) => {
          const amount = cents(a);
          const est = p && targets ? estimateInvest(p, amount, targets) : null;
          return {
            amountCents: amount,
            lines: [
              { label: "From", value: "Your wallet" },
              { label: "Into", value: bucket ? `Your model portfolio (${describeBucket(bucket)})` : "Your portfolio" },
              { label: "Wallet after", value: walletAfter(w, -amount) },
            ],
            happens:
              "The money moves to your portfolio now, then we buy the funds of your model at the latest prices, usually within seconds.",
            trades: est?.trades,
            tradesNote: est ? (
              <>
                Estimated from the latest prices and your model's weights{p && p.cash_cents > 0 ? `, with the ${formatCents(p.cash_cents)} already in your portfolio as cash` : ""}. We buy whole
                micro-shares (millionths of a share), rounded down, and skip buys under $1: about {formatCents(est.leftCents)} stays as cash in your
                portfolio.
              </>
            ) : (
              "The trades cannot be estimated now (your portfolio or model is not loaded); they follow your model's weights."
            ),
          };
        }}
        perform={async (a, key) => {
          const answer = await client.post<InvestAnswer>("/portfolio/invest", { amount_cents: cents(a) }, { idempotencyKey: key });
          onMoved();
          return { answer, at: Date.now() };
        }}
        receipt={({ answer, at }) => {
          // Deployed once a portfolio read after the invest shows nothing pending.
          const deployed = answer.status !== "waiting_for_model" && p !== undefined && (portfolio.updatedAt ?? 0) > at && p.pending_cents === 0;
          return (
            <>
              <p data-testid="receipt-text">
                {deployed
                  ? `Invested ${formatCents(answer.amount_cents)}: it is in your funds now.`
                  : answer.status === "waiting_for_model"
                    ? `${formatCents(answer.amount_cents)} moved to your portfolio; it is invested as soon as your model portfolio is ready.`
                    : answer.status === "queued_behind_open_request"
                      ? `${formatCents(answer.amount_cents)} moved to your portfolio; it is invested right after your previous investment.`
                      : `${formatCents(answer.amount_cents)} moved to your portfolio; buying the funds of your model now…`}
              </p>
              {deployed && p.cash_cents > 0 && (
                <p className="muted small">
                  {formatCents(p.cash_cents)} stays as cash in your portfolio: we buy whole micro-shares, rounded down, and skip buys under $1.
                </p>
              )}
              <p className="muted small">
                Your wallet holds {formatCents(answer.cash_cents)}. Reference: invest #{answer.id} · fees: none. The trades are under Transactions.
              </p>
            </>
          );
        }}
        onClose={onClose}
      />
    );

  return (
    <MoneyFlow<SaleDone>
      action="sell"
      verb="Sell"
      label="Amount to sell (dollars)"
      hint={p ? `Your portfolio is worth ${formatCents(p.value_cents)}.` : portfolio.error !== undefined ? "Your portfolio could not be loaded, so you cannot sell now." : "Loading your portfolio…"}
      maxCents={p ? p.value_cents : null}
      blocked={p && p.value_cents === 0 ? "Your portfolio is empty: there is nothing to sell." : null}
      allowAll
      review={(a) => {
        const est = p ? estimateSale(p, a) : null;
        const note = est ? saleRoundingNote(est.requestedCents, est.totalCents) : null;
        return {
          amountCents: cents(a),
          lines: [
            { label: "From", value: a === "all" ? "Your whole portfolio" : "Your portfolio" },
            { label: "You receive (estimated)", value: est ? formatCents(est.totalCents) : "—", testId: "review-receive" },
            ...(est && est.fromCashCents > 0 ? [{ label: "From its cash", value: formatCents(est.fromCashCents) }] : []),
            { label: "Wallet after (estimated)", value: est ? walletAfter(w, est.totalCents) : "—" },
          ],
          happens:
            a === "all"
              ? "We sell every share of every fund at the latest prices; the proceeds go to your wallet at once."
              : "We take your portfolio's cash first, then sell the same share of every fund, so your mix stays the same. The proceeds go to your wallet at once.",
          trades: est?.trades,
          tradesNote: note ? `Estimated: ${note}` : "Estimated from the latest prices; the sale uses the prices of the moment.",
        };
      }}
      preview={(amountCents, signal) => loadSalePreview(client, amountCents, signal)}
      perform={async (a, key) => {
        const answer = await client.post<SellAnswer>("/portfolio/sell", a === "all" ? { all: true } : { amount_cents: a }, { idempotencyKey: key });
        onMoved();
        return { answer, requested: a };
      }}
      receipt={({ answer, requested }) => {
        const note = requested === "all" ? null : saleRoundingNote(requested, answer.amount_cents);
        return (
          <>
            <p data-testid="receipt-text">
              Sold {formatCents(answer.amount_cents)}; the proceeds are in your wallet, which holds {formatCents(answer.cash_cents)}.
            </p>
            {note && (
              <p className="rounding" data-testid="rounding-note">
                {note}
              </p>
            )}
            <p className="muted small">
              {answer.trades > 0 ? `${answer.trades} ${answer.trades === 1 ? "trade" : "trades"} for ${formatCents(answer.proceeds_cents)}` : "No trades"}
              {answer.from_cash_cents > 0 ? `, ${formatCents(answer.from_cash_cents)} from your portfolio's cash` : ""}. Reference: sale #{answer.id} · fees:
              none.
            </p>
          </>
        );
      }}
      onClose={onClose}
    />
  );
}

export function DashboardPage() {
  const { client, me } = useAuth();
  // Bumped after money moves and when a deployment finishes, so lists and charts are read again.
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  const [action, setAction] = useState<MoneyAction | null>(null);
  const wallet = useApi(() => client.get<Wallet>("/wallet"), `wallet:${version}`);
  const portfolio = useApi(() => client.get<Portfolio>("/portfolio"), `portfolio:${version}`);
  const bucket = portfolio.data?.bucket ?? me?.bucket ?? null;
  const model = useApi(() => (bucket ? client.get<Model>(`/models/${encodeURIComponent(bucket)}`, { auth: false }) : Promise.resolve(undefined)), `model:${bucket}`);
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

  const p = portfolio.data;
  const targets = p && Object.keys(p.target_weights).length ? p.target_weights : model.data?.weights;
  const titles: Record<MoneyAction, string> = { deposit: "Deposit", withdraw: "Withdraw", invest: "Invest", sell: "Sell" };

  return (
    <div className="page">
      <h1>Dashboard</h1>
      {!bucket && me && (
        <Notice tone="warn">
          Before investing, tell us about yourself: <Link to="/onboarding">answer four questions</Link>.
        </Notice>
      )}
      <StaleNotice asOf={portfolio.data?.prices_as_of} />
      <div className="grid">
        <Summary portfolio={portfolio} wallet={wallet} action={action} onAction={setAction} />
        <div id={PANEL_ID} className="span-all" hidden={action === null}>
          {action && (
            <Card title={titles[action]}>
              <MoneyPanel
                key={action}
                action={action}
                wallet={wallet}
                portfolio={portfolio}
                targets={targets}
                bucket={bucket}
                onMoved={bump}
                onClose={() => setAction(null)}
              />
            </Card>
          )}
        </div>
        <Card title="Positions" className="span-all">
          {p ? <Positions portfolio={p} /> : portfolio.error !== undefined ? <p className="muted">Your positions are not loaded: see the problem above.</p> : <Loading />}
        </Card>
        <HistoryCard version={version} />
        <RiskCard version={version} />
        {bucket && <ModelCard bucket={bucket} model={model as Resource<Model>} />}
        <RecurringCard version={version} />
        <CardDepositCard onCredited={bump} />
        <Transactions version={version} />
        <Card title="Forecast" className="span-all">
          <p>How could your portfolio grow? See the range of outcomes, month by month, from 10,000 simulated markets.</p>
          <p>
            <Link to="/forecast" className="button">
              Open the forecast
            </Link>
          </p>
        </Card>
        <GoalsCard version={version} />
      </div>
    </div>
  );
}
