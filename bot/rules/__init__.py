"""The rules foibot applies, as pure functions over records: no I/O, no database, no
network. The deadlines and the law are in bot/deadlines.py and bot/laws.py; here is what
follows from them: a request's status and clock, the poll schedule, WDTK's pace, the
follow-ups due, the letters drafted, and the news worth telling."""
