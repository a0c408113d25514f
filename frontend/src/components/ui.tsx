// Small pieces every screen uses: headings, errors, badges, the delay label.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { ApiError } from "../api/client";
import { delay, time } from "../lib/format";

export function ErrorBox({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const message =
    error instanceof ApiError
      ? t(`errors.${error.code}`, { defaultValue: error.message })
      : t("errors.network");
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
      {message}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p role="status" className="text-slate-600" data-loading="">
      {t("common.loading")}
    </p>
  );
}

export function Badge({ children, tone = "slate" }: { children: ReactNode; tone?: "slate" | "red" | "green" | "amber" | "blue" }) {
  const tones = {
    slate: "bg-slate-200 text-slate-800",
    red: "bg-red-100 text-red-800",
    green: "bg-green-100 text-green-800",
    amber: "bg-amber-100 text-amber-900",
    blue: "bg-blue-100 text-blue-900",
  };
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-semibold ${tones[tone]}`}>{children}</span>;
}

/** A delay in red, with the expected time when the scheduled one is given ("+75 min, przewidywany 07:33"). */
export function Delay({ minutes, scheduled }: { minutes: number; scheduled?: string | null }) {
  const { t, i18n } = useTranslation();
  if (minutes <= 0) return null;
  const expected = scheduled ? new Date(new Date(scheduled).getTime() + minutes * 60_000) : null;
  return (
    <span className="font-semibold text-red-700" data-testid="delay">
      {delay(minutes)}
      {expected && `, ${t("run.expected", { time: time(expected, i18n.language === "en" ? "en" : "pl") })}`}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const tone = status === "CONFIRMED" ? "green" : status === "FAILED" ? "red" : status === "CANCELLED" ? "slate" : "amber";
  return (
    <Badge tone={tone}>
      <span data-testid="booking-status" data-status={status}>
        {t(`status.${status}`, { defaultValue: status })}
      </span>
    </Badge>
  );
}
