/*
 * Portfolio history: value, net contributions and time-weighted return per day, rebuilt from the ledger
 * (trades and the invest/sell cash movements, which are the portfolio's external flows) and daily closes.
 *
 * Decisions (SPEC §8 is silent on them):
 * - Days are New York calendar days, the exchange's: a ledger row belongs to the day of its created_at
 *   in America/New_York, and a day's close is that session's close.
 * - "Now" is today in New York by the database clock, because trades carry the clock's timestamps. A
 *   day without a close of its own (weekend, holiday, or any day after the newest close, which with the
 *   bundled data set is 2026-05-01) is valued at the newest close before it; the answer's prices_as_of
 *   names that close so a client can show the staleness. The last point is valued at the newest price
 *   per symbol (intraday when newer than the close), exactly as GET /portfolio values the portfolio.
 * - Value of a day = portfolio cash at its end + Σ parity_value_cents(shares, close), the rounding the
 *   ledger uses; portfolio cash = Σ invest − Σ sell movements − Σ buy amounts + Σ sell amounts
 *   + Σ dividends credited (svc_dividends.h; income of the day of their movement, never a flow).
 * - Prices are `close`, not `adj_close`: the dividends come back as the cash they paid, so close plus
 *   dividends is the total return that adj_close would give, as the portfolio's value shows.
 * - Return: daily chain of sub-period returns with flows at the start of the day,
 *   r_d = V_d / (V_{d−1} + F_d) − 1 (r_d = 0 when nothing was at risk, V_{d−1} + F_d <= 0), and
 *   TWR_d = Π (1 + r) − 1 from the first point of the range, which is the base (TWR 0). The first day
 *   of a portfolio thus earns the move from its execution prices to that day's close.
 * - A range starts the day before its first day (the base point): 1D today − 1, 1W − 7 days, 1M/6M/1Y/5Y
 *   calendar months back (clamped to the month's end, as PostgreSQL's date − interval), YTD the last day
 *   of the previous year, MAX the day before the first ledger row. No range starts before that day.
 * - Long ranges are thinned to at most PARITY_HISTORY_MAX_POINTS points (every k-th day counted back
 *   from today, the base kept); the return is chained over every day before thinning.
 */
#ifndef PARITY_SVC_HISTORY_H
#define PARITY_SVC_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ids.h"
#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_HISTORY_MAX_POINTS 1000     /* points in one answer */
#define PARITY_HISTORY_MAX_DAYS (60 * 366) /* days rebuilt for one answer (MAX is clamped to this) */
#define PARITY_HISTORY_MAX_SYMBOLS 256     /* symbols a portfolio has ever traded */
#define PARITY_HISTORY_METHOD "time_weighted_daily_chain"
#define PARITY_HISTORY_FLOW_TIMING "start_of_day"

enum parity_history_range {
  PARITY_RANGE_1D,
  PARITY_RANGE_1W,
  PARITY_RANGE_1M,
  PARITY_RANGE_6M,
  PARITY_RANGE_1Y,
  PARITY_RANGE_YTD,
  PARITY_RANGE_5Y,
  PARITY_RANGE_MAX,
};

/* "1D", "1W", "1M", "6M", "1Y", "YTD", "5Y", "MAX" (exactly); PARITY_EINVAL otherwise. */
int parity_history_range_parse(const char *text, enum parity_history_range *out);
/* The base day of a range ending today (days since 1970-01-01); INT32_MIN for MAX. */
int32_t parity_history_range_start(enum parity_history_range range, int32_t today);

/* One ledger fact of a day: a trade of a symbol, or a flow (symbol -1). */
struct parity_history_event {
  int32_t day;
  int symbol;           /* index into the series, or -1 for a flow (invest +, sell −) */
  int64_t shares_micro; /* trades: + bought, − sold */
  int64_t cash_cents;   /* effect on portfolio cash: flows +invest/−sell; trades −buy amount/+sell amount */
};

/* One symbol's closes (increasing days) and, optionally, the price of the last point. */
struct parity_history_price {
  int32_t day;
  int64_t price_micros;
};
struct parity_history_series {
  const struct parity_history_price *prices;
  size_t n;
  int64_t final_price_micros; /* the newest price for the last point; 0 = use the closes */
};

