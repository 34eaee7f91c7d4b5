"""Reading the register file's YAML so that identifiers and dates stay as written and a key given
twice is reported instead of silently winning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gwp_monitor.config.register_errors import RegisterError

_VERBATIM_KEYS = frozenset({"contract_ref", "supplier_id", "start_date", "end_date"})
_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class _RegisterLoader(yaml.SafeLoader):
    """SafeLoader that keeps identifiers and dates as written and notes duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[str] = []


def _construct_mapping(loader: _RegisterLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in out:
            loader.duplicate_keys.append(
                f"line {key_node.start_mark.line + 1}: {key!r} is given twice in the same mapping"
            )
        verbatim = (
            key in _VERBATIM_KEYS
            and isinstance(value_node, yaml.ScalarNode)
            and not (value_node.style is None and value_node.value in _YAML_NULLS)
        )
        out[key] = value_node.value if verbatim else loader.construct_object(value_node, deep=True)
    return out


_RegisterLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_register_yaml(path: Path) -> tuple[Any, list[str]]:
    """The parsed document and the duplicate-key problems; RegisterError when it cannot be read."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegisterError([f"{source}: file not found"], source) from None
    except IsADirectoryError:
        raise RegisterError([f"{source}: is a directory, not a register file"], source) from None
    except UnicodeDecodeError as exc:
        raise RegisterError([f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"], source) from None
    except OSError as exc:
        raise RegisterError([f"{source}: cannot be read ({exc.strerror})"], source) from None
    loader = _RegisterLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RegisterError([f"{source}: YAML syntax error{where}: {exc.problem or exc.context}"], source) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise RegisterError([f"{source}: YAML error: {exc}"], source) from None
    finally:
        loader.dispose()
    return data, loader.duplicate_keys
