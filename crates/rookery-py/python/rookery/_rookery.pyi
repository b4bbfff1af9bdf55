"""Type hints of the native module (crates/rookery-py/src)."""

class EngineError(Exception):
    """A failure of the engine: ``args`` are ``(kind, message)``."""

__version__: str

class Output:
    def __init__(
        self,
        dir: str,
        format: str = "nc",
        namer: str = "standard",
        size_limit: str | None = None,
        apply_fixes: bool = True,
        history: str = "",
    ) -> None: ...

def subset(
    collection: list[str],
    output: Output,
    time: str | None = None,
    area: str | None = None,
    level: str | None = None,
    time_components: str | None = None,
    shape: str | None = None,
    min_fraction: str | None = None,
) -> list[str]: ...
def average_over_dims(
    collection: list[str],
    output: Output,
    dims: str | None = None,
    ignore_undetected_dims: bool = False,
    weights: str = "none",
    area_file: str | None = None,
) -> list[str]: ...
def average_time(collection: list[str], output: Output, freq: str | None = None) -> list[str]: ...
def average_shape(
    collection: list[str], output: Output, shape: str | None = None, variables: list[str] | None = None
) -> list[str]: ...
def weighted_average(
    collection: list[str], output: Output, weights: str = "area", area_file: str | None = None
) -> list[str]: ...
def regrid(
    collection: list[str],
    output: Output,
    method: str = "nearest_s2d",
    grid: str = "auto",
    mask: str | None = None,
    adaptive_masking_threshold: float = 0.5,
    weights_dir: str | None = None,
) -> list[str]: ...
def concat(
    collection: list[str],
    output: Output,
    apply_average: bool = False,
    time: str | None = None,
    area: str | None = None,
    time_components: str | None = None,
) -> list[str]: ...
def climatology(collection: list[str], output: Output, freq: str = "month", years: str | None = None) -> list[str]: ...
def anomaly(
    collection: list[str], output: Output, reference: str, freq: str = "month", relative: bool = False
) -> list[str]: ...
def stat_time(collection: list[str], output: Output, stat: str, freq: str = "all") -> list[str]: ...
def ensemble(
    collection: list[str],
    output: Output,
    stat: str = "mean,std,min,max",
    time: str | None = None,
    area: str | None = None,
    time_components: str | None = None,
    grid: str | None = None,
    method: str = "nearest_s2d",
) -> list[str]: ...
