// End-to-end journeys of the SPA in headless Chromium (playwright-core, Debian's /usr/bin/chromium), against
// the running stack that run-e2e.sh starts. Each journey gets a fresh browser context; a journey fails on
// any uncaught page error or Content-Security-Policy violation too. Prints `N passed, N failed` last and
// exits non-zero when anything failed. Screenshots go to e2e/screenshots/ (gitignored; E2E_SHOTS_DIR moves
// them), named page-width.png, to be looked at.
import { createHmac } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { chromium } from "playwright-core";
import {
  api,
  assert,
  assertEqual,
  backdateInvestor,
  BASE,
  cents,
  createUser,
  dollars,
  linkIn,
  loginToken,
  newCredentials,
  signAccessToken,
  totp,
  WAIT_MS,
  waitFor,
  waitMail,
} from "./lib.mjs";

const CHROMIUM = process.env.E2E_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = process.env.E2E_SHOTS_DIR ?? fileURLToPath(new URL("./screenshots", import.meta.url));
const JWT_SECRET = process.env.JWT_SECRET ?? "";
// A journey takes well under a minute when idle; this only stops one that hangs (each of its waits is WAIT_MS).
const JOURNEY_TIMEOUT_MS = 600_000;
// How long no request may be in flight before the page counts as quiet (nothing more is coming).
const QUIET_MS = 5_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** A fresh context whose page records uncaught errors and CSP violations (checked after the journey). */
async function openPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...opts });
  const page = await context.newPage();
  // Every Playwright action and wait: a loaded machine (argon2id hashes, sanitized daemons next door) is slow.
  page.setDefaultTimeout(WAIT_MS);
  const problems = [];
  // Requests in flight, so a journey can wait until the page has gone quiet (E2E_DEBUG=1 lists them).
  let inflight = 0;
  const debug = Boolean(process.env.E2E_DEBUG);
  page.on("request", (r) => {
    inflight++;
    if (debug) console.log(`  -> ${r.method()} ${r.url()}`);
  });
  page.on("requestfinished", (r) => {
    inflight--;
    if (debug) console.log(`  <- ${r.url()}`);
  });
  page.on("requestfailed", () => inflight--);
  page.quiet = async (ms = QUIET_MS) => {
    let since = Date.now();
    await waitFor(
      async () => {
        if (inflight > 0) since = Date.now();
        return Date.now() - since >= ms;
      },
      WAIT_MS,
      "the page to go quiet",
    );
  };
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return { context, page, problems };
}

async function text(locator) {
  return ((await locator.textContent()) ?? "").trim();
}

