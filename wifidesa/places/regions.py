"""Regions of Kalimantan Timur with their Kemendagri codes, and lookups by code."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.db.models import Region, RegionLevel
from wifidesa.errors import ErrorCode, InvalidInput, NotFound

PROVINCE = ("64", "Kalimantan Timur")
# Kemendagri codes of Kaltim's 10 kabupaten/kota (Permendagri on region codes).
KABUPATEN = (
    ("64.01", "Kabupaten Paser"),
    ("64.02", "Kabupaten Kutai Barat"),
    ("64.03", "Kabupaten Kutai Kartanegara"),
    ("64.04", "Kabupaten Kutai Timur"),
    ("64.05", "Kabupaten Berau"),
    ("64.09", "Kabupaten Penajam Paser Utara"),
    ("64.11", "Kabupaten Mahakam Ulu"),
    ("64.71", "Kota Balikpapan"),
    ("64.72", "Kota Samarinda"),
    ("64.74", "Kota Bontang"),
)

DESA_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")  # 64.03.01.2001


def ensure_reference_regions(*, session: Session) -> int:
    """Create the province and its kabupaten/kota if missing; returns how many were added."""
    existing = set(session.scalars(select(Region.code)))
    added = 0
    province = session.scalar(select(Region).where(Region.code == PROVINCE[0]))
    if province is None:
        province = Region(code=PROVINCE[0], name=PROVINCE[1], level=RegionLevel.PROVINCE)
        session.add(province)
        session.flush()
        added += 1
    for code, name in KABUPATEN:
        if code not in existing:
            session.add(
                Region(code=code, name=name, level=RegionLevel.KABUPATEN, parent_id=province.id)
            )
            added += 1
    session.flush()
    return added


def get_region(*, session: Session, code: str, level: RegionLevel | None = None) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None or (level is not None and region.level != level):
        what = level.value if level else "region"
        raise NotFound(ErrorCode.REGION_NOT_FOUND, what=what, code=code)
    return region


def parent_codes(desa_code: str) -> tuple[str, str]:
    """(kabupaten code, kecamatan code) of a desa code, which must look like 64.03.01.2001."""
    if not DESA_CODE.match(desa_code):
        raise InvalidInput(ErrorCode.BAD_DESA_CODE, code=desa_code)
    parts = desa_code.split(".")
    return ".".join(parts[:2]), ".".join(parts[:3])
