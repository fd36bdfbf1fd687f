"""Light and dark: every icon exists and reads on dark; our colours suit the palette."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.ui.icons import ICONS, RESOURCES, icon
from crm_desktop.ui.palette import (
    ColorScheme,
    apply_color_scheme,
    dark_palette,
    for_palette,
    overdue_colour,
)
from crm_desktop.ui.screens import SCREENS
from crm_desktop.ui.widgets.deal_card import CardTexts, DealCardWidget, DealDrag

PACKAGE = Path(__file__).resolve().parents[2] / "crm_desktop"


def _used_icon_names() -> set[str]:
    """Every literal name passed to icon(...) in the package, and the screens'."""
    names = {screen.icon_name for screen in SCREENS}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "icon"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(str(node.args[0].value))
    return names


def _luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in colour.getRgb()[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: QColor, second: QColor) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def dark(qapp: QApplication) -> Iterator[QPalette]:
    """The application in the dark scheme; its own palette back after."""
    style, palette = qapp.style().name(), qapp.palette()
    apply_color_scheme(qapp, ColorScheme.DARK)
    yield qapp.palette()
    qapp.setStyle(style)
    qapp.setPalette(palette)


def test_every_icon_the_program_uses_is_a_file_in_resources() -> None:
    names = _used_icon_names()

    missing = sorted(n for n in names if not (ICONS / f"{n}.svg").is_file())

    assert {"contacts", "pipeline", "tasks", "search", "new"} <= names
    assert missing == []


def test_icons_are_lightened_on_a_dark_palette_and_stand_out_from_it(
    qtbot: QtBot, dark: QPalette
) -> None:
    window = dark.color(QPalette.ColorRole.Window)
    for name in sorted(_used_icon_names()):
        image = icon(name).pixmap(24, 24).toImage()
        assert not image.isNull(), name
        drawn = [
            image.pixelColor(x, y)
            for x in range(24)
            for y in range(24)
            if image.pixelColor(x, y).alpha() > 200
        ]
        assert drawn, f"{name} draws nothing"
        best = max(contrast(colour, window) for colour in drawn)
        assert best >= 3.0, f"{name}: contrast {best:.1f} on the dark window"


def test_the_dark_palette_is_dark_and_its_text_reads() -> None:
    palette = dark_palette()
    role = QPalette.ColorRole

    assert palette.color(role.Window).lightness() < 64
    for text, ground in (
        (role.WindowText, role.Window),
        (role.Text, role.Base),
        (role.Text, role.AlternateBase),
        (role.HighlightedText, role.Highlight),
        (role.ButtonText, role.Button),
    ):
        assert contrast(palette.color(text), palette.color(ground)) >= 4.5, text


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_overdue_red_reads_on_the_card_it_is_drawn_on(scheme: str) -> None:
    palette = dark_palette() if scheme == "dark" else QPalette(QColor("#efefef"))
    card = palette.color(QPalette.ColorRole.Base)

    assert contrast(overdue_colour(palette), card) >= 4.5


def test_the_style_sheets_error_red_turns_light_on_a_dark_palette() -> None:
    text = (RESOURCES / "style.qss").read_text(encoding="utf-8")

    on_dark = for_palette(text, dark_palette())

    assert "#b3261e" in text and "#b3261e" not in on_dark
    assert "#ff8a80" in on_dark
    assert for_palette(text, QPalette(QColor("#efefef"))) == text


def test_an_overdue_card_draws_readable_text_on_dark(
    qtbot: QtBot, dark: QPalette
) -> None:
    texts = CardTexts(
        title="Roof repair",
        company="Acme Ltd",
        amount="€1,200.00",
        owner="Ada Admin",
        expected_close="3 Jan 2027",
        overdue=True,
    )
    holder = QWidget()
    qtbot.addWidget(holder)
    card = DealCardWidget(DealDrag(1, 1, 1), texts, movable=True, parent=holder)
    card.resize(card.sizeHint())

    image: QImage = card.grab().toImage()

    background = image.pixelColor(image.width() - 12, image.height() // 2)
    assert background.lightness() < 80, "the card is not drawn dark"
    colours = {
        image.pixelColor(x, y).rgb()
        for x in range(image.width())
        for y in range(image.height())
    }
    best = max(contrast(QColor.fromRgb(c), background) for c in colours)
    assert best >= 7.0
    red = overdue_colour(QGuiApplication.palette())
    assert any(
        abs(QColor.fromRgb(c).red() - red.red()) < 8
        and abs(QColor.fromRgb(c).green() - red.green()) < 8
        for c in colours
    ), "no overdue date drawn in the dark palette's red"
