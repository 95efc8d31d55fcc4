// The app's frame: header and navigation, and the page for the current path. Private pages send an
// anonymous visitor to the login page (and back afterwards); the login and register pages send a logged-in
// one to the dashboard.
import { useEffect, useState, type ReactNode } from "react";
import { AuthProvider, useAuth } from "./auth/auth";
import { NotificationBell } from "./components/NotificationBell";
import { Loading } from "./components/ui";
import { errorMessage } from "./lib/messages";
import { Link, navigate, safeNext, useLocation } from "./lib/router";
import { AccountPage } from "./pages/AccountPage";
import { ForgotPasswordPage, LoginPage, RegisterPage, ResetPasswordPage, VerifyEmailPage } from "./pages/AuthPages";
import { DashboardPage } from "./pages/DashboardPage";
import { ForecastPage } from "./pages/ForecastPage";
import { ModelPage } from "./pages/ModelPage";
import { GoalsPage } from "./pages/GoalsPage";
import { OnboardingPage } from "./pages/OnboardingPage";
import { RecurringPage } from "./pages/RecurringPage";
import { StatementsPage } from "./pages/StatementsPage";
import { TaxesPage } from "./pages/TaxesPage";
import type { ApiClient } from "./api/client";

type Access = "private" | "guest" | "any";

interface Route {
  path: string;
  access: Access;
  title: string;
  page: () => ReactNode;
}

export const ROUTES: Route[] = [
  { path: "/", access: "private", title: "Dashboard", page: () => <DashboardPage /> },
  { path: "/forecast", access: "private", title: "Forecast", page: () => <ForecastPage /> },
  { path: "/account", access: "private", title: "Account", page: () => <AccountPage /> },
  { path: "/onboarding", access: "private", title: "Your profile", page: () => <OnboardingPage /> },
  { path: "/login", access: "guest", title: "Log in", page: () => <LoginPage /> },
  { path: "/register", access: "guest", title: "Create your account", page: () => <RegisterPage /> },
  { path: "/forgot-password", access: "guest", title: "Reset your password", page: () => <ForgotPasswordPage /> },
  { path: "/verify-email", access: "any", title: "Confirm your email", page: () => <VerifyEmailPage /> },
  { path: "/reset-password", access: "any", title: "Choose a new password", page: () => <ResetPasswordPage /> },
  // A path ending in "/*" matches everything under it: /models/<bucket>.
  { path: "/models/*", access: "any", title: "Model portfolio", page: () => <ModelPage /> },
  { path: "/recurring", access: "private", title: "Recurring deposits", page: () => <RecurringPage /> },
  { path: "/taxes", access: "private", title: "Taxes", page: () => <TaxesPage /> },
  { path: "/goals", access: "private", title: "Goals", page: () => <GoalsPage /> },
  { path: "/statements", access: "private", title: "Statements", page: () => <StatementsPage /> },
];

/** The route of `path`: an exact path, else a "/prefix/*" one. */
export function findRoute(path: string): Route | undefined {
  return ROUTES.find((r) => r.path === path) ?? ROUTES.find((r) => r.path.endsWith("/*") && path.startsWith(r.path.slice(0, -1)));
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  return (
    <div className="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link to="/">Go to the dashboard</Link>.
      </p>
    </div>
  );
}

/** The session could not be restored because Parity did not answer: the investor stays logged in. */
function Reconnecting() {
  const { reconnect, retryNow } = useAuth();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const seconds = reconnect ? Math.max(0, Math.ceil((reconnect.nextAt - now) / 1000)) : 0;
  return (
    <div className="page narrow">
      <h1>Reconnecting to Parity</h1>
      <div className="alert alert-warn" role="alert" data-testid="reconnecting">
        <p>{errorMessage(reconnect?.problem)}</p>
        <p>You are still logged in: nothing was lost.</p>
      </div>
      {/* Outside the alert: a countdown re-announced every second would drown the message. */}
      <p className="muted">{seconds > 0 ? `We try again in ${seconds} s.` : "Trying again…"}</p>
      <button type="button" onClick={retryNow}>
        Try again now
      </button>
    </div>
  );
}

function Header() {
  const { status, me, logout } = useAuth();
  const { path } = useLocation();
  const [error, setError] = useState(false);
  const nav = [
    { to: "/", label: "Dashboard" },
    { to: "/forecast", label: "Forecast" },
    { to: "/goals", label: "Goals" },
    { to: "/account", label: "Account" },
    { to: "/statements", label: "Statements" },
    { to: "/taxes", label: "Taxes" },
  ];
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="Parity, home">
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path d="M3 17l5-6 4 4 8-10" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        Parity
      </Link>
      {status === "authenticated" && (
        <nav aria-label="Main">
          <ul>
            {nav.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={path === n.to ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
            <li>
              <NotificationBell />
            </li>
            <li>
              <button
                type="button"
                className="link-button"
                title={me?.email}
                onClick={() =>
                  logout().then(
                    () => navigate("/login"),
                    () => setError(true),
                  )
                }
              >
                Log out
              </button>
            </li>
          </ul>
          {error && <span className="sr-only" role="alert">Logging out failed; try again.</span>}
        </nav>
      )}
    </header>
  );
}

function Pages() {
  const { status, me } = useAuth();
  const { path, query } = useLocation();
  const route = findRoute(path);

  useEffect(() => {
    document.title = route ? `${route.title} · Parity` : "Parity";
  }, [route]);

  if (!route) return <NotFound />;
  if (status === "loading" && route.access !== "any") return <Loading />;
  if (status === "unreachable" && route.access !== "any") return <Reconnecting />;
  if (route.access === "private" && status !== "authenticated") {
    const next = path === "/" ? "" : `?next=${encodeURIComponent(path + (query.toString() ? `?${query}` : ""))}`;
    return <Redirect to={`/login${next}`} />;
  }
  if (route.access === "guest" && status === "authenticated") {
    // A first login goes to the questions; later ones to where the visitor was going.
    const next = query.get("next");
    return <Redirect to={me && !me.bucket && !next ? "/onboarding" : safeNext(next)} />;
  }
  return <>{route.page()}</>;
}

export function App({ client }: { client?: ApiClient }) {
  return (
    <AuthProvider client={client}>
      <a href="#main" className="skip-link">
        Skip to the content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Pages />
      </main>
      <footer className="footer">
        <p>Parity is paper trading: no real money moves. Forecasts are simulations, not promises.</p>
      </footer>
    </AuthProvider>
  );
}
