"""Where keys, tables and array entries stand in a TOML text, and how the analyst names them.

``tomllib`` gives no positions; :class:`TomlPositions` scans the (already valid) text for the
line of every data path, for the config messages of :mod:`sozialraum.config_errors`.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass

Loc = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# ---------------------------------------------------------------------------------------------
# Where keys stand in the TOML text
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Node:
    line: int
    #: "table" ([a.b] or its implicit parents), "aotlist" ([[a]] as a whole), "aot" (one
    #: [[a]] entry), "key" (key = value), "dotted" (parent made by a.b = …), "item" (array entry)
    kind: str
    raw: str | None = None


class TomlPositions:
    """Lines of the keys, tables and array entries of a TOML text, by data path.

    Paths are those of the parsed data: ``("methode", "status", "schwellen", 1)``,
    ``("sozialraeume", 2, "slug")`` (the third ``[[sozialraeume]]``). The text must be valid TOML
    (it was parsed before); should the scan still stumble, the positions found so far are kept.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes: dict[Loc, _Node] = {}
        self._starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self._aot: dict[Loc, int] = {}
        try:
            self._scan()
        except (IndexError, ValueError, tomllib.TOMLDecodeError):  # pragma: no cover - defensive
            pass

    # -- queries ------------------------------------------------------------------------------
    def node(self, path: Loc) -> _Node | None:
        """The node of exactly ``path``, if it is written in the file."""
        return self.nodes.get(tuple(path))

    def line(self, path: Loc) -> int | None:
        """Line of ``path``, or of its nearest written parent (for keys that are missing)."""
        for i in range(len(path), 0, -1):
            node = self.nodes.get(tuple(path[:i]))
            if node is not None:
                return node.line
        return None

    def raw(self, path: Loc) -> str | None:
        """The value at ``path`` as written (whitespace collapsed), if it is a written value."""
        node = self.nodes.get(tuple(path))
        if node is None or node.raw is None:
            return None
        return " ".join(node.raw.split())

    def table_prefix(self, path: Loc) -> int:
        """Length of the longest prefix of ``path`` that is a table header ([a] or [[a]])."""
        for i in range(len(path), 0, -1):
            node = self.nodes.get(tuple(path[:i]))
            if node is not None and node.kind in ("table", "aot"):
                return i
        return 0

    # -- scanning -----------------------------------------------------------------------------
    def _line_of(self, pos: int) -> int:
        return bisect_right(self._starts, pos)

    def _skip_ws(self, pos: int) -> int:
        s = self.text
        while pos < len(s) and s[pos] in " \t":
            pos += 1
        return pos

    def _skip_blank(self, pos: int) -> int:
        """Skip whitespace, newlines and comments (inside arrays and inline tables)."""
        s = self.text
        while pos < len(s):
            if s[pos] in " \t\r\n":
                pos += 1
            elif s[pos] == "#":
                pos = self._end_of_line(pos)
            else:
                break
        return pos

    def _end_of_line(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def _string_end(self, pos: int) -> int:
        s, q = self.text, self.text[pos]
        if s.startswith(q * 3, pos):
            i = pos + 3
            while True:
                if q == '"' and s[i] == "\\":
                    i += 2
                elif s.startswith(q * 3, i):
                    j = i + 3
                    while j < len(s) and s[j] == q and j - i < 5:  # quotes ending the content
                        j += 1
                    return j
                else:
                    i += 1
        i = pos + 1
        while s[i] != q:
            i += 2 if q == '"' and s[i] == "\\" else 1
        return i + 1

    def _key(self, pos: int) -> tuple[list[str], int]:
        s, parts = self.text, []
        while True:
            pos = self._skip_ws(pos)
            if s[pos] in "\"'":
                end = self._string_end(pos)
                parts.append(tomllib.loads("k = " + s[pos:end])["k"])
            else:
                m = _BARE_KEY.match(s, pos)
                if m is None:
                    raise ValueError(f"no key at {pos}")
                end = m.end()
                parts.append(m.group())
            pos = self._skip_ws(end)
            if pos < len(s) and s[pos] == ".":
                pos += 1
                continue
            return parts, pos

    def _value(self, pos: int, path: Loc) -> tuple[int, str]:
        s, start = self.text, pos
        if s[pos] in "\"'":
            end = self._string_end(pos)
        elif s[pos] == "[":
            end = self._array(pos, path)
        elif s[pos] == "{":
            end = self._inline(pos, path)
        else:
            end = pos
            while end < len(s) and s[end] not in ",]}#\r\n":
                end += 1
            while end > pos and s[end - 1] in " \t":
                end -= 1
        return end, s[start:end]

    def _array(self, pos: int, path: Loc) -> int:
        s, i, index = self.text, pos + 1, 0
        while True:
            i = self._skip_blank(i)
            if s[i] == "]":
                return i + 1
            item = (*path, index)
            start = i
            i, raw = self._value(i, item)
            self.nodes[item] = _Node(self._line_of(start), "item", raw)
            index += 1
            i = self._skip_blank(i)
            if s[i] == ",":
                i += 1

    def _inline(self, pos: int, path: Loc) -> int:
        s, i = self.text, pos + 1
        while True:
            i = self._skip_blank(i)
            if s[i] == "}":
                return i + 1
            i = self._key_value(i, path)
            i = self._skip_blank(i)
            if s[i] == ",":
                i += 1

    def _key_value(self, pos: int, table: Loc) -> int:
        line = self._line_of(pos)
        parts, i = self._key(pos)
        i = self._skip_ws(i)
        if self.text[i] != "=":
            raise ValueError(f"no '=' at {i}")
        i = self._skip_ws(i + 1)
        full = (*table, *parts)
        for k in range(len(table) + 1, len(full)):
            self.nodes.setdefault(full[:k], _Node(line, "dotted"))
        i, raw = self._value(i, full)
        self.nodes[full] = _Node(line, "key", raw)
        return i

    def _header(self, parts: list[str], aot: bool, line: int) -> Loc:
        out: list[str | int] = []
        for k, part in enumerate(parts):
            out.append(part)
            key = tuple(out)
            if aot and k == len(parts) - 1:
                self.nodes.setdefault(key, _Node(line, "aotlist"))
                n = self._aot.get(key, 0)
                self._aot[key] = n + 1
                out.append(n)
                self.nodes[tuple(out)] = _Node(line, "aot")
            elif key in self._aot:
                out.append(self._aot[key] - 1)
            elif k == len(parts) - 1:
                self.nodes[key] = _Node(line, "table")
            else:
                self.nodes.setdefault(key, _Node(line, "table"))
        return tuple(out)

    def _scan(self) -> None:
        s, pos, table = self.text, 0, ()
        while pos < len(s):
            pos = self._skip_ws(pos)
            if pos >= len(s):
                break
            c = s[pos]
            if c in "\r\n":
                pos += 1
                continue
            if c != "#":
                line = self._line_of(pos)
                if s.startswith("[[", pos):
                    parts, pos = self._key(pos + 2)
                    table = self._header(parts, True, line)
                elif c == "[":
                    parts, pos = self._key(pos + 1)
                    table = self._header(parts, False, line)
                else:
                    pos = self._key_value(pos, table)
            pos = self._end_of_line(pos)


# ---------------------------------------------------------------------------------------------
# Keys as the analyst sees them
# ---------------------------------------------------------------------------------------------
def _key_text(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else '"' + key.replace('"', '\\"') + '"'


def _header_text(path: Loc, kind: str) -> str:
    names = ".".join(_key_text(p) for p in path if isinstance(p, str))
    if kind == "aot" and path and isinstance(path[-1], int):
        text = f"[[{names}]] Nr. {path[-1] + 1}"
        inner = path[:-1]
    elif kind == "aotlist":
        text, inner = f"[[{names}]]", path
    else:
        text, inner = f"[{names}]", path
    for k, part in enumerate(inner):
        if isinstance(part, int):
            outer = ".".join(_key_text(p) for p in inner[:k] if isinstance(p, str))
            text += f" (in [[{outer}]] Nr. {part + 1})"
    return text


def _display(path: Loc, pos: TomlPositions, as_header: str | None = None) -> str:
    """``[methode.status] schwellen``, ``[[sozialraeume]] Nr. 2 → slug``, ``[stadt]``.

    ``as_header`` ("table" or "aotlist") shows a key that is not written (a missing table) as
    the header the analyst would add, when its parent is a header or the top of the file.
    """
    path = tuple(path)
    if not path:
        return ""
    node = pos.node(path)
    if node is not None and node.kind == "aotlist":
        return _header_text(path, "aotlist")
    k = pos.table_prefix(path)
    if as_header and k == len(path) - 1 and pos.node(path) is None:
        return _header_text(path, as_header)
    head, rest = path[:k], path[k:]
    head_kind = pos.nodes[head].kind if head else ""
    text = _header_text(head, head_kind) if head else ""
    for i, part in enumerate(rest):
        if isinstance(part, int):
            text += f" Nr. {part + 1}"
        elif i == 0 and head_kind != "aot":
            text += (" " if text else "") + _key_text(part)
        else:
            text += " → " + _key_text(part)
    return text
