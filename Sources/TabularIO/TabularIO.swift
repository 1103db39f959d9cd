// TabularIO: CSV reading into column storage.
