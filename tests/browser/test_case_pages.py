"""A case (办件) across the pages in a real browser: the clerk routes a ticket from the console page, the
back office approves and returns it on /backoffice, the console page says it is ready, the citizen's
tracking page follows it, the kiosk issues the pickup ticket by case number and the receipt's pickup code
(取件码), and the clerk hands it over."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from harness import PASSWORD

from .pages import pair_kiosk, staff_sign_in


def test_a_case_goes_from_the_console_to_the_back_office_and_out_through_a_kiosk_pickup_ticket(hall, open_page):
    ticket = hall.kiosk.post("/tickets", {"matter": "tyjr-yfrd"}).json()["ticket"]   # 优抚对象认定
    hall.add_clerk("ui-zh-clerk", None)  # comprehensive windows are staffed by the hall
    r = hall.admin.post("/users", {"username": "ui-bo-tyjr", "password": PASSWORD, "role": "backoffice", "department": "tyjr"})
    assert r.status_code == 201, r.text

    console = open_page(hall.server, "/clerk", viewport=(1366, 768))
    clerk = console.page
    staff_sign_in(clerk, "ui-zh-clerk", "49")
    clerk.get_by_role("button", name="叫号").click()
    expect(clerk.locator("#current-number")).to_have_text(ticket["number"])

    # 受理转办: a bad phone number is refused in a sentence inside the form, then the case is accepted.
    clerk.get_by_role("button", name="受理转办").click()
    form = clerk.get_by_role("dialog", name=f"受理转办：{ticket['number']} 号")
    form.get_by_label("姓名").fill("王小明")
    form.get_by_label("手机号").fill("见身份证")
    form.get_by_label("备注").fill("材料齐全")
    form.get_by_role("button", name="确认受理").click()
    expect(form.get_by_role("alert")).to_contain_text("请填写申请人姓名和手机号")
    form.get_by_label("手机号").fill("13900001111")
    form.get_by_role("button", name="确认受理").click()
    receipt = clerk.get_by_role("region", name="受理回执")
    expect(receipt).to_contain_text("优抚对象认定申请表")
    case_number = receipt.locator("#receipt-number").inner_text()
    assert re.fullmatch(r"\d{12}", case_number), case_number
    expect(receipt.locator("#receipt-pickup-code")).to_have_text(re.compile(r"^\d{6}$"))
    pickup_code = receipt.locator("#receipt-pickup-code").inner_text()
    expect(clerk.locator("#current")).to_contain_text("暂无办理中的号")
    mine = clerk.get_by_role("region", name="办件", exact=True).get_by_role("row").filter(has_text=case_number)
    expect(mine).to_contain_text("王*明")   # the window sees the applicant masked
    expect(mine).to_contain_text("审批中")
    receipt.scroll_into_view_if_needed()
    console.screenshot("clerk-case-receipt-1366x768")

    tracking = open_page(hall.server, f"/t/{ticket['id']}", viewport=(390, 844))
    expect(tracking.page.locator("#case-number")).to_have_text(case_number)
    expect(tracking.page.locator("#case-status")).to_have_text("审批中")

    # The back office approves and returns it on its page; the console page and the phone follow.
    office = open_page(hall.server, "/backoffice")
    staff_sign_in(office.page, "ui-bo-tyjr")
    office.page.get_by_role("row").filter(has_text=case_number).click()
    detail = office.page.get_by_role("region", name="办件详情")
    detail.get_by_label("备注").fill("符合认定条件")
    detail.get_by_role("button", name="批准", exact=True).click()
    expect(detail.get_by_text("已批准").first).to_be_visible()
    expect(mine).to_contain_text("已批准")
    detail.get_by_role("button", name="退回窗口").click()
    expect(clerk.get_by_role("status").filter(has_text="已办结")).to_have_text(f"办件 {case_number} 已办结，可取件。")
    expect(mine).to_contain_text("已办结，可取件")
    expect(tracking.page.locator("#case-status")).to_have_text("已办结，可取件")
    expect(tracking.page.locator("#case-hint")).to_contain_text(case_number)
    mine.scroll_into_view_if_needed()
    console.screenshot("clerk-case-ready-1366x768")
    tracking.screenshot("track-case-390x844")
    office.screenshot("backoffice-returned-1920x1080")

    # The citizen types the case number, then the pickup code, on the kiosk's number pad; refusals are
    # sentences, and an unknown number, a wrong code (or a case not ready) read alike.
    kiosk = open_page(hall.server, "/kiosk", viewport=(1080, 1920))
    pair_kiosk(kiosk.page, hall.kiosk.token)
    kiosk.page.get_by_role("button", name="取件", exact=True).click()
    take = kiosk.page.get_by_role("button", name="取号")
    pad = kiosk.page.get_by_role("group", name="数字键盘")

    def type_number(digits: str, code: str = "") -> None:
        pad.get_by_role("button", name="清空").click()
        for digit in digits + code:
            pad.get_by_role("button", name=digit, exact=True).click()
        expect(kiosk.page.get_by_label("办件号")).to_have_value(digits)
        expect(kiosk.page.get_by_label("取件码")).to_have_value(code)

    type_number(case_number[:6])
    take.click()
    expect(kiosk.page.get_by_role("alert")).to_have_text("办件号是12位数字，请输完整后再取号。")
    type_number(case_number, pickup_code[:3])
    take.click()
    expect(kiosk.page.get_by_role("alert")).to_have_text("取件码是受理回执上的6位数字，请输完整后再取号。")
    not_available = "没有可取件的办件：请核对回执上的办件编号和取件码。如需帮助，请到导办台。"
    type_number("209901010001", pickup_code)
    take.click()
    expect(kiosk.page.get_by_role("alert")).to_contain_text(not_available)
    type_number(case_number, f"{(int(pickup_code) + 1) % 10**6:06d}")
    take.click()
    expect(kiosk.page.get_by_role("alert")).to_contain_text(not_available)
    type_number(case_number, pickup_code)
    kiosk.screenshot("kiosk-pickup-1080x1920")
    take.click()
    pickup_number = kiosk.page.locator("#ticket-number")
    expect(pickup_number).to_have_text(re.compile(r"^[A-Z]\d{3}$"))
    expect(kiosk.page.locator("#ticket-matter")).to_have_text(f"取件 · 办件 {case_number}")
    pickup = pickup_number.inner_text()
    kiosk.screenshot("kiosk-pickup-ticket-1080x1920")
    kiosk.page.get_by_role("button", name="完成").click()   # a second pickup ticket for the case is refused
    kiosk.page.get_by_role("button", name="取件", exact=True).click()
    type_number(case_number, pickup_code)
    take.click()
    expect(kiosk.page.get_by_role("alert")).to_contain_text(f"这个办件已取过取件号（{pickup}），请凭那张号票等候叫号。")

    # The window calls the pickup ticket (its pickup queue comes first) and hands the result over.
    clerk.get_by_role("button", name="叫号").click()
    expect(clerk.locator("#current-number")).to_have_text(pickup)
    expect(clerk.locator("#pickup-case")).to_have_text(f"取件号：办件 {case_number}")
    expect(clerk.get_by_role("button", name="邮寄")).to_be_visible()
    console.screenshot("clerk-pickup-ticket-1366x768")
    clerk.get_by_role("button", name="邮寄").click()   # mailing needs the tracking number; then back out
    mail = clerk.get_by_role("dialog", name=f"邮寄送达：办件 {case_number}")
    mail.get_by_role("button", name="确认邮寄").click()
    expect(mail.get_by_role("alert")).to_have_text("请填写快递单号。")
    mail.get_by_role("button", name="取消").click()
    expect(mail).to_be_hidden()
    clerk.get_by_role("button", name="取件", exact=True).click()
    expect(clerk.locator("#message")).to_have_text(f"办件 {case_number} 已交付申请人。")
    expect(mine).to_contain_text("已取件")
    expect(clerk.get_by_role("button", name="取件", exact=True)).to_be_hidden()
    expect(tracking.page.locator("#case-status")).to_have_text("已取件")
    clerk.get_by_role("button", name="English").click()   # the English switch covers the cases too
    expect(clerk.get_by_role("region", name="Cases accepted here").get_by_role("row").filter(has_text=case_number)).to_contain_text("Picked up")
    office.page.get_by_role("button", name="English").click()
    expect(office.page.get_by_role("region", name="Case details").get_by_role("button", name="Return to window")).to_be_disabled()
    handed = hall.admin.get("/cases?status=picked_up").json()
    assert [(c["number"], c["handed_over"]) for c in handed] == [(case_number, "pickup")]
    for opened in (console, tracking, office, kiosk):
        opened.assert_stayed_local()
