// Draws a car from its composition as the API gives it: the seat numbers (UIC 580) decide where each seat is.
//
// Open coach 2+2, a group of 8 per number's tens: odd places on the left, even on the right,
//   row 1: 1 (window) 3 (aisle) | aisle | 4 (aisle) 2 (window); row 2: 5 7 | aisle | 8 6.
// Open coach 2+1 (first class), a group of 6: the single seats 1, 2 by the left window,
//   row 1: 1 | aisle | 3 (aisle) 5 (window); row 2: 2 | aisle | 4 6.
// Compartment of 6 or 8: two benches facing each other, window to corridor,
//   bench 1: 5 7 3 1 (8 seats) or 5 3 1 (6 seats); bench 2: 6 8 4 2 or 6 4 2; the corridor beside them.

export type SeatState = "free" | "taken";

export interface SeatIn {
  seat: number;
  key: string;
  position: string;
  state: string;
}

export interface CarIn {
  number: number;
  travel_class: number;
  layout: string;
  seats: SeatIn[];
}

export interface Cell {
  seat: number;
  key: string;
  position: string;
  taken: boolean;
}

/** One row of a car's drawing: seats and gaps (null) left to right; "aisle" marks the gangway. */
export type Row = (Cell | null | "aisle")[];

export interface Section {
  /** The seat group (open coach) or compartment number: the seat number's tens and hundreds. */
  number: number;
  rows: Row[];
}

export interface CarLayout {
  number: number;
  travelClass: number;
  kind: "open" | "compartment";
  sections: Section[];
  /** Every row of every section in order, for keyboard moves across the whole car. */
  grid: Row[];
}

const OPEN_2_2: (number | "aisle")[][] = [
  [1, 3, "aisle", 4, 2],
  [5, 7, "aisle", 8, 6],
];
const OPEN_2_1: (number | "aisle")[][] = [
  [1, "aisle", 3, 5],
  [2, "aisle", 4, 6],
];
const COMPARTMENT_8: (number | "aisle")[][] = [
  [5, 7, 3, 1, "aisle"],
  [6, 8, 4, 2, "aisle"],
];
const COMPARTMENT_6: (number | "aisle")[][] = [
  [5, 3, 1, "aisle"],
  [6, 4, 2, "aisle"],
];

export function layoutCar(car: CarIn): CarLayout {
  const byGroup = new Map<number, Map<number, SeatIn>>();
  for (const seat of car.seats) {
    const group = Math.floor(seat.seat / 10);
    const places = byGroup.get(group) ?? new Map<number, SeatIn>();
    places.set(seat.seat % 10, seat);
    byGroup.set(group, places);
  }
  const compartment = car.layout === "compartment";
  const largest = Math.max(0, ...car.seats.map((s) => s.seat % 10));
  const pattern = compartment
    ? largest > 6
      ? COMPARTMENT_8
      : COMPARTMENT_6
    : car.travel_class === 1
      ? OPEN_2_1
      : OPEN_2_2;
  const sections: Section[] = [...byGroup.keys()]
    .sort((a, b) => a - b)
    .map((group) => {
      const places = byGroup.get(group) ?? new Map<number, SeatIn>();
      const rows = pattern
        .map((row) =>
          row.map((place): Cell | null | "aisle" => {
            if (place === "aisle") return "aisle";
            const seat = places.get(place);
            return seat
              ? { seat: seat.seat, key: seat.key, position: seat.position, taken: seat.state !== "free" }
              : null;
          }),
        )
        .filter((row) => row.some((cell) => cell !== null && cell !== "aisle"));
      return { number: group, rows };
    });
  return {
    number: car.number,
    travelClass: car.travel_class,
    kind: compartment ? "compartment" : "open",
    sections,
    grid: sections.flatMap((s) => s.rows),
  };
}

export type Direction = "up" | "down" | "left" | "right";

function isSeat(cell: Cell | null | "aisle" | undefined): cell is Cell {
  return cell !== null && cell !== undefined && cell !== "aisle";
}

/** Where an arrow key goes from `seat`: the nearest seat that way (skipping gaps and the aisle), or stay. */
export function move(layout: CarLayout, seat: number, direction: Direction): number {
  const grid = layout.grid;
  let row = -1;
  let col = -1;
  grid.forEach((cells, r) =>
    cells.forEach((cell, c) => {
      if (isSeat(cell) && cell.seat === seat) {
        row = r;
        col = c;
      }
    }),
  );
  if (row < 0) return seat;
  if (direction === "left" || direction === "right") {
    const step = direction === "left" ? -1 : 1;
    const cells = grid[row] ?? [];
    for (let c = col + step; c >= 0 && c < cells.length; c += step) {
      const cell = cells[c];
      if (isSeat(cell)) return cell.seat;
    }
    return seat;
  }
  const step = direction === "up" ? -1 : 1;
  for (let r = row + step; r >= 0 && r < grid.length; r += step) {
    const cells = grid[r] ?? [];
    const same = cells[col];
    if (isSeat(same)) return same.seat;
    // A row with a gap in this column: take the nearest seat in it.
    for (let d = 1; d < cells.length; d++) {
      const left = cells[col - d];
      const right = cells[col + d];
      if (isSeat(left)) return left.seat;
      if (isSeat(right)) return right.seat;
    }
  }
  return seat;
}

/** The car's first seat, where keyboard focus lands when the car is entered. */
export function firstSeat(layout: CarLayout): number | undefined {
  for (const row of layout.grid) for (const cell of row) if (isSeat(cell)) return cell.seat;
  return undefined;
}
