"""Install a questionnaire from a practice's own JSON file, such as the licensed Oswestry Disability Index."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from consultations.intake.questionnaires import DefinitionError, shipped_for, validate_definition
from consultations.models import Instrument


class Command(BaseCommand):
    help = (
        "Install a questionnaire definition from a JSON file (the shape of consultations/intake/instruments/*.json). "
        "New intakes then use it instead of the questionnaire they used before for the same purpose; answers "
        "already given keep the questionnaire they were given with. Loading the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The definition, as a UTF-8 JSON file.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text.") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not valid JSON: {error}.") from error
        try:
            definition = validate_definition(data)
        except DefinitionError as error:
            raise CommandError(f"{file}: {error}") from error

        with transaction.atomic():
            existing = (
                Instrument.objects.select_for_update().filter(code=definition.code, version=definition.version).first()
            )
            if existing is not None:
                if existing.definition != data:
                    raise CommandError(
                        f"{definition.code} {definition.version} is already installed with different content. "
                        "Give the file a new version to install it alongside; the installed one stays, because "
                        "answers may have been given to it."
                    )
                self.stdout.write(f"{existing} is already installed with this content; nothing changed.")
                return
            replaced = self._used_now(definition.purpose)
            instrument = Instrument.objects.create(
                code=definition.code,
                version=definition.version,
                purpose=definition.purpose,
                title=definition.title,
                definition=data,
                source=Instrument.Source.LOADED,
            )

        self.stdout.write(self.style.SUCCESS(f"Installed {instrument} for the purpose {definition.purpose!r}."))
        if replaced:
            self.stdout.write(
                f"New intakes now use it instead of {replaced}. "
                "Answers already given keep the questionnaire they were given with."
            )
        else:
            self.stdout.write(f"No questionnaire was used for {definition.purpose!r} before; it is now.")

    def _used_now(self, purpose: str) -> str:
        """What new intakes use for `purpose` until this file is installed, without registering anything."""
        loaded = (
            Instrument.objects.filter(purpose=purpose, source=Instrument.Source.LOADED)
            .order_by("-installed_at", "-pk")
            .first()
        )
        if loaded is not None:
            return str(loaded)
        shipped = shipped_for(purpose)
        return f"{shipped.title} ({shipped.code} {shipped.version}, shipped)" if shipped else ""
