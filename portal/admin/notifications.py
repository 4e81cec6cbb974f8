"""The "Notifikasi" page: an admin's alert channels (add an e-mail address, a Telegram chat or
a webhook; disable, enable, remove; send a test message) and the latest notifications with
their state. Own channels only; a province admin sees and manages everyone's. The same
operations as `wifidesa alerts ...`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from portal.admin.web import Admin, CheckedForm, gettext_for, local_time, page, signed_in
from portal.database import transaction
from portal.i18n import request_language
from wifidesa.alerts import channels
from wifidesa.alerts.inbox import channels_in_reach, queue_test, recent_notifications
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import utcnow
from wifidesa.db.models import ChannelKind, NotificationState
from wifidesa.errors import AlreadyExists, InvalidInput, translate_error

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]
PATH = "/admin/notifications"

# Words shown for each kind and state (msgids; translated in the template).
KIND_WORDS = {
    ChannelKind.EMAIL: "E-mail",
    ChannelKind.TELEGRAM: "Telegram",
    ChannelKind.WEBHOOK: "Webhook",
}
STATE_WORDS = {
    NotificationState.PENDING: "queued",
    NotificationState.SENDING: "sending",
    NotificationState.SENT: "sent",
    NotificationState.FAILED: "retrying",
    NotificationState.GIVEN_UP: "failed",
}
DONE_WORDS = {
    "added": "Channel added.",
    "disable": "Channel disabled.",
    "enable": "Channel enabled.",
    "remove": "Channel removed.",
    "test": "Test message queued: it goes out within seconds, see its state below.",
}


class Action(StrEnum):
    DISABLE = "disable"
    ENABLE = "enable"
    REMOVE = "remove"
    TEST = "test"


def _page(
    request: Request, admin: Admin, status: int = 200, *, done: str = "", **extra: object
) -> Response:
    with transaction(request) as session:
        own = channels_in_reach(session=session, scope=admin.scope)
        recent = recent_notifications(session=session, scope=admin.scope)
    return page(
        request,
        "admin/notifications.html",
        admin,
        status,
        channels=own,
        recent=recent,
        kinds=KIND_WORDS,
        state_words=STATE_WORDS,
        done=DONE_WORDS.get(done, ""),
        when=local_time,
        **extra,
    )


@router.get("/notifications")
def notifications_page(request: Request, admin: SignedIn, done: str = "") -> Response:
    return _page(request, admin, done=done)


@router.post("/notifications/channels")
def add_channel(request: Request, admin: SignedIn, form: CheckedForm) -> Response:
    kind_text, address = form.get("kind", ""), form.get("address", "")
    try:
        kind = ChannelKind(kind_text)
    except ValueError:
        kind = None
    error = None
    if kind is None:
        error = gettext_for(request)("Choose e-mail, Telegram or webhook.")
    else:
        try:
            with transaction(request) as session:
                channels.add_channel(
                    session=session,
                    scope=admin.scope,
                    box=SecretBox.from_settings(request.app.state.settings),
                    kind=kind,
                    address=address,
                    now=utcnow(),
                )
        except (InvalidInput, AlreadyExists) as exc:
            error = translate_error(exc, gettext_for(request))
    if error is not None:
        # A webhook URL may hold a token: it is not echoed back into the form.
        shown = "" if kind is ChannelKind.WEBHOOK else address
        return _page(request, admin, 400, error=error, kind=kind_text, address=shown)
    return RedirectResponse(f"{PATH}?done=added", status_code=303)


@router.post("/notifications/channels/{channel_id}/{action}")
def channel_action(
    request: Request, admin: SignedIn, _form: CheckedForm, channel_id: int, action: Action
) -> Response:
    with transaction(request) as session:
        scope = admin.scope
        if action is Action.REMOVE:
            channels.remove_channel(session=session, scope=scope, channel_id=channel_id)
        elif action is Action.TEST:
            queue_test(
                session=session,
                scope=scope,
                channel_id=channel_id,
                now=utcnow(),
                language=request_language(request),
            )
        else:
            channels.set_enabled(
                session=session,
                scope=scope,
                channel_id=channel_id,
                enabled=action is Action.ENABLE,
            )
    return RedirectResponse(f"{PATH}?done={action.value}", status_code=303)
