/*
 * The NYSE trading calendar: which days the market is open, and which of them close early (13:00 New York).
 *
 * Holidays are rules (fixed dates with their weekend observance, n-th weekdays, Easter) in a table with the
 * years each rule applies, plus a table of one-off closures (national mourning, weather, 9/11). The rules
 * hold from PARITY_NYSE_FIRST_YEAR; earlier days are answered by the same rules, which the exchange then
 * did not all follow (use the calendar for data from 2000 on).
 */
#ifndef PARITY_TRADING_CALENDAR_H
#define PARITY_TRADING_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#define PARITY_NYSE_FIRST_YEAR 2000

/* The holiday's name ("Good Friday", "Hurricane Sandy") when the exchange is closed all day on a weekday, else NULL. */
const char *parity_nyse_holiday(int32_t day);

/* Monday to Friday and no holiday. */
bool parity_nyse_is_trading_day(int32_t day);

/* A trading day on which the exchange closes at 13:00 New York time (the eves of Independence Day and
 * Christmas, the day after Thanksgiving); the name of the rule or NULL. */
const char *parity_nyse_early_close(int32_t day);

/* The first trading day strictly after / before `day`. */
int32_t parity_nyse_next_trading_day(int32_t day);
int32_t parity_nyse_prev_trading_day(int32_t day);

/* Trading days d with from <= d <= to (0 when to < from). */
int32_t parity_nyse_trading_days(int32_t from, int32_t to);

/* Easter Sunday of year y (Gregorian, the anonymous "Meeus/Jones/Butcher" algorithm), as a day number. */
int32_t parity_easter(int y);

#endif
