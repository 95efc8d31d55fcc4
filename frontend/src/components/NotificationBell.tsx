// The bell in the header: the unread count, and a panel listing the newest notifications (read every minute
// and whenever the panel opens). Opening the panel marks what it shows as read.
import { useEffect, useId, useRef, useState } from "react";
import type { NotificationList } from "../api/types";
import { useAuth } from "../auth/auth";
import { formatDateTime } from "../lib/format";
import { useApi } from "../lib/useApi";
import { LoadError, Loading } from "./ui";

export const BELL_POLL_MS = 60_000;

export function NotificationBell() {
  const { client } = useAuth();
  const [tick, setTick] = useState(0);
  const list = useApi(() => client.get<NotificationList>("/notifications"), `notifications:${tick}`);
  const [open, setOpen] = useState(false);
  const [unread, setUnread] = useState<number | undefined>(undefined);
  const panelId = useId();
  const wrap = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), BELL_POLL_MS);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    if (list.data) setUnread(list.data.unread);
  }, [list.data]);

  // Escape or a click outside closes the panel.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    const onClick = (e: MouseEvent) => wrap.current && !wrap.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next) {
      setTick((n) => n + 1);
      if (list.data && list.data.unread > 0) {
        client.post<{ unread: number }>("/notifications/read", { all: true }).then(
          (a) => setUnread(a.unread),
          () => undefined, // the count stays; the next read tries again
        );
      }
    }
  };

  const count = unread ?? 0;
  const label = count > 0 ? `Notifications, ${count} unread` : "Notifications";
  return (
    <div className="bell" ref={wrap}>
      <button type="button" className="link-button bell-button" aria-expanded={open} aria-controls={panelId} aria-label={label} onClick={toggle} data-testid="bell">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path d="M12 3a6 6 0 0 0-6 6v3.5L4 16h16l-2-3.5V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
        </svg>
        {count > 0 && (
          <span className="badge" data-testid="bell-count" aria-hidden="true">
            {count > 99 ? "99+" : count}
          </span>
        )}
      </button>
      <div id={panelId} className="bell-panel" hidden={!open} role="region" aria-label="Notifications">
        {list.data === undefined && list.error === undefined && <Loading what="Loading notifications" />}
        <LoadError what="your notifications" error={list.error} onRetry={list.reload} />
        {list.data?.notifications.length === 0 && <p className="muted">Nothing yet. Deposits, rebalances, sign-ins and goals show up here.</p>}
        {list.data && list.data.notifications.length > 0 && (
          <ul data-testid="notifications">
            {list.data.notifications.map((n) => (
              <li key={n.id} className={n.read ? undefined : "unread"} data-kind={n.kind}>
                <strong>{n.title}</strong>
                <p>{n.body}</p>
                <time dateTime={n.created_at} className="muted small">
                  {formatDateTime(n.created_at)}
                </time>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
