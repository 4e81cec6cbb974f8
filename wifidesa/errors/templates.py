"""One English template per error code: the gettext msgid of its translations
(wifidesa/locale/*/LC_MESSAGES/errors.po). Fields are the error's parameters."""

from __future__ import annotations

from wifidesa.errors.codes import ErrorCode

# One English template per code: the msgid of its translations.
TEMPLATES: dict[ErrorCode, str] = {
    ErrorCode.INVALID_SETTINGS: "invalid settings: {detail}",
    ErrorCode.ENV_FILE_MISSING: "settings file {path} does not exist (--env-file)",
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
    ErrorCode.FIELD_PROBLEM: "{field}: {reason}",
    ErrorCode.NOT_A_WHOLE_NUMBER: "not a whole number: {text!r}",
    ErrorCode.CHOOSE_BLOCK_OR_THROTTLE: "choose block or throttle",
    ErrorCode.FIELD_COUNT: "expected {expected} fields, found {found}",
    ErrorCode.MEMBERS_HEADER: (
        "the header must name the columns username,password[,full_name,phone,profile]"
    ),
    ErrorCode.USERNAME_ALSO_ON_LINE: "username {username!r} also on line {other}",
    ErrorCode.USERNAME_EXISTS: "username {username!r} exists already",
    ErrorCode.NO_PROFILE_FOR_ROW: "no profile: choose one in the form or fill the profile column",
    ErrorCode.SITE_ALSO_ON_LINE: "site {code!r} also on line {other}",
    ErrorCode.DESA_NAMED_ON_LINE: "desa {code} is named {name!r} on line {other}",
    ErrorCode.DESA_NAME_EMPTY: "desa_name is empty",
    ErrorCode.KECAMATAN_NAME_EMPTY: "kecamatan_name is empty",
    ErrorCode.NAME_TOO_LONG: "a name is longer than {maximum} characters",
    ErrorCode.BAD_SITE_CODE: "site code {code!r} must be up to 32 letters, digits, '.' or '-'",
    ErrorCode.UNKNOWN_TIME_ZONE: "unknown time zone {zone!r}",
    ErrorCode.UNKNOWN_KABUPATEN: "unknown kabupaten/kota {code} (run 'wifidesa init' first?)",
    ErrorCode.KECAMATAN_NAMED: "kecamatan {code} is named {name!r} already, not {given!r}",
    ErrorCode.DESA_NAMED: "desa {code} is named {name!r} already, not {given!r}",
    ErrorCode.SITE_EXISTS: "site {code!r} exists already",
    ErrorCode.LOGO_TOO_LARGE: (
        "the logo has {size} bytes; at most {maximum} keep the login page small for satellite "
        "villages"
    ),
    ErrorCode.ROUTER_CLASH: "router {name!r} already has this name, identity or IP address ({ip})",
    ErrorCode.SECRET_TOO_SHORT: (
        "the RADIUS secret must have at least {minimum} characters (--allow-short-secret for an "
        "existing router that cannot be changed yet)"
    ),
    ErrorCode.SESSION_NOT_OPEN: (
        "session {session_id} is not open, or a request for it is on its way"
    ),
    ErrorCode.CHOOSE_PROFILE: "choose a profile from the list",
    ErrorCode.COA_PORT_NOT_A_NUMBER: "the CoA port must be a number",
    ErrorCode.PORT_NOT_A_NUMBER: "the hotspot port must be a number",
    ErrorCode.FILE_TOO_LARGE: "the file is larger than {size}",
    ErrorCode.FILE_NOT_UTF8: "the file is not UTF-8 text; save the CSV as UTF-8",
    ErrorCode.TOO_MANY_LOGINS: (
        "Too many logins from this device. Try again in {minutes} minute(s)."
    ),
    ErrorCode.FREE_ACCESS_BUSY: (
        "Too many new devices asked for free access at this hotspot. "
        "Try again in {minutes} minute(s)."
    ),
    ErrorCode.WEAK_OLD_SECRET_KEY: (
        "key {position} of WIFIDESA_OLD_SECRET_KEYS is the placeholder or shorter than 32 "
        "characters; run 'wifidesa keys reencrypt', then remove it"
    ),
    ErrorCode.WEAK_DEVICE_HASH_KEY: (
        "WIFIDESA_DEVICE_HASH_KEY is shorter than {minimum} bytes; set one, e.g. {example} in the "
        "environment or .env, or the value 'wifidesa keys device-hash-key' prints"
    ),
    ErrorCode.DEVICE_HASH_KEY_NOT_BASE64: (
        "WIFIDESA_DEVICE_HASH_KEY is not URL-safe base64; set the value 'wifidesa keys "
        "device-hash-key' prints, or a new one from secrets.token_urlsafe(32)"
    ),
    ErrorCode.PUBLIC_URL_NOT_HTTPS: (
        "WIFIDESA_PUBLIC_URL is {url}; outside development the web service runs behind HTTPS "
        "(set an https:// address, or WIFIDESA_ENV=development for a local trial)"
    ),
    ErrorCode.CLOCK_FILE_OUTSIDE_DEVELOPMENT: (
        "WIFIDESA_CLOCK_FILE ({path}) moves the service's clock, for tests only: unset it, "
        "or set WIFIDESA_ENV=development for a test"
    ),
    ErrorCode.STATS_DATABASE_URL_INVALID: (
        "WIFIDESA_STATS_DATABASE_URL is not a database URL ({reason}); give one like "
        "postgresql+psycopg://wifidesa@replica.example/wifidesa, or leave it empty to read "
        "statistics from the main database"
    ),
    ErrorCode.ADMIN_NAMED_NOT_FOUND: "no admin named {username!r}",
    ErrorCode.NOT_ON_ONESELF: "not on your own account (change your password instead)",
    ErrorCode.NOT_A_DATE: "not a date: {text!r} (example: 2026-11-30)",
    ErrorCode.NOT_A_PERIOD: "not a period: {text!r} (day, week, month, year or custom)",
    ErrorCode.PERIOD_ENDS_BEFORE_START: "the period ends before it starts",
    ErrorCode.PERIOD_TOO_LONG: "a custom period is at most {days} days",
    ErrorCode.AREA_NOT_FOUND: "no region or village with code {code!r}",
    ErrorCode.EXPORTS_NEED_AN_ADMIN: "exports are made for a signed-in admin",
    ErrorCode.NOT_A_STATS_TABLE: "no statistics table named {name!r}; have {names}",
    ErrorCode.EXPORT_NOT_FOUND: "this export is finished and forgotten, or never existed",
    ErrorCode.NOT_AN_EXPORT_FORMAT: "not an export format: {text!r} (csv, xlsx or pdf)",
    ErrorCode.NOT_AN_EMAIL_ADDRESS: "not an e-mail address: {text!r}",
    ErrorCode.NOT_A_TELEGRAM_CHAT: (
        "not a Telegram chat: {text!r} (a chat id such as 123456789 or -1001234567890, "
        "or @channelname)"
    ),
    # A webhook URL may hold a token: its errors name the host at most.
    ErrorCode.NOT_A_WEBHOOK_URL: "not a webhook URL: {reason}",
    ErrorCode.WEBHOOK_NOT_HTTPS: (
        "a webhook must use https, or http to a loopback or private address only ({host})"
    ),
    ErrorCode.CHANNEL_EXISTS: "this admin has that channel already",
    ErrorCode.CHANNEL_NOT_FOUND: "no notification channel {channel_id}",
    ErrorCode.CHANNELS_NEED_AN_ADMIN: "name the admin whose channel it is",
    ErrorCode.BAD_API_HOST: "not an API address (an IP address or DNS name): {text!r}",
    ErrorCode.BAD_INTERFACE_NAME: "not a RouterOS interface name: {text!r}",
    ErrorCode.ROUTER_TASK_NOT_FOUND: "router task {task_id} not found",
    ErrorCode.ROUTER_TASK_NOT_RETRYABLE: (
        "router task {task_id} is {state}: only a failed or given-up task is tried again"
    ),
    ErrorCode.ROUTER_API_NOT_CONFIGURED: (
        "router {name} has no API address or user: nothing can be done on it over the API"
    ),
}
