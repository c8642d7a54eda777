"""The clean example app runs: start it with its lifespan, exercise every
endpoint through httpx's ASGITransport, and check it with pbk."""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path

import pytest

from python_backend_kit.cli.main import main as pbk

APP_DIR = Path(__file__).resolve().parent.parent / "examples" / "clean_app"
MODULES = ("settings", "models", "schemas", "database", "services", "main")

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="the example app uses TaskGroup (3.11+)")


@pytest.fixture(scope="module")
def clean_app():
    for name in ("fastapi", "sqlalchemy", "aiosqlite", "httpx"):
        pytest.importorskip(name)
    saved = {name: sys.modules.pop(name) for name in MODULES if name in sys.modules}
    sys.path.insert(0, str(APP_DIR))
    write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the bundle
    try:
        yield {name: importlib.import_module(name) for name in MODULES}
    finally:
        sys.dont_write_bytecode = write_bytecode
        sys.path.remove(str(APP_DIR))
        for name in MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def quotes_upstream(behaviour: str):
    import httpx

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/quote"
        if behaviour == "down":
            return httpx.Response(503)
        return httpx.Response(200, json={"text": "Simple is better than complex."})

    return httpx.MockTransport(handle)


def run(clean_app, tmp_path, scenario, quotes="up"):
    """Start the app with its lifespan and run *scenario(client, app)*."""
    import httpx

    settings = clean_app["settings"].Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'test.db'}",
        quotes_url="https://quotes.test",
        quotes_transport=quotes_upstream(quotes),
    )
    app = clean_app["main"].create_app(settings)

    async def go():
        # ASGITransport does not run the lifespan: run it around the client.
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                result = await scenario(client, app)
        return app, result

    return asyncio.run(go())


def test_authors_and_posts_round_trip(clean_app, tmp_path):
    async def scenario(client, app):
        created = await client.post("/authors", json={"name": "Ada"})
        assert created.status_code == 201, created.text
        author = created.json()
        assert author["name"] == "Ada"

        duplicate = await client.post("/authors", json={"name": "Ada"})
        assert duplicate.status_code == 409  # the commit failed, and the client is told

        for title in ("Notes", "Engines"):
            post = await client.post(f"/authors/{author['id']}/posts", json={"title": title})
            assert post.status_code == 201, post.text
            assert post.json()["author_id"] == author["id"]

        read = await client.get(f"/authors/{author['id']}")
        assert read.status_code == 200
        assert [p["title"] for p in read.json()["posts"]] == ["Notes", "Engines"]

        assert (await client.get("/authors/999")).status_code == 404
        assert (await client.post("/authors/999/posts", json={"title": "x"})).status_code == 404
        assert (await client.post("/authors", json={"name": ""})).status_code == 422
        return author["id"]

    app, _ = run(clean_app, tmp_path, scenario)
    assert app.state.quotes.is_closed  # the lifespan closed the client


def test_background_audit_uses_its_own_session(clean_app, tmp_path):
    async def scenario(client, app):
        author = (await client.post("/authors", json={"name": "Grace"})).json()
        post = (await client.post(f"/authors/{author['id']}/posts", json={"title": "COBOL"})).json()
        # ASGITransport returns once the app is done, background tasks included
        from sqlalchemy import select

        models = clean_app["models"]
        async with app.state.sessionmaker() as session:
            entries = (await session.scalars(select(models.AuditEntry))).all()
        return post["id"], [(e.action, e.post_id) for e in entries]

    _, (post_id, entries) = run(clean_app, tmp_path, scenario)
    assert entries == [("post.created", post_id)]


@pytest.mark.parametrize("quotes, expected", [("up", "Simple is better than complex."), ("down", None)])
def test_stats_runs_its_parts_concurrently(clean_app, tmp_path, quotes, expected):
    async def scenario(client, app):
        author = (await client.post("/authors", json={"name": "Linus"})).json()
        await client.post(f"/authors/{author['id']}/posts", json={"title": "Git"})
        response = await client.get("/stats")
        assert response.status_code == 200
        return response.json()

    _, stats = run(clean_app, tmp_path, scenario, quotes=quotes)
    assert stats == {"authors": 1, "posts": 1, "quote": expected}


def test_health_and_cors(clean_app, tmp_path):
    async def scenario(client, app):
        health = await client.get("/health", headers={"Origin": "https://app.example.com"})
        other = await client.get("/health", headers={"Origin": "https://evil.example"})
        return health, other

    _, (health, other) = run(clean_app, tmp_path, scenario)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert health.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in other.headers


def test_pbk_reports_nothing_on_the_clean_app(capsys):
    assert pbk(["check", "--select", "PBK", str(APP_DIR)]) == 0
    assert capsys.readouterr().out.strip() in ("", "All checks passed!")


def test_the_clean_app_is_checked_with_python_311_rules(capsys):
    # its pyproject.toml says requires-python >= 3.11, so the TaskGroup and
    # timeout rules are active when pbk checks it from anywhere
    from python_backend_kit.config import load_config

    assert load_config(APP_DIR).min_python >= (3, 11)
