"""Administrator routes: sales per day, and the analytics dashboard over a range of days.

`GET /admin/analytics?from=&to=` answers with one Query per read-model family (days, trains, routes,
failure reasons, runs, searches), whatever the number of days: every key starts with its date.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from trainbook.analytics.figures import counters, figures, group, load_factor, query_family
from trainbook.analytics.sales import SalesProjection
from trainbook.analytics.store import searches
from trainbook.catalog.runs import today_in_poland
from trainbook.errors import DomainError
from trainbook.web.identity import identity_of, require_admin

router = Router()
MAX_DAYS = 92
TOP = 10


class InvalidRange(DomainError):
    code = "invalid_range"


@router.get("/admin/sales", summary="Sales on one day (administrators only)")
def sales(day: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    require_admin(identity_of(router.current_event.raw_event.get("requestContext") or {}))
    return asdict(SalesProjection().day((day or today_in_poland()).isoformat()))


@router.get("/admin/analytics", summary="Bookings, revenue, load factors and searches over a range of days")
def analytics(
    first: Annotated[date, Query(alias="from")], last: Annotated[date, Query(alias="to")]
) -> dict[str, Any]:
    require_admin(identity_of(router.current_event.raw_event.get("requestContext") or {}))
    if last < first:
        raise InvalidRange("`to` is before `from`")
    if (last - first).days >= MAX_DAYS:
        raise InvalidRange(f"a range is at most {MAX_DAYS} days")
    return dashboard(first, last)


def dashboard(first: date, last: date) -> dict[str, Any]:
    a, b = first.isoformat(), last.isoformat()
    days = {item.key: item for item in query_family("day", a, b)}
    trains = group(query_family("train", a, b))
    routes = group(query_family("route", a, b))
    failures = group(query_family("failure", a, b))
    runs = query_family("run", a, b)
    searched = searches(a, b)

    searches_by_route: dict[str, int] = {}
    for _, route, count in searched:
        searches_by_route[route] = searches_by_route.get(route, 0) + count
    run_loads = []
    by_train: dict[str, list[int]] = {}
    for item in runs:
        run_day, run_id = item.key.split("#", 1)
        pkm, skm = int(item.passenger_km_tenths or 0), int(item.seat_km_tenths or 0)
        run_loads.append(
            {
                "run_id": run_id,
                "train": item.label,
                "date": run_day,
                "passenger_km": pkm / 10,
                "seat_km": skm / 10,
                "load_factor": load_factor(pkm, skm),
            }
        )
        totals = by_train.setdefault(run_id[4:-11], [0, 0])
        totals[0] += pkm
        totals[1] += skm

    def train_row(train: str, items: list[Any]) -> dict[str, Any]:
        pkm, skm = by_train.get(train, [0, 0])
        label = next((i.label for i in items if i.label), train)
        return {
            "train": label,
            "number": train,
            **figures(counters(items)),
            "load_factor": load_factor(pkm, skm),
        }

    def route_row(route: str, items: list[Any]) -> dict[str, Any]:
        origin, destination = route.split("-", 1)
        return {
            "origin": origin,
            "destination": destination,
            **figures(counters(items)),
            "searches": searches_by_route.get(route, 0),
        }

    def rank(row: dict[str, Any]) -> tuple[int, int, int]:
        return (row["confirmed"], row["revenue"]["gross_grosze"], row["seats_sold"])

    total_pkm = sum(int(i.passenger_km_tenths or 0) for i in runs)
    total_skm = sum(int(i.seat_km_tenths or 0) for i in runs)
    series = []
    day = first
    while day <= last:
        found = days.get(day.isoformat())
        series.append({"date": day.isoformat(), **figures(counters([found] if found else []))})
        day += timedelta(days=1)
    reasons = {reason: sum(int(i.failures or 0) for i in items) for reason, items in failures.items()}
    return {
        "from": a,
        "to": b,
        "totals": {
            **figures(counters(days.values())),
            "searches": sum(count for _, _, count in searched),
            "load_factor": load_factor(total_pkm, total_skm),
        },
        "days": series,
        "top_routes": sorted((route_row(r, i) for r, i in routes.items()), key=rank, reverse=True)[:TOP],
        "top_trains": sorted((train_row(t, i) for t, i in trains.items()), key=rank, reverse=True)[:TOP],
        "failure_reasons": [
            {"reason": reason, "count": count}
            for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "load_factors": {
            "runs": run_loads,
            "trains": [
                {"number": t, "passenger_km": v[0] / 10, "seat_km": v[1] / 10, "load_factor": load_factor(*v)}
                for t, v in sorted(by_train.items())
            ],
        },
        "searches": [{"date": d, "route": r, "count": c} for d, r, c in searched],
    }
