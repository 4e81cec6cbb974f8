"""The menus a simulated router answers, as RouterOS 7 names them, and the generic parts of
a command: `print` with `=.proplist=`, `=count-only=` and `?` queries, `remove` by `.id`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from controllers.double import config
from controllers.double.state import File, RouterState, format_uptime
from controllers.double.trap import Trap

__all__ = ["MAX_FILE_CONTENTS", "Command", "Result", "Trap", "parse_command", "run_command"]

Row = dict[str, bytes]
# The largest `contents` RouterOS lets the API read or write (its manual says 60 KB).
MAX_FILE_CONTENTS = 60_000


@dataclass
class Command:
    """One command sentence taken apart."""

    menu: str  # "/ip/hotspot/active"
    verb: str  # "print"
    attributes: dict[str, bytes] = field(default_factory=dict)  # `=name=value`, `=.id=...`
    queries: list[bytes] = field(default_factory=list)  # the `?` words, without the `?`
    tag: bytes | None = None
    unknown: list[bytes] = field(default_factory=list)  # words of no kind RouterOS knows


@dataclass
class Result:
    """What a command answers: `!re` rows, then `!done` with its own attributes."""

    rows: list[Row] = field(default_factory=list)
    done: Row = field(default_factory=dict)
    reboot: bool = False


def parse_command(words: list[bytes]) -> Command:
    """Split `/ip/hotspot/active/print =.proplist=user ?user=x .tag=3` into its parts (a word
    of no known kind is kept in `unknown`, so the answer can still carry the tag)."""
    head = words[0].decode("utf-8", "replace").strip()
    parts = [part for part in head.replace(" ", "/").split("/") if part]
    command = Command(menu="/" + "/".join(parts[:-1]), verb=parts[-1] if parts else "")
    for word in words[1:]:
        if word.startswith(b"="):
            key, _, value = word[1:].partition(b"=")
            command.attributes[key.decode("utf-8", "replace")] = value
        elif word.startswith(b"?"):
            command.queries.append(word[1:])
        elif word.startswith(b".tag="):
            command.tag = word[len(b".tag=") :]
        else:
            command.unknown.append(word)
    return command


def _text(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bool):
        return b"true" if value else b"false"
    return str(value).encode()


def _row(**values: object) -> Row:
    return {key.replace("_", "-"): _text(value) for key, value in values.items()}


# -- queries ---------------------------------------------------------------------------------


def _compare(left: bytes, right: bytes) -> int:
    if left.isdigit() and right.isdigit():
        return (int(left) > int(right)) - (int(left) < int(right))
    return (left > right) - (left < right)


def matches(row: Row, queries: Iterable[bytes]) -> bool:
    """RouterOS's query stack: each `?` word pushes a truth value, `?#` combines them, and a
    row is printed when every value left on the stack is true."""
    stack: list[bool] = []
    for query in queries:
        if query.startswith(b"#"):
            for code in query[1:]:
                if code == ord("!"):
                    stack.append(not stack.pop())
                elif code in (ord("&"), ord("|")):
                    right, left = stack.pop(), stack.pop()
                    stack.append(left and right if code == ord("&") else left or right)
                elif code == ord("."):
                    stack.append(stack[-1])
                else:
                    raise Trap("unknown query operation", category=1)
            continue
        op = query[:1] if query[:1] in (b"<", b">", b"-", b"=") else b""
        key, eq, value = query[len(op) :].partition(b"=")
        name = key.decode("utf-8", "replace")
        if op == b"-":
            stack.append(name not in row)
        elif not eq:
            stack.append(name in row)
        elif op == b"<":
            stack.append(name in row and _compare(row[name], value) < 0)
        elif op == b">":
            stack.append(name in row and _compare(row[name], value) > 0)
        else:
            stack.append(row.get(name) == value)
    return all(stack)


def print_rows(command: Command, rows: list[Row]) -> Result:
    """The generic `print`: queries, then `count-only` or the `.proplist` columns."""
    found = [row for row in rows if matches(row, command.queries)]
    if "count-only" in command.attributes:
        return Result(done={"ret": _text(len(found))})
    wanted = command.attributes.get(".proplist")
    if wanted is not None:
        names = [name for name in wanted.decode().split(",") if name]
        found = [{name: row[name] for name in names if name in row} for row in found]
    return Result(rows=found)


def _ids(command: Command) -> list[str]:
    raw = command.attributes.get(".id", command.attributes.get("numbers"))
    if raw is None:
        raise Trap("missing value(s) of argument(s) .id", category=1)
    return [part for part in raw.decode().split(",") if part]


# -- menus -----------------------------------------------------------------------------------


def _resource(state: RouterState) -> list[Row]:
    return [
        _row(
            uptime=format_uptime(state.uptime_seconds()),
            version=state.version,
            build_time="2024-11-27 13:22:24",
            factory_software="6.44.6",
            free_memory=state.free_memory,
            total_memory=state.total_memory,
            cpu="ARMv7",
            cpu_count=4,
            cpu_frequency=716,
            cpu_load=state.cpu_load,
            free_hdd_space=4_300_800,
            total_hdd_space=16_777_216,
            architecture_name=state.architecture,
            board_name=state.board_name,
            platform="MikroTik",
        )
    ]


def _routerboard(state: RouterState) -> list[Row]:
    return [
        _row(
            routerboard=True,
            board_name=state.board_name,
            model="RBD52G-5HacD2HnD",
            serial_number=state.serial_number,
            firmware_type="ipq4000L",
            factory_firmware="6.44.6",
            current_firmware=state.firmware,
            upgrade_firmware=state.firmware,
        )
    ]


def _interfaces(state: RouterState) -> list[Row]:
    rows = []
    for number, interface in enumerate(state.interfaces, start=1):
        rx, tx = state.counters(interface)
        rows.append(
            {".id": f"*{number:X}".encode()}
            | _row(
                name=interface.name,
                type=interface.type,
                mtu=1500,
                actual_mtu=1500,
                rx_byte=rx,
                tx_byte=tx,
                rx_packet=rx // 1000,
                tx_packet=tx // 1000,
                running=True,
                disabled=False,
            )
        )
    return rows


def _active(state: RouterState) -> list[Row]:
    now = state.clock()
    return [
        {".id": entry.id.encode()}
        | _row(
            server=entry.server,
            user=entry.user,
            domain="",
            address=entry.address,
            mac_address=entry.mac_address,
            login_by=entry.login_by,
            uptime=format_uptime(int(now - entry.since)),
            idle_time="00:00:00",
            bytes_in=entry.bytes_in,
            bytes_out=entry.bytes_out,
            packets_in=entry.bytes_in // 1000,
            packets_out=entry.bytes_out // 1000,
            radius=True,
        )
        for entry in state.active
    ]


def _files(state: RouterState) -> list[Row]:
    return [
        {".id": f.id.encode()}
        | _row(
            name=f.name,
            type=f.type,
            size=len(f.contents),
            last_modified="2025-01-01 00:00:00",
        )
        | ({"contents": f.contents} if f.type != "directory" else {})
        for f in state.files
    ]


def _remove_active(state: RouterState, command: Command) -> Result:
    ids = _ids(command)
    known = {entry.id for entry in state.active}
    if any(item not in known for item in ids):
        raise Trap("no such item", category=1)
    state.active[:] = [entry for entry in state.active if entry.id not in ids]
    return Result()


def _file_type(raw: bytes | None) -> str:
    kind = (raw or b"file").decode()
    if kind not in ("file", "directory"):
        raise Trap(f"input does not match any value of type: {kind}", category=1)
    return kind


def _contents(command: Command) -> bytes:
    contents = command.attributes.get("contents", b"")
    if len(contents) > MAX_FILE_CONTENTS:
        raise Trap("failure: contents too long", category=1)
    return contents


def _add_file(state: RouterState, command: Command) -> Result:
    name = command.attributes.get("name", b"").decode().lstrip("/")
    if not name:
        raise Trap("failure: name not given", category=1)
    if state.file_named(name) is not None:
        raise Trap("failure: file already exists", category=1)
    kind = _file_type(command.attributes.get("type"))
    item = File(id=state.next_id(), name=name, type=kind, contents=_contents(command))
    state.files.append(item)
    return Result(done={"ret": item.id.encode()})


def _file_by_reference(state: RouterState, reference: str) -> File:
    # `set` takes an .id or, as in the console, a file's name.
    for item in state.files:
        if reference in (item.id, item.name):
            return item
    raise Trap("no such item", category=1)


def _set_file(state: RouterState, command: Command) -> Result:
    targets = [_file_by_reference(state, reference) for reference in _ids(command)]
    for item in targets:
        if "contents" in command.attributes:
            item.contents = _contents(command)
        if "name" in command.attributes:
            item.name = command.attributes["name"].decode()
    return Result()


def _remove_file(state: RouterState, command: Command) -> Result:
    targets = [_file_by_reference(state, reference) for reference in _ids(command)]
    state.files[:] = [item for item in state.files if item not in targets]
    return Result()


def _set_identity(state: RouterState, command: Command) -> Result:
    if "name" in command.attributes:
        state.identity = command.attributes["name"].decode("utf-8", "replace")
    return Result()


def _reboot(state: RouterState, command: Command) -> Result:
    return Result(reboot=True)


Handler = Callable[[RouterState, Command], Result]


def _printer(rows: Callable[[RouterState], list[Row]]) -> Handler:
    def run(state: RouterState, command: Command) -> Result:
        return print_rows(command, rows(state))

    return run


def _verbs(rows: Callable[[RouterState], list[Row]], **others: Handler) -> dict[str, Handler]:
    # `getall` is the pre-6 name of `print`; some clients still send it.
    return {"print": _printer(rows), "getall": _printer(rows), **others}


def _config_verbs(path: str) -> dict[str, Handler]:
    """print/add/set/remove of a configuration menu (controllers.double.config): what
    community.routeros's api_modify and api_info send."""

    def rows(state: RouterState) -> list[Row]:
        shown = config.printed(path, state.config[path], state.version)
        return [{key: value.encode() for key, value in row.items()} for row in shown]

    def add(state: RouterState, command: Command) -> Result:
        new_id = state.next_id()
        config.add_row(
            path, state.config[path], command.attributes, new_id=new_id, version=state.version
        )
        return Result(done={"ret": new_id.encode()})

    def set_(state: RouterState, command: Command) -> Result:
        single = config.MENUS[path].kind is config.Kind.SINGLE
        ids = None if single else _ids(command)
        config.set_rows(path, state.config[path], ids, command.attributes, version=state.version)
        return Result()

    def remove(state: RouterState, command: Command) -> Result:
        config.remove_rows(path, state.config[path], _ids(command))
        return Result()

    return _verbs(rows, add=add, set=set_, remove=remove)


MENUS: dict[str, dict[str, Handler]] = {
    "/system": {"reboot": _reboot},
    "/system/identity": _verbs(lambda s: [_row(name=s.identity)], set=_set_identity),
    "/system/resource": _verbs(_resource),
    "/system/routerboard": _verbs(_routerboard),
    "/interface": _verbs(_interfaces),
    "/ip/hotspot/active": _verbs(_active, remove=_remove_active),
    "/file": _verbs(_files, add=_add_file, set=_set_file, remove=_remove_file),
}
MENUS.update({path: _config_verbs(path) for path in config.MENUS})


def run_command(state: RouterState, command: Command) -> Result:
    """Answer one command from the router's state; `Trap` when RouterOS would refuse it."""
    if command.unknown:
        raise Trap(f"unknown parameter {command.unknown[0].decode('utf-8', 'replace')}", 1)
    verbs = MENUS.get(command.menu)
    if verbs is None:
        raise Trap("no such command prefix")
    handler = verbs.get(command.verb)
    if handler is None:
        raise Trap("no such command")
    with state.lock:
        return handler(state, command)
