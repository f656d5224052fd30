"""Reports: recorded figures, report tables and their CSV/JSON/ICS/HTML forms, and charts."""
