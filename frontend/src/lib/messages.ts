// API errors as sentences for people: a few codes get our own wording, the rest use the server's message.
import { ApiError } from "../api/client";

const FRIENDLY: Record<string, string> = {
  INVALID_CREDENTIALS: "The email or the password is wrong.",
  EMAIL_NOT_VERIFIED: "Confirm your email address first: open the link we sent you, then log in.",
  INSUFFICIENT_FUNDS: "Your wallet does not hold that much cash.",
  AMOUNT_EXCEEDS_VALUE: "That is more than your portfolio is worth.",
  NOTHING_TO_SELL: "There is nothing in your portfolio to sell.",
  ONBOARDING_REQUIRED: "Answer the four onboarding questions first, so we know how to invest for you.",
  NO_MODEL_YET: "Your model portfolio is not ready yet; try again in a minute.",
  INVALID_MFA_TOKEN: "This login step expired. Log in again with your password.",
  SESSION_EXPIRED: "Your session has ended. Please log in again.",
  SESSION_REVOKED: "Your session has ended. Please log in again.",
  REFRESH_TOKEN_REUSED: "For your security your session was ended. Please log in again.",
  INVALID_REFRESH_TOKEN: "Your session has ended. Please log in again.",
};

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return "Something went wrong. Please try again.";
  const capital = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function minutes(seconds: number): string {
  const m = Math.ceil(seconds / 60);
  return m <= 1 ? "a minute" : `${m} minutes`;
}

/** What to tell the user about `err` (an ApiError or anything thrown). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "ACCOUNT_LOCKED")
      return `Too many failed attempts: this account is locked${err.retryAfter ? ` for ${minutes(err.retryAfter)}` : " for a while"}.`;
    if (err.code === "RATE_LIMITED")
      return `Too many requests; try again${err.retryAfter ? ` in ${err.retryAfter} s` : " shortly"}.`;
    const mine = FRIENDLY[err.code];
    if (mine) return mine;
    // Never the server's own words for these: a proxy's "Bad Gateway", a router's "No route for GET …" or
    // an internal error's text mean nothing to an investor.
    if (err.status === 0) return "Cannot reach Parity: check your connection and try again.";
    if (err.status === 429 || err.code === "BUSY" || err.status === 503) return "Parity is busy right now; try again in a moment.";
    if (err.status >= 500 || err.code.startsWith("HTTP_") || err.status === 404)
      return "Parity had a problem answering. Please try again in a moment.";
    return sentence(err.message);
  }
  if (err instanceof Error) return sentence(err.message);
  return "Something went wrong. Please try again.";
}

/** Why `what` (e.g. "your wallet") could not be loaded, in plain words: never the server's text. */
export function loadErrorMessage(what: string, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return `We could not load ${what}: Parity cannot be reached. Check your connection.`;
    if (err.status === 429 || err.code === "BUSY")
      return `We could not load ${what}: Parity is busy${err.retryAfter ? ` (try again in ${err.retryAfter} s)` : ""}.`;
    if (err.status === 401) return `We could not load ${what}: your session has ended.`;
  }
  return `We could not load ${what}: Parity had a problem answering.`;
}
