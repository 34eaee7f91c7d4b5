"""Seeded random generators, one per purpose, so the sample data is reproducible piece by piece.

Every random draw comes from a generator seeded by (seed, purpose, contract_ref, month ...), never
from one shared stream: a contract's workers and a month's pay are then the same whichever other
contracts or months are generated in the same call. That is what lets the demo write one file per
contract and month, and makes a corrected resubmission differ from the original only where it is
meant to. The seed components (including the integer month index of ``dates.month_index``) are part
of the output's identity: changing how they are spelled changes every generated file.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

#: A share of workers (0 to 1) for every contract, or per contract_ref (missing refs get 0).
ShareArg = float | Mapping[str, float]


def _key(part: object) -> int:
    """A non-negative integer for one seed component (strings via CRC32, stable across runs)."""
    if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
        return int(part) % (1 << 63)
    return zlib.crc32(str(part).encode("utf-8"))


def seeded_rng(seed: int, *parts: object) -> np.random.Generator:
    """An independent generator for one purpose; see the module docstring for why not one stream."""
    return np.random.default_rng(np.random.SeedSequence([_key(seed), *(_key(p) for p in parts)]))


def share_for(share: ShareArg, ref: str) -> float:
    """The share asked for one contract, checked, so a typo (15 for 0.15) fails instead of underpaying all."""
    value = share.get(ref, 0.0) if isinstance(share, Mapping) else share
    value = float(value)
    if not 0 <= value <= 1:
        raise ValueError(f"a share must be between 0 and 1 (got {value} for {ref})")
    return value
