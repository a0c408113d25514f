// Search: the form and, when the URL says what to look for, the trains (a deep link shows results at once).
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { keys } from "../api/keys";
import { StationPicker } from "../components/StationPicker";
import { Badge, Delay, ErrorBox, Loading } from "../components/ui";
import { addDays, warsawDay } from "../lib/format";
import { useFormat } from "../lib/useFormat";
import { pollEvery, useLive } from "../live";
import { DateField } from "../components/DateField";

export function useStations() {
  return useQuery({
    queryKey: keys.stations(),
    queryFn: async () => unwrap(await api.GET("/stations")),
    staleTime: Infinity,
  });
}

function readParams(params: URLSearchParams) {
  const passengers = Math.min(8, Math.max(1, Number(params.get("passengers") ?? "1") || 1));
  return {
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    date: params.get("date") ?? "",
    passengers,
    travelClass: params.get("class") === "1" ? 1 : 2,
  };
}

export function SearchPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const current = readParams(params);
  const stations = useStations();
  const [form, setForm] = useState(() => ({
    ...current,
    from: current.from || "GDG",
    to: current.to || "KRK",
    date: current.date || warsawDay(),
  }));
  const ready = Boolean(current.from && current.to && current.date);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams({
      from: form.from,
      to: form.to,
      date: form.date,
      passengers: String(form.passengers),
      class: String(form.travelClass),
    });
  };
  const shiftDay = (days: number) => {
    const date = addDays(current.date, days);
    setForm((f) => ({ ...f, date }));
    const next = new URLSearchParams(params);
    next.set("date", date);
    setParams(next);
  };

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("search.title")}</h1>
      <form onSubmit={submit} className="grid gap-4 rounded-lg bg-white p-4 shadow sm:grid-cols-2 lg:grid-cols-8" aria-label={t("search.title")}>
        <div className="lg:col-span-2">
          <StationPicker
            name="from"
            label={t("search.from")}
            stations={stations.data ?? []}
            value={form.from}
            onChange={(from) => setForm((f) => ({ ...f, from }))}
          />
        </div>
        <div className="lg:col-span-2">
          <StationPicker
            name="to"
            label={t("search.to")}
            stations={stations.data ?? []}
            value={form.to}
            onChange={(to) => setForm((f) => ({ ...f, to }))}
          />
        </div>
        <div className="lg:col-span-2">
          <label htmlFor="date" className="block text-sm font-medium text-slate-700">
            {t("search.date")}
          </label>
          <DateField
            id="date"
            name="date"
            required
            boxClassName="mt-1 w-full"
            className="px-3 py-2"
            value={form.date}
            onChange={(date) => setForm((f) => ({ ...f, date }))}
          />
        </div>
        <div className="flex gap-2 sm:col-span-2">
          <div className="flex-1">
            <label htmlFor="passengers" className="block text-sm font-medium text-slate-700">
              {t("search.passengers")}
            </label>
            <select
              id="passengers"
              className="mt-1 w-full rounded border border-slate-400 px-2 py-2"
              value={form.passengers}
              onChange={(e) => setForm((f) => ({ ...f, passengers: Number(e.target.value) }))}
            >
              {[1, 2, 3, 4, 5, 6, 7, 8].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="flex-1">
            <label htmlFor="class" className="block text-sm font-medium text-slate-700">
              {t("search.class")}
            </label>
            <select
              id="class"
              className="mt-1 w-full rounded border border-slate-400 px-2 py-2"
              value={form.travelClass}
              onChange={(e) => setForm((f) => ({ ...f, travelClass: Number(e.target.value) }))}
            >
              <option value={2}>{t("common.class2")}</option>
              <option value={1}>{t("common.class1")}</option>
            </select>
          </div>
        </div>
        <div className="sm:col-span-2 lg:col-span-8">
          <button type="submit" className="w-full rounded bg-brand px-6 py-2 font-semibold text-white hover:bg-brand-dark sm:w-auto">
            {t("search.submit")}
          </button>
        </div>
      </form>
      {ready && (
        <Results
          {...current}
          onShift={shiftDay}
          stations={stations.data ?? []}
        />
      )}
    </div>
  );
}

