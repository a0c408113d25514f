// A station field with search as you type: the five stations Trainbook sells between come first.
import { useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

export interface Station {
  code: string;
  name: string;
  product: boolean;
}

function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .replace(/ł/g, "l")
    .replace(/Ł/g, "L")
    .toLowerCase();
}

/** Stations matching what was typed (name or code, without Polish letters too), sold ones first. */
export function matchStations(stations: Station[], typed: string, limit = 8): Station[] {
  const query = fold(typed.trim());
  const found = stations.filter(
    (s) => query === "" || fold(s.name).includes(query) || s.code.toLowerCase().startsWith(query),
  );
  found.sort((a, b) => Number(b.product) - Number(a.product) || a.name.localeCompare(b.name, "pl"));
  return found.slice(0, limit);
}

export function StationPicker({
  label,
  stations,
  value,
  onChange,
  name,
}: {
  label: string;
  stations: Station[];
  value: string;
  onChange: (code: string) => void;
  name: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const selected = stations.find((s) => s.code === value);
  const [typed, setTyped] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const options = useMemo(() => matchStations(stations, typed ?? ""), [stations, typed]);
  const choose = (station: Station) => {
    onChange(station.code);
    setTyped(null);
    setOpen(false);
  };
  return (
    <div className="relative">
      <label htmlFor={`${id}-input`} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={`${id}-input`}
        name={name}
        role="combobox"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={open && options[active] ? `${id}-${options[active].code}` : undefined}
        autoComplete="off"
        className="mt-1 w-full rounded border border-slate-400 px-3 py-2"
        value={typed ?? selected?.name ?? ""}
        placeholder={t("search.stationPlaceholder")}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          setTimeout(() => setOpen(false), 150);
          setTyped(null);
        }}
        onChange={(event) => {
          setTyped(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, options.length - 1));
          } else if (event.key === "ArrowUp") {
            event.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (event.key === "Enter" && open && options[active]) {
            event.preventDefault();
            choose(options[active]);
          } else if (event.key === "Escape") {
            setOpen(false);
            setTyped(null);
          }
        }}
      />
      {open && options.length > 0 && (
        <ul
          id={`${id}-list`}
          role="listbox"
          aria-label={label}
          className="absolute z-10 mt-1 max-h-72 w-full overflow-auto rounded border border-slate-300 bg-white shadow-lg"
        >
          {options.map((station, index) => (
            <li
              key={station.code}
              id={`${id}-${station.code}`}
              role="option"
              aria-selected={index === active}
              className={`cursor-pointer px-3 py-2 ${index === active ? "bg-blue-100" : ""}`}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(station);
              }}
            >
              <span className={station.product ? "font-semibold" : ""}>{station.name}</span>
              <span className="ml-2 text-xs text-slate-600">{station.code}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
