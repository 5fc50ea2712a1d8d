"""Default daily quotas of a newly registered official account (reference §6 table).

Accounts override any of them with `quotas: {cgi_path: limit}` (control API), which is how tests
reach 45009 without thousands of calls.
"""

from __future__ import annotations

DAILY_QUOTAS: dict[str, int] = {
    "/cgi-bin/token": 2000,
    "/cgi-bin/stable_token": 500_000,
    "/cgi-bin/menu/create": 1000,
    "/cgi-bin/menu/get": 10_000,
    "/cgi-bin/menu/delete": 1000,
    "/cgi-bin/menu/addconditional": 2000,
    "/cgi-bin/menu/delconditional": 2000,
    "/cgi-bin/menu/trymatch": 20_000,
    "/cgi-bin/get_current_selfmenu_info": 10_000,
    "/cgi-bin/media/upload": 100_000,
    "/cgi-bin/media/get": 200_000,
    "/cgi-bin/message/custom/send": 500_000,
    "/cgi-bin/message/mass/sendall": 100,
    "/cgi-bin/message/mass/send": 100,
    "/cgi-bin/message/mass/preview": 100,
    "/cgi-bin/message/mass/delete": 10,
    "/cgi-bin/message/template/send": 100_000,
    "/cgi-bin/qrcode/create": 100_000,
    "/cgi-bin/user/get": 500,
    "/cgi-bin/user/info": 500_000,
    "/cgi-bin/user/info/batchget": 500_000,
    "/cgi-bin/user/info/updateremark": 10_000,
    "/cgi-bin/tags/create": 10_000,
    "/cgi-bin/tags/get": 10_000,
    "/cgi-bin/tags/update": 10_000,
    "/cgi-bin/tags/delete": 10_000,
    "/cgi-bin/draft/add": 1000,
    "/cgi-bin/draft/get": 500,
    "/cgi-bin/draft/delete": 1000,
    "/cgi-bin/draft/update": 1000,
    "/cgi-bin/draft/count": 1000,
    "/cgi-bin/draft/batchget": 1000,
    "/cgi-bin/freepublish/submit": 100,
    "/cgi-bin/freepublish/get": 100,
    "/cgi-bin/freepublish/delete": 10,
    "/cgi-bin/freepublish/getarticle": 100,
    "/cgi-bin/freepublish/batchget": 100,
}

# Mass sends are also limited per minute (45011).
MASS_PER_MINUTE = 60
CLEAR_QUOTA_PER_MONTH = 10
