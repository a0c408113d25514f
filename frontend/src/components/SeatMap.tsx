// The seat map of a run for one journey: cars in train order, each drawn from its layout, one seat per
// passenger chosen in order; arrow keys move across seats, Enter or Space chooses.
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";

import type { Schemas } from "../api/client";
import { firstSeat, layoutCar, move, type Cell, type Direction } from "../lib/seatLayout";
import { useMediaQuery } from "../lib/useMediaQuery";

// The layout is computed with the car upright (rows across it); on wide screens the car is drawn lying
// along the screen, as on the train's side, so the arrow keys turn with it.
const ARROWS: Record<string, Direction> = {
  ArrowUp: "up",
  ArrowDown: "down",
  ArrowLeft: "left",
  ArrowRight: "right",
};
const ARROWS_LYING: Record<string, Direction> = {
  ArrowUp: "left",
  ArrowDown: "right",
  ArrowLeft: "up",
  ArrowRight: "down",
};
const WINDOW = "shadow-[inset_0_-4px_0_0_#0369a1]";

export function SeatMap({
  cars,
  selected,
  onToggle,
  readOnly = false,
  preferredClass,
}: {
  cars: Schemas["CarView"][];
  selected: string[];
  onToggle?: (key: string, car: number, seat: number) => void;
  readOnly?: boolean;
  preferredClass?: number;
}) {
  const { t } = useTranslation();
  const [carNumber, setCarNumber] = useState<number | null>(null);
  const car =
    cars.find((c) => c.number === carNumber) ??
    cars.find((c) => c.travel_class === preferredClass) ??
    cars[0];
  const layout = useMemo(() => (car ? layoutCar(car) : null), [car]);
  const [focused, setFocused] = useState<number | null>(null);
  const buttons = useRef(new Map<number, HTMLButtonElement>());
  const lying = useMediaQuery("(min-width: 1024px)");
  if (!car || !layout) return null;
  const focusSeat = focused !== null && car.seats.some((s) => s.seat === focused) ? focused : firstSeat(layout);

  const onKeyDown = (event: KeyboardEvent) => {
    const direction = (lying ? ARROWS_LYING : ARROWS)[event.key];
    if (!direction || focusSeat === undefined) return;
    event.preventDefault();
    const next = move(layout, focusSeat, direction);
    setFocused(next);
    buttons.current.get(next)?.focus();
  };

  const free = car.seats.filter((s) => s.state === "free").length;
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2 overflow-x-auto pb-1" role="group" aria-label={t("seatmap.cars")}>
        <span className="shrink-0 text-xs text-slate-600">{t("seatmap.direction")} ←</span>
        {cars.map((c) => (
          <button
            key={c.number}
            type="button"
            aria-pressed={c.number === car.number}
            data-testid={`car-${c.number}`}
            onClick={() => setCarNumber(c.number)}
            className={`shrink-0 rounded border px-3 py-1 text-sm ${
              c.number === car.number ? "border-brand bg-brand text-white" : "border-slate-400 bg-white"
            }`}
          >
            {t("seatmap.car")} {c.number}
            <span className="ml-1 text-xs">({c.travel_class === 1 ? t("common.class1short") : t("common.class2short")})</span>
          </button>
        ))}
      </div>
      <div className="text-sm text-slate-700">
        <strong>
          {t("seatmap.car")} {car.number}
        </strong>{" "}
        · {car.travel_class === 1 ? t("common.class1") : t("common.class2")} ·{" "}
        {car.layout === "compartment" ? t("seatmap.compartmentCar") : t("seatmap.openCar")} · {t("seatmap.freeCount", { n: free })}
      </div>
      <Legend />
      <div
        role="group"
        aria-label={`${t("seatmap.car")} ${car.number}`}
        onKeyDown={onKeyDown}
        className="inline-block max-w-full overflow-x-auto rounded-2xl border-2 border-slate-400 bg-white p-3"
        data-testid="seatmap"
        data-car={car.number}
      >
        <div className={lying ? "flex gap-2" : "space-y-2"}>
          {layout.sections.map((section) => (
            <div
              key={section.number}
              className={`${layout.kind === "compartment" ? "rounded border border-slate-300 p-1" : ""} ${lying ? "flex gap-1" : ""}`}
              aria-label={layout.kind === "compartment" ? `${t("seatmap.compartment")} ${section.number}` : undefined}
              role={layout.kind === "compartment" ? "group" : undefined}
            >
              {section.rows.map((row, r) => (
                <div key={r} className={lying ? "flex flex-col gap-1" : "flex gap-1 py-0.5"}>
                  {row.map((cell, c) =>
                    cell === "aisle" ? (
                      <div
                        key={c}
                        className={`${lying ? "h-5" : "w-6"} ${layout.kind === "compartment" ? "rounded bg-slate-100" : ""}`}
                        aria-hidden="true"
                      />
                    ) : cell === null ? (
                      <div key={c} className="h-9 w-9" aria-hidden="true" />
                    ) : (
                      <SeatButton
                        key={c}
                        cell={cell}
                        chosen={selected.indexOf(cell.key)}
                        tabbable={cell.seat === focusSeat}
                        readOnly={readOnly}
                        register={(el) => {
                          if (el) buttons.current.set(cell.seat, el);
                          else buttons.current.delete(cell.seat);
                        }}
                        onFocus={() => setFocused(cell.seat)}
                        onChoose={() => onToggle?.(cell.key, car.number, cell.seat)}
                      />
                    ),
                  )}
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

function SeatButton({
  cell,
  chosen,
  tabbable,
  readOnly,
  register,
  onFocus,
  onChoose,
}: {
  cell: Cell;
  chosen: number;
  tabbable: boolean;
  readOnly: boolean;
  register: (el: HTMLButtonElement | null) => void;
  onFocus: () => void;
  onChoose: () => void;
}) {
  const { t } = useTranslation();
  const isChosen = chosen >= 0;
  const style = cell.taken
    ? "bg-slate-300 text-slate-600 line-through"
    : isChosen
      ? "bg-accent text-slate-900 font-bold ring-2 ring-slate-900"
      : "bg-green-50 text-green-900 border-green-700 hover:bg-green-100";
  const position = t(`seatmap.position.${cell.position}`, { defaultValue: cell.position });
  const state = cell.taken ? t("seatmap.taken") : isChosen ? t("seatmap.selected", { n: chosen + 1 }) : t("seatmap.free");
  return (
    <button
      type="button"
      ref={register}
      tabIndex={tabbable ? 0 : -1}
      aria-pressed={isChosen}
      aria-disabled={cell.taken || readOnly}
      aria-label={`${t("seatmap.seat")} ${cell.seat}, ${position}, ${state}`}
      data-seat={cell.key}
      data-state={cell.taken ? "taken" : isChosen ? "selected" : "free"}
      onFocus={onFocus}
      onClick={() => {
        if (!cell.taken && !readOnly) onChoose();
      }}
      className={`relative h-9 w-9 rounded border text-sm tabular-nums ${style} ${cell.position === "window" ? WINDOW : ""}`}
    >
      {cell.seat}
    </button>
  );
}

function Legend() {
  const { t } = useTranslation();
  const items: [string, string][] = [
    ["bg-green-50 border-green-700", t("seatmap.free")],
    ["bg-slate-300", t("seatmap.taken")],
    ["bg-accent ring-2 ring-slate-900", t("seatmap.chosen")],
    [`bg-green-50 border-green-700 ${WINDOW}`, t("seatmap.position.window")],
  ];
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-slate-700" aria-label={t("seatmap.legend")}>
      {items.map(([style, label]) => (
        <li key={label} className="flex items-center gap-1">
          <span className={`inline-block h-4 w-4 rounded border ${style}`} aria-hidden="true" />
          {label}
        </li>
      ))}
    </ul>
  );
}
