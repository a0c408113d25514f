import { describe, expect, it } from "vitest";

import { addDays, dayText, delay, duration, longDate, money, parseDay, percent, roman, shortDate, time } from "./format";

const NBSP = "\u00a0";

describe("money", () => {
  it("shows grosze as zł with a decimal comma and a non-breaking space", () => {
    expect(money(11221)).toBe(`112,21${NBSP}zł`);
    expect(money(7)).toBe(`0,07${NBSP}zł`);
    expect(money(0)).toBe(`0,00${NBSP}zł`);
  });
  it("groups thousands with a non-breaking space and keeps the sign", () => {
    expect(money(123456789)).toBe(`1${NBSP}234${NBSP}567,89${NBSP}zł`);
    expect(money(-1500)).toBe(`-15,00${NBSP}zł`);
  });
  it("writes PLN first in English", () => {
    expect(money(11221, "en")).toBe(`PLN${NBSP}112.21`);
  });
});

describe("dates and times in Warsaw whatever the browser's zone", () => {
  it("shows a UTC instant as Warsaw wall-clock time, 24-hour", () => {
    expect(time("2026-12-02T05:25:00Z")).toBe("06:25"); // winter: UTC+1
    expect(time("2026-07-02T04:25:00Z")).toBe("06:25"); // summer: UTC+2
    expect(time("2026-12-02T22:30:00Z")).toBe("23:30");
  });
  it("writes the long and short Polish dates", () => {
    expect(longDate("2026-12-02T05:25:00Z")).toBe("środa, 2 grudnia 2026");
    expect(shortDate("2026-12-02T05:25:00Z")).toBe("02.12.2026");
  });
  it("moves a calendar day across month ends", () => {
    expect(addDays("2026-11-30", 1)).toBe("2026-12-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-10-25", 1)).toBe("2026-10-26"); // the DST change in Warsaw does not matter
  });
});

describe("typed days", () => {
  it("reads the ways a passenger writes a date", () => {
    expect(parseDay("02.12.2026")).toBe("2026-12-02");
    expect(parseDay(" 2.12.2026 ")).toBe("2026-12-02");
    expect(parseDay("02/12/2026")).toBe("2026-12-02");
    expect(parseDay("2026-12-02")).toBe("2026-12-02");
  });

  it("refuses days that do not exist and half-typed dates", () => {
    expect(parseDay("31.02.2026")).toBeNull();
    expect(parseDay("29.02.2027")).toBeNull();
    expect(parseDay("02.12.20")).toBeNull();
    expect(parseDay("jutro")).toBeNull();
  });

  it("writes a day in the language's short style", () => {
    expect(dayText("2026-12-02")).toBe("02.12.2026");
    expect(dayText("2026-12-02", "en")).toBe("02/12/2026");
  });
});

describe("shares", () => {
  it("writes a percentage with one decimal in the language's style", () => {
    expect(percent(0.43219)).toBe("43,2%");
    expect(percent(0.43219, "en")).toBe("43.2%");
    expect(percent(0)).toBe("0%");
  });

  it("never shows a small non-zero load as 0%", () => {
    expect(percent(0.0002)).toBe("<0,1%");
  });
});

describe("durations, delays and platforms", () => {
  it("writes hours and two-digit minutes", () => {
    expect(duration(307)).toBe(`5${NBSP}h 07${NBSP}min`);
    expect(duration(45)).toBe(`45${NBSP}min`);
  });
  it("writes a delay with its sign, and nothing when on time", () => {
    expect(delay(75)).toBe(`+75${NBSP}min`);
    expect(delay(0)).toBe("");
  });
  it("writes platforms in Roman numerals", () => {
    expect(roman("2")).toBe("II");
    expect(roman("4")).toBe("IV");
    expect(roman("14")).toBe("XIV");
    expect(roman("2a")).toBe("2a");
  });
});
