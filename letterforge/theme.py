"""The look of a letter, defined once: the HTML writer turns it into CSS, the DOCX writer into
paragraph styles and page setup, so the two formats agree."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from letterforge.document import Role
from letterforge.workspace.settings import ThemeSettings

Alignment = Literal["left", "right", "center", "justify"]

# The space between signatories side by side, in points.
SIGNATURE_GUTTER = 12.0
# Top, right, bottom and left, in points.
Margins = tuple[float, float, float, float]
# Width and height in points.
PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}
# The built-in measure, the width of a line of text: 5¼ inches (31½ picas, 133 mm) holds about
# 80 characters of 11 pt Caladea, inside the 75-85 that read comfortably. Wider lines (99
# characters on a 6½-inch line) make the eye lose its place on the way back to the next one.
# The type keeps its size and the margins grow instead: larger type would shorten the lines as
# well, but also the page (12 pt on 1.4-inch margins brings the French example letter to a
# line or two from a third page).
MEASURE = 378.0
# Above and below the text: one inch on Letter, 25 mm on A4.
EDGE_MARGINS = {"letter": 72.0, "a4": 70.87}


@dataclass(frozen=True)
class RoleStyle:
    """How the paragraphs of one role look. Sizes and spacing in points."""

    size: float | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None  # hex without '#'
    space_before: float = 0
    space_after: float = 0
    align: Alignment = "left"
    indent: float = 0
    keep_with_next: bool = False
    keep_together: bool = False


@dataclass(frozen=True)
class Theme:
    """Fonts, sizes, margins and per-role paragraph styles."""

    page_size: Literal["letter", "a4"] = "letter"
    margins: Margins = (72.0, 117.0, 72.0, 117.0)  # the measure, centred on Letter
    # The first font is what the PDF uses (metric-compatible with Cambria, which Word has);
    # the DOCX asks for ``word_font`` so Word shows the same line breaks.
    fonts: tuple[str, ...] = ("Caladea", "Cambria", "Liberation Serif", "DejaVu Serif", "serif")
    word_font: str = "Cambria"
    size: float = 11.0
    line_height: float = 1.2
    color: str = "1A1A1A"
    logo_height: float = 42.0
    signature_height: float = 36.0
    roles: dict[Role, RoleStyle] = field(default_factory=dict)
    # The folder images are read from; nothing outside it is.
    asset_root: Path | None = None

    def style(self, role: Role) -> RoleStyle:
        return self.roles.get(role, RoleStyle())

    @property
    def page_width(self) -> float:
        return PAGE_SIZES[self.page_size][0]

    @property
    def page_height(self) -> float:
        return PAGE_SIZES[self.page_size][1]

    @property
    def text_width(self) -> float:
        return self.page_width - self.margins[1] - self.margins[3]

    def line_pitch(self, role: Role) -> float:
        """The height of one line of ``role``'s text, in points: its size times line height."""
        return (self.style(role).size or self.size) * self.line_height

    def space_after_list(self, role: Role) -> float:
        """The space above a paragraph of ``role`` that follows a list: its own, or a body
        paragraph's space below if that is more. A list ends as a paragraph does; the space
        between its items alone would tie its last item to what comes next."""
        return max(self.style(role).space_before, self.style(Role.BODY).space_after)

    def image_height(self, role: Role) -> float:
        """How tall an image stands in ``role``: a logo in the letterhead, else a signature."""
        return self.logo_height if role is Role.LETTERHEAD else self.signature_height


ACCENT = "1F3A5F"


def default_roles(accent: str = ACCENT) -> dict[Role, RoleStyle]:
    """The built-in look of each part of a letter; the letterhead and running head take the
    accent color."""
    return {
        Role.LETTERHEAD: RoleStyle(size=9.5, color=accent, space_after=30, keep_together=True),
        Role.RUNNING_HEAD: RoleStyle(size=9, color=accent),
        Role.DATE: RoleStyle(space_after=18),
        Role.ADDRESS: RoleStyle(space_after=18, keep_together=True),
        Role.REFERENCE: RoleStyle(space_after=12),
        Role.SUBJECT: RoleStyle(space_after=12),
        Role.SALUTATION: RoleStyle(space_after=10, keep_with_next=True),
        Role.BODY: RoleStyle(space_after=10),
        Role.HEADING: RoleStyle(
            size=12, bold=True, space_before=6, space_after=6, keep_with_next=True
        ),
        Role.LIST_ITEM: RoleStyle(space_after=4, indent=18),
        Role.QUOTE: RoleStyle(italic=True, space_after=10, indent=24),
        Role.CLOSING: RoleStyle(space_before=4, space_after=36, keep_with_next=True),
        Role.SIGNATURE: RoleStyle(space_after=12, keep_together=True),
        Role.CC: RoleStyle(size=9.5, space_before=18, keep_together=True),
        Role.ENCLOSURES: RoleStyle(size=9.5, space_before=12, keep_together=True),
    }


def default_margins(page_size: Literal["letter", "a4"]) -> Margins:
    """The built-in margins: the measure centred across the page (side margins of 1⅝ in on
    Letter, 38.3 mm on A4), one inch above and below (25 mm on A4)."""
    edge = EDGE_MARGINS[page_size]
    side = round((PAGE_SIZES[page_size][0] - MEASURE) / 2, 2)
    return (edge, side, edge, side)


def default_theme(page_size: Literal["letter", "a4"], asset_root: Path | None = None) -> Theme:
    """The built-in theme: restrained and classic."""
    return workspace_theme(ThemeSettings(), page_size, asset_root)


def workspace_theme(
    settings: ThemeSettings, page_size: Literal["letter", "a4"], asset_root: Path | None = None
) -> Theme:
    """The built-in theme with a workspace's changes (``theme:`` in letterforge.yaml)."""
    margins: Margins = default_margins(page_size)
    if isinstance(settings.margins, float):
        margins = (settings.margins,) * 4
    elif settings.margins is not None:
        sides = settings.margins
        margins = (sides.top, sides.right, sides.bottom, sides.left)
    roles = default_roles(settings.accent or ACCENT)
    for role, look in settings.styles.items():
        changes = {key: value for key, value in look.model_dump().items() if value is not None}
        roles[role] = replace(roles[role], **changes)
    base = Theme()
    return Theme(
        page_size=page_size,
        margins=margins,
        fonts=(*settings.fonts, "serif") if settings.fonts else base.fonts,
        word_font=settings.word_font or base.word_font,
        size=settings.size or base.size,
        line_height=settings.line_height or base.line_height,
        color=settings.color or base.color,
        logo_height=settings.logo_height or base.logo_height,
        signature_height=settings.signature_height or base.signature_height,
        roles=roles,
        asset_root=asset_root,
    )
