"""The shared personal-data rules: one masking rule set, one identity-number rule, one phone rule."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hall_common.id_numbers import (
    birth_date,
    check_digit,
    id_number_problem,
    is_valid_id_number,
)
from hall_common.personal_data import (
    mask_id_number,
    mask_name,
    mask_phone,
    mask_typed,
    scrub,
)
from hall_common.phones import is_mobile_number


def test_names_keep_the_first_character_only():
    assert mask_name("张三丰") == "张*"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧*"
    assert mask_name("Li Lei") == "L*"
    assert mask_name("王") == "*"
    assert mask_name("  ") == "" and mask_name(None) == ""


def test_identity_numbers_and_phones_keep_their_ends():
    assert mask_id_number("370102199001011231") == "3701**********1231"
    assert mask_phone("13800000000") == "138****0000"
    assert mask_id_number("1234") == "****" and mask_phone("") == ""


def test_free_text_is_scrubbed_of_numbers_even_with_a_wrong_check_digit():
    text = "请联系 13912345678，证件 370102199001011232 或 37010219900101123x"
    out = scrub(text)
    assert "13912345678" not in out and "139****5678" in out
    assert "370102199001011232" not in out and "3701**********1232" in out
    assert "3701**********123x" in out
    # A longer run of digits (an order number) is not a phone.
    assert scrub("单号 2024113800000000") == "单号 2024113800000000"


def test_typed_values_are_masked_while_typed():
    assert mask_typed("370102199001011231", "id") == "3701**********1231"
    assert mask_typed("37010219", "id") == "3701****"
    assert mask_typed("13800", "phone") == "138**"
    assert mask_typed("AB12", "text") == "AB12"


def test_the_keypad_case_that_used_to_pass_the_kiosk_and_fail_the_server():
    # Check digit right, but no region starts with 0: refused everywhere now.
    value = "01010219900101123"
    value += check_digit(value)
    assert not is_valid_id_number(value)
    assert "18 characters" in (id_number_problem(value) or "")


def test_id_number_rules():
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")  # normalised
    assert not is_valid_id_number("110105194912310021")  # check digit
    assert id_number_problem("110105194902300021") == "the identity number's birth date is not a real date"
    future = "11010520991231001"
    assert "out of range" in (id_number_problem(future + check_digit(future)) or "")
    assert birth_date("11010519491231002X") == dt.date(1949, 12, 31)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17).filter(lambda s: s[0] != "0"))
def test_exactly_one_check_character_fits(first17: str):
    fits = [c for c in "0123456789X" if is_valid_id_number(first17 + c, today=dt.date(9999, 1, 1))]
    try:
        dt.date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14]))
        plausible = int(first17[6:10]) >= 1880
    except ValueError:
        plausible = False
    assert fits == ([check_digit(first17)] if plausible else [])


def test_mobile_numbers():
    assert is_mobile_number("13800000000") and is_mobile_number("19912345678")
    assert not is_mobile_number("12800000000") and not is_mobile_number("1380000000")
    assert not is_mobile_number("138000000001")
