"""The first two hops of a fact's trip: fetch (http, polling, sec_rate) and parse (feeds, pages, edgar, files)."""
