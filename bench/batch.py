"""Batch throughput: the chunked batch renderer against a naive baseline, side by side.

    python bench/batch.py [--packets N] [--workers W] [--baseline-sample S] [--chunk C]

Generates N synthetic packets (cases with 1–4 violations, 2 photos of 12 MP made with Pillow,
1–3 recipients; one packet per recipient) in a scratch folder, runs a full NOV batch with the
batch renderer, then the naive baseline twice on the first S packets (default 50), sequential,
each with its own cold photo cache and one WeasyPrint write_pdf per file: packets only (cover +
NOV), and like for like (also the case-file copy and the affidavit of mailing the batch makes
per piece). The last line is `speedup: X.X`: batch packets/s ÷ like-for-like baseline
packets/s; the line before it gives the ratio to the packets-only baseline.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import yaml  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

MAIL_DATE = date(2026, 11, 25)
ORDINANCES = ["TB-34-2", "TB-34-3", "TB-34-4", "TB-34-5", "TB-34-6", "TB-50-5", "TB-50-6",
              "TB-78-30", "TB-78-40", "TB-98-20"]
ROLES = [("owner", "owner"), ("tenant", "tenant"), ("lienholder", "lienholder")]
STREETS = ["N Britton St", "S Britton St", "E Mill St", "W Mill St", "Ross Ave", "Elm St",
           "Pecan St", "Main St", "Church St", "Sycamore Dr"]
BASE_PHOTOS = 8
STAMP = b"2026:11:03 10:16:00"


# -- synthetic inputs ---------------------------------------------------------------------

def _base_photo(seed: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12 MP JPEG with a phone photo's texture (smooth colour fields, grain at three
    scales, edges), so that its print-ready copy compresses like a real yard photo."""
    import io

    rng = random.Random(seed)
    w, h = size
    small = Image.new("RGB", (16, 12))
    small.putdata([(rng.randint(60, 200), rng.randint(80, 200), rng.randint(40, 180))
                   for _ in range(16 * 12)])
    image = small.resize(size, Image.Resampling.BICUBIC)
    for scale, amount in ((1, 0.22), (4, 0.18), (16, 0.12)):
        noise = Image.effect_noise((w // scale, h // scale), 60).resize(
            size, Image.Resampling.BILINEAR).convert("RGB")
        image = Image.blend(image, noise, amount)
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(w), rng.randrange(h)
        draw.rectangle([x, y, x + rng.randint(100, 900), y + rng.randint(60, 500)],
                       outline=(rng.randint(0, 255),) * 3, width=rng.randint(4, 20))
    for _ in range(40):
        draw.line([rng.randrange(w), rng.randrange(h), rng.randrange(w), rng.randrange(h)],
                  fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
                  width=rng.randint(2, 12))
    exif = Image.Exif()
    exif[274] = 1
    exif[0x8769] = {36867: STAMP.decode()}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    data = buffer.getvalue()
    assert data.count(STAMP) == 1
    return data


def make_project(root: Path, packets: int, seed: int = 1) -> tuple[int, int]:
    """Catalogs, settings and templates from the repository; cases until `packets` pieces.
    Every photo file is distinct (its EXIF capture time differs), as in real case files."""
    for folder in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    photos = root / "cases" / "photos"
    photos.mkdir(parents=True)
    rng = random.Random(seed)
    bases = [_base_photo(seed * 100 + i) for i in range(BASE_PHOTOS)]
    made, number, photo_number = 0, 0, 0
    taken0 = datetime(2026, 11, 3, 8, 0, 0)
    while made < packets:
        number += 1
        parties = min(rng.randint(1, 3), packets - made)
        made += parties
        observed = taken0 + timedelta(minutes=number)
        violations = []
        for v in range(rng.randint(1, 4)):
            violations.append({
                "id": f"v{v + 1}", "ordinance": rng.choice(ORDINANCES),
                "observed": observed.strftime("%Y-%m-%d %H:%M"),
                "location": rng.choice(["Front yard", "Back yard", "Side yard", "Driveway",
                                        "Alley strip"]),
                "description": "Condition observed from the public right of way; see the "
                               "photographs. " * rng.randint(1, 3),
                "corrective_action": "Correct the condition and keep it corrected. "
                                     * rng.randint(1, 2)})
        for k in range(2):  # two photos per case, on the first violations
            photo_number += 1
            taken = (taken0 + timedelta(seconds=photo_number)).strftime("%Y:%m:%d %H:%M:%S")
            name = f"p{photo_number:06d}.jpg"
            (photos / name).write_bytes(bases[photo_number % BASE_PHOTOS].replace(
                STAMP, taken.encode()))
            target = violations[min(k, len(violations) - 1)]
            target.setdefault("photos", []).append({"file": f"photos/{name}",
                                                    "caption": f"Condition {k + 1}"})
        for v in violations:
            if "photos" not in v:
                v["photo_override"] = "Shown in the photographs of violations 1 and 2."
        street = f"{100 + number % 900} {rng.choice(STREETS)}"
        case = {
            "case_number": f"CE-2026-{10000 + number}",
            "opened": "2026-11-02",
            "complaint": {"received": f"2026-10-{number % 28 + 1:02d}", "source": "citizen",
                          "type": "Property maintenance"},
            "property": {"address": {"lines": [street], "city": "Tom Bean", "state": "TX",
                                     "zip": "75489"}, "parcel_id": f"R-{100000 + number}"},
            "complainant": {"anonymous": True},
            "officer": "ofc-garza",
            "responsible_parties": [
                {"id": pid, "role": role, "name": f"{role.title()} {number}-{i + 1}",
                 "mailing_address": {"lines": [f"PO Box {number * 3 + i}"],
                                     "city": "Sherman", "state": "TX", "zip": "75090"}}
                for i, (pid, role) in enumerate(ROLES[:parties])],
            "violations": violations,
            "history": []}
        path = root / "cases" / f"case-{number:05d}.yaml"
        path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return number, made


# -- measurement helpers --------------------------------------------------------------------

class PeakRSS:
    """Samples the resident memory of this process and all its children (the workers)."""

    def __init__(self) -> None:
        self.peak = self.now = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree_rss(self) -> int:
        pids, total = [os.getpid()], 0
        seen = set()
        while pids:
            pid = pids.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                with open(f"/proc/{pid}/status") as handle:
                    for line in handle:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as handle:
                        pids += [int(c) for c in handle.read().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.now = self._tree_rss()
            self.peak = max(self.peak, self.now)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _pages(paths: list[Path]) -> int:
    import pikepdf

    total = 0
    for path in paths:
        with pikepdf.open(path) as pdf:
            total += len(pdf.pages)
    return total


class _Progress:
    """A line on stderr every 250 pieces: how far, how long, the memory now and at its peak."""

    def __init__(self, rss: PeakRSS) -> None:
        self.rss, self.started, self.next = rss, time.perf_counter(), 250

    def __call__(self, done: int, total: int) -> None:
        if done >= self.next or done == total:
            self.next = done - done % 250 + 250
            print(f"  rendered {done}/{total} pieces in {time.perf_counter() - self.started:.0f} "
                  f"s; memory now {self.rss.now / 2**20:.0f} MB, peak {self.rss.peak / 2**20:.0f} "
                  "MB", file=sys.stderr, flush=True)


# -- the two ways ------------------------------------------------------------------------------

def run_batch(root: Path, workers: int, chunk: int) -> dict:
    """The batch as a clerk runs it: cases imported into a new record, then mailed (the
    record's transaction and the readable copies in out/ included)."""
    from noticegen.service import App, import_cases, mail_batch, upgrade

    started = time.perf_counter()
    with PeakRSS() as rss:
        app = App.open(root, "bench")
        upgrade(app)
        numbers = [r.case_number for r in import_cases(app, [root / "cases"])]
        loaded = time.perf_counter() - started
        result = mail_batch(app, numbers, "nov", MAIL_DATE, "bench", workers=workers,
                            chunk_size=chunk, progress=_Progress(rss))
    seconds = time.perf_counter() - started
    packets = sorted((result.folder / "packets").glob("*.pdf"))
    sizes = [p.stat().st_size for p in packets]
    timings = dict(result.timings)
    timings["plan"] = timings.get("plan", 0.0) + loaded
    return {"seconds": seconds, "packets": len(packets), "pages": _pages(packets),
            "rss": rss.peak, "bytes": sum(sizes) / len(sizes), "max_bytes": max(sizes),
            "timings": timings, "folder": result.folder, "app": app, "numbers": numbers}


def run_baseline(root: Path, app: object, numbers: list[str], sample: int,
                 like_for_like: bool) -> dict:
    """One write_pdf per file, sequential: per piece the packet (cover + NOV) and, like for
    like with the batch, also the case-file copy and the affidavit of mailing."""
    from noticegen.files import sha256_bytes, write_atomically
    from noticegen.mail.article_numbers import impb_number
    from noticegen.mail.batch import Batch
    from noticegen.mail.chunks import affidavit_context, cover_context
    from noticegen.render import Renderer
    from noticegen.render.pdf import layout, render_html, write_documents
    from noticegen.rules import batch_order
    from noticegen.service import load_case
    from noticegen.service.issue import renderer_of

    project = app.project  # type: ignore[attr-defined]
    cases = batch_order([load_case(app, n).case for n in numbers], project.catalog)  # type: ignore[arg-type]
    out = root / "baseline" / ("like-for-like" if like_for_like else "packets")
    base = renderer_of(app)  # type: ignore[arg-type]
    batch = Batch(project, base, cases, {}, "nov", MAIL_DATE, "baseline", out / ".work",
                  app.blobs)  # type: ignore[attr-defined]
    count = len(batch.keys())
    pieces = batch.pieces([impb_number("719", "999999999", i + 1) for i in range(count)]
                          )[:sample]
    by_number = {case.case_number: case for case in cases}
    cold = out / ".cache"  # its own photo cache: it prepares photos too
    r = Renderer(project, base.templates, cold, base.key)
    kind = r.registry.get("nov")  # type: ignore[attr-defined]
    letter = kind.template(None)
    copy_entry = next(t for t in kind.templates if t.variant == "file-copy")
    templates = r.templates
    allowed = [templates / "assets"]
    issued = batch.issued  # type: ignore[attr-defined]
    epoch = int(issued.timestamp())
    sizes, pages = [], 0
    started = time.perf_counter()
    for piece in pieces:
        case = by_number[piece.case_number]
        _party, context, _deadline = r.context("nov", letter, case, issued, piece.party_id)
        notice = layout(render_html(r.env, letter.file, context), templates, allowed, cold)
        cover_html = render_html(r.env, "mail/cover.html", cover_context(
            project, kind.title, "baseline", MAIL_DATE, issued, piece, case, len(pieces),
            len(notice.pages), context["doc"].id))
        cover = layout(cover_html, templates / "mail", allowed)
        pdf = write_documents([cover, notice], epoch)
        pages += len(cover.pages) + len(notice.pages)
        write_atomically(out / f"{piece.stem}.pdf", pdf)
        sizes.append(len(pdf))
        if like_for_like:
            _, copy_context, _ = r.context("nov", copy_entry, case, issued, piece.party_id)
            copy = layout(render_html(r.env, copy_entry.file, copy_context), templates,
                          allowed, cold)
            write_atomically(out / f"{piece.stem}-file-copy.pdf", write_documents([copy], epoch))
            affidavit = layout(render_html(r.env, "mail/affidavit.html", affidavit_context(
                project, kind.title, "baseline", MAIL_DATE, issued, piece, case,
                len(notice.pages), context["doc"].id, sha256_bytes(pdf))),
                templates / "mail", allowed)
            write_atomically(out / f"{piece.stem}-affidavit.pdf",
                             write_documents([affidavit], epoch))
            pages += len(copy.pages) + len(affidavit.pages)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "packets": len(pieces), "pages": pages,
            "bytes": sum(sizes) / len(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline-sample", type=int, default=50,
                        help="packets the naive baseline renders (its rate is per packet)")
    parser.add_argument("--chunk", type=int, default=None, help="pieces per chunk")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="scratch folder (default: a temporary one, removed after)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from noticegen.mail.chunks import CHUNK_SIZE

    os.environ.setdefault("NOTICEGEN_HMAC_KEY", "bench-key-not-secret")
    chunk = args.chunk or CHUNK_SIZE
    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="noticegen-bench-"))
    root = scratch / "project"
    try:
        import weasyprint

        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
        print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"WeasyPrint {weasyprint.__version__}")
        started = time.perf_counter()
        # In a child process: making 12 MP images leaves this process's heap large, and the
        # peak memory measured below is the batch's alone.
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as child:
            cases, packets = child.submit(make_project, root, args.packets, args.seed).result()
        print(f"inputs: {cases} cases, {packets} packets, {2 * cases} photos of 12 MP "
              f"(made in {time.perf_counter() - started:.0f} s, not timed below)")

        b = run_batch(root, args.workers, chunk)
        rate = b["packets"] / b["seconds"]
        print(f"batch renderer: {b['packets']} packets ({b['pages']} pages) in "
              f"{b['seconds']:.1f} s: {rate:.2f} packets/s, {b['pages'] / b['seconds']:.1f} "
              f"pages/s (workers {args.workers}, chunk {chunk}; plus file copies and "
              f"affidavits, print file, book, manifest, records)")
        t = b["timings"]
        print("  stages (s): plan {:.1f} · photos {:.1f} · render {:.1f} wall [layout {:.1f} "
              "· write {:.1f} · split {:.1f}, summed over workers] · merge {:.1f} · record "
              "{:.1f}".format(t.get("plan", 0), t.get("photos", 0), t.get("render", 0),
                              t.get("layout", 0), t.get("write", 0), t.get("split", 0),
                              t.get("merge", 0), t.get("record", 0)))
        print(f"  peak RSS (parent + workers): {b['rss'] / 2**20:.0f} MB")
        print(f"  bytes per packet: {b['bytes'] / 1024:.0f} KB mean, "
              f"{b['max_bytes'] / 1024:.0f} KB max")

        ratios = []
        for like_for_like in (False, True):
            n = run_baseline(root, b["app"], b["numbers"], args.baseline_sample, like_for_like)
            base_rate = n["packets"] / n["seconds"]
            ratios.append(rate / base_rate)
            what = ("like for like: packet, file copy and affidavit per piece, three write_pdf"
                    if like_for_like else "packets only: cover + NOV, one write_pdf")
            print(f"naive baseline ({what}): {n['packets']} packets (the first {n['packets']} "
                  f"of the batch; {n['pages']} pages) in {n['seconds']:.1f} s: "
                  f"{base_rate:.2f} packets/s, {n['pages'] / n['seconds']:.1f} pages/s "
                  f"(sequential, cold photo cache; {n['bytes'] / 1024:.0f} KB per packet)")
        print(f"speedup over the packets-only baseline: {ratios[0]:.1f}")
        print(f"speedup: {ratios[1]:.1f}")
    finally:
        if args.workdir is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
