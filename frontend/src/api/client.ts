// The one way the SPA talks to the API: JSON in and out, the access token kept in memory only, and the
// refresh cookie (HttpOnly, path /api/v1/auth) rotated through POST /auth/refresh when a request answers 401.
//
// Refreshes are serialised: presenting one refresh cookie twice revokes the whole session family (the
// server's reuse detection cannot tell a race from a theft), so concurrent 401s share a single refresh,
// and across tabs the Web Locks API (where the browser has it) queues refreshes one behind the other.
// A request that failed with 401 is retried once, and only after a successful refresh. A refresh the server
// could not answer (offline, 429, 5xx) is not a refusal: the session is kept and the error goes to the caller.

import type { ApiErrorBody, LoginAnswer } from "./types";

export const API_PREFIX = "/api/v1";
const REFRESH_PATH = "/auth/refresh";
const REFRESH_LOCK = "parity-refresh";

/** An error answer of the API (or NETWORK_ERROR / HTTP_<status> when there was none), for the UI. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(status: number, code: string, message: string, requestId?: string, retryAfter?: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as Idempotency-Key: a repeat with the same key moves money once. */
  idempotencyKey?: string;
  /** Attach the access token and refresh on 401 (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  /** Answer with the body as text (a CSV report), not parsed as JSON. */
  text?: boolean;
  /** Answer with the body as a Blob (a PDF document), not parsed as JSON. */
  blob?: boolean;
}

type LockRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export interface ApiClientOptions {
  /** Origin of the API; "" (the default) is this page's origin, as the daemon serves both. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Called when a refresh fails: the session is over and the user must log in again. */
  onSessionEnded?: (reason: ApiError) => void;
  /** Cross-tab mutual exclusion for refreshes; defaults to navigator.locks when available. */
  lock?: LockRunner | null;
}

function defaultLock(): LockRunner | null {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return null;
  return <T,>(name: string, fn: () => Promise<T>) => locks.request(name, fn) as Promise<T>;
}

/** Answers that say nothing about the credentials: the server could not answer now (retry later). */
export function isUnavailable(err: unknown): err is ApiError {
  return err instanceof ApiError && (err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500);
}

async function errorFrom(res: Response): Promise<ApiError> {
  const requestId = res.headers.get("X-Request-Id") ?? undefined;
  const retryHeader = res.headers.get("Retry-After");
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    if (body && body.error && typeof body.error.code === "string") {
      return new ApiError(res.status, body.error.code, body.error.message ?? "", body.error.request_id ?? requestId, retryAfter);
    }
  } catch {
    /* not JSON: a proxy's page, say */
  }
  return new ApiError(res.status, `HTTP_${res.status}`, res.statusText || `HTTP ${res.status}`, requestId, retryAfter);
}

export class ApiClient {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly lock: LockRunner | null;
  onSessionEnded: ((reason: ApiError) => void) | undefined;
  /** Why the last refresh was refused (REFRESH_TOKEN_REUSED, SESSION_EXPIRED, ...), until the next one succeeds. */
  lastRefusal: ApiError | null = null;

  constructor(opts: ApiClientOptions = {}) {
    this.baseUrl = opts.baseUrl ?? "";
    // Bound to globalThis: calling window.fetch as a method of another object throws "Illegal invocation".
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.lock = opts.lock === undefined ? defaultLock() : opts.lock;
    this.onSessionEnded = opts.onSessionEnded;
  }

  get authenticated(): boolean {
    return this.accessToken !== null;
  }

  setAccessToken(token: string | null): void {
    this.accessToken = token;
  }

  /** Forgets the access token (the cookie stays with the browser until logout). */
  clear(): void {
    this.accessToken = null;
  }

  private async send(method: string, path: string, opts: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
    try {
      return await this.fetchImpl(`${this.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers,
        body,
        // The refresh cookie lives on /api/v1/auth; "include" also lets a dev server on another port use it.
        credentials: "include",
        cache: "no-store",
        signal: opts.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") throw e;
      throw new ApiError(0, "NETWORK_ERROR", "Cannot reach Parity: check your connection and try again.");
    }
  }

  private static async parse<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** One API call. Throws ApiError for any non-2xx answer. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    const used = auth ? this.accessToken : null;
    let res = await this.send(method, path, opts, used);
    if (res.status === 401 && auth) {
      // Read the refused answer to its end: an unread body keeps its connection busy (browsers open
      // only a few per origin), and the request counts as unfinished.
      await res.arrayBuffer().catch(() => undefined);
      // Another request may have refreshed while this one was in flight: then the token already
      // changed and this request only needs to be retried, not to trigger a refresh of its own.
      const fresh = this.accessToken !== used && this.accessToken !== null ? true : await this.refresh();
      if (fresh) res = await this.send(method, path, opts, this.accessToken);
    }
    if (!res.ok) throw await errorFrom(res);
    if (opts.text) return (await res.text()) as T;
    if (opts.blob) return (await res.blob()) as T;
    return ApiClient.parse<T>(res);
  }

  /**
   * Rotates the refresh cookie for a new access token. Concurrent callers share one refresh. Resolves
   * false (and reports the session ended, when there was one) if the server refuses the cookie; rejects
   * with the ApiError, keeping the session, when the server could not answer (offline, 429, 5xx).
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      const run = () => this.doRefresh();
      this.refreshing = (this.lock ? this.lock(REFRESH_LOCK, run) : run()).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const hadSession = this.accessToken !== null;
    // Offline is not logged out: send() throws NETWORK_ERROR and the token stays, for the caller to retry.
    const res = await this.send("POST", REFRESH_PATH, {}, null);
    if (res.ok) {
      const answer = await ApiClient.parse<LoginAnswer>(res);
      if (answer && "access_token" in answer) {
        this.accessToken = answer.access_token;
        this.lastRefusal = null;
        return true;
      }
    }
    const err = res.ok ? new ApiError(res.status, "BAD_REFRESH_ANSWER", "unexpected refresh answer") : await errorFrom(res);
    // Busy, rate-limited or broken says nothing about the cookie: keep the session, report the problem.
    if (isUnavailable(err)) throw err;
    this.accessToken = null;
    this.lastRefusal = err;
    if (hadSession) this.onSessionEnded?.(err);
    return false;
  }

  get<T>(path: string, opts?: RequestOptions): Promise<T> {
    return this.request<T>("GET", path, opts);
  }

  post<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>("POST", path, { ...opts, body });
  }

  delete<T>(path: string, opts?: RequestOptions): Promise<T> {
    return this.request<T>("DELETE", path, opts);
  }

  patch<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>("PATCH", path, { ...opts, body });
  }
}
