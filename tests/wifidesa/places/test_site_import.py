"""Sites: one by one, and CSV imports that are all or nothing, naming each bad line."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import OPERATOR
from wifidesa.db.models import AuditEntry, Region, RegionLevel, Site
from wifidesa.errors import AlreadyExists, InvalidInput, RowsRejected
from wifidesa.places.listing import list_sites
from wifidesa.places.site_import import import_sites
from wifidesa.places.sites import SiteSpec, create_site

HEADER = "desa_code,desa_name,kecamatan_name,site_code,site_name,timezone\n"
GOOD = (
    HEADER
    + "64.03.05.2001,Sungai Payang,Loa Kulu,,,\n"
    + "64.03.05.2002,Jembayan,Loa Kulu,jembayan-2,Jembayan Balai Desa,\n"
    + "64.11.01.2001,Long Apari,Long Apari,,,Asia/Makassar\n"
)


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_good_file_imports_every_site_with_its_regions(session: Session) -> None:
    sites = import_sites(session=session, scope=OPERATOR, text=GOOD, source="good.csv")
    assert [s.code for s in sites] == ["64.03.05.2001", "jembayan-2", "64.11.01.2001"]
    assert sites[1].name == "Jembayan Balai Desa"
    kecamatan = session.scalars(select(Region).where(Region.code == "64.03.05")).one()
    assert kecamatan.level is RegionLevel.KECAMATAN
    assert kecamatan.name == "Loa Kulu"
    assert kecamatan.parent is not None and kecamatan.parent.code == "64.03"
    desa = sites[0].region
    assert (desa.level, desa.parent_id) == (RegionLevel.DESA, kecamatan.id)
    assert all(s.timezone == "Asia/Makassar" for s in sites)
    assert session.scalars(select(AuditEntry.action)).all() == ["sites.import"]


def test_semicolon_separated_file_with_bom_from_a_spreadsheet(session: Session) -> None:
    text = "desa_code;desa_name;kecamatan_name\n64.05.01.2001;Tanjung Batu;Pulau Derawan\n"
    (site,) = import_sites(
        session=session, scope=OPERATOR, text=text.encode("utf-8-sig").decode("utf-8-sig")
    )
    assert site.name == "Tanjung Batu"


def test_header_is_case_insensitive_and_blank_lines_are_skipped(session: Session) -> None:
    text = "Desa_Code,DESA_NAME,kecamatan_name\n\n64.01.01.2001,Kuaro,Kuaro\n\n"
    assert len(import_sites(session=session, scope=OPERATOR, text=text)) == 1


BAD_ROWS = [
    ("64.03.5.2001,Desa,Kec,,,", "not of the form 64.03.01.2001"),
    ("64.99.01.2001,Desa,Kec,,,", "unknown kabupaten/kota 64.99"),
    ("64.03.01.2001,,Kec,,,", "desa_name is empty"),
    ("64.03.01.2001,Desa,,,,", "kecamatan_name is empty"),
    ("64.03.01.2001,Desa,Kec,,,Mars/Olympus", "unknown time zone"),
    ("64.03.01.2001,Desa,Kec,bad code!,,", "site code"),
    ("64.03.01.2001,Desa,Kec", "expected 6 fields"),
    ("64.03.01.2001,Desa,Kec,,,,extra", "expected 6 fields"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_with_its_line_and_nothing_is_imported(
    session: Session, row: str, reason: str
) -> None:
    text = GOOD + row + "\n"
    before = (_count(session, Site), _count(session, Region))
    with pytest.raises(RowsRejected) as info:
        import_sites(session=session, scope=OPERATOR, text=text, source="bad.csv")
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("line 5: ")
    assert reason in info.value.problems[0]
    assert (_count(session, Site), _count(session, Region)) == before


def test_duplicate_site_within_the_file(session: Session) -> None:
    text = HEADER + "64.03.05.2001,A,Loa Kulu,,,\n64.03.05.2001,A,Loa Kulu,,,\n"
    with pytest.raises(RowsRejected) as info:
        import_sites(session=session, scope=OPERATOR, text=text)
    assert info.value.problems == ["line 3: site '64.03.05.2001' also on line 2"]


def test_same_desa_with_two_names_in_the_file(session: Session) -> None:
    text = HEADER + "64.03.05.2001,A,Loa Kulu,s1,,\n64.03.05.2001,B,Loa Kulu,s2,,\n"
    with pytest.raises(RowsRejected, match="line 3: desa 64.03.05.2001 is named 'A'"):
        import_sites(session=session, scope=OPERATOR, text=text)


def test_site_that_exists_already(session: Session) -> None:
    import_sites(session=session, scope=OPERATOR, text=GOOD)
    with pytest.raises(RowsRejected, match="line 2: site '64.03.05.2001' exists already"):
        import_sites(
            session=session,
            scope=OPERATOR,
            text=HEADER + "64.03.05.2001,Sungai Payang,Loa Kulu,,,\n",
        )


def test_kecamatan_name_conflicting_with_the_database(session: Session) -> None:
    import_sites(session=session, scope=OPERATOR, text=GOOD)
    text = HEADER + "64.03.05.2003,Baru,Tenggarong,,,\n"
    with pytest.raises(RowsRejected, match="kecamatan 64.03.05 is named 'Loa Kulu' already"):
        import_sites(session=session, scope=OPERATOR, text=text)


def test_every_bad_row_is_reported_not_just_the_first(session: Session) -> None:
    text = HEADER + "x,A,B,,,\n64.03.05.2001,A,B,,,\ny,A,B,,,\n"
    with pytest.raises(RowsRejected) as info:
        import_sites(session=session, scope=OPERATOR, text=text)
    assert [p.split(":")[0] for p in info.value.problems] == ["line 2", "line 4"]
    assert _count(session, Site) == 0


def test_missing_and_unknown_columns_are_reported_on_line_1(session: Session) -> None:
    with pytest.raises(InvalidInput, match="line 1: missing column.*kecamatan_name"):
        import_sites(session=session, scope=OPERATOR, text="desa_code,desa_name\n64.03.05.2001,A\n")
    with pytest.raises(InvalidInput, match="line 1: unknown column.*luas"):
        import_sites(
            session=session, scope=OPERATOR, text="desa_code,desa_name,kecamatan_name,luas\n"
        )


def test_empty_file_imports_nothing(session: Session) -> None:
    with pytest.raises(InvalidInput, match="no rows"):
        import_sites(session=session, scope=OPERATOR, text=HEADER)


def test_add_site_refuses_a_duplicate_code(session: Session) -> None:
    spec = SiteSpec(
        desa_code="64.72.01.1001", desa_name="Sungai Pinang Dalam", kecamatan_name="Sungai Pinang"
    )
    create_site(session=session, scope=OPERATOR, spec=spec)
    with pytest.raises(AlreadyExists):
        create_site(session=session, scope=OPERATOR, spec=spec)
    assert [s.code for s in list_sites(session=session, scope=OPERATOR)] == ["64.72.01.1001"]
