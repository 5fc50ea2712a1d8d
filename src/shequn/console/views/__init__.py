"""Console views: thin; reads in queries, writes in services."""
