"""Issue 14, point 8, the console's side: a 叫号 whose answer is lost (a stall, the 8 s timeout) and is
pressed again retries with the same Idempotency-Key, so the server answers the first call again
instead of finishing that citizen and calling the next one. A real browser, a real server; the answer
of the first press is dropped on its way back (the request reaches the server and is carried out)."""
from __future__ import annotations

from playwright.sync_api import expect

from .pages import staff_sign_in


def test_a_retried_call_next_keeps_its_key_and_calls_nobody_else(hall, open_page):
    tickets = [hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"] for _ in range(2)]
    assert all(t["number"] for t in tickets)
    hall.add_clerk("retry-clerk-7", "rst")
    console = open_page(hall.server, "/clerk", viewport=(1366, 768))
    staff_sign_in(console.page, "retry-clerk-7", "7")
    expect(console.page.get_by_role("button", name="叫号")).to_be_enabled()

    keys: list[str] = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the call is made on the server …
            route.abort("connectionreset")  # … and its answer never reaches the console
        else:
            route.continue_()
    console.page.route("**/api/v1/windows/7/call-next", lose_the_first_answer)

    call = console.page.get_by_role("button", name="叫号")
    call.click()
    expect(console.page.get_by_role("alert")).to_be_visible()
    expect(call).to_be_enabled()
    window = hall.admin.get("/windows/7").json()["window"]
    first = window["current"]["id"]  # the first press did call someone
    call.click()
    expect(console.page.locator("#current-number")).to_have_text(window["current"]["number"])

    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    assert hall.admin.get("/windows/7").json()["window"]["current"]["id"] == first
    assert hall.admin.get(f"/tickets/{first}").json()["ticket"]["status"] == "called"
    console.assert_stayed_local()


def test_a_press_crossing_a_call_it_had_not_seen_answers_that_call(hall, open_page):
    """The console names the ticket it shows (`serving`). Its 叫号 crosses a call made at the window by
    the clerk's other device (a pager, another tab) just before it reached the server: the answer is
    that call, repeated, and the citizen it called is not finished. Then the next press, showing that
    ticket, finishes it and calls the next."""
    department = hall.admin.get("/windows/9").json()["window"]["department"]
    other_device = hall.add_clerk("cross-clerk-9", department)
    for _ in range(3):
        assert hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
    console = open_page(hall.server, "/clerk", viewport=(1366, 768))
    staff_sign_in(console.page, "cross-clerk-9", "9")
    call = console.page.get_by_role("button", name="叫号")
    expect(call).to_be_enabled()

    bodies: list[dict] = []
    crossed: list[dict] = []

    def cross_with_another_device(route):
        bodies.append(route.request.post_data_json)
        if len(bodies) == 1:  # the other device's call reaches the server first
            crossed.append(other_device.post("/windows/9/call-next").json()["ticket"])
        route.continue_()
    console.page.route("**/api/v1/windows/9/call-next", cross_with_another_device)

    call.click()
    (ticket,) = crossed
    expect(console.page.locator("#current-number")).to_have_text(ticket["number"])
    assert bodies == [{"serving": None}]
    assert hall.admin.get(f"/tickets/{ticket['id']}").json()["ticket"]["status"] == "called"
    assert hall.admin.get("/windows/9").json()["window"]["current"]["id"] == ticket["id"]

    call.click()
    expect(console.page.locator("#current-number")).not_to_have_text(ticket["number"])
    assert bodies[1] == {"serving": ticket["id"]}
    assert hall.admin.get(f"/tickets/{ticket['id']}").json()["ticket"]["status"] == "done"
    console.assert_stayed_local()
