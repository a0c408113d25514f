"""Catalog: stations, train services, compositions, train runs on dates, fares and search."""
