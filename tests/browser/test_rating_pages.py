"""好差评 in a real browser: a window's rating pad (a 1280×800 tablet) pairs with its device token, shows
the number the window just served, takes a level and a comment, thanks the citizen and then shows the
next number; the tracking page of a served ticket takes one rating and then shows the level given."""
from __future__ import annotations

from playwright.sync_api import expect

from harness import run_cli

WINDOW = "5"
LEVELS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def serve(hall, clerk, window: str, finish: bool = True) -> dict:
    ticket = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    assert clerk.post(f"/windows/{window}/call-next").json()["ticket"]["id"] == ticket["id"]
    if finish:
        assert clerk.post(f"/windows/{window}/finish").status_code == 200
    return ticket


def test_the_rating_pad_pairs_shows_the_number_just_served_and_rates_it(hall, open_page):
    made = run_cli("devices", "add", f"pad-window-{WINDOW}", "--kind", "pad", db=hall.db)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    clerk = hall.clerk_at(WINDOW)
    staffed = hall.admin.get(f"/windows/{WINDOW}").json()["window"]
    clerk_name, shown_name = staffed["clerk"], staffed["clerk_name"]  # the username; the display name

    pad = open_page(hall.server, f"/rate?window={WINDOW}", viewport=(1280, 800))
    page = pad.page
    page.get_by_label("设备令牌").fill(hall.kiosk.token)  # another device's token is not a pad's
    page.get_by_role("button", name="配对").click()
    expect(page.get_by_role("alert")).to_contain_text("评价器")
    page.get_by_label("设备令牌").fill(token)
    page.get_by_role("button", name="配对").click()
    expect(page.get_by_role("heading", name="欢迎您来办事")).to_be_visible()  # nothing served yet
    expect(page.locator("#window-badge")).to_have_text(f"{WINDOW}号窗口")
    expect(page.locator("#idle-clerk")).to_contain_text(shown_name)
    expect(page.locator("#link")).to_be_hidden()
    pad.screenshot("rate-pad-1280x800-idle")

    served = serve(hall, clerk, WINDOW)  # the window's update reaches the pad over /display
    expect(page.locator("#rate-number")).to_have_text(served["number"])
    expect(page.locator("#rate-clerk")).to_have_text(shown_name)
    for label in LEVELS:
        expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
    page.get_by_label("留言（选填）").fill("窗口服务很耐心")
    pad.screenshot("rate-pad-1280x800-rate")
    page.get_by_role("button", name="满意", exact=True).click()
    expect(page.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    expect(page.locator("#thanks-detail")).to_have_text(f"您对 {served['number']} 号的评价：满意")
    pad.screenshot("rate-pad-1280x800-thanks")

    (rating,) = [r for r in hall.admin.get("/ratings").json()["ratings"] if r["ticket"] == served["id"]]
    assert (rating["channel"], rating["level"], rating["comment"], rating["window"], rating["clerk"]) == (
        "pad", 2, "窗口服务很耐心", WINDOW, clerk_name)

    # After a few seconds the pad leaves the thanks; the ticket rated shows thanks, not buttons.
    expect(page.locator("#thanks-detail")).to_have_text(f"{served['number']} 号已评价，感谢您的参与。", timeout=15000)
    expect(page.get_by_role("button", name="满意", exact=True)).to_be_hidden()
    pad.screenshot("rate-pad-1280x800-rated")
    following = serve(hall, clerk, WINDOW, finish=False)  # the next citizen, being served
    expect(page.locator("#rate-number")).to_have_text(following["number"])
    expect(page.get_by_role("button", name="非常不满意", exact=True)).to_be_enabled()
    assert page.locator("#comment").input_value() == ""  # the last citizen's words are gone
    page.reload()  # paired once: the token is kept
    expect(page.locator("#rate-number")).to_have_text(following["number"])
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Very dissatisfied", exact=True)).to_be_visible()
    pad.screenshot("rate-pad-1280x800-rate-en")
    page.get_by_role("button", name="中文").click()
    pad.assert_stayed_local()


def test_the_tracking_page_rates_a_served_ticket_once(hall, open_page):
    clerk = hall.clerk_at("6")
    ticket = serve(hall, clerk, "6", finish=False)
    tracking = open_page(hall.server, f"/t/{ticket['id']}", viewport=(390, 844))
    page = tracking.page
    expect(page.locator("#called")).to_be_visible()
    expect(page.get_by_role("button", name="满意", exact=True)).to_be_hidden()  # not served yet
    assert clerk.post("/windows/6/finish").status_code == 200
    expect(page.get_by_role("heading", name="请对本次服务作出评价")).to_be_visible()
    page.get_by_label("留言（选填）").fill("材料清单讲得很清楚")
    tracking.screenshot("track-rate-390x844")
    page.get_by_role("button", name="基本满意", exact=True).click()
    expect(page.locator("#rated")).to_have_text("您的评价：基本满意感谢您的参与！")
    expect(page.get_by_role("heading", name="请对本次服务作出评价")).to_be_hidden()
    tracking.screenshot("track-rated-390x844")
    (rating,) = [r for r in hall.admin.get("/ratings").json()["ratings"] if r["ticket"] == ticket["id"]]
    assert (rating["channel"], rating["level"], rating["comment"]) == ("tracking", 3, "材料清单讲得很清楚")
    page.reload()
    expect(page.locator("#rated")).to_have_text("您的评价：基本满意感谢您的参与！")
    tracking.assert_stayed_local()
