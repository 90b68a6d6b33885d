"""Child of `bench/report_intake.py --instructions`: POST a report to PATH through Django's WSGI
handler N times in this process (after 100 warm-up requests), from random client addresses.

    python bench/intake/drive.py PATH N

Run under callgrind twice (N=0 and N=n), the difference divided by n is the instructions one
request costs: a count that another process on the machine does not change.
"""

import io
import json
import os
import random
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.intake.settings")
django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

BODY = json.dumps(
    {
        "category": "suspicious-activity",
        "description": "Orang mencurigakan mengintai gudang",
        "latitude": "0.1372",
        "longitude": "117.4941",
    }
).encode()
app = WSGIHandler()
random.seed(1)


def post(path: str) -> None:
    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(BODY)),
        "wsgi.input": io.BytesIO(BODY),
        "wsgi.url_scheme": "http",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": ip,
    }
    status: list[str] = []
    body = app(environ, lambda s, headers, *exc: status.append(s))
    b"".join(body)
    body.close()
    if not status[0].startswith("201"):
        raise SystemExit(f"{path} answered {status[0]}")


path, n = sys.argv[1], int(sys.argv[2])
for _ in range(100 + n):
    post(path)