function Results({
  from,
  to,
  date,
  passengers,
  travelClass,
  onShift,
  stations,
}: ReturnType<typeof readParams> & { onShift: (days: number) => void; stations: Schemas["StationView"][] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const status = useLive(null);
  const search = useQuery({
    queryKey: keys.search(from, to, date, passengers),
    queryFn: async () =>
      unwrap(await api.GET("/search", { params: { query: { from, to, date, passengers } } })),
    refetchInterval: pollEvery(status, 15_000),
  });
  const name = (code: string) => stations.find((s) => s.code === code)?.name ?? code;
  return (
    <section aria-labelledby="results-title" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="results-title" className="text-lg font-semibold">
          {name(from)} → {name(to)}, {fmt.longDate(`${date}T12:00:00Z`)}
        </h2>
        <div className="flex gap-2">
          <button type="button" className="rounded border border-slate-400 bg-white px-3 py-1" onClick={() => onShift(-1)}>
            ← {t("search.dayBack")}
          </button>
          <button type="button" className="rounded border border-slate-400 bg-white px-3 py-1" onClick={() => onShift(1)}>
            {t("search.dayForward")} →
          </button>
        </div>
      </div>
      {search.isPending && <Loading />}
      {search.isError && <ErrorBox error={search.error} />}
      {search.data && search.data.departures.length === 0 && (
        <p className="rounded bg-white p-4 text-slate-700 shadow" data-testid="no-results">
          {t("search.empty")}
        </p>
      )}
      <ul className="space-y-3" data-testid="results">
        {search.data?.departures.map((d) => {
          const price = d.price_from_grosze[String(travelClass)];
          const link = `/runs/${encodeURIComponent(d.run_id)}?${new URLSearchParams({
            from,
            to,
            passengers: String(passengers),
            class: String(travelClass),
          }).toString()}`;
          return (
            <li key={d.run_id} className="rounded-lg bg-white p-4 shadow" data-testid="departure" data-run={d.run_id}>
              <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
                <div className="min-w-40">
                  <div className="text-2xl font-bold tabular-nums">
                    {fmt.time(d.departs_at)} – {fmt.time(d.arrives_at)}
                  </div>
                  <div className="text-sm text-slate-600">
                    {fmt.duration(d.duration_minutes)} · {t("search.direct")}
                    {d.delay_minutes > 0 && (
                      <>
                        {" · "}
                        <Delay minutes={d.delay_minutes} scheduled={d.departs_at} />
                      </>
                    )}
                  </div>
                </div>
                <div className="flex items-center gap-2">
                  <span aria-hidden="true">
                    <Badge tone="blue">{d.category}</Badge>
                  </span>
                  <span className="font-medium">
                    <span className="sr-only">{d.category} </span>
                    {d.train.startsWith(`${d.category} `) ? d.train.slice(d.category.length + 1) : d.train}
                  </span>
                  {d.cancelled && <Badge tone="red">{t("search.cancelled")}</Badge>}
                </div>
                <div className="text-sm">
                  <div>
                    {t("search.freeSeats")}: {t("common.class1short")} {d.free_seats["1"] ?? 0} · {t("common.class2short")}{" "}
                    {d.free_seats["2"] ?? 0}
                  </div>
                  <div>
                    {t("search.priceFrom")}:{" "}
                    <strong>{price !== undefined ? fmt.money(price) : "—"}</strong>
                  </div>
                </div>
                <div className="ml-auto">
                  {d.cancelled || price === undefined ? (
                    <span className="text-sm text-slate-600">{t("search.notAvailable")}</span>
                  ) : (
                    <Link to={link} className="inline-block rounded bg-accent px-4 py-2 font-semibold text-slate-900 hover:brightness-95">
                      {t("search.choose")}
                    </Link>
                  )}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
