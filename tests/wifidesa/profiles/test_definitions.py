import pytest
from sqlalchemy.orm import Session

from wifidesa.db.models import AfterQuota, QuotaPeriod
from wifidesa.errors import AlreadyExists, InvalidInput
from wifidesa.profiles.definitions import (
    ProfileSpec,
    Quota,
    add_profile,
    get_profile,
    list_profiles,
)


def test_profile_with_daily_and_monthly_quota(session: Session) -> None:
    add_profile(
        session=session,
        spec=ProfileSpec(
            name="warga",
            rate_limit="1M/2M",
            after_quota=AfterQuota.THROTTLE,
            throttle_rate_limit="128k/256k",
            quotas=(
                Quota(period=QuotaPeriod.DAY, data_bytes=10**9),
                Quota(period=QuotaPeriod.MONTH, data_bytes=10**10, time_seconds=360000),
            ),
        ),
    )
    session.commit()
    profile = get_profile(session=session, name="warga")
    assert {(q.period, q.data_bytes, q.time_seconds) for q in profile.limits} == {
        (QuotaPeriod.DAY, 10**9, None),
        (QuotaPeriod.MONTH, 10**10, 360000),
    }
    assert [p.name for p in list_profiles(session=session)] == ["warga"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ProfileSpec(name="x", rate_limit="fast"), "rate limit"),
        (ProfileSpec(name="x", after_quota=AfterQuota.THROTTLE), "throttle rate"),
        (ProfileSpec(name="x", devices_at_once=0), "devices"),
        (ProfileSpec(name="x", interim_interval=10), "interim"),
        (ProfileSpec(name="x", quotas=(Quota(period=QuotaPeriod.DAY),)), "neither data nor time"),
        (
            ProfileSpec(
                name="x",
                quotas=(
                    Quota(period=QuotaPeriod.DAY, data_bytes=1),
                    Quota(period=QuotaPeriod.DAY, data_bytes=2),
                ),
            ),
            "one quota",
        ),
        (ProfileSpec(name=""), "name"),
    ],
)
def test_bad_profiles_are_refused(session: Session, spec: ProfileSpec, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        add_profile(session=session, spec=spec)


def test_duplicate_name(session: Session) -> None:
    add_profile(session=session, spec=ProfileSpec(name="harian"))
    with pytest.raises(AlreadyExists):
        add_profile(session=session, spec=ProfileSpec(name="harian"))
