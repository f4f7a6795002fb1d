"""The chat's save dialogs (Ctrl+S, Ctrl+W) under hostile names and failing writes: never a crash,
never a hang, never the conversation lost, never an old file half-overwritten, never a write into
the index or the corpus. The real app is driven headless."""

from __future__ import annotations

import os
import resource
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from qa.api import Session
from qa.errors import QAError
from qa.tui.screens.chat import ChatScreen
from qa.tui.screens.save import SaveScreen
from qa.tui.widgets.extract_card import ExtractCard
from qa.tui.widgets.turn import Turn
from tests.hostile.conftest import HARBOUR
from tests.hostile.test_chat import chat_over
from tests.tui.helpers import ask, drive


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def open_save(pilot, key: str = "ctrl+s") -> SaveScreen:
    if key == "ctrl+w":
        pilot.app.screen.query(ExtractCard).first().focus()
        await pilot.pause()
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, SaveScreen)
    return pilot.app.screen


async def type_name(pilot, name: str) -> None:
    box = pilot.app.screen.query_one("#save-name", Input)
    box.value = ""
    await pilot.press(*name)  # key by key: the dialog checks each prefix as it is typed
    await pilot.pause()


def said(screen: SaveScreen) -> str:
    return str(screen.query_one("#save-where", Static).render()) + " " + str(screen.query_one("#save-error", Static).render())


async def refused(pilot, names: list[str], reason: str) -> None:
    """Each name, typed in both dialogs and saved twice (no "replace it?" leads past a refusal), is refused for
    `reason`; the dialog stays open until Esc."""
    for key in ("ctrl+s", "ctrl+w"):
        for name in names:
            screen = await open_save(pilot, key)
            screen.query_one("#save-name", Input).value = name
            for _ in range(2):
                await pilot.press("enter")
                await pilot.pause()
            assert pilot.app.screen is screen and reason in said(screen), (name, said(screen))
            assert "Errno" not in said(screen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, ChatScreen)


async def still_asking(pilot) -> None:
    """The conversation is all there, and the chat still answers."""
    assert pilot.app.screen.query(Turn).first().answer is not None
    await ask(pilot, HARBOUR)
    assert len(pilot.app.screen.query(Turn)) == 2


def test_home_folder_names_that_do_not_exist_are_refused_in_words(small_built, monkeypatch, tmp_path, record_property):
    corpus, _index = small_built
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = chat_over(corpus, monkeypatch)
    names = ["~n", "~nosuchuser", "~nosuchuser/chat.md", "~qa-no-such-user-9/x"]

    async def body(pilot):
        await ask(pilot, HARBOUR)
        for key in ("ctrl+s", "ctrl+w"):
            for name in names:
                screen = await open_save(pilot, key)
                await type_name(pilot, name)
                await pilot.press("enter")
                await pilot.pause()
                assert pilot.app.screen is screen, name
                assert "names no home folder" in said(screen), said(screen)
                await pilot.press("escape")
                await pilot.pause()
                assert isinstance(pilot.app.screen, ChatScreen)
        await still_asking(pilot)

    drive(app, body)
    assert app.return_code in (None, 0)
    record_property("cases", 2 * len(names))


def test_names_too_long_for_the_file_system_are_refused_in_words(small_built, monkeypatch, tmp_path, record_property):
    corpus, _index = small_built
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = chat_over(corpus, monkeypatch)
    names = ["n" * 300, "é" * 200 + ".md", "/".join(["d" * 200] * 30) + "/x.md", "corpus/../" + "x" * 256]

    async def body(pilot):
        await ask(pilot, HARBOUR)
        await refused(pilot, names, "too long")
        await still_asking(pilot)

    drive(app, body)
    record_property("cases", 2 * len(names))


