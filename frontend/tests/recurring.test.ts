// Recurring deposits in words and dates. Expected dates are read off a calendar: 2026-12-04 is a Friday.
import { describe, expect, it } from "vitest";
import { describeSchedule, firstDate, ordinal, scheduleInSentence } from "../src/lib/recurring";

describe("recurring schedules", () => {
  it("names the schedule", () => {
    expect(describeSchedule({ frequency: "weekly", day: 1 })).toBe("Every Monday");
    expect(describeSchedule({ frequency: "biweekly", day: 3 })).toBe("Every other Wednesday");
    expect(describeSchedule({ frequency: "monthly", day: 22 })).toBe("Monthly on the 22nd");
    expect(scheduleInSentence({ frequency: "weekly", day: 1 })).toBe("every Monday");
    expect(scheduleInSentence({ frequency: "monthly", day: 2 })).toBe("monthly on the 2nd");
    expect([1, 2, 3, 4, 11, 12, 13, 21, 23, 28].map(ordinal)).toEqual(["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "23rd", "28th"]);
  });

  it("starts after today: the next weekday, never today", () => {
    expect(firstDate("weekly", 1, "2026-12-04")).toBe("2026-12-07"); // Friday -> Monday
    expect(firstDate("weekly", 5, "2026-12-04")).toBe("2026-12-11"); // Friday -> next Friday, not today
    expect(firstDate("biweekly", 6, "2026-12-04")).toBe("2026-12-05"); // Saturday is tomorrow
    expect(firstDate("weekly", 7, "2026-12-27")).toBe("2027-01-03"); // Sunday -> Sunday, across the year
  });

  it("starts monthly on the day, this month when it is still ahead", () => {
    expect(firstDate("monthly", 15, "2026-12-04")).toBe("2026-12-15");
    expect(firstDate("monthly", 4, "2026-12-04")).toBe("2027-01-04"); // today is the 4th: next month
    expect(firstDate("monthly", 5, "2026-12-04")).toBe("2026-12-05");
    expect(firstDate("monthly", 28, "2027-01-31")).toBe("2027-02-28");
    expect(firstDate("monthly", 1, "2027-02-28")).toBe("2027-03-01");
  });
});
