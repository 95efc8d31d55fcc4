// Who is logged in: the API client (access token in memory), the account (GET /me), and the login, 2FA,
// logout and session-restore steps. A page reload loses the access token; the refresh cookie restores it.
// When the server cannot answer that restore (offline, 429, 5xx) the app is "unreachable", not logged out:
// the cookie is kept and the restore is tried again with backoff; only a refused cookie ends the session.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { ApiClient, ApiError, isUnavailable } from "../api/client";
import type { LoginAnswer, Me } from "../api/types";
import { errorMessage } from "../lib/messages";

export type AuthStatus = "loading" | "anonymous" | "authenticated" | "unreachable";

/** Seconds before the next try to restore the session: 1, 2, 4 ... 30, or the server's Retry-After. */
export function restoreDelay(attempt: number, retryAfter?: number): number {
  const backoff = Math.min(30, 2 ** Math.max(0, attempt - 1));
  return Math.max(backoff, retryAfter ?? 0);
}

/** Refusals that end a session the browser had (the login page says why); a missing cookie says nothing. */
const ENDED_CODES = new Set(["REFRESH_TOKEN_REUSED", "SESSION_REVOKED", "SESSION_EXPIRED"]);

export interface Reconnect {
  problem: unknown;
  /** When the next try starts (ms since the epoch). */
  nextAt: number;
  attempt: number;
}

export type LoginResult = { done: true } | { done: false; mfaToken: string };

export interface Auth {
  status: AuthStatus;
  me: Me | null;
  client: ApiClient;
  /** Why the last session ended (shown on the login page), if it ended by itself. */
  notice: string | null;
  login(email: string, password: string): Promise<LoginResult>;
  loginSecondFactor(mfaToken: string, code: string): Promise<void>;
  logout(): Promise<void>;
  logoutEverywhere(): Promise<void>;
  reloadMe(): Promise<Me | null>;
  /** Forget the session locally (after a password change or reset, say) with a notice for the login page. */
  endSession(notice: string | null): void;
  /** While "unreachable": the problem and the next try. */
  reconnect: Reconnect | null;
  retryNow(): void;
}

const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside <AuthProvider>");
  return auth;
}

export function AuthProvider({ client: given, children }: { client?: ApiClient; children: ReactNode }) {
  const clientRef = useRef<ApiClient>(given ?? new ApiClient());
  const client = clientRef.current;
  const [status, setStatus] = useState<AuthStatus>("loading");
  const [me, setMe] = useState<Me | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const endSession = useCallback(
    (why: string | null) => {
      client.clear();
      setMe(null);
      setNotice(why);
      setStatus("anonymous");
    },
    [client],
  );

  useEffect(() => {
    client.onSessionEnded = (err: ApiError) => endSession(errorMessage(err));
    return () => {
      client.onSessionEnded = undefined;
    };
  }, [client, endSession]);

  const reloadMe = useCallback(async () => {
    const fresh = await client.get<Me>("/me");
    setMe(fresh);
    return fresh;
  }, [client]);

  // Restore a session from the refresh cookie when the app starts; while the server cannot answer, try
  // again with backoff (and at once when the browser comes back online or the investor asks).
  const [reconnect, setReconnect] = useState<Reconnect | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      try {
        if (client.authenticated || (await client.refresh())) {
          const fresh = await client.get<Me>("/me");
          if (!live) return;
          setMe(fresh);
          setReconnect(null);
          setStatus("authenticated");
          return;
        }
        if (!live) return;
        const refusal = client.lastRefusal;
        setNotice(refusal && ENDED_CODES.has(refusal.code) ? errorMessage(refusal) : null);
        setReconnect(null);
        setStatus("anonymous");
      } catch (err) {
        if (!live) return;
        if (isUnavailable(err)) {
          const delay = restoreDelay(attempt + 1, err instanceof ApiError ? err.retryAfter : undefined);
          setReconnect({ problem: err, nextAt: Date.now() + delay * 1000, attempt: attempt + 1 });
          setStatus("unreachable");
          timer = setTimeout(() => setAttempt((a) => a + 1), delay * 1000);
          return;
        }
        setReconnect(null);
        setStatus("anonymous");
      }
    })();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, attempt]);

  const retryNow = useCallback(() => setAttempt((a) => a + 1), []);
  useEffect(() => {
    if (status !== "unreachable") return undefined;
    window.addEventListener("online", retryNow);
    return () => window.removeEventListener("online", retryNow);
  }, [status, retryNow]);

  const finish = useCallback(
    async (answer: LoginAnswer): Promise<LoginResult> => {
      if ("mfa_required" in answer) return { done: false, mfaToken: answer.mfa_token };
      client.setAccessToken(answer.access_token);
      const fresh = await client.get<Me>("/me");
      setMe(fresh);
      setNotice(null);
      setStatus("authenticated");
      return { done: true };
    },
    [client],
  );

  const login = useCallback(
    async (email: string, password: string) =>
      finish(await client.post<LoginAnswer>("/auth/login", { email, password }, { auth: false })),
    [client, finish],
  );

  const loginSecondFactor = useCallback(
    async (mfaToken: string, code: string) => {
      await finish(await client.post<LoginAnswer>("/auth/login/2fa", { mfa_token: mfaToken, code }, { auth: false }));
    },
    [client, finish],
  );

  const logout = useCallback(async () => {
    try {
      await client.post("/auth/logout", undefined, { auth: false });
    } finally {
      endSession(null);
    }
  }, [client, endSession]);

  const logoutEverywhere = useCallback(async () => {
    await client.post("/auth/logout-all");
    try {
      await client.post("/auth/logout", undefined, { auth: false }); // clears this browser's cookie
    } catch {
      /* the family is already gone; the cookie expires on its own */
    }
    endSession("You were logged out on every device.");
  }, [client, endSession]);

  const value = useMemo<Auth>(
    () => ({ status, me, client, notice, login, loginSecondFactor, logout, logoutEverywhere, reloadMe, endSession, reconnect, retryNow }),
    [status, me, client, notice, login, loginSecondFactor, logout, logoutEverywhere, reloadMe, endSession, reconnect, retryNow],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
