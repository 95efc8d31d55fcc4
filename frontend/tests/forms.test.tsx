// Forms: validation before anything is sent, amounts sent as integer cents with one Idempotency-Key per
// intended operation, API errors shown as sentences, and the login's second step.
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError } from "../src/api/client";
import { App } from "../src/App";
import { MoneyFlow } from "../src/components/MoneyFlow";
import { forecastRequest } from "../src/pages/ForecastPage";
import { apiError, FakeApi, json } from "./fakeApi";

const ME = {
  id: 7,
  email: "ann@example.com",
  email_verified: true,
  two_factor_enabled: false,
  risk_tolerance: 3,
  horizon: "long",
  bucket: "risk_3_horizon_long",
  created_at: "2026-11-20T10:00:00Z",
  recovery_codes_left: 0,
};

/** The app at `path` against a fake API; anonymous unless the refresh succeeds. */
function renderApp(path: string, api: FakeApi) {
  window.history.replaceState(null, "", path);
  const client = new ApiClient({ fetch: api.fetch, lock: null });
  render(<App client={client} />);
  return client;
}

/** A deposit flow whose review and receipt are simple sentences, for the flow's own behaviour. */
function DepositFlow({ onSubmit, maxCents }: { onSubmit(cents: number, key: string): Promise<string>; maxCents?: number | null }) {
  return (
    <MoneyFlow<string>
      action="deposit"
      verb="Deposit"
      label="Deposit (dollars)"
      maxCents={maxCents}
      review={(a) => ({ amountCents: a === "all" ? 0 : a, lines: [], happens: "Into your wallet." })}
      perform={(a, key) => onSubmit(a === "all" ? 0 : a, key)}
      receipt={(text) => <p>{text}</p>}
    />
  );
}

async function reviewAndConfirm(amount: string) {
  await userEvent.clear(screen.getByLabelText("Deposit (dollars)"));
  await userEvent.type(screen.getByLabelText("Deposit (dollars)"), amount);
  await userEvent.click(screen.getByRole("button", { name: "Review" }));
  await userEvent.click(await screen.findByRole("button", { name: /^Confirm/ }));
}

