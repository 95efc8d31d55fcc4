// Helpers for the browser journeys: the API seen from Node (to set up users and to check what the UI
// shows), the emails the daemon writes as .eml files, TOTP codes (RFC 6238) and HS256 tokens.
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export const BASE = process.env.E2E_BASE_URL ?? "http://127.0.0.1:48081";
export const MAIL_DIR = process.env.E2E_MAIL_DIR ?? "";
const API = `${BASE}/api/v1`;
const POLL_MS = 100;
// Every wait is a deadline, never a pause (a passing journey waits for none of them), sized for a shared machine
// ten times slower than an idle one: anything the app or the daemons do after a click or a request, mail and
// the worker's deployments and forecasts included, takes at most a few seconds here when idle.
export const WAIT_MS = 120_000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `fn` returns something truthy (or throws after `timeoutMs`). */
export async function waitFor(fn, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function assertEqual(actual, expected, message) {
  if (actual !== expected) throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** A unique address and a password well above the server's zxcvbn bar. */
export function newCredentials(tag) {
  return {
    email: `e2e-${tag}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}@example.com`,
    password: `Quiet-${randomBytes(9).toString("base64url")}-harbour`,
  };
}

// ------------------------------------------------------------------ money, as the SPA formats it

/** Integer cents as "$1,234.56" (the same rule as src/lib/money.ts, written independently). */
export function dollars(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}$${whole}.${String(abs % 100).padStart(2, "0")}`;
}

/** "$1,234.56" back to 123456. */
export function cents(text) {
  const m = /^(-?)\$([\d,]+)\.(\d\d)$/.exec(text.trim());
  if (!m) throw new Error(`not a money figure: ${JSON.stringify(text)}`);
  const value = Number(m[2].replace(/,/g, "")) * 100 + Number(m[3]);
  return m[1] ? -value : value;
}

// ------------------------------------------------------------------ the API from Node

// The daemon hashes at most two passwords at once and answers 503 BUSY (Retry-After: 1) when a hash waited too
// long for its turn; on a loaded machine the set-up calls wait and try again, until WAIT_MS, rather than fail.
export async function api(method, path, { token, body, headers = {} } = {}) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const res = await fetch(`${API}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status === 503 && res.headers.has("Retry-After") && Date.now() < deadline) {
      await sleep(1000 * Number(res.headers.get("Retry-After") ?? 1));
      continue;
    }
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
}

