// The account: who you are, where you are logged in (and ending those sessions), two-factor
// authentication (a QR code to scan, copy buttons, recovery codes saved before the setup counts as done),
// the password (the sessions list is read again after a change), and logging out everywhere.
import { useState, type FormEvent } from "react";
import { NotificationSettingsCard } from "../components/NotificationSettingsCard";
import type { Session, TwoFactorSetup } from "../api/types";
import { useAuth } from "../auth/auth";
import { QrCode } from "../components/QrCode";
import { Card, ErrorBox, Field, LoadError, Loading, Notice, PasswordField } from "../components/ui";
import { describeBucket, formatDateTime } from "../lib/format";
import { Link, navigate } from "../lib/router";
import { useApi, type Resource } from "../lib/useApi";
import { passwordProblem } from "./AuthPages";
import { TaxSettings } from "../components/TaxSettings";

/** A short description of a browser from its User-Agent, for the sessions list. */
export function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Firefox\//.test(ua) ? "Firefox" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : null;
  if (browser || os) return [browser, os].filter(Boolean).join(" on ");
  return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
}

function Sessions({ sessions }: { sessions: Resource<{ sessions: Session[] }> }) {
  const { client, logout } = useAuth();
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
      <LoadError what="your sessions" error={sessions.error} onRetry={sessions.reload} staleSince={sessions.data ? sessions.updatedAt : undefined} />
      <ErrorBox error={error} />
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

/** Copies a text to the clipboard and says so (or says to copy it by hand where the browser refuses). */
function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <span className="copy">
      <button type="button" className="secondary small-button" onClick={copy} aria-label={`Copy ${what}`}>
        Copy
      </button>
      <span role="status" className="muted small">
        {state === "copied" ? " Copied." : state === "failed" ? " Copying is blocked here: select the text and copy it." : ""}
      </span>
    </span>
  );
}

function downloadCodes(codes: string[], email: string): void {
  const text = `Parity recovery codes for ${email}\r\nEach code logs you in once if you lose your authenticator.\r\n\r\n${codes.join("\r\n")}\r\n`;
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = "parity-recovery-codes.txt";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The recovery codes, shown once: the investor saves them (download, or ticks that they did) before the
 * card lets them go. The server hands them out with the enabling answer, so this is the last step.
 */
function RecoveryCodes({ codes, email, onSaved }: { codes: string[]; email: string; onSaved(): void }) {
  const [downloaded, setDownloaded] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  return (
    <div className="recovery save-codes" data-testid="save-codes">
      <Notice tone="warn">
        Save these recovery codes now: each one logs you in once if you lose your phone. They are shown only this once.
      </Notice>
      <ul className="codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="button-row">
        <button
          type="button"
          className="secondary"
          onClick={() => {
            downloadCodes(codes, email);
            setDownloaded(true);
          }}
        >
          Download the codes
        </button>
        <CopyButton text={codes.join("\n")} what="the recovery codes" />
      </div>
      <div className="check">
        <input id="codes-saved" type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
        <label htmlFor="codes-saved">I have saved my recovery codes somewhere safe</label>
      </div>
      <button type="button" disabled={!downloaded && !confirmed} onClick={onSaved}>
        Done
      </button>
      {!downloaded && !confirmed && <p className="muted small">Download the codes or tick the box to finish.</p>}
    </div>
  );
}

/** The password field of the two-factor forms: every change to the second factor needs the password, not only a session. */
function ConfirmPassword({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: string | null }) {
  return (
    <PasswordField
      label="Your password"
      name="password"
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
      {codes && <RecoveryCodes codes={codes} email={me?.email ?? ""} onSaved={() => setCodes(null)} />}
      {!codes && !enabled && !setup && (
        <form onSubmit={start} noValidate>
          <p className="muted">Protect your account with a code from an authenticator app (such as Aegis, Google Authenticator or 1Password) at each login.</p>
          <ConfirmPassword value={password} onChange={setPassword} error={passwordInvalid} />
          <button type="submit" disabled={busy}>
            Set up two-factor authentication
          </button>
        </form>
      )}
      {!codes && !enabled && setup && (
        <form onSubmit={enable} noValidate>
          <ol className="steps">
            <li>
              Scan this code with your authenticator app (such as Aegis, Google Authenticator or 1Password):
              <QrCode text={setup.otpauth_uri} label="QR code to add Parity to your authenticator app" />
              Or add an account by hand with this key:
              <div className="secret">
                <code data-testid="totp-secret">{setup.secret}</code>
                <CopyButton text={setup.secret} what="the key" />
              </div>
              or, if the app accepts one, this link:
              <div className="secret">
                <code data-testid="otpauth-uri">{setup.otpauth_uri}</code>
                <CopyButton text={setup.otpauth_uri} what="the link" />
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
      {!codes && enabled && (
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

function ChangePassword({ onChanged }: { onChanged(): void }) {
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
      // The other sessions were just ended: the list must say so.
      onChanged();
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
        <PasswordField
          label="Current password"
          name="current"
          autoComplete="current-password"
          value={current}
          onChange={(e) => {
            setCurrent(e.target.value);
            setDone(false);
          }}
          error={invalid.current}
        />
        <PasswordField
          label="New password"
          name="new"
          autoComplete="new-password"
          value={next}
          onChange={(e) => {
            setNext(e.target.value);
            setDone(false);
          }}
          error={invalid.next}
        />
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
  const { client, me, logoutEverywhere } = useAuth();
  const [error, setError] = useState<unknown>(undefined);
  const sessions = useApi(() => client.get<{ sessions: Session[] }>("/me/sessions"), "sessions");
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
        <Sessions sessions={sessions} />
        <TwoFactor />
        <ChangePassword onChanged={sessions.reload} />
        <TaxSettings />
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
        <NotificationSettingsCard />
      </div>
    </div>
  );
}
