"""Scheduling and staff-page benchmark, run by hand (`make bench`), never in the test suite.

Seeds 20 surgeons with Monday-to-Friday clinics and 1,000, 10,000 and 100,000 consultations spread over
the past and next 12 months (bulk SQL), in a throw-away database on the same server, then measures
in-process, through the whole middleware stack:
- the slots API for one surgeon over 1 day and over 14 days,
- the consultation request POST,
- a trivial JSON view (the floor: what any request costs here).
Then, at 100,000 stored with 200 consultations today and 10,000 requests waiting, every staff page (the
desk's, the surgeon's, the directory), the queue's first page with 300 waiting too, and the all-surgeon
busy-times query and the waiting count, which are measured again at 1,000,000 stored (twenty years of
history at the same density). Each as median and 95th percentile over CALLS calls (STAFF_CALLS for the
staff pages), with SQL queries per call. Writes the tables and a PNG plot into bench/README.md and
bench/latency.png.
"""

import math
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
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

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.template import Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import _TestState, override_settings, setup_test_environment  # noqa: E402
from django.urls import include, path, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from clinic import roles  # noqa: E402
from clinic.models import Location, Surgeon  # noqa: E402
from clinic.npi import check_digit  # noqa: E402
from consultations.booking import screening  # noqa: E402
from consultations.booking.availability import free_slots_for  # noqa: E402
from consultations.booking.screening import ScreenResult  # noqa: E402
from consultations.models import AvailabilityRule, Consultation, Intake  # noqa: E402
from tests.db_setup import let_the_test_runner_empty_the_access_log  # noqa: E402
from tests.factories import form_shown_earlier, make_user, sign_in  # noqa: E402

SIZES = [1_000, 10_000, 100_000]
SURGEONS = 20
CALLS = int(os.environ.get("BENCH_CALLS", "200"))
STAFF_CALLS = int(os.environ.get("BENCH_STAFF_CALLS", "60"))
PATIENTS = 20_000
WAITING = 10_000
# Targets for the staff pages (the desk's day issue).
PAGE_MS, PAGE_QUERIES = 50, 20
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


def store(total: int, surgeons: list[Surgeon], location: Location) -> None:
    """Replace the stored consultations with `total` of them on each surgeon's weekday clinics, on the hour so that
    the half-hours stay free, ending a year ahead: up to 100,000 spread over two years, more over a longer past
    at the density of 100,000 (1,000,000 is twenty years of history). One INSERT ... SELECT generate_series."""
    per_day = DAY_SLOTS // 2
    per_surgeon = total // len(surgeons)
    weeks = max(104, math.ceil(104 * total / 100_000))
    today = timezone.localdate()
    first_monday = today - timedelta(weeks=weeks - 52, days=today.weekday())
    with connection.cursor() as cursor:
        # CASCADE empties the tables that point at consultations too (intakes, access log).
        cursor.execute("TRUNCATE consultations_consultation CASCADE")
        # The foreign keys are the bench's own ids: skip their per-row triggers while loading.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
            WITH bench AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM clinic_surgeon
                            WHERE id = ANY(%(surgeons)s)),
                 people AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS total FROM consultations_patient),
                 placed AS (SELECT bench.id AS surgeon, bench.n + g.n AS k,
                                   g.n::bigint * %(capacity)s / %(per_surgeon)s AS position
                              FROM bench CROSS JOIN generate_series(0, %(per_surgeon)s - 1) AS g(n)),
                 timed AS (SELECT surgeon, k, ((%(first_monday)s::date
                                  + ((position / %(week)s) * 7 + (position %% %(week)s) / %(per_day)s)::int)
                                  + make_interval(hours => 8 + (position %% %(per_day)s)::int)) AT TIME ZONE %(zone)s
                                  AS start
                             FROM placed)
            INSERT INTO consultations_consultation
                   (public_id, surgeon_id, location_id, patient_id, start, "end", status, visit_type, contact_name,
                    contact_phone, reason, cancellation_reason, sequence, channel, desk_note, safety_flag,
                    address_hash, email_hash, phone_hash, created_at, updated_at)
            SELECT gen_random_uuid(), surgeon, %(location)s, people.ids[1 + k %% people.total], start,
                   start + interval '30 minutes', CASE WHEN start < now() THEN 'completed' ELSE 'confirmed' END,
                   'in_person', '', '', 'Fictional benchmark consultation.', '', 0, 'online', '', '', '', '', '',
                   start - interval '30 days', start - interval '30 days'
              FROM timed CROSS JOIN people
            """,
            {
                "surgeons": [surgeon.pk for surgeon in surgeons],
                "capacity": weeks * 5 * per_day,
                "per_surgeon": per_surgeon,
                "first_monday": first_monday,
                "week": 5 * per_day,
                "per_day": per_day,
                "zone": location.timezone,
                "location": location.pk,
            },
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        # Fresh planner statistics and visibility map, as autovacuum would have them on a live system.
        cursor.execute("VACUUM ANALYZE")


def seed_patients(count: int) -> None:
    """`count` fictional patients with varied names (about one in thirty a Jordan), in one statement."""
    first = ["Jordan", "Avery", "Robin", "Sam", "Lee", "Morgan", "Casey", "Riley", "Quinn", "Alex"] * 3
    syllables = ["fic", "ta", "lo", "mar", "ven", "do", "ri", "sel", "ka", "bron", "ne", "wu"]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO consultations_patient (first_name, last_name, date_of_birth, email, phone, preferred_contact,
                                               preferred_language, created_at)
            SELECT (%(first)s::text[])[1 + n %% 30] || CASE WHEN n %% 30 < 10 THEN '' ELSE 'e' END,
                   initcap((%(syl)s::text[])[1 + n / 30 %% 12] || (%(syl)s::text[])[1 + n / 360 %% 12]
                           || (%(syl)s::text[])[1 + n / 4320 %% 12]),
                   date '1940-01-01' + (n * 37) %% 25000, 'bench' || n || '@example.com', '555-0100', 'email',
                   'English', now()
              FROM generate_series(0, %(count)s - 1) AS n
            """,
            {"first": first, "syl": syllables, "count": count},
        )


