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
    if (err.status >= 500 && !err.message) return "Parity had a problem answering. Please try again.";
    return sentence(err.message);
  }
  if (err instanceof Error) return sentence(err.message);
  return "Something went wrong. Please try again.";
}