/** Logs in through the login page; `expectPath` is where the app should land. */
async function uiLogin(page, email, password, expectPath = "/") {
  await page.goto(`${BASE}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => u.pathname === expectPath);
}

async function shot(page, name, fullPage = true) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * axe-core on the page as it is: no serious or critical finding. The engine is evaluated through the
 * DevTools protocol, which the page's CSP does not govern (an injected <script> would be refused).
 */
async function axeCheck(page, where) {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target?.join(" ") ?? "" }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert(bad.length === 0, `axe on ${where}: ${JSON.stringify(bad)}`);
  // Moderate and minor findings do not fail the journey; they are listed to be looked at.
  for (const v of violations) console.log(`  axe (${v.impact}) on ${where}: ${v.id} x${v.nodes} (${v.target})`);
  return violations;
}

/**
 * One money move through the dashboard: its button, the amount (or "everything"), Review, Confirm (twice in a
 * row with `double`), and the receipt. Returns the review's and the receipt's text; the panel is closed after.
 */
async function moveMoney(page, action, amount, { all = false, double = false, onReview } = {}) {
  const label = { deposit: "Deposit", withdraw: "Withdraw", invest: "Invest", sell: "Sell" }[action];
  await page.getByRole("group", { name: "Move money" }).getByRole("button", { name: label, exact: true }).click();
  const form = page.getByTestId(`${action}-form`);
  if (all) await form.getByLabel(`${label} everything`).check();
  else await form.getByLabel(/^Amount to/).fill(amount);
  await form.getByRole("button", { name: "Review" }).click();
  const review = page.getByTestId(`${action}-review`);
  await review.waitFor();
  const reviewText = await text(review);
  if (onReview) await onReview(review);
  const confirm = review.getByRole("button", { name: /^Confirm/ });
  if (double) await confirm.dblclick();
  else await confirm.click();
  const receipt = page.getByTestId(`${action}-receipt`);
  await receipt.waitFor();
  const receiptText = await text(receipt.getByTestId("receipt-text"));
  return {
    reviewText,
    receiptText,
    receipt,
    close: () => receipt.getByRole("button", { name: "Close" }).click(),
  };
}

// ------------------------------------------------------------------ journeys

/** (1) register -> verify -> login -> onboarding -> deposit -> invest -> portfolio -> forecast -> sell all -> withdraw. */
async function investorJourney({ page }) {
  const creds = newCredentials("journey");
  const started = Date.now();

  // register: the answer is always "check your email"
  await page.goto(`${BASE}/register`);
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password", { exact: true }).fill(creds.password);
  await page.getByLabel("Repeat the password", { exact: true }).fill(creds.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();

  // the link of the email, opened in the browser
  const link = linkIn(await waitMail(creds.email, "Confirm your email", started), "/verify-email");
  assert(link.startsWith(BASE), `the link points at the SPA (${link})`);
  await page.goto(link);
  await page.getByText("Your email address is confirmed.").waitFor();
  await page.getByRole("link", { name: "Log in" }).click();

  // a first login goes to the questions
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password", { exact: true }).fill(creds.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => u.pathname === "/onboarding");
  for (const answer of ["30 to 44", "Growth", "Hold on calmly", "In more than 7 years"]) await page.getByLabel(answer, { exact: true }).check();
  await page.getByRole("button", { name: "See my profile" }).click();
  assertEqual(await text(page.getByTestId("bucket")), "Risk 4 · long horizon", "the bucket shown after onboarding");
  assert((await text(page.getByTestId("profile"))).includes("4 of 5"), "risk tolerance 4 of 5 shown");
  await page.getByRole("link", { name: "Go to your dashboard" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();

  // deposit $10,000, reviewed, with a double click on Confirm: the money moves once
  const deposit = await moveMoney(page, "deposit", "10,000", { double: true });
  assert(deposit.reviewText.includes("FeesNone"), `the review names the fees (${deposit.reviewText})`);
  assertEqual(deposit.receiptText, "Deposited $10,000.00. Your wallet holds $10,000.00.", "the deposit's receipt");
  await deposit.close();
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === "$10,000.00", WAIT_MS, "the wallet to show $10,000.00");
  const token = await loginToken(creds.email, creds.password); // a second session, to read what the API says
  assertEqual((await api("GET", "/wallet", { token })).body.cash_cents, 1_000_000, "wallet after one deposit (double click)");
  const moves = (await api("GET", "/transactions?limit=100", { token })).body.transactions;
  assertEqual(moves.filter((t) => t.kind === "deposit").length, 1, "deposits recorded for a double click");

  // invest $8,000: the review estimates the buys from the model's weights; deployed, pending polled to zero
  const invest = await moveMoney(page, "invest", "8000", {
    onReview: async (review) => {
      const rows = await review.getByTestId("estimated-trades").locator("tbody tr").count();
      const model = (await api("GET", "/models/risk_4_horizon_long")).body.weights;
      assertEqual(rows, Object.values(model).filter((w) => w * 800_000 >= 100).length, "one estimated buy per fund of the model");
    },
  });
  assert(/^\$8,000\.00 moved to your portfolio|^Invested \$8,000\.00/.test(invest.receiptText), `the invest's receipt (${invest.receiptText})`);
  // The receipt follows the deployment: "buying now" gives way to "in your funds" (no stale message).
  await waitFor(async () => (await text(invest.receipt.getByTestId("receipt-text"))) === "Invested $8,000.00: it is in your funds now.", WAIT_MS, "the receipt to say it is invested");
  await invest.close();
  await waitFor(
    async () => (await page.locator("[data-testid=positions] tbody tr[data-symbol]:not([data-symbol=CASH])").count()) > 0 && (await page.getByTestId("pending").count()) === 0,
    WAIT_MS,
    "positions after deployment",
  );
  const portfolio = (await api("GET", "/portfolio", { token })).body;
  assertEqual(portfolio.pending_cents, 0, "nothing pending once deployed");
  assertEqual(portfolio.net_contributions_cents, 800_000, "net contributions");
  // every row as the API says, and the rows add up to the total the API gives
  let sum = cents(await text(page.getByTestId("portfolio-cash")));
  assertEqual(sum, portfolio.cash_cents, "portfolio cash shown");
  for (const p of portfolio.positions) {
    const shown = cents(await text(page.locator(`tr[data-symbol="${p.symbol}"] [data-testid=position-value]`)));
    assertEqual(shown, p.value_cents, `value of ${p.symbol}`);
    sum += shown;
  }
  assertEqual(await page.locator("[data-testid=positions] tbody tr[data-symbol]:not([data-symbol=CASH])").count(), portfolio.positions.length, "one row per position");
  assertEqual(sum, portfolio.value_cents, "positions + cash = portfolio value");
  assertEqual(cents(await text(page.getByTestId("positions-total"))), portfolio.value_cents, "total row");
  assertEqual(cents(await text(page.getByTestId("portfolio-value"))), portfolio.value_cents, "portfolio value");
  assertEqual(await text(page.getByTestId("portfolio-pnl")), dollars(portfolio.pnl_cents).replace(/^\$/, portfolio.pnl_cents > 0 ? "+$" : "$"), "gain or loss");
  assertEqual(cents(await text(page.getByTestId("wallet-cash"))), 200_000, "wallet after investing");
  await page.getByTestId("model").waitFor();
  await page.getByTestId("history-chart").waitFor();

  // the forecast cone: 10 years, $500 a month, goal $150,000
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forecast" }).click();
  await page.getByLabel("Monthly contribution (dollars)").fill("500");
  await page.getByLabel("Years").fill("10");
  await page.getByLabel("Goal (dollars, optional)").fill("150,000");
  await page.getByRole("button", { name: "Run the forecast" }).click();
  const cone = page.getByTestId("cone-chart");
  await cone.waitFor({ timeout: WAIT_MS });
  const paths = await cone.locator("path").evaluateAll((els) => els.map((e) => e.getAttribute("d") ?? ""));
  assert(paths.length >= 6 && paths.every((d) => d.startsWith("M") && (d.match(/L/g) ?? []).length >= 120), `3 bands and 3 lines over 121 months (${paths.length} paths)`);
  assert((await cone.locator("text", { hasText: /^P50$/ }).count()) === 1, "the P50 label");
  const id = new URL(page.url()).searchParams.get("id");
  assert(id, "the forecast id in the URL");
  const forecast = (await api("GET", `/forecasts/${id}?wait=30`, { token })).body;
  assertEqual(forecast.status, "complete", "forecast status");
  const r = forecast.result;
  assertEqual(forecast.request.initial_cents, portfolio.value_cents, "the forecast starts from the portfolio value");
  assertEqual(await text(page.getByTestId("forecast-median")), `$${Math.round(r.p50[120] / 100).toLocaleString("en-US")}`, "median after 10 years");
  assertEqual(await text(page.getByTestId("goal-probability")), `${(r.goal_probability * 100).toFixed(0)}%`, "goal probability");
  assertEqual(await text(page.getByTestId("forecast-mu")), `${(r.mu * 100).toFixed(1)}% a year`, "mu");
  assertEqual(await text(page.getByTestId("forecast-sigma")), `${(r.sigma * 100).toFixed(1)}% a year`, "sigma");

  // sell everything: exactly the market value comes back to the wallet
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await page.locator("[data-testid=positions] tbody tr[data-symbol]").first().waitFor();
  const before = (await api("GET", "/portfolio", { token })).body;
  const sale = await moveMoney(page, "sell", "", { all: true });
  assertEqual(sale.receiptText, `Sold ${dollars(before.value_cents)}; the proceeds are in your wallet, which holds ${dollars(200_000 + before.value_cents)}.`, "the sale's receipt");
  await sale.close();
  const walletCents = 200_000 + before.value_cents;
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === dollars(walletCents), WAIT_MS, `the wallet to show ${dollars(walletCents)}`);
  await waitFor(async () => (await text(page.getByTestId("portfolio-value"))) === "$0.00", WAIT_MS, "an empty portfolio");

  // withdraw all of it: the wallet is empty, and the API agrees
  const out = await moveMoney(page, "withdraw", (await text(page.getByTestId("wallet-cash"))).replace("$", ""));
  assertEqual(out.receiptText, `Withdrew ${dollars(walletCents)}. Your wallet holds $0.00.`, "the withdrawal's receipt");
  await out.close();
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === "$0.00", WAIT_MS, "wallet $0.00");
  assertEqual((await api("GET", "/wallet", { token })).body.cash_cents, 0, "wallet after withdrawing everything");
  const after = (await api("GET", "/portfolio", { token })).body;
  assertEqual(after.value_cents + after.cash_cents + after.positions.length, 0, "nothing left in the portfolio");

  // the transactions: one row per operation, newest first, signed by the wallet; a sale opens into its trades
  const table = page.getByTestId("transactions");
  await waitFor(async () => (await table.locator("tbody tr").first().getAttribute("data-kind")) === "withdrawal", WAIT_MS, "the withdrawal on top");
  const kinds = await table.locator("tbody tr[data-operation]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
  assertEqual(kinds.join(","), "withdrawal,sell,invest,deposit", "one row per operation, newest first");
  const amounts = await table.getByTestId("operation-amount").allTextContents();
  assertEqual(amounts.join(" "), [`-${dollars(walletCents)}`, `+${dollars(before.value_cents)}`, "-$8,000.00", "+$10,000.00"].join(" "), "amounts signed by the wallet");
  const rows = (await api("GET", "/transactions?limit=100", { token })).body.transactions;
  const saleTrades = rows.filter((t) => t.type === "trade" && t.kind === "sell").length;
  await table.locator("tr[data-kind=sell]").getByRole("button", { name: "Sale" }).click();
  assertEqual(await table.locator("tr.trade-row[data-kind=trade-sell]").count(), saleTrades, "the sale opens into its trades");
  await page.getByLabel("Type", { exact: true }).selectOption("deposit");
  assertEqual(await table.locator("tbody tr[data-operation]").count(), 1, "the type filter keeps the deposit only");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const csv = await (await download).path();
  const { readFile } = await import("node:fs/promises");
  const lines = (await readFile(csv, "utf8")).trim().split("\r\n");
  assertEqual(lines.length, 2, "the CSV has the header and the deposit");
  assert(lines[1].includes(",deposit,cash,deposit,") && lines[1].endsWith(",10000.00,wallet"), `the deposit's CSV line (${lines[1]})`);
}

/** (2) a wrong password is shown plainly and nothing else happens. */
async function wrongPasswordJourney({ page }) {
  const user = await createUser("wrongpw");
  await page.goto(`${BASE}/login`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(`${user.password}-not`);
  await page.getByRole("button", { name: "Log in" }).click();
  assertEqual(await text(page.getByRole("alert")), "The email or the password is wrong.", "the error shown");
  assertEqual(new URL(page.url()).pathname, "/login", "still on the login page");
  // an unknown address answers exactly the same (no user enumeration)
  await page.getByLabel("Email").fill(`nobody-${Date.now()}@example.com`);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log in" }).waitFor();
  assertEqual(await text(page.getByRole("alert")), "The email or the password is wrong.", "the error for an unknown address");
  // and the right password still works afterwards
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => u.pathname === "/onboarding");
}

