"""The package's layout: stages as folders, imports one way, no circle, no oversized module.

Read from the source with ``ast`` alone: nothing is imported, so a circle that Python would
resolve at run time (or hide behind a function-level import) still fails here.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "sozialraum"

#: The stages, lowest first: a module may import its own stage and any stage below it.
STAGES = ("read", "compute", "present", "publish")
#: Top-level modules above every stage: the console command and the facades notebooks import.
ENTRY_POINTS = {
    "sozialraum.cli",
    "sozialraum.report",
    "sozialraum.maps",
    # `sozialraum init`: reads files with the read stage, writes a config proposal
    "sozialraum.init",
    "sozialraum.init_erkennen",
    "sozialraum.init_lesen",
    "sozialraum.init_toml",
}
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    name = ".".join(parts)
    return name.removesuffix(".__init__")


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def rank(module: str) -> int:
    """0 for the base (top-level modules), 1–4 for the stages, 5 for the entry points."""
    if module in ENTRY_POINTS:
        return len(STAGES) + 1
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES):
        return STAGES.index(parts[1]) + 1
    return 0


def _target(name: str) -> str:
    """The module an import of ``name`` loads (a name inside a module counts as the module)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(path: Path) -> dict[str, int]:
    """Every package module ``path`` imports, anywhere in the file, with the first line."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name == "sozialraum" or name.startswith("sozialraum."):
                found.setdefault(_target(name), node.lineno)
    return found


GRAPH = {m: imports_of(p) for m, p in MODULES.items()}


def test_every_stage_is_a_folder_that_says_what_it_takes_and_hands_on():
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), f"stage {stage} has no folder"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()) >= 3, f"{stage}/__init__.py explains nothing"
    base = [m for m in MODULES if rank(m) == 0 and m != "sozialraum"]
    assert base, "no base modules"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module):
    against = {
        target: line
        for target, line in GRAPH[module].items()
        if target != module and rank(target) > rank(module)
    }
    assert not against, (
        f"{MODULES[module].relative_to(PACKAGE.parent)} imports against the order "
        f"publish → present → compute → read → base: {against}"
    )


def _circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w == v:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert _circles(GRAPH) == []


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert _circles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_600_lines(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(PACKAGE.parent)}: {lines} lines"


def test_ranks_follow_the_folders():
    assert rank("sozialraum.fmt") == 0
    assert rank("sozialraum.read.io") < rank("sozialraum.compute.index")
    assert rank("sozialraum.compute.store") < rank("sozialraum.present.maps")
    assert rank("sozialraum.present.maps") < rank("sozialraum.publish.render")
    assert rank("sozialraum.publish.render") < rank("sozialraum.cli")
    assert _target("sozialraum.compute.store.prepare") == "sozialraum.compute.store"


#: HTML elements (SVG's own elements are drawn by matplotlib and the map code and stay exempt).
HTML_TAG = re.compile(
    r"</?(?:p|div|table|thead|tbody|tfoot|tr|td|th|h[1-6]|ul|ol|li|span|a|figure|figcaption"
    r"|details|summary|small|strong|em|section|nav|caption|br|img|button|abbr|dl|dt|dd"
    r"|blockquote|q|cite|time|col|colgroup|header|footer|b|i|sup|sub|mark|code|pre|label"
    r"|input|script|style|html|head|body|meta|link|main|article|aside|wbr)[\s>/]"
)
#: Lines that may still hold a tag: an SVG link and the SVG style rewrite of the figures, and
#: the print stylesheet of the PDF. Every section's markup comes from ``templates/abschnitte``.
MAX_HTML_LINES = 5


def html_lines() -> list[str]:
    out = []
    for module, path in MODULES.items():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HTML_TAG.search(line.replace("(?P<", "(?P")):  # a regex group is no tag
                out.append(f"{module}:{number}: {line.strip()}")
    return out


def test_section_markup_comes_from_templates():
    lines = html_lines()
    assert len(lines) <= MAX_HTML_LINES, "\n".join(lines)


def test_the_tag_finder_finds_a_tag():
    assert HTML_TAG.search('return f"<p>{text}</p>"')
    assert HTML_TAG.search("'<table class=\"t\">'")
    assert not HTML_TAG.search('r"^(?P<msg>.*?)"'.replace("(?P<", "(?P"))
    assert not HTML_TAG.search("if x<count and y>0:")