def seed_day(surgeons: list[Surgeon], location: Location) -> None:
    """Exactly ten consultations today for each surgeon, 08:00 to 17:00: those over completed, the one under way
    checked in, the rest confirmed."""
    zone = location.zone
    midnight = datetime.combine(timezone.localdate(), clock.min, tzinfo=zone)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM consultations_consultation WHERE start >= %s AND start < %s",
            [midnight, midnight + timedelta(days=1)],
        )
        cursor.execute(
            """
            INSERT INTO consultations_consultation
                   (public_id, surgeon_id, location_id, patient_id, start, "end", status, visit_type, contact_name,
                    contact_phone, reason, cancellation_reason, sequence, channel, desk_note, safety_flag,
                    address_hash, email_hash, phone_hash, created_at, updated_at)
            SELECT gen_random_uuid(), s.id, %(location)s, (SELECT min(id) FROM consultations_patient) + s.id * 10 + h,
                   t.start, t.start + interval '30 minutes',
                   CASE WHEN t.start + interval '30 minutes' <= now() THEN 'completed'
                        WHEN t.start <= now() THEN 'checked_in' ELSE 'confirmed' END,
                   'in_person', '', '', 'Fictional benchmark consultation.', '', 0, 'online', '', '', '', '', '',
                   now() - interval '30 days', now()
              FROM clinic_surgeon s CROSS JOIN generate_series(0, 9) AS h
                   CROSS JOIN LATERAL (SELECT %(midnight)s::timestamptz + make_interval(hours => 8 + h) AS start) t
             WHERE s.id = ANY(%(surgeons)s)
            """,
            {
                "location": location.pk,
                "midnight": midnight,
                "surgeons": [surgeon.pk for surgeon in surgeons],
            },
        )


