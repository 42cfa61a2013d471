"""Documents: templates and case facts in, print-ready PDF or editable DOCX out."""

from .document import RenderedDocument, Renderer, renderer
from .pdf import RenderError, TemplateError
from .photos import PhotoError, PreparedPhoto, prepare_photo
from .registry import DocumentType, Registry, load_registry

__all__ = ["DocumentType", "PhotoError", "PreparedPhoto", "Registry", "RenderError",
           "RenderedDocument", "Renderer", "TemplateError", "load_registry", "prepare_photo",
           "renderer"]
