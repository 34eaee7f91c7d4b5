"""One supplier's part of the contract register, for the supplier's own `check`.

The council's register lists every supplier with its contacts; a supplier may see only its own. The
export keeps the contracts whose supplier is the one asked for, each entry exactly as the council
wrote it (schedules, commitments, its own contacts), and nothing about any other supplier. The result
is a register the product loads like any other, so `gwp-monitor check FILE --contracts it.yaml` makes
every contract check the council's run makes (contract known, period within the contract).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from gwp_monitor.config.register import Register, parse_register
from gwp_monitor.config.register_yaml import read_register_yaml

#: Keys whose values must be read back as written (leading zeros, dates): always quoted in the export.
_QUOTED_KEYS = frozenset({"contract_ref", "supplier_id", "start_date", "end_date"})


class UnknownSupplier(LookupError):
    """No contract of the register has this supplier_id; the message says what to check."""


class _Quoted(str):
    """A string dumped in double quotes, so any YAML reader keeps it as text."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, '"'))


def for_supplier(register: Register, supplier_id: str) -> Register:
    """`register` cut down to `supplier_id`'s contracts, in memory: what a check on that supplier's behalf
    (the portal's upload) runs with, so a file naming another supplier's contract gets the same answer
    as one naming no contract at all ("is not a contract in the register"), revealing nothing.

    Raises UnknownSupplier when the supplier has no contract in the register."""
    wanted = supplier_id.strip()
    mine = {ref: c for ref, c in register.contracts.items() if c.supplier.supplier_id == wanted}
    if not mine:
        known = sorted({c.supplier.supplier_id for c in register.contracts.values()})
        close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UnknownSupplier(
            f"no contract in the register {register.source} has supplier_id '{wanted}' "
            f"(compared exactly, leading zeros included){hint}"
        )
    return Register(MappingProxyType(mine), f"{register.source} (supplier {wanted})")


def supplier_entries(raw: Any, register: Register, supplier_id: str) -> list[dict[str, Any]]:
    """The raw register entries (as written) of the contracts whose supplier is `supplier_id`.

    `raw` is the parsed document of a register that loaded as `register`: its entries line up with
    the register's contracts by contract_ref. Raises UnknownSupplier when the supplier has none."""
    refs = set(for_supplier(register, supplier_id).contracts)
    return [_quoted(dict(entry)) for entry in raw["contracts"] if entry["contract_ref"] in refs]


def _quoted(value: Any, key: str | None = None) -> Any:
    if isinstance(value, Mapping):
        return {k: _quoted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted(v) for v in value]
    if key in _QUOTED_KEYS and value is not None:
        return _Quoted(str(value))
    return value


@dataclass(frozen=True)
class SupplierRegister:
    text: str  #: the register file's YAML, with a comment saying what it is
    contracts: int
    supplier_name: str


def export_supplier_register(path: Path, register: Register, supplier_id: str, today: date) -> SupplierRegister:
    """The register of `supplier_id`'s register, cut from the register file at `path` (which loaded
    as `register`). Checked to load before it is returned, so the supplier never gets a register the
    product refuses."""
    raw, _ = read_register_yaml(path)
    entries = supplier_entries(raw, register, supplier_id)
    parse_register({"contracts": entries}, source="export")  # raises RegisterError if it would not load
    name = register.contracts[str(entries[0]["contract_ref"])].supplier.name
    header = (
        f"# Contract register for {_one_line(name)} (supplier_id {_one_line(supplier_id.strip())}): "
        f"{len(entries)} contract(s), exported {today.isoformat()}.\n"
        "# It holds only this supplier's contracts. Check a return with every contract rule:\n"
        "#   gwp-monitor check RETURN.csv --contracts THIS-FILE.yaml\n"
    )
    body = yaml.dump({"contracts": entries}, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return SupplierRegister(header + body, len(entries), name)


def _one_line(text: str) -> str:
    """Text put in a YAML comment: one line, so nothing written by the register can end the comment."""
    return " ".join(text.split())
