// What a schedule change means for one booking: the delay at the passenger's destination, the expected
// arrival, whether the train is cancelled on the journey, and what the passenger may claim.
//
// Claims follow Regulation (EU) 2021/782: a cancelled journey may be refunded in full (Art. 18); a late
// arrival of 60 minutes or more earns 25 % of the fare, 120 minutes or more 50 % (Art. 19), paid once the
// train has arrived (then `compensation_grosze` is on the booking).

export interface StopLike {
  station: string;
  arrives_at: string | null;
  departs_at: string | null;
  delay_minutes: number;
}

export interface RunLike {
  cancelled: boolean;
  cancelled_from?: string | null;
  stops: StopLike[];
}

export interface BookingLike {
  status: string;
  origin: string;
  destination: string;
  total_grosze: number;
  compensation_grosze?: number;
  cancellation_reason?: string | null;
}

export type Claim =
  | { kind: "none" }
  | { kind: "refund"; grosze: number } // the whole fare back (cancelled train)
  | { kind: "compensation_due"; percent: 25 | 50; grosze: number } // on arrival
  | { kind: "compensation_paid"; grosze: number };

export interface Disruption {
  delayMinutes: number;
  scheduledArrival: string | null;
  expectedArrival: string | null;
  cancelled: boolean;
  claim: Claim;
}

/** The compensation percentage a delay at the destination earns (0 below an hour). */
export function compensationPercent(minutes: number): 0 | 25 | 50 {
  if (minutes >= 120) return 50;
  if (minutes >= 60) return 25;
  return 0;
}

/** The change's effect on a booking, or null when nothing touches it. */
export function disruptionOf(booking: BookingLike, run: RunLike | undefined): Disruption | null {
  const paid = booking.compensation_grosze ?? 0;
  const trainCancelled = booking.cancellation_reason === "train_cancelled" || cancelsJourney(booking, run);
  const stops = run?.stops ?? [];
  const destination = stops.find((s) => s.station === booking.destination);
  const delayMinutes = destination?.delay_minutes ?? 0;
  const scheduledArrival = destination?.arrives_at ?? null;
  const expectedArrival =
    scheduledArrival && delayMinutes > 0
      ? new Date(new Date(scheduledArrival).getTime() + delayMinutes * 60_000).toISOString()
      : scheduledArrival;
  if (!trainCancelled && delayMinutes <= 0 && paid <= 0) return null;
  let claim: Claim = { kind: "none" };
  if (trainCancelled) {
    claim = { kind: "refund", grosze: booking.total_grosze };
  } else if (paid > 0) {
    claim = { kind: "compensation_paid", grosze: paid };
  } else {
    const percent = compensationPercent(delayMinutes);
    if (percent !== 0 && booking.status === "CONFIRMED") {
      claim = { kind: "compensation_due", percent, grosze: Math.floor((booking.total_grosze * percent) / 100) };
    }
  }
  return { delayMinutes, scheduledArrival, expectedArrival, cancelled: trainCancelled, claim };
}

/** Whether a cancellation of the run (whole, or from a station on) cuts the passenger's journey. */
function cancelsJourney(booking: BookingLike, run: RunLike | undefined): boolean {
  if (!run?.cancelled) return false;
  if (!run.cancelled_from) return true;
  const order = run.stops.map((s) => s.station);
  const from = order.indexOf(run.cancelled_from);
  const destination = order.indexOf(booking.destination);
  return from < 0 || destination < 0 || from < destination;
}
