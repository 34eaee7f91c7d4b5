"""File names of the contracts' pages: safe on every file system and stable across runs."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

CONTRACT_DIR = "contract"


def _hash8(ref: str) -> str:
    return hashlib.sha256(ref.encode("utf-8")).hexdigest()[:8]


def contract_file_name(contract_ref: str) -> str:
    """A file name for a contract's page.

    contract_ref may hold ``/`` and ``.`` (spec 2.1), which would make folders or hidden files. Other
    characters become ``_``; when anything was changed, eight hex digits of the ref's SHA-256 are
    appended so ``A/B`` and ``A_B`` cannot land on the same page.
    """
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "_", contract_ref).strip("_-") or "contract"
    if cleaned != contract_ref:
        cleaned = f"{cleaned[:64]}-{_hash8(contract_ref)}"
    return f"{cleaned}.html"


def file_names(refs: Iterable[str]) -> dict[str, str]:
    """Contract ref -> page file name, with refs that differ only in case kept apart.

    Windows and macOS file systems ignore case, so ``abc`` and ``ABC`` would overwrite each other;
    those rare pairs get the hash suffix too.
    """
    names = {ref: contract_file_name(ref) for ref in refs}
    seen: dict[str, list[str]] = defaultdict(list)
    for ref, name in names.items():
        seen[name.lower()].append(ref)
    for clash in (refs_ for refs_ in seen.values() if len(refs_) > 1):
        for ref in clash:
            stem = names[ref][: -len(".html")]
            names[ref] = f"{stem}-{_hash8(ref)}.html"
    return names
