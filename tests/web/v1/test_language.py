"""/v1's error messages are in the language of the request: English unless another is chosen,
and translated when the error is made, not when the module is imported."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from tests.web.v1.conftest import Api
from tidings.i18n import gettext, speaking
from tidings.web.v1.entry_filters import BadParameter, entry_filter

WRONG_DIRECTION = "direction must be asc or desc, not %(value)r"


def test_an_error_message_is_english_by_default(api: Api) -> None:
    response = api.client.get("/v1/entries?direction=sideways", headers=api.headers)
    assert response.status_code == 400
    assert response.json() == {"error_message": "direction must be asc or desc, not 'sideways'"}


def test_an_error_message_is_in_the_language_spoken_when_it_is_made() -> None:
    with speaking("de"):
        with pytest.raises(BadParameter) as raised:
            entry_filter(QueryParams("direction=sideways"))
        expected = gettext(WRONG_DIRECTION) % {"value": "sideways"}
    assert str(raised.value) == expected
    with pytest.raises(BadParameter) as english:
        entry_filter(QueryParams("direction=sideways"))
    assert str(english.value) == WRONG_DIRECTION % {"value": "sideways"}
