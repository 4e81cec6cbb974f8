"""All models, imported here so `Base.metadata` is complete for migrations."""

from wifidesa.db.models.accounts import (
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
from wifidesa.db.models.admins import (
    AdminRole,
    AdminToken,
    AdminUser,
    AuditEntry,
    TokenKind,
    admin_sites,
)
from wifidesa.db.models.alerts import (
    AlertChannel,
    ChannelKind,
    Notification,
    NotificationState,
    RouterAlertState,
)
from wifidesa.db.models.attempts import LoginFailure
from wifidesa.db.models.exports import ExportFormat, ExportState, StatsExport
from wifidesa.db.models.fleet import (
    FleetIncident,
    OutageCause,
    RouterDay,
    RouterHealth,
    RouterInterval,
    RouterState,
)
from wifidesa.db.models.profiles import AfterQuota, Profile, ProfileLimit, QuotaPeriod
from wifidesa.db.models.regions import Region, RegionLevel, Site
from wifidesa.db.models.router_tasks import RouterTask, TaskKind, TaskState
from wifidesa.db.models.routers import Router
from wifidesa.db.models.sessions import (
    AcctSession,
    CoAAction,
    CoAResult,
    SessionStatus,
    SiteDeviceDay,
    UsageDaily,
)
from wifidesa.db.models.statistics import (
    AreaDay,
    AreaDaySketch,
    AreaMonthSketch,
    DirtyDay,
    LoginCount,
    SiteDay,
    SiteDevice,
    SiteMonth,
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
    "AlertChannel",
    "AreaDay",
    "AreaDaySketch",
    "AreaMonthSketch",
    "AuditEntry",
    "ChannelKind",
    "CoAAction",
    "CoAResult",
    "DirtyDay",
    "ExportFormat",
    "ExportState",
    "FleetIncident",
    "GuestDevice",
    "LoginCount",
    "LoginFailure",
    "LoginToken",
    "Member",
    "Notification",
    "NotificationState",
    "OutageCause",
    "Profile",
    "ProfileLimit",
    "QuotaPeriod",
    "Region",
    "RegionLevel",
    "Router",
    "RouterAlertState",
    "RouterDay",
    "RouterHealth",
    "RouterInterval",
    "RouterState",
    "RouterTask",
    "SessionStatus",
    "Site",
    "SiteDay",
    "SiteDevice",
    "SiteDeviceDay",
    "SiteMonth",
    "StatsExport",
    "TaskKind",
    "TaskState",
    "TokenKind",
    "UsageDaily",
    "Voucher",
    "VoucherBatch",
    "admin_sites",
]
