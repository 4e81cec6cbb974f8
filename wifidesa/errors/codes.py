"""Error codes: what a domain rule refused, as a name the edges translate (see templates)."""

from __future__ import annotations

from enum import StrEnum


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
    # one field of a form, and lines of imports
    FIELD_PROBLEM = "field_problem"
    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    CHOOSE_BLOCK_OR_THROTTLE = "choose_block_or_throttle"
    FIELD_COUNT = "field_count"
    MEMBERS_HEADER = "members_header"
    USERNAME_ALSO_ON_LINE = "username_also_on_line"
    USERNAME_EXISTS = "username_exists"
    NO_PROFILE_FOR_ROW = "no_profile_for_row"
    SITE_ALSO_ON_LINE = "site_also_on_line"
    DESA_NAMED_ON_LINE = "desa_named_on_line"
    # sites, routers, sessions; form fields and uploads
    DESA_NAME_EMPTY = "desa_name_empty"
    KECAMATAN_NAME_EMPTY = "kecamatan_name_empty"
    NAME_TOO_LONG = "name_too_long"
    BAD_SITE_CODE = "bad_site_code"
    UNKNOWN_TIME_ZONE = "unknown_time_zone"
    UNKNOWN_KABUPATEN = "unknown_kabupaten"
    KECAMATAN_NAMED = "kecamatan_named"
    DESA_NAMED = "desa_named"
    SITE_EXISTS = "site_exists"
    LOGO_TOO_LARGE = "logo_too_large"
    ROUTER_CLASH = "router_clash"
    SECRET_TOO_SHORT = "secret_too_short"  # noqa: S105 (a code, not a secret)
    SESSION_NOT_OPEN = "session_not_open"
    CHOOSE_PROFILE = "choose_profile"
    COA_PORT_NOT_A_NUMBER = "coa_port_not_a_number"
    PORT_NOT_A_NUMBER = "port_not_a_number"
    FILE_TOO_LARGE = "file_too_large"
    FILE_NOT_UTF8 = "file_not_utf8"
    # villagers' logins at the captive portal
    TOO_MANY_LOGINS = "too_many_logins"
    FREE_ACCESS_BUSY = "free_access_busy"
    # keys (secret-key rotation, device-hash key)
    WEAK_OLD_SECRET_KEY = "weak_old_secret_key"  # noqa: S105 (a code, not a secret)
    WEAK_DEVICE_HASH_KEY = "weak_device_hash_key"
    DEVICE_HASH_KEY_NOT_BASE64 = "device_hash_key_not_base64"
    PUBLIC_URL_NOT_HTTPS = "public_url_not_https"
    CLOCK_FILE_OUTSIDE_DEVELOPMENT = "clock_file_outside_development"
    STATS_DATABASE_URL_INVALID = "stats_database_url_invalid"
    # admins managed by the province
    ADMIN_NAMED_NOT_FOUND = "admin_named_not_found"
    NOT_ON_ONESELF = "not_on_oneself"
    # statistics
    NOT_A_DATE = "not_a_date"
    NOT_A_PERIOD = "not_a_period"
    PERIOD_ENDS_BEFORE_START = "period_ends_before_start"
    PERIOD_TOO_LONG = "period_too_long"
    AREA_NOT_FOUND = "area_not_found"
    EXPORTS_NEED_AN_ADMIN = "exports_need_an_admin"
    NOT_A_STATS_TABLE = "not_a_stats_table"
    EXPORT_NOT_FOUND = "export_not_found"
    NOT_AN_EXPORT_FORMAT = "not_an_export_format"
    # alerts: admins' channels
    NOT_AN_EMAIL_ADDRESS = "not_an_email_address"
    NOT_A_TELEGRAM_CHAT = "not_a_telegram_chat"
    NOT_A_WEBHOOK_URL = "not_a_webhook_url"
    WEBHOOK_NOT_HTTPS = "webhook_not_https"
    CHANNEL_EXISTS = "channel_exists"
    CHANNEL_NOT_FOUND = "channel_not_found"
    CHANNELS_NEED_AN_ADMIN = "channels_need_an_admin"
    # the fleet: routers' API access
    BAD_API_HOST = "bad_api_host"
    BAD_INTERFACE_NAME = "bad_interface_name"
    # router tasks
    ROUTER_TASK_NOT_FOUND = "router_task_not_found"
    ROUTER_TASK_NOT_RETRYABLE = "router_task_not_retryable"
    ROUTER_API_NOT_CONFIGURED = "router_api_not_configured"
