// The forecast: a monthly contribution, a number of years and an optional goal go to POST /forecasts; the
// result (long-polled with GET /forecasts/{id}?wait=30) is drawn as the cone of uncertainty.
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import type { ApiClient } from "../api/client";
import type { Forecast } from "../api/types";
import { useAuth } from "../auth/auth";
import { ConeChart } from "../components/ConeChart";
import { Card, ErrorBox, Field, Loading, Stat } from "../components/ui";
import { formatDay, formatPercent } from "../lib/format";
import { formatCents, formatWholeDollars, MAX_FORECAST_CENTS, parseDollars } from "../lib/money";
import { navigate, useLocation } from "../lib/router";
import { currentLocale } from "../lib/locale";

export const MAX_YEARS = 50; // the API's limit is 600 months
/** Long-polls of up to 30 s each before giving up on a forecast that stays pending. */
const MAX_POLLS = 6;
const WAIT_SECONDS = 30;

export interface ForecastInput {
  monthly_cents: number;
  months: number;
  goal_cents?: number;
  initial_cents?: number;
}

export type ForecastFormState = { monthly: string; years: string; goal: string; initial: string };
export type ForecastProblems = Partial<Record<keyof ForecastFormState, string>>;

/** The form's text to the API's request, or what is wrong with it. */
export function forecastRequest(f: ForecastFormState): { ok: true; body: ForecastInput } | { ok: false; problems: ForecastProblems } {
  const problems: ForecastProblems = {};
  const body: ForecastInput = { monthly_cents: 0, months: 0 };
  const monthly = parseDollars(f.monthly === "" ? "0" : f.monthly, { min: 0, max: MAX_FORECAST_CENTS });
  if (monthly.ok) body.monthly_cents = monthly.cents;
  else problems.monthly = monthly.error;
  const years = f.years.trim();
  if (!/^\d+$/.test(years) || Number(years) < 1 || Number(years) > MAX_YEARS) problems.years = `Enter a whole number of years from 1 to ${MAX_YEARS}.`;
  else body.months = Number(years) * 12;
  if (f.goal.trim() !== "") {
    const goal = parseDollars(f.goal, { max: MAX_FORECAST_CENTS });
    if (goal.ok) body.goal_cents = goal.cents;
    else problems.goal = goal.error;
  }
  if (f.initial.trim() !== "") {
    const initial = parseDollars(f.initial, { min: 0, max: MAX_FORECAST_CENTS });
    if (initial.ok) body.initial_cents = initial.cents;
    else problems.initial = initial.error;
  }
  return Object.keys(problems).length ? { ok: false, problems } : { ok: true, body };
}

/** Reads a forecast until it is no longer pending (or the polls run out). */
export async function awaitForecast(client: ApiClient, id: string, signal?: AbortSignal): Promise<Forecast> {
  let f = await client.get<Forecast>(`/forecasts/${encodeURIComponent(id)}?wait=${WAIT_SECONDS}`, { signal });
  for (let i = 1; f.status === "pending" && i < MAX_POLLS; i++)
    f = await client.get<Forecast>(`/forecasts/${encodeURIComponent(id)}?wait=${WAIT_SECONDS}`, { signal });
  return f;
}

