"""Goals: CRUD on /api/v1/goals, and each goal's probability of success from a forecast of the portfolio
(operational/goal_plan.h): the forecast asked has the goal's target, monthly contribution and horizon in
whole months, starts from the portfolio's value, and is asked again when the goal changes or the portfolio
moves. The probability is checked against the forecast it came from and against the lognormal closed form."""
import calendar
import datetime
import math
import zoneinfo

import pytest

import conftest
from conftest import PUBLIC, HTTP_TIMEOUT, scalar, wait_for
from test_forecast import Investor


def today_ny():
    return datetime.datetime.now(zoneinfo.ZoneInfo("America/New_York")).date()


def add_months(day, n):
    """PostgreSQL's date + interval 'n months': clamped to the end of a shorter month."""
    y, m = divmod(day.month - 1 + n, 12)
    y += day.year
    return datetime.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def whole_months(today, target):
    n = 0
    while add_months(today, n + 1) <= target:
        n += 1
    return n


class GoalInvestor(Investor):
    def patch(self, path, body):
        return self.session.patch(f"{PUBLIC}/api/v1{path}", json=body, timeout=HTTP_TIMEOUT)

    def delete(self, path):
        return self.session.delete(f"{PUBLIC}/api/v1{path}", timeout=HTTP_TIMEOUT)

    def settled(self, goal_id, forecast_id=None):
        """The goal once its forecast (another than `forecast_id` when given) is computed."""
        def ready():
            g = self.get(f"/goals/{goal_id}").json()
            done = g["status"] in ("on_track", "off_track", "unavailable")
            return g if done and g["forecast_id"] and g["forecast_id"] != forecast_id else None
        return wait_for(ready, what=f"goal {goal_id}'s probability")


@pytest.fixture(scope="module")
def investor(priced_stack):
    inv = GoalInvestor()
    inv.onboard(3, "long")
    inv.portfolio = inv.invest(2_500_000)
    return inv


def test_a_goal_gets_the_probability_of_its_own_forecast(investor):
    target = add_months(today_ny(), 120)
    made = investor.post("/goals", {"name": "House", "target_cents": 6_000_000, "target_date": target.isoformat(),
                                    "monthly_cents": 20_000})
    assert made.status_code == 201, made.text
    goal = made.json()
    assert made.headers["Location"] == f"/api/v1/goals/{goal['id']}"
    assert goal["name"] == "House" and goal["months"] == 120 and goal["status"] in ("pending", "on_track", "off_track")
    goal = investor.settled(goal["id"])
    forecast = investor.get(f"/forecasts/{goal['forecast_id']}").json()
    request, result = forecast["request"], forecast["result"]
    # The forecast asked is the goal's: its target, contribution and horizon, from the portfolio's value.
    value = investor.get("/portfolio").json()["value_cents"]
    assert request["goal_cents"] == 6_000_000 and request["monthly_cents"] == 20_000 and request["months"] == 120
    assert request["initial_cents"] == goal["basis_cents"] == value
    assert goal["probability"] == result["goal_probability"]
    assert goal["status"] == ("on_track" if goal["probability"] >= 0.5 else "off_track")
    assert [g["id"] for g in investor.get("/goals").json()["goals"]].count(goal["id"]) == 1


def test_without_contributions_the_probability_is_the_lognormal_tail(investor):
    """P(V_T >= G) = Φ((ln(V0/G) + (mu - sigma²/2) T) / (sigma √T)), T = months / 12, with the forecast's mu and
    sigma; the goal's probability is within 4 binomial standard errors of it."""
    target_day = add_months(today_ny(), 84) + datetime.timedelta(days=3)  # 84 whole months, a few days more
    v0 = investor.get("/portfolio").json()["value_cents"]
    target = int(v0 * 1.4)
    goal = investor.post("/goals", {"name": "Lognormal", "target_cents": target,
                                    "target_date": target_day.isoformat()}).json()
    assert goal["months"] == whole_months(today_ny(), target_day) == 84
    goal = investor.settled(goal["id"])
    r = investor.get(f"/forecasts/{goal['forecast_id']}").json()["result"]
    t = 84 / 12
    z = (math.log(goal["basis_cents"] / target) + (r["mu"] - r["sigma"] ** 2 / 2) * t) / (r["sigma"] * math.sqrt(t))
    p = 0.5 * math.erfc(-z / math.sqrt(2))
    assert 0.02 < p < 0.98, "a target where the check has power"
    assert abs(goal["probability"] - p) <= 4 * math.sqrt(p * (1 - p) / r["paths"]), (goal["probability"], p)


