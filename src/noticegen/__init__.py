"""noticegen: code-enforcement documents that hold up in court, in the mail and in a clerk's day."""

from .cases import Case, Complainant, HistoryEntry, ResponsibleParty, Violation, read_case
from .catalog import Catalog, Deadline, Ordinance, load_catalog
from .config import Settings, load_settings
from .errors import ConfigurationError, InputError, NoticegenError, Problem
from .project import Project, load_project

__all__ = [
    "Case",
    "Catalog",
    "Complainant",
    "ConfigurationError",
    "Deadline",
    "HistoryEntry",
    "InputError",
    "NoticegenError",
    "Ordinance",
    "Problem",
    "Project",
    "ResponsibleParty",
    "Settings",
    "Violation",
    "load_catalog",
    "load_project",
    "load_settings",
    "read_case",
]
