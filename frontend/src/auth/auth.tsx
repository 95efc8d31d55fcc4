// Who is logged in: the API client (access token in memory), the account (GET /me), and the login, 2FA,
// logout and session-restore steps. A page reload loses the access token; the refresh cookie restores it.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { ApiClient, ApiError } from "../api/client";
import type { LoginAnswer, Me } from "../api/types";
import { errorMessage } from "../lib/messages";

export type AuthStatus = "loading" | "anonymous" | "authenticated";

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

  // Restore a session from the refresh cookie once, when the app starts.
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        if (client.authenticated || (await client.refresh())) {
          const fresh = await client.get<Me>("/me");
          if (!live) return;
          setMe(fresh);
          setStatus("authenticated");
          return;
        }
      } catch {
        /* network trouble at start: show the login page */
      }
      if (live) setStatus("anonymous");
    })();
    return () => {
      live = false;
    };
  }, [client]);

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
    () => ({ status, me, client, notice, login, loginSecondFactor, logout, logoutEverywhere, reloadMe, endSession }),
    [status, me, client, notice, login, loginSecondFactor, logout, logoutEverywhere, reloadMe, endSession],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