def test_changing_a_goal_asks_again_and_a_harder_goal_is_less_likely(investor):
    target = add_months(today_ny(), 60)
    goal = investor.post("/goals", {"name": "Car", "target_cents": 3_000_000, "target_date": target.isoformat()}).json()
    before = investor.settled(goal["id"])
    changed = investor.patch(f"/goals/{goal['id']}", {"target_cents": 9_000_000, "name": "Bigger car"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Bigger car" and changed.json()["target_cents"] == 9_000_000
    after = investor.settled(goal["id"], forecast_id=before["forecast_id"])
    assert after["probability"] < before["probability"]
    assert after["target_date"] == target.isoformat() and after["monthly_cents"] == 0


def test_the_portfolio_moving_makes_the_forecast_stale(investor, db):
    target = add_months(today_ny(), 36)
    goal = investor.post("/goals", {"name": "Trip", "target_cents": 4_000_000, "target_date": target.isoformat()}).json()
    before = investor.settled(goal["id"])
    investor.invest(1_000_000)  # +40%: far beyond the 1% that makes a forecast stale
    after = investor.settled(goal["id"], forecast_id=before["forecast_id"])
    assert after["basis_cents"] == investor.get("/portfolio").json()["value_cents"] > before["basis_cents"]
    # A read with nothing changed asks no new forecast.
    again = investor.get(f"/goals/{goal['id']}").json()
    assert again["forecast_id"] == after["forecast_id"]
    assert scalar(db, "SELECT count(*) FROM forecasts WHERE id = %s::uuid", after["forecast_id"]) == 1


def test_delete_and_not_found(investor):
    target = add_months(today_ny(), 24)
    goal = investor.post("/goals", {"name": "Gone", "target_cents": 100_000, "target_date": target.isoformat()}).json()
    assert investor.delete(f"/goals/{goal['id']}").status_code == 204
    for answer in (investor.get(f"/goals/{goal['id']}"), investor.delete(f"/goals/{goal['id']}"),
                   investor.patch(f"/goals/{goal['id']}", {"name": "x"}), investor.get("/goals/abc"),
                   investor.get("/goals/0")):
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "GOAL_NOT_FOUND", answer.text
    other = GoalInvestor()
    mine = investor.post("/goals", {"name": "Mine", "target_cents": 100_000, "target_date": target.isoformat()}).json()
    assert other.get(f"/goals/{mine['id']}").status_code == 404
    assert other.delete(f"/goals/{mine['id']}").status_code == 404
    assert other.get("/goals").json() == {"goals": []}


@pytest.mark.parametrize("body, code", [
    ({"name": "Soon", "target_cents": 100, "target_date": "TODAY+20"}, "TARGET_DATE_TOO_SOON"),
    ({"name": "Past", "target_cents": 100, "target_date": "2001-01-01"}, "TARGET_DATE_TOO_SOON"),
    ({"name": "Far", "target_cents": 100, "target_date": "2099-12-31"}, "TARGET_DATE_TOO_FAR"),
    ({"name": "", "target_cents": 100, "target_date": "2040-01-01"}, "VALIDATION_FAILED"),
    ({"name": "x" * 81, "target_cents": 100, "target_date": "2040-01-01"}, "VALIDATION_FAILED"),
    ({"name": "Zero", "target_cents": 0, "target_date": "2040-01-01"}, "VALIDATION_FAILED"),
    ({"name": "Neg", "target_cents": 100, "target_date": "2040-01-01", "monthly_cents": -1}, "VALIDATION_FAILED"),
    ({"name": "Date", "target_cents": 100, "target_date": "2040-02-30"}, "VALIDATION_FAILED"),
    ({"name": "Extra", "target_cents": 100, "target_date": "2040-01-01", "color": "red"}, "VALIDATION_FAILED"),
    ({"target_cents": 100, "target_date": "2040-01-01"}, "VALIDATION_FAILED"),
])
def test_bad_goals_are_400_and_write_nothing(investor, db, body, code):
    if body.get("target_date") == "TODAY+20":
        body = dict(body, target_date=(today_ny() + datetime.timedelta(days=20)).isoformat())
    count = scalar(db, "SELECT count(*) FROM goals WHERE user_id = %s", investor.id)
    answer = investor.post("/goals", body)
    assert answer.status_code == 400, answer.text
    error_code = answer.json()["error"]["code"]
    assert error_code == code or (code == "VALIDATION_FAILED" and error_code == "INVALID_REQUEST"), answer.text
    assert scalar(db, "SELECT count(*) FROM goals WHERE user_id = %s", investor.id) == count


def test_an_empty_patch_is_400(investor):
    goal = investor.post("/goals", {"name": "P", "target_cents": 100_000,
                                    "target_date": add_months(today_ny(), 30).isoformat()}).json()
    answer = investor.patch(f"/goals/{goal['id']}", {})
    assert answer.status_code == 400


def test_goals_per_investor_are_bounded(priced_stack):
    inv = GoalInvestor()  # not onboarded: goals are kept, their probability is unavailable
    day = add_months(today_ny(), 12).isoformat()
    for i in range(20):
        assert inv.post("/goals", {"name": f"g{i}", "target_cents": 100, "target_date": day}).status_code == 201
    answer = inv.post("/goals", {"name": "one too many", "target_cents": 100, "target_date": day})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "TOO_MANY_GOALS"
    goals = inv.get("/goals").json()["goals"]
    assert len(goals) == 20 and all(g["status"] == "unavailable" and "onboarding" in g["reason"] for g in goals)
