// Every word on screen goes through a key; Polish is the default, English the other language.
import i18n from "i18next";
import { initReactI18next } from "react-i18next";

import { en } from "./en";
import { pl } from "./pl";

export const LANGUAGES = ["pl", "en"] as const;
const KEY = "trainbook.language";

function initial(): "pl" | "en" {
  const saved = globalThis.localStorage?.getItem(KEY);
  return saved === "en" ? "en" : "pl";
}

void i18n.use(initReactI18next).init({
  resources: { pl: { translation: pl }, en: { translation: en } },
  lng: initial(),
  fallbackLng: "pl",
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on("languageChanged", (language) => {
  globalThis.localStorage?.setItem(KEY, language);
  document.documentElement.lang = language;
});
document.documentElement.lang = i18n.language;

export default i18n;
