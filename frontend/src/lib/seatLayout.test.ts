import { describe, expect, it } from "vitest";

import { firstSeat, layoutCar, move, type CarIn, type Cell, type Row } from "./seatLayout";

function car(number: number, travelClass: number, layout: string, seats: number[], taken: number[] = []): CarIn {
  return {
    number,
    travel_class: travelClass,
    layout,
    seats: seats.map((seat) => ({
      seat,
      key: `${String(number).padStart(2, "0")}-${String(seat).padStart(3, "0")}`,
      position: "window",
      state: taken.includes(seat) ? "taken" : "free",
    })),
  };
}

function numbers(row: Row | undefined): (number | "|" | null)[] {
  return (row ?? []).map((cell) => (cell === "aisle" ? "|" : cell === null ? null : (cell as Cell).seat));
}

const group = (g: number, places: number[]) => places.map((p) => g * 10 + p);

describe("open coaches", () => {
  it("puts a 2+2 group of eight in two rows, odd seats left, even right, windows outside", () => {
    const layout = layoutCar(car(5, 2, "open", [...group(1, [1, 2, 3, 4, 5, 6, 7, 8]), ...group(2, [1, 2, 3, 4, 5, 6, 7, 8])]));
    expect(layout.kind).toBe("open");
    expect(layout.sections.map((s) => s.number)).toEqual([1, 2]);
    expect(numbers(layout.grid[0])).toEqual([11, 13, "|", 14, 12]);
    expect(numbers(layout.grid[1])).toEqual([15, 17, "|", 18, 16]);
    expect(numbers(layout.grid[2])).toEqual([21, 23, "|", 24, 22]);
  });

  it("puts a first-class 2+1 group of six with the single seats on their own side", () => {
    const layout = layoutCar(car(1, 1, "open", group(1, [1, 2, 3, 4, 5, 6])));
    expect(numbers(layout.grid[0])).toEqual([11, "|", 13, 15]);
    expect(numbers(layout.grid[1])).toEqual([12, "|", 14, 16]);
  });

  it("leaves gaps for a short row and drops rows with no seat", () => {
    const layout = layoutCar(car(1, 1, "open", [81, 83, 85]));
    expect(layout.grid).toHaveLength(1);
    expect(numbers(layout.grid[0])).toEqual([81, "|", 83, 85]);
  });

  it("marks taken seats", () => {
    const layout = layoutCar(car(3, 2, "open", group(1, [1, 2, 3, 4, 5, 6, 7, 8]), [13]));
    const cells = layout.grid.flat().filter((c): c is Cell => c !== null && c !== "aisle");
    expect(cells.filter((c) => c.taken).map((c) => c.seat)).toEqual([13]);
  });
});

describe("compartment coaches", () => {
  it("draws an eight-seat compartment as two facing benches, window to corridor", () => {
    const layout = layoutCar(car(6, 2, "compartment", [...group(1, [1, 2, 3, 4, 5, 6, 7, 8]), ...group(2, [1, 2, 3, 4, 5, 6, 7, 8])]));
    expect(layout.kind).toBe("compartment");
    expect(layout.sections).toHaveLength(2);
    expect(numbers(layout.sections[0]?.rows[0])).toEqual([15, 17, 13, 11, "|"]);
    expect(numbers(layout.sections[0]?.rows[1])).toEqual([16, 18, 14, 12, "|"]);
  });

  it("draws a six-seat compartment with three seats a bench", () => {
    const layout = layoutCar(car(5, 2, "compartment", group(3, [1, 2, 3, 4, 5, 6])));
    expect(numbers(layout.grid[0])).toEqual([35, 33, 31, "|"]);
    expect(numbers(layout.grid[1])).toEqual([36, 34, 32, "|"]);
  });
});

describe("keyboard moves", () => {
  const layout = layoutCar(car(5, 2, "open", [...group(1, [1, 2, 3, 4, 5, 6, 7, 8]), ...group(2, [1, 2, 3, 4, 5, 6, 7, 8])]));

  it("starts at the car's first seat", () => {
    expect(firstSeat(layout)).toBe(11);
  });
  it("crosses the aisle with left and right and stops at the wall", () => {
    expect(move(layout, 13, "right")).toBe(14);
    expect(move(layout, 14, "left")).toBe(13);
    expect(move(layout, 12, "right")).toBe(12);
  });
  it("goes to the seat in the same column of the next row, across groups", () => {
    expect(move(layout, 17, "down")).toBe(23);
    expect(move(layout, 23, "up")).toBe(17);
    expect(move(layout, 11, "up")).toBe(11);
  });
  it("takes the nearest seat when the next row has a gap there", () => {
    const short = layoutCar(car(1, 1, "open", [...group(7, [1, 2, 3, 4, 5, 6]), 81, 83, 85]));
    expect(move(short, 72, "down")).toBe(81);
  });
});
