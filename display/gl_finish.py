"""`glFinish` that lets the other Python threads run while it waits.

Kivy's own `glFinish` holds Python's GIL: while the UI thread waits for a software renderer to
draw a frame (15-150 ms at 1080p), the stream thread could not even read the next event. Called
through ctypes (which releases the GIL) with the address SDL gives for the current GL context,
the same function Kivy would call, the wait blocks the UI thread only. Falls back to Kivy's."""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Callable

log = logging.getLogger("display.gl")


def _sdl_library() -> str | None:
    """The SDL2 library this process loaded (Kivy's bundled copy or the system's), from its maps."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip()
                name = os.path.basename(path)
                if name.startswith("libSDL2") and not name.startswith("libSDL2_"):
                    return path
    except OSError:
        return None
    return None


def gl_finish() -> Callable[[], None]:
    """A glFinish for the current GL context; call once the window exists."""
    from kivy.graphics import opengl

    path = _sdl_library()
    if path is not None:
        try:
            sdl = ctypes.CDLL(path)
            sdl.SDL_GL_GetProcAddress.restype = ctypes.c_void_p
            sdl.SDL_GL_GetProcAddress.argtypes = [ctypes.c_char_p]
            address = sdl.SDL_GL_GetProcAddress(b"glFinish")
            if address:
                return ctypes.CFUNCTYPE(None)(address)
        except (OSError, AttributeError) as exc:
            log.debug("no glFinish from SDL (%s): using Kivy's", exc)
    return opengl.glFinish
