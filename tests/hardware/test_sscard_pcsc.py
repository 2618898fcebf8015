"""The social security card reader end to end: pyscard → a real pcscd → vsmartcard's virtual
reader → an emulated card whose files these tests define (pcsc_fixtures)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
from datetime import date

import pytest
from pcsc_fixtures import (  # noqa: F401  (pcsc_stack is a fixture pcsc needs)
    READER,
    PcscStack,
    VirtualSsCard,
    pcsc,
    pcsc_stack,
    third_generation_card,
)

from hardware.cards import (
    CardEvent,
    CardEventKind,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NotSocialSecurityCardError,
    SocialSecurityCard,
    open_card_reader,
)
from hardware.health import HealthLevel

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_second_generation_card_is_read_whole(pcsc: PcscStack) -> None:
    pcsc.insert(VirtualSsCard())
    card = open_card_reader("pcsc:Virtual PCD 00 00").read_card()

    assert card.atr == bytes.fromhex("3B6C00000081311FE75A434C0000000000")
    assert card.card_id_code == "370100D15600000500A1B2C3D4E5F6A7"
    assert card.region_code == "370100"
    assert card.card_type == "3"
    assert card.spec_version == "2.00" and card.generation == 2
    assert card.initialising_org == "370100000001"
    assert card.issue_date == date(2021, 6, 1)
    assert card.expiry_date == date(2031, 6, 1)
    assert card.card_number == "A12345678"
    assert card.social_security_number == "370102199001011231"
    assert card.name == "张三丰"
    assert card.sex == "男"
    assert card.nation == "回"
    assert card.birthplace == "370102"
    assert card.birth_date == date(1990, 1, 1)
    assert card.withheld_fields == ()
    assert card.identifies_holder


def test_text_forms_of_a_card_are_masked(pcsc: PcscStack) -> None:
    pcsc.insert(VirtualSsCard())
    card = open_card_reader("pcsc:").read_card()

    for shown in (repr(card), str(card), f"{card}"):
        assert "张*" in shown and "张三丰" not in shown
        assert "3701**********1231" in shown and "370102199001011231" not in shown
        assert "A12345678" not in shown
        assert "1990-01-01" not in shown


def test_third_generation_card_reports_withheld_fields(pcsc: PcscStack) -> None:
    pcsc.insert(third_generation_card())
    card = open_card_reader("pcsc:").read_card()

    assert card.spec_version == "3.00" and card.generation == 3
    assert set(card.withheld_fields) == {"name", "social_security_number", "card_number"}
    assert card.name is None and card.social_security_number is None and card.card_number is None
    assert card.card_id_code.startswith("370100")  # what the kiosk resolves the person with
    assert card.sex == "男" and card.birth_date == date(1990, 1, 1)
    assert not card.identifies_holder


def test_card_refusing_the_holder_file_withholds_all_of_it(pcsc: PcscStack) -> None:
    pcsc.insert(third_generation_card(refuse_files=["EF06"], withhold={}))
    card = open_card_reader("pcsc:").read_card()

    assert set(card.withheld_fields) == {
        "social_security_number", "name", "sex", "nation", "birthplace", "birth_date",
    }
    assert card.card_number == "A12345678"


def test_chained_answers_are_fetched_with_get_response(pcsc: PcscStack) -> None:
    # Every answer comes as 61xx in chunks of 7 bytes: the name record needs several rounds.
    pcsc.insert(VirtualSsCard(chained=True, chunk=7))
    card = open_card_reader("pcsc:").read_card()

    assert card.name == "张三丰" and card.card_number == "A12345678"
    assert card.social_security_number == "370102199001011231"


def test_wrong_length_is_resent_after_6cxx(pcsc: PcscStack) -> None:
    # The name record is 20 bytes on this card, not the specification's 30: the card answers
    # 6C16 to our Le and the reader asks again with it.
    pcsc.insert(VirtualSsCard(le_mode="6c", short_name_record=True, chained=True, chunk=200))
    card = open_card_reader("pcsc:").read_card()

    assert card.name == "张三丰"
    assert card.birth_date == date(1990, 1, 1)


def test_other_card_is_refused_clearly(pcsc: PcscStack) -> None:
    pcsc.insert(VirtualSsCard(aid="A000000003000000"))

    with pytest.raises(NotSocialSecurityCardError) as caught:
        open_card_reader("pcsc:").read_card()
    assert caught.value.health.level is HealthLevel.WARNING
    assert "社会保障卡" in caught.value.health.message_zh


def test_no_card_is_a_clear_error(pcsc: PcscStack) -> None:
    with pytest.raises(NoCardError) as caught:
        open_card_reader("pcsc:").read_card()
    assert "请插入社会保障卡" == caught.value.health.message_zh


def test_card_pulled_out_mid_read_is_a_clear_error(pcsc: PcscStack) -> None:
    pcsc.insert(VirtualSsCard(die_on="EF06:09"))

    with pytest.raises(CardRemovedError) as caught:
        open_card_reader("pcsc:").read_card()
    assert "拔出" in caught.value.health.message_zh
    assert "during the read" in caught.value.health.message_en


def test_no_matching_reader_gives_error_health(pcsc: PcscStack) -> None:
    reader = open_card_reader("pcsc:No Such Reader")

    health = reader.health()
    assert health.level is HealthLevel.ERROR
    assert health.message_zh == "未连接读卡器，请联系工作人员"
    assert "No Such Reader" in health.message_en
    with pytest.raises(NoReaderError):
        reader.read_card()
    assert open_card_reader("pcsc:Virtual").health().level is HealthLevel.OK


def test_no_pcsc_service_gives_error_health(tmp_path) -> None:
    # A client pointed at a socket no pcscd serves sees what a kiosk sees when pcscd is down.
    code = (
        "from hardware.cards import open_card_reader\n"
        "h = open_card_reader('pcsc:').health()\n"
        "print(h.level.value); print(h.message_zh); print(h.message_en)\n"
    )
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(tmp_path / "none.comm")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    )
    level, zh, en = done.stdout.splitlines()
    assert level == "error"
    assert zh == "读卡器服务未启动，请联系工作人员"
    assert "pcscd" in en


def _next(events: queue.Queue, kind: CardEventKind) -> CardEvent:
    while True:
        event = events.get(timeout=15)  # a bound for a broken stack, not a timing check
        if event.kind is kind:
            return event


def test_monitor_reports_insert_and_remove(pcsc: PcscStack) -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    reader = open_card_reader("pcsc:Virtual PCD 00 00")
    reader.start(events.put)
    try:
        assert _next(events, CardEventKind.READER_ADDED).reader == READER
        pcsc.insert(VirtualSsCard())
        inserted = _next(events, CardEventKind.INSERTED)
        assert inserted.reader == READER
        assert inserted.atr == bytes.fromhex("3B6C00000081311FE75A434C0000000000")
        pcsc.remove()
        assert _next(events, CardEventKind.REMOVED).reader == READER
        pcsc.insert(third_generation_card())
        _next(events, CardEventKind.INSERTED)
        assert reader.read_card().generation == 3
        assert reader.health().level is HealthLevel.OK
    finally:
        reader.stop()


def test_monitor_survives_the_reader_going_away_and_back(pcsc: PcscStack) -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    healths: queue.Queue = queue.Queue()
    reader = open_card_reader("pcsc:Virtual PCD 00 00")
    reader.start(events.put, healths.put)
    try:
        pcsc.insert(VirtualSsCard())
        _next(events, CardEventKind.INSERTED)

        pcsc.restart_pcscd()  # the reader, and the card in it, vanish and come back

        assert _next(events, CardEventKind.REMOVED).reader == READER
        assert _next(events, CardEventKind.READER_REMOVED).reader == READER
        while healths.get(timeout=15).level is not HealthLevel.ERROR:
            pass
        assert _next(events, CardEventKind.READER_ADDED).reader == READER
        pcsc.insert(VirtualSsCard())
        _next(events, CardEventKind.INSERTED)
        assert reader.read_card().name == "张三丰"
        assert reader.health().level is HealthLevel.OK
    finally:
        reader.stop()


def test_card_repr_masks_when_built_directly() -> None:
    card = SocialSecurityCard(
        atr=b"\x3b",
        card_id_code="370100D156",
        name="王五",
        social_security_number="370102199001011231",
    )
    assert "王*" in repr(card) and "王五" not in repr(card)
    assert "3701**********1231" in str(card)


def test_leftover_pcscd_of_a_crashed_run_is_replaced(pcsc: PcscStack) -> None:
    # A run that died left its pcscd behind (marked, but not ours): the next session start
    # must kill it rather than fail or talk to it.
    import pcsc_fixtures

    pcsc.stop_pcscd()
    leftover = subprocess.Popen(
        ["unshare", "-n", "sh", "-c", "ip link set lo up && exec pcscd --foreground --error"],
        env={**os.environ, pcsc_fixtures.MARKER: "crashed-run"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        pcsc_fixtures._wait_until(pcsc_fixtures.reader_listed, "the leftover pcscd")
        pcsc._kill_stale()
        assert leftover.wait(timeout=15) is not None
        pcsc.start_pcscd()
        assert pcsc.pcscd is not None and pcsc.pcscd.pid != leftover.pid
        pcsc.insert(VirtualSsCard())
        assert open_card_reader("pcsc:").read_card().card_number == "A12345678"
    finally:
        if leftover.poll() is None:
            leftover.kill()
            leftover.wait()


def test_cli_reads_the_card_masked(pcsc: PcscStack, capsys: pytest.CaptureFixture[str]) -> None:
    from hardware.cli import main

    pcsc.insert(VirtualSsCard())
    assert main(["read-card", "--reader", "pcsc:Virtual PCD 00 00"]) == 0
    out = capsys.readouterr().out
    assert "health: ok" in out and "Virtual PCD 00 00" in out
    assert "张*" in out and "3701**********1231" in out
    assert "张三丰" not in out and "370102199001011231" not in out


def test_cli_says_when_a_third_generation_card_withholds(
    pcsc: PcscStack, capsys: pytest.CaptureFixture[str]
) -> None:
    from hardware.cli import main

    pcsc.insert(third_generation_card())
    assert main(["read-card"]) == 0
    assert "resolve the holder online" in capsys.readouterr().out


def test_cli_without_a_card_fails_clearly(
    pcsc: PcscStack, capsys: pytest.CaptureFixture[str]
) -> None:
    from hardware.cli import main

    assert main(["read-card", "--reader", "pcsc:"]) == 2
    assert "no card in reader" in capsys.readouterr().err
