// The account: who you are, where you are logged in (and ending those sessions), two-factor
// authentication, the password, and logging out everywhere.
import { useState, type FormEvent } from "react";
import type { Session, TwoFactorSetup } from "../api/types";
import { useAuth } from "../auth/auth";
import { Card, ErrorBox, Field, Loading, Notice } from "../components/ui";
import { describeBucket, formatDateTime } from "../lib/format";
import { Link, navigate } from "../lib/router";
import { useApi } from "../lib/useApi";
import { passwordProblem } from "./AuthPages";

/** A short description of a browser from its User-Agent, for the sessions list. */
export function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Firefox\//.test(ua) ? "Firefox" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : null;
  if (browser || os) return [browser, os].filter(Boolean).join(" on ");
  return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
}

function Sessions() {
  const { client, logout } = useAuth();
  const sessions = useApi(() => client.get<{ sessions: Session[] }>("/me/sessions"), "sessions");
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | null>(null);

  const end = async (s: Session) => {
    setBusy(s.id);
    setError(undefined);
    try {
      if (s.current) {
        await logout();
        navigate("/login");
        return;
      }
      await client.delete(`/me/sessions/${encodeURIComponent(s.id)}`);
      sessions.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card title="Where you are logged in">
      {sessions.loading && !sessions.data && <Loading />}
      <ErrorBox error={sessions.error ?? error} />
      {sessions.data && (
        <ul className="sessions" data-testid="sessions">
          {sessions.data.sessions.map((s) => (
            <li key={s.id} data-current={s.current || undefined}>
              <div>
                <strong>{describeAgent(s.user_agent)}</strong>
                {s.current && <span className="badge">this device</span>}
                <div className="muted small">
                  {s.ip ?? "unknown address"} · logged in {formatDateTime(s.created_at)} · last used {formatDateTime(s.last_used_at)}
                </div>
              </div>
              <button type="button" className="secondary" disabled={busy !== null} onClick={() => end(s)}>
                {s.current ? "Log out" : "End session"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="recovery">
      <Notice tone="warn">
        Keep these recovery codes somewhere safe: each one logs you in once if you lose your phone. They are shown only now.
      </Notice>
      <ul className="codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The password field of the two-factor forms: every change to the second factor needs the password, not only a session. */
function ConfirmPassword({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: string | null }) {
  return (
    <Field
      label="Your password"
      name="password"
      type="password"
      autoComplete="current-password"
      hint="Changes to two-factor authentication need your password."
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}

function TwoFactor() {
  const { client, me, reloadMe } = useAuth();
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [passwordInvalid, setPasswordInvalid] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const enabled = me?.two_factor_enabled ?? false;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const codeOk = (allowRecovery: boolean) => {
    const c = code.trim();
    const ok = /^\d{6}$/.test(c) || (allowRecovery && /^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/.test(c));
    setInvalid(ok ? null : allowRecovery ? "Enter the 6-digit code or a recovery code." : "Enter the 6-digit code from your app.");
    return ok ? c : null;
  };

  const passwordOk = () => {
    setPasswordInvalid(password ? null : "Enter your password.");
    return password !== "";
  };

  /** Both checks run, so every problem shows at once. */
  const fieldsOk = (allowRecovery: boolean) => {
    const c = codeOk(allowRecovery);
    return passwordOk() && c ? c : null;
  };

  const done = () => {
    setCode("");
    setPassword("");
  };

  const start = (e: FormEvent) => {
    e.preventDefault();
    if (!passwordOk()) return;
    void run(async () => {
      setCodes(null);
      // The password stays filled in for the confirming step that follows.
      setSetup(await client.post<TwoFactorSetup>("/me/2fa/setup", { password }));
    });
  };

  const enable = (e: FormEvent) => {
    e.preventDefault();
    const c = fieldsOk(false);
    if (!c) return;
    void run(async () => {
      const answer = await client.post<{ recovery_codes: string[] }>("/me/2fa/enable", { password, code: c });
      setCodes(answer.recovery_codes);
      setSetup(null);
      done();
      await reloadMe();
    });
  };

  const disable = (e: FormEvent) => {
    e.preventDefault();
    const c = fieldsOk(true);
    if (!c) return;
    void run(async () => {
      await client.post("/me/2fa/disable", { password, code: c });
      done();
      setCodes(null);
      await reloadMe();
    });
  };

  const regenerate = (e: FormEvent) => {
    e.preventDefault();
    const c = fieldsOk(false);
    if (!c) return;
    void run(async () => {
      const answer = await client.post<{ recovery_codes: string[] }>("/me/2fa/recovery-codes", { password, code: c });
      setCodes(answer.recovery_codes);
      done();
      await reloadMe();
    });
  };

  return (
    <Card title="Two-factor authentication">
      <p data-testid="2fa-status">
        Status: <strong>{enabled ? "on" : "off"}</strong>
        {enabled && me ? ` · ${me.recovery_codes_left} recovery codes left` : ""}
      </p>
      {codes && <RecoveryCodes codes={codes} />}
      {!enabled && !setup && (
        <form onSubmit={start} noValidate>
          <p className="muted">Protect your account with a code from an authenticator app (such as Aegis, Google Authenticator or 1Password) at each login.</p>
          <ConfirmPassword value={password} onChange={setPassword} error={passwordInvalid} />
          <button type="submit" disabled={busy}>
            Set up two-factor authentication
          </button>
        </form>
      )}
      {!enabled && setup && (
        <form onSubmit={enable} noValidate>
          <ol className="steps">
            <li>
              In your authenticator app, add an account with this key:
              <div className="secret">
                <code data-testid="totp-secret">{setup.secret}</code>
              </div>
              or, if the app accepts one, this link:
              <div className="secret">
                <code data-testid="otpauth-uri">{setup.otpauth_uri}</code>
              </div>
              <span className="muted small">
                ({setup.algorithm}, {setup.digits} digits, every {setup.period} seconds)
              </span>
            </li>
            <li>Enter the code the app shows to turn two-factor authentication on.</li>
          </ol>
          <Field label="Code from the app" name="code" autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} error={invalid} />
          <ConfirmPassword value={password} onChange={setPassword} error={passwordInvalid} />
          <button type="submit" disabled={busy}>
            Turn on
          </button>{" "}
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setSetup(null);
              done();
            }}
            disabled={busy}
          >
            Cancel
          </button>
        </form>
      )}
      {enabled && (
        <form noValidate onSubmit={disable}>
          <Field
            label="Code from the app (or a recovery code)"
            name="code"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={invalid}
          />
          <ConfirmPassword value={password} onChange={setPassword} error={passwordInvalid} />
          <div className="button-row">
            <button type="submit" className="danger" disabled={busy}>
              Turn off
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={regenerate}>
              New recovery codes
            </button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
    </Card>
  );
}

function ChangePassword() {
  const { client, endSession } = useAuth();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [invalid, setInvalid] = useState<{ current?: string | null; next?: string | null }>({});
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = { current: current ? null : "Enter your current password.", next: passwordProblem(next) };
    setInvalid(problems);
    if (problems.current || problems.next) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.post("/auth/change-password", { current_password: current, new_password: next });
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (err) {
      setError(err);
      if (err && typeof err === "object" && "status" in err && err.status === 401) endSession("Please log in again.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Password">
      <form onSubmit={submit} noValidate>
        <Field label="Current password" name="current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={invalid.current} />
        <Field label="New password" name="new" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={invalid.next} />
        <button type="submit" disabled={busy}>
          Change password
        </button>
        <ErrorBox error={error} />
        {done && <Notice tone="success">Your password is changed. Your other sessions were logged out.</Notice>}
      </form>
    </Card>
  );
}

export function AccountPage() {
  const { me, logoutEverywhere } = useAuth();
  const [error, setError] = useState<unknown>(undefined);
  if (!me) return <Loading />;
  return (
    <div className="page">
      <h1>Account</h1>
      <div className="grid">
        <Card title="You">
          <dl className="facts">
            <dt>Email</dt>
            <dd data-testid="account-email">{me.email}</dd>
            <dt>Member since</dt>
            <dd>{formatDateTime(me.created_at)}</dd>
            <dt>Profile</dt>
            <dd>
              {me.bucket ? describeBucket(me.bucket) : "not set"} · <Link to="/onboarding">{me.bucket ? "review" : "answer the questions"}</Link>
            </dd>
          </dl>
        </Card>
        <Sessions />
        <TwoFactor />
        <ChangePassword />
        <Card title="Log out everywhere">
          <p className="muted">Ends every session of your account, on every device, this one included.</p>
          <button
            type="button"
            className="danger"
            onClick={() =>
              logoutEverywhere().then(
                () => navigate("/login"),
                (err: unknown) => setError(err),
              )
            }
          >
            Log out everywhere
          </button>
          <ErrorBox error={error} />
        </Card>
      </div>
    </div>
  );
}
