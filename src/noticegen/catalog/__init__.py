"""Ordinance and compliance-deadline catalogs."""

from .load import load_catalog
from .models import Catalog, Deadline, DeadlineCatalog, FineRange, Ordinance, OrdinanceCode

__all__ = ["Catalog", "Deadline", "DeadlineCatalog", "FineRange", "Ordinance", "OrdinanceCode",
           "load_catalog"]
