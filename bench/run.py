"""Scheduling benchmark, run by hand (`make bench`), never in the test suite.

Seeds 20 surgeons with Monday-to-Friday clinics and 1,000, 10,000 and 100,000 consultations spread over
the past and next 12 months, in a throw-away database on the same server, then measures in-process,
through the whole middleware stack:
- the slots API for one surgeon over 1 day and over 14 days,
- the consultation request POST,
- a trivial JSON view (the floor: what any request costs here).
Each as median and 95th percentile over CALLS calls, with SQL queries per call. Writes the table and a
PNG plot into bench/README.md and bench/latency.png.
"""

import math
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.urls import include, path, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from clinic.models import Location, Surgeon  # noqa: E402
from clinic.npi import check_digit  # noqa: E402
from consultations.booking import screening  # noqa: E402
from consultations.booking.availability import free_slots_for  # noqa: E402
from consultations.booking.screening import ScreenResult  # noqa: E402
from consultations.models import AvailabilityRule, Consultation, Patient  # noqa: E402

SIZES = [1_000, 10_000, 100_000]
SURGEONS = 20
CALLS = int(os.environ.get("BENCH_CALLS", "200"))
SLOT = timedelta(minutes=30)
DAY_SLOTS = 20  # 08:00 to 18:00


def floor(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/floor/", floor), path("", include("clinic.urls"))]


def seed_practice() -> list[Surgeon]:
    location = Location.objects.create(
        name="Bench clinic", slug="bench", address="1 Bench Road", phone="555-0100", timezone="America/New_York"
    )
    surgeons = []
    for number in range(SURGEONS):
        first_nine = f"199998{number:03d}"
        surgeon = Surgeon.objects.create(
            slug=f"bench-{number}",
            first_name="Bench",
            last_name=f"Surgeon{number}",
            degree="MD",
            specialty="orthopaedic",
            title="Fictional",
            bio="Fictional.",
            languages=["English"],
            npi=first_nine + check_digit(first_nine),
        )
        surgeon.locations.add(location)
        AvailabilityRule.objects.bulk_create(
            AvailabilityRule(surgeon=surgeon, location=location, weekday=day, start_time=clock(8), end_time=clock(18))
            for day in range(5)
        )
        surgeons.append(surgeon)
    return surgeons


def store(total: int, surgeons: list[Surgeon], location: Location, patients: list[Patient]) -> None:
    """Replace the stored consultations with `total` of them, spread evenly over two years (a year back, a year
    ahead) on each surgeon's weekday clinics, on the hour so that the half-hours stay free."""
    with connection.cursor() as cursor:
        # CASCADE empties the tables that point at consultations too (intakes, access log), all empty here.
        cursor.execute("TRUNCATE consultations_consultation CASCADE")
    zone = location.zone
    today = timezone.localdate()
    first_monday = today - timedelta(days=365 + today.weekday())
    per_day = DAY_SLOTS // 2
    capacity = 104 * 5 * per_day
    per_surgeon = total // len(surgeons)
    rows = []
    for index, surgeon in enumerate(surgeons):
        for n in range(per_surgeon):
            position = n * capacity // per_surgeon
            weeks, rest = divmod(position, 5 * per_day)
            weekday, hour = divmod(rest, per_day)
            day = first_monday + timedelta(weeks=weeks, days=weekday)
            start = datetime.combine(day, clock(8 + hour), tzinfo=zone)
            rows.append(
                Consultation(
                    surgeon=surgeon,
                    location=location,
                    patient=patients[(index + n) % len(patients)],
                    start=start,
                    end=start + SLOT,
                    status="completed" if start < timezone.now() else "confirmed",
                    reason="Fictional benchmark consultation.",
                )
            )
    Consultation.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        # Fresh planner statistics, as autovacuum would have them on a live system.
        cursor.execute("ANALYZE")


def measure(call) -> tuple[float, float, float]:
    """Median and p95 in milliseconds, and queries per call."""
    timings, queries = [], []
    for _ in range(CALLS):
        reset_queries()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(connection.queries))
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], statistics.mean(queries)


