"""Import and export of contacts: CSV and XLSX round trips, dry runs and the validation report."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook

from shequn.contacts import queries as contact_queries
from shequn.contacts import services as contact_services
from shequn.contacts.models import Contact, ContactAttribute, ContactTag, Identity, Tag
from shequn.imports import services
from shequn.imports.models import ImportJob
from shequn.privacy import queries as privacy_queries
from shequn.privacy.models import ConsentRecord
from tests.channels.factories import make_official_account
from tests.conftest import World


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def _xlsx(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _definitions() -> None:
    contact_services.define_attribute(key="baby_birth", label="Baby birth", value_type="date")
    contact_services.define_attribute(
        key="skin", label="Skin type", value_type="choice", choices=["dry", "oily"]
    )


def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        Contact.objects.count(),
        Identity.objects.count(),
        ContactTag.objects.count(),
        ContactAttribute.objects.count(),
        ConsentRecord.objects.count(),
    )


def test_csv_import_maps_columns_and_writes_contacts(world: World) -> None:
    with world.a.scope():
        oa = make_official_account()
        _definitions()
        data = (
            f"昵称,手机号,openid:{oa.uid},Baby birth,skin,标签,consent:marketing,gender\n"
            'Mei,139 1234 5678,oMei001,2024/05/01,dry,"vip, spring",yes,女\n'
            "Lan,13800000001,,2023-11-30,oily,vip,no,male\n"
        )
        job = services.create_job("people.csv", _csv(data))
        assert job.mapping["昵称"] == "nickname"
        assert job.mapping["手机号"] == "phone"
        assert job.mapping["Baby birth"] == "attr:baby_birth"
        assert job.mapping[f"openid:{oa.uid}"] == f"openid:{oa.uid}"
        services.run_job(job, dry_run=False)
        job.refresh_from_db()
        assert job.state == ImportJob.State.DONE
        assert job.report["created"] == 2
        assert job.report["errors"] == []
        mei_id = contact_queries.contact_ids_by_identity("phone", ["13912345678"])["13912345678"]
        mei = Contact.objects.get(pk=mei_id)
        assert mei.nickname == "Mei"
        assert mei.gender == "female"
        assert str(contact_queries.attribute_value(mei, "baby_birth")) == "2024-05-01"
        assert sorted(contact_queries.tags_of(mei).values_list("name", flat=True)) == [
            "spring",
            "vip",
        ]
        consents = privacy_queries.current_consents(mei)
        assert consents["marketing"] is not None
        assert consents["marketing"].granted
        assert consents["marketing"].source == "import"
        assert Identity.objects.filter(contact=mei, kind="oa_openid", value="oMei001").exists()


def test_reimport_updates_and_merges_by_identity(world: World) -> None:
    with world.a.scope():
        existing = contact_services.contact_for_identity("unionid", "uMei")
        job = services.create_job(
            "again.csv", _csv("unionid,phone,remark\nuMei,13912345678,likes tea\n")
        )
        services.run_job(job, dry_run=False)
        job.refresh_from_db()
        assert job.report["updated"] == 1
        assert job.report["created"] == 0
        existing.refresh_from_db()
        assert existing.remark == "likes tea"
        assert Contact.objects.filter(merged_into__isnull=True).count() == 1


def test_dry_run_reports_and_writes_nothing(world: World) -> None:
    with world.a.scope():
        _definitions()
        contact_services.contact_for_identity("phone", "13800000001")
        before = _snapshot()
        tags_before = Tag.objects.count()
        job = services.create_job(
            "dry.csv",
            _csv(
                "phone,nickname,skin,标签,consent:profiling\n13912345678,Mei,dry,new-tag,yes\n"
                "13800000001,Lan,oily,,no\n"
            ),
        )
        services.run_job(job, dry_run=True)
        job.refresh_from_db()
        assert job.state == ImportJob.State.DONE
        assert job.report["would_create"] == 1
        assert job.report["would_update"] == 1
        assert _snapshot() == before
        assert Tag.objects.count() == tags_before


def test_validation_report_names_row_column_and_problem(world: World) -> None:
    with world.a.scope():
        _definitions()
        job = services.create_job(
            "bad.csv",
            _csv(
                "phone,Baby birth,skin,gender\n"
                "13912345678,2024-13-45,dry,female\n"  # bad date (row 2)
                "13800000001,2024-01-01,greasy,female\n"  # unknown choice (row 3)
                "12345,2024-01-01,dry,female\n"  # bad phone (row 4)
                "13800000002,,,robot\n"  # unknown gender (row 5)
                "\n"
                "13800000001,2024-01-01,dry,male\n"  # duplicate of row 3 (row 7)
                "13700000000,2024-01-01,oily,male\n"  # fine (row 8)
            ),
        )
        services.run_job(job, dry_run=False)
        job.refresh_from_db()
        errors = {(e["row"], e["column"]) for e in job.report["errors"]}
        assert (2, "Baby birth") in errors
        assert (3, "skin") in errors
        assert (4, "phone") in errors
        assert (5, "gender") in errors
        assert any(e["row"] == 7 and "3" in e["message"] for e in job.report["errors"])
        assert job.report["created"] == 1
        assert list(contact_queries.contact_ids_by_identity("phone", ["13700000000"])) == [
            "13700000000"
        ]
        assert not contact_queries.contact_ids_by_identity("phone", ["13912345678"])
        assert all("2024-13-45" not in e["message"] for e in job.report["errors"])


def test_xlsx_import_and_export_round_trip(world: World) -> None:
    with world.a.scope():
        oa = make_official_account()
        _definitions()
        upload = _xlsx(
            [
                ["nickname", "phone", f"openid:{oa.uid}", "attr:baby_birth", "tags"],
                ["美玲", "13912345678", "oMei001", "2024-05-01", "vip"],
                ["Lan", "13800000001", "oLan002", None, ""],
            ]
        )
        job = services.create_job("people.xlsx", upload)
        services.run_job(job, dry_run=False)
        job.refresh_from_db()
        assert job.report["created"] == 2, job.report
        columns = ["nickname", "phone", f"openid:{oa.uid}", "attr:baby_birth", "tags"]
        exported = services.export_xlsx(columns)
    sheet = load_workbook(io.BytesIO(exported)).worksheets[0]
    rows = [[c or "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == columns
    assert ["美玲", "13912345678", "oMei001", "2024-05-01", "vip"] in rows
    assert ["Lan", "13800000001", "oLan002", "", ""] in rows
    # The exported file imports into another workspace with the guessed mapping.
    with world.b.scope():
        oa_b = make_official_account()
        _definitions()
        book = load_workbook(io.BytesIO(exported))
        book.worksheets[0].cell(row=1, column=3).value = f"openid:{oa_b.uid}"
        again = io.BytesIO()
        book.save(again)
        again.seek(0)
        job_b = services.create_job("from-a.xlsx", again)
        services.run_job(job_b, dry_run=False)
        job_b.refresh_from_db()
        assert job_b.report["created"] == 2
        mei = contact_queries.search_contacts(q="美玲").get()
        assert str(contact_queries.attribute_value(mei, "baby_birth")) == "2024-05-01"


def test_csv_export_round_trip_and_tenant_b_sees_nothing(world: World) -> None:
    with world.a.scope():
        job = services.create_job(
            "a.csv", _csv("phone,nickname,tags,consent:marketing\n13912345678,Mei,vip,yes\n")
        )
        services.run_job(job, dry_run=False)
        exported = services.export_csv(["phone", "nickname", "tags", "consent:marketing"])
    text = exported.decode("utf-8-sig")
    assert "13912345678,Mei,vip,yes" in text
    with world.a.scope():
        contact_services.update_profile(contact_queries.contacts().get(), remark="=SUM(A1)")
        sheet = load_workbook(io.BytesIO(services.export_xlsx(["remark"]))).worksheets[0]
    assert sheet.cell(row=2, column=1).value == "'=SUM(A1)"  # text, never a formula
    with world.b.scope():
        assert "13912345678" not in services.export_csv(["phone", "nickname"]).decode()
        assert not ImportJob.objects.exists()
        job_b = services.create_job("a.csv", io.BytesIO(exported))
        services.run_job(job_b, dry_run=False)
        job_b.refresh_from_db()
        assert job_b.report["created"] == 1
        assert privacy_queries.has_consent(contact_queries.contacts().get(), "marketing")


def test_large_files_run_in_chunks_in_the_worker(world: World, monkeypatch: Any) -> None:
    from shequn.imports import processing
    from shequn.imports.tasks import run_import_chunk

    monkeypatch.setattr(services, "INLINE_ROWS", 3)
    monkeypatch.setattr(processing, "CHUNK", 2)
    lines = "".join(f"1380000000{i},N{i}\n" for i in range(5))
    with world.a.scope():
        job = services.create_job("big.csv", _csv("phone,nickname\n" + lines))
        services.run_job(job, dry_run=False)
        job.refresh_from_db()
        assert job.state == ImportJob.State.RUNNING
        assert Contact.objects.count() == 0
    chunks = 0
    while job.state == ImportJob.State.RUNNING and chunks < 10:
        # Each chunk enqueues the next after commit; the test plays the worker.
        run_import_chunk.call(world.a.workspace.pk, job.pk, job.processed_rows)
        chunks += 1
        with world.a.scope():
            job.refresh_from_db()
    assert chunks == 3
    with world.a.scope():
        job.refresh_from_db()
        assert job.state == ImportJob.State.DONE
        assert job.report["created"] == 5
        assert Contact.objects.count() == 5
