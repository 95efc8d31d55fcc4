// The account's email switches, one per kind of notification: saved as soon as one is flipped.
import { useState } from "react";
import type { NotificationSettings } from "../api/types";
import { useAuth } from "../auth/auth";
import { useApi } from "../lib/useApi";
import { Card, ErrorBox, LoadError, Loading } from "./ui";

export function NotificationSettingsCard() {
  const { client } = useAuth();
  const settings = useApi(() => client.get<NotificationSettings>("/notifications/settings"), "notification-settings");
  const [saved, setSaved] = useState<NotificationSettings | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | null>(null);
  const data = saved ?? settings.data;
  const flip = (kind: string, on: boolean) => {
    setBusy(kind);
    setError(undefined);
    client.request<NotificationSettings>("PUT", "/notifications/settings", { body: { email: { [kind]: on } } }).then(
      (s) => {
        setSaved(s);
        setBusy(null);
      },
      (e: unknown) => {
        setError(e);
        setBusy(null);
      },
    );
  };
  return (
    <Card title="Email notifications">
      {data === undefined && settings.error === undefined && <Loading />}
      <LoadError what="your notification settings" error={settings.error} onRetry={settings.reload} />
      {data && (
        <fieldset className="switches">
          <legend>Email me when…</legend>
          {data.kinds.map((k) => (
            <label key={k.kind} className="switch">
              <input type="checkbox" checked={data.email[k.kind] ?? k.email_default} disabled={busy !== null} onChange={(e) => flip(k.kind, e.target.checked)} />
              {k.label}
            </label>
          ))}
        </fieldset>
      )}
      <ErrorBox error={error} />
    </Card>
  );
}