describe("MoneyFlow", () => {
  it("refuses an amount with fractions of a cent without calling the API", async () => {
    const onSubmit = vi.fn();
    render(<DepositFlow onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Deposit (dollars)"), "12.345");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(screen.getByText("Enter an amount in dollars, like 1250 or 1,250.50.")).toBeTruthy();
    expect(screen.getByLabelText("Deposit (dollars)").getAttribute("aria-invalid")).toBe("true");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("refuses more than the maximum, and the message goes when the amount or the maximum changes", async () => {
    const onSubmit = vi.fn();
    const { rerender } = render(<DepositFlow onSubmit={onSubmit} maxCents={2000} />);
    await userEvent.type(screen.getByLabelText("Deposit (dollars)"), "20.01");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(screen.getByText("The most is $20.00.")).toBeTruthy();
    // The wallet was read again and holds less: a message about $20.00 would now be stale.
    rerender(<DepositFlow onSubmit={onSubmit} maxCents={1500} />);
    expect(screen.queryByText("The most is $20.00.")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(screen.getByText("The most is $15.00.")).toBeTruthy();
    await userEvent.type(screen.getByLabelText("Deposit (dollars)"), "9");
    expect(screen.queryByText("The most is $15.00.")).toBeNull();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("cannot be used while the maximum is unknown (a wallet not loaded is not an empty wallet)", () => {
    render(<DepositFlow onSubmit={vi.fn()} maxCents={null} />);
    expect((screen.getByLabelText("Deposit (dollars)") as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Review" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("reviews before sending, sends integer cents once for a double click, then shows the receipt", async () => {
    let finish!: (v: string) => void;
    const onSubmit = vi.fn((_cents: number, _key: string) => new Promise<string>((r) => (finish = r)));
    render(<DepositFlow onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Deposit (dollars)"), "1,250.50");
    await userEvent.click(screen.getByRole("button", { name: "Review" }));
    expect(onSubmit).not.toHaveBeenCalled();
    const review = screen.getByTestId("deposit-review");
    expect(within(review).getByTestId("review-amount").textContent).toBe("$1,250.50");
    expect(review.textContent).toContain("FeesNone");
    const confirm = screen.getByRole("button", { name: "Confirm: deposit $1,250.50" });
    // Two clicks in the same frame, before React re-renders the disabled button.
    act(() => {
      fireEvent.click(confirm);
      fireEvent.click(confirm);
    });
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0]![0]).toBe(125050);
    await act(async () => finish("Deposited $1,250.50."));
    expect(within(await screen.findByTestId("deposit-receipt")).getByText("Deposited $1,250.50.")).toBeTruthy();
    // Back to a fresh form: the receipt does not linger over the next operation.
    await userEvent.click(screen.getByRole("button", { name: "Deposit again" }));
    expect(screen.queryByText("Deposited $1,250.50.")).toBeNull();
    expect((screen.getByLabelText("Deposit (dollars)") as HTMLInputElement).value).toBe("");
  });

  it("keeps the Idempotency-Key for a retry of the same amount and changes it after success", async () => {
    const keys: string[] = [];
    let fail = true;
    const onSubmit = vi.fn(async (_cents: number, key: string) => {
      keys.push(key);
      if (fail) throw new ApiError(0, "NETWORK_ERROR", "Cannot reach Parity: check your connection and try again.");
      return "ok";
    });
    render(<DepositFlow onSubmit={onSubmit} />);
    await reviewAndConfirm("100");
    expect((await screen.findByRole("alert")).textContent).toBe("Cannot reach Parity: check your connection and try again.");
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Confirm: deposit $100.00" })); // the retry of the same deposit
    await screen.findByText("ok");
    await userEvent.click(screen.getByRole("button", { name: "Deposit again" }));
    await reviewAndConfirm("100"); // a new deposit of the same amount
    await waitFor(() => expect(keys).toHaveLength(3));
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
  });
});

describe("login", () => {
  const anonymous = () => new FakeApi().on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no valid refresh token: log in again"));

  it("shows a wrong password as a sentence and stays on the page", async () => {
    const api = anonymous().on("POST /auth/login", () => apiError(401, "INVALID_CREDENTIALS", "the email or the password is wrong"));
    renderApp("/login", api);
    await userEvent.type(await screen.findByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "not-the-password");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The email or the password is wrong.");
    expect(api.last("POST /auth/login")!.body).toEqual({ email: "ann@example.com", password: "not-the-password" });
    expect(window.location.pathname).toBe("/login");
  });

  it("checks the fields before sending anything", async () => {
    const api = anonymous();
    renderApp("/login", api);
    await userEvent.click(await screen.findByRole("button", { name: "Log in" }));
    expect(screen.getByText("Enter your email address.")).toBeTruthy();
    expect(screen.getByText("Enter your password.")).toBeTruthy();
    expect(api.count("POST /auth/login")).toBe(0);
  });

  it("asks for the second factor, then logs in and goes to the dashboard", async () => {
    const api = anonymous()
      .on("POST /auth/login", () => json(200, { mfa_required: true, mfa_token: "mfa-123", expires_in: 300 }))
      .on("POST /auth/login/2fa", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
      .on("GET /me", (c) => (c.headers.authorization === "Bearer tok" ? json(200, ME) : apiError(401, "INVALID_TOKEN", "no")))
      .on("GET /wallet", () => json(200, { cash_cents: 0 }))
      .on("GET /portfolio", () =>
        json(200, { value_cents: 0, cash_cents: 0, pending_cents: 0, positions_value_cents: 0, net_contributions_cents: 0, pnl_cents: 0, bucket: ME.bucket, model_as_of: null, drift: 0, positions: [], weights: {}, target_weights: {} }),
      );
    renderApp("/login", api);
    await userEvent.type(await screen.findByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "Correct-Horse-Battery-42");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await userEvent.type(await screen.findByLabelText("Code"), "12345");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    expect(screen.getByText(/Enter the 6-digit code/, { selector: ".field-error" })).toBeTruthy();
    expect(api.count("POST /auth/login/2fa")).toBe(0);
    await userEvent.type(screen.getByLabelText("Code"), "6");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    await screen.findByRole("heading", { name: "Dashboard" });
    expect(api.last("POST /auth/login/2fa")!.body).toEqual({ mfa_token: "mfa-123", code: "123456" });
    expect(window.location.pathname).toBe("/");
  });

  it("sends an anonymous visitor of a private page to the login page and back", async () => {
    const api = anonymous()
      .on("POST /auth/login", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
      .on("GET /me", () => json(200, ME))
      .on("GET /me/sessions", () => json(200, { sessions: [] }));
    renderApp("/account", api);
    await screen.findByRole("heading", { name: "Log in" });
    expect(window.location.pathname + window.location.search).toBe("/login?next=%2Faccount");
    await userEvent.type(screen.getByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "Correct-Horse-Battery-42");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await screen.findByRole("heading", { name: "Account" });
    expect(window.location.pathname).toBe("/account");
  });

  it("restores the session from the refresh cookie on load", async () => {
    const api = new FakeApi()
      .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
      .on("GET /me", () => json(200, ME))
      .on("GET /me/sessions", () => json(200, { sessions: [] }));
    renderApp("/account", api);
    expect((await screen.findByTestId("account-email")).textContent).toBe("ann@example.com");
    expect(api.count("POST /auth/refresh")).toBe(1);
  });
});

describe("register", () => {
  it("checks the password length and the repetition before sending", async () => {
    const api = new FakeApi().on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no"));
    renderApp("/register", api);
    await userEvent.type(await screen.findByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "short");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "shorter");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByText("Use at least 10 characters.")).toBeTruthy();
    expect(screen.getByText("The two passwords differ.")).toBeTruthy();
    expect(api.count("POST /auth/register")).toBe(0);
  });

  it("shows the server's verdict on a weak password, and 'check your email' on success", async () => {
    let weak = true;
    const api = new FakeApi()
      .on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no"))
      .on("POST /auth/register", () =>
        weak ? apiError(400, "PASSWORD_TOO_WEAK", "the password is too easy to guess: use a longer phrase of unrelated words") : json(202, { status: "verification_sent" }),
      );
    renderApp("/register", api);
    await userEvent.type(await screen.findByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "password12");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "password12");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The password is too easy to guess: use a longer phrase of unrelated words.");
    weak = false;
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    await screen.findByRole("heading", { name: "Check your email" });
    expect(api.last("POST /auth/register")!.body).toEqual({ email: "ann@example.com", password: "password12" });
  });
});

describe("verify-email", () => {
  it("posts the token of the link once and says so", async () => {
    const api = new FakeApi()
      .on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no"))
      .on("POST /auth/verify-email", () => json(200, { status: "verified" }));
    renderApp("/verify-email?token=abc_DEF-123", api);
    await screen.findByText("Your email address is confirmed.");
    expect(api.count("POST /auth/verify-email")).toBe(1);
    expect(api.last("POST /auth/verify-email")!.body).toEqual({ token: "abc_DEF-123" });
  });

  it("explains a used link", async () => {
    const api = new FakeApi()
      .on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no"))
      .on("POST /auth/verify-email", () => apiError(400, "INVALID_TOKEN", "this link is unknown, already used or expired"));
    renderApp("/verify-email?token=used-token", api);
    expect((await screen.findByRole("alert")).textContent).toBe("This link is unknown, already used or expired.");
  });
});

describe("account: two-factor authentication", () => {
  const SETUP = { secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/Parity:ann%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", algorithm: "SHA1", digits: 6, period: 30 };
  const CODES = ["AAAAA-BBBBB", "CCCCC-DDDDD"];
  // Several forms filled in one test: generous on a busy machine (typing is simulated key by key).
  const SLOW_MS = 30_000;

  /** The account page of a logged-in user; `me` is what GET /me answers (it changes as 2FA is turned on or off). */
  function account(me: () => typeof ME) {
    return new FakeApi()
      .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
      .on("GET /me", () => json(200, me()))
      .on("GET /me/sessions", () => json(200, { sessions: [] }))
      .on("GET /notifications/settings", () => json(200, { email: {}, kinds: [] }));
  }

  it("asks for the password before setting up, and sends it with the confirming code", async () => {
    let on = false;
    const api = account(() => ({ ...ME, two_factor_enabled: on, recovery_codes_left: on ? 2 : 0 }))
      .on("POST /me/2fa/setup", () => json(200, SETUP))
      .on("POST /me/2fa/enable", () => {
        on = true;
        return json(200, { recovery_codes: CODES });
      });
    renderApp("/account", api);
    const setUp = await screen.findByRole("button", { name: "Set up two-factor authentication" });
    await userEvent.click(setUp);
    expect(screen.getByText("Enter your password.")).toBeTruthy();
    expect(api.count("POST /me/2fa/setup")).toBe(0);
    await userEvent.type(screen.getByLabelText("Your password"), "pw");
    await userEvent.click(setUp);
    expect((await screen.findByTestId("totp-secret")).textContent).toBe(SETUP.secret);
    expect(api.last("POST /me/2fa/setup")!.body).toEqual({ password: "pw" });
    // The password typed for the setup is still there for the confirming step.
    await userEvent.type(screen.getByLabelText("Code from the app"), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Turn on" }));
    expect((await screen.findByTestId("recovery-codes")).textContent).toContain("AAAAA-BBBBB");
    expect(api.last("POST /me/2fa/enable")!.body).toEqual({ password: "pw", code: "123456" });
    await waitFor(() => expect(screen.getByTestId("2fa-status").textContent).toBe("Status: on · 2 recovery codes left"));
    // The codes stay until the investor says they are saved (or downloads them).
    const done = screen.getByRole("button", { name: "Done" }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    expect(screen.queryByLabelText("Your password")).toBeNull();
    await userEvent.click(screen.getByLabelText("I have saved my recovery codes somewhere safe"));
    await userEvent.click(done);
    expect(screen.queryByTestId("recovery-codes")).toBeNull();
    expect((screen.getByLabelText("Your password") as HTMLInputElement).value).toBe("");
  }, SLOW_MS);

  it("needs the password and a code to turn 2FA off or renew the codes, and shows a wrong password plainly", async () => {
    let wrong = true;
    const api = account(() => ({ ...ME, two_factor_enabled: true, recovery_codes_left: 10 }))
      .on("POST /me/2fa/recovery-codes", () => json(200, { recovery_codes: CODES }))
      .on("POST /me/2fa/disable", () => (wrong ? apiError(403, "WRONG_PASSWORD", "the current password is wrong") : json(204, null)));
    renderApp("/account", api);
    const off = await screen.findByRole("button", { name: "Turn off" });
    await userEvent.click(off);
    expect(screen.getByText("Enter the 6-digit code or a recovery code.")).toBeTruthy();
    expect(screen.getByText("Enter your password.")).toBeTruthy();
    expect(api.count("POST /me/2fa/disable")).toBe(0);
    await userEvent.type(screen.getByLabelText("Code from the app (or a recovery code)"), "654321");
    await userEvent.type(screen.getByLabelText("Your password"), "bad");
    await userEvent.click(off);
    expect((await screen.findByRole("alert")).textContent).toBe("The current password is wrong.");
    expect(api.last("POST /me/2fa/disable")!.body).toEqual({ password: "bad", code: "654321" });
    await userEvent.clear(screen.getByLabelText("Your password"));
    await userEvent.type(screen.getByLabelText("Your password"), "pw");
    await userEvent.click(screen.getByRole("button", { name: "New recovery codes" }));
    expect((await screen.findByTestId("recovery-codes")).textContent).toContain("CCCCC-DDDDD");
    expect(api.last("POST /me/2fa/recovery-codes")!.body).toEqual({ password: "pw", code: "654321" });
    await userEvent.click(screen.getByLabelText("I have saved my recovery codes somewhere safe"));
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    // Each action asks again: the fields were emptied by the success.
    expect((screen.getByLabelText("Your password") as HTMLInputElement).value).toBe("");
    wrong = false;
    await userEvent.type(screen.getByLabelText("Code from the app (or a recovery code)"), "AAAAA-BBBBB");
    await userEvent.type(screen.getByLabelText("Your password"), "pw");
    // The form came back after the codes were saved: a new button.
    await userEvent.click(screen.getByRole("button", { name: "Turn off" }));
    await waitFor(() => expect(api.count("POST /me/2fa/disable")).toBe(2));
    expect(api.last("POST /me/2fa/disable")!.body).toEqual({ password: "pw", code: "AAAAA-BBBBB" });
  }, SLOW_MS);
});

describe("onboarding", () => {
  it("asks for every answer, then shows the profile", async () => {
    const questions = [
      { id: "age", text: "How old are you?", options: [{ id: "30_44", text: "30 to 44" }, { id: "45_59", text: "45 to 59" }] },
      { id: "horizon", text: "When will you need this money?", options: [{ id: "over_7", text: "In more than 7 years" }] },
    ];
    const api = new FakeApi()
      .on("POST /auth/refresh", () => json(200, { access_token: "tok", token_type: "Bearer", expires_in: 600 }))
      .on("GET /me", () => json(200, { ...ME, bucket: null, risk_tolerance: null, horizon: null }))
      .on("GET /onboarding/questions", () => json(200, { questions }))
      .on("POST /onboarding", () => json(200, { risk_tolerance: 4, horizon: "long", bucket: "risk_4_horizon_long" }));
    renderApp("/onboarding", api);
    await userEvent.click(await screen.findByRole("button", { name: "See my profile" }));
    expect(screen.getAllByText("Choose an answer.")).toHaveLength(2);
    expect(api.count("POST /onboarding")).toBe(0);
    await userEvent.click(screen.getByLabelText("45 to 59"));
    await userEvent.click(screen.getByLabelText("In more than 7 years"));
    await userEvent.click(screen.getByRole("button", { name: "See my profile" }));
    expect((await screen.findByTestId("bucket")).textContent).toBe("Risk 4 · long horizon");
    expect(api.last("POST /onboarding")!.body).toEqual({ answers: { age: "45_59", horizon: "over_7" } });
    expect(screen.getByTestId("profile").textContent).toContain("4 of 5");
  });
});

describe("forecastRequest", () => {
  it("turns the form into the API's request", () => {
    expect(forecastRequest({ monthly: "500", years: "10", goal: "150,000", initial: "" })).toEqual({
      ok: true,
      body: { monthly_cents: 50000, months: 120, goal_cents: 15000000 },
    });
    expect(forecastRequest({ monthly: "", years: "1", goal: "", initial: "0" })).toEqual({
      ok: true,
      body: { monthly_cents: 0, months: 12, initial_cents: 0 },
    });
  });

  it("names every problem", () => {
    expect(forecastRequest({ monthly: "-1", years: "51", goal: "0", initial: "x" })).toEqual({
      ok: false,
      problems: {
        monthly: "Enter an amount in dollars, like 1250 or 1,250.50.",
        years: "Enter a whole number of years from 1 to 50.",
        goal: "Enter an amount above zero.",
        initial: "Enter an amount in dollars, like 1250 or 1,250.50.",
      },
    });
    expect(forecastRequest({ monthly: "1", years: "2.5", goal: "", initial: "" })).toMatchObject({ ok: false, problems: { years: expect.any(String) } });
  });
});
