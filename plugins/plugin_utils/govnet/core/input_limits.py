"""Read input files with limits no hostile file can pass: size, UTF-8, YAML alias expansion, nesting, duplicate keys.

The registry and the policy are parsed by libyaml (CSafeLoader) as before; what is added is checked on the
composed node graph, before any Python object is built from it:

- a file is at most MAX_BYTES (16 MiB; the 20,000-device synthetic registry is about 1.1 MB);
- it is UTF-8; an invalid byte is named by offset and line;
- at most MAX_ALIASES alias references, and at most MAX_NODES nodes once every alias is expanded (a
  528-byte "billion laughs" expands to 10^9 nodes: refused while it is still a few dozen nodes in memory);
- at most MAX_DEPTH levels of nesting (libyaml's composer recurses in C: a deep enough file crashes the
  interpreter instead of raising, so the depth is bounded before libyaml composes);
- no mapping holds the same key twice (YAML would silently keep the last one).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 16 * 1024 * 1024
MAX_ALIASES = 1_000
MAX_NODES = 5_000_000
MAX_DEPTH = 64

# libyaml's safe loader when PyYAML has it; the pure-Python one gives the same data, slower.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What may open a block collection at the start of a line: indentation and the indicators "- ", "? ", ": ".
_LEADING = re.compile(r"^[ \t?:-]*", re.MULTILINE)


class InputLimitError(Exception):
    """A file breaks a limit or is not readable text; field, value, message and hint as a Problem has them."""

    def __init__(self, field: str, value: str, message: str, hint: str):
        self.field, self.value, self.message, self.hint = field, value, message, hint
        super().__init__(f"field '{field}', value {value}: {message}. Hint: {hint}")


def read_text(path: Path, limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of a file of at most limit bytes."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise InputLimitError("(file)", repr(str(path)), f"cannot be read ({error.strerror})", "check the path and its permissions")
    if len(data) > limit:
        raise InputLimitError(
            "(file)", repr(path.name), f"is larger than {limit // (1024 * 1024)} MiB", "GovNet's input files are far smaller; check that this is the right file"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputLimitError(
            "(encoding)",
            repr(path.name),
            f"is not valid UTF-8 at byte {error.start} (line {line}: byte 0x{data[error.start]:02x})",
            "save the file as UTF-8 (iconv -f LATIN1 -t UTF-8, or your editor's encoding setting)",
        )


def load_yaml(text: str, name: str) -> Any:
    """The data of one YAML document, refused when it breaks a limit or repeats a key."""
    if _depth_bound(text) > MAX_DEPTH:
        _check_depth_by_events(text, name)
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, name)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth, read from the text alone.

    A block collection starts at a line's indentation or inside the indicators that lead it, and at most
    two start in one column (a mapping and the sequence that is one of its values); every flow level
    needs a bracket, and at most two levels open at one ("[a: [b: ...").
    """
    leading = max((len(match) for match in _LEADING.findall(text)), default=0)
    return 2 * (leading + 1) + 2 * (text.count("[") + text.count("{")) + 1


def _check_depth_by_events(text: str, name: str) -> None:
    """The exact nesting depth from libyaml's events, for a text whose bound is above the limit."""
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    loader = _LOADER(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, starts):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(name, event.start_mark.line + 1)
            elif isinstance(event, ends):
                depth -= 1
    except yaml.YAMLError as error:  # libyaml's own nesting bound can come first
        mark = getattr(error, "problem_mark", None)
        if "nesting depth" in str(error) and mark is not None:
            raise _too_deep(name, mark.line + 1) from None
        raise
    finally:
        loader.dispose()


def _too_deep(name: str, line: int) -> InputLimitError:
    return InputLimitError(
        "(yaml)", repr(name), f"nests deeper than {MAX_DEPTH} levels at line {line}", "GovNet's files nest a few levels: flatten it"
    )


def _check_graph(root: yaml.Node, name: str) -> None:
    """Depth and duplicate keys of a composed document, without building it; its expansion when it has aliases.

    libyaml composes an alias as the very node of its anchor, so a node met twice is an alias: then the
    expanded size is worked out per node, once each (a bomb is a few dozen nodes before it is built).
    """
    seen: set[int] = set()
    shared = False
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        value = node.value
        if isinstance(value, str):
            continue
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _too_deep(name, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            _check_keys(node, name)
            stack.extend((item, depth + 1) for pair in value for item in pair)
        else:
            stack.extend((item, depth + 1) for item in value)
    if shared:
        _check_expansion(root, name)


def _check_expansion(root: yaml.Node, name: str) -> None:
    """Alias count, expanded size and expanded depth of a document whose nodes are shared."""
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    open_nodes: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            heights[key] = 1 + max((heights[id(child)] for child in children), default=0)
            if sizes[key] > MAX_NODES:
                raise InputLimitError(
                    "(yaml)",
                    repr(name),
                    f"expands to more than {MAX_NODES:,} values through its aliases (line {node.start_mark.line + 1})",
                    "write the data out; GovNet's files need no aliases (*name)",
                )
            if heights[key] > MAX_DEPTH:
                raise _too_deep(name, node.start_mark.line + 1)
            continue
        if key in sizes:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise InputLimitError(
                    "(yaml)",
                    repr(name),
                    f"uses more than {MAX_ALIASES:,} aliases (line {node.start_mark.line + 1})",
                    "write the data out; GovNet's files need no aliases (*name)",
                )
            continue
        if key in open_nodes:
            raise InputLimitError(
                "(yaml)", repr(name), f"holds a value that contains itself (line {node.start_mark.line + 1})", "remove the alias to its own anchor"
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _check_keys(node: yaml.MappingNode, name: str) -> None:
    """A key written twice in one mapping is an error naming both lines."""
    keys = [(key.tag, key.value) for key, _value in node.value if isinstance(key.value, str)]
    if len(set(keys)) == len(keys):
        return
    first: dict[tuple[str, str], int] = {}
    for key, _value in node.value:
        if not isinstance(key.value, str):
            continue
        line = key.start_mark.line + 1
        if (key.tag, key.value) in first:
            raise InputLimitError(
                "(yaml)",
                repr(name),
                f"repeats the key {key.value!r} at line {line} (first at line {first[(key.tag, key.value)]})",
                "keep one of them; YAML would silently use the last",
            )
        first[(key.tag, key.value)] = line