/** (3) the access token expires (and then is dropped by a reload): one refresh, and the app carries on. */
async function tokenRefreshJourney({ page }) {
  assert(JWT_SECRET.length >= 32, "JWT_SECRET in the environment (run through run-e2e.sh)");
  const user = await createUser("refresh", { onboard: true, depositCents: 500_000 });
  const refreshes = [];
  const unauthorized = [];
  let current = null;
  page.on("request", (req) => {
    const auth = req.headers().authorization;
    if (auth) current = auth.slice("Bearer ".length);
  });
  page.on("response", (res) => {
    if (res.url().endsWith("/api/v1/auth/refresh")) refreshes.push(res.status());
    else if (res.status() === 401) unauthorized.push(new URL(res.url()).pathname);
  });
  await uiLogin(page, user.email, user.password);
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === "$5,000.00", WAIT_MS, "the wallet");
  assertEqual(refreshes.length, 1, "one refresh at start (no session yet)");
  assertEqual(refreshes[0], 401, "no cookie before login");

  // The browser's token, and the same token expired a minute ago, signed with the daemon's key: the server
  // takes the one (sanity) and refuses the other only because it expired.
  const claims = JSON.parse(Buffer.from(current.split(".")[1], "base64url").toString());
  const now = Math.floor(Date.now() / 1000);
  const valid = signAccessToken(JWT_SECRET, { ...claims, iat: now - 60, exp: now + 300 });
  const expired = signAccessToken(JWT_SECRET, { ...claims, iat: now - 660, exp: now - 60 });
  assertEqual((await api("GET", "/me", { token: valid })).status, 200, "a re-signed live token works");
  assertEqual((await api("GET", "/me", { token: expired })).status, 401, "the expired token is refused");

  // Until the app refreshes, every API call carries the expired token.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await page.getByTestId("sessions").waitFor();
  let armed = true;
  page.on("request", (req) => {
    if (req.url().endsWith("/api/v1/auth/refresh")) armed = false;
  });
  await page.route("**/api/v1/**", (route) => {
    const req = route.request();
    if (armed && req.headers().authorization) return route.continue({ headers: { ...req.headers(), authorization: `Bearer ${expired}` } });
    return route.continue();
  });
  refreshes.length = 0;
  unauthorized.length = 0;
  // The dashboard loads wallet, portfolio, history, transactions and the model at once: all 401 together.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === "$5,000.00", WAIT_MS, "the wallet after the refresh");
  await page.getByTestId("transactions").waitFor();
  await page.quiet();
  assert(unauthorized.length >= 2, `several requests were refused together (${unauthorized.join(", ")})`);
  assertEqual(refreshes.join(","), "200", "exactly one refresh, and it succeeded");
  assertEqual(await page.getByRole("alert").count(), 0, "no error shown");
  await page.unroute("**/api/v1/**");

  // A reload drops the token from memory: the cookie brings the session back with one refresh.
  refreshes.length = 0;
  unauthorized.length = 0;
  await page.reload();
  await waitFor(async () => (await page.getByTestId("wallet-cash").count()) && (await text(page.getByTestId("wallet-cash"))) === "$5,000.00", WAIT_MS, "the wallet after a reload");
  assertEqual(refreshes.join(","), "200", "one refresh after the reload");
  assertEqual(unauthorized.length, 0, "no 401 after the reload");
  // The session family survived: no refresh token was presented twice.
  const sessions = (await api("GET", "/me/sessions", { token: await loginToken(user.email, user.password) })).body.sessions;
  assertEqual(sessions.length, 3, "the API's session, the browser's and this one are all live");
}

/** (4) the dashboard and the forecast at phone width: nothing wider than the screen, the portfolio first. */
async function phoneJourney({ page }) {
  const user = await createUser("phone", { onboard: true, depositCents: 2_500_000, investCents: 2_000_000 });
  await uiLogin(page, user.email, user.password);
  await page.locator("[data-testid=positions] tbody tr[data-symbol]").first().waitFor();
  await page.getByTestId("history-chart").waitFor();
  await page.getByTestId("transactions").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `the dashboard fits the phone's width (overflow ${overflow}px)`);
  // The portfolio's value is on the first screen; the money forms are behind one button each.
  const value = await page.getByTestId("portfolio-value").boundingBox();
  assert(value && value.y + value.height <= 844, `the portfolio value on the first screen (${JSON.stringify(value)})`);
  assertEqual(await page.getByTestId("deposit-form").count(), 0, "no money form until its button is pressed");
  // Every column of the transactions is inside the screen (the amount column was cut off).
  const right = await page.getByTestId("transactions").locator("tbody tr[data-operation] td:last-child").first().boundingBox();
  assert(right && right.x + right.width <= 390, `the amount column fits (${JSON.stringify(right)})`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forecast" }).click();
  await page.getByLabel("Years").fill("20");
  await page.getByRole("button", { name: "Run the forecast" }).click();
  await page.getByTestId("cone-chart").waitFor({ timeout: WAIT_MS });
  const width = await page.getByTestId("cone-chart").evaluate((e) => e.getBoundingClientRect().width);
  assert(width <= PHONE.width, `the cone fits (${width}px)`);
  assertEqual(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth <= 0), true, "the forecast fits the phone's width");
}

/** (5) two-factor authentication: set up (it asks for the password again) with the secret shown, log out, log in
 * with a recovery code. */
