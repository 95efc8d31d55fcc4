// Shapes of the API's answers (operational/openapi.yaml is the contract; fields the SPA does not use are
// left out). Money is integer cents, share quantities micro-shares.

export interface ApiErrorBody {
  error: { code: string; message: string; request_id?: string };
}

export type LoginAnswer =
  | { access_token: string; token_type: "Bearer"; expires_in: number }
  | { mfa_required: true; mfa_token: string; expires_in?: number };

export interface Me {
  id: number;
  email: string;
  email_verified: boolean;
  two_factor_enabled: boolean;
  risk_tolerance: number | null;
  horizon: "short" | "medium" | "long" | null;
  bucket: string | null;
  created_at: string;
  recovery_codes_left: number;
}

export interface Session {
  id: string;
  current: boolean;
  created_at: string;
  last_used_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface TwoFactorSetup {
  secret: string;
  otpauth_uri: string;
  algorithm: string;
  digits: number;
  period: number;
}

export interface QuestionOption {
  id: string;
  text: string;
}

export interface Question {
  id: string;
  text: string;
  options: QuestionOption[];
}

export interface Profile {
  risk_tolerance: number;
  horizon: "short" | "medium" | "long";
  bucket: string;
}

export interface Wallet {
  cash_cents: number;
}

export interface Movement {
  id: number;
  kind?: string;
  amount_cents: number;
  cash_cents: number;
}

export interface InvestAnswer extends Movement {
  portfolio_cash_cents: number;
  pending_cents: number;
  status: "deploying" | "waiting_for_model" | "queued_behind_open_request" | string;
}

export interface SellAnswer {
  id: number;
  amount_cents: number;
  from_cash_cents: number;
  proceeds_cents: number;
  trades: number;
  cash_cents: number;
}

export interface Position {
  symbol: string;
  shares_micro: number;
  price: number;
  price_time: string;
  value_cents: number;
  cost_basis_cents: number;
  unrealized_pnl_cents: number;
  weight: number;
  target_weight: number | null;
}

export interface Portfolio {
  value_cents: number;
  cash_cents: number;
  pending_cents: number;
  positions_value_cents: number;
  net_contributions_cents: number;
  pnl_cents: number;
  bucket: string | null;
  model_as_of: string | null;
  drift: number;
  positions: Position[];
  weights: Record<string, number>;
  target_weights: Record<string, number>;
  /** The newest close used to price the answer (YYYY-MM-DD); older servers leave it out. */
  prices_as_of?: string;
}

export interface Transaction {
  type: "cash" | "trade";
  id: number;
  kind: string;
  amount_cents: number;
  created_at: string;
  /** The operation the row belongs to: movement:<id>, batch:<id> (a later deploy), request:<uuid> (older deploys), run:<id>, harvest:<day> (a day's tax-loss harvest) or trade:<id>. */
  operation?: string;
  /** Trades: invest, sell, rebalance or harvest. */
  reason?: string;
  /** Trades, dividends (the fund that paid) and splits (the fund that split). */
  symbol?: string;
  /** Trades; dividends: the shares held at the end of the day before the ex-date; splits: the shares the split added. */
  shares_micro?: number;
  price_micros?: number;
  /** Dividends: the amount per share in millionths of a dollar. */
  per_share_micros?: number;
}

export interface TransactionsPage {
  transactions: Transaction[];
  paging: { page: number; limit: number; total: number };
}

export interface Model {
  bucket: string;
  risk_tolerance: number;
  horizon: string;
  as_of: string;
  computed_at: string;
  weights: Record<string, number>;
  prices_as_of?: string;
}

export type HistoryRange = "1D" | "1W" | "1M" | "6M" | "1Y" | "YTD" | "5Y" | "MAX";

export interface HistoryPoint {
  date: string;
  value_cents: number;
  net_contributions_cents: number;
  twr: number;
}

export interface History {
  range: string;
  today: string;
  from: string;
  to: string;
  prices_as_of?: string;
  days: number;
  value_cents: number;
  net_contributions_cents: number;
  twr: number;
  points: HistoryPoint[];
}

export interface ForecastResult {
  months: number[];
  p5: number[];
  p10: number[];
  p25: number[];
  p50: number[];
  p75: number[];
  p90: number[];
  p95: number[];
  mean?: number[];
  goal_cents?: number | null;
  goal_probability?: number | null;
  mu: number;
  sigma: number;
  paths?: number;
  returns_used?: number;
  history_from?: string;
  history_to?: string;
  initial_cents?: number;
  monthly_cents?: number;
}

export interface Forecast {
  id: string;
  status: "pending" | "complete" | "error";
  created_at: string;
  completed_at?: string | null;
  request?: { initial_cents: number; monthly_cents: number; months: number; goal_cents?: number | null; weights_source?: string };
  result: ForecastResult | null;
  error?: string | null;
}

export interface PriceBar {
  date: string;
  close: number;
  adj_close: number;
}

export interface Prices {
  symbol: string;
  from: string;
  to: string;
  bars: PriceBar[];
}

/** SPEC §8a's metrics; null where a metric is undefined (no drawdown, zero variance...). */
export interface RiskMetrics {
  total_return: number | null;
  cagr: number | null;
  volatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  max_drawdown: number | null;
  max_drawdown_days: number;
  recovered: boolean;
  calmar: number | null;
  var_95: number | null;
  cvar_95: number | null;
  var_99: number | null;
  cvar_99: number | null;
  pvar_95: number | null;
  pvar_99: number | null;
  /** Against the benchmark; absent from the benchmark's own metrics. */
  beta?: number | null;
  alpha?: number | null;
  tracking_error?: number | null;
  information_ratio?: number | null;
  correlation?: number | null;
}

export interface ModelRisk {
  bucket: string;
  as_of: string;
  prices_as_of?: string;
  computed_at: string;
  days: number;
  from: string;
  to: string;
  lookback: number;
  rf: number;
  benchmark_symbol: string;
  weights: Record<string, number>;
  metrics: RiskMetrics;
  benchmark: RiskMetrics;
}

export interface BacktestSeries {
  metrics: RiskMetrics;
  turnover: number | null;
  executions: number;
  /** [day, value], value 1 on the backtest's first day. */
  values: [string, number][];
}

export interface ModelBacktest {
  bucket: string;
  as_of: string;
  prices_as_of?: string;
  computed_at: string;
  from: string;
  to: string;
  decisions: number;
  cost_bps: number;
  benchmark_symbol: string;
  downsampling?: { method: string; step: number; points: number; total_points: number; max_points: number };
  series: Record<string, BacktestSeries>;
}

export interface PortfolioRisk {
  status: "ok" | "not_enough_history" | "unavailable";
  reason?: string;
  range: string;
  benchmark_symbol?: string;
  min_returns?: number;
  prices_as_of?: string;
  days?: number;
  from?: string;
  to?: string;
  metrics?: RiskMetrics;
  benchmark?: RiskMetrics;
}

// ---- recurring deposits and card deposits
export type RecurringFrequency = "weekly" | "biweekly" | "monthly";

export interface RecurringDeposit {
  id: number;
  amount_cents: number;
  frequency: RecurringFrequency;
  /** ISO weekday 1 (Monday) .. 7 for weekly/biweekly, day of the month 1..28 for monthly. */
  day: number;
  auto_invest: boolean;
  status: "active" | "paused";
  next_day: string;
  last_day: string | null;
  created_at: string;
}

export interface RecurringList {
  recurring_deposits: RecurringDeposit[];
}

/** GET /config: what the SPA needs before signing in. */
export interface ClientConfig {
  card_deposits: boolean;
  stripe_publishable_key: string | null;
}

export interface CardIntent {
  id: string;
  client_secret: string;
  amount_cents: number;
  status: string;
}

// ---------------------------------------------------------------- taxes (GET /tax/*, sell preview, settings)

export type TaxTerm = "short" | "long";
export type LotMethod = "fifo" | "hifo" | "tax_min";

export interface TaxLot {
  id: number;
  symbol: string;
  shares_micro: number;
  basis_cents: number;
  /** "YYYY-MM-DD": the holding period starts here. */
  acquired: string;
  value_cents: number;
  unrealized_cents: number;
  term: TaxTerm;
}

export interface TaxLots {
  method: LotMethod;
  prices_as_of: string;
  lots: TaxLot[];
}

export interface TermTotals {
  proceeds_cents: number;
  basis_cents: number;
  gain_cents: number;
}

export interface TaxRealized {
  year: number;
  short: TermTotals;
  long: TermTotals;
  wash_sale_disallowed_cents: number;
  dividends_cents: number;
  harvested_losses_cents: number;
}

export interface TaxHarvest {
  id: number;
  day: string;
  symbol: string;
  replacement: string;
  shares_micro: number;
  replacement_shares_micro: number;
  proceeds_cents: number;
  cost_cents: number;
  loss_cents: number;
  sell_trade_id: number;
  buy_trade_id: number;
}

export interface TaxHarvests {
  harvests: TaxHarvest[];
  loss_cents: number;
}

export interface SalePreviewLot {
  symbol: string;
  shares_micro: number;
  acquired: string;
  basis_cents: number;
  proceeds_cents: number;
  gain_cents: number;
  term: TaxTerm;
}

export interface SalePreview {
  amount_cents: number;
  short: { gain_cents: number };
  long: { gain_cents: number };
  lots: SalePreviewLot[];
}

export interface TaxSettings {
  tax_loss_harvesting: boolean;
  lot_method: LotMethod;
}

/** GET /api/v1/goals: a savings goal and its probability of success (operational/goal_plan.h defines it). */
export interface Goal {
  id: number;
  name: string;
  target_cents: number;
  target_date: string;
  monthly_cents: number;
  months: number;
  status: "on_track" | "off_track" | "pending" | "unavailable" | "due";
  probability: number | null;
  basis_cents: number | null;
  forecast_id: string | null;
  computed_at: string | null;
  reason?: string;
}

export interface GoalInput {
  name: string;
  target_cents: number;
  target_date: string;
  monthly_cents: number;
}

/** GET /api/v1/notifications */
export interface NotificationItem {
  id: number;
  kind: string;
  title: string;
  body: string;
  created_at: string;
  read: boolean;
}

export interface NotificationList {
  unread: number;
  notifications: NotificationItem[];
}

/** GET/PUT /api/v1/notifications/settings */
export interface NotificationSettings {
  email: Record<string, boolean>;
  kinds: { kind: string; label: string; email_default: boolean }[];
}

/** GET /statements: the months with a statement, newest first. */
export interface StatementMonth {
  month: string;
  /** false for the current month (to date) */
  complete: boolean;
  /** a cash movement or a trade in the month */
  activity: boolean;
}
export interface StatementMonths {
  day_basis: string;
  months: StatementMonth[];
}

export interface StatementTrade {
  id: number;
  date: string;
  executed_at: string;
  symbol: string;
  side: "buy" | "sell";
  reason: string;
  shares_micro: number;
  price_micros: number;
  amount_cents: number;
}

/** GET /statements/{YYYY-MM}: one month of the whole account (wallet cash included), New York days. */
export interface Statement {
  month: string;
  from: string;
  to: string;
  complete: boolean;
  day_basis: string;
  includes_wallet_cash: boolean;
  opening_value_cents: number;
  closing_value_cents: number;
  contributions_cents: number;
  withdrawals_cents: number;
  dividends_cents: number;
  fees_cents: number;
  market_change_cents: number;
  invested_cents: number;
  sold_cents: number;
  bought_cents: number;
  sold_trades_cents: number;
  opening: { wallet_cash_cents: number; portfolio_value_cents: number };
  closing: { wallet_cash_cents: number; portfolio_cash_cents: number; positions_value_cents: number; portfolio_value_cents: number };
  performance: { twr: number | null; basis: string; method: string; flow_timing: string };
  holdings: { symbol: string; shares_micro: number; price_micros: number; value_cents: number }[];
  trades: StatementTrade[];
  trades_truncated: boolean;
  prices_as_of?: string;
  investor: { email: string };
}
