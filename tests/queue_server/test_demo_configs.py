"""The example halls in config/: they load, hang together, match the documented demo credentials,
open when they say they do, and bad variants of them are refused with the key named."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from queue_server import config as config_module
from queue_server.config import Config, ConfigError, load_config, parse_config
from queue_server.core.hours import is_open, next_opening
from queue_server.core.rate_limits import LoginLimits
from queue_server.core.rate_limits import Rule as LoginRule
from queue_server.evaluation.settings import EvaluationSettings, Upload
from queue_server.security.passwords import token_sha256, verify_password

ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = ROOT / "config"
# Hall configurations (the folder also holds terminal configs such as kiosk-demo.toml, which are
# not hall files and have no [[halls]]).
CONFIG_FILES = sorted(p for p in CONFIG_DIR.glob("*.toml") if "halls" in tomllib.loads(p.read_text(encoding="utf-8")))
README = (CONFIG_DIR / "README.md").read_text(encoding="utf-8")
DEMO_PASSWORD = "demo1234"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _load(name: str) -> Config:
    return load_config(CONFIG_DIR / name)


def _hall(name: str):
    (hall,) = _load(name).halls
    return hall


def test_the_expected_files_exist():
    names = {p.name for p in CONFIG_FILES}
    assert {"demo.toml", "jinan-city.toml", "lixia-district.toml", "street-centre.toml", "all-halls.toml"} <= names


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.name)
def test_every_config_file_loads_and_hangs_together(path: Path):
    config = load_config(path)
    for hall in config.halls:
        queue_ids = {q.id for q in hall.queues}
        window_ids = {w.id for w in hall.windows}
        assert all(set(w.queues) <= queue_ids for w in hall.windows)
        assert all(set(s.windows) <= window_ids for s in hall.staff)
        assert all(i.queue in queue_ids for i in hall.items)
        # Every queue is served somewhere and offers at least one item.
        assert queue_ids == {q for w in hall.windows for q in w.queues}
        assert queue_ids == {i.queue for i in hall.items}
        # Every item carries a guide a citizen can act on.
        for item in hall.items:
            assert item.guide.conditions and item.guide.materials and item.guide.process, item.code
            assert item.guide.location and item.guide.basis and item.name_en, item.code
            assert item.guide.promised_limit_days is not None and item.guide.legal_limit_days is not None
            assert item.guide.promised_limit_days <= item.guide.legal_limit_days or item.guide.legal_limit_days == 0
        assert any(s.role == "manager" for s in hall.staff)
        assert {d.kind for d in hall.devices} >= {"kiosk", "display"}


def test_jinan_city_counts_and_window_kinds():
    hall = _hall("jinan-city.toml")
    assert hall.id == "jn-city" and hall.timezone == "Asia/Shanghai"
    assert len(hall.queues) == 12
    assert len(hall.items) >= 100
    assert 38 <= len(hall.windows) <= 42
    assert 40 <= len(hall.staff) <= 50
    assert sum(s.role == "manager" for s in hall.staff) == 3
    assert all(re.fullmatch(r"s\d{3}", s.id) for s in hall.staff)
    tags = [t for w in hall.windows for t in w.tags]
    assert tags.count("comprehensive") >= 3 and tags.count("tidal") >= 2 and "green" in tags
    special_queues = {q for w in hall.windows if "special" in w.tags for q in w.queues}
    by_name = {q.name: q.id for q in hall.queues}
    assert {by_name["办不成事反映"], by_name["帮办代办"]} <= special_queues
    assert hall.queue(by_name["出入境"]).daily_limit
    assert all(q.name_en and q.default_service_s for q in hall.queues)
    assert hall.supervision_phone == "0531-12345" and hall.address and hall.notice
    # Items come from the JSON catalogue and a few inline ones, with codes in the national style.
    raw = tomllib.loads((CONFIG_DIR / "jinan-city.toml").read_text(encoding="utf-8"))
    assert 0 < len(raw["halls"][0]["items"]) < len(hall.items)
    assert all(re.fullmatch(r"[0-9A-Z]{18}\d{13}", i.code) for i in hall.items)
    names = {i.name for i in hall.items}
    assert {"企业设立登记", "不动产转移登记（存量房买卖）", "城乡居民基本养老保险参保登记",
            "住房公积金个人提取（购房）", "居民身份证换领", "往来港澳通行证签注", "机动车驾驶证换证"} <= names
    devices = {d.id: d.kind for d in hall.devices}
    assert {devices[f"kiosk-{n}"] for n in range(1, 5)} == {"kiosk"}
    assert devices["screen-hall"] == "display" and devices["sd-reservation"] == "integration"


def test_smaller_halls_counts():
    demo = _hall("demo.toml")
    assert demo.hours is None  # open at any hour
    assert (len(demo.queues), len(demo.windows), len(demo.staff)) == (5, 8, 6)
    assert len(demo.items) >= 20
    assert {"tidal", "comprehensive"} <= {t for w in demo.windows for t in w.tags}
    assert [d.kind for d in demo.devices].count("kiosk") == 2
    assert [d.kind for d in demo.devices].count("display") == 2
    assert [d.kind for d in demo.devices].count("integration") == 1
    assert demo.item_catalogue.endswith(".csv")
    lixia = _hall("lixia-district.toml")
    assert len(lixia.queues) == 8 and 14 <= len(lixia.windows) <= 16 and 35 <= len(lixia.items) <= 45
    assert lixia.item_catalogue.endswith(".csv")
    street = _hall("street-centre.toml")
    assert len(street.queues) == 4 and len(street.windows) == 3 and 12 <= len(street.items) <= 18
    assert "24小时" in street.notice


def test_all_halls_combines_the_three():
    combined = _load("all-halls.toml")
    assert [h.id for h in combined.halls] == ["jn-city", "jn-lixia", "jn-lixia-qcl"]
    for name in ("jinan-city.toml", "lixia-district.toml", "street-centre.toml"):
        single = _hall(name)
        assert combined.hall(single.id) == single


def _readme_rows(pattern: str) -> list[tuple[str, re.Match]]:
    """(hall id, match) for every README line matching `pattern` under a `### `hall`` heading."""
    rows, hall = [], None
    for line in README.splitlines():
        heading = re.match(r"### `([a-z0-9-]+)`", line)
        hall = heading.group(1) if heading else hall
        row = re.match(pattern, line)
        if row:
            rows.append((hall, row))
    return rows


def _readme_tokens() -> dict[tuple[str, str], str]:
    pattern = r"\| `([A-Za-z0-9_.-]+)` \| (kiosk|display|integration|evaluator) \| .* \| `([^`]+)` \|$"
    return {(hall, row.group(1)): row.group(3) for hall, row in _readme_rows(pattern)}


def _readme_staff() -> set[tuple[str, str]]:
    return {(hall, row.group(1)) for hall, row in _readme_rows(r"\| `([A-Za-z0-9_-]+)` \| \S+ \| (staff|manager) \|")}


def test_readme_lists_every_device_token_and_they_match():
    tokens = _readme_tokens()
    halls = {h.id: h for path in CONFIG_FILES for h in load_config(path).halls}
    configured = {(h.id, d.id): d.token_sha256 for h in halls.values() for d in h.devices}
    assert set(tokens) == set(configured)
    for key, token in tokens.items():
        assert token_sha256(token) == configured[key], key
    assert tokens[("demo", "kiosk-1")] == "demo-kiosk-1-token"
    # One token never opens two halls.
    assert len(set(configured.values())) == len(configured)


def test_readme_lists_every_staff_login():
    halls = {h.id: h for path in CONFIG_FILES for h in load_config(path).halls}
    assert _readme_staff() == {(h.id, s.id) for h in halls.values() for s in h.staff}
    assert f"**`{DEMO_PASSWORD}`**" in README


def test_demo_password_verifies_for_a_sample_of_staff():
    sample = list(_hall("demo.toml").staff)
    jinan = _hall("jinan-city.toml").staff
    sample += [jinan[0], jinan[-1]]  # a staff member and a manager
    sample += [_hall("lixia-district.toml").staff[-1], _hall("street-centre.toml").staff[0]]
    for person in sample:
        assert verify_password(person.password_hash, DEMO_PASSWORD), person.id
    assert not verify_password(sample[0].password_hash, "demo12345")


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at("2026-11-24", "10:00"), True),  # Tuesday morning
        (at("2026-11-24", "12:30"), False),  # Tuesday lunch break
        (at("2026-11-24", "08:59"), False),
        (at("2026-11-24", "11:29"), True),
        (at("2026-11-24", "11:30"), False),  # no new tickets in the last 30 minutes
        (at("2026-11-24", "16:29"), True),
        (at("2026-11-24", "16:45"), False),  # winter afternoon ends at 17:00
        (at("2027-06-15", "16:45"), True),  # summer afternoon runs to 17:30
        (at("2026-11-28", "10:00"), True),  # Saturday extended service
        (at("2026-11-28", "14:00"), False),
        (at("2026-11-29", "10:00"), False),  # Sunday
        (at("2027-02-08", "10:00"), False),  # Spring Festival (a Monday)
        (at("2027-02-06", "10:00"), False),  # Spring Festival Saturday: no extended service
        (at("2027-01-31", "10:00"), True),  # 调休 working Sunday
        (at("2027-01-31", "14:00"), True),
    ],
)
def test_jinan_hours(moment: dt.datetime, expected: bool):
    hall = _hall("jinan-city.toml")
    assert is_open(hall.hours, moment, hall.zone) is expected


def test_opening_times():
    hall = _hall("jinan-city.toml")
    # Friday evening: next opening is the Saturday extended service.
    assert next_opening(hall.hours, at("2026-11-27", "18:00"), hall.zone) == at("2026-11-28", "09:00")
    # Spring Festival: closed 02-05..02-12; the Saturday after (02-13) has its extended service again.
    assert next_opening(hall.hours, at("2027-02-04", "18:00"), hall.zone) == at("2027-02-13", "09:00")
    street = _hall("street-centre.toml")
    assert not is_open(street.hours, at("2026-11-24", "12:00"), street.zone)
    assert not is_open(street.hours, at("2026-11-28", "10:00"), street.zone)  # no Saturday service
    assert is_open(street.hours, at("2026-11-24", "14:30"), street.zone)
    lixia = _hall("lixia-district.toml")
    assert is_open(lixia.hours, at("2026-11-24", "12:30"), lixia.zone)  # 午间不间断
    demo = _hall("demo.toml")
    assert is_open(demo.hours, at("2026-11-29", "03:00"), demo.zone)


def test_docs_describe_every_key():
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    models = (config_module.Config, config_module.ServerSettings, config_module.Hall, config_module.Queue,
              config_module.Item, config_module.Guide, config_module.Window, config_module.Staff,
              config_module.Device, config_module.Hours, config_module.HoursRule, config_module.DateOverride,
              LoginLimits, LoginRule, EvaluationSettings, Upload)
    missing = [f"{m.__name__}.{key}" for m in models for key in m.model_fields if f"| `{key}`" not in text]
    assert not missing


# ---- bad variants of the demo hall ---------------------------------------------------------


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    shutil.copy(CONFIG_DIR / "demo.toml", tmp_path / "demo.toml")
    shutil.copytree(CONFIG_DIR / "catalogue", tmp_path / "catalogue")
    return tmp_path


def _raw() -> dict:
    return tomllib.loads((CONFIG_DIR / "demo.toml").read_text(encoding="utf-8"))


def _error(data: dict, base: Path = CONFIG_DIR) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, base)
    return str(caught.value)


def test_the_unmodified_raw_demo_parses():
    assert parse_config(_raw(), CONFIG_DIR).halls[0].id == "demo"


def test_unknown_key_is_named():
    data = _raw()
    data["halls"][0]["windows"][2]["colour"] = "red"
    message = _error(data)
    assert "W03" in message and "colour" in message and "unknown key" in message


def test_window_serving_a_missing_queue_is_named():
    data = _raw()
    data["halls"][0]["windows"][0]["queues"] = ["A", "Z"]
    message = _error(data)
    assert "W01" in message and "'Z'" in message


def test_staff_with_a_missing_window_is_named():
    data = _raw()
    data["halls"][0]["staff"][1]["windows"] = ["W99"]
    message = _error(data)
    assert "s002" in message and "W99" in message


def test_bad_timezone_is_named():
    data = _raw()
    data["halls"][0]["timezone"] = "Asia/Jinan"
    message = _error(data)
    assert "timezone" in message and "Asia/Jinan" in message


@pytest.mark.parametrize("section", ["queues", "windows", "staff", "devices"])
def test_duplicate_ids_are_named(section: str):
    data = _raw()
    entries = data["halls"][0][section]
    entries.append(dict(entries[0]))
    message = _error(data)
    assert "duplicate id" in message and entries[0]["id"] in message and section in message


def test_duplicate_item_code_between_catalogue_and_inline_items():
    data = _raw()
    first = parse_config(_raw(), CONFIG_DIR).halls[0].items[0]
    data["halls"][0]["items"] = [{"code": first.code, "name": "重复事项", "queue": "A"}]
    message = _error(data)
    assert "duplicate id" in message and first.code in message


def test_duplicate_hall_ids_are_named():
    data = _raw()
    data["halls"].append(copy.deepcopy(data["halls"][0]))
    assert "duplicate id 'demo' in halls" in _error(data)


def _edit_and_load(path: Path, edit) -> str:
    """Rewrite one file of the copied demo hall with `edit` (lines → lines); return the load error."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path.parent.parent / "demo.toml" if path.parent.name == "catalogue" else path)
    return str(caught.value)