async function twoFactorJourney({ page }) {
  const user = await createUser("2fa");
  await uiLogin(page, user.email, user.password, "/onboarding");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await page.getByLabel("Your password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  // The QR code drawn in the browser from the otpauth URI, next to the key and the link
  const qr = page.getByRole("img", { name: "QR code to add Parity to your authenticator app" });
  assert((await qr.locator("path").getAttribute("d")).startsWith("M4 4h7v1h-7z"), "a QR code with its finder pattern");
  const secret = await text(page.getByTestId("totp-secret"));
  const uri = await text(page.getByTestId("otpauth-uri"));
  assert(uri.startsWith("otpauth://totp/") && uri.includes(`secret=${secret}`), "the otpauth URI carries the secret");
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByTestId("recovery-codes").waitFor();
  const codes = await page.getByTestId("recovery-codes").locator("code").allTextContents();
  assertEqual(codes.length, 10, "recovery codes shown");
  // They must be saved before the card lets go: downloading them counts.
  assertEqual(await page.getByRole("button", { name: "Done" }).isDisabled(), true, "Done waits for the codes to be saved");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the codes" }).click();
  const { readFile } = await import("node:fs/promises");
  const saved = await readFile(await (await download).path(), "utf8");
  assert(codes.every((c) => saved.includes(c)), "the downloaded file holds every code");
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByTestId("recovery-codes").waitFor({ state: "detached" });
  await waitFor(async () => (await text(page.getByTestId("2fa-status"))).startsWith("Status: on"), WAIT_MS, "2FA on");

  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((u) => u.pathname === "/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Two-factor authentication" }).waitFor();
  await page.getByLabel("Code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("alert").waitFor();
  await page.getByLabel("Code").fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL((u) => u.pathname === "/onboarding");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  assertEqual(await text(page.getByTestId("2fa-status")), "Status: on · 9 recovery codes left", "one recovery code used");
}

/** (6) forgot password -> emailed link -> new password -> log in with it. */
async function resetPasswordJourney({ page }) {
  const user = await createUser("reset");
  const started = Date.now();
  await page.goto(`${BASE}/login`);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByText(/a link to choose a new password is on its way/).waitFor();
  await page.goto(linkIn(await waitMail(user.email, "Reset your Parity password", started), "/reset-password"));
  const fresh = newCredentials("reset").password;
  await page.getByLabel("New password", { exact: true }).fill(fresh);
  await page.getByLabel("Repeat the new password", { exact: true }).fill(fresh);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await page.getByText("Your password is changed, and every session was logged out.").waitFor();
  assertEqual((await api("POST", "/auth/login", { body: { email: user.email, password: user.password } })).status, 401, "the old password no longer works");
  await uiLogin(page, user.email, fresh, "/onboarding");
}

/** (7) ending another session from the account page logs that browser out. */
async function sessionsJourney({ page, browser }) {
  const user = await createUser("sessions", { onboard: true });
  const other = await openPage(browser);
  try {
    await uiLogin(other.page, user.email, user.password);
    await uiLogin(page, user.email, user.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    const list = page.getByTestId("sessions");
    // the API's session (createUser) and the two browsers'
    await waitFor(async () => (await list.locator("li").count()) === 3, WAIT_MS, "three sessions listed");
    assertEqual(await list.locator("li[data-current]").count(), 1, "one marked as this device");
    // End the older browser session (the API's own is the oldest, listed last: newest use first).
    await list.locator("li:not([data-current])").first().getByRole("button", { name: "End session" }).click();
    await waitFor(async () => (await list.locator("li").count()) === 2, WAIT_MS, "two sessions left");
    // The other browser's next call is refused and so is its refresh: it lands on the login page.
    await other.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forecast" }).click();
    await other.page.getByRole("button", { name: "Run the forecast" }).click();
    await other.page.waitForURL((u) => u.pathname === "/login", { timeout: WAIT_MS });
    await other.page.getByText("Your session has ended. Please log in again.").waitFor();
    assertEqual(other.problems.length, 0, `no page errors in the other browser (${other.problems.join("; ")})`);
  } finally {
    await other.context.close();
  }
}

/** (8) the wallet cannot be loaded (a proxy's 502): no $0.00, no "Bad Gateway", a retry that works. */
async function failedWalletJourney({ page }) {
  const user = await createUser("wallet502", { onboard: true, depositCents: 123_456 });
  let failing = true;
  await page.route("**/api/v1/wallet", (route) =>
    failing ? route.fulfill({ status: 502, contentType: "text/html", body: "<html><body><h1>Bad Gateway</h1></body></html>" }) : route.continue(),
  );
  await uiLogin(page, user.email, user.password);
  const problem = page.getByRole("alert").filter({ hasText: "your wallet" });
  await problem.waitFor();
  assert((await text(problem)).startsWith("We could not load your wallet: Parity had a problem answering."), `the problem in words (${await text(problem)})`);
  assertEqual(await text(page.getByTestId("wallet-cash")), "—", "no figure for the wallet");
  const body = await text(page.locator("main"));
  assert(!body.includes("Bad Gateway"), "no raw server text");
  await page.getByRole("group", { name: "Move money" }).getByRole("button", { name: "Withdraw", exact: true }).click();
  const form = page.getByTestId("withdraw-form");
  assert((await text(form)).includes("could not be loaded"), "the withdraw form says why it cannot be used");
  assert(!(await text(form)).includes("$0.00"), "no made-up $0.00 available");
  assertEqual(await form.getByRole("button", { name: "Review" }).isDisabled(), true, "no review without a wallet");
  await axeCheck(page, "dashboard with a failed wallet");
  await shot(page, "dashboard-wallet-error-" + (page.viewportSize()?.width ?? 0));
  failing = false;
  await problem.getByRole("button", { name: "Try again" }).click();
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === "$1,234.56", WAIT_MS, "the wallet after the retry");
  assertEqual(await problem.count(), 0, "the problem is gone");
  assert((await text(form)).includes("Available: $1,234.56."), "the form shows what is available now");
}

/** (9) a $5.00 sale: reviewed with its estimated trades, confirmed, and its receipt explains any rounding. */
async function saleReviewJourney({ page }) {
  const user = await createUser("sale", { onboard: true, depositCents: 2_500_000, investCents: 2_000_000 });
  await uiLogin(page, user.email, user.password);
  await page.locator("[data-testid=positions] tbody tr[data-symbol]").first().waitFor();
  const portfolio = (await api("GET", "/portfolio", { token: user.token })).body;
  let estimate = 0;
  const sale = await moveMoney(page, "sell", "5.00", {
    onReview: async (review) => {
      assertEqual(await review.getByTestId("review-amount").textContent(), "$5.00", "the amount under review");
      const trades = await review.getByTestId("estimated-trades").locator("tbody tr").count();
      assertEqual(trades, portfolio.positions.length, "one estimated sale per fund (pro rata)");
      estimate = cents(await text(review.getByTestId("review-receive")));
      assert((await text(review)).includes("FeesNone"), "fees: none");
      await axeCheck(page, "the sale's review");
      await shot(page, `sell-review-${page.viewportSize()?.width ?? 0}`);
    },
  });
  const rows = (await api("GET", "/transactions?limit=100", { token: user.token })).body.transactions;
  const paid = rows.find((t) => t.type === "cash" && t.kind === "sell").amount_cents;
  assertEqual(estimate, paid, "the review's estimate is what the sale paid (same prices, the server's rule)");
  assert(sale.receiptText.startsWith(`Sold ${dollars(paid)};`), `the receipt (${sale.receiptText})`);
  const note = sale.receipt.getByTestId("rounding-note");
  if (paid === 500) assertEqual(await note.count(), 0, "no rounding note for an exact sale");
  else assert((await text(note)).startsWith(`You asked for $5.00 and received ${dollars(paid)}: we sell whole micro-shares`), "the rounding explained");
  await axeCheck(page, "the sale's receipt");
  await shot(page, `sell-receipt-${page.viewportSize()?.width ?? 0}`);
}

/** (10) reopening the app while the server is busy keeps the session; a refused refresh ends it, with a message. */
async function reopenJourney({ page }) {
  const user = await createUser("reopen", { onboard: true, depositCents: 77_700 });
  await uiLogin(page, user.email, user.password);
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === "$777.00", WAIT_MS, "the wallet");
  let logouts = 0;
  page.on("request", (r) => {
    if (r.url().endsWith("/api/v1/auth/logout")) logouts++;
  });
  await page.route("**/api/v1/auth/refresh", (route) =>
    route.fulfill({ status: 503, contentType: "application/json", headers: { "Retry-After": "1" }, body: JSON.stringify({ error: { code: "BUSY", message: "too many requests at once: retry in a second" } }) }),
  );
  await page.reload();
  await page.getByRole("heading", { name: "Reconnecting to Parity" }).waitFor();
  assertEqual(new URL(page.url()).pathname, "/", "still on the dashboard's address, not sent to the login page");
  assert((await text(page.getByTestId("reconnecting"))).includes("You are still logged in"), "the investor is told the session is kept");
  await axeCheck(page, "the reconnecting page");
  await shot(page, `reconnecting-${page.viewportSize()?.width ?? 0}`);
  await page.unroute("**/api/v1/auth/refresh");
  await page.getByRole("button", { name: "Try again now" }).click();
  await waitFor(async () => (await page.getByTestId("wallet-cash").count()) && (await text(page.getByTestId("wallet-cash"))) === "$777.00", WAIT_MS, "the wallet after reconnecting");
  assertEqual(logouts, 0, "never logged out");
  // Ended elsewhere: the next reopen's refresh is refused, and the login page says why.
  assertEqual((await api("POST", "/auth/logout-all", { token: await loginToken(user.email, user.password) })).status, 204, "logout-all");
  await page.reload();
  await page.waitForURL((u) => u.pathname === "/login");
  await page.getByText("Your session has ended. Please log in again.").waitFor();
}

