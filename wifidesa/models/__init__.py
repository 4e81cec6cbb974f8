"""All models, imported here so `Base.metadata` is complete for migrations."""

from wifidesa.models.accounts import (
    Account,
    AccountDevice,
    AccountKind,
    AccountStatus,
    GuestDevice,
    LoginToken,
    Member,
    Voucher,
    VoucherBatch,
)
from wifidesa.models.admins import (
    AdminRole,
    AdminToken,
    AdminUser,
    AuditEntry,
    TokenKind,
    admin_sites,
)
from wifidesa.models.profiles import AfterQuota, Profile, ProfileLimit, QuotaPeriod
from wifidesa.models.regions import Region, RegionLevel, Site
from wifidesa.models.routers import Router
from wifidesa.models.sessions import (
    AcctSession,
    CoAAction,
    CoAResult,
    SessionStatus,
    SiteDeviceDay,
    UsageDaily,
)

__all__ = [
    "Account",
    "AccountDevice",
    "AccountKind",
    "AccountStatus",
    "AcctSession",
    "AdminRole",
    "AdminToken",
    "AdminUser",
    "AfterQuota",
    "AuditEntry",
    "CoAAction",
    "CoAResult",
    "GuestDevice",
    "LoginToken",
    "Member",
    "Profile",
    "ProfileLimit",
    "QuotaPeriod",
    "Region",
    "RegionLevel",
    "Router",
    "SessionStatus",
    "Site",
    "SiteDeviceDay",
    "TokenKind",
    "UsageDaily",
    "Voucher",
    "VoucherBatch",
    "admin_sites",
]
