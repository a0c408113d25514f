"""The fixture site's HTTP server: stdlib `http.server` on 127.0.0.1, one thread per request.

Tests start it in-process on a free port and change its timetable or disruptions between scrapes;
`python -m fixture_site` (with `scraper/` on the path) serves it by hand. `fail_next` answers the
next requests with 503 and `rename_classes` breaks the markup, so retries and the loud failure on
a changed page are tested against a real browser.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fixture_site import pages
from fixture_site.content import connections, find_run, shown_route
from fixture_site.disruptions import Disruptions
from trainbook.catalog.errors import UnknownTrainRun
from trainbook.catalog.timetable import Timetable

STATIC = Path(__file__).parent / "static"
_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class _Search:
    origin: str  # station code
    destination: str
    after: datetime


class FixtureSite:
    def __init__(
        self,
        timetable: Timetable,
        disruptions: Disruptions | None = None,
        *,
        page_size: int = 4,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.timetable = timetable
        self.disruptions = disruptions or Disruptions()
        self.page_size = page_size
        self.rename_classes: dict[str, str] = {}
        self.fail_next = 0
        self.requests: list[str] = []
        self._searches: dict[str, _Search] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FixtureSite:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fixture-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    # -- what the handler asks -------------------------------------------------------------

    def _take_failure(self) -> bool:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return False

    def _station_code(self, name: str) -> str | None:
        for station in self.timetable.stations.values():
            if station.name == name:
                return station.code
        return None

    def _new_search(self, search: _Search) -> str:
        token = secrets.token_urlsafe(9)
        with self._lock:
            self._searches[token] = search
        return token

    def _search(self, token: str) -> _Search | None:
        with self._lock:
            return self._searches.get(token)

    def _break(self, text: str) -> str:
        for old, new in self.rename_classes.items():
            text = text.replace(old, new)
        return text


def _handler_for(site: FixtureSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FixturePortal/1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            site.requests.append(self.path)
            if url.path.startswith("/static/"):
                return self._static(url.path.removeprefix("/static/"))
            if site._take_failure():
                return self._send(
                    HTTPStatus.SERVICE_UNAVAILABLE, pages.error_page("Serwis chwilowo niedostępny")
                )
            banner = "cookies_accepted=1" not in (self.headers.get("Cookie") or "")
            if url.path in ("/", "/pl", "/pl/"):
                return self._send(HTTPStatus.OK, pages.search_page(self._names(), banner=banner))
            if url.path == "/pl/WynikiWyszukiwania":
                search = site._search(query.get("id", ""))
                if search is None:
                    return self._send(HTTPStatus.NOT_FOUND, pages.error_page("Nie znaleziono wyszukiwania"))
                name = site.timetable.station
                html = pages.results_page(
                    query["id"],
                    name(search.origin).name,
                    name(search.destination).name,
                    search.after,
                    banner=banner,
                )
                return self._send(HTTPStatus.OK, html)
            if url.path == "/pl/WynikiWyszukiwania/Strona":
                return self._results_page(query)
            if url.path == "/pl/SzczegolyPolaczenia":
                try:
                    run = find_run(site.timetable, query.get("id", ""))
                except UnknownTrainRun:
                    return self._send(HTTPStatus.NOT_FOUND, pages.error_page("Nie znaleziono połączenia"))
                route = shown_route(site.timetable, site.disruptions, run)
                return self._send(HTTPStatus.OK, pages.timeline(route))
            return self._send(HTTPStatus.NOT_FOUND, pages.error_page("Nie znaleziono strony"))

        def do_POST(self) -> None:
            site.requests.append(self.path)
            if urlsplit(self.path).path != "/pl/Szukaj":
                return self._send(HTTPStatus.NOT_FOUND, pages.error_page("Nie znaleziono strony"))
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
            origin = site._station_code(form.get("departureFromId", ""))
            destination = site._station_code(form.get("arrivalToId", ""))
            try:
                after = datetime.strptime(f"{form.get('date', '')} {form.get('time', '')}", "%d.%m.%Y %H:%M")
            except ValueError:
                return self._send(HTTPStatus.BAD_REQUEST, pages.error_page("Niepoprawna data lub godzina"))
            if origin is None or destination is None or origin == destination:
                return self._send(HTTPStatus.BAD_REQUEST, pages.error_page("Niepoprawne stacje"))
            token = site._new_search(_Search(origin, destination, after))
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", f"/pl/WynikiWyszukiwania?id={token}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _results_page(self, query: dict[str, str]) -> None:
            search = site._search(query.get("id", ""))
            if search is None:
                return self._send(HTTPStatus.NOT_FOUND, pages.error_page("Nie znaleziono wyszukiwania"))
            page = int(query.get("page", "0"))
            found = connections(
                site.timetable, site.disruptions, search.origin, search.destination, search.after
            )
            shown = found[page * site.page_size : (page + 1) * site.page_size]
            name = site.timetable.station
            html = pages.result_rows(shown, name(search.origin).name, name(search.destination).name)
            more = (page + 1) * site.page_size < len(found)
            body = json.dumps({"html": site._break(html), "more": more}, ensure_ascii=False)
            self._send(HTTPStatus.OK, body, "application/json; charset=utf-8", rename=False)

        def _names(self) -> list[str]:
            return [s.name for s in site.timetable.stations.values()]

        def _static(self, name: str) -> None:
            path = STATIC / name
            if path.parent != STATIC or not path.is_file():
                return self._send(HTTPStatus.NOT_FOUND, pages.error_page("Nie znaleziono pliku"))
            self._send(
                HTTPStatus.OK, path.read_text(encoding="utf-8"), _CONTENT_TYPES.get(path.suffix, "text/plain")
            )

        def _send(
            self,
            status: HTTPStatus,
            body: str,
            content_type: str = "text/html; charset=utf-8",
            *,
            rename: bool = True,
        ) -> None:
            data = (site._break(body) if rename else body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler
