"""Paper transport: a payload printed as QR codes on A4 pages, and scanned back.

The payload is opaque bytes (in practice a sealed bundle from
:func:`samizdat.app.carry.export_bundle`). Printing spreads it over ``n`` QR codes
with erasure coding across the whole print (:mod:`.paper_frame`), lays them out on
pages after the readable text (:mod:`.paper_pdf`); scanning finds every code in
every image (:mod:`.paper_scan`), drops what is not an intact frame, groups frames
by print and rebuilds every print that has enough of them.

Public API::

    make_print(payload, doc, rng, cap=cap, cap_on_pages=False) -> PaperPrint
    scan(paths) -> ScanReport          # .payloads (rebuilt), .caps (key sheets seen)

Neither function stores anything; :mod:`samizdat.app.paper` opens and imports.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from samizdat.core.caps import CAP_PREFIX, ReadCap
from samizdat.core.crypto import Rng
from samizdat.errors import DecodeError, NotEnoughShards
from samizdat.transports.paper_frame import (
    Frame,
    FramePlan,
    decode_frame,
    encode_frames,
    plan_frames,
    rebuild,
)
from samizdat.transports.paper_pdf import (
    DENSITIES,
    Layout,
    PrintedText,
    render_key_sheet,
    render_print,
)
from samizdat.transports.paper_scan import MAX_EFFORT, PageCache, read_codes

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "DEFAULT_DENSITY",
    "DEFAULT_LAYOUT",
    "DEFAULT_LOSS",
    "DENSITIES",
    "PAGE_LOSS",
    "Layout",
    "PaperPrint",
    "PrintedText",
    "ScanReport",
    "codes_in_images",
    "make_print",
    "plan_for",
    "qr_capacity",
    "scan",
    "scan_images",
]

DEFAULT_DENSITY: Final = "normal"
DEFAULT_LAYOUT: Final = DENSITIES[DEFAULT_DENSITY]
DEFAULT_LOSS: Final = 0.3
"""Fraction of all codes that may be lost with the copy still rebuilding, before the
last page is topped up with extra parity codes. 0.3 leaves a margin over the 25%
goal for codes that are misread on top of those destroyed."""
PAGE_LOSS: Final = 1.3
"""On a print of two code pages or more, whole pages that may be lost on top: one
page missing plus 30% of another (a stain), whatever share of all codes that is."""


def plan_for(length: int, layout: Layout = DEFAULT_LAYOUT, loss: float = DEFAULT_LOSS
             ) -> FramePlan:
    """The frame plan for a payload of ``length`` bytes printed with ``layout``:
    ``loss`` of all codes may be lost, and at least :data:`PAGE_LOSS` pages of codes
    once the print spans two pages or more."""
    capacity = qr_capacity(layout.qr_version, layout.error)
    plan = plan_frames(length, frame_capacity=capacity, loss=loss, fill_to=layout.per_page)
    for _ in range(8):  # n grows with the loss and the loss needed shrinks with n
        if plan.n <= layout.per_page:
            return plan
        spare = math.ceil(PAGE_LOSS * layout.per_page)
        if plan.n - plan.k >= spare:
            return plan
        wanted = min(0.85, max(loss, spare / plan.n + 1e-9))
        plan = plan_frames(length, frame_capacity=capacity, loss=wanted,
                           fill_to=layout.per_page)
    return plan

_CAP_MARK: Final = CAP_PREFIX.upper().encode("ascii")


def qr_capacity(version: int, error: str) -> int:
    """Bytes of binary data a QR code of ``version`` (1-40) at ``error`` level holds
    as zxing-cpp encodes it: the symbol's data bits (ISO/IEC 18004 table 7, as segno
    tabulates it) less the byte-mode header (4 bits and an 8- or 16-bit count) and
    the ECI 899 ("binary") segment zint puts before it (4 bits of mode and a 16-bit
    designator). A unit test checks, for every version at levels L and M, that this
    many bytes fit and one more does not: a figure one byte short made the planned
    version one too big for some payload lengths, and ``print`` failed."""
    from segno import consts

    row = cast("dict[int, int]", consts.SYMBOL_CAPACITY[version])
    bits = row[consts.ERROR_MAPPING[error.upper()]]
    return (bits - 4 - (8 if version < 10 else 16) - 20) // 8


@dataclass(frozen=True)
class PaperPrint:
    """A rendered print: the pages' PDF, the key sheet's PDF (``None`` when the key is
    on the pages), and how the payload was spread."""

    pdf: bytes = field(repr=False)
    key_sheet: bytes | None = field(repr=False)
    pages: int
    codes: int
    k: int
    qr_version: int


def make_print(
    payload: bytes,
    doc: PrintedText | None,
    rng: Rng,
    *,
    cap: ReadCap,
    cap_on_pages: bool = False,
    layout: Layout = DEFAULT_LAYOUT,
    loss: float = DEFAULT_LOSS,
) -> PaperPrint:
    """Print ``payload`` (after ``doc``'s text pages, when given) with its key sheet."""
    plan = plan_for(len(payload), layout, loss)
    frames = encode_frames(payload, plan, rng)
    # a short payload needs smaller codes: fewer, bigger modules read more easily
    version = next(
        v for v in range(1, layout.qr_version + 1)
        if qr_capacity(v, layout.error) >= plan.frame_bytes
    )
    pdf, pages = render_print(
        frames, doc, layout=layout, qr_version=version,
        cap_on_pages=cap if cap_on_pages else None,
    )
    language = doc.language if doc is not None else "en"
    key_sheet = None if cap_on_pages else render_key_sheet(cap, language)
    return PaperPrint(pdf=pdf, key_sheet=key_sheet, pages=pages, codes=plan.n, k=plan.k,
                      qr_version=version)


@dataclass
class ScanReport:
    """What a scan found: rebuilt payloads (one per complete print, largest first),
    key sheets seen, and counts for messages."""

    images: int = 0
    codes: int = 0  # distinct QR code contents of any kind
    frames: int = 0  # distinct intact samizdat frames
    foreign: int = 0  # codes that are neither frames nor capabilities
    caps: list[ReadCap] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list, repr=False)
    incomplete: list[tuple[int, int]] = field(default_factory=list)  # (have, need)
    seen: set[bytes] = field(default_factory=set, repr=False)

    def require_payload(self) -> None:
        """Raise :class:`NotEnoughShards`, worded for what was seen, if nothing
        rebuilt."""
        if self.payloads:
            return
        if self.frames == 0:
            what = "no QR codes" if self.codes == 0 else "no samizdat codes"
            raise NotEnoughShards(
                f"{what} found in {self.images} image(s)",
                hint="give scans or photos of the code pages of a samizdat print",
            )
        have, need = max(self.incomplete, key=lambda hn: hn[0] / hn[1])
        extra = f"; codes of {len(self.incomplete)} different prints were mixed" if len(
            self.incomplete) > 1 else ""
        raise NotEnoughShards(
            f"only {have} of the {need} codes needed were readable{extra}",
            hint="scan the missing pages, or rescan damaged ones at 200 dpi or more",
        )


