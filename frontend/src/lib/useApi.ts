// Loading one API resource in a component: data, error, loading flag and a reload, with stale answers
// (from an earlier key) ignored. Data stays while a reload runs or fails, so a failed refresh shows the
// last figures marked as stale (with `updatedAt`) instead of replacing them with nothing, or with a zero.
import { useCallback, useEffect, useRef, useState } from "react";

export interface Resource<T> {
  data: T | undefined;
  /** The last load's error; with `data` present it means the figures shown are stale. */
  error: unknown;
  loading: boolean;
  /** When `data` was loaded (ms since the epoch), for "as of" notes on stale figures. */
  updatedAt: number | undefined;
  reload(): void;
}

export function useApi<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<number | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
        setUpdatedAt(Date.now());
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, updatedAt, reload };
}
