import { describe, expect, it } from "vitest";

import { dayRows, defaultRange } from "./analytics";

describe("analytics helpers", () => {
  it("defaults to the week ending today", () => {
    expect(defaultRange("2026-12-02")).toEqual({ from: "2026-11-26", to: "2026-12-02" });
  });

  it("draws one row per day with money in zloty and the Polish short date", () => {
    const rows = dayRows([
      {
        date: "2026-12-02",
        confirmed: 3,
        cancelled: 1,
        failed: 1,
        revenue: { gross_grosze: 33663, refunds_grosze: 10000, compensation_grosze: 561, net_grosze: 23102 },
      },
    ]);
    expect(rows).toEqual([
      { date: "02.12", confirmed: 3, cancelled: 1, failed: 1, gross: 336.63, refunds: 100, compensation: 5.61, net: 231.02 },
    ]);
  });
});
