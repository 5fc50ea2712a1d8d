"""Analytics (datacube): daily statistics over bounded date spans."""

from __future__ import annotations

from datetime import date, datetime

from shequn.wechat.errors import CHINA_TZ, InvalidRequest
from shequn.wechat.http import APIArea, JSONDict

# Longest span each report accepts, in days (inclusive of both ends).
MAX_SPAN_DAYS: dict[str, int] = {
    "getusersummary": 7,
    "getusercumulate": 7,
    "getarticlesummary": 1,
    "getarticletotal": 1,
    "getuserread": 3,
    "getuserreadhour": 1,
    "getusershare": 7,
    "getusersharehour": 1,
    "getupstreammsg": 7,
    "getupstreammsghour": 1,
    "getupstreammsgweek": 30,
    "getupstreammsgmonth": 30,
    "getupstreammsgdist": 15,
    "getupstreammsgdistweek": 30,
    "getupstreammsgdistmonth": 30,
    "getinterfacesummary": 30,
    "getinterfacesummaryhour": 1,
}


class DatacubeAPI(APIArea):
    async def report(self, name: str, begin: date, end: date) -> list[JSONDict]:
        """Any datacube report by name, span checked client-side; returns its `list`.

        https://developers.weixin.qq.com/doc/service/en/Analytics/User_Analysis_Data_Interface.html
        """
        limit = MAX_SPAN_DAYS.get(name)
        if limit is None:
            raise InvalidRequest("report", f"unknown datacube report {name!r}")
        if end < begin:
            raise InvalidRequest("end_date", "before begin_date")
        if (end - begin).days + 1 > limit:
            raise InvalidRequest("end_date", f"{name} covers at most {limit} day(s)")
        if end >= datetime.now(tz=CHINA_TZ).date():
            raise InvalidRequest("end_date", "must be yesterday or earlier")
        body = {"begin_date": begin.isoformat(), "end_date": end.isoformat()}
        data = await self._core.post(f"/datacube/{name}", body)
        rows: list[JSONDict] = data.get("list", [])
        return rows

    async def user_summary(self, begin: date, end: date) -> list[JSONDict]:
        """New and cancelled followers per day and source (≤7 days).

        https://developers.weixin.qq.com/doc/service/en/Analytics/User_Analysis_Data_Interface.html
        """
        return await self.report("getusersummary", begin, end)

    async def user_cumulate(self, begin: date, end: date) -> list[JSONDict]:
        """Total followers per day (≤7 days).

        https://developers.weixin.qq.com/doc/service/en/Analytics/User_Analysis_Data_Interface.html
        """
        return await self.report("getusercumulate", begin, end)

    async def article_summary(self, day: date) -> list[JSONDict]:
        """Per-article reads and shares for one day.

        https://developers.weixin.qq.com/doc/service/en/Analytics/Graphic_Analysis_Data_Interface.html
        """
        return await self.report("getarticlesummary", day, day)

    async def article_total(self, day: date) -> list[JSONDict]:
        """https://developers.weixin.qq.com/doc/service/en/Analytics/Graphic_Analysis_Data_Interface.html"""
        return await self.report("getarticletotal", day, day)

    async def upstream_messages(self, begin: date, end: date) -> list[JSONDict]:
        """Messages users sent, per day and type (≤7 days).

        https://developers.weixin.qq.com/doc/service/en/Analytics/Message_analysis_data_interface.html
        """
        return await self.report("getupstreammsg", begin, end)

    async def interface_summary(self, begin: date, end: date) -> list[JSONDict]:
        """Callback counts, failures and latency (≤30 days).

        https://developers.weixin.qq.com/doc/service/en/Analytics/User_Analysis_Data_Interface.html
        """
        return await self.report("getinterfacesummary", begin, end)
