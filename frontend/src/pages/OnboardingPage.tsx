// Onboarding: the four questions of GET /onboarding/questions; the answer sets the risk tolerance, the
// horizon and so the model portfolio (bucket) the money is invested in.
import { useState, type FormEvent } from "react";
import type { Profile, Question } from "../api/types";
import { useAuth } from "../auth/auth";
import { Card, ErrorBox, LoadError, Loading, Notice } from "../components/ui";
import { describeBucket, HORIZON_NAMES, RISK_NAMES } from "../lib/format";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";

export function OnboardingForm({ questions, onDone }: { questions: Question[]; onDone(p: Profile): void }) {
  const { client } = useAuth();
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const unanswered = questions.filter((q) => !answers[q.id]).map((q) => q.id);
    setMissing(unanswered);
    if (unanswered.length) return;
    setBusy(true);
    setError(undefined);
    try {
      onDone(await client.post<Profile>("/onboarding", { answers }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="questions">
      {questions.map((q, n) => (
        <fieldset key={q.id} aria-invalid={missing.includes(q.id) || undefined} aria-describedby={missing.includes(q.id) ? `${q.id}-missing` : undefined}>
          <legend>
            {n + 1}. {q.text}
          </legend>
          {q.options.map((o) => (
            <div className="radio" key={o.id}>
              <input
                type="radio"
                id={`${q.id}-${o.id}`}
                name={q.id}
                value={o.id}
                checked={answers[q.id] === o.id}
                onChange={() => setAnswers((a) => ({ ...a, [q.id]: o.id }))}
              />
              <label htmlFor={`${q.id}-${o.id}`}>{o.text}</label>
            </div>
          ))}
          {missing.includes(q.id) && (
            <p className="field-error" id={`${q.id}-missing`}>
              Choose an answer.
            </p>
          )}
        </fieldset>
      ))}
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "See my profile"}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

export function ProfileSummary({ profile }: { profile: Profile }) {
  return (
    <dl className="stats" data-testid="profile">
      <div className="stat">
        <dt>Risk tolerance</dt>
        <dd>
          {profile.risk_tolerance} of 5 · {RISK_NAMES[profile.risk_tolerance] ?? ""}
        </dd>
      </div>
      <div className="stat">
        <dt>Horizon</dt>
        <dd>{HORIZON_NAMES[profile.horizon] ?? profile.horizon}</dd>
      </div>
      <div className="stat">
        <dt>Model portfolio</dt>
        <dd data-testid="bucket">{describeBucket(profile.bucket)}</dd>
      </div>
    </dl>
  );
}

export function OnboardingPage() {
  const { client, me, reloadMe } = useAuth();
  const questions = useApi(() => client.get<{ questions: Question[] }>("/onboarding/questions", { auth: false }), "questions");
  const [profile, setProfile] = useState<Profile | null>(null);
  const [retake, setRetake] = useState(false);
  const current: Profile | null =
    me && me.bucket && me.risk_tolerance && me.horizon ? { bucket: me.bucket, risk_tolerance: me.risk_tolerance, horizon: me.horizon } : null;

  const done = (p: Profile) => {
    setProfile(p);
    setRetake(false);
    void reloadMe().catch(() => undefined);
  };

  return (
    <div className="page narrow">
      <h1>Your investor profile</h1>
      {profile ? (
        <Card title="Your profile">
          <Notice tone="success">Thank you. This is how we will invest for you.</Notice>
          <ProfileSummary profile={profile} />
          <p className="button-row">
            <Link to={`/models/${encodeURIComponent(profile.bucket)}`} className="button" data-testid="recommended-link">
              See your recommended portfolio
            </Link>
            <Link to="/" className="button secondary">
              Go to your dashboard
            </Link>
          </p>
        </Card>
      ) : current && !retake ? (
        <Card title="Your profile">
          <ProfileSummary profile={current} />
          <p>
            <Link to={`/models/${encodeURIComponent(current.bucket)}`}>See your recommended portfolio</Link>
          </p>
          <p>
            <button type="button" className="secondary" onClick={() => setRetake(true)}>
              Answer the questions again
            </button>
          </p>
        </Card>
      ) : (
        <Card title="Four questions">
          <p className="muted">Your answers decide how much of your money goes into shares and how much into bonds.</p>
          {questions.loading && <Loading what="Loading the questions" />}
          <LoadError what="the questions" error={questions.error} onRetry={questions.reload} />
          {questions.data && <OnboardingForm questions={questions.data.questions} onDone={done} />}
        </Card>
      )}
    </div>
  );
}
