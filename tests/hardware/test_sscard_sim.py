"""The simulated social security card reader the kiosk tests and demos use, and the URIs."""

from __future__ import annotations

import pytest

from hardware.cards import (
    CardEvent,
    CardEventKind,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    open_card_reader,
)
from hardware.cards.pcsc_reader import PcscCardReader
from hardware.cards.sscard_sim import SimCardReader, sample_card
from hardware.health import Health, HealthLevel


def test_sim_presents_reads_and_removes() -> None:
    sim = open_card_reader("sim")
    assert isinstance(sim, SimCardReader)
    events: list[CardEvent] = []
    sim.start(events.append)
    with pytest.raises(NoCardError):
        sim.read_card()
    sim.present_card()
    assert sim.read_card().name == "张三"
    sim.remove_card()
    assert [e.kind for e in events] == [
        CardEventKind.READER_ADDED, CardEventKind.INSERTED, CardEventKind.REMOVED,
    ]


def test_sim_third_generation_card_withholds() -> None:
    card = sample_card(generation=3)
    assert card.generation == 3 and not card.identifies_holder
    assert set(card.withheld_fields) == {"card_number", "social_security_number", "name"}


def test_sim_failures() -> None:
    sim = SimCardReader()
    healths: list[Health] = []
    sim.start(lambda _event: None, healths.append)
    sim.present_card()
    sim.fail_next_read()
    with pytest.raises(CardRemovedError):
        sim.read_card()
    sim.unplug()
    assert sim.health().level is HealthLevel.ERROR and sim.readers() == []
    with pytest.raises(NoReaderError):
        sim.read_card()
    sim.replug()
    assert [h.level for h in healths] == [HealthLevel.ERROR, HealthLevel.OK]


@pytest.mark.parametrize(
    "uri, reader_filter",
    [
        ("pcsc:", ""),
        ("pcsc", ""),
        ("sscard:pcsc:ACS ACR39U", "ACS ACR39U"),
        ("pcsc:Virtual", "Virtual"),
    ],
)
def test_pcsc_uris(uri: str, reader_filter: str) -> None:
    reader = open_card_reader(uri)
    assert isinstance(reader, PcscCardReader) and reader.reader_filter == reader_filter


@pytest.mark.parametrize(
    "uri, message",
    [("usb:1", "unknown transport"), ("idcard:pcsc:", "names a idcard device"),
     ("pcsc:x?timeout=1", "unknown option"), ("  ", "empty")],
)
def test_bad_uris(uri: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_card_reader(uri)


def _protocol_methods(protocol: type) -> set[str]:
    return {name for name in vars(protocol) if not name.startswith("_")}


@pytest.mark.parametrize(
    "protocol, implementations",
    [
        ("SocialSecurityCardReader", ("PcscCardReader", "SimCardReader")),
        ("IdentityCardReader", ("SerialIdCardReader", "SimIdCardReader")),
    ],
)
def test_real_readers_and_twins_offer_the_same_interface(
    protocol: str, implementations: tuple[str, ...]
) -> None:
    import inspect

    import hardware.cards as cards

    wanted = _protocol_methods(getattr(cards, protocol))
    for name in implementations:
        cls = getattr(cards, name)
        assert wanted <= set(dir(cls)), f"{name} lacks {wanted - set(dir(cls))}"
        for method in wanted:
            ours = inspect.signature(getattr(getattr(cards, protocol), method)).parameters
            theirs = inspect.signature(getattr(cls, method)).parameters
            assert list(ours)[: len(ours)] == list(theirs)[: len(ours)], f"{name}.{method}"


def test_scanners_offer_the_same_interface() -> None:
    import hardware.scanner as scanner

    wanted = _protocol_methods(scanner.BarcodeScanner)
    for cls in (scanner.EvdevScanner, scanner.SerialScanner, scanner.SimScanner):
        assert wanted <= set(dir(cls)), cls.__name__
