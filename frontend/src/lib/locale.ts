// The locale figures and dates are written in: the browser's preferred language (navigator.language), so a
// reader in Paris sees "1 234,56 $US" and one in New York "$1,234.56". The currency is always USD: only
// the way of writing it follows the reader. Tests (and a future setting) may pin one with setLocale.
let pinned: string | undefined;

/** The BCP 47 tag in use, e.g. "en-US" or "fr-FR". */
export function currentLocale(): string {
  if (pinned) return pinned;
  const nav = typeof navigator !== "undefined" ? navigator.language : undefined;
  try {
    // An unknown or malformed tag falls back to the runtime's default instead of throwing at every figure.
    return Intl.getCanonicalLocales(nav ?? [])[0] ?? Intl.NumberFormat().resolvedOptions().locale;
  } catch {
    return Intl.NumberFormat().resolvedOptions().locale;
  }
}

/** Pins the locale (undefined: back to the browser's). */
export function setLocale(tag: string | undefined): void {
  pinned = tag;
}
