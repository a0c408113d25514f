// Timetable changes of a day, live; for administrators, the form that records one on a run.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { useSession } from "../api/auth";
import { useChanges, useRecordChange, type ChangeView } from "../api/changes";
import { api, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { ErrorBox, Loading } from "../components/ui";
import { changeBody, emptyChangeForm, withRecorded, type ChangeForm, type ChangeKind } from "../lib/changeForm";
import { warsawDay } from "../lib/format";
import { useFormat } from "../lib/useFormat";
import { DateField } from "../components/DateField";

const input = "mt-1 block w-full rounded border border-slate-400 px-2 py-1";

export function ChangesPage() {
  const { t } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const day = params.get("date") ?? warsawDay();
  const changes = useChanges(day);
  const record = useRecordChange();
  const list = changes.data ? withRecorded(changes.data, day, record.data) : undefined;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("changes.title")}</h1>
      <label className="block text-sm font-medium">
        {t("changes.day")}
        <DateField
          boxClassName="mt-1 w-48"
          className="px-2 py-1"
          value={day}
          name="date"
          onChange={(date) => setParams((p) => ({ ...Object.fromEntries(p), date }), { replace: true })}
        />
      </label>
      {session?.user.role === "admin" && <RecordChange record={record} day={day} />}
      <section aria-labelledby="changes-list" className="space-y-2">
        <h2 id="changes-list" className="text-lg font-semibold">
          {t("changes.list")}
        </h2>
        {changes.isPending && <Loading />}
        {changes.isError && <ErrorBox error={changes.error} />}
        {list && list.length === 0 && <p>{t("changes.empty")}</p>}
        {list && list.length > 0 && (
          <ul className="space-y-2" data-testid="changes">
            {list.map((c) => (
              <ChangeRow key={c.change_id} change={c} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function ChangeRow({ change }: { change: ChangeView }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const red = change.kind === "delay" || change.kind === "cancel";
  return (
    <li className="flex flex-wrap items-baseline gap-x-3 gap-y-1 rounded-lg bg-white p-3 shadow" data-testid="change">
      <time className="text-sm text-slate-700" dateTime={change.recorded_at}>
        {fmt.time(change.recorded_at)}
      </time>
      <span className="font-semibold">{change.train}</span>
      <span className={red ? "font-semibold text-red-700" : ""}>{describe(change, t, fmt)}</span>
      {change.reason && <span className="text-sm text-slate-700">({change.reason})</span>}
    </li>
  );
}

function describe(c: ChangeView, t: (key: string, options?: Record<string, unknown>) => string, fmt: ReturnType<typeof useFormat>): string {
  switch (c.kind) {
    case "delay":
      return (c.minutes ?? 0) > 0
        ? t("changes.delayAt", { delay: fmt.delay(c.minutes ?? 0), station: c.station ?? "" })
        : t("changes.onTime", { station: c.station ?? "" });
    case "platform":
      return t("changes.platformAt", { station: c.station ?? "", platform: fmt.roman(c.platform), track: c.track ?? "" });
    case "cancel":
      return c.from_station ? t("changes.cancelledFrom", { station: c.from_station }) : t("changes.cancelled");
    default:
      return t(`changes.kinds.${c.kind}`);
  }
}

/** The run an operator means: a train number on the day the page shows (`?run=` names one directly). */
function useRunOfDay(day: string) {
  const [params] = useSearchParams();
  const named = /^run-(.+)-(\d{4}-\d{2}-\d{2})$/.exec(params.get("run") ?? "");
  const [train, setTrain] = useState(named?.[1] ?? "");
  const runId = train.trim() ? `run-${train.trim()}-${named && named[1] === train.trim() ? named[2] : day}` : "";
  const run = useQuery({
    queryKey: keys.run(runId),
    queryFn: async () => unwrap(await api.GET("/runs/{run_id}", { params: { path: { run_id: runId } } })),
    enabled: /^[0-9A-Za-z]{2,8}$/.test(train.trim()),
    retry: false,
  });
  return { train, setTrain, runId, run };
}

function RecordChange({ record, day }: { record: ReturnType<typeof useRecordChange>; day: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [, setParams] = useSearchParams();
  const { train, setTrain, runId, run } = useRunOfDay(day);
  const [form, setForm] = useState<ChangeForm>(emptyChangeForm);
  const stops = run.data?.stops ?? [];
  const set = (patch: Partial<ChangeForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Show the day of the changed run, where the new change is listed.
    record.mutate(
      { runId, body: changeBody(form) },
      { onSuccess: (change) => setParams((p) => ({ ...Object.fromEntries(p), date: change.date }), { replace: true }) },
    );
  };
  const station = (label: string, value: string, onChange: (v: string) => void, optional = false) => (
    <label className="block text-sm font-medium">
      {label}
      <select className={input} value={value} onChange={(e) => onChange(e.target.value)} required={!optional}>
        <option value="">{optional ? t("changes.wholeRun") : t("changes.chooseStation")}</option>
        {stops.map((s) => (
          <option key={s.station} value={s.station}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form onSubmit={submit} className="space-y-3 rounded-lg bg-white p-4 shadow" aria-labelledby="record-title" data-testid="change-form">
      <h2 id="record-title" className="text-lg font-semibold">
        {t("changes.record")}
      </h2>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <label className="block text-sm font-medium sm:col-span-2">
          {t("changes.train")}
          <input className={input} value={train} onChange={(e) => setTrain(e.target.value)} required name="train" inputMode="numeric" autoComplete="off" aria-describedby="train-run" />
          <span id="train-run" className="text-xs text-slate-700" data-testid="train-run">
            {run.data ? `${run.data.train}: ${run.data.stops[0]?.name ?? ""} → ${run.data.stops.at(-1)?.name ?? ""}, ${fmt.longDate(`${runId.slice(-10)}T12:00:00Z`)}` : run.isError ? <span className="text-red-800">{t("errors.unknown_train_run")}</span> : t("changes.trainHint", { day: fmt.longDate(`${day}T12:00:00Z`) })}
          </span>
        </label>
        <label className="block text-sm font-medium">
          {t("changes.kind")}
          <select className={input} value={form.kind} onChange={(e) => set({ kind: e.target.value as ChangeKind })} name="kind">
            {(["delay", "platform", "cancel", "restore"] as const).map((k) => (
              <option key={k} value={k}>
                {t(`changes.kinds.${k}`)}
              </option>
            ))}
          </select>
        </label>
        {(form.kind === "delay" || form.kind === "platform") && station(t("changes.station"), form.station, (v) => set({ station: v }))}
        {form.kind === "delay" && (
          <label className="block text-sm font-medium">
            {t("changes.minutes")}
            <input className={input} type="number" min={0} max={1440} value={form.minutes} onChange={(e) => set({ minutes: e.target.value })} required name="minutes" />
          </label>
        )}
        {form.kind === "platform" && (
          <>
            <label className="block text-sm font-medium">
              {t("changes.platform")}
              <input className={input} value={form.platform} onChange={(e) => set({ platform: e.target.value })} required name="platform" />
            </label>
            <label className="block text-sm font-medium">
              {t("changes.track")}
              <input className={input} value={form.track} onChange={(e) => set({ track: e.target.value })} required name="track" />
            </label>
          </>
        )}
        {form.kind === "cancel" && station(t("changes.fromStation"), form.fromStation, (v) => set({ fromStation: v }), true)}
        {(form.kind === "delay" || form.kind === "cancel") && (
          <label className="block text-sm font-medium sm:col-span-2">
            {t("changes.reason")}
            <input className={input} value={form.reason} maxLength={200} onChange={(e) => set({ reason: e.target.value })} name="reason" />
          </label>
        )}
      </div>
      {record.isError && <ErrorBox error={record.error} />}
      {record.isSuccess && (
        <p role="status" className="text-green-800" data-testid="change-recorded">
          {t("changes.recorded")} {record.data.train}
        </p>
      )}
      <button type="submit" className="rounded bg-brand px-4 py-2 font-medium text-white disabled:opacity-60" disabled={record.isPending}>
        {t("changes.submit")}
      </button>
    </form>
  );
}
