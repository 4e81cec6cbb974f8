from __future__ import annotations

import pytest

from controllers.double.commands import (
    MAX_FILE_CONTENTS,
    Trap,
    matches,
    parse_command,
    run_command,
)
from controllers.double.state import RouterState

ROW = {"name": b"ether1", "rx-byte": b"900", "running": b"true"}


@pytest.mark.parametrize(
    ("queries", "expected"),
    [
        ([b"name=ether1"], True),
        ([b"=name=ether1"], True),  # librouteros's spelling
        ([b"name=ether2"], False),
        ([b"name"], True),
        ([b"-name"], False),
        ([b"-comment"], True),
        ([b"<rx-byte=1000"], True),  # numbers compare as numbers, not as text
        ([b">rx-byte=1000"], False),
        ([b"name=ether2", b"name=ether1", b"#|"], True),
        ([b"name=ether2", b"name=ether1", b"#&"], False),
        ([b"name=ether2", b"#!"], True),
        ([], True),
    ],
)
def test_queries_follow_the_routeros_stack(queries: list[bytes], expected: bool) -> None:
    assert matches(ROW, queries) is expected


def test_count_only_answers_the_number_in_done() -> None:
    state = RouterState()
    for n in range(3):
        state.add_active(user=f"u{n}", mac_address=f"AA:00:00:00:00:0{n}", address=f"10.0.0.{n}")
    result = run_command(state, parse_command([b"/ip/hotspot/active/print", b"=count-only="]))
    assert result.rows == []
    assert result.done == {"ret": b"3"}


def test_proplist_keeps_only_the_named_columns() -> None:
    command = parse_command([b"/interface/print", b"=.proplist=name,tx-byte", b"?name=ether1"])
    rows = run_command(RouterState(), command).rows
    assert len(rows) == 1
    assert set(rows[0]) == {"name", "tx-byte"}


def test_unknown_menu_and_unknown_verb_trap_as_routeros_does() -> None:
    with pytest.raises(Trap, match="no such command prefix"):
        run_command(RouterState(), parse_command([b"/tool/nothing/print"]))
    with pytest.raises(Trap, match="^no such command$"):
        run_command(RouterState(), parse_command([b"/system/resource/frobnicate"]))


def test_removing_an_unknown_id_removes_nothing() -> None:
    state = RouterState()
    entry = state.add_active(user="u", mac_address="AA:00:00:00:00:01", address="10.0.0.1")
    with pytest.raises(Trap, match="no such item"):
        run_command(
            state,
            parse_command([b"/ip/hotspot/active/remove", b"=.id=" + entry.id.encode() + b",*FF"]),
        )
    assert [e.id for e in state.active] == [entry.id]


def test_file_contents_over_the_api_limit_are_refused() -> None:
    state = RouterState()
    big = b"x" * (MAX_FILE_CONTENTS + 1)
    with pytest.raises(Trap):
        run_command(state, parse_command([b"/file/add", b"=name=big.html", b"=contents=" + big]))
    assert state.files == []
