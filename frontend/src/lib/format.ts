// Money, dates, times, durations and delays the way a Polish passenger reads them, always in Warsaw time.
export const ZONE = "Europe/Warsaw";

export type Language = "pl" | "en";

const NBSP = "\u00a0";

/** 11221 grosze -> "112,21 zł" (Polish) or "PLN 112.21" (English); exact: grosze are integers. */
export function money(grosze: number, language: Language = "pl"): string {
  const sign = grosze < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(grosze));
  const zl = Math.floor(abs / 100);
  const gr = String(abs % 100).padStart(2, "0");
  if (language === "en") {
    return `${sign}PLN${NBSP}${zl.toLocaleString("en-GB")}.${gr}`;
  }
  const whole = String(zl).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return `${sign}${whole},${gr}${NBSP}zł`;
}

function locale(language: Language): string {
  return language === "pl" ? "pl-PL" : "en-GB";
}

/** "06:25", 24-hour, Warsaw time. */
export function time(iso: string | Date, language: Language = "pl"): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone: ZONE,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

/** "środa, 2 grudnia 2026". */
export function longDate(iso: string | Date, language: Language = "pl"): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone: ZONE,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(new Date(iso));
}

/** "02.12.2026" (Polish) or "02/12/2026" (English). */
export function shortDate(iso: string | Date, language: Language = "pl"): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone: ZONE,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  }).format(new Date(iso));
}

/** A calendar day as a passenger types it: "2.12.2026", "02.12.2026", "02/12/2026", "2026-12-02"; null if none. */
export function parseDay(text: string): string | null {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  const local = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(trimmed);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : local ? [local[3], local[2], local[1]] : [];
  if (!year || !month || !day) return null;
  const candidate = `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
  const date = new Date(`${candidate}T12:00:00Z`);
  // 31.02 rolls over to 03.03 in Date: only a day that survives the round trip exists.
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === candidate ? candidate : null;
}

/** "02.12.2026" or "02/12/2026" for a calendar day "2026-12-02" (no time zone involved). */
export function dayText(day: string, language: Language = "pl"): string {
  const [year, month, date] = day.split("-");
  return language === "pl" ? `${date}.${month}.${year}` : `${date}/${month}/${year}`;
}

/** "02.12.2026, 06:25:03": an instant to the second, for event histories and the time slider. */
export function instant(iso: string | Date, language: Language = "pl"): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone: ZONE,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

/** 307 -> "5 h 07 min"; 45 -> "45 min". */
export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}${NBSP}min`;
  return `${h}${NBSP}h ${String(m).padStart(2, "0")}${NBSP}min`;
}

/** 75 -> "+75 min"; 0 -> "". */
export function delay(minutes: number): string {
  return minutes > 0 ? `+${minutes}${NBSP}min` : "";
}

/** The calendar day (YYYY-MM-DD) of an instant in Warsaw. */
export function warsawDay(at: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
  return parts;
}

/** A share (0..1) as a percentage with one decimal ("43,2%"); a share too small to show is "<0,1%", not 0. */
export function percent(share: number, language: Language = "pl"): string {
  const format = new Intl.NumberFormat(locale(language), { style: "percent", maximumFractionDigits: 1 });
  return share > 0 && share < 0.0005 ? `<${format.format(0.001)}` : format.format(share);
}

/** YYYY-MM-DD moved by `days` (calendar arithmetic, no time zone involved). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Platform in Roman numerals as stations print it: 2 -> "II". */
export function roman(value: string | null | undefined): string {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 39) return value ?? "";
  const table: [number, string][] = [
    [10, "X"],
    [9, "IX"],
    [5, "V"],
    [4, "IV"],
    [1, "I"],
  ];
  let rest = n;
  let out = "";
  for (const [v, s] of table) {
    while (rest >= v) {
      out += s;
      rest -= v;
    }
  }
  return out;
}