function Result({ forecast }: { forecast: Forecast }) {
  const r = forecast.result;
  if (!r) return null;
  const last = r.months.length - 1;
  const req = forecast.request;
  return (
    <Card title="Your forecast" className="span-all" id="forecast-result">
      <dl className="stats" data-testid="forecast-stats">
        {req && <Stat label="Starting from" value={formatCents(req.initial_cents)} />}
        {req && <Stat label="Adding each month" value={formatCents(req.monthly_cents)} />}
        <Stat label={`Median after ${r.months[last]! % 12 === 0 ? `${r.months[last]! / 12} years` : `${r.months[last]} months`}`} value={formatWholeDollars(r.p50[last] ?? 0)} testId="forecast-median" />
        <Stat label="80% of outcomes" value={`${formatWholeDollars(r.p10[last] ?? 0)} – ${formatWholeDollars(r.p90[last] ?? 0)}`} />
        {r.goal_probability !== undefined && r.goal_probability !== null && (
          <Stat label={`Chance of reaching ${formatWholeDollars(r.goal_cents ?? 0)}`} value={formatPercent(r.goal_probability, 0)} testId="goal-probability" />
        )}
        <Stat label="Expected return (μ)" value={`${formatPercent(r.mu)} a year`} testId="forecast-mu" />
        <Stat label="Volatility (σ)" value={`${formatPercent(r.sigma)} a year`} testId="forecast-sigma" />
      </dl>
      <ConeChart result={r} />
      <p className="muted small">
        {(r.paths ?? 10000).toLocaleString(currentLocale())} simulated paths of geometric Brownian motion with μ and σ estimated from
        {r.returns_used ? ` ${r.returns_used} daily returns` : " daily returns"}
        {r.history_from && r.history_to ? ` (${formatDay(r.history_from)} to ${formatDay(r.history_to)})` : ""} of your
        {req?.weights_source === "model" ? " model portfolio" : " portfolio"}. Past markets do not promise future ones.
      </p>
    </Card>
  );
}

export function ForecastPage() {
  const { client } = useAuth();
  const { query } = useLocation();
  const id = query.get("id");
  const [form, setForm] = useState<ForecastFormState>({ monthly: "500", years: "10", goal: "", initial: "" });
  const [problems, setProblems] = useState<ForecastProblems>({});
  const [forecast, setForecast] = useState<Forecast | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);

  // A forecast named in the URL (after a reload, or a shared link) is read back.
  useEffect(() => {
    if (!id || forecast?.id === id) return;
    const ctl = new AbortController();
    abort.current?.abort();
    abort.current = ctl;
    setBusy(true);
    setError(undefined);
    awaitForecast(client, id, ctl.signal).then(
      (f) => {
        setForecast(f);
        setBusy(false);
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return;
        setError(err);
        setBusy(false);
      },
    );
    return () => ctl.abort();
  }, [client, id, forecast?.id]);

  const set = (k: keyof ForecastFormState) => (e: ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const req = forecastRequest(form);
    if (!req.ok) {
      setProblems(req.problems);
      return;
    }
    setProblems({});
    setError(undefined);
    setBusy(true);
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    try {
      const queued = await client.post<{ id: string }>("/forecasts", req.body, { signal: ctl.signal });
      const f = await awaitForecast(client, queued.id, ctl.signal);
      setForecast(f);
      navigate(`/forecast?id=${encodeURIComponent(f.id)}`, { replace: true });
    } catch (err) {
      if (!ctl.signal.aborted) setError(err);
    } finally {
      if (!ctl.signal.aborted) setBusy(false);
    }
  };

  return (
    <div className="page">
      <h1>Forecast</h1>
      <div className="grid">
        <Card title="What if…" className="span-all">
          <form className="forecast-form" onSubmit={submit} noValidate>
            <Field label="Monthly contribution (dollars)" name="monthly" inputMode="decimal" value={form.monthly} onChange={set("monthly")} error={problems.monthly} />
            <Field label="Years" name="years" inputMode="numeric" value={form.years} onChange={set("years")} error={problems.years} hint={`1 to ${MAX_YEARS}`} />
            <Field label="Goal (dollars, optional)" name="goal" inputMode="decimal" value={form.goal} onChange={set("goal")} error={problems.goal} />
            <Field
              label="Starting amount (dollars, optional)"
              name="initial"
              inputMode="decimal"
              value={form.initial}
              onChange={set("initial")}
              error={problems.initial}
              hint="Leave empty to start from your portfolio's value."
            />
            <button type="submit" disabled={busy}>
              {busy ? "Simulating…" : "Run the forecast"}
            </button>
          </form>
          {busy && <Loading what="Simulating 10,000 markets" />}
          <ErrorBox error={error} />
          {forecast?.status === "error" && <ErrorBox error={`The forecast could not be computed: ${forecast.error ?? "unknown reason"}.`} />}
          {forecast?.status === "pending" && <ErrorBox error="The forecast is taking longer than usual. Try again in a minute." />}
        </Card>
        {forecast?.status === "complete" && <Result forecast={forecast} />}
      </div>
    </div>
  );
}