def _classify(contents: Iterable[bytes], frames: dict[tuple[bytes, int], Frame],
              caps: list[ReadCap], report: ScanReport) -> None:
    for data in contents:
        if data in report.seen:  # the same code again: a duplicate page or a rescan
            continue
        report.seen.add(data)
        report.codes += 1
        if data[: len(_CAP_MARK)].upper() == _CAP_MARK:
            try:
                cap = ReadCap.parse(data.decode("ascii"))
            except (DecodeError, UnicodeDecodeError):
                report.foreign += 1
                continue
            if cap not in caps:
                caps.append(cap)
            continue
        try:
            frame = decode_frame(data)
        except DecodeError:
            report.foreign += 1
            continue
        frames.setdefault((frame.print_id, frame.index), frame)


def codes_in_images(images: Iterable[Image], *, effort: int = 0) -> list[bytes]:
    """Every QR code's contents in ``images`` (``effort`` as in :func:`read_codes`)."""
    return [data for image in images for data in read_codes(image, effort=effort)]


def _finish(frames: dict[tuple[bytes, int], Frame], caps: list[ReadCap],
            report: ScanReport) -> ScanReport:
    groups: dict[tuple[bytes, int, int, int], list[Frame]] = defaultdict(list)
    for frame in frames.values():
        groups[frame.group].append(frame)
    report.frames = len(frames)
    report.caps = caps
    report.payloads, report.incomplete = [], []
    for group, members in sorted(groups.items(), key=lambda g: -len(g[1])):
        try:
            report.payloads.append(rebuild(members))
        except NotEnoughShards:
            report.incomplete.append((len({f.index for f in members}), group[1]))
    return report


def scan_images(images: Sequence[Image]) -> ScanReport:
    """Like :func:`scan` for images already in memory (tests, benchmarks)."""
    frames: dict[tuple[bytes, int], Frame] = {}
    caps: list[ReadCap] = []
    report = ScanReport(images=len(images))
    for effort in range(MAX_EFFORT + 1):
        if effort and groups_complete(frames):
            break
        _classify(codes_in_images(images, effort=effort), frames, caps, report)
    return _finish(frames, caps, report)


def groups_complete(frames: dict[tuple[bytes, int], Frame]) -> bool:
    """Whether at least one print among ``frames`` has ``k`` distinct codes."""
    counts: dict[tuple[bytes, int, int, int], int] = defaultdict(int)
    for frame in frames.values():
        counts[frame.group] += 1
        if counts[frame.group] >= frame.k:
            return True
    return False


def scan(paths: Sequence[Path]) -> ScanReport:
    """Find every code in every page of ``paths`` (PNG, JPEG, PDF) and rebuild every
    print that has enough of them. A quick pass first; while no print is complete,
    passes at higher effort (sharpened, then enlarged) over the same files. Raises
    :class:`~samizdat.errors.InputError` for a file that is not a readable image or
    PDF; call :meth:`ScanReport.require_payload` to turn "nothing rebuilt" into
    :class:`NotEnoughShards`."""
    frames: dict[tuple[bytes, int], Frame] = {}
    caps: list[ReadCap] = []
    report = ScanReport()
    pages = PageCache()  # each page rasterised once, whatever the number of passes
    for effort in range(MAX_EFFORT + 1):
        if effort and groups_complete(frames):
            break
        for path in paths:
            for image in pages.images(path):
                report.images += effort == 0
                _classify(read_codes(image, effort=effort), frames, caps, report)
    return _finish(frames, caps, report)
