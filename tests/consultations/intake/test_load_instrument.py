"""`manage.py load_instrument FILE`: a practice with a licence installs the official questionnaire from its own file.

The synthetic definition (tests/consultations/data/synthetic-odi.json) has the ODI's shape and placeholder text.
"""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from consultations.intake.questionnaires import current_instrument, instrument_for, save_response
from consultations.models import Instrument, QuestionnaireResponse
from tests.factories import make_intake

SYNTHETIC_PATH = Path(__file__).parents[1] / "data" / "synthetic-odi.json"


class LoadInstrumentTests(TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def load(self, path: Path | str) -> str:
        out = StringIO()
        call_command("load_instrument", str(path), stdout=out)
        return out.getvalue()

    def write(self, data: object, name: str = "definition.json") -> Path:
        path = self.folder / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return path

    def test_new_intakes_get_the_loaded_questionnaire_and_earlier_answers_keep_ours(self) -> None:
        ours = current_instrument("function")
        earlier = make_intake()
        kept = save_response(intake=earlier, instrument=ours, answers={"pain": 2, "walking": 1})

        output = self.load(SYNTHETIC_PATH)

        loaded = Instrument.objects.get(code="odi", version="2.1a")
        assert (loaded.source, loaded.purpose) == ("loaded", "function")
        assert loaded.title == "Oswestry Disability Index (synthetic test text)"
        assert loaded.definition == json.loads(SYNTHETIC_PATH.read_text())
        assert "Installed Oswestry Disability Index (synthetic test text) (odi 2.1a)" in output
        assert "instead of Your back and daily life: our practice's own questionnaire (spine-function 1.1" in output

        assert current_instrument("function") == loaded
        assert instrument_for(make_intake(), "function") == loaded
        assert instrument_for(earlier, "function") == ours
        kept.refresh_from_db()
        assert kept.instrument == ours
        assert QuestionnaireResponse.objects.get(intake=earlier).answers["walking"] == 1

    def test_a_later_version_replaces_the_earlier_loaded_one(self) -> None:
        self.load(SYNTHETIC_PATH)
        newer = json.loads(SYNTHETIC_PATH.read_text()) | {"version": "2.1b"}
        output = self.load(self.write(newer))
        assert "instead of Oswestry Disability Index (synthetic test text) (odi 2.1a)" in output
        assert current_instrument("function").version == "2.1b"

    def test_loading_the_same_file_twice_changes_nothing(self) -> None:
        self.load(SYNTHETIC_PATH)
        output = self.load(SYNTHETIC_PATH)
        assert "is already installed with this content; nothing changed" in output
        assert Instrument.objects.filter(code="odi").count() == 1

    def test_the_same_code_and_version_with_different_content_is_refused(self) -> None:
        self.load(SYNTHETIC_PATH)
        changed = json.loads(SYNTHETIC_PATH.read_text())
        changed["items"][0]["text"] = "Section 1, reworded"
        with self.assertRaisesMessage(CommandError, "odi 2.1a is already installed with different content"):
            self.load(self.write(changed))
        assert Instrument.objects.get(code="odi").definition["items"][0]["text"] == "Section 1"

    def test_an_invalid_definition_is_refused_with_the_reason(self) -> None:
        broken = json.loads(SYNTHETIC_PATH.read_text())
        broken["items"][1]["id"] = "section_1"
        path = self.write(broken, "broken.json")
        with self.assertRaisesMessage(CommandError, f"{path}: Item id 'section_1' is used twice."):
            self.load(path)
        assert not Instrument.objects.filter(code="odi").exists()

    def test_a_file_that_is_not_json_or_not_there_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "is not valid JSON"):
            self.load(self.write("{not json"))
        with self.assertRaisesMessage(CommandError, "Cannot read"):
            self.load(self.folder / "missing.json")
        with self.assertRaisesMessage(CommandError, "is not UTF-8 text"):
            path = self.folder / "latin1.json"
            path.write_bytes('{"title": "Fr\u00e9"}'.encode("latin-1"))
            self.load(path)
