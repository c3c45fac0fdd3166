"""``/health``: whether the server answers, and which store it serves."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from adkg.settings import Settings
from adkg.store import DataFolder, build_id, store_report
from adkg.web.deps import get_data, get_settings

router = APIRouter()

SettingsDep = Annotated[Settings, Depends(get_settings)]
DataDep = Annotated[DataFolder, Depends(get_data)]


@router.get("/health")
async def health(settings: SettingsDep, data: DataDep) -> Response:
    """Whether the server answers, and which store it serves: build id, triples, changes."""
    current = data.current()
    if current is None:
        body: dict[str, object] = {"status": "no store", "store": None}
        return Response(json.dumps(body), status_code=503, media_type="application/json")
    report = store_report(current)
    body = {
        "status": "ok",
        "store": current.name,
        "build_id": build_id(current),
        "built_at": report["built_at"],
        "triples": sum(report["graphs"].values()),
        "changed_since_build": bool(report.get("changed_since_build")),
        "updates": report.get("updates", 0),
        "read_only": settings.update_token is None,
    }
    return Response(json.dumps(body), media_type="application/json")
