// Reservation: the run's stops, the seat map, passengers with discounts, the price, the card; then the saga.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router";

import { useSession } from "../api/auth";
import { api, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { paymentPart, TEST_CARDS, type CardForm } from "../api/payment";
import { SeatMap } from "../components/SeatMap";
import { TimeTravel } from "../components/TimeTravel";
import { Badge, Delay, ErrorBox, Loading } from "../components/ui";
import { useFormat } from "../lib/useFormat";
import { pollEvery, useLive } from "../live";

interface Choice {
  key: string;
  car: number;
  seat: number;
}

interface PassengerForm {
  name: string;
  discount: string;
}

export function RunPage() {
  const { runId = "" } = useParams();
  const [params] = useSearchParams();
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const count = Math.min(8, Math.max(1, Number(params.get("passengers") ?? "1") || 1));
  const travelClass = params.get("class") === "1" ? 1 : 2;
  const { t } = useTranslation();
  const fmt = useFormat();
  const status = useLive(`run:${runId}`);

  const run = useQuery({
    queryKey: keys.run(runId),
    queryFn: async () => unwrap(await api.GET("/runs/{run_id}", { params: { path: { run_id: runId } } })),
    refetchInterval: pollEvery(status, 15_000),
  });
  const seatMap = useQuery({
    queryKey: keys.seatMap(runId, from, to),
    queryFn: async () =>
      unwrap(await api.GET("/runs/{run_id}/seatmap", { params: { path: { run_id: runId }, query: { from, to } } })),
    refetchInterval: pollEvery(status, 2_000),
    enabled: Boolean(from && to),
  });
  const [chosen, setChosen] = useState<Choice[]>([]);
  const [travelAt, setTravelAt] = useState<string | null>(null);

  const toggle = (key: string, car: number, seat: number) => {
    setChosen((current) => {
      if (current.some((c) => c.key === key)) return current.filter((c) => c.key !== key);
      const next = [...current, { key, car, seat }];
      return next.length > count ? next.slice(next.length - count) : next;
    });
  };
  // A seat someone else took since it was chosen is no longer ours to pay for.
  const takenKeys = new Set(
    seatMap.data?.cars.flatMap((c) => c.seats.filter((s) => s.state !== "free").map((s) => s.key)) ?? [],
  );
  const stillFree = chosen.filter((c) => !takenKeys.has(c.key));

  if (!from || !to) {
    return (
      <p className="rounded bg-white p-4 shadow">
        {t("run.noJourney")}{" "}
        <Link to="/search" className="text-brand underline">
          {t("nav.search")}
        </Link>
      </p>
    );
  }
  const stops = run.data?.stops ?? [];
  const origin = stops.find((s) => s.station === from);
  const destination = stops.find((s) => s.station === to);

  return (
    <div className="space-y-6">
      {run.isPending && <Loading />}
      {run.isError && <ErrorBox error={run.error} />}
      {run.data && (
        <header className="space-y-1">
          <h1 className="text-2xl font-bold">
            {run.data.train} · {origin?.name ?? from} → {destination?.name ?? to}
          </h1>
          {origin?.departs_at && (
            <p className="text-slate-700">
              {fmt.longDate(origin.departs_at)}, {fmt.time(origin.departs_at)}
              {destination?.arrives_at && <> – {fmt.time(destination.arrives_at)}</>}
              {run.data.cancelled && (
                <>
                  {" "}
                  <Badge tone="red">{t("search.cancelled")}</Badge>
                </>
              )}
            </p>
          )}
        </header>
      )}
      <div className="grid items-start gap-6 lg:grid-cols-2">
          <section aria-labelledby="seats-title" className="min-w-0 rounded-lg bg-white p-4 shadow lg:col-span-2">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <h2 id="seats-title" className="text-lg font-semibold">
                {travelAt ? t("timetravel.title") : t("seatmap.title", { n: count })}
              </h2>
              <span className="text-xs text-slate-600" data-testid="live-status">
                {status === "live" ? t("live.on") : t("live.polling")}
              </span>
            </div>
            {seatMap.isError && <ErrorBox error={seatMap.error} />}
            {seatMap.data && !travelAt && (
              <SeatMap cars={seatMap.data.cars} selected={stillFree.map((c) => c.key)} onToggle={toggle} preferredClass={travelClass} />
            )}
            <TimeTravel runId={runId} from={from} to={to} at={travelAt} onChange={setTravelAt} preferredClass={travelClass} />
          </section>
          <Checkout runId={runId} from={from} to={to} count={count} chosen={stillFree} onUnchoose={(key) => toggle(key, 0, 0)} />
          <section aria-labelledby="stops-title" className="min-w-0 rounded-lg bg-white p-4 shadow">
            <h2 id="stops-title" className="mb-2 text-lg font-semibold">
              {t("run.stops")}
            </h2>
            <ol className="divide-y divide-slate-200 text-sm">
              {stops.map((stop) => {
                const onJourney = stop.station === from || stop.station === to;
                return (
                  <li key={stop.station} className={`flex flex-wrap gap-x-4 py-1 ${onJourney ? "font-semibold" : ""}`}>
                    <span className="w-28 tabular-nums">
                      {stop.arrives_at ? fmt.time(stop.arrives_at) : "—"} / {stop.departs_at ? fmt.time(stop.departs_at) : "—"}
                    </span>
                    <span className="flex-1">{stop.name}</span>
                    <Delay minutes={stop.delay_minutes} scheduled={stop.arrives_at ?? stop.departs_at} />
                    {stop.platform && (
                      <span className="text-slate-700">
                        {t("run.platform", { platform: fmt.roman(stop.platform), track: stop.track ?? "" })}
                      </span>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
      </div>
    </div>
  );
}

function Checkout({
  runId,
  from,
  to,
  count,
  chosen,
  onUnchoose,
}: {
  runId: string;
  from: string;
  to: string;
  count: number;
  chosen: Choice[];
  onUnchoose: (key: string) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [passengers, setPassengers] = useState<PassengerForm[]>(() =>
    Array.from({ length: count }, (_, i) => ({
      name: i === 0 && session ? session.user.name : "",
      discount: (i === 0 && session?.user.default_discount) || "NORMAL",
    })),
  );
  const [card, setCard] = useState<CardForm>({ number: "", expiry: "12/30", cvc: "" });
  const [key] = useState(() => crypto.randomUUID());
  const discounts = useQuery({
    queryKey: keys.discounts(),
    queryFn: async () => unwrap(await api.GET("/discounts")),
    staleTime: Infinity,
  });
  const complete = chosen.length === count;
  const named = passengers.map((p, i) => ({ name: p.name.trim() || `${t("checkout.passenger")} ${i + 1}`, discount: p.discount }));
  const quote = useQuery({
    queryKey: ["quote", runId, from, to, chosen.map((c) => c.key), named],
    queryFn: async () =>
      unwrap(
        await api.POST("/quotes", {
          body: {
            run_id: runId,
            origin: from,
            destination: to,
            seats: chosen.map((c) => ({ car: c.car, seat: c.seat })),
            passengers: named,
          },
        }),
      ),
    enabled: complete,
  });
  const book = useMutation({
    mutationFn: async () => {
      const payment = await paymentPart(card);
      return unwrap(
        await api.POST("/bookings", {
          body: {
            run_id: runId,
            origin: from,
            destination: to,
            seats: chosen.map((c) => ({ car: c.car, seat: c.seat })),
            passengers: passengers.map((p, i) => ({ name: p.name.trim() || named[i]?.name || "", discount: p.discount })),
            ...payment,
          },
          headers: { "Idempotency-Key": key },
        }),
      );
    },
    onSuccess: (accepted) => void navigate(`/bookings/${accepted.booking_id}`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (complete) book.mutate();
  };

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg bg-white p-4 shadow" aria-labelledby="checkout-title">
      <h2 id="checkout-title" className="text-lg font-semibold">
        {t("checkout.title")}
      </h2>
      <fieldset className="space-y-3">
        <legend className="font-medium">{t("checkout.passengers")}</legend>
        {passengers.map((p, i) => {
          const seat = chosen[i];
          const line = quote.data?.passengers[i];
          return (
            <div key={i} className="space-y-2 rounded border border-slate-200 p-2" data-testid={`passenger-${i + 1}`}>
              <div className="flex items-center justify-between text-sm">
                <span className="font-medium">
                  {t("checkout.passenger")} {i + 1}
                </span>
                <span data-testid="passenger-seat">
                  {seat ? (
                    <button type="button" className="underline" onClick={() => onUnchoose(seat.key)}>
                      {t("seatmap.car")} {seat.car}, {t("seatmap.seat").toLowerCase()} {seat.seat}{" "}
                      <span aria-hidden="true">✕</span>
                      <span className="sr-only">({t("checkout.unchoose")})</span>
                    </button>
                  ) : (
                    <span className="text-slate-600">{t("checkout.chooseSeat")}</span>
                  )}
                </span>
              </div>
              <label className="block text-sm">
                {t("checkout.name")}
                <input
                  name={`name-${i + 1}`}
                  className="mt-1 w-full rounded border border-slate-400 px-2 py-1"
                  value={p.name}
                  autoComplete="name"
                  onChange={(e) => setPassengers((all) => all.map((q, j) => (j === i ? { ...q, name: e.target.value } : q)))}
                />
              </label>
              <label className="block text-sm">
                {t("checkout.discount")}
                <select
                  name={`discount-${i + 1}`}
                  className="mt-1 w-full rounded border border-slate-400 px-2 py-1"
                  value={p.discount}
                  onChange={(e) => setPassengers((all) => all.map((q, j) => (j === i ? { ...q, discount: e.target.value } : q)))}
                >
                  {(discounts.data ?? [{ code: "NORMAL", percent: 0, meaning: "" }]).map((d) => (
                    <option key={d.code} value={d.code} title={d.meaning}>
                      {d.code === "NORMAL" ? t("checkout.fullFare") : t("checkout.statutory", { percent: d.percent })}
                    </option>
                  ))}
                </select>
              </label>
              {line && (
                <div className="text-right text-sm" data-testid="passenger-price">
                  {fmt.money(line.price_grosze)}
                </div>
              )}
            </div>
          );
        })}
      </fieldset>
      <div className="flex items-baseline justify-between border-t border-slate-200 pt-2">
        <span className="font-medium">{t("checkout.total")}</span>
        <span className="text-xl font-bold" data-testid="total">
          {quote.data ? fmt.money(quote.data.total_grosze) : "—"}
        </span>
      </div>
      {quote.isError && <ErrorBox error={quote.error} />}
      {!session ? (
        <p className="rounded bg-amber-50 p-3 text-sm">
          {t("checkout.signInFirst")}{" "}
          <Link className="font-semibold underline" to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`}>
            {t("auth.signIn")}
          </Link>
        </p>
      ) : (
        <fieldset className="space-y-2">
          <legend className="font-medium">{t("checkout.payment")}</legend>
          <label className="block text-sm">
            {t("checkout.cardNumber")}
            <input
              name="card-number"
              inputMode="numeric"
              autoComplete="cc-number"
              required
              className="mt-1 w-full rounded border border-slate-400 px-2 py-1 tabular-nums"
              value={card.number}
              onChange={(e) => setCard((c) => ({ ...c, number: e.target.value }))}
            />
          </label>
          <div className="flex gap-2">
            <label className="block flex-1 text-sm">
              {t("checkout.expiry")}
              <input
                name="card-expiry"
                autoComplete="cc-exp"
                required
                placeholder="MM/RR"
                className="mt-1 w-full rounded border border-slate-400 px-2 py-1"
                value={card.expiry}
                onChange={(e) => setCard((c) => ({ ...c, expiry: e.target.value }))}
              />
            </label>
            <label className="block flex-1 text-sm">
              CVC
              <input
                name="card-cvc"
                autoComplete="cc-csc"
                inputMode="numeric"
                className="mt-1 w-full rounded border border-slate-400 px-2 py-1"
                value={card.cvc}
                onChange={(e) => setCard((c) => ({ ...c, cvc: e.target.value }))}
              />
            </label>
          </div>
          <details className="text-sm">
            <summary className="cursor-pointer text-brand underline">{t("checkout.testCards")}</summary>
            <ul className="mt-1 space-y-1">
              {TEST_CARDS.map((c) => (
                <li key={c.number}>
                  <button type="button" className="font-mono underline" onClick={() => setCard((f) => ({ ...f, number: c.number }))}>
                    {c.number}
                  </button>{" "}
                  – {t(`payment.${c.outcome}`)}
                </li>
              ))}
            </ul>
          </details>
          {book.isError && <ErrorBox error={book.error} />}
          <button
            type="submit"
            disabled={!complete || book.isPending}
            className="w-full rounded bg-brand px-4 py-2 font-semibold text-white hover:bg-brand-dark disabled:cursor-not-allowed disabled:bg-slate-500"
          >
            {book.isPending ? t("common.loading") : t("checkout.buy")}
          </button>
          {!complete && <p className="text-xs text-slate-700">{t("checkout.chooseAll", { n: count })}</p>}
        </fieldset>
      )}
    </form>
  );
}