async function ok(method, path, opts, expected) {
  const r = await api(method, path, opts);
  if (r.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// ------------------------------------------------------------------ mail

/** The newest .eml to `email` whose subject contains `subject`, newer than `since` (ms). */
export async function waitMail(email, subject, since = 0) {
  return waitFor(
    async () => {
      let names;
      try {
        names = await readdir(MAIL_DIR);
      } catch {
        return null;
      }
      let best = null;
      for (const name of names.filter((n) => n.endsWith(".eml")).sort().reverse()) {
        const text = await readFile(join(MAIL_DIR, name), "utf8");
        if (!text.includes(`To: ${email}`) || !text.includes(`Subject: ${subject}`)) continue;
        const date = Date.parse(/^Date: (.*)$/m.exec(text)?.[1] ?? "");
        if (!Number.isNaN(date) && date + 1000 < since) continue;
        best = text;
        break;
      }
      return best;
    },
    WAIT_MS,
    `an email "${subject}" to ${email} in ${MAIL_DIR}`,
  );
}

/** The first link to `path` (e.g. "/verify-email") in an email. */
export function linkIn(mail, path) {
  const m = new RegExp(`https?://[^\\s]+${path.replace(/[/-]/g, "\\$&")}\\?token=[A-Za-z0-9_-]+`).exec(mail);
  if (!m) throw new Error(`no ${path} link in the email:\n${mail}`);
  return m[0];
}

/**
 * A verified account made through the API, optionally onboarded (risk 4, long horizon) with money
 * deposited and invested (waiting until it is deployed). Returns its credentials, id and a token.
 */
export async function createUser(tag, { onboard = false, depositCents = 0, investCents = 0 } = {}) {
  const creds = newCredentials(tag);
  const started = Date.now();
  await ok("POST", "/auth/register", { body: creds }, 202);
  const token = new URL(linkIn(await waitMail(creds.email, "Confirm your email", started), "/verify-email")).searchParams.get("token");
  await ok("POST", "/auth/verify-email", { body: { token } }, 200);
  const login = await ok("POST", "/auth/login", { body: creds }, 200);
  const access = login.access_token;
  const me = await ok("GET", "/me", { token: access }, 200);
  if (onboard)
    await ok("POST", "/onboarding", { token: access, body: { answers: { age: "30_44", goal: "growth", drop_reaction: "hold", horizon: "over_7" } } }, 200);
  if (depositCents) await ok("POST", "/wallet/deposits", { token: access, body: { amount_cents: depositCents } }, 201);
  if (investCents) {
    await ok("POST", "/portfolio/invest", { token: access, body: { amount_cents: investCents } }, 201);
    await waitFor(
      async () => {
        const p = await ok("GET", "/portfolio", { token: access }, 200);
        return p.pending_cents === 0 && p.positions.length > 0;
      },
      WAIT_MS,
      "the investment to be deployed",
    );
  }
  return { ...creds, id: me.id, token: access };
}

/** A fresh access token for an existing account (another session of it). */
export async function loginToken(email, password) {
  return (await ok("POST", "/auth/login", { body: { email, password } }, 200)).access_token;
}

// ------------------------------------------------------------------ TOTP (RFC 6238) and JWT (RFC 7519)

function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/=+$/, "").toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit TOTP code of a base32 secret at `time` (SHA-1, 30 s steps). */
export function totp(secret, time = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 1000 / 30)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

const b64url = (data) => Buffer.from(data).toString("base64url");

/**
 * An HS256 access token with the claims of one the daemon issued (sub, jti: the session checks the jti)
 * but our own iat and exp.
 */
export function signAccessToken(secret, { sub, jti, iat, exp }) {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ aud: "parity-api", exp, iat, iss: "parity", jti, sub: String(sub) }));
  const sig = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${sig}`;
}

// ------------------------------------------------------------------ the database, for a past the API cannot make

/** Runs SQL on the stack's database (run-e2e.sh exports DATABASE_URL); returns psql's unaligned output. */
export function sql(text) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (run the journeys through run-e2e.sh)");
  return execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", text], { encoding: "utf8" }).trim();
}

/**
 * Gives a fresh investor two past years inside the bundled prices, written as operational writes them
 * (tests/integration/test_history.py's Ledger does the same): on 2024-05-01 $50,000 deposited and invested,
 * 60% VTI and 40% BND at the 2024-04-30 closes; on 2025-06-02 $10,000 more into VTI at the 2025-05-30 close.
 * Positions and balances then match the rows (SPEC §5's invariant). The history and risk endpoints rebuild
 * everything from these rows and the daily closes.
 */
export function backdateInvestor(userId) {
  const uid = Number(userId);
  if (!Number.isSafeInteger(uid)) throw new Error(`not a user id: ${userId}`);
  const buy = (day, at, symbol, budget) => `
    INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, created_at)
    SELECT ${uid}, '${symbol}', 'buy', s.shares, s.micros, (s.shares * s.micros + 5000000000) / 10000000000, 'invest', '${at}'
    FROM (SELECT ${budget}::bigint * 10000000000 / p.micros AS shares, p.micros
          FROM (SELECT round(close * 1000000)::bigint AS micros FROM daily_prices WHERE symbol = '${symbol}' AND day = '${day}') p) s;`;
  sql(`BEGIN;
    INSERT INTO wallets (user_id) VALUES (${uid}) ON CONFLICT DO NOTHING;
    INSERT INTO portfolios (user_id) VALUES (${uid}) ON CONFLICT DO NOTHING;
    INSERT INTO cash_movements (user_id, kind, amount_cents, created_at) VALUES
      (${uid}, 'deposit', 5000000, '2024-05-01 10:00-04'), (${uid}, 'invest', 5000000, '2024-05-01 10:05-04'),
      (${uid}, 'deposit', 1000000, '2025-06-02 10:00-04'), (${uid}, 'invest', 1000000, '2025-06-02 10:05-04');
    ${buy("2024-04-30", "2024-05-01 10:05:01-04", "VTI", 3_000_000)}
    ${buy("2024-04-30", "2024-05-01 10:05:01-04", "BND", 2_000_000)}
    ${buy("2025-05-30", "2025-06-02 10:05:01-04", "VTI", 1_000_000)}
    INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents)
      SELECT user_id, symbol, sum(shares_micro), sum(amount_cents) FROM trades WHERE user_id = ${uid} GROUP BY 1, 2
      ON CONFLICT (user_id, symbol) DO UPDATE SET shares_micro = EXCLUDED.shares_micro, cost_basis_cents = EXCLUDED.cost_basis_cents;
    UPDATE wallets SET cash_cents = 0 WHERE user_id = ${uid};
    UPDATE portfolios SET cash_cents = 6000000 - (SELECT sum(amount_cents) FROM trades WHERE user_id = ${uid}), pending_cents = 0
      WHERE user_id = ${uid};
    COMMIT;`);
}
