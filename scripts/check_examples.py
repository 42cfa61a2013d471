"""Check that the example cases cover the catalog and agree with their photos.

    PYTHONPATH=src python scripts/check_examples.py

Checks, beyond what load_project already validates:
  * every ordinance id in ordinances/code.yaml is used by some example violation
    (and so every deadline category that the catalog uses);
  * a photo's EXIF DateTimeOriginal, when it has one, is in the same minute as the
    violation's `observed` time or up to 10 minutes after it;
  * a violation of a visible ordinance has a photo or a photo_override;
  * every JPEG in examples/photos/ is used by some case.
Exit status 0 when all is well, 1 with one line per problem otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PIL import ExifTags, Image

from noticegen.project import Project, load_project

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
PHOTO_SLACK = timedelta(minutes=10)


def photo_taken(path: Path) -> datetime | None:
    """EXIF DateTimeOriginal of a JPEG (local wall-clock time), or None if not recorded."""
    with Image.open(path) as image:
        exif = image.getexif()
    text = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
    return datetime.strptime(text, "%Y:%m:%d %H:%M:%S") if text else None


def unused_ordinances(project: Project) -> list[str]:
    used = {v.ordinance for case in project.cases.values() for v in case.violations}
    return [oid for oid in project.catalog.ordinance_ids if oid not in used]


def unused_deadlines(project: Project) -> list[str]:
    used = {project.catalog.deadline_for(v.ordinance).id
            for case in project.cases.values() for v in case.violations}
    in_catalog = {s.deadline for s in project.catalog.code.sections}
    return sorted(in_catalog - used)


def photo_problems(project: Project, photo_dir: Path) -> list[str]:
    problems = []
    referenced: set[Path] = set()
    for number, case in sorted(project.cases.items()):
        for violation in case.violations:
            ordinance = project.catalog.ordinance(violation.ordinance)
            if ordinance.visible and not violation.photos and violation.photo_override is None:
                problems.append(f"{number} {violation.id}: visible violation with no photo "
                                "and no photo_override")
            observed = violation.observed.replace(second=0, microsecond=0)
            for photo in violation.photos:
                referenced.add(photo.file.resolve())
                taken = photo_taken(photo.file)
                if taken is not None and not observed <= taken <= observed + PHOTO_SLACK:
                    problems.append(f"{number} {violation.id}: {photo.file.name} taken {taken}, "
                                    f"but observed {violation.observed}")
    for path in sorted(photo_dir.glob("*.jpg")):
        if path.resolve() not in referenced:
            problems.append(f"{path.name}: not used by any example case")
    return problems


def main() -> int:
    project = load_project(REPO_ROOT, [EXAMPLES / "cases"])
    problems = [f"ordinance {oid} is not used by any example case"
                for oid in unused_ordinances(project)]
    problems += [f"deadline category {did} is not used by any example case"
                 for did in unused_deadlines(project)]
    problems += photo_problems(project, EXAMPLES / "photos")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(project.cases)} example cases use all "
              f"{len(project.catalog.ordinance_ids)} ordinances; photos agree with the cases")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
