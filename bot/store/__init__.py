"""The database: the one place that holds SQL, and its schema as migrations.

`bot.store.db.Store` is the way in; bot/store/db.py lists the module of each table family.
"""
