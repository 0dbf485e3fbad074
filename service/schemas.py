"""Request and response models of the API (pydantic); the OpenAPI document is generated from them."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import BaseModel as PydanticModel
from pydantic import Field

PERIOD = r"^\d{4}-\d{2}(-\d{2})?$"
Horizon = Annotated[int, Field(ge=1, le=24)]


class BaseModel(PydanticModel):
    """flask-openapi3 asks for a model's JSON schema on every request; the schema never changes."""

    @classmethod
    @cache
    def model_json_schema(cls, *args, **kwargs) -> dict:
        return super().model_json_schema(*args, **kwargs)


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


class DistrictPath(BaseModel):
    district_id: str = Field(max_length=64, description="District id (e.g. a geoBoundaries shapeID)")


class VersionPath(BaseModel):
    version: int = Field(ge=1, le=10**6)


class JobPath(BaseModel):
    job_id: str = Field(max_length=36)


class RiskQuery(BaseModel):
    horizon: int = Field(3, ge=1, le=24, description="Periods ahead")
    as_of: str | None = Field(None, pattern=PERIOD, description="Period (YYYY-MM); default the latest")
    region: str | None = Field(None, max_length=200)
    min_probability: float = Field(0.0, ge=0.0, le=1.0)
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=100000)


class DistrictRiskQuery(BaseModel):
    horizon: int = Field(3, ge=1, le=24)
    as_of: str | None = Field(None, pattern=PERIOD)
    explain: bool = False


class HistoryQuery(BaseModel):
    horizon: int = Field(3, ge=1, le=24)


class UploadQuery(BaseModel):
    format: str = Field("native", pattern="^(native|ucdp|acled)$", description="events only: the file layout")


class Score(BaseModel):
    horizon: int
    probability: float
    band: str


class District(BaseModel):
    id: str
    name: str
    region: str | None
    latest: list[Score] = []


class DistrictList(BaseModel):
    as_of: str | None
    model_version: int | None
    districts: list[District]


class RiskItem(BaseModel):
    district_id: str
    district_name: str
    region: str | None
    probability: float
    band: str
    top_drivers: str


class RiskList(BaseModel):
    as_of: str
    horizon: int
    model_version: int
    total: int
    items: list[RiskItem]


class Driver(BaseModel):
    feature: str
    family: str
    value: float | None
    contribution: float
    direction: str
    sentence: str


class EventRef(BaseModel):
    source: str
    id: str
    date_start: str
    date_end: str
    category: str
    fatalities: int
    actors: list[str]


class Explanation(BaseModel):
    margin: float
    bias: float
    contributions_match_margin: bool
    drivers: list[Driver]
    families: dict[str, float]
    recent_events: list[EventRef]


class DistrictRisk(BaseModel):
    district_id: str
    district_name: str
    as_of: str
    horizon: int
    probability: float
    band: str
    model_version: int
    top_drivers: str
    explanation: Explanation | None = None


class HistoryPoint(BaseModel):
    period: str
    probability: float
    violence: float | None = Field(
        description="1 if fatal violence followed within the horizon, 0 if not, null while unknown"
    )


class History(BaseModel):
    district_id: str
    horizon: int
    model_version: int
    points: list[HistoryPoint]


class RowError(BaseModel):
    row: int
    field: str
    reason: str


class IngestResult(BaseModel):
    run_id: int
    read: int
    accepted: int
    duplicate: int
    rejected: int
    assigned: int
    unassigned: int
    already_ingested: bool
    errors: list[RowError]


class TrainBody(BaseModel):
    horizons: list[Horizon] = Field([1, 3], min_length=1, max_length=6)
    until: str | None = Field(None, pattern=PERIOD)
    backtest_origins: int = Field(6, ge=0, le=60)


class BacktestBody(BaseModel):
    start: str = Field(pattern=PERIOD)
    end: str = Field(pattern=PERIOD)
    horizons: list[Horizon] = Field([1, 3], min_length=1, max_length=6)


class PromoteBody(BaseModel):
    force: bool = False
    tolerance: float = Field(0.01, ge=0, le=1)


class JobAccepted(BaseModel):
    job_id: str
    status: str
    url: str


class JobStatus(BaseModel):
    id: str
    kind: str
    status: str
    params: dict
    result: dict | None
    error: str | None
    created_at: str
    finished_at: str | None


class ModelVersion(BaseModel):
    version: int
    created_at: str
    aliases: list[str]
    training_window: dict
    horizons: list[int]
    backtest: dict
    files: dict[str, str]


class ModelList(BaseModel):
    production: int | None
    candidate: int | None
    versions: list[ModelVersion]


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}
