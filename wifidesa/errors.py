"""Errors the domain raises for the edges (CLI, web, RADIUS) to translate.

An error carries a code and parameters (`NotFound(ErrorCode.PROFILE_NOT_FOUND, name="kukar")`);
each code has one English template, the gettext msgid, defined here. `str(exc)` is the English
message (the CLI prints it); `translate_error(exc, gettext)` gives it in a page's language.
Messages are for people: one line, no secret, no password, no voucher code, no stack trace.

Old-style errors with a ready English sentence (`WifidesaError("...")`) still work while the
last modules move over: they are translated as a whole sentence, `gettext(sentence)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from wifidesa.i18n import Gettext
from wifidesa.messages import Joined, Message


class ErrorCode(StrEnum):
    # settings and services
    INVALID_SETTINGS = "invalid_settings"
    PLACEHOLDER_SECRET = "placeholder_secret"  # noqa: S105 (a code, not a secret)
    UNDECRYPTABLE_SECRET = "undecryptable_secret"  # noqa: S105 (a code, not a secret)
    NO_SCHEMA = "no_schema"
    SCHEMA_OUTDATED = "schema_outdated"
    SCHEMA_DIFFERS = "schema_differs"
    NOT_EMPTY_FOR_DEMO = "not_empty_for_demo"
    UNKNOWN_SERVICES = "unknown_services"
    CANNOT_LISTEN = "cannot_listen"
    CANNOT_USE_UDP = "cannot_use_udp"
    # values people type
    NOT_A_SIZE = "not_a_size"
    SIZE_NOT_POSITIVE = "size_not_positive"
    NOT_A_DURATION = "not_a_duration"
    DURATION_NOT_POSITIVE = "duration_not_positive"
    NOT_A_RATE_LIMIT = "not_a_rate_limit"
    BAD_USERNAME = "bad_username"
    PASSWORD_TOO_SHORT = "password_too_short"  # noqa: S105 (a code, not a secret)
    PASSWORD_TOO_LONG = "password_too_long"  # noqa: S105 (a code, not a secret)
    # imports
    LINE_PROBLEM = "line_problem"
    ROWS_REJECTED = "rows_rejected"
    # admins, sign-in, scope
    ADMIN_EXISTS = "admin_exists"
    ADMIN_NOT_FOUND = "admin_not_found"
    KABUPATEN_NEEDS_REGION = "kabupaten_needs_region"
    NOT_A_KABUPATEN = "not_a_kabupaten"
    REGION_ONLY_FOR_KABUPATEN = "region_only_for_kabupaten"
    DESA_NEEDS_SITES = "desa_needs_sites"
    SITES_ONLY_FOR_DESA = "sites_only_for_desa"
    TOKEN_NAME_LENGTH = "token_name_length"  # noqa: S105 (a code, not a secret)
    TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105 (a code, not a secret)
    WRONG_CURRENT_PASSWORD = "wrong_current_password"  # noqa: S105 (a code, not a secret)
    SAME_PASSWORD = "same_password"  # noqa: S105 (a code, not a secret)
    SITE_NOT_FOUND = "site_not_found"
    SITE_ID_NOT_FOUND = "site_id_not_found"
    OVERSEERS_ONLY = "overseers_only"
    PROVINCE_ONLY = "province_only"
    # vouchers
    PROFILE_NOT_FOUND = "profile_not_found"
    VOUCHER_NOT_FOUND = "voucher_not_found"
    BATCH_NOT_FOUND = "batch_not_found"
    BAD_PAGE = "bad_page"
    BAD_PREFIX = "bad_prefix"
    BAD_USE_BY = "bad_use_by"
    USE_BY_PAST = "use_by_past"
    COUNT_OUT_OF_RANGE = "count_out_of_range"
    NEED_COUNT_AND_PROFILE = "need_count_and_profile"
    NO_VOUCHERS_HERE = "no_vouchers_here"
    NOTE_TOO_LONG = "note_too_long"
    CODE_NOT_IN_BATCH = "code_not_in_batch"
    NO_CARD_IN_RANGE = "no_card_in_range"
    VOUCHER_HEADER = "voucher_header"
    VOUCHER_FIELDS = "voucher_fields"
    BAD_VOUCHER_CODE = "bad_voucher_code"
    DUPLICATE_VOUCHER = "duplicate_voucher"
    VOUCHER_EXISTS = "voucher_exists"
    NO_VOUCHERS_TO_IMPORT = "no_vouchers_to_import"
    TOO_MANY_VOUCHERS = "too_many_vouchers"
    # background jobs and the simulator
    JOBS_BUSY = "jobs_busy"
    JOB_FAILED = "job_failed"
    JOB_GONE = "job_gone"
    NOT_LOOPBACK = "not_loopback"
    TOO_FEW_VOUCHERS = "too_few_vouchers"
    # villages and routers
    HOTSPOT_ADDRESS_MISSING = "hotspot_address_missing"
    BAD_HOTSPOT_ADDRESS = "bad_hotspot_address"
    PORT_OUT_OF_RANGE = "port_out_of_range"
    NOT_AN_IP_ADDRESS = "not_an_ip_address"
    ROUTER_NAME_LENGTH = "router_name_length"
    EMPTY_RADIUS_SECRET = "empty_radius_secret"  # noqa: S105 (a code, not a secret)
    ROUTER_NOT_FOUND = "router_not_found"
    ROUTER_NAME_NOT_FOUND = "router_name_not_found"
    ROUTER_IDENTITY_LENGTH = "router_identity_length"
    REGION_NOT_FOUND = "region_not_found"
    BAD_DESA_CODE = "bad_desa_code"
    MISSING_COLUMNS = "missing_columns"
    UNKNOWN_COLUMNS = "unknown_columns"
    NO_ROWS_TO_IMPORT = "no_rows_to_import"
    KABUPATEN_ADDS_UNDER = "kabupaten_adds_under"
    PROFILE_NOT_FOR_SITE = "profile_not_for_site"
    FREE_ACCESS_NEEDS_PROFILE = "free_access_needs_profile"
    BAD_LOGO = "bad_logo"
    BAD_PORTAL_URL = "bad_portal_url"
    # profiles
    PROFILE_NAME_LENGTH = "profile_name_length"
    DESCRIPTION_TOO_LONG = "description_too_long"
    TIMEOUTS_NOT_POSITIVE = "timeouts_not_positive"
    THROTTLE_NEEDS_RATE = "throttle_needs_rate"
    DEVICES_AT_LEAST_ONE = "devices_at_least_one"
    INTERIM_TOO_SHORT = "interim_too_short"
    REMEMBER_DAYS_NEGATIVE = "remember_days_negative"
    ONE_QUOTA_PER_PERIOD = "one_quota_per_period"
    QUOTA_LIMITS_NOTHING = "quota_limits_nothing"
    QUOTAS_NOT_POSITIVE = "quotas_not_positive"
    PROFILE_ID_NOT_FOUND = "profile_id_not_found"
    PROFILE_EXISTS = "profile_exists"
    PROFILE_NAME_NOT_FOUND = "profile_name_not_found"
    PROFILE_OWNERS_ONLY = "profile_owners_only"
    # residents
    RESIDENT_NOT_FOUND = "resident_not_found"
    BAD_MEMBER_USERNAME = "bad_member_username"
    FULL_NAME_TOO_LONG = "full_name_too_long"
    BAD_PHONE = "bad_phone"
    MEMBER_EXISTS = "member_exists"
    ONLY_ACTIVE_DISABLED = "only_active_disabled"
    ONLY_DISABLED_ENABLED = "only_disabled_enabled"
    DEVICE_NOT_FOUND = "device_not_found"
    NO_RESIDENTS_IN_FILE = "no_residents_in_file"
    TOO_MANY_RESIDENTS = "too_many_residents"
    # live sessions
    SESSION_NOT_FOUND = "session_not_found"
    # the command line
    NEED_IMAGE_OR_REMOVE = "need_image_or_remove"
    CANNOT_READ = "cannot_read"
    CANNOT_WRITE_TO = "cannot_write_to"
    CANNOT_WRITE = "cannot_write"
    NO_PASSWORD_ON_STDIN = "no_password_on_stdin"  # noqa: S105 (a code, not a secret)
    NO_SUCH_FILE = "no_such_file"
    NOT_UTF8 = "not_utf8"
    CANNOT_READ_FILE = "cannot_read_file"


# One English template per code: the msgid of its translations.
TEMPLATES: dict[ErrorCode, str] = {
    ErrorCode.INVALID_SETTINGS: "invalid settings: {detail}",
    ErrorCode.PLACEHOLDER_SECRET: (
        "WIFIDESA_SECRET_KEY is the placeholder or shorter than 32 characters; set one, e.g. "
        "{example} in the environment or .env (or WIFIDESA_ENV=development for a local trial)"
    ),
    ErrorCode.UNDECRYPTABLE_SECRET: (
        "cannot decrypt a stored secret: WIFIDESA_SECRET_KEY differs from the one it was "
        "stored with"
    ),
    ErrorCode.NO_SCHEMA: "the database has no schema yet; run 'wifidesa init'",
    ErrorCode.SCHEMA_OUTDATED: (
        "the database schema ({revision}) is not up to date; run 'wifidesa init'"
    ),
    ErrorCode.SCHEMA_DIFFERS: (
        "{count} difference(s) between the models and the migrations; "
        "run 'wifidesa db revision -m MESSAGE' and review it"
    ),
    ErrorCode.NOT_EMPTY_FOR_DEMO: "the database is not empty; demo data goes into an empty one",
    ErrorCode.UNKNOWN_SERVICES: "unknown service(s): {unknown}; have {available}",
    ErrorCode.CANNOT_LISTEN: "cannot listen on UDP {host}:{port}: {reason}",
    ErrorCode.CANNOT_USE_UDP: "cannot use UDP on {address}: {reason}",
    ErrorCode.NOT_A_SIZE: "not a size: {text!r} (examples: 500M, 1.5G, 2GB)",
    ErrorCode.SIZE_NOT_POSITIVE: "size must be positive: {text!r}",
    ErrorCode.NOT_A_DURATION: "not a duration: {text!r} (examples: 30m, 1h30m, 7d)",
    ErrorCode.DURATION_NOT_POSITIVE: "duration must be positive: {text!r}",
    ErrorCode.NOT_A_RATE_LIMIT: "not a MikroTik rate limit: {text!r} (example: 1M/4M = up/down)",
    ErrorCode.BAD_USERNAME: "username: 1 to 64 letters, digits, '.', '_' or '-'",
    ErrorCode.PASSWORD_TOO_SHORT: "the password must have at least {minimum} characters",
    ErrorCode.PASSWORD_TOO_LONG: "the password is longer than {maximum} characters",
    ErrorCode.LINE_PROBLEM: "line {line}: {reason}",
    ErrorCode.ROWS_REJECTED: "{source}: {count} problem(s), nothing imported: {first}",
    ErrorCode.ADMIN_EXISTS: "admin {username!r} exists already",
    ErrorCode.ADMIN_NOT_FOUND: "admin {admin_id} not found",
    ErrorCode.KABUPATEN_NEEDS_REGION: "a kabupaten admin needs --region (e.g. 64.03)",
    ErrorCode.NOT_A_KABUPATEN: "{code} is not a kabupaten/kota",
    ErrorCode.REGION_ONLY_FOR_KABUPATEN: "only kabupaten admins take a region",
    ErrorCode.DESA_NEEDS_SITES: "a desa admin needs at least one --site",
    ErrorCode.SITES_ONLY_FOR_DESA: "only desa admins take sites",
    ErrorCode.TOKEN_NAME_LENGTH: "a token name is 1 to 64 characters",
    ErrorCode.TOKEN_NOT_FOUND: "token {token_id} not found",
    ErrorCode.WRONG_CURRENT_PASSWORD: "the current password is wrong",
    ErrorCode.SAME_PASSWORD: "the new password must differ from the current one",
    ErrorCode.SITE_NOT_FOUND: "no site with code {code!r}",
    ErrorCode.SITE_ID_NOT_FOUND: "site {site_id} not found",
    ErrorCode.OVERSEERS_ONLY: "only province and kabupaten admins may do this",
    ErrorCode.PROVINCE_ONLY: "only province admins may do this",
    ErrorCode.PROFILE_NOT_FOUND: "profile {name!r} not found",
    ErrorCode.VOUCHER_NOT_FOUND: "voucher {account_id} not found",
    ErrorCode.BATCH_NOT_FOUND: "voucher batch {batch_id} not found",
    ErrorCode.BAD_PAGE: "limit must be between 1 and {maximum}, offset not negative",
    ErrorCode.BAD_PREFIX: (
        "a voucher prefix is up to {maximum} characters from {alphabet} "
        "(no 0, O, 1, I or L look-alikes)"
    ),
    ErrorCode.BAD_USE_BY: "the use-by date must be a date like 2026-12-31",
    ErrorCode.USE_BY_PAST: "the use-by date is already past",
    ErrorCode.COUNT_OUT_OF_RANGE: "count must be between 1 and {maximum}",
    ErrorCode.NEED_COUNT_AND_PROFILE: "give the number of cards and a profile",
    ErrorCode.NO_VOUCHERS_HERE: "this village does not accept vouchers",
    ErrorCode.NOTE_TOO_LONG: "the note is longer than {maximum} characters",
    # The code itself stays out: errors get logged, and a voucher code is a bearer secret.
    ErrorCode.CODE_NOT_IN_BATCH: "the {which} code is not in this batch",
    ErrorCode.NO_CARD_IN_RANGE: "no card of this batch lies in that range",
    ErrorCode.VOUCHER_HEADER: "expected the header 'code' or 'code,password'",
    ErrorCode.VOUCHER_FIELDS: "expected 1 or 2 fields, found {found}",
    ErrorCode.BAD_VOUCHER_CODE: "a code is 4 to 32 letters or digits",
    ErrorCode.DUPLICATE_VOUCHER: "the same code as line {other}",
    ErrorCode.VOUCHER_EXISTS: "this code exists already",
    ErrorCode.NO_VOUCHERS_TO_IMPORT: "{source}: no vouchers to import",
    ErrorCode.TOO_MANY_VOUCHERS: "{source}: at most {maximum} vouchers per import",
    ErrorCode.JOBS_BUSY: "other large jobs are running; try again in a few minutes",
    ErrorCode.JOB_FAILED: "the job failed",
    ErrorCode.JOB_GONE: "this job is finished and forgotten, or never existed",
    ErrorCode.NOT_LOOPBACK: (
        "router {name!r} has address {address}; the simulator only plays routers with a "
        "127.x.y.z address (register one with 'wifidesa routers add --ip 127.0.0.2')"
    ),
    ErrorCode.TOO_FEW_VOUCHERS: (
        "site {site} has {unused} unused voucher(s), {needed} needed; "
        "generate more with 'wifidesa vouchers generate'"
    ),
    ErrorCode.HOTSPOT_ADDRESS_MISSING: (
        "the hotspot address is missing (the router's hotspot IP or DNS name)"
    ),
    ErrorCode.BAD_HOTSPOT_ADDRESS: "not a hotspot IP address or DNS name: {text!r}",
    ErrorCode.PORT_OUT_OF_RANGE: "{what} must be between 1 and 65535, not {port}",
    ErrorCode.NOT_AN_IP_ADDRESS: "not an IP address: {text!r}",
    ErrorCode.ROUTER_NAME_LENGTH: "router name must be 1 to 64 characters",
    ErrorCode.EMPTY_RADIUS_SECRET: "the RADIUS secret cannot be empty",
    ErrorCode.ROUTER_NOT_FOUND: "router {router_id} not found",
    ErrorCode.ROUTER_NAME_NOT_FOUND: "no router named {name!r}",
    ErrorCode.ROUTER_IDENTITY_LENGTH: "the router's identity must be 1 to 64 characters",
    ErrorCode.REGION_NOT_FOUND: "no {what} with code {code!r}",
    ErrorCode.BAD_DESA_CODE: "desa code {code!r} is not of the form 64.03.01.2001",
    ErrorCode.MISSING_COLUMNS: "line 1: missing column(s) {missing}; expected {expected}",
    ErrorCode.UNKNOWN_COLUMNS: "line 1: unknown column(s) {unknown}",
    ErrorCode.NO_ROWS_TO_IMPORT: "{source}: no rows to import",
    ErrorCode.KABUPATEN_ADDS_UNDER: "a kabupaten admin adds villages only under {region}",
    ErrorCode.PROFILE_NOT_FOR_SITE: "this profile cannot be used in this village",
    ErrorCode.FREE_ACCESS_NEEDS_PROFILE: "free access needs a profile",
    ErrorCode.BAD_LOGO: "the logo must be a PNG, JPEG, GIF or WebP image",
    ErrorCode.BAD_PORTAL_URL: "the portal address must be an http(s) URL, not {url!r}",
    ErrorCode.PROFILE_NAME_LENGTH: "profile name must be 1 to 64 characters",
    ErrorCode.DESCRIPTION_TOO_LONG: "the description must be at most 255 characters",
    ErrorCode.TIMEOUTS_NOT_POSITIVE: "timeouts and validity must be positive",
    ErrorCode.THROTTLE_NEEDS_RATE: (
        "after-quota 'throttle' needs a throttle rate limit (e.g. 256k/512k)"
    ),
    ErrorCode.DEVICES_AT_LEAST_ONE: "devices at once must be at least 1",
    ErrorCode.INTERIM_TOO_SHORT: "the interim interval must be at least 60 seconds",
    ErrorCode.REMEMBER_DAYS_NEGATIVE: "remember-device days cannot be negative",
    ErrorCode.ONE_QUOTA_PER_PERIOD: "one quota per period (day, week, month, total)",
    ErrorCode.QUOTA_LIMITS_NOTHING: "the {period} quota limits neither data nor time",
    ErrorCode.QUOTAS_NOT_POSITIVE: "quotas must be positive",
    ErrorCode.PROFILE_ID_NOT_FOUND: "profile {profile_id} not found",
    ErrorCode.PROFILE_EXISTS: "profile {name!r} exists already",
    ErrorCode.PROFILE_NAME_NOT_FOUND: "no profile named {name!r}",
    ErrorCode.PROFILE_OWNERS_ONLY: "only the profile's kabupaten or the province may change it",
    ErrorCode.RESIDENT_NOT_FOUND: "resident {account_id} not found",
    ErrorCode.BAD_MEMBER_USERNAME: "username: 1 to 64 letters, digits, '.', '_' or '-' (not a MAC)",
    ErrorCode.FULL_NAME_TOO_LONG: "the full name must be at most 120 characters",
    ErrorCode.BAD_PHONE: "the phone number may hold only digits, spaces, '-' and a leading '+'",
    ErrorCode.MEMBER_EXISTS: "member {username!r} exists already",
    ErrorCode.ONLY_ACTIVE_DISABLED: "only an active resident can be disabled",
    ErrorCode.ONLY_DISABLED_ENABLED: "only a disabled resident can be enabled",
    ErrorCode.DEVICE_NOT_FOUND: "device {device_id} not found",
    ErrorCode.NO_RESIDENTS_IN_FILE: "the file holds no residents",
    ErrorCode.TOO_MANY_RESIDENTS: "at most {maximum} residents per import",
    ErrorCode.SESSION_NOT_FOUND: "session {session_id} not found",
    ErrorCode.NEED_IMAGE_OR_REMOVE: "give an image FILE, or --remove",
    ErrorCode.CANNOT_READ: "cannot read {path}: {reason}",
    ErrorCode.CANNOT_WRITE_TO: "cannot write to {path}: {reason}",
    ErrorCode.CANNOT_WRITE: "cannot write {path}: {reason}",
    ErrorCode.NO_PASSWORD_ON_STDIN: "no password on standard input",
    ErrorCode.NO_SUCH_FILE: "no such file: {path}",
    ErrorCode.NOT_UTF8: "{path}: not UTF-8 text; save the CSV as UTF-8",
    ErrorCode.CANNOT_READ_FILE: "{path}: cannot read ({reason})",
}

# Words some templates take as a parameter (translated like the templates).
FIRST = Message("first")
LAST = Message("last")


def error_message(code: ErrorCode, /, **params: object) -> Message:
    """The message of a code with its parameters (a nested reason, e.g. an import's line)."""
    return Message(TEMPLATES[code], params)


class WifidesaError(Exception):
    """A domain rule refused an operation: a code and its parameters, or (old style, while
    the last modules move over) a ready English sentence."""

    def __init__(self, code: ErrorCode | str, /, **params: object) -> None:
        if isinstance(code, ErrorCode):
            self.code: ErrorCode | None = code
            self.message = error_message(code, **params)
        else:
            self.code = None
            self.message = Message(code)
        super().__init__(self.message.render())

    @property
    def params(self) -> dict[str, object]:
        return dict(self.message.params)

    def __str__(self) -> str:
        return self.message.render()


class ConfigError(WifidesaError):
    """The settings are unusable (placeholder secret in production, bad URL, ...)."""


class NotFound(WifidesaError):
    """A named object (site, router, profile, ...) does not exist."""


class AlreadyExists(WifidesaError):
    """An object with the same unique name or code exists already."""


class InvalidInput(WifidesaError):
    """A value given by a person or a file does not have the right form."""


def line_problem(line: int, reason: Message | WifidesaError | str) -> Message:
    """One bad line of an import: its number and why (a code's message, or old style a
    sentence)."""
    if isinstance(reason, WifidesaError):
        reason = reason.message
    elif isinstance(reason, str):
        reason = Message(reason)
    return error_message(ErrorCode.LINE_PROBLEM, line=line, reason=reason)


class RowsRejected(InvalidInput):
    """An all-or-nothing import with bad rows, one problem each: `rows` as messages (line and
    reason), `problems` the same in English ('line N: reason')."""

    def __init__(self, source: str, problems: Sequence[Message | str]) -> None:
        # Old-style callers hand over ready sentences: kept whole, translated whole.
        self.rows = [p if isinstance(p, Message) else Message(p) for p in problems]
        self.problems = [row.render() for row in self.rows]
        super().__init__(
            ErrorCode.ROWS_REJECTED,
            source=source,
            count=len(self.rows),
            first=Joined(tuple(self.rows[:3])),
        )


def translate_error(exc: WifidesaError, gettext: Gettext) -> str:
    """The error's message in the language of `gettext` (its template translated, then its
    parameters, recursively)."""
    return exc.message.render(gettext)
