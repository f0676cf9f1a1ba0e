"""Labels, which are folders here: ``tag/list``, ``rename-tag`` and ``disable-tag``.

The labels are the person's folders (``type`` folder) beside the starred state, and the labels
rules put on items (``type`` tag, the person's and the site's; a name that is also a folder's
is the folder). Renaming a folder moves its feeds; disabling one puts its feeds in no
folder. A folder's label is ``user/-/label/<name>``; ``s`` or ``t`` may name it (News+ sends the
bare name as ``t``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.synctypes import Folder
from tidings.web.api_common import Params
from tidings.web.context import run
from tidings.web.greader.common import call_of
from tidings.web.greader.ids import STARRED, label_stream, parse_stream
from tidings.web.greader.params import text
from tidings.web.greader.replies import ApiError, bad_request, ok, tagged_json


def _folders(agg: Aggregator, user_id: int) -> list[Folder]:
    return [f for f in agg.sync_folders(user_id) if f.name]


def _tags(agg: Aggregator, user_id: int) -> tuple[list[Folder], list[str]]:
    folders = _folders(agg, user_id)
    names = {f.name for f in folders}
    return folders, [label for label in agg.rule_labels(user_id) if label not in names]


async def tag_list(request: Request) -> Response:
    who, _ = await call_of(request)
    folders, labels = await run(_tags, request, who.user.id)
    tags: list[dict[str, Any]] = [{"id": STARRED}]
    tags += [{"id": label_stream(f.name), "label": f.name, "type": "folder"} for f in folders]
    tags += [{"id": label_stream(name), "label": name, "type": "tag"} for name in labels]
    return tagged_json(request, {"tags": tags})


def _label_name(value: str, key: str) -> str:
    """A label's name from its stream id, or the bare name itself."""
    stream = parse_stream(value)
    if stream is not None and stream.kind == "label":
        return stream.name
    if stream is not None or "/" in value:
        raise bad_request(
            _("%(key)s must name a label (user/-/label/<name>), not %(value)r")
            % {"key": key, "value": value}
        )
    return value


def _named(params: Params, key: str) -> list[str]:
    return [_label_name(v.strip(), key) for v in params.getlist(key) if v.strip()]


def _rename(agg: Aggregator, user_id: int, old: str, new: str) -> None:
    for folder in _folders(agg, user_id):
        if folder.name == old:
            agg.rename_folder(user_id, folder.id, new)
            return
    raise ApiError(404, _("no folder named %(name)r") % {"name": old})


async def rename_tag(request: Request) -> Response:
    """Rename the folder ``s`` (or ``t``) to ``dest``."""
    who, params = await call_of(request)
    old = (_named(params, "s") or _named(params, "t") or [""])[0]
    new = _label_name(text(params, "dest") or "", "dest")
    if not old or not new:
        raise bad_request(_("s names the label to rename and dest its new name"))
    if old != new:
        await run(_rename, request, who.user.id, old, new)
    return ok()


def _disable(agg: Aggregator, user_id: int, names: list[str]) -> None:
    for folder in _folders(agg, user_id):
        if folder.name in names:
            agg.delete_folder(user_id, folder.id)


async def disable_tag(request: Request) -> Response:
    """Delete the folders named by ``s`` (repeatable) or ``t``; their feeds go to no folder.
    A folder already gone is as asked."""
    who, params = await call_of(request)
    names = _named(params, "s") + _named(params, "t")
    if not names:
        raise bad_request(_("s names the label to delete"))
    await run(_disable, request, who.user.id, names)
    return ok()
