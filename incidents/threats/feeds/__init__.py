"""CAP feeds: the warning services' CAP sources the portal polls (docs/architecture.md, "CAP feeds").

`fetch.py` (outgoing HTTP under the webhook rules), `index.py` (Atom and RSS indexes read
safely), `poll.py` (one source's poll: conditional requests, entries, imports, backoff, the
beat dispatcher), `services.py` (staff's writes), `selectors.py` (reads), `api.py`, `views.py`,
`forms.py`, `urls.py`, `api_urls.py`, `tasks.py`.
"""
