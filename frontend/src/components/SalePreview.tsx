// What a sale would realise, by term, with the lots it would close (POST /portfolio/sell/preview), for the
// sale's review step. A server without the endpoint (404/405) shows nothing.
import type { ApiClient } from "../api/client";
import type { SalePreview as Preview } from "../api/types";
import { formatDay, formatShares } from "../lib/format";
import { formatCents } from "../lib/money";
import { isMissingEndpoint, salePreviewSentence, TERM_NAMES } from "../lib/tax";
import { TableRegion } from "./ui";

export function SalePreviewView({ preview }: { preview: Preview }) {
  return (
    <section aria-label="Taxes of this sale" data-testid="sale-preview">
      <p data-testid="sale-preview-sentence">{salePreviewSentence(preview, formatCents)}</p>
      {preview.lots.length > 0 && (
        <TableRegion label="Shares this sale would sell">
          <table className="numbers" data-testid="sale-preview-lots">
            <caption>Shares this sale would sell (estimated)</caption>
            <thead>
              <tr>
                <th scope="col" className="text">
                  Fund
                </th>
                <th scope="col">Bought</th>
                <th scope="col">Shares</th>
                <th scope="col">Cost basis</th>
                <th scope="col">Proceeds</th>
                <th scope="col">Gain or loss</th>
                <th scope="col" className="text">
                  Term
                </th>
              </tr>
            </thead>
            <tbody>
              {preview.lots.map((l, i) => (
                <tr key={`${l.symbol}-${l.acquired}-${i}`}>
                  <th scope="row" className="text">
                    {l.symbol}
                  </th>
                  <td>{formatDay(l.acquired)}</td>
                  <td>{formatShares(l.shares_micro)}</td>
                  <td>{formatCents(l.basis_cents)}</td>
                  <td>{formatCents(l.proceeds_cents)}</td>
                  <td className={l.gain_cents < 0 ? "amount-out" : l.gain_cents > 0 ? "amount-in" : undefined}>{formatCents(l.gain_cents, { signed: true })}</td>
                  <td className="text">{TERM_NAMES[l.term]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}

/** The preview for MoneyFlow's review step: the view, or null when the server has no preview. */
export async function loadSalePreview(client: ApiClient, amountCents: number, signal: AbortSignal) {
  if (amountCents <= 0) return null; // nothing to sell: nothing to estimate
  try {
    const preview = await client.post<Preview>("/portfolio/sell/preview", { amount_cents: amountCents }, { signal });
    return <SalePreviewView preview={preview} />;
  } catch (err) {
    if (isMissingEndpoint(err)) return null;
    throw err;
  }
}
