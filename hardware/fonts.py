"""Find fonts for everything that renders text to pixels (ticket renderer, Kivy screens): one that
draws Chinese (Pillow's and Kivy's default fonts draw hanzi as empty boxes) and a monospaced one
for the half-width cells of receipt printers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

# An operator can point at any other font without code changes (e.g. a hall's licensed font).
ENV_VAR = "HALL_CJK_FONT"

# Debian's fonts-noto-cjk ships collections; face 2 of these .ttc files is Simplified Chinese (SC).
_DEBIAN_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0  # face inside a .ttc collection; 0 for plain .ttf/.otf

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return _load(str(self.path), self.index, size)


@lru_cache(maxsize=64)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    # Opening an OTF costs milliseconds; a ticket asks for the same few sizes again and again.
    return ImageFont.truetype(path, size=size, index=index)


def _pypi_font() -> Path | None:
    # Preferred: installed by pip with the project, so it works on machines without apt fonts.
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def find_cjk_font() -> FontFile:
    """The first CJK font found: $HALL_CJK_FONT (optionally `path#index`), the PyPI Noto Sans SC,
    then Debian's Noto CJK / WenQuanYi. Raises FileNotFoundError naming every place looked at."""
    looked: list[str] = []
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        path_text, _, index_text = override.partition("#")
        if Path(path_text).is_file():
            return FontFile(Path(path_text), int(index_text) if index_text.isdigit() else 0)
        looked.append(f"${ENV_VAR}={override}")
    pypi = _pypi_font()
    if pypi is not None:
        return FontFile(pypi)
    looked.append("pylopdf-fonts-zh-cn (pip)")
    for path_text, index in _DEBIAN_CANDIDATES:
        if Path(path_text).is_file():
            return FontFile(Path(path_text), index)
        looked.append(path_text)
    raise FileNotFoundError(
        "no font that can draw Chinese was found; install pylopdf-fonts-zh-cn or fonts-noto-cjk. "
        "Looked at: " + ", ".join(looked)
    )


# DejaVu Sans Mono is 0.6 em wide: at 20 px it fills a printer's 12-dot half-width cell exactly.
# python-barcode (a python-escpos dependency) ships it; Debian has it in fonts-dejavu-core.
_MONO_CANDIDATES: tuple[str, ...] = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",)


@lru_cache(maxsize=1)
def find_mono_font() -> FontFile | None:
    """A monospaced Latin font, or None (callers then fall back to the CJK font)."""
    try:
        import barcode

        bundled = Path(barcode.__file__).parent / "fonts" / "DejaVuSansMono.ttf"
        if bundled.is_file():
            return FontFile(bundled)
    except ImportError:
        pass
    for path_text in _MONO_CANDIDATES:
        if Path(path_text).is_file():
            return FontFile(Path(path_text))
    return None
