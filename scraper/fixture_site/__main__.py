"""Serve the fixture site by hand: `PYTHONPATH=scraper python -m fixture_site --timetable FILE`."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from fixture_site.disruptions import Disruptions
from fixture_site.server import FixtureSite

SOURCE = Path(__file__).parent / "source_timetable.json"


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the portalpasazera.pl stand-in on 127.0.0.1.")
    parser.add_argument("--timetable", type=Path, default=SOURCE, help="catalog timetable JSON to publish")
    parser.add_argument("--disruptions", type=Path, help="delays, cancellations and platform changes (JSON)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    from timetable_file.reading import read

    site = FixtureSite(
        read(args.timetable),
        Disruptions.read(args.disruptions) if args.disruptions else None,
        port=args.port,
    )
    print(f"fixture site serving {args.timetable} at {site.url}/pl (Ctrl-C stops it)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        site.serve_forever()


if __name__ == "__main__":
    main()
