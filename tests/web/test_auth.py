from app.domain.codes import Role


def test_login_and_logout(client, create_organizer, login):
    user = create_organizer()
    login(user)
    assert client.get("/organizer/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/organizer/").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, create_organizer):
    user = create_organizer()
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope"})
    unknown = client.post("/login", data={"email": "nobody@example.jp", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません".encode() in wrong.data
    assert wrong.data.replace(user.email.encode(), b"") == unknown.data.replace(b"nobody@example.jp", b"")


def test_organizer_pages_need_login(client):
    response = client.get("/organizer/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_open_redirect_is_refused(client, create_organizer):
    user = create_organizer(role=Role.VIEWER)
    response = client.post("/login?next=//evil.example/", data={"email": user.email, "password": "correct horse battery"})
    assert response.headers["Location"].endswith("/organizer/")


def test_login_is_rate_limited(database_url, _schema, create_organizer):
    from tests.conftest import _make_app

    app = _make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    c = app.test_client()
    codes = [c.post("/login", data={"email": "x@example.jp", "password": "wrongwrong"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
