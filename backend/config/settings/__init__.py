"""Settings for Lapor RT.

How the pieces compose:

- ``base``: everything, with the embedded defaults (SQLite file under the
  repository, DEBUG on, tasks run by the database-backed worker). Values come
  from the environment where a deployment needs to change them.
- ``test``: imports ``base`` and only adjusts what tests need (fast password
  hashing, tasks run immediately, a throwaway media folder).
- ``production``: imports ``base`` and refuses to start without the secrets
  and hosts a real deployment must set (PostgreSQL through ``DATABASE_URL``).
"""
