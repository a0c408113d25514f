"""A local stand-in for portalpasazera.pl that the scraper's tests (and the shipped-data run) scrape."""