def main() -> None:
    setup_test_environment()
    # A database of its own, so a test run at the same time is not disturbed.
    connection.settings_dict["TEST"]["NAME"] = "clinic_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    results: dict[str, list[tuple[int, float, float, float]]] = {}
    # Other work on the machine moves the numbers: the load average before and after is printed with them.
    load_before = os.getloadavg()[0]
    try:
        with override_settings(
            ROOT_URLCONF=__name__,
            DEBUG=True,  # to count queries
            TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
        ):
            surgeons = seed_practice()
            location = Location.objects.get()
            patients = Patient.objects.bulk_create(
                Patient(
                    first_name="Bench",
                    last_name=f"Patient{n}",
                    date_of_birth=date(1960, 1, 1) + timedelta(days=n),
                    email=f"bench{n}@example.com",
                    phone="555-0100",
                )
                for n in range(500)
            )
            client = Client()
            # The request pages want a passed red-flag screen: hand the client the cookie the screen would set.
            screened = HttpResponse()
            screening.remember(
                screened, ScreenResult.passed((), recent_surgery=False, acknowledged=False, at=timezone.now())
            )
            client.cookies.update(screened.cookies)
            target = surgeons[0]
            monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
            for size in SIZES:
                store(size, surgeons, location, patients)
                stored = Consultation.objects.count()
                print(f"{stored} consultations stored", flush=True)
                rows = results.setdefault("floor", [])
                rows.append((stored, *measure(lambda: client.get("/bench/floor/"))))
                for days in (1, 14):
                    url = f"/api/slots/?surgeon={target.slug}&start={monday}&days={days}"
                    response = client.get(url)
                    assert response.status_code == 200 and response.json()["slots"], response.content[:200]
                    results.setdefault(f"slots, {days} day{'s' if days > 1 else ''}", []).append(
                        (stored, *measure(lambda url=url: client.get(url)))
                    )
                free = free_slots_for(surgeons[-1], first_day=monday, days=60)
                assert len(free) >= CALLS, "not enough free slots to post into"
                posts = iter(free)

                def post_request(posts=posts) -> None:
                    slot = next(posts)
                    # A request sent forgets the screen's cookie (the next request is screened again): hand it back.
                    client.cookies.update(screened.cookies)
                    response = client.post(
                        f"/request/{surgeons[-1].slug}/details/",
                        {
                            "slot": slot.token,
                            "idempotency_key": str(uuid.uuid4()),
                            "first_name": "Bench",
                            "last_name": "Poster",
                            "date_of_birth": "1970-01-01",
                            "email": "poster@example.com",
                            "phone": "(555) 010-0100",
                            "preferred_contact": "email",
                            "visit_type": "in_person",
                            "reason": "Fictional benchmark request.",
                        },
                    )
                    # Any other answer (the screen again, the form with errors) would mean nothing was requested.
                    assert response.status_code == 302, response.status_code
                    assert resolve(response.url).url_name == "request-sent", response.url

                results.setdefault("request POST", []).append((stored, *measure(post_request)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(results, load=(load_before, os.getloadavg()[0]))


def write_report(results: dict[str, list[tuple[int, float, float, float]]], load: tuple[float, float]) -> None:
    lines = [
        "| call | consultations stored | median ms | p95 ms | queries per call |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rows in results.items():
        for stored, median, p95, queries in rows:
            lines.append(f"| {name} | {stored:,} | {median:.2f} | {p95:.2f} | {queries:.1f} |")
    slots14 = results["slots, 14 days"]
    floor_median = statistics.median(row[1] for row in results["floor"])
    slot_queries = max(row[3] for name in results if name.startswith("slots") for row in results[name])
    growth = slots14[-1][1] / slots14[0][1]
    summary = [
        f"- Queries per slots call at every size: {slot_queries:.0f} at most (target: 4).",
        f"- 14-day slots call, 100,000 stored vs 1,000 stored: {growth:.2f}x (target: at most 1.2x).",
        f"- 14-day slots call vs the floor: {max(row[1] for row in slots14) / floor_median:.2f}x (target: within 3x).",
    ]
    plot(results, BENCH / "latency.png")
    readme = BENCH / "README.md"
    text = readme.read_text() if readme.exists() else ""
    marker = "<!-- results -->"
    head = text.split(marker)[0] if marker in text else text
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    readme.write_text(
        f"{head}{marker}\n\nMeasured {stamp}, {CALLS} calls each, on this project's 2-core machine class "
        f"(load average {load[0]:.1f} before the run and {load[1]:.1f} after it).\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(summary)
        + "\n\n![Median latency against stored consultations](latency.png)\n"
    )
    print("\n".join([*lines, "", *summary]))


def plot(results: dict[str, list[tuple[int, float, float, float]]], target: Path) -> None:
    """A small line chart drawn with Pillow: median ms against stored consultations (log scale)."""
    width, height, margin = 900, 520, 70
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    top = max(row[1] for rows in results.values() for row in rows) * 1.15
    sizes = [row[0] for row in next(iter(results.values()))]
    low, high = math.log10(min(sizes)), math.log10(max(sizes))

    def point(stored: int, ms: float) -> tuple[float, float]:
        x = margin + (math.log10(stored) - low) / (high - low or 1) * (width - 2 * margin)
        y = height - margin - ms / top * (height - 2 * margin)
        return x, y

    draw.line([(margin, margin), (margin, height - margin), (width - margin, height - margin)], fill="black", width=2)
    for step in range(6):
        ms = top * step / 5
        y = point(sizes[0], ms)[1]
        draw.line([(margin - 5, y), (width - margin, y)], fill="#e0e0e0")
        draw.text((8, y - 6), f"{ms:.1f} ms", fill="black")
    for stored in sizes:
        x = point(stored, 0)[0]
        draw.text((x - 20, height - margin + 10), f"{stored:,}", fill="black")
    draw.text((width / 2 - 90, height - 30), "consultations stored (log scale)", fill="black")
    colours = ["#0a58ca", "#b02a37", "#146c43", "#6f42c1", "#664d03"]
    for index, (name, rows) in enumerate(results.items()):
        colour = colours[index % len(colours)]
        points = [point(stored, median) for stored, median, _, _ in rows]
        draw.line(points, fill=colour, width=3)
        for x, y in points:
            draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
        legend_y = margin + 18 * index + 6
        draw.line([(width - margin - 200, legend_y), (width - margin - 175, legend_y)], fill=colour, width=3)
        draw.text((width - margin - 168, legend_y - 6), name, fill=colour)
    draw.text((margin, 20), "Median latency per call (in-process, through all middleware)", fill="black")
    image.save(target)


if __name__ == "__main__":
    main()
