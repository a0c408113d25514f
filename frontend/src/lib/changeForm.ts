// The admin's change form as the API wants it: one body per kind (`POST /admin/runs/{run_id}/changes`).
// Only the fields of the chosen kind are sent: the API forbids extra ones, and empty ones mean "not given".

export type ChangeKind = "delay" | "platform" | "cancel" | "restore";

export interface ChangeForm {
  kind: ChangeKind;
  station: string;
  minutes: string;
  platform: string;
  track: string;
  fromStation: string; // "" for the whole run
  reason: string;
}

export type ChangeBody =
  | { kind: "delay"; station: string; minutes: number; reason: string }
  | { kind: "platform"; station: string; platform: string; track: string }
  | { kind: "cancel"; from_station: string | null; reason: string }
  | { kind: "restore" };

export const emptyChangeForm: ChangeForm = {
  kind: "delay",
  station: "",
  minutes: "",
  platform: "",
  track: "",
  fromStation: "",
  reason: "",
};

/** The request body of a filled form. Numbers the browser could not parse go as NaN-free integers or 0. */
export function changeBody(form: ChangeForm): ChangeBody {
  switch (form.kind) {
    case "delay":
      return {
        kind: "delay",
        station: form.station,
        minutes: Number.parseInt(form.minutes, 10) || 0,
        reason: form.reason.trim(),
      };
    case "platform":
      return { kind: "platform", station: form.station, platform: form.platform.trim(), track: form.track.trim() };
    case "cancel":
      return { kind: "cancel", from_station: form.fromStation || null, reason: form.reason.trim() };
    case "restore":
      return { kind: "restore" };
  }
}

/** The day's list with a change just recorded here at its top until the read model lists it: the change
 * log is written by a stream consumer, so a read right after the POST (or after its push) may miss it. */
export function withRecorded<T extends { change_id: string; date: string }>(list: T[], day: string, recorded: T | undefined): T[] {
  if (!recorded || recorded.date !== day || list.some((c) => c.change_id === recorded.change_id)) return list;
  return [recorded, ...list];
}