/** (11) every page at one width: axe-core finds nothing serious or critical, and a screenshot of each. */
async function everyPageJourney({ page }) {
  const w = page.viewportSize()?.width ?? 0;
  const visit = async (name, ready) => {
    await ready();
    await page.quiet(1000);
    await axeCheck(page, `${name} at ${w}px`);
    await shot(page, `${name}-${w}`);
  };
  await page.goto(`${BASE}/login`);
  await visit("login", () => page.getByRole("heading", { name: "Log in" }).waitFor());
  await page.goto(`${BASE}/register`);
  await visit("register", () => page.getByRole("heading", { name: "Create your account" }).waitFor());
  await page.goto(`${BASE}/forgot-password`);
  await visit("forgot-password", () => page.getByRole("heading", { name: "Reset your password" }).waitFor());
  await page.goto(`${BASE}/reset-password`);
  await visit("reset-password", () => page.getByRole("heading", { name: "Choose a new password" }).waitFor());
  await page.goto(`${BASE}/verify-email`);
  await visit("verify-email", () => page.getByRole("heading", { name: "Confirm your email" }).waitFor());

  const user = await createUser(`pages${w}`, { onboard: true, depositCents: 2_500_000, investCents: 2_000_000 });
  await api("POST", "/portfolio/sell", { token: user.token, body: { amount_cents: 12_345 } });
  await uiLogin(page, user.email, user.password);
  await visit("dashboard", async () => {
    await page.locator("[data-testid=positions] tbody tr[data-symbol]").first().waitFor();
    await page.getByTestId("history-chart").waitFor();
    await page.getByTestId("model").waitFor();
    await page.getByTestId("transactions").locator("tr[data-kind=sell]").getByRole("button", { name: "Sale" }).click();
  });
  await page.getByRole("group", { name: "Move money" }).getByRole("button", { name: "Invest", exact: true }).click();
  await page.getByTestId("invest-form").getByLabel("Amount to invest (dollars)").fill("1000");
  await page.getByTestId("invest-form").getByRole("button", { name: "Review" }).click();
  await visit("invest-review", () => page.getByTestId("invest-review").waitFor());

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Forecast" }).click();
  await page.getByRole("button", { name: "Run the forecast" }).click();
  await visit("forecast", () => page.getByTestId("cone-chart").waitFor({ timeout: WAIT_MS }));

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await page.getByTestId("sessions").waitFor();
  await page.getByLabel("Your password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await visit("account-2fa-setup", () => page.getByTestId("qr-code").waitFor());

  await page.goto(`${BASE}/onboarding`);
  await visit("onboarding", () => page.getByTestId("profile").waitFor());
  await page.goto(`${BASE}/no-such-page`);
  await visit("not-found", () => page.getByRole("heading", { name: "Page not found" }).waitFor());
}

/** A fraction as the SPA writes it: 0.0355 -> "+3.55%" (src/lib/format.ts's rule, written again). */
function percentText(fraction, digits, signed = false) {
  const text = `${(fraction * 100).toFixed(digits)}%`;
  return signed && fraction > 0 ? `+${text}` : text;
}

/**
 * (12) Analytics: an investor with two past years (backdated ledger rows in the bundled prices). The
 * dashboard's risk card shows the API's figures for 1Y; the history compares with the same money in SPY,
 * states the gain and the returns of the range (each checked against the API's own answers, SPY's return
 * from its closes), shows values under the pointer and the keyboard, and its axis does not start at zero.
 * The model page (from the dashboard, and from onboarding's "your recommended portfolio") shows the funds by
 * name and asset class, the risk metrics, the backtest with SPY and 60/40 and its log toggle, the drawdowns,
 * and "Prices as of 1 May 2026 — offline data". axe-core on both pages.
 */
async function analyticsJourney({ page }) {
  const w = page.viewportSize()?.width ?? 0;
  const user = await createUser(`analytics${w}`, { onboard: true });
  backdateInvestor(user.id);
  const bucket = (await api("GET", "/me", { token: user.token })).body.bucket;
  await uiLogin(page, user.email, user.password);

  // The risk card: the API's 1Y figures, formatted as the SPA formats them.
  const risk = (await api("GET", "/portfolio/risk?range=1Y", { token: user.token })).body;
  assertEqual(risk.status, "ok", "the backdated investor's 1Y risk");
  const card = page.getByTestId("risk-card");
  await card.getByTestId("risk-volatility").waitFor();
  assertEqual(await text(card.getByTestId("risk-volatility")), percentText(risk.metrics.volatility, 1), "risk card volatility");
  assertEqual(await text(card.getByTestId("risk-max-drawdown")), percentText(risk.metrics.max_drawdown, 1), "risk card max drawdown");
  await card.getByText("All risk figures, next to SPY").click();
  await card.getByTestId("portfolio-risk-metrics").waitFor();

  // The history over 1Y against SPY.
  const history = page.locator("section", { has: page.getByRole("heading", { name: "History", exact: true }) });
  await history.getByRole("group", { name: "Period" }).getByRole("button", { name: "1Y" }).click();
  const h = (await api("GET", "/portfolio/history?range=1Y", { token: user.token })).body;
  const first = h.points[0];
  const last = h.points[h.points.length - 1];
  const gain = last.value_cents - first.value_cents - (last.net_contributions_cents - first.net_contributions_cents);
  await waitFor(async () => (await text(history.getByTestId("history-twr"))) === percentText(h.twr, 2, true), WAIT_MS, "the 1Y return");
  assertEqual(await text(history.getByTestId("history-gain")), `${gain > 0 ? "+" : ""}${dollars(gain)}`, "the 1Y gain");
  const weekBefore = new Date(Date.parse(`${first.date}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
  const bars = (await api("GET", `/market/prices/SPY?from=${weekBefore}&to=${last.date}`)).body.bars;
  const closeOn = (day) => bars.filter((b) => b.date <= day).at(-1).close;
  await waitFor(
    async () => (await text(history.getByTestId("history-spy"))) === percentText(closeOn(last.date) / closeOn(first.date) - 1, 2, true),
    WAIT_MS,
    "SPY's return over the same days",
  );
  const chart = history.getByTestId("history-chart");
  await chart.locator("path[data-series=spy]").waitFor();
  const labels = await chart.locator(".grid text").allTextContents();
  assert(!labels.includes("$0"), `the 1Y axis starts at zero, hiding the movement: ${labels.join(" ")}`);
  // Values under the pointer, then by keyboard (Home: the first day).
  const readout = history.getByTestId("history-chart-readout");
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await chart.locator(".cursor").waitFor();
  assert(!(await text(readout)).startsWith(await dayText(page, last.date)), "hovering the middle shows another day than the last");
  await chart.focus();
  await page.keyboard.press("Home");
  await waitFor(async () => (await text(readout)).startsWith(await dayText(page, first.date)), WAIT_MS, "Home to show the first day");
  assert((await text(readout)).includes(dollars(first.value_cents)), `the first day's value in the readout: ${await text(readout)}`);
  await page.quiet(1000);
  await axeCheck(page, `dashboard with history at ${w}px`);
  await shot(page, `dashboard-analytics-${w}`);
  // The stale notice on the dashboard needs prices_as_of on GET /portfolio (it is on the model page's answers).
  const portfolio = (await api("GET", "/portfolio", { token: user.token })).body;
  if (portfolio.prices_as_of === "2026-05-01") await page.getByText("Prices as of 1 May 2026 — offline data").first().waitFor();
  else console.log("  note: GET /portfolio has no prices_as_of yet; the dashboard's stale notice is not checked");

  // The model page, from the dashboard's model card, once the pipeline's CMD_BACKTEST (after the models) has
  // stored this bucket's figures: until then the page says "not computed yet".
  await waitFor(
    async () => (await api("GET", `/models/${bucket}/risk`)).status === 200 && (await api("GET", `/models/${bucket}/backtest`)).status === 200,
    WAIT_MS,
    "the model's risk and backtest",
  );
  await page.getByTestId("model-link").click();
  await page.waitForURL((u) => u.pathname === `/models/${bucket}`);
  await page.getByText("Prices as of 1 May 2026 — offline data").waitFor();
  const allocation = page.getByTestId("allocation");
  await allocation.waitFor();
  const model = (await api("GET", `/models/${bucket}`)).body;
  for (const symbol of Object.keys(model.weights)) {
    const row = allocation.locator(`tr[data-symbol="${symbol}"]`);
    assert((await text(row.locator("th"))).length > symbol.length + 5, `${symbol} is named, not a bare ticker: ${await text(row.locator("th"))}`);
    assertEqual(await text(row.locator("td").last()), percentText(model.weights[symbol], 1), `${symbol}'s weight`);
  }
  const modelRisk = (await api("GET", `/models/${bucket}/risk`)).body;
  const sharpeRow = page.getByTestId("risk-metrics").locator("tr[data-metric=sharpe] td");
  assertEqual(await text(sharpeRow.first()), modelRisk.metrics.sharpe.toFixed(2), "the model's Sharpe ratio");
  assertEqual(await text(sharpeRow.last()), modelRisk.benchmark.sharpe.toFixed(2), "SPY's Sharpe ratio");
  const backtest = page.getByTestId("backtest-chart");
  for (const series of [bucket, "SPY", "60/40"]) await backtest.locator(`path[data-series="${series}"]`).waitFor();
  const bt = (await api("GET", `/models/${bucket}/backtest`)).body;
  const cagr = page.getByTestId("backtest-metrics").locator("tr[data-metric=cagr] td");
  assertEqual(await text(cagr.first()), percentText(bt.series[bucket].metrics.cagr, 2), "the backtest's CAGR");
  assertEqual(await text(cagr.nth(1)), percentText(bt.series.SPY.metrics.cagr, 2), "SPY's CAGR");
  const linear = await backtest.locator(`path[data-series="${bucket}"]`).getAttribute("d");
  await page.getByTestId("log-toggle").click();
  await page.locator("[data-testid=backtest-chart][data-scale=log]").waitFor();
  assertEqual(await page.getByTestId("log-toggle").getAttribute("aria-pressed"), "true", "the log toggle is pressed");
  assert((await backtest.locator(`path[data-series="${bucket}"]`).getAttribute("d")) !== linear, "the log scale redraws the line");
  await page.getByTestId("drawdown-chart").locator("path[data-series=SPY]").waitFor();
  await page.quiet(1000);
  await axeCheck(page, `model page at ${w}px`);
  await shot(page, `model-${w}`);

  // From onboarding's result to the recommended portfolio.
  await page.goto(`${BASE}/onboarding`);
  await page.getByRole("link", { name: "See your recommended portfolio" }).click();
  await page.waitForURL((u) => u.pathname === `/models/${bucket}`);
  await page.getByTestId("allocation").waitFor();
}

/** A day as the page writes it (formatDay: "May 1, 2026"), computed in the page. */
async function dayText(page, day) {
  return page.evaluate((d) => {
    const [y, m, dd] = d.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, dd)).toLocaleDateString("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
  }, day);
}

// ------------------------------------------------------------------ recurring deposits and card deposits

const INTERNAL_URL = process.env.E2E_INTERNAL_URL ?? "";
const INTERNAL_SECRET = process.env.INTERNAL_SECRET ?? "";
const STRIPE_WEBHOOK_SECRET = process.env.E2E_STRIPE_WEBHOOK_SECRET ?? "";

/** POST /internal/recurring for `day`: the daily job, with the schedule's clock set to that day. */
async function runRecurring(day) {
  const res = await fetch(`${INTERNAL_URL}/internal/recurring`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Internal-Secret": INTERNAL_SECRET },
    body: JSON.stringify({ day }),
  });
  const body = await res.text();
  assertEqual(res.status, 200, `POST /internal/recurring ${day}: ${body}`);
  return JSON.parse(body);
}

/** A recurring deposit set up in the app fires on its date (the job run for that day), once, and is invested. */
async function recurringJourney({ page }) {
  const phone = page.viewportSize().width < 600;
  const w = phone ? "390" : "1280";
  const user = await createUser(`recurring${w}`, { onboard: true });
  await uiLogin(page, user.email, user.password);
  await page.getByRole("link", { name: "Set up a recurring deposit" }).click();
  await page.getByRole("heading", { name: "Recurring deposits" }).waitFor();
  await page.getByRole("button", { name: "Set up a recurring deposit" }).click();
  const form = page.getByTestId("recurring-form");
  await form.getByLabel("Amount each time (dollars)").fill("250");
  await form.getByLabel("How often").selectOption("weekly");
  await form.getByLabel("Day of the week").selectOption({ label: "Monday" });
  await form.getByRole("button", { name: "Review" }).click();
  const review = page.getByTestId("recurring-review");
  await review.waitFor();
  assert((await text(review)).includes("Invested in your model portfolio"), "the review says the deposits are invested");
  await axeCheck(page, `recurring review ${w}`);
  const shots = [await shot(page, `recurring-review-${w}`)];
  await review.getByRole("button", { name: /^Confirm/ }).click();
  const receipt = await text(page.getByTestId("recurring-receipt").getByTestId("receipt-text"));
  const list = await api("GET", "/recurring-deposits", { token: user.token });
  const s = list.body.recurring_deposits[0];
  assertEqual(new Date(`${s.next_day}T00:00:00Z`).getUTCDay(), 1, "the first date is a Monday");
  assert(receipt.startsWith("$250.00, every Monday. Next deposit:"), `receipt: ${receipt}`);
  await page.getByTestId("schedule").waitFor();
  await axeCheck(page, `recurring page ${w}`);
  shots.push(await shot(page, `recurring-${w}`));

  // The day before its date nothing moves; on its date (twice: a retried job) one deposit, invested.
  const before = new Date(Date.parse(`${s.next_day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  await runRecurring(before);
  assertEqual((await api("GET", "/portfolio", { token: user.token })).body.net_contributions_cents, 0, "nothing before the date");
  await runRecurring(s.next_day);
  await runRecurring(s.next_day);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await waitFor(async () => (await text(page.getByTestId("portfolio-contributions"))) === "$250.00", WAIT_MS, "the recurring deposit invested");
  await waitFor(async () => (await api("GET", "/portfolio", { token: user.token })).body.pending_cents === 0, WAIT_MS, "the deposit deployed");
  await page.reload();
  const card = page.getByTestId("recurring-card");
  const next = new Date(Date.parse(`${s.next_day}T00:00:00Z`) + 7 * 86_400_000);
  const nextText = next.toLocaleDateString("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
  await waitFor(async () => (await text(card)).includes(`next ${nextText}`), WAIT_MS, `the card to show the next date ${nextText}`);
  assertEqual((await api("GET", "/wallet", { token: user.token })).body.cash_cents, 0, "the deposit went into the portfolio");
  await axeCheck(page, `dashboard with a recurring deposit ${w}`);
  shots.push(await shot(page, `dashboard-recurring-${w}`));
  return shots;
}

/** Stripe's signature of a webhook body (https://docs.stripe.com/webhooks#verify-manually). */
function stripeSignature(body, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${createHmac("sha256", STRIPE_WEBHOOK_SECRET).update(`${t}.${body}`).digest("hex")}`;
}

// Stripe.js as the page would get it from js.stripe.com, replaced here (no network in the test) by a
// stand-in with the same surface: Stripe(key).elements({clientSecret}).create("payment").mount(el), and
// confirmPayment, which succeeds as a test card would.
const FAKE_STRIPE_JS = `window.Stripe = function (key) {
  return {
    elements: function (opts) {
      return { create: function () { return {
        mount: function (el) { var d = document.createElement("p"); d.textContent = "Test card 4242 4242 4242 4242"; d.setAttribute("data-testid", "fake-card"); el.appendChild(d); },
        destroy: function () {} }; } };
    },
    confirmPayment: function () { return Promise.resolve({ paymentIntent: { id: "pi", status: "succeeded" } }); }
  };
};`;

/** A card deposit: the intent through the Stripe stand-in, Stripe's form, the signed webhook credits once. */
async function cardDepositJourney({ page }) {
  const phone = page.viewportSize().width < 600;
  const w = phone ? "390" : "1280";
  let stripeJsLoads = 0;
  await page.route("https://js.stripe.com/v3/", (route) => {
    stripeJsLoads++;
    return route.fulfill({ status: 200, contentType: "application/javascript", body: FAKE_STRIPE_JS });
  });
  const user = await createUser(`card${w}`, { onboard: true });
  await uiLogin(page, user.email, user.password);
  const form = page.getByTestId("card-form");
  await form.getByLabel("Amount to deposit by card (dollars)").fill("42.50");
  await form.getByRole("button", { name: "Review" }).click();
  const review = page.getByTestId("card-review");
  await review.waitFor();
  assertEqual(stripeJsLoads, 0, "Stripe.js is not loaded before the payment step");
  await axeCheck(page, `card review ${w}`);
  const shots = [await shot(page, `card-review-${w}`)];
  await review.getByRole("button", { name: /^Continue to card payment/ }).click();
  await page.getByTestId("fake-card").waitFor();
  assertEqual(stripeJsLoads, 1, "Stripe.js loaded once, for the payment");
  await page.getByRole("button", { name: "Pay $42.50" }).click();
  const receipt = page.getByTestId("card-receipt");
  await receipt.waitFor();
  const pi = /Reference: (pi_[A-Za-z0-9]+)/.exec(await text(receipt))?.[1];
  assert(pi, "the receipt names the PaymentIntent");
  assertEqual((await api("GET", "/wallet", { token: user.token })).body.cash_cents, 0, "nothing credited before the webhook");

  // Stripe's payment_intent.succeeded, signed; then the same event again (Stripe retries deliveries).
  const event = JSON.stringify({
    id: `evt_e2e_${pi}`,
    object: "event",
    type: "payment_intent.succeeded",
    data: { object: { id: pi, object: "payment_intent", amount: 4250, amount_received: 4250, currency: "usd", status: "succeeded" } },
  });
  const deliver = (signature) =>
    fetch(`${BASE}/api/v1/webhooks/stripe`, { method: "POST", headers: { "Content-Type": "application/json", "Stripe-Signature": signature }, body: event });
  const first = await deliver(stripeSignature(event));
  assertEqual(first.status, 200, "the signed webhook is accepted");
  assertEqual((await first.json()).credited_cents, 4250, "the first delivery credits");
  const replay = await deliver(stripeSignature(event));
  assertEqual(replay.status, 200, "a replayed event is acknowledged");
  assertEqual((await replay.json()).duplicate, true, "and recognised");
  const forged = await deliver(stripeSignature(event, Math.floor(Date.now() / 1000) - 600));
  assertEqual(forged.status, 400, "an out-of-tolerance signature is refused");
  await waitFor(async () => (await text(receipt.getByTestId("receipt-text"))) === "Deposited $42.50 by card: it is in your wallet.", WAIT_MS, "the receipt to see the credit");
  await waitFor(async () => (await text(page.getByTestId("wallet-cash"))) === "$42.50", WAIT_MS, "the wallet to show $42.50");
  assertEqual((await api("GET", "/wallet", { token: user.token })).body.cash_cents, 4250, "credited once");
  await axeCheck(page, `card receipt ${w}`);
  shots.push(await shot(page, `card-receipt-${w}`));
  return shots;
}

/**
 * A goal: saved through the Goals page, its chance of success computed by the server (the same figure as the
 * API's), shown on the dashboard's card; then the bell: the deposit and the sign-in are listed, opening it
 * marks them read. axe and screenshots on the goals page, the dashboard card and the open bell.
 */
async function goalAndNotificationJourney({ page }) {
  const w = page.viewportSize().width;
  const user = await createUser(`goal${w}`, { onboard: true, depositCents: 3_000_000, investCents: 2_500_000 });
  await uiLogin(page, user.email, user.password);
  if (w < 700) await page.goto(`${BASE}/goals`);
  else await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Goals" }).click();
  await page.getByRole("heading", { name: "Goals", exact: true }).waitFor();
  await page.getByText("No goals yet: add one below.").waitFor();
  const target = new Date();
  target.setUTCFullYear(target.getUTCFullYear() + 10);
  const day = target.toISOString().slice(0, 10);
  await page.getByLabel("Name").fill("House");
  await page.getByLabel("Target amount (dollars)").fill("60,000");
  await page.getByLabel("Target date").fill(day);
  await page.getByLabel("Monthly contribution (dollars)").fill("200");
  await page.getByRole("button", { name: "Add goal" }).click();
  const status = page.getByTestId("goal-status");
  await waitFor(async () => /% chance/.test(await text(status)), WAIT_MS, "the goal's chance to be computed");
  const goals = (await api("GET", "/goals", { token: user.token })).body.goals;
  assertEqual(goals.length, 1, "one goal saved");
  assertEqual(goals[0].target_cents, 6_000_000, "the goal's target in cents");
  assertEqual(goals[0].monthly_cents, 20_000, "the goal's monthly contribution in cents");
  const pct = `${Math.round(goals[0].probability * 100)}% chance`;
  assert((await text(status)).startsWith(pct), `the page shows the API's probability (${await text(status)} vs ${pct})`);
  await page.quiet(1000);
  await axeCheck(page, `goals at ${w}px`);
  const shots = [await shot(page, `goals-${w}`)];

  await page.goto(`${BASE}/`);
  const card = page.getByTestId("dashboard-goals");
  await card.waitFor();
  assert((await text(card)).includes("House") && (await text(card)).includes(pct), "the dashboard's goals card shows the goal");

  const bell = page.getByTestId("bell");
  const unread = Number(await text(page.getByTestId("bell-count")));
  assert(unread >= 2, `the bell counts the deposit and the sign-ins (${unread})`);
  await bell.click();
  const list = page.getByTestId("notifications");
  await list.waitFor();
  const kinds = await list.locator("li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-kind")));
  assert(kinds.includes("deposit_credited") && kinds.includes("new_sign_in"), `deposit and sign-in listed (${kinds})`);
  assert((await text(list)).includes("Your deposit of $30,000.00 is in your wallet"), "the deposit's notification names its amount");
  await waitFor(async () => (await page.getByTestId("bell-count").count()) === 0, WAIT_MS, "the unread count to clear");
  assertEqual((await api("GET", "/notifications", { token: user.token })).body.unread, 0, "opening the bell marked them read");
  await page.quiet(1000);
  await axeCheck(page, `notifications at ${w}px`);
  shots.push(await shot(page, `notifications-${w}`, false));
  await page.keyboard.press("Escape");
  await axeCheck(page, `dashboard with goals at ${w}px`);
  shots.push(await shot(page, `dashboard-goals-${w}`));
  return shots;
}

/** Dark mode (prefers-color-scheme: dark): the same pages pass axe (colour contrast included), screenshots. */
async function darkModeJourney({ page }) {
  const w = page.viewportSize().width;
  const user = await createUser(`dark${w}`, { onboard: true, depositCents: 2_000_000, investCents: 1_500_000 });
  await api("POST", "/goals", { token: user.token, body: { name: "Boat", target_cents: 9_000_000, target_date: `${new Date().getUTCFullYear() + 5}-06-30` } });
  await uiLogin(page, user.email, user.password);
  const bg = await page.evaluate(() => window.getComputedStyle(document.documentElement).backgroundColor);
  assertEqual(bg, "rgb(13, 19, 25)", "the dark background follows the system setting");
  const shots = [];
  for (const [name, path, ready] of [
    ["dashboard", "/", () => page.getByTestId("history-chart").waitFor()],
    ["goals", "/goals", () => waitFor(async () => /% chance/.test(await text(page.getByTestId("goal-status"))), WAIT_MS, "the goal's chance")],
    ["forecast", "/forecast", async () => {
      await page.getByRole("button", { name: "Run the forecast" }).click();
      await page.getByTestId("cone-chart").waitFor({ timeout: WAIT_MS });
    }],
  ]) {
    await page.goto(`${BASE}${path}`);
    await ready();
    await page.quiet(1000);
    await axeCheck(page, `${name} (dark) at ${w}px`);
    shots.push(await shot(page, `dark-${name}-${w}`));
  }
  return shots;
}

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** (18) taxes: a sale's review shows what it would realise; the Taxes page shows the year's gains by term, the
 * open lots and downloads the Form 8949 CSV, all as the API computes them; harvesting switched on in Account. */
async function taxJourney({ page }) {
  const user = await createUser("taxes", { onboard: true, depositCents: 2_500_000, investCents: 2_000_000 });
  await uiLogin(page, user.email, user.password);
  await page.locator("[data-testid=positions] tbody tr[data-symbol]").first().waitFor();
  const w = page.viewportSize()?.width ?? 0;
  await moveMoney(page, "sell", "500.00", {
    onReview: async (review) => {
      const preview = review.getByTestId("sale-preview");
      await preview.waitFor();
      assert((await text(preview.getByTestId("sale-preview-sentence"))).length > 0, "the review says what the sale realises");
      assert((await preview.getByTestId("sale-preview-lots").locator("tbody tr").count()) > 0, "the lots the sale would close");
      await shot(page, `tax-sale-preview-${w}`);
    },
  });
  const year = new Date().getUTCFullYear();
  const realized = (await api("GET", `/tax/realized?year=${year}`, { token: user.token })).body;
  const lots = (await api("GET", "/tax/lots", { token: user.token })).body.lots;
  const report = (await api("GET", `/tax/report?year=${year}`, { token: user.token })).body.rows;
  assert(report.length > 0, "the sale closed lots");

  await page.getByRole("link", { name: "Taxes", exact: true }).first().click();
  await page.getByRole("heading", { name: "Taxes", level: 1 }).waitFor();
  const table = page.getByTestId("tax-realized");
  await table.waitFor();
  const signed = (t) => cents(t.replace(/^\+/, ""));
  assertEqual(signed(await text(table.getByTestId("tax-total-gain"))), realized.short.gain_cents + realized.long.gain_cents, "the year's total gain");
  assertEqual(signed(await text(table.locator("tr[data-term=short] td").nth(2))), realized.short.gain_cents, "the short-term gain");
  assertEqual(await page.getByTestId("tax-lots").locator("tbody tr").count(), lots.length, "one row per open lot");
  const download = page.waitForEvent("download");
  await page.getByTestId("tax-report-download").click();
  const { readFile } = await import("node:fs/promises");
  const csv = (await readFile(await (await download).path(), "utf8")).trim().split(/\r?\n/);
  assertEqual(csv[0], "description,acquired,sold,proceeds,basis,code,adjustment,gain,term", "the Form 8949 columns");
  assertEqual(csv.length, report.length + 1, "one CSV line per closed lot");
  // The years offered are those since the account opened: this one only.
  assertEqual((await page.getByTestId("tax-year").locator("option").allTextContents()).join(","), String(year), "the tax years offered");
  await page.quiet(500);
  await axeCheck(page, "the Taxes page");
  await shot(page, `taxes-${w}`);

  await page.getByRole("link", { name: "Account", exact: true }).first().click();
  const harvesting = page.getByTestId("harvesting-switch");
  await harvesting.waitFor();
  assert(!(await harvesting.isChecked()), "harvesting starts off");
  await harvesting.click(); // the switch shows the saved setting: it turns on once the server has it
  await waitFor(() => harvesting.isChecked(), WAIT_MS, "the switch on");
  await waitFor(async () => (await api("GET", "/me/settings", { token: user.token })).body.tax_loss_harvesting === true, WAIT_MS, "the switch saved");
  await page.reload();
  await page.getByTestId("harvesting-switch").waitFor();
  assert(await page.getByTestId("harvesting-switch").isChecked(), "the switch stays on after a reload");
  await axeCheck(page, "the account's tax settings");
}

/** (19) the month's statement: the page shows what the API computes, and its PDF and a trade's confirmation
 * download as PDFs holding the investor's figures. */
async function statementJourney({ page }) {
  const user = await createUser("statement", { onboard: true, depositCents: 1_500_000, investCents: 1_000_000 });
  const months = (await api("GET", "/statements", { token: user.token })).body.months;
  const month = months[0].month;
  const statement = (await api("GET", `/statements/${month}`, { token: user.token })).body;
  await uiLogin(page, user.email, user.password);
  await page.getByRole("link", { name: "Statements", exact: true }).first().click();
  await page.getByRole("heading", { name: "Statements", level: 1 }).waitFor();
  const summary = page.getByTestId("statement-summary");
  await summary.waitFor();
  assertEqual(await page.getByTestId("statement-month").inputValue(), month, "the newest month is shown first");
  for (const [id, value] of [["st-opening", statement.opening_value_cents], ["st-contributions", statement.contributions_cents], ["st-closing", statement.closing_value_cents]])
    assertEqual(cents(await text(summary.getByTestId(id))), value, `${id} as the API computes it`);
  assertEqual(statement.contributions_cents, 1_500_000, "the month's deposit is its contribution");
  const trades = page.getByTestId("statement-trades").locator("tbody tr");
  assertEqual(await trades.count(), statement.trades.length, "one row per trade of the month");
  const { readFile } = await import("node:fs/promises");
  const pdfOf = async (button) => {
    const download = page.waitForEvent("download");
    await button.click();
    return readFile(await (await download).path(), "latin1");
  };
  const pdf = await pdfOf(page.getByTestId("statement-pdf"));
  assert(pdf.startsWith("%PDF-") && pdf.trimEnd().endsWith("%%EOF"), "the statement is a whole PDF");
  assert(pdf.includes(user.email) && pdf.includes(dollars(statement.closing_value_cents)), "the PDF holds the investor and the closing value");
  const first = statement.trades[0];
  const confirmation = await pdfOf(page.getByTestId(`confirmation-${first.id}`).first());
  assert(confirmation.startsWith("%PDF-") && confirmation.includes(first.symbol), "the trade's confirmation is a PDF naming its fund");
  await axeCheck(page, "the statement");
  await shot(page, `statement-${page.viewportSize()?.width ?? 0}`);
}

const JOURNEYS = [
  ["register, verify, onboard, deposit, invest, portfolio, forecast cone, sell all, withdraw", investorJourney],
  ["a wrong password shows the error", wrongPasswordJourney],
  ["an expired access token is refreshed once and the app carries on; a reload restores the session", tokenRefreshJourney],
  ["dashboard and forecast at phone width: the portfolio first, money behind buttons, no column cut off", phoneJourney, PHONE_CONTEXT],
  ["two-factor authentication: set up, then log in with a recovery code", twoFactorJourney],
  ["forgot and reset password", resetPasswordJourney],
  ["ending another session logs that browser out", sessionsJourney],
  ["a failed wallet load shows the problem and a retry, never $0.00", failedWalletJourney],
  ["a failed wallet load at phone width", failedWalletJourney, PHONE_CONTEXT],
  ["a $5.00 sale: review with estimated trades, confirm, receipt with the rounding explained", saleReviewJourney],
  ["the sale's review and receipt at phone width", saleReviewJourney, PHONE_CONTEXT],
  ["reopening while the server is busy keeps the session; a refused refresh ends it with a message", reopenJourney],
  ["every page at 1280x800: axe-core and screenshots", everyPageJourney],
  ["every page at 390x844: axe-core and screenshots", everyPageJourney, PHONE_CONTEXT],
  ["analytics: risk card, history against SPY, the model page with backtest and drawdowns, at 1280x800", analyticsJourney],
  ["analytics at 390x844", analyticsJourney, PHONE_CONTEXT],
  ["a recurring deposit set up in the app fires on its date, once, and is invested", recurringJourney],
  ["a recurring deposit at phone width", recurringJourney, PHONE_CONTEXT],
  ["a card deposit through the Stripe stand-in: a signed webhook credits once, a replay does not", cardDepositJourney],
  ["a card deposit at phone width", cardDepositJourney, PHONE_CONTEXT],
  ["a goal's chance of success, the dashboard's goals card, and the bell's notifications", goalAndNotificationJourney],
  ["a goal and the bell at phone width", goalAndNotificationJourney, PHONE_CONTEXT],
  ["dark mode: dashboard, goals and forecast pass axe at 1280x800", darkModeJourney, { colorScheme: "dark" }],
  ["dark mode at phone width", darkModeJourney, { ...PHONE_CONTEXT, colorScheme: "dark" }],
  ["taxes: the sale's preview, the year's gains, lots and Form 8949 CSV, the harvesting switch", taxJourney],
  ["taxes at phone width", taxJourney, PHONE_CONTEXT],
  ["the month's statement as the API computes it, its PDF and a trade's confirmation", statementJourney],
  ["a statement at phone width", statementJourney, PHONE_CONTEXT],
];

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const only = process.argv[2] ? new RegExp(process.argv[2], "i") : null;
  // Playwright starts Chromium on a fresh temporary user-data-dir and deletes it on close; each journey
  // then gets its own incognito-like context (no shared cookies or storage).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  console.log(`e2e: Chromium ${browser.version()} against ${BASE}`);
  let passed = 0;
  let failed = 0;
  const screenshots = [];
  let n = 0;
  for (const [name, journey, contextOptions] of JOURNEYS) {
    n++;
    if (only && !only.test(name)) continue;
    const t0 = Date.now();
    const ctx = await openPage(browser, contextOptions);
    let timer;
    try {
      const result = await Promise.race([
        journey({ ...ctx, browser }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`journey timed out after ${JOURNEY_TIMEOUT_MS} ms`)), JOURNEY_TIMEOUT_MS);
        }),
      ]);
      if (ctx.problems.length) throw new Error(`page problems: ${ctx.problems.join("; ")}`);
      if (Array.isArray(result)) screenshots.push(...result);
      passed++;
      console.log(`ok ${n} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed++;
      const where = await shot(ctx.page, `failure-${n}`).catch(() => "no screenshot");
      console.log(`not ok ${n} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n  ${String(err?.stack ?? err).split("\n").slice(0, 6).join("\n  ")}\n  page: ${ctx.page.url()}  screenshot: ${where}`);
    } finally {
      clearTimeout(timer); // a pending timer would keep Node running after the last journey
      await ctx.context.close();
    }
  }
  await browser.close();
  for (const s of screenshots) console.log(`screenshot: ${s}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  console.log("0 passed, 1 failed");
  process.exitCode = 1;
});
