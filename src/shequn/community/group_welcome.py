"""Keeping a pool's group welcome text as a WeCom group welcome template (入群欢迎语素材).

The pool's text is created as a template the first time it is saved, edited when it changes,
and the template is deleted when the text is cleared; the template id stays on the pool for staff
to apply to the pool's groups in their WeCom client (WeCom offers no API to bind a template to a
group). Runs in the task `community.sync_group_welcome`, after the pool's save has committed; a
refused call is kept in `group_welcome_error` and shown on the pool page.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequn.channels import services as channel_services
from shequn.community.models import GroupPool
from shequn.core.logging import get_logger
from shequn.wechat.errors import APIError, InvalidRequest, Retryable

log = get_logger(__name__)

UNKNOWN_TEMPLATE = 40058
TEMPLATE_LIMIT = 41055


def _message(exc: APIError | InvalidRequest) -> str:
    if isinstance(exc, InvalidRequest):
        return _("The group welcome is too long for WeCom (at most 4000 bytes).")
    if exc.errcode == TEMPLATE_LIMIT:
        return _(
            "WeCom refused the group welcome: the corp already has 100 templates. Delete unused "
            "ones in WeCom and save the pool again."
        )
    return _("WeCom refused the group welcome (error %(code)s): %(message)s") % {
        "code": exc.errcode,
        "message": exc.errmsg[:200],
    }


def sync_group_welcome(pool: GroupPool) -> str:
    """Create, edit or delete the pool's WeCom template to match its text; returns the template
    id now kept (empty when none). WeCom's refusals are stored on the pool, not raised;
    transient failures (`Retryable`) propagate so the task retries."""
    text = pool.group_welcome.strip()
    template_id = pool.group_welcome_template_id
    error = ""
    try:
        with channel_services.wecom_client(pool.corp) as client:
            api = client.aio.group_welcome
            if not text:
                if template_id:
                    try:
                        client.call(api.delete, template_id)
                    except APIError as exc:
                        if exc.errcode != UNKNOWN_TEMPLATE:
                            raise
                template_id = ""
            elif template_id:
                try:
                    client.call(api.edit, template_id, text)
                except APIError as exc:
                    if exc.errcode != UNKNOWN_TEMPLATE:
                        raise
                    # Deleted in WeCom meanwhile: make a new one.
                    template_id = client.call(api.add, text)
            else:
                template_id = client.call(api.add, text)
    except Retryable:
        raise
    except (APIError, InvalidRequest) as exc:
        code = exc.errcode if isinstance(exc, APIError) else None
        log.warning("community.group_welcome.refused", pool=str(pool.uid), code=code)
        error = _message(exc)
        template_id = pool.group_welcome_template_id
    GroupPool.objects.filter(pk=pool.pk).update(
        group_welcome_template_id=template_id, group_welcome_error=error
    )
    pool.group_welcome_template_id, pool.group_welcome_error = template_id, error
    return template_id


__all__ = ["sync_group_welcome"]
