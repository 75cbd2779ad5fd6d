"""When the database goes away under a running server, requests get the contract's 503 `unavailable`
(not a stack trace), nothing half-done is kept, and service resumes when the database is back."""
from __future__ import annotations

import psycopg

from conftest import PG_ADMIN_URL


def test_postgres_connections_cut_mid_service(fresh_hall, pg_url):
    hall = fresh_hall(db=pg_url)
    before = hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    assert before.status_code == 201
    dbname = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        # Refuse new connections and cut the open ones: the server's pool is left with dead sockets.
        admin.execute(f'ALTER DATABASE "{dbname}" WITH ALLOW_CONNECTIONS false')
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}'")
        try:
            during = hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
            assert during.status_code == 503, during.text
            assert during.json()["error"]["code"] == "unavailable"
        finally:
            admin.execute(f'ALTER DATABASE "{dbname}" WITH ALLOW_CONNECTIONS true')
    after = hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    assert after.status_code == 201, after.text
    assert after.json()["ticket"]["number"] == "A002"  # the refused request left no ticket behind
