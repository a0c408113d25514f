"""The catalog's timetable file (`trainbook-timetable/1`): operator tooling, not shipped to Lambda.

`reading` checks and loads a file, `writing` dumps and writes one, `location` says which file is the
shipped one. The CLI, the scraper, the bench and the tests use it; the functions never read a file.
"""
