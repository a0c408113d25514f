// One booking: status, journey, seats, passengers, price; the saga timeline live; ticket, cancel, history.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { useSession } from "../api/auth";
import { api, download, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { Delay, ErrorBox, Loading, StatusBadge } from "../components/ui";
import { disruptionOf, type Disruption } from "../lib/disruption";
import { useFormat } from "../lib/useFormat";
import { pollEvery, useLive } from "../live";

const FINAL = new Set(["CONFIRMED", "FAILED", "CANCELLED"]);

interface Step {
  state: string;
  compensation?: boolean;
  entered?: string;
  left?: string | null;
  outcome: string;
  error?: string | null;
  cause?: string | null;
}

interface Execution {
  execution: string;
  status: string;
  steps: Step[];
}

export function BookingPage() {
  const { bookingId = "" } = useParams();
  const { t } = useTranslation();
  const fmt = useFormat();
  const session = useSession();
  const status = useLive(session ? `booking:${bookingId}` : null);
  const booking = useQuery({
    queryKey: keys.booking(bookingId),
    queryFn: async () => unwrap(await api.GET("/bookings/{booking_id}", { params: { path: { booking_id: bookingId } } })),
    enabled: Boolean(session),
  });
  const trace = useQuery({
    queryKey: keys.trace(bookingId),
    queryFn: async () =>
      unwrap(await api.GET("/bookings/{booking_id}/trace", { params: { path: { booking_id: bookingId } } })) as unknown as {
        status: string;
        executions: Execution[];
      },
    enabled: Boolean(session),
    // While the saga runs its steps are pushed; a slow re-read covers a push lost on the way (the page
    // would otherwise stay at the last step it saw).
    refetchInterval: (query) => {
      const running = query.state.data?.executions.some((e) => e.status === "RUNNING") ?? true;
      return running ? pollEvery(status, 1_000) || 5_000 : false;
    },
  });
  // The booking's status follows the saga: re-read it while an execution runs, and once when it ends.
  const running = trace.data?.executions.some((e) => e.status === "RUNNING") ?? true;
  const settledStatus = booking.data?.status;
  useBookingFollowsTrace(bookingId, running, trace.dataUpdatedAt);
  const run = useQuery({
    queryKey: keys.run(booking.data?.run_id ?? ""),
    queryFn: async () =>
      unwrap(await api.GET("/runs/{run_id}", { params: { path: { run_id: booking.data?.run_id ?? "" } } })),
    enabled: Boolean(booking.data?.run_id),
  });
  // A schedule change arrives on the run's topic: follow it so the new times show without a reload.
  useLive(booking.data?.run_id ? `run:${booking.data.run_id}` : null);

  if (!session) return <SignInFirst />;
  if (booking.isPending) return <Loading />;
  if (booking.isError) return <ErrorBox error={booking.error} />;
  const b = booking.data;
  const stops = run.data?.stops ?? [];
  const origin = stops.find((s) => s.station === b.origin);
  const destination = stops.find((s) => s.station === b.destination);
  const final = FINAL.has(b.status) && !running;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold">{t("booking.title")}</h1>
        <StatusBadge status={b.status} />
      </div>
      {b.status === "FAILED" && (
        <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800" data-testid="failure-reason">
          {t("booking.failed")}: {t(`reasons.${b.failure?.code ?? "internal"}`, { defaultValue: b.failure?.message ?? "" })}
          <div className="text-sm">{t("booking.seatsReleased")}</div>
        </div>
      )}
      <DisruptionBanner disruption={disruptionOf(b, run.data)} />
      {b.status === "CANCELLED" && (
        <div className="rounded border border-slate-300 bg-slate-100 p-3" data-testid="refund">
          {t("booking.cancelled")} {t("booking.refunded", { amount: fmt.money(b.refund_grosze ?? 0) })}
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="journey-title" className="space-y-2 rounded-lg bg-white p-4 shadow">
          <h2 id="journey-title" className="text-lg font-semibold">
            {run.data?.train ?? ""} · {origin?.name ?? b.origin} → {destination?.name ?? b.destination}
          </h2>
          <p>
            {fmt.longDate(b.departs_at)}, {fmt.time(b.departs_at)}
            {destination?.arrives_at && (
              <>
                {" – "}
                {fmt.time(destination.arrives_at)} <Delay minutes={destination.delay_minutes} scheduled={destination.arrives_at} />
              </>
            )}
          </p>
          {origin?.platform && (
            <p className="text-sm">{t("run.platform", { platform: fmt.roman(origin.platform), track: origin.track ?? "" })}</p>
          )}
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("checkout.passengers")}</caption>
            <thead>
              <tr className="border-b border-slate-200">
                <th className="py-1 pr-2">{t("checkout.passenger")}</th>
                <th className="pr-2">{t("checkout.discount")}</th>
                <th className="pr-2">{t("booking.carSeat")}</th>
                <th className="text-right">{t("booking.price")}</th>
              </tr>
            </thead>
            <tbody>
              {b.passengers.map((p, i) => {
                const [car, seat] = String(p["seat"] ?? b.seats[i] ?? "").split("-");
                return (
                  <tr key={i} className="border-b border-slate-100">
                    <td className="py-1 pr-2">{String(p["name"] ?? "")}</td>
                    <td className="pr-2">
                      {p["discount"] === "NORMAL" || !p["discount"]
                        ? t("checkout.fullFare")
                        : t("checkout.statutory", { percent: String(p["discount"]).replace(/\D/g, "") })}
                    </td>
                    <td className="pr-2 whitespace-nowrap">
                      {Number(car)} / {Number(seat)}
                    </td>
                    <td className="text-right">{fmt.money(Number(p["price_grosze"] ?? 0))}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="text-right text-lg font-bold">
            {t("checkout.total")}: {fmt.money(b.total_grosze)}
          </p>
        </section>
        <section aria-labelledby="timeline-title" className="rounded-lg bg-white p-4 shadow">
          <h2 id="timeline-title" className="mb-2 text-lg font-semibold">
            {t("booking.timeline")}
          </h2>
          {trace.isError && <ErrorBox error={trace.error} />}
          <Timeline executions={trace.data?.executions ?? []} />
          {!final && <p role="status" className="mt-2 text-sm text-slate-600">{t("booking.inProgress")}</p>}
          {settledStatus && <span className="sr-only">{settledStatus}</span>}
        </section>
      </div>
      {b.status === "CONFIRMED" && <Ticket bookingId={bookingId} />}
      {b.status === "CONFIRMED" && final && <Cancel bookingId={bookingId} />}
      <History bookingId={bookingId} />
      <p>
        <Link to="/bookings" className="text-brand underline">
          ← {t("nav.bookings")}
        </Link>
      </p>
    </div>
  );
}

/** Re-reads the booking each time the trace changes while the saga runs (pushes do it when live). */
function useBookingFollowsTrace(bookingId: string, running: boolean, version: number) {
  const client = useQueryClient();
  useEffect(() => {
    if (version === 0) return;
    void client.invalidateQueries({ queryKey: keys.booking(bookingId) });
    void client.invalidateQueries({ queryKey: keys.events(bookingId) });
    if (!running) void client.invalidateQueries({ queryKey: keys.bookings() });
  }, [client, bookingId, running, version]);
}

function Timeline({ executions }: { executions: Execution[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const started = executions.filter((e) => e.status !== "NOT_STARTED");
  if (started.length === 0) return <Loading />;
  return (
    <div className="space-y-4">
      {started.map((execution) => (
        <div key={execution.execution}>
        <h3 className="mb-1 text-sm font-semibold text-slate-700">
          {execution.execution.startsWith("cancel-") ? t("booking.cancellationSaga") : t("booking.bookingSaga")}
        </h3>
        <ol className="relative space-y-2 border-l-2 border-slate-300 pl-4" data-testid="timeline" data-status={execution.status}>
          {execution.steps.map((step, i) => {
            const tone =
              step.outcome === "succeeded"
                ? "bg-green-600"
                : step.outcome === "running"
                  ? "bg-amber-500 animate-pulse"
                  : "bg-red-600";
            return (
              <li key={i} className="relative" data-step={step.state} data-outcome={step.outcome}>
                <span className={`absolute -left-[1.45rem] top-1.5 h-3 w-3 rounded-full ${tone}`} aria-hidden="true" />
                <div className="flex flex-wrap items-baseline gap-x-2">
                  <span className={`font-medium ${step.compensation ? "text-red-800" : ""}`}>
                    {step.state === "(end)" ? t("booking.end") : t(`saga.${step.state}`, { defaultValue: step.state })}
                  </span>
                  {step.compensation && <span className="text-xs text-red-800">({t("booking.compensation")})</span>}
                  <span className="text-xs text-slate-600">{t(`outcome.${step.outcome}`, { defaultValue: step.outcome })}</span>
                  {step.entered && <span className="text-xs tabular-nums text-slate-600">{fmt.instant(step.entered)}</span>}
                </div>
                {step.error && <div className="text-xs text-red-800">{step.error}</div>}
              </li>
            );
          })}
        </ol>
        </div>
      ))}
    </div>
  );
}

function Ticket({ bookingId }: { bookingId: string }) {
  const { t } = useTranslation();
  const ticket = useQuery({
    queryKey: keys.ticket(bookingId),
    queryFn: async () =>
      unwrap(await api.GET("/bookings/{booking_id}/ticket", { params: { path: { booking_id: bookingId } } })) as {
        ticket_number: string;
        qr_svg: string;
      },
    retry: 5,
    retryDelay: 1000,
  });
  const [failed, setFailed] = useState(false);
  const save = async () => {
    try {
      const blob = await download(`/bookings/${bookingId}/ticket.pdf`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `${ticket.data?.ticket_number ?? bookingId}.pdf`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setFailed(true);
    }
  };
  return (
    <section aria-labelledby="ticket-title" className="rounded-lg bg-white p-4 shadow">
      <h2 id="ticket-title" className="mb-2 text-lg font-semibold">
        {t("ticket.title")}
      </h2>
      {ticket.isPending && <Loading />}
      {ticket.isError && <ErrorBox error={ticket.error} />}
      {ticket.data && (
        <div className="flex flex-wrap items-center gap-6">
          <img
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(ticket.data.qr_svg)}`}
            alt={t("ticket.qr")}
            className="h-64 w-64 bg-white p-2"
            data-testid="ticket-qr"
          />
          <div className="space-y-2">
            <p>
              {t("ticket.number")}: <strong className="font-mono">{ticket.data.ticket_number}</strong>
            </p>
            <button type="button" onClick={() => void save()} className="rounded bg-brand px-4 py-2 font-semibold text-white">
              {t("ticket.pdf")}
            </button>
            {failed && <p role="alert">{t("errors.network")}</p>}
          </div>
        </div>
      )}
    </section>
  );
}

function Cancel({ bookingId }: { bookingId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const quote = useQuery({
    queryKey: keys.refund(bookingId),
    queryFn: async () => unwrap(await api.GET("/bookings/{booking_id}/refund", { params: { path: { booking_id: bookingId } } })),
    enabled: asking,
    staleTime: 0,
  });
  const cancel = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/bookings/{booking_id}", { params: { path: { booking_id: bookingId } } })),
    onSuccess: () => {
      setAsking(false);
      void client.invalidateQueries({ queryKey: keys.trace(bookingId) });
      void client.invalidateQueries({ queryKey: keys.booking(bookingId) });
    },
  });
  return (
    <section aria-labelledby="cancel-title" className="rounded-lg bg-white p-4 shadow">
      <h2 id="cancel-title" className="mb-2 text-lg font-semibold">
        {t("cancel.title")}
      </h2>
      {!asking ? (
        <button type="button" className="rounded border border-red-700 px-4 py-2 text-red-800" onClick={() => setAsking(true)}>
          {t("cancel.start")}
        </button>
      ) : (
        <div className="space-y-2" data-testid="refund-quote">
          {quote.isPending && <Loading />}
          {quote.isError && <ErrorBox error={quote.error} />}
          {quote.data && (
            <dl className="grid max-w-sm grid-cols-2 gap-1 text-sm">
              <dt>{t("cancel.paid")}</dt>
              <dd className="text-right">{fmt.money(quote.data.total_grosze)}</dd>
              <dt>{t("cancel.fee")}</dt>
              <dd className="text-right">−{fmt.money(quote.data.fee_grosze)}</dd>
              <dt className="font-semibold">{t("cancel.refund")}</dt>
              <dd className="text-right font-semibold" data-testid="refund-amount">
                {fmt.money(quote.data.refund_grosze)}
              </dd>
            </dl>
          )}
          {cancel.isError && <ErrorBox error={cancel.error} />}
          <div className="flex gap-2">
            <button
              type="button"
              disabled={!quote.data || cancel.isPending}
              className="rounded bg-red-700 px-4 py-2 font-semibold text-white disabled:bg-slate-500"
              onClick={() => cancel.mutate()}
            >
              {t("cancel.confirm")}
            </button>
            <button type="button" className="rounded border border-slate-400 px-4 py-2" onClick={() => setAsking(false)}>
              {t("cancel.keep")}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function History({ bookingId }: { bookingId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const events = useQuery({
    queryKey: keys.events(bookingId),
    queryFn: async () =>
      unwrap(await api.GET("/bookings/{booking_id}/events", { params: { path: { booking_id: bookingId } } })),
  });
  return (
    <section aria-labelledby="history-title" className="rounded-lg bg-white p-4 shadow">
      <h2 id="history-title" className="mb-2 text-lg font-semibold">
        {t("booking.history")}
      </h2>
      {events.isPending && <Loading />}
      {events.isError && <ErrorBox error={events.error} />}
      <ol className="space-y-1 text-sm" data-testid="history">
        {events.data?.map((e) => (
          <li key={e.version} className="flex flex-wrap gap-x-3">
            <span className="w-8 text-right tabular-nums text-slate-600">{e.version}.</span>
            <span className="tabular-nums text-slate-600">{fmt.instant(e.at)}</span>
            <span className="font-medium">{t(`events.${e.type}`, { defaultValue: e.type })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function SignInFirst() {
  const { t } = useTranslation();
  return (
    <p className="rounded bg-amber-50 p-4">
      {t("checkout.signInFirst")}{" "}
      <Link className="font-semibold underline" to={`/signin?next=${encodeURIComponent(window.location.pathname)}`}>
        {t("auth.signIn")}
      </Link>
    </p>
  );
}

/** The red banner of a booking touched by a change: the new times and what the passenger may claim. */
function DisruptionBanner({ disruption }: { disruption: Disruption | null }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (!disruption) return null;
  const { claim } = disruption;
  return (
    <div role="alert" className="space-y-1 rounded border-2 border-red-700 bg-red-50 p-3 text-red-900" data-testid="disruption">
      {disruption.cancelled && <p className="font-bold">{t("affected.cancelled")}</p>}
      {disruption.delayMinutes > 0 && disruption.scheduledArrival && disruption.expectedArrival && (
        <p className="font-bold">
          {t("affected.delayed", {
            delay: fmt.delay(disruption.delayMinutes),
            scheduled: fmt.time(disruption.scheduledArrival),
            expected: fmt.time(disruption.expectedArrival),
          })}
        </p>
      )}
      <p data-testid="claim">
        {claim.kind === "refund" && t("affected.claimRefund", { amount: fmt.money(claim.grosze) })}
        {claim.kind === "compensation_due" && t("affected.claimDue", { percent: claim.percent, amount: fmt.money(claim.grosze) })}
        {claim.kind === "compensation_paid" && t("affected.claimPaid", { amount: fmt.money(claim.grosze) })}
        {claim.kind === "none" && t("affected.claimNone")}
      </p>
    </div>
  );
}
