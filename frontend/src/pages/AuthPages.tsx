// Getting in: log in (with the 2FA step), register, confirm the email, forgot and reset password.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../api/client";
import { useAuth } from "../auth/auth";
import { ErrorBox, Field, Notice, PasswordField } from "../components/ui";
import { Link, useLocation } from "../lib/router";

/** The server's rules (SPEC §10): 10-128 characters; strength (zxcvbn >= 3) is judged by the server. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
const EMAIL_MAX = 254;

/** A first, friendly check of a new password; the server has the last word (and checks its strength). */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  return null;
}

export function emailProblem(email: string): string | null {
  const e = email.trim();
  if (!e) return "Enter your email address.";
  if (e.length > EMAIL_MAX || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return "Enter an email address like name@example.com.";
  return null;
}

/**
 * Sends the confirmation email again. Registering an unverified address again is the API's way to do it
 * (each registration mails its own link, bound to the password typed with it); the answer is the same
 * whatever the address, and the server sends at most 3 such emails an hour to one address.
 */
function ResendVerification({ email, password, label }: { email: string; password: string; label: string }) {
  const { client } = useAuth();
  const [state, setState] = useState<"idle" | "sending" | "sent">("idle");
  const [error, setError] = useState<unknown>(undefined);
  const send = async () => {
    setState("sending");
    setError(undefined);
    try {
      await client.post("/auth/register", { email, password }, { auth: false });
      setState("sent");
    } catch (err) {
      setError(err);
      setState("idle");
    }
  };
  return (
    <div className="resend">
      <button type="button" className="secondary" onClick={send} disabled={state === "sending"}>
        {state === "sending" ? "Sending…" : label}
      </button>
      {state === "sent" && (
        <Notice tone="success">
          If {email} still needs confirming, a new link is on its way (at most 3 emails an hour). The newest link works with the password you just used.
        </Notice>
      )}
      <ErrorBox error={error} />
    </div>
  );
}

function AuthShell({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="auth-shell">
      <section className="card auth-card" aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        {children}
      </section>
    </div>
  );
}

export function LoginPage() {
  const { login, loginSecondFactor, notice } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<{ email?: string | null; password?: string | null; code?: string | null }>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submitPassword = async (e: FormEvent) => {
    e.preventDefault();
    const problems = { email: emailProblem(email), password: password ? null : "Enter your password." };
    setInvalid(problems);
    if (problems.email || problems.password) return;
    setBusy(true);
    setError(undefined);
    try {
      // Once logged in, the router leaves this page (to ?next=, or to the questions on a first login).
      const result = await login(email.trim(), password);
      if (!result.done) {
        setMfaToken(result.mfaToken);
        setPassword("");
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    const c = code.trim();
    if (!/^\d{6}$/.test(c) && !/^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/.test(c)) {
      setInvalid({ code: "Enter the 6-digit code from your app, or a recovery code like ABCDE-FGHJK." });
      return;
    }
    setInvalid({});
    setBusy(true);
    setError(undefined);
    try {
      await loginSecondFactor(mfaToken ?? "", c);
    } catch (err) {
      // An expired or used mfa_token cannot be retried: back to the password step.
      if (err instanceof ApiError && err.code === "INVALID_MFA_TOKEN") setMfaToken(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (mfaToken) {
    return (
      <AuthShell title="Two-factor authentication">
        <form onSubmit={submitCode} noValidate>
          <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
          <Field
            label="Code"
            name="code"
            autoComplete="one-time-code"
            inputMode="text"
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={invalid.code}
          />
          <button type="submit" disabled={busy}>
            {busy ? "Checking…" : "Verify"}
          </button>
          <ErrorBox error={error} />
        </form>
        <p>
          <button type="button" className="link-button" onClick={() => setMfaToken(null)}>
            Back to the password
          </button>
        </p>
      </AuthShell>
    );
  }

  return (
    <AuthShell title="Log in">
      {notice && <Notice tone="warn">{notice}</Notice>}
      <form onSubmit={submitPassword} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={invalid.email} />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={invalid.password}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
        <ErrorBox error={error} />
      </form>
      {error instanceof ApiError && error.code === "EMAIL_NOT_VERIFIED" && (
        <ResendVerification email={email.trim()} password={password} label="Email me a new confirmation link" />
      )}
      <p className="auth-links">
        <Link to="/forgot-password">Forgot your password?</Link> · <Link to="/register">Create an account</Link>
      </p>
    </AuthShell>
  );
}

export function RegisterPage() {
  const { client } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [invalid, setInvalid] = useState<{ email?: string | null; password?: string | null; confirm?: string | null }>({});
  const [error, setError] = useState<unknown>(undefined);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = {
      email: emailProblem(email),
      password: passwordProblem(password),
      confirm: password === confirm ? null : "The two passwords differ.",
    };
    setInvalid(problems);
    if (problems.email || problems.password || problems.confirm) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.post("/auth/register", { email: email.trim(), password }, { auth: false });
      setSentTo(email.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (sentTo) {
    return (
      <AuthShell title="Check your email">
        <Notice tone="success">
          We sent a message to <strong>{sentTo}</strong>. Open the link in it to confirm your address, then log in.
        </Notice>
        <p className="muted">No message after a few minutes? Look in your spam folder, or have it sent again.</p>
        <ResendVerification email={sentTo} password={password} label="Send the email again" />
        <p>
          <Link to="/login">Go to the login page</Link>
        </p>
      </AuthShell>
    );
  }

  return (
    <AuthShell title="Create your account">
      <form onSubmit={submit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={invalid.email} />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={invalid.password}
          hint={`At least ${PASSWORD_MIN} characters. A phrase of unrelated words is strong and easy to remember.`}
        />
        <PasswordField
          label="Repeat the password"
          name="confirm"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={invalid.confirm}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
        <ErrorBox error={error} />
      </form>
      <p className="auth-links">
        Already registered? <Link to="/login">Log in</Link>
      </p>
    </AuthShell>
  );
}

// A link is single use: React's development double-mount must not spend it twice, so the answer for a
// token is remembered for the life of the page.
const verifications = new Map<string, Promise<void>>();

export function VerifyEmailPage() {
  const { client, status } = useAuth();
  const { query } = useLocation();
  const token = query.get("token") ?? "";
  const [state, setState] = useState<"working" | "done" | "failed">("working");
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    if (!token) {
      setState("failed");
      setError("This link has no token. Open the link from the email exactly as it was sent.");
      return;
    }
    let p = verifications.get(token);
    if (!p) {
      p = client.post<void>("/auth/verify-email", { token }, { auth: false }).then(() => undefined);
      verifications.set(token, p);
    }
    let live = true;
    p.then(
      () => live && setState("done"),
      (err: unknown) => {
        if (!live) return;
        setState("failed");
        setError(err);
      },
    );
    return () => {
      live = false;
    };
  }, [client, token]);

  return (
    <AuthShell title="Confirm your email">
      {state === "working" && <p role="status">Confirming your address…</p>}
      {state === "done" && (
        <>
          <Notice tone="success">Your email address is confirmed.</Notice>
          <p>{status === "authenticated" ? <Link to="/">Go to your dashboard</Link> : <Link to="/login">Log in</Link>}</p>
        </>
      )}
      {state === "failed" && (
        <>
          <ErrorBox error={error} />
          <p>
            Links work once and for 24 hours. To get a new one, <Link to="/login">log in</Link> with your email and password and ask for a new
            link there (or <Link to="/register">register again</Link>); if you already confirmed, just log in.
          </p>
        </>
      )}
    </AuthShell>
  );
}

export function ForgotPasswordPage() {
  const { client } = useAuth();
  const [email, setEmail] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = emailProblem(email);
    setInvalid(problem);
    if (problem) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.post("/auth/forgot-password", { email: email.trim() }, { auth: false });
      setSent(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthShell title="Reset your password">
      {sent ? (
        <Notice tone="success">If an account uses {email.trim()}, a link to choose a new password is on its way. It works once, for 15 minutes.</Notice>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={invalid} />
          <button type="submit" disabled={busy}>
            {busy ? "Sending…" : "Email me a link"}
          </button>
          <ErrorBox error={error} />
        </form>
      )}
      <p className="auth-links">
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthShell>
  );
}

export function ResetPasswordPage() {
  const { client, status, endSession } = useAuth();
  const { query } = useLocation();
  const token = query.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [invalid, setInvalid] = useState<{ password?: string | null; confirm?: string | null }>({});
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const sessionEnded = useRef(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = { password: passwordProblem(password), confirm: password === confirm ? null : "The two passwords differ." };
    setInvalid(problems);
    if (problems.password || problems.confirm) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.post("/auth/reset-password", { token, password }, { auth: false });
      setDone(true);
      // A reset ends every session, this browser's included.
      if (status === "authenticated" && !sessionEnded.current) {
        sessionEnded.current = true;
        endSession(null);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!token) {
    return (
      <AuthShell title="Choose a new password">
        <ErrorBox error="This link has no token. Open the link from the email exactly as it was sent." />
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </AuthShell>
    );
  }

  return (
    <AuthShell title="Choose a new password">
      {done ? (
        <>
          <Notice tone="success">Your password is changed, and every session was logged out.</Notice>
          <p>
            <Link to="/login">Log in with the new password</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <PasswordField
            label="New password"
            name="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={invalid.password}
            hint={`At least ${PASSWORD_MIN} characters.`}
          />
          <PasswordField
            label="Repeat the new password"
            name="confirm"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            error={invalid.confirm}
          />
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Set the new password"}
          </button>
          <ErrorBox error={error} />
          {error instanceof ApiError && error.code === "INVALID_TOKEN" && (
            <p>
              <Link to="/forgot-password">Ask for a new link</Link>
            </p>
          )}
        </form>
      )}
    </AuthShell>
  );
}
