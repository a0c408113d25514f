import { describe, expect, it } from "vitest";

import { changeBody, emptyChangeForm, withRecorded } from "./changeForm";

describe("change form bodies", () => {
  const filled = {
    ...emptyChangeForm,
    station: "KRK",
    minutes: "75",
    platform: "IV",
    track: "2",
    reason: " signal failure ",
  };

  it("sends a delay with its station, minutes and reason only", () => {
    expect(changeBody({ ...filled, kind: "delay" })).toEqual({
      kind: "delay",
      station: "KRK",
      minutes: 75,
      reason: "signal failure",
    });
  });

  it("sends a platform change with platform and track", () => {
    expect(changeBody({ ...filled, kind: "platform" })).toEqual({
      kind: "platform",
      station: "KRK",
      platform: "IV",
      track: "2",
    });
  });

  it("cancels the whole run when no station is chosen", () => {
    expect(changeBody({ ...filled, kind: "cancel" })).toEqual({ kind: "cancel", from_station: null, reason: "signal failure" });
    expect(changeBody({ ...filled, kind: "cancel", fromStation: "WAW" })).toMatchObject({ from_station: "WAW" });
  });

  it("restores with no other field", () => {
    expect(changeBody({ ...filled, kind: "restore" })).toEqual({ kind: "restore" });
  });
});

describe("a change just recorded", () => {
  const mine = { change_id: "c2", date: "2026-12-02" };
  it("shows at the top of its day until the server lists it, and only once", () => {
    expect(withRecorded([{ change_id: "c1", date: "2026-12-02" }], "2026-12-02", mine).map((c) => c.change_id)).toEqual(["c2", "c1"]);
    expect(withRecorded([mine], "2026-12-02", mine)).toEqual([mine]);
    expect(withRecorded([], "2026-12-03", mine)).toEqual([]);
  });
});
