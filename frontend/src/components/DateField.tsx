// A calendar day typed the way the passenger writes it (02.12.2026), whatever the browser's own locale,
// with the browser's calendar one click away. The value in and out is the API's "2026-12-02".
import { useRef, useState, type InputHTMLAttributes } from "react";
import { useTranslation } from "react-i18next";

import { dayText, parseDay } from "../lib/format";
import { useFormat } from "../lib/useFormat";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "min" | "max" | "type"> & {
  value: string;
  onChange: (day: string) => void;
  min?: string;
  max?: string;
  /** Classes of the box around the text field and its calendar button. */
  boxClassName?: string;
};

export function DateField({ value, onChange, min, max, boxClassName = "", className = "", ...input }: Props) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [typed, setTyped] = useState<string | null>(null); // what is being typed, until the field is left
  const picker = useRef<HTMLInputElement>(null);
  const shown = value ? dayText(value, fmt.language) : "";
  const accept = (day: string | null) => {
    if (day && (!min || day >= min) && (!max || day <= max)) onChange(day);
  };
  return (
    <span className={`relative flex items-stretch ${boxClassName}`}>
      <input
        {...input}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder={t("common.datePlaceholder")}
        className={`min-w-0 flex-1 rounded-l border border-slate-400 ${className}`}
        value={typed ?? shown}
        aria-invalid={typed !== null && parseDay(typed) === null ? true : undefined}
        onChange={(e) => {
          setTyped(e.target.value);
          accept(parseDay(e.target.value));
        }}
        onBlur={() => setTyped(null)}
      />
      <button
        type="button"
        className="rounded-r border border-l-0 border-slate-400 bg-white px-2 text-slate-700 hover:bg-slate-100"
        aria-label={t("common.calendar")}
        title={t("common.calendar")}
        onClick={() => picker.current?.showPicker?.()}
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.6">
          <rect x="3" y="4.5" width="14" height="12.5" rx="1.5" />
          <path d="M3 8.5h14M7 2.5v4M13 2.5v4" />
        </svg>
      </button>
      <input
        ref={picker}
        type="date"
        tabIndex={-1}
        aria-hidden="true"
        className="pointer-events-none absolute right-0 bottom-0 h-px w-px opacity-0"
        value={value}
        min={min}
        max={max}
        onChange={(e) => accept(e.target.value || null)}
      />
    </span>
  );
}