def test_missing_item_catalogue_is_named(demo_dir: Path):
    message = _edit_and_load(demo_dir / "demo.toml", lambda lines: [
        line.replace("catalogue/demo-items.csv", "catalogue/nope.csv") for line in lines])
    assert "item_catalogue" in message and "nope.csv" in message


def test_catalogue_with_an_unknown_column_is_named(demo_dir: Path):
    message = _edit_and_load(demo_dir / "catalogue" / "demo-items.csv", lambda lines: [
        lines[0].replace("basis", "legal_basis"), *lines[1:]])
    assert "item_catalogue" in message and "legal_basis" in message


def test_catalogue_item_in_a_missing_queue_is_named(demo_dir: Path):
    lines = (demo_dir / "catalogue" / "demo-items.csv").read_text(encoding="utf-8").splitlines()
    code = lines[1].split(",")[0]
    message = _edit_and_load(demo_dir / "catalogue" / "demo-items.csv", lambda lines: [
        lines[0], lines[1].replace(",A,", ",Q,", 1), *lines[2:]])
    assert code in message and "'Q'" in message


# ---- the generator ---------------------------------------------------------------------------


def test_generated_files_are_current(monkeypatch: pytest.MonkeyPatch):
    """config/tools/make_demo.py reproduces every committed file. Hashing every password again
    is slow (argon2), so the committed hashes are reused; a sample is verified above."""
    spec = importlib.util.spec_from_file_location("make_demo", CONFIG_DIR / "tools" / "make_demo.py")
    make_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_demo)
    committed = {
        (h.id, s.id): s.password_hash for path in CONFIG_FILES for h in load_config(path).halls for s in h.staff
    }
    monkeypatch.setattr(make_demo, "demo_password_hash", lambda hall, staff: committed[(hall, staff)])
    for name, text in make_demo.outputs().items():
        assert (CONFIG_DIR / name).read_text(encoding="utf-8") == text, name