def test_fifos_and_devices_are_refused_without_being_opened(small_built, monkeypatch, tmp_path, record_property):
    corpus, _index = small_built
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "to-pipe.md").symlink_to(tmp_path / "pipe.md")
    app = chat_over(corpus, monkeypatch)
    targets = [str(tmp_path / "pipe.md"), "to-pipe.md", "/dev/null", "/dev/zero", "/dev/tty"]

    async def body(pilot):
        await ask(pilot, HARBOUR)
        await refused(pilot, targets, "not a regular file")
        await still_asking(pilot)

    drive(app, body)
    assert (tmp_path / "pipe.md").is_fifo()
    record_property("cases", 2 * len(targets))


def test_the_index_and_the_corpus_are_never_saved_over(small_built, monkeypatch, tmp_path, record_property):
    corpus, index = small_built
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "into-index").symlink_to(index / "CURRENT")
    before = {p: p.read_bytes() for p in [*index.rglob("*"), *corpus.rglob("*")] if p.is_file()}
    app = chat_over(corpus, monkeypatch)
    targets = ["index/CURRENT", "index/new.md", "./index/../index/CURRENT", "corpus/harbour.txt", "corpus/chat.md",
               str(index / "CURRENT"), "elsewhere/into-index"]

    async def body(pilot):
        await ask(pilot, HARBOUR)
        await refused(pilot, targets, "save it somewhere else")
        await still_asking(pilot)

    drive(app, body)
    after = {p: p.read_bytes() for p in [*index.rglob("*"), *corpus.rglob("*")] if p.is_file()}
    assert after == before
    record_property("cases", 2 * len(targets))


def test_a_write_that_fails_part_way_leaves_the_old_file_and_says_why(small_built, monkeypatch, tmp_path, record_property):
    corpus, _index = small_built
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = "my notes\n" * 10
    app = chat_over(corpus, monkeypatch)

    async def body(pilot):
        await ask(pilot, HARBOUR)
        await ask(pilot, HARBOUR + " Again?")
        for key in ("ctrl+s", "ctrl+w"):
            (tmp_path / "notes.md").write_text(old, encoding="utf-8")
            await open_save(pilot, key)
            pilot.app.screen.query_one("#save-name", Input).value = "notes.md"
            await pilot.press("enter")  # it exists: confirm
            await pilot.pause()
            limits = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (64, limits[1]))  # a full disk, for this write only
            try:
                await pilot.press("enter")
                await pilot.pause()
            finally:
                resource.setrlimit(resource.RLIMIT_FSIZE, limits)
            assert isinstance(pilot.app.screen, ChatScreen)
            assert (tmp_path / "notes.md").read_text(encoding="utf-8") == old
            last = notices(pilot.app)[-1]
            assert "notes.md" in last and "too large" in last and "unchanged" in last and "Errno" not in last, last
            assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file left
        assert len(pilot.app.screen.query(Turn)) == 2
        # the same save, with room: the whole conversation
        await open_save(pilot)
        pilot.app.screen.query_one("#save-name", Input).value = "notes.md"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert (tmp_path / "notes.md").read_text(encoding="utf-8").count(f"## {HARBOUR}") == 2

    drive(app, body)
    record_property("cases", 2)


def test_saving_through_a_link_replaces_the_file_it_leads_to(small_built, monkeypatch, tmp_path):
    corpus, index = small_built
    (tmp_path / "real.md").write_text("old", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(tmp_path / "real.md")
    os.chmod(tmp_path / "real.md", 0o640)
    session = Session(corpus, index)
    session.save(tmp_path / "link.md", "new")
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "real.md").read_text() == "new"
    assert (tmp_path / "real.md").stat().st_mode & 0o777 == 0o640


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(["~", "~/", "~x", "..", "/", "//x",
                                                                                     "/proc/self/mem", "/dev/stdin"]))
def test_any_name_is_a_path_or_a_reason(name, tmp_path_factory):
    folder = tmp_path_factory.mktemp("names")
    session = Session(folder / "corpus", folder / "index")
    try:
        path = session.save_target(name)
    except QAError as exc:
        assert str(exc) and "\n" not in str(exc) and "Errno" not in str(exc)
        return
    assert path.is_absolute() and not path.is_dir()
    assert not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder / "index"))
