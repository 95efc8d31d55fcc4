// Figures and dates follow the reader's locale (the currency stays USD); the expected texts are CLDR's, as
// ICU writes them: fr-FR groups with a narrow no-break space (U+202F) and puts "$US" after a no-break
// space (U+00A0); de-DE groups with "." and uses "," for decimals.
import { afterEach, describe, expect, it } from "vitest";
import { formatDay, formatPercent, formatPrice } from "../src/lib/format";
import { currentLocale, setLocale } from "../src/lib/locale";
import { formatCents, formatCentsCompact, formatWholeDollars } from "../src/lib/money";

const NNBSP = "\u202f";
const NBSP = "\u00a0";

afterEach(() => setLocale(undefined));

describe("the browser's locale", () => {
  it("is navigator.language unless pinned", () => {
    expect(currentLocale()).toBe(navigator.language);
    setLocale("fr-FR");
    expect(currentLocale()).toBe("fr-FR");
  });
});

describe("en-US", () => {
  it("writes dollars, signs, percentages and days the American way", () => {
    setLocale("en-US");
    expect(formatCents(123456789)).toBe("$1,234,567.89");
    expect(formatCents(-250)).toBe("-$2.50");
    expect(formatCents(250, { signed: true })).toBe("+$2.50");
    expect(formatCents(0, { signed: true })).toBe("$0.00");
    expect(formatWholeDollars(15080950)).toBe("$150,810");
    expect(formatCentsCompact(150000000)).toBe("$1.5M");
    expect(formatPercent(0.21411625)).toBe("21.4%");
    expect(formatPrice(674.15)).toBe("$674.15");
    expect(formatDay("2026-05-01")).toBe("May 1, 2026");
  });
});

describe("fr-FR", () => {
  it("writes the same USD amounts the French way, to the cent", () => {
    setLocale("fr-FR");
    expect(formatCents(123456789)).toBe(`1${NNBSP}234${NNBSP}567,89${NBSP}$US`);
    expect(formatCents(-250)).toBe(`-2,50${NBSP}$US`);
    expect(formatCents(250, { signed: true })).toBe(`+2,50${NBSP}$US`);
    expect(formatWholeDollars(15080950)).toBe(`150${NNBSP}810${NBSP}$US`);
    expect(formatPercent(0.21411625)).toBe(`21,4${NBSP}%`);
    expect(formatDay("2026-05-01")).toBe("1 mai 2026");
  });

  it("stays exact beyond a double's cents (no binary rounding on the way to text)", () => {
    setLocale("fr-FR");
    // 2^53 - 1 cents: 90071992547409.91 dollars has no exact double; the decimal string keeps every digit.
    expect(formatCents(Number.MAX_SAFE_INTEGER)).toBe(`90${NNBSP}071${NNBSP}992${NNBSP}547${NNBSP}409,91${NBSP}$US`);
  });
});

describe("de-DE", () => {
  it("swaps the separators and keeps the dollar sign", () => {
    setLocale("de-DE");
    expect(formatCents(123450)).toBe(`1.234,50${NBSP}$`);
  });
});
