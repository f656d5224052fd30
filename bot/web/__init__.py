"""`foibot serve`: the campaign in a browser. A shell like bot/cli/: each page calls the
same store and the same views (bot/views/, which call the one status rule) as the command
line, and only renders. app.py puts the application together from ROUTE_MODULES, one
module per page family, each with its own ROUTES; guard.py is the session, CSRF and
header layer every request passes; server.py binds the socket and runs uvicorn."""
