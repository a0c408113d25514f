// The formatters bound to the language on screen.
import { useTranslation } from "react-i18next";

import * as f from "./format";

export function useFormat() {
  const { i18n } = useTranslation();
  const language: f.Language = i18n.language === "en" ? "en" : "pl";
  return {
    language,
    money: (grosze: number) => f.money(grosze, language),
    percent: (share: number) => f.percent(share, language),
    time: (iso: string) => f.time(iso, language),
    longDate: (iso: string) => f.longDate(iso, language),
    shortDate: (iso: string) => f.shortDate(iso, language),
    instant: (iso: string) => f.instant(iso, language),
    duration: f.duration,
    delay: f.delay,
    roman: f.roman,
  };
}
