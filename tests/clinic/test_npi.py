import pytest
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from clinic.npi import check_digit, is_valid_npi, validate_npi

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
FULL_WIDTH_NPI = "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff13"


class NpiTests(SimpleTestCase):
    def test_the_published_example_npi_is_valid(self) -> None:
        assert is_valid_npi("1234567893")

    def test_a_wrong_last_digit_is_refused_with_a_clear_message(self) -> None:
        with pytest.raises(ValidationError, match="last digit does not match"):
            validate_npi("1234567890")

    def test_anything_but_ten_digits_is_refused(self) -> None:
        for value in ["123456789", "12345678931", "12345678a3", FULL_WIDTH_NPI, ""]:
            with self.subTest(value=value), pytest.raises(ValidationError, match="exactly ten digits"):
                validate_npi(value)

    @given(nine_digits)
    def test_the_computed_check_digit_always_validates(self, first_nine: str) -> None:
        assert is_valid_npi(first_nine + check_digit(first_nine))

    @given(nine_digits, st.integers(min_value=1, max_value=9))
    def test_changing_the_check_digit_always_invalidates(self, first_nine: str, shift: int) -> None:
        wrong = (int(check_digit(first_nine)) + shift) % 10
        assert not is_valid_npi(f"{first_nine}{wrong}")

    @given(nine_digits, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
    def test_a_single_mistyped_digit_is_caught(self, first_nine: str, position: int, shift: int) -> None:
        npi = first_nine + check_digit(first_nine)
        typo = npi[:position] + str((int(npi[position]) + shift) % 10) + npi[position + 1 :]
        assert not is_valid_npi(typo)