def set_waiting(count: int) -> None:
    """`count` future consultations become requests waiting for the desk (asked for up to sixty days ago, one in
    about thirty flagged for review, one in about a hundred urgent); every other request is confirmed."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE consultations_consultation SET status = 'confirmed' WHERE status = 'requested'")
        cursor.execute(
            """
            UPDATE consultations_consultation
               SET status = 'requested', created_at = now() - make_interval(mins => ((id * 7919) %% 86400)::int),
                   safety_flag = CASE WHEN id %% 97 = 0 THEN 'urgent' WHEN id %% 31 = 0 THEN 'review' ELSE '' END
             WHERE id IN (SELECT id FROM consultations_consultation
                           WHERE status = 'confirmed' AND start > now() + interval '1 day'
                           ORDER BY md5(id::text) LIMIT %s)
            """,
            [count],
        )
        cursor.execute("VACUUM ANALYZE consultations_consultation")


def measure(call, calls: int = CALLS) -> tuple[float, float, float]:
    """Median and p95 in milliseconds, and queries per call."""
    timings, queries = [], []
    for _ in range(calls):
        reset_queries()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(connection.queries))
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], statistics.mean(queries)


def main() -> None:
    setup_test_environment()
    # ...but render templates as a server does: the test environment's instrumented render sends a signal per
    # template, which the test client answers by copying the context.
    Template._render = _TestState.saved_data.template_render
    # A database of its own, so a test run at the same time is not disturbed: the one DATABASE_URL names if its
    # name ends in "_bench" (one per person sharing a server), else clinic_bench.
    configured = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = configured if configured.endswith("_bench") else "clinic_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    # The bench replaces its consultations with TRUNCATE ... CASCADE, which reaches the (empty) access log.
    let_the_test_runner_empty_the_access_log()
    results: dict[str, list[tuple[int, float, float, float]]] = {}
    # Other work on the machine moves the numbers: the load average before and after is printed with them.
    load_before = os.getloadavg()[0]
    try:
        with override_settings(
            ROOT_URLCONF=__name__,
            DEBUG=True,  # to count queries
            # One client posts all the requests, for one contact: the limits still count every post (their
            # statements are measured), but never stop one.
            RATE_LIMITS={bucket: (10**9, seconds) for bucket, (_, seconds) in settings.RATE_LIMITS.items()},
            OPEN_REQUESTS_PER_CONTACT_PER_SURGEON=10**9,
            OPEN_REQUESTS_PER_CONTACT=10**9,
            TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
        ):
            surgeons = seed_practice()
            location = Location.objects.get()
            seed_patients(PATIENTS)
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
                store(size, surgeons, location)
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
                            **form_shown_earlier(),
                        },
                    )
                    # Any other answer (the screen again, the form with errors) would mean nothing was requested.
                    assert response.status_code == 302, response.status_code
                    assert resolve(response.url).url_name == "request-sent", response.url

                results.setdefault("request POST", []).append((stored, *measure(post_request)))
            staff = measure_staff_pages(surgeons, location)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(results, staff, load=(load_before, os.getloadavg()[0]))


def busy_times(surgeon_ids: list[int], since: datetime, until: datetime) -> list[tuple[int, datetime, datetime, int]]:
    """The all-surgeon busy-times query of `free_slots_by_surgeon`, as it runs there."""
    occupied = Consultation.objects.occupying().filter(surgeon__in=surgeon_ids).overlapping(since, until)
    return list(occupied.values_list("surgeon", "start", "end", "buffer_minutes"))


def measure_staff_pages(surgeons: list[Surgeon], location: Location) -> dict[str, tuple[float, float, float]]:
    """Every staff page at 100,000 stored, 200 today and 10,000 waiting; the queue with 300 waiting; the two
    queries that must not grow with the table, at 100,000 and at 1,000,000 stored."""
    store(100_000, surgeons, location)
    seed_day(surgeons, location)
    desk, surgeon_user = make_user(role=roles.FRONT_DESK), make_user(role=roles.SURGEON)
    Surgeon.objects.filter(pk=surgeons[0].pk).update(user=surgeon_user)
    next_week = Consultation.objects.filter(
        surgeon=surgeons[0], status="confirmed", start__gt=timezone.now() + timedelta(days=7)
    ).earliest("start")
    Intake.objects.create(
        consultation=next_week, patient=next_week.patient, status="completed", submitted_at=timezone.now()
    )
    desk_client, surgeon_client, public = Client(), Client(), Client()
    sign_in(desk_client, desk)
    sign_in(surgeon_client, surgeon_user)
    one = surgeons[0].slug
    pages = {
        "/desk/ (today)": (desk_client, "/desk/", None),
        "queue, first page": (desk_client, "/desk/queue/", None),
        "queue, page 100": (desk_client, "/desk/queue/?page=100", None),
        "queue, one surgeon, over 7 days": (desk_client, f"/desk/queue/?surgeon={one}&days=7", None),
        "schedule, day, one surgeon": (desk_client, f"/desk/schedule/?view=day&surgeon={one}", None),
        "schedule, day, all surgeons": (desk_client, "/desk/schedule/?view=day", None),
        "schedule, week, one surgeon": (desk_client, f"/desk/schedule/?view=week&surgeon={one}", None),
        "schedule, week, all surgeons": (desk_client, "/desk/schedule/?view=week", None),
        "availability": (desk_client, "/desk/availability/", None),
        "patient search (typo)": (desk_client, "/desk/patients/", {"name": "jordn"}),
        "surgeon's upcoming list": (surgeon_client, "/surgeon/", None),
        "surgeon's summary": (surgeon_client, f"/surgeon/consultations/{next_week.public_id}/", None),
        "/surgeons/": (public, "/surgeons/", None),
    }

    def page_call(client: Client, url: str, data: dict | None):
        def call() -> None:
            response = client.post(url, data) if data else client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    staff: dict[str, tuple[float, float, float]] = {}
    set_waiting(300)
    queue = page_call(desk_client, "/desk/queue/", None)
    queue()
    staff["queue, first page, 300 waiting"] = measure(queue, STAFF_CALLS)
    set_waiting(WAITING)
    response = desk_client.get("/desk/queue/")
    assert f"<strong>{WAITING}</strong> requests waiting" in response.content.decode(), "not the backlog asked for"
    print(f"{Consultation.objects.count()} stored, {WAITING} waiting: staff pages", flush=True)
    for name, (client, url, data) in pages.items():
        call = page_call(client, url, data)
        call()
        staff[name] = measure(call, STAFF_CALLS)
    since = datetime.combine(timezone.localdate() + timedelta(days=7), clock.min, tzinfo=location.zone)
    ids = [surgeon.pk for surgeon in surgeons]
    for size in (100_000, 1_000_000):
        if size != 100_000:
            store(size, surgeons, location)
            set_waiting(WAITING)
            print(f"{Consultation.objects.count()} stored: the two queries", flush=True)
        found = busy_times(ids, since, since + timedelta(days=7))
        assert found, "no busy times in the window"
        staff[f"busy times, 20 surgeons, 7 days, {size:,} stored"] = measure(
            lambda: busy_times(ids, since, since + timedelta(days=7))
        )
        assert Consultation.objects.waiting_counts()["waiting"] == WAITING
        staff[f"waiting count, {size:,} stored"] = measure(Consultation.objects.waiting_counts)
        with connection.cursor() as cursor:
            for label, queryset in (
                (
                    "busy times",
                    Consultation.objects.occupying()
                    .filter(surgeon__in=ids)
                    .overlapping(since, since + timedelta(days=7)),
                ),
                ("waiting count", Consultation.objects.filter(status="requested")),
            ):
                sql, params = queryset.query.sql_with_params()
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                print(f"-- {label}, {size:,} stored", *(row[0] for row in cursor.fetchall()), sep="\n", flush=True)
    return staff


def write_report(
    results: dict[str, list[tuple[int, float, float, float]]],
    staff: dict[str, tuple[float, float, float]],
    load: tuple[float, float],
) -> None:
    lines = [
        "| call | consultations stored | median ms | p95 ms | queries per call |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rows in results.items():
        for stored, median, p95, queries in rows:
            lines.append(f"| {name} | {stored:,} | {median:.2f} | {p95:.2f} | {queries:.1f} |")
    slots14 = results["slots, 14 days"]
    slot_queries = max(row[3] for name in results if name.startswith("slots") for row in results[name])
    growth = slots14[-1][1] / slots14[0][1]
    summary = [
        f"- Queries per slots call at every size: {slot_queries:.0f} at most (target: 1).",
        f"- 14-day slots call, 100,000 stored vs 1,000 stored: {growth:.2f}x (target: at most 1.2x).",
    ]
    staff_lines = [
        "| staff page or query (100,000 stored, 200 today, 10,000 waiting) | median ms | p95 ms | queries | target |",
        "|---|---:|---:|---:|---|",
    ]
    for name, (median, p95, queries) in staff.items():
        page = not name.startswith(("busy times", "waiting count"))
        met = "met" if median <= PAGE_MS and queries <= PAGE_QUERIES else "**missed**"
        staff_lines.append(f"| {name} | {median:.2f} | {p95:.2f} | {queries:.1f} | {met if page else 'see below'} |")
    queue_ratio = staff["queue, first page"][0] / staff["queue, first page, 300 waiting"][0]
    busy_ratio = (
        staff["busy times, 20 surgeons, 7 days, 1,000,000 stored"][0]
        / (staff["busy times, 20 surgeons, 7 days, 100,000 stored"][0])
    )
    count_ratio = staff["waiting count, 1,000,000 stored"][0] / staff["waiting count, 100,000 stored"][0]
    staff_summary = [
        f"- Queue's first page, 10,000 waiting vs 300 waiting: {queue_ratio:.2f}x (target: within 1.2x).",
        f"- All-surgeon busy times, 1,000,000 stored vs 100,000: {busy_ratio:.2f}x (target: within 1.3x).",
        f"- Waiting count, 1,000,000 stored vs 100,000: {count_ratio:.2f}x (target: within 1.3x).",
    ]
    plot(results, BENCH / "latency.png")
    readme = BENCH / "README.md"
    text = readme.read_text() if readme.exists() else ""
    marker = "<!-- results -->"
    head = text.split(marker)[0] if marker in text else text
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    readme.write_text(
        f"{head}{marker}\n\nMeasured {stamp} on this project's 2-core machine class (load average "
        f"{load[0]:.2f} before the run and {load[1]:.2f} after it). Scheduling: {CALLS} calls each.\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(summary)
        + f"\n\nStaff pages: {STAFF_CALLS} calls each (the two queries {CALLS}); every page's target is a median "
        f"of at most {PAGE_MS} ms and at most {PAGE_QUERIES} queries.\n\n"
        + "\n".join(staff_lines)
        + "\n\n"
        + "\n".join(staff_summary)
        + "\n\n![Median latency against stored consultations](latency.png)\n"
    )
    print("\n".join([*lines, "", *summary, "", *staff_lines, "", *staff_summary]))


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
