"""Composing YAML into nodes with limits, so a hostile file cannot exhaust time or memory.

PyYAML's SafeLoader never constructs objects from tags here (only nodes are composed), but
on its own it follows nesting until Python's recursion limit and lets aliases make a
"billion laughs": a few hundred bytes whose values, expanded, number billions. This loader
refuses nesting deeper than MAX_DEPTH as it composes, so a file of 50 000 "[" stops at the
first levels; `refuse_aliases` refuses every anchor and alias (the settings file needs
none), and `expanded_size` counts the values an alias-sharing tree stands for, so a
script may repeat a value with an alias but not blow up (`MAX_ALIAS_VALUES`).

Every refusal is a yaml.MarkedYAMLError at the place it happened, so it is reported as
FILE:LINE:COLUMN like any syntax error.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import CollectionNode, MappingNode, Node
from yaml.scanner import ScannerError

MAX_DEPTH = 40
"""Lists and mappings inside each other; a script needs 5 levels, the settings file 2."""
MAX_ALIAS_VALUES = 10_000
"""Values that aliases may add to a script when expanded (repeating a few cues is tens)."""
NESTED_TOO_DEEPLY = "lists and mappings are nested too deeply"
ALIASES_REFUSED = "anchors and aliases (&name, *name) are not allowed here"


class LimitedLoader(yaml.SafeLoader):
    """A SafeLoader that stops at MAX_DEPTH levels of nesting, and, when `refuse_aliases`,
    at the first anchor or alias."""

    def __init__(self, text: str, *, refuse_aliases: bool = False) -> None:
        super().__init__(text)
        self._depth = 0
        self._refuse_aliases = refuse_aliases

    def fetch_flow_sequence_start(self) -> None:
        self._check_flow_depth()
        super().fetch_flow_sequence_start()

    def fetch_flow_mapping_start(self) -> None:
        self._check_flow_depth()
        super().fetch_flow_mapping_start()

    def _check_flow_depth(self) -> None:
        # Stopped here, in the scanner, not only when composing: the scanner looks up to
        # 1 024 characters ahead for a key, and with one pending key per open bracket that
        # look-ahead is quadratic (a line of 50 000 "[" took 0.7 s before reaching the
        # composer's limit).
        if self.flow_level >= MAX_DEPTH:
            raise ScannerError(
                None,
                None,
                f"{NESTED_TOO_DEEPLY} (more than {MAX_DEPTH})",
                self.get_mark(),
            )

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if self._refuse_aliases and (
            isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None
        ):
            raise ComposerError(None, None, ALIASES_REFUSED, event.start_mark)
        nests = isinstance(event, (SequenceStartEvent, MappingStartEvent))
        if nests:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None, None, f"{NESTED_TOO_DEEPLY} (more than {MAX_DEPTH})", event.start_mark
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nests:
                self._depth -= 1


def compose_limited(text: str, *, refuse_aliases: bool = False) -> Node | None:
    """The root node of the single YAML document in `text` (None when empty).

    Raises yaml.YAMLError (MarkedYAMLError with a place for syntax and limits;
    reader.ReaderError for characters YAML does not allow)."""
    loader = LimitedLoader(text, refuse_aliases=refuse_aliases)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def expanded_size(root: Node) -> tuple[int, int]:
    """(values written, values they stand for with every alias expanded).

    Shared nodes are counted once per node for the first figure, once per use for the
    second; linear in the nodes written (memoised), so it is safe on a billion laughs. A
    node that contains itself counts as one value: the loader reports it."""
    expanded: dict[int, int] = {}
    written: set[int] = set()

    def size(node: Node) -> int:
        known = expanded.get(id(node))
        if known is not None:
            return known
        written.add(id(node))
        expanded[id(node)] = 1  # a node inside itself counts once
        total = 1
        if isinstance(node, MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        elif isinstance(node, CollectionNode):
            total += sum(size(child) for child in node.value)
        expanded[id(node)] = total
        return total

    total = size(root)
    return len(written), total
