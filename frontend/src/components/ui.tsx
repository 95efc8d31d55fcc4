// Small building blocks shared by the pages: labelled fields, error and notice boxes, cards, buttons.
import { useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { errorMessage, loadErrorMessage } from "../lib/messages";
import { currentLocale } from "../lib/locale";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  /** A sentence under the field; linked with aria-describedby. */
  hint?: ReactNode;
  /** A validation message for this field; marks it aria-invalid. */
  error?: string | null;
};

/** An input with its <label>, optional hint and error, wired for screen readers. */
export function Field({ label, hint, error, id, ...input }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A password input with a "Show" toggle: typing a long passphrase blind is where mistakes come from. */
export function PasswordField(props: Omit<FieldProps, "type">) {
  const [shown, setShown] = useState(false);
  const auto = useId();
  const id = props.id ?? auto;
  return (
    <div className="password-field">
      <Field {...props} id={id} type={shown ? "text" : "password"} autoCapitalize="off" spellCheck={false} />
      <button
        type="button"
        className="reveal"
        aria-pressed={shown}
        aria-controls={id}
        aria-label={`Show the password: ${props.label}`}
        onClick={() => setShown((s) => !s)}
      >
        {shown ? "Hide" : "Show"}
      </button>
    </div>
  );
}

/**
 * A load that failed: what could not be loaded, in plain words (never the server's text), and a retry.
 * With `stale` the figures shown are older ones, and the box says so.
 */
export function LoadError({ what, error, onRetry, staleSince }: { what: string; error: unknown; onRetry(): void; staleSince?: number | undefined }) {
  if (error === undefined || error === null) return null;
  const when = staleSince ? new Date(staleSince).toLocaleTimeString(currentLocale(), { hour: "numeric", minute: "2-digit" }) : null;
  return (
    <div className="alert alert-error load-error" role="alert">
      <span>
        {loadErrorMessage(what, error)}
        {when && ` The figures shown are from ${when}.`}
      </span>
      <button type="button" className="secondary small-button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

/** The API's (or any) error in plain words, announced to screen readers. Renders nothing without one. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <div className="alert alert-error" role="alert">
      {typeof error === "string" ? error : errorMessage(error)}
    </div>
  );
}

export function Notice({ children, tone = "info" }: { children: ReactNode; tone?: "info" | "success" | "warn" }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Card({ title, children, actions, className, id }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string; id?: string }) {
  const headingId = useId();
  return (
    <section className={`card ${className ?? ""}`} aria-labelledby={title ? headingId : undefined} id={id}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2 id={headingId}>{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

/** A scrollable table region: focusable and named, so keyboard users can scroll it (WCAG 2.1.1). */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** A figure with its caption: "Portfolio value  $1,234.56". */
export function Stat({ label, value, tone, testId }: { label: string; value: ReactNode; tone?: "up" | "down" | undefined; testId?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd className={tone ? `tone-${tone}` : undefined} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
