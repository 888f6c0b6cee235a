"""`manage.py import_enterprises FILE [--cluster ID]`: import a list from the command line."""

import sys

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from weft.registry.models import Cluster

from ... import engine, services
from ...models import ImportJob
from ...parsing import FileRejected


class Command(BaseCommand):
    help = "Import an enterprise list (XLSX or CSV), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--cluster", type=int, help="Cluster id the firms join.")
        parser.add_argument("--resume", type=int, help="Resume the import with this id.")

    def handle(self, *args, file=None, cluster=None, resume=None, **options):
        if resume:
            job = ImportJob.objects.filter(pk=resume).first()
            if job is None:
                raise CommandError(f"No import has id {resume}.")
        else:
            if not file:
                raise CommandError("Give a file, or --resume ID.")
            target = None
            if cluster is not None:
                target = Cluster.objects.filter(pk=cluster).first()
                if target is None:
                    raise CommandError(f"No cluster has id {cluster}.")
            try:
                with open(file, "rb") as fh:
                    job = services.create_job(
                        user=None, upload=File(fh, name=file), cluster=target, system=True
                    )
                job = services.start_job(user=None, job=job, system=True)
            except OSError as exc:
                raise CommandError(str(exc)) from None
            except (FileRejected, ValidationError) as exc:
                raise CommandError(
                    getattr(exc, "message", None) or "; ".join(exc.messages)
                ) from None
        bar = tqdm(
            total=job.total_rows,
            initial=job.rows_done,
            unit=" rows",
            file=sys.stderr,
            desc=f"Import #{job.pk}",
            dynamic_ncols=True,
        )
        with bar:
            job = engine.run(job, progress=bar.update)
        if job.status != ImportJob.Status.DONE:
            raise CommandError(
                f"Import #{job.pk} failed: {job.error_message} (resume with --resume {job.pk})"
            )
        self.stdout.write(
            f"Import #{job.pk}: {job.created} created, {job.merged} merged, {job.unchanged} unchanged, "
            f"{job.pending} waiting for review, {job.outside} left unchanged outside the cluster, "
            f"{job.rejected} rows with errors."
        )
