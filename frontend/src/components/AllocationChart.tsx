// A model's allocation by asset class: one stacked bar (SVG rectangles, so no style attribute for the CSP)
// and, under it, each class with its funds by name, ticker and weight.
import { useId } from "react";
import { byAssetClass, ASSET_CLASSES } from "../lib/funds";
import { formatPercent } from "../lib/format";
import { TableRegion } from "./ui";

function WeightBar({ weight }: { weight: number }) {
  return (
    <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect x="0" y="0" width={Math.max(0, Math.min(1, weight)) * 100} height="10" />
    </svg>
  );
}

export function AllocationChart({ weights }: { weights: Record<string, number> }) {
  const titleId = useId();
  const groups = byAssetClass(weights);
  let x = 0;
  const segments = groups.map((g) => {
    const s = { ...g, x, tone: `ac-${ASSET_CLASSES.indexOf(g.assetClass)}` };
    x += g.weight * 100;
    return s;
  });
  return (
    <div className="allocation" data-testid="allocation">
      <figure className="chart stacked">
        <svg viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-labelledby={titleId}>
          <title id={titleId}>Allocation by asset class: {groups.map((g) => `${g.assetClass} ${formatPercent(g.weight)}`).join(", ")}</title>
          {segments.map((s) => (
            <rect key={s.assetClass} className={s.tone} x={s.x} y={0} width={s.weight * 100} height={8} />
          ))}
        </svg>
        <figcaption className="legend">
          {segments.map((s) => (
            <span key={s.assetClass} className="legend-item">
              <span className={`swatch ${s.tone}`} aria-hidden="true" /> {s.assetClass} <strong>{formatPercent(s.weight)}</strong>
            </span>
          ))}
        </figcaption>
      </figure>
      <TableRegion label="Funds of the model">
        <table className="weights funds">
          <thead>
            <tr>
              <th scope="col">Fund</th>
              <th scope="col" className="wide-only">
                <span className="sr-only">Weight bar</span>
              </th>
              <th scope="col">Weight</th>
            </tr>
          </thead>
          {groups.map((g) => (
            <tbody key={g.assetClass} data-class={g.assetClass}>
              <tr className="class-row">
                <th scope="rowgroup">{g.assetClass}</th>
                <td className="wide-only" />
                <td>{formatPercent(g.weight)}</td>
              </tr>
              {g.funds.map((f) => (
                <tr key={f.symbol} data-symbol={f.symbol}>
                  <th scope="row">
                    {f.name} <span className="ticker">{f.symbol}</span>
                  </th>
                  <td className="bar-cell wide-only">
                    <WeightBar weight={f.weight} />
                  </td>
                  <td>{formatPercent(f.weight)}</td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </TableRegion>
    </div>
  );
}
