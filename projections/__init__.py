"""Read models of the log, each a view kept in real tables in the same
database as the events (SQLite or PostgreSQL), following the log with tracking.

- read_models.py   ReadModels: what the API reads, and wait_for_own_write(position)
- reputation.py    introducer reputation: counts and decayed r, s (O(1) per introducer)
- leaderboard.py   introducers by rankingScore: an index of the reputation view
- track_record.py  a person's record as a party, and screening (screening.py)
- introduction_list.py  one row per introduction, filters, keyset pagination
- people.py        the people directory (word-prefix search) and each person's tokens
- expiry.py        CONSENTED introductions by consent time; sweeper.py expires them
- views.py, base.py     a view = a TrackingRecorder (tables + position, one transaction)
- subscription.py, fanout.py  follow the log in batches; runner.py runs it all
- rebuild.py       drop views and fold the whole log again
"""
