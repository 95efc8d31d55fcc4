// The account's tax settings: automatic tax-loss harvesting (off by default) and the lot method that picks
// which shares a sale sells. Each change is saved at once (PATCH /me/settings); a server without the
// endpoint (404/405) gets a plain note.
import { useId, useState } from "react";
import type { LotMethod, TaxSettings as Settings } from "../api/types";
import { useAuth } from "../auth/auth";
import { isMissingEndpoint, LOT_METHODS } from "../lib/tax";
import { useApi } from "../lib/useApi";
import { Card, ErrorBox, LoadError, Loading, Notice } from "./ui";

export function TaxSettings() {
  const { client } = useAuth();
  const settings = useApi(() => client.get<Settings>("/me/settings"), "settings");
  const [saved, setSaved] = useState<Settings | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const switchId = useId();
  const methodId = useId();
  const explainId = useId();
  const current = saved ?? settings.data;

  if (isMissingEndpoint(settings.error))
    return (
      <Card title="Taxes">
        <Notice>Tax settings are not available on this server yet.</Notice>
      </Card>
    );

  const save = async (change: Partial<Settings>) => {
    setSaving(true);
    setError(undefined);
    try {
      setSaved(await client.patch<Settings>("/me/settings", change));
    } catch (err) {
      setError(isMissingEndpoint(err) ? "Tax settings are not available on this server yet." : err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title="Taxes">
      <LoadError what="your tax settings" error={settings.error} onRetry={settings.reload} />
      {!current ? (
        settings.loading && <Loading />
      ) : (
        <>
          <div className="check">
            <input
              id={switchId}
              type="checkbox"
              role="switch"
              checked={current.tax_loss_harvesting}
              disabled={saving}
              aria-describedby={explainId}
              onChange={(e) => void save({ tax_loss_harvesting: e.target.checked })}
              data-testid="harvesting-switch"
            />
            <label htmlFor={switchId}>Harvest tax losses automatically</label>
          </div>
          <p className="muted small" id={explainId}>
            When a fund you hold has fallen well below what you paid (at least $100, or 5 % of its cost), we sell it and buy a similar fund at once, so your mix
            stays the same. The loss you realise can lower your taxes on gains and up to $3,000 of income a year. We never buy back the same fund within 30
            days, which would cancel the loss (the wash-sale rule). Best for taxable accounts; it does not change what you own in any way that matters.
          </p>
          <div className="field">
            <label htmlFor={methodId}>Which shares a sale sells first</label>
            <select
              id={methodId}
              value={current.lot_method}
              disabled={saving}
              onChange={(e) => void save({ lot_method: e.target.value as LotMethod })}
              data-testid="lot-method"
            >
              {LOT_METHODS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
            <p className="hint">{LOT_METHODS.find((m) => m.value === current.lot_method)?.hint}</p>
          </div>
          {saved && !saving && !error && (
            <p className="muted small" role="status">
              Saved.
            </p>
          )}
        </>
      )}
      <ErrorBox error={error} />
    </Card>
  );
}
