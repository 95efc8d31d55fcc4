// Money formatting and parsing: integer cents in, exact text out; typed dollars in, exact cents out.
import { describe, expect, it } from "vitest";
import { centsToInput, formatCents, formatCentsCompact, formatWholeDollars, MAX_AMOUNT_CENTS, parseDollars } from "../src/lib/money";
import { formatPercent, formatShares } from "../src/lib/format";

describe("formatCents", () => {
  it.each([
    [0, "$0.00"],
    [5, "$0.05"],
    [99, "$0.99"],
    [100, "$1.00"],
    [123456, "$1,234.56"],
    [100000000, "$1,000,000.00"],
    [MAX_AMOUNT_CENTS, "$100,000,000.00"],
    [1_000_000_000_000, "$10,000,000,000.00"],
    [-250, "-$2.50"],
    [-100000, "-$1,000.00"],
  ])("%i cents reads %s", (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it("signs gains when asked", () => {
    expect(formatCents(1234, { signed: true })).toBe("+$12.34");
    expect(formatCents(-1234, { signed: true })).toBe("-$12.34");
    expect(formatCents(0, { signed: true })).toBe("$0.00");
  });

  it("refuses anything that is not integer cents", () => {
    expect(() => formatCents(1.5)).toThrow(RangeError);
    expect(() => formatCents(Number.NaN)).toThrow(RangeError);
    expect(() => formatCents(2 ** 53)).toThrow(RangeError);
  });

  // 0.1 + 0.2 style errors would show here if the code went through dollars as floats.
  it("is exact where float dollars are not", () => {
    expect(formatCents(1_000_000_000_000 - 1)).toBe("$9,999,999,999.99");
    expect(formatCents(29)).toBe("$0.29");
    expect(formatCents(57)).toBe("$0.57");
  });
});

describe("formatWholeDollars and formatCentsCompact", () => {
  it("rounds forecast figures to dollars", () => {
    expect(formatWholeDollars(15080949.7)).toBe("$150,809");
    expect(formatWholeDollars(15080950)).toBe("$150,810");
    expect(formatWholeDollars(0)).toBe("$0");
  });

  it("shortens axis labels", () => {
    expect(formatCentsCompact(0)).toBe("$0");
    expect(formatCentsCompact(95000)).toBe("$950");
    expect(formatCentsCompact(1200000)).toBe("$12K");
    expect(formatCentsCompact(150000)).toBe("$1.5K");
    expect(formatCentsCompact(150000000)).toBe("$1.5M");
    expect(formatCentsCompact(30000000)).toBe("$300K");
    expect(formatCentsCompact(200000000000)).toBe("$2B");
  });
});

describe("parseDollars", () => {
  it.each([
    ["1", 100],
    ["0.01", 1],
    ["12.3", 1230],
    ["12.30", 1230],
    ["1250", 125000],
    ["1,250.50", 125050],
    ["$1,234,567.89", 123456789],
    ["  42  ", 4200],
    ["007", 700],
    ["100000000", MAX_AMOUNT_CENTS],
  ])("%s is %i cents", (text, cents) => {
    expect(parseDollars(text)).toEqual({ ok: true, cents });
  });

  it.each([
    ["", "Enter an amount."],
    ["   ", "Enter an amount."],
    ["abc", "Enter an amount in dollars, like 1250 or 1,250.50."],
    ["12.345", "Enter an amount in dollars, like 1250 or 1,250.50."],
    ["-5", "Enter an amount in dollars, like 1250 or 1,250.50."],
    ["1e3", "Enter an amount in dollars, like 1250 or 1,250.50."],
    ["12,34", "Enter an amount in dollars, like 1250 or 1,250.50."],
    ["1 000", "Enter an amount in dollars, like 1250 or 1,250.50."],
    ["0", "Enter an amount above zero."],
    ["0.00", "Enter an amount above zero."],
    ["100000000.01", "The most is $100,000,000.00."],
    ["99999999999999999999", "The most is $100,000,000.00."],
  ])("%j is refused: %s", (text, error) => {
    expect(parseDollars(text)).toEqual({ ok: false, error });
  });

  it("honours min and max in cents", () => {
    expect(parseDollars("0", { min: 0 })).toEqual({ ok: true, cents: 0 });
    expect(parseDollars("20.01", { max: 2000 })).toEqual({ ok: false, error: "The most is $20.00." });
    expect(parseDollars("20", { max: 2000 })).toEqual({ ok: true, cents: 2000 });
    expect(parseDollars("4.99", { min: 500 })).toEqual({ ok: false, error: "The least is $5.00." });
  });

  it("round-trips with centsToInput", () => {
    for (const cents of [1, 10, 99, 100, 123456, 987654321]) {
      expect(parseDollars(centsToInput(cents))).toEqual({ ok: true, cents });
    }
  });
});

describe("formatShares and formatPercent", () => {
  it("shows micro-shares exactly", () => {
    expect(formatShares(2243456)).toBe("2.243456");
    expect(formatShares(5000000)).toBe("5");
    expect(formatShares(730060)).toBe("0.73006");
    expect(formatShares(1)).toBe("0.000001");
    expect(formatShares(0)).toBe("0");
  });

  it("shows weights as percentages", () => {
    expect(formatPercent(0.21411625)).toBe("21.4%");
    expect(formatPercent(1)).toBe("100.0%");
    expect(formatPercent(0.0512, 2, { signed: true })).toBe("+5.12%");
    expect(formatPercent(-0.05, 0)).toBe("-5%");
  });
});
