"""Thin, typed access to the PC/SC service (pcscd) through pyscard's low-level API: establishing
a context, listing readers and turning result codes into our errors. Low-level on purpose: the
monitor needs SCardGetStatusChange/SCardCancel and exact result codes to survive a restarted
service or an unplugged reader, which pyscard's high-level observers do not."""

from __future__ import annotations

from smartcard import scard

from hardware.cards.errors import NoReaderError, ReaderServiceError

# pcsc-lite's pseudo reader that reports readers being plugged in or out.
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


def code(hr: int) -> int:
    """pyscard may return result codes signed or unsigned; compare them as unsigned."""
    return hr & 0xFFFFFFFF


def is_code(hr: int, *names: int) -> bool:
    return code(hr) in {code(n) for n in names}


SERVICE_GONE = (
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_F_COMM_ERROR,
)
CARD_GONE = (
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_W_RESET_CARD,
    scard.SCARD_W_UNPOWERED_CARD,
)


def describe(hr: int) -> str:
    return f"{scard.SCardGetErrorMessage(hr)} (0x{code(hr):08X})"


def establish() -> int:
    hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        raise ReaderServiceError(f"PC/SC service (pcscd) not reachable: {describe(hr)}")
    return context


def release(context: int) -> None:
    scard.SCardReleaseContext(context)


def list_readers(context: int) -> list[str]:
    hr, readers = scard.SCardListReaders(context, [])
    if is_code(hr, scard.SCARD_E_NO_READERS_AVAILABLE):
        return []
    if hr != scard.SCARD_S_SUCCESS:
        raise ReaderServiceError(f"cannot list PC/SC readers: {describe(hr)}")
    return list(readers)


def matching(readers: list[str], name_filter: str) -> list[str]:
    """Readers whose name contains the filter (case-insensitive); all of them for no filter."""
    wanted = name_filter.casefold()
    return [r for r in readers if wanted in r.casefold()]


def require_readers(context: int, name_filter: str) -> list[str]:
    readers = list_readers(context)
    found = matching(readers, name_filter)
    if not found:
        what = f"matching {name_filter!r} " if name_filter else ""
        raise NoReaderError(f"no PC/SC reader {what}connected (readers seen: {readers or 'none'})")
    return found
