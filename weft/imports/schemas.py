from ninja import Schema


class ImportCreated(Schema):
    id: int
    status: str
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    notes: list[str]


class Progress(Schema):
    rows_done: int
    total: int
    percent: int


class Counts(Schema):
    created: int
    merged: int
    unchanged: int
    pending_review: int
    outside_clusters: int  # rows matching another cluster's firm: left unchanged
    rejected_rows: int


class RowErrorOut(Schema):
    row: int
    column: str
    field: str
    code: str
    message: str


class ImportOut(Schema):
    id: int
    status: str
    stale: bool  # running, but its worker stopped responding: POST …/start resumes it
    file: str
    cluster_id: int | None
    progress: Progress
    counts: Counts
    error: str
    errors: list[RowErrorOut]
    report_url: str


class MappingIn(Schema):
    mapping: dict[str, str]


class FieldCompare(Schema):
    field: str
    registry: str
    incoming: str
    differs: bool


class MatchOut(Schema):
    id: int
    import_id: int
    row: int
    outcome: str
    reason: str
    score: float
    name_score: float
    address_score: float
    candidate_id: int | None
    enterprise_id: int | None
    fields: list[FieldCompare]
