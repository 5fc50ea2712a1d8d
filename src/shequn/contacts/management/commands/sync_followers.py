"""`shequn manage sync_followers <workspace> <appid>`: import an account's followers, in the
foreground, printing progress; resumes a run that an earlier import left unfinished."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shequn.channels import queries as channel_queries
from shequn.contacts import services
from shequn.contacts.models import SyncRun
from shequn.tenancy.models import Workspace
from shequn.tenancy.scope import tenant_scope

MAX_STEPS = 1_000_000  # bounded: 100 million followers


class Command(BaseCommand):
    help = "Import every follower of an official account (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workspace", help="workspace slug")
        parser.add_argument("appid", help="official account AppID")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace {options['workspace']!r}")
        with tenant_scope(workspace):
            account = channel_queries.official_accounts().filter(appid=options["appid"]).first()
            if account is None:
                raise CommandError(f"no connected official account {options['appid']!r}")
            with transaction.atomic():
                # A worker may take batches too: each step locks the run, so none is done twice.
                run = services.start_follower_sync(account)
            for _step in range(MAX_STEPS):
                with transaction.atomic():
                    run = SyncRun.objects.select_for_update().get(pk=run.pk)
                    more = services.run_sync_step(run)
                self.stdout.write(
                    f"batch {run.batch_index}: {run.imported}/{run.total} ({run.percent}%)"
                )
                if not more:
                    break
            self.stdout.write(f"{run.get_status_display()}: {run.imported} followers imported")
