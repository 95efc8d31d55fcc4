// A button that fetches a PDF document from the API (with the access token) and saves it: a statement or a
// trade confirmation. Shows "Preparing…" while it loads and a human error next to it when it fails.
import { useState } from "react";
import { useAuth } from "../auth/auth";
import { saveFile } from "../lib/download";
import { ErrorBox } from "./ui";

export function PdfButton({ path, fileName, label, testId, className = "secondary small-button" }: { path: string; fileName: string; label: string; testId?: string; className?: string }) {
  const { client } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const fetchPdf = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      saveFile(await client.get<Blob>(path, { blob: true }), fileName);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={className} onClick={fetchPdf} disabled={busy} data-testid={testId}>
        {busy ? "Preparing…" : label}
      </button>
      <ErrorBox error={error} />
    </>
  );
}
