"""Analytics: sales figures for administrators, read from the sales read model."""
