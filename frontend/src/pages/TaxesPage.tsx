// Taxes: the year's realised gains by term, harvested losses, wash-sale losses disallowed and dividends,
// the open lots with their term and unrealised gain, and the year's Form 8949 rows as a CSV download.
// A server without the tax endpoints (404/405) gets a plain note instead of an error.
import { useId, useState } from "react";
import type { TaxHarvests, TaxLots, TaxRealized } from "../api/types";
import { useAuth } from "../auth/auth";
import { Card, ErrorBox, LoadError, Loading, Notice, Stat, TableRegion } from "../components/ui";
import { formatDay, formatShares } from "../lib/format";
import { saveFile } from "../lib/download";
import { formatCents } from "../lib/money";
import { Link } from "../lib/router";
import { isMissingEndpoint, lotTotals, reportFileName, TERM_NAMES, taxYears, totalGain } from "../lib/tax";
import { useApi } from "../lib/useApi";

function Gain({ cents }: { cents: number }) {
  return <span className={cents < 0 ? "amount-out" : cents > 0 ? "amount-in" : undefined}>{formatCents(cents, { signed: true })}</span>;
}

function Realized({ r }: { r: TaxRealized }) {
  return (
    <>
      <TableRegion label={`Realised gains ${r.year}`}>
        <table className="numbers" data-testid="tax-realized">
          <caption>Sales in {r.year}, by how long the shares were held</caption>
          <thead>
            <tr>
              <th scope="col" className="text">
                Term
              </th>
              <th scope="col">Proceeds</th>
              <th scope="col">Cost basis</th>
              <th scope="col">Gain or loss</th>
            </tr>
          </thead>
          <tbody>
            {(["short", "long"] as const).map((term) => (
              <tr key={term} data-term={term}>
                <th scope="row" className="text">
                  {TERM_NAMES[term]}
                </th>
                <td>{formatCents(r[term].proceeds_cents)}</td>
                <td>{formatCents(r[term].basis_cents)}</td>
                <td>
                  <Gain cents={r[term].gain_cents} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="text">
                Total
              </th>
              <td>{formatCents(r.short.proceeds_cents + r.long.proceeds_cents)}</td>
              <td>{formatCents(r.short.basis_cents + r.long.basis_cents)}</td>
              <td data-testid="tax-total-gain">
                <Gain cents={totalGain(r)} />
              </td>
            </tr>
          </tfoot>
        </table>
      </TableRegion>
      <p className="muted small">Short-term: held one year or less. Long-term: held more than one year; usually taxed at a lower rate.</p>
      <dl className="stats">
        <Stat label="Losses harvested" value={formatCents(r.harvested_losses_cents)} testId="tax-harvested" />
        <Stat label="Wash-sale losses disallowed" value={formatCents(r.wash_sale_disallowed_cents)} testId="tax-wash" />
        <Stat label="Dividends" value={formatCents(r.dividends_cents)} testId="tax-dividends" />
      </dl>
      {r.wash_sale_disallowed_cents > 0 && (
        <p className="muted small">
          A disallowed loss is not lost: it is added to the cost of the shares bought back within 30 days, and counts when those are sold.
        </p>
      )}
    </>
  );
}

function Lots({ data }: { data: TaxLots }) {
  const t = lotTotals(data.lots);
  if (data.lots.length === 0) return <p className="muted">You hold no shares yet.</p>;
  return (
    <>
      <TableRegion label="Open lots">
        <table className="numbers" data-testid="tax-lots">
          <caption>Each purchase you still hold, valued at the latest close</caption>
          <thead>
            <tr>
              <th scope="col" className="text">
                Fund
              </th>
              <th scope="col">Bought</th>
              <th scope="col">Shares</th>
              <th scope="col">Cost basis</th>
              <th scope="col">Value</th>
              <th scope="col">Unrealised</th>
              <th scope="col" className="text">
                Term
              </th>
            </tr>
          </thead>
          <tbody>
            {data.lots.map((l) => (
              <tr key={l.id} data-lot={l.id}>
                <th scope="row" className="text">
                  {l.symbol}
                </th>
                <td>{formatDay(l.acquired)}</td>
                <td>{formatShares(l.shares_micro)}</td>
                <td>{formatCents(l.basis_cents)}</td>
                <td>{formatCents(l.value_cents)}</td>
                <td>
                  <Gain cents={l.unrealized_cents} />
                </td>
                <td className="text">{TERM_NAMES[l.term]}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="text" colSpan={3}>
                Total
              </th>
              <td>{formatCents(t.basis)}</td>
              <td>{formatCents(t.value)}</td>
              <td data-testid="tax-unrealized">
                <Gain cents={t.unrealized} />
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      </TableRegion>
      <p className="muted small">
        Prices as of {formatDay(data.prices_as_of)}. Shares are sold by your lot method ({data.method === "tax_min" ? "lowest tax first" : data.method === "hifo" ? "highest cost first" : "oldest first"}
        ); change it in <Link to="/account">Account</Link>.
      </p>
    </>
  );
}

function Harvests({ data, year }: { data: TaxHarvests; year: number }) {
  const rows = data.harvests.filter((h) => h.day.startsWith(`${year}-`));
  if (rows.length === 0) return <p className="muted">No losses were harvested in {year}.</p>;
  return (
    <TableRegion label={`Harvested losses ${year}`}>
      <table className="numbers" data-testid="tax-harvests">
        <caption>Funds sold at a loss and replaced by a similar fund</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col" className="text">
              Sold
            </th>
            <th scope="col" className="text">
              Bought instead
            </th>
            <th scope="col">Shares</th>
            <th scope="col">Loss</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={`${h.day}-${h.symbol}-${h.replacement}`}>
              <td>{formatDay(h.day)}</td>
              <td className="text">{h.symbol}</td>
              <td className="text">{h.replacement}</td>
              <td>{formatShares(h.shares_micro)}</td>
              <td>{formatCents(h.loss_cents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

export function TaxesPage() {
  const { client, me } = useAuth();
  const years = taxYears(me?.created_at);
  const [year, setYear] = useState(years[0] ?? new Date().getFullYear());
  const selectId = useId();
  const realized = useApi(() => client.get<TaxRealized>(`/tax/realized?year=${year}`), `realized:${year}`);
  const lots = useApi(() => client.get<TaxLots>("/tax/lots"), "lots");
  const harvests = useApi(() => client.get<TaxHarvests>("/tax/harvests"), "harvests");
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(undefined);

  const missing = [realized.error, lots.error, harvests.error].some(isMissingEndpoint);
  if (missing)
    return (
      <div className="page">
        <h1>Taxes</h1>
        <Notice>Tax reports are not available on this server yet. Your money is not affected; ask again after the next update.</Notice>
      </div>
    );

  const getReport = async () => {
    setDownloading(true);
    setDownloadError(undefined);
    try {
      const csv = await client.get<string>(`/tax/report?year=${year}&format=csv`, { text: true });
      saveFile(new Blob([csv], { type: "text/csv;charset=utf-8" }), reportFileName(year));
    } catch (err) {
      setDownloadError(err);
    } finally {
      setDownloading(false);
    }
  };

  return (
    <div className="page">
      <h1>Taxes</h1>
      <div className="field inline-field">
        <label htmlFor={selectId}>Tax year</label>
        <select id={selectId} value={year} onChange={(e) => setYear(Number(e.target.value))} data-testid="tax-year">
          {years.map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </select>
      </div>
      <div className="grid">
        <Card
          title={`Realised in ${year}`}
          className="span-2"
          actions={
            <button type="button" className="secondary small-button" onClick={getReport} disabled={downloading} data-testid="tax-report-download">
              {downloading ? "Preparing…" : "Download CSV (Form 8949)"}
            </button>
          }
        >
          <ErrorBox error={downloadError} />
          <LoadError what="your realised gains" error={realized.error} onRetry={realized.reload} staleSince={realized.data ? realized.updatedAt : undefined} />
          {realized.data ? <Realized r={realized.data} /> : realized.loading && <Loading />}
        </Card>
        <Card title="Harvested losses">
          <LoadError what="your harvested losses" error={harvests.error} onRetry={harvests.reload} />
          {harvests.data ? <Harvests data={harvests.data} year={year} /> : harvests.loading && <Loading />}
        </Card>
        <Card title="Shares you hold (lots)" className="wide">
          <LoadError what="your lots" error={lots.error} onRetry={lots.reload} staleSince={lots.data ? lots.updatedAt : undefined} />
          {lots.data ? <Lots data={lots.data} /> : lots.loading && <Loading />}
        </Card>
      </div>
      <p className="muted small">Parity is not a tax adviser: these figures help you file, your tax return is yours to check.</p>
    </div>
  );
}
