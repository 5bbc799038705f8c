"""Logging in by pasting a token, who am I, logging out, the keyboard."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import BASE


def test_wrong_token_is_refused_in_chinese(b, data):
    b.expect_http_error("/v1/whoami")
    b.d.get(BASE + "/ui/")
    b.el("input[name=token]").send_keys("jx_not_a_real_token" + Keys.ENTER)
    b.text_in("#login-error", "令牌无效")
    assert b.session_token() is None
    assert b.el("#login").is_displayed() and not b.d.find_element(By.ID, "who").is_displayed()
    b.shot("login-refused")


def test_login_shows_who_and_logout_clears_the_token(b, data):
    tok = data["tokens"]["sz-yb"]
    b.d.get(BASE + "/ui/")
    b.el("label[for=token]")
    b.shot("login")
    b.login(tok)
    assert b.el("#who-org").text == "宿州市医疗保障局"
    assert b.el("#who-kind").text == "主管部门"
    assert "341300" in b.el("#who-region").text
    assert b.session_token() == tok
    assert tok not in b.d.current_url
    cookies = b.d.get_cookies()
    assert not any(tok in c.get("value", "") for c in cookies)
    logout = b.el("#logout")
    assert logout.text == "退出"
    logout.click()
    b.el("input[name=token]")
    assert b.session_token() is None
    assert not b.d.find_element(By.ID, "who").is_displayed()


def test_a_reload_keeps_the_tab_logged_in(b, data):
    b.login(data["tokens"]["sz-zx"])
    b.d.refresh()
    assert b.el("#who-org").text == "宿州市城镇职工基本医疗保险管理中心"
    assert b.el("#who-kind").text == "预算单位"


def test_keyboard_reaches_the_navigation_and_opens_a_page(b, data):
    b.login(data["tokens"]["sz-yb"])
    b.d.execute_script("document.getElementById('brand').focus()")
    b.d.switch_to.active_element.send_keys(Keys.TAB)
    seen = []
    for _ in range(12):
        active = b.d.switch_to.active_element
        seen.append(active.text)
        if active.text == "待审核":
            active.send_keys(Keys.ENTER)
            break
        active.send_keys(Keys.TAB)
    assert "待审核" in seen, seen
    b.wait(lambda d: "#/queue" in d.current_url)
    b.el("#view h1")
    assert b.el("#view h1").text == "待审核"
