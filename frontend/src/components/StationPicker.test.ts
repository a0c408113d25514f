import { describe, expect, it } from "vitest";

import { matchStations, type Station } from "./StationPicker";

const stations: Station[] = [
  { code: "TCZ", name: "Tczew", product: false },
  { code: "KRK", name: "Kraków Główny", product: true },
  { code: "GDG", name: "Gdańsk Główny", product: true },
  { code: "GDW", name: "Gdańsk Wrzeszcz", product: true },
  { code: "ILW", name: "Iława Główna", product: false },
  { code: "WAW", name: "Warszawa Centralna", product: true },
  { code: "POZ", name: "Poznań Główny", product: true },
];

describe("station search as you type", () => {
  it("lists the five stations Trainbook sells between first when nothing is typed", () => {
    expect(matchStations(stations, "").slice(0, 5).map((s) => s.code)).toEqual(["GDG", "GDW", "KRK", "POZ", "WAW"]);
  });

  it("finds a station typed without Polish letters, by name or by code", () => {
    expect(matchStations(stations, "krakow").map((s) => s.code)).toEqual(["KRK"]);
    expect(matchStations(stations, "ilawa").map((s) => s.code)).toEqual(["ILW"]);
    expect(matchStations(stations, "gdw").map((s) => s.code)).toEqual(["GDW"]);
    expect(matchStations(stations, "główn").map((s) => s.code)).toEqual(["GDG", "KRK", "POZ", "ILW"]);
  });

  it("finds nothing for a name no station has", () => {
    expect(matchStations(stations, "Berlin")).toEqual([]);
  });
});
