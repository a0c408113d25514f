import { describe, expect, it } from "vitest";

import { compensationPercent, disruptionOf, type RunLike } from "./disruption";

const run = (delay: number, extra: Partial<RunLike> = {}): RunLike => ({
  cancelled: false,
  stops: [
    { station: "GDG", arrives_at: null, departs_at: "2026-12-02T05:25:00Z", delay_minutes: 0 },
    { station: "WAW", arrives_at: "2026-12-02T08:00:00Z", departs_at: "2026-12-02T08:05:00Z", delay_minutes: delay },
    { station: "KRK", arrives_at: "2026-12-02T10:32:00Z", departs_at: null, delay_minutes: delay },
  ],
  ...extra,
});

const booking = { status: "CONFIRMED", origin: "GDG", destination: "KRK", total_grosze: 22442 };

describe("disruption of a booking", () => {
  it("is nothing when the train runs on time", () => {
    expect(disruptionOf(booking, run(0))).toBeNull();
  });

  it("gives the expected arrival and a quarter of the fare for a 75-minute delay", () => {
    const d = disruptionOf(booking, run(75));
    expect(d?.delayMinutes).toBe(75);
    expect(d?.expectedArrival).toBe("2026-12-02T11:47:00.000Z");
    expect(d?.claim).toEqual({ kind: "compensation_due", percent: 25, grosze: 5610 });
  });

  it("shows a delay under an hour with no claim", () => {
    expect(disruptionOf(booking, run(30))?.claim).toEqual({ kind: "none" });
  });

  it("gives half the fare from two hours", () => {
    expect(compensationPercent(119)).toBe(25);
    expect(compensationPercent(120)).toBe(50);
    expect(compensationPercent(59)).toBe(0);
  });

  it("reports compensation once paid instead of the estimate", () => {
    const d = disruptionOf({ ...booking, compensation_grosze: 5610 }, run(75));
    expect(d?.claim).toEqual({ kind: "compensation_paid", grosze: 5610 });
  });

  it("offers the whole fare back when the train is cancelled before the destination", () => {
    const d = disruptionOf(booking, run(0, { cancelled: true, cancelled_from: "WAW" }));
    expect(d?.cancelled).toBe(true);
    expect(d?.claim).toEqual({ kind: "refund", grosze: 22442 });
  });

  it("ignores a cancellation from the passenger's destination on", () => {
    expect(disruptionOf({ ...booking, destination: "WAW" }, run(0, { cancelled: true, cancelled_from: "WAW" }))).toBeNull();
  });

  it("takes the booking's own cancellation reason", () => {
    const d = disruptionOf({ ...booking, status: "CANCELLED", cancellation_reason: "train_cancelled" }, run(0));
    expect(d?.cancelled).toBe(true);
  });
});
