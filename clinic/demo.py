"""Fictional demo practice for `seed_demo`: every name, address, phone and number here is made up.

Demo NPIs all start with 199999, a block this project keeps for demo data; they pass the check digit
rule so that forms accept them. Phone numbers use the 555-01xx range reserved for fiction.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from clinic.models import Credential, Location, Procedure, Surgeon, SurgeonProcedure, Technology
from clinic.npi import check_digit

DEMO_NPI_PREFIX = "199999"

LOCATIONS = [
    {
        "slug": "hudson-valley",
        "name": "Hudson Valley Spine Center (demo)",
        "address": "100 Example Avenue, Suite 2\nAlbany, NY 12207",
        "phone": "(518) 555-0142",
        "timezone": "America/New_York",
    },
    {
        "slug": "sonoran",
        "name": "Sonoran Spine Institute (demo)",
        "address": "200 Sample Road\nPhoenix, AZ 85004",
        "phone": "(602) 555-0187",
        "timezone": "America/Phoenix",
    },
]

PROCEDURES = [
    (
        "full-endoscopic-discectomy",
        "Full-endoscopic discectomy",
        True,
        "The surgeon removes the piece of disc pressing on a nerve through a tube about the width of a pencil, "
        "watching on a screen through a small camera. Most people go home the same day.",
    ),
    (
        "microdiscectomy",
        "Microdiscectomy",
        True,
        "Through a cut of about an inch, and with a microscope, the surgeon removes the disc fragment that presses "
        "on a nerve. It is often used when a disc herniates again after an earlier operation.",
    ),
    (
        "endoscopic-foraminotomy",
        "Endoscopic foraminotomy",
        True,
        "The opening where a nerve leaves the spine is widened through a small camera tube, to take pressure off "
        "a pinched nerve. It can treat narrowing missed or left behind by an earlier operation.",
    ),
    (
        "revision-decompression",
        "Minimally invasive revision decompression",
        True,
        "A second operation, through small incisions, to free nerves that are still or again squeezed after "
        "earlier surgery. Scar tissue makes it more delicate, so experience matters.",
    ),
    (
        "mi-tlif",
        "Minimally invasive TLIF (fusion)",
        True,
        "Two vertebrae are joined through small cuts on the back, with a spacer between them and screws placed "
        "through the skin. It treats a slipped or unstable segment, or a fusion that did not heal.",
    ),
    (
        "lateral-interbody-fusion",
        "Lateral interbody fusion (LLIF / XLIF)",
        True,
        "The surgeon reaches the spine from the side, avoiding the scar of an earlier back operation, and places a "
        "large spacer that restores disc height. It is not possible at the lowest level of the spine.",
    ),
    (
        "percutaneous-pedicle-screws",
        "Percutaneous pedicle screw fixation",
        True,
        "Screws and rods that hold the spine steady are placed through small stab incisions, guided by X-ray "
        "images or navigation, usually together with a fusion.",
    ),
    (
        "si-joint-fusion",
        "Minimally invasive SI-joint fusion",
        True,
        "Small implants are placed across the joint between the spine and the pelvis through a short cut on the "
        "side of the buttock. It is for pain proven to come from that joint, which is more common after a lumbar "
        "fusion.",
    ),
    (
        "spinal-cord-stimulation",
        "Spinal cord stimulation",
        False,
        "Not a repair of the spine: thin wires near the spinal cord send mild electrical pulses that change how pain "
        "is felt. A trial of a few days comes first. It is an option when no fixable cause of the pain is found.",
    ),
]


@dataclass
class DemoSurgeon:
    slug: str
    first_name: str
    last_name: str
    degree: str
    specialty: str
    title: str
    bio: str
    languages: list[str]
    locations: list[str]
    takes_revision_cases: bool
    technologies: list[str]
    procedures: dict[str, tuple[int | None, int | None]]
    board: tuple[str, str]
    fellowship: str
    licences: list[str]
    accepts_new_patients: bool = True
    # Demo edge cases: a licence that lapsed last month, and a board check from over a year ago.
    expired_licence_state: str | None = None
    stale_board_check: bool = False
    societies: list[str] = field(default_factory=lambda: ["North American Spine Society (NASS)"])


SURGEONS = [
    DemoSurgeon(
        slug="elena-marsh",
        first_name="Elena",
        last_name="Marsh",
        degree="MD",
        specialty=Surgeon.Specialty.ORTHOPAEDIC,
        title="Orthopaedic spine surgeon, fellowship-trained in minimally invasive surgery",
        bio="Dr. Marsh (a fictional demo surgeon) focuses on people whose pain returned after an earlier "
        "operation. She explains scans in plain words and prefers the smallest operation that can fix the problem.",
        languages=["English", "Spanish"],
        locations=["hudson-valley"],
        takes_revision_cases=True,
        technologies=[Technology.NAVIGATION, Technology.ENDOSCOPY, Technology.NEUROMONITORING],
        procedures={
            "full-endoscopic-discectomy": (140, 35),
            "revision-decompression": (60, 60),
            "mi-tlif": (80, 20),
            "percutaneous-pedicle-screws": (80, 15),
        },
        board=("American Board of Orthopaedic Surgery (ABOS)", "Orthopaedic Surgery"),
        fellowship="Minimally Invasive Spine Surgery Fellowship",
        licences=["NY"],
        societies=["North American Spine Society (NASS)", "Society for Minimally Invasive Spine Surgery (SMISS)"],
    ),
    DemoSurgeon(
        slug="marcus-webb",
        first_name="Marcus",
        last_name="Webb",
        degree="DO",
        specialty=Surgeon.Specialty.ORTHOPAEDIC,
        title="Orthopaedic spine surgeon",
        bio="Dr. Webb (a fictional demo surgeon) treats adjacent-segment problems and fusions that did not heal, "
        "often from the side to stay clear of earlier scar tissue.",
        languages=["English"],
        locations=["sonoran"],
        takes_revision_cases=True,
        technologies=[Technology.ROBOTICS, Technology.NAVIGATION, Technology.INTRAOPERATIVE_CT],
        procedures={"lateral-interbody-fusion": (90, 40), "mi-tlif": (70, 25), "si-joint-fusion": (30, None)},
        board=("American Osteopathic Board of Orthopedic Surgery (AOBOS)", "Orthopedic Surgery"),
        fellowship="Spine Surgery Fellowship",
        licences=["AZ"],
    ),
    DemoSurgeon(
        slug="priya-raman",
        first_name="Priya",
        last_name="Raman",
        degree="MD",
        specialty=Surgeon.Specialty.NEUROSURGERY,
        title="Neurosurgeon specialising in endoscopic spine surgery",
        bio="Dr. Raman (a fictional demo surgeon) performs endoscopic operations for recurrent disc herniation and "
        "narrowing around nerves, most of them as day surgery.",
        languages=["English", "Hindi", "Tamil"],
        locations=["hudson-valley", "sonoran"],
        takes_revision_cases=True,
        technologies=[Technology.ENDOSCOPY, Technology.INTRAOPERATIVE_CT, Technology.NEUROMONITORING],
        procedures={
            "full-endoscopic-discectomy": (180, 50),
            "endoscopic-foraminotomy": (90, 30),
            "microdiscectomy": (60, 20),
            "spinal-cord-stimulation": (None, None),
        },
        board=("American Board of Neurological Surgery (ABNS)", "Neurological Surgery"),
        fellowship="Endoscopic Spine Surgery Fellowship",
        licences=["NY", "AZ"],
    ),
    DemoSurgeon(
        slug="daniel-okafor",
        first_name="Daniel",
        last_name="Okafor",
        degree="MD",
        specialty=Surgeon.Specialty.NEUROSURGERY,
        title="Neurosurgeon",
        bio="Dr. Okafor (a fictional demo surgeon) sees people with first-time disc and stenosis problems and refers "
        "revision cases to colleagues who specialise in them.",
        languages=["English", "French"],
        locations=["hudson-valley"],
        takes_revision_cases=False,
        technologies=[Technology.NEUROMONITORING],
        procedures={"microdiscectomy": (120, None), "endoscopic-foraminotomy": (40, None)},
        board=("American Board of Neurological Surgery (ABNS)", "Neurological Surgery"),
        fellowship="Complex Spine Fellowship",
        licences=["NY"],
        expired_licence_state="NJ",
    ),
    DemoSurgeon(
        slug="sofia-lindqvist",
        first_name="Sofia",
        last_name="Lindqvist",
        degree="DO",
        specialty=Surgeon.Specialty.ORTHOPAEDIC,
        title="Orthopaedic spine surgeon",
        bio="Dr. Lindqvist (a fictional demo surgeon) looks after people with pain from the sacroiliac joint and "
        "after lumbar fusion, and works closely with the practice's pain specialists.",
        languages=["English", "Swedish", "Spanish"],
        locations=["sonoran"],
        takes_revision_cases=True,
        technologies=[Technology.NAVIGATION],
        procedures={"si-joint-fusion": (70, 30), "percutaneous-pedicle-screws": (40, 10)},
        board=("American Osteopathic Board of Orthopedic Surgery (AOBOS)", "Orthopedic Surgery"),
        fellowship="Spine Surgery Fellowship",
        licences=["AZ"],
        accepts_new_patients=False,
        stale_board_check=True,
    ),
]


def demo_npi(number: int) -> str:
    first_nine = f"{DEMO_NPI_PREFIX}{number:03d}"
    return first_nine + check_digit(first_nine)


@transaction.atomic
def seed_practice(*, today: date, verifier: User, surgeon_user: User | None) -> list[Surgeon]:
    """Create or refresh the demo locations, procedures, surgeons and credentials; return the surgeons."""
    locations = {
        values["slug"]: Location.objects.update_or_create(slug=values["slug"], defaults=values)[0]
        for values in LOCATIONS
    }
    procedures = {
        slug: Procedure.objects.update_or_create(
            slug=slug, defaults={"name": name, "is_minimally_invasive": miss, "description": description}
        )[0]
        for slug, name, miss, description in PROCEDURES
    }
    surgeons = []
    for number, demo in enumerate(SURGEONS, start=1):
        surgeon, _ = Surgeon.objects.update_or_create(
            slug=demo.slug,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "degree": demo.degree,
                "specialty": demo.specialty,
                "title": demo.title,
                "bio": demo.bio,
                "languages": demo.languages,
                "takes_revision_cases": demo.takes_revision_cases,
                "accepts_new_patients": demo.accepts_new_patients,
                "technologies": demo.technologies,
                "npi": demo_npi(number),
                "user": surgeon_user if number == 1 else None,
            },
        )
        surgeon.locations.set([locations[slug] for slug in demo.locations])
        for slug, (miss, revision) in demo.procedures.items():
            year = today.year - 1 if miss is not None or revision is not None else None
            SurgeonProcedure.objects.update_or_create(
                surgeon=surgeon,
                procedure=procedures[slug],
                defaults={"miss_cases_per_year": miss, "revision_cases_per_year": revision, "volume_year": year},
            )
        _seed_credentials(surgeon, demo, number=number, today=today, verifier=verifier)
        surgeons.append(surgeon)
    return surgeons


def _seed_credentials(surgeon: Surgeon, demo: DemoSurgeon, *, number: int, today: date, verifier: User) -> None:
    checked = today - timedelta(days=20 + number)
    kind = Credential.Kind
    rows = [
        (
            kind.MEDICAL_SCHOOL,
            "Example State University School of Medicine (demo)",
            "Doctor of Medicine",
            "",
            2003,
            None,
        ),
        (
            kind.RESIDENCY,
            "Example University Hospital (demo)",
            f"{surgeon.get_specialty_display()} Residency",
            "",
            2009,
            None,
        ),
        (kind.FELLOWSHIP, "Example Spine Institute (demo)", demo.fellowship, "", 2010, None),
        (
            kind.BOARD_CERTIFICATION,
            demo.board[0],
            demo.board[1],
            f"DEMO-B{number:04d}",
            2012,
            today + timedelta(days=4 * 365),
        ),
        *(
            (
                kind.STATE_LICENCE,
                f"{state} medical board (demo)",
                "Medical licence",
                f"DEMO-{state}-{number:05d}",
                2010,
                today + timedelta(days=400),
            )
            for state in demo.licences
        ),
        *((kind.SOCIETY_MEMBERSHIP, society, "Member", "", 2011, None) for society in demo.societies),
        (kind.HOSPITAL_PRIVILEGES, "Example General Hospital (demo)", "Spine surgery privileges", "", 2012, None),
    ]
    if demo.expired_licence_state:
        state = demo.expired_licence_state
        rows.append(
            (
                kind.STATE_LICENCE,
                f"{state} medical board (demo)",
                "Medical licence",
                f"DEMO-{state}-{number:05d}",
                2010,
                today - timedelta(days=30),
            )
        )
    for credential_kind, issuer, title, identifier, year, expires_on in rows:
        stale = demo.stale_board_check and credential_kind == kind.BOARD_CERTIFICATION
        Credential.objects.update_or_create(
            surgeon=surgeon,
            kind=credential_kind,
            issuer=issuer,
            title=title,
            defaults={
                "identifier": identifier,
                "state": identifier.split("-")[1] if credential_kind == kind.STATE_LICENCE else "",
                "awarded_on": date(year, 7, 1),
                "expires_on": expires_on,
                "verified_by": verifier,
                "verified_on": today - timedelta(days=430) if stale else checked,
                "source_url": "https://example.org/demo-verification-source",
            },
        )
