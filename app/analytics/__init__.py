"""Analytics: pure calculations over rows and the cached AnalyticsService."""
