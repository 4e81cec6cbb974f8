import pytest
from sqlalchemy.orm import Session

from wifidesa.admin.scope import OPERATOR
from wifidesa.db.models import AfterQuota, QuotaPeriod
from wifidesa.errors import AlreadyExists, InvalidInput
from wifidesa.profiles.operations import create_profile, list_usable_profiles, require_profile_named
from wifidesa.profiles.rules import ProfileSpec, Quota


def test_profile_with_daily_and_monthly_quota(session: Session) -> None:
    create_profile(
        session=session,
        scope=OPERATOR,
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
    profile = require_profile_named(session=session, scope=OPERATOR, name="warga")
    assert {(q.period, q.data_bytes, q.time_seconds) for q in profile.limits} == {
        (QuotaPeriod.DAY, 10**9, None),
        (QuotaPeriod.MONTH, 10**10, 360000),
    }
    assert [p.name for p in list_usable_profiles(session=session, scope=OPERATOR)] == ["warga"]


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
        create_profile(session=session, scope=OPERATOR, spec=spec)


def test_duplicate_name(session: Session) -> None:
    create_profile(session=session, scope=OPERATOR, spec=ProfileSpec(name="harian"))
    with pytest.raises(AlreadyExists):
        create_profile(session=session, scope=OPERATOR, spec=ProfileSpec(name="harian"))
