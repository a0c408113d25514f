// Pure helpers of the analytics screen: the default range, day arithmetic and the chart rows.

import { addDays } from "./format";

/** The week ending today: what an operator looks at first. */
export function defaultRange(today: string): { from: string; to: string } {
  return { from: addDays(today, -6), to: today };
}

export interface DayFigures {
  date: string;
  confirmed: number;
  cancelled: number;
  failed: number;
  revenue: { gross_grosze: number; refunds_grosze: number; compensation_grosze: number; net_grosze: number };
}

/** One chart row per day, money in złoty (charts draw numbers; the tooltip formats them back). */
export function dayRows(days: DayFigures[]): Array<Record<string, number | string>> {
  return days.map((d) => ({
    date: d.date.slice(5).split("-").reverse().join("."),
    confirmed: d.confirmed,
    cancelled: d.cancelled,
    failed: d.failed,
    gross: d.revenue.gross_grosze / 100,
    refunds: d.revenue.refunds_grosze / 100,
    compensation: d.revenue.compensation_grosze / 100,
    net: d.revenue.net_grosze / 100,
  }));
}