struct parity_history_point {
  int32_t day;
  int64_t value_cents;
  int64_t net_contrib_cents; /* Σ flows up to and including the day */
  int64_t flow_cents;        /* the day's flows */
  double twr;                /* chained from the first point */
};

/*
 * Rebuilds one point per day from first_day to last_day inclusive (out has room for
 * last_day − first_day + 1). Events must be sorted by day; events before first_day make the opening
 * state, later ones are ignored. A held symbol without any close yet is valued at the price its own
 * trades imply. Then chains the TWR. PARITY_EINVAL for bad arguments or unsorted events.
 */
int parity_history_build(const struct parity_history_event *ev, size_t nev, const struct parity_history_series *series,
                         size_t nseries, int32_t first_day, int32_t last_day, struct parity_history_point *out);

/* One symbol held at the end of the last day of a build: shares, the price it was valued at, the value. */
struct parity_history_holding {
  int symbol; /* index into the series */
  int64_t shares_micro;
  int64_t price_micros;
  int64_t value_cents;
};

/*
 * parity_history_build(), and also the state at the end of last_day: the portfolio's cash into *cash_cents
 * and each symbol held (shares > 0) into holdings (room for nseries), their count into *nholdings.
 */
int parity_history_build_state(const struct parity_history_event *ev, size_t nev,
                               const struct parity_history_series *series, size_t nseries, int32_t first_day,
                               int32_t last_day, struct parity_history_point *out, int64_t *cash_cents,
                               struct parity_history_holding *holdings, size_t *nholdings);

/* The TWR chain of SPEC-less decision above over points[0..n) (value, flow given); fills twr. */
void parity_history_twr_chain(struct parity_history_point *points, size_t n);

/* Thins points to at most max (keeps the last, every k-th before it, and the first); returns the new n. */
/* The step k for n points and at most max (1: nothing is thinned), and whether index i is kept. */
size_t parity_history_thin_step(size_t n, size_t max);
bool parity_history_thin_keeps(size_t n, size_t k, size_t i);
size_t parity_history_thin(struct parity_history_point *points, size_t n, size_t max);

/* The rebuilt days of one investor and range, before thinning (GET /portfolio/history and /portfolio/risk). */
struct parity_history_rebuild {
  struct parity_history_point *points; /* [days], one per calendar day from the range's base to today */
  size_t days;                         /* 0 when the investor has no ledger row yet */
  int32_t today;                       /* New York's today */
  int32_t prices_as_of;                /* newest close read, INT32_MIN when none */
};

/* A symbol held at the end of a window's last day, by name (parity_history_rebuild_window()). */
struct parity_history_position {
  char symbol[PARITY_SYMBOL_MAX];
  int64_t shares_micro;
  int64_t price_micros;
  int64_t value_cents;
};

/* Rebuilds the range's days from the ledger and closes (the decisions above). Errors: the queries'. */
int parity_history_rebuild(struct parity_db *db, int64_t user_id, enum parity_history_range range,
                           struct parity_history_rebuild *out);

/*
 * The state at the end of every day of first_day..last_day (both <= today, New York days), for a window
 * that may end in the past (monthly statements): the points as parity_history_rebuild() makes them (the
 * base is first_day itself, never clamped to the first ledger row, so a day before it is worth 0), the last
 * day valued at its close, or at the newest price when last_day is today, as GET /portfolio values it; and
 * that last day's portfolio cash and positions. *positions is allocated (free()), NULL when none is held.
 * PARITY_EINVAL for a window after today or longer than PARITY_HISTORY_MAX_DAYS.
 */
struct parity_history_window {
  struct parity_history_rebuild days; /* points[0] is first_day; days.days = last_day − first_day + 1 */
  int64_t cash_cents;                 /* the portfolio's cash at the end of last_day */
  struct parity_history_position *positions;
  size_t npositions;
};
int parity_history_rebuild_window(struct parity_db *db, int64_t user_id, int32_t first_day, int32_t last_day,
                                  struct parity_history_window *out);
void parity_history_window_free(struct parity_history_window *w);
void parity_history_rebuild_free(struct parity_history_rebuild *r);

/* GET /portfolio/history's body for the caller. PARITY_EINVAL for a bad range (message in err). */
int parity_svc_history(struct parity_db *db, int64_t user_id, const char *range, json_t **out,
                       struct parity_svc_error *err);

#endif
