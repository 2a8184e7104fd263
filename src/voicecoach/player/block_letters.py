"""Block letters for the large display: a 5-row font drawn with full blocks, at full
height, twice the size, or at half height (two font rows per terminal row, with the
upper and lower half blocks) when a long exercise name needs the room.
"""

from __future__ import annotations

# A 5-row block font: "#" is ink. Upper case only; text with other characters is shown
# as ordinary bold text instead.
_FONT: dict[str, tuple[str, ...]] = {
    "0": ("####", "#..#", "#..#", "#..#", "####"),
    "1": ("..#.", ".##.", "..#.", "..#.", ".###"),
    "2": ("####", "...#", "####", "#...", "####"),
    "3": ("####", "...#", ".###", "...#", "####"),
    "4": ("#..#", "#..#", "####", "...#", "...#"),
    "5": ("####", "#...", "####", "...#", "####"),
    "6": ("####", "#...", "####", "#..#", "####"),
    "7": ("####", "...#", "..#.", ".#..", ".#.."),
    "8": ("####", "#..#", "####", "#..#", "####"),
    "9": ("####", "#..#", "####", "...#", "####"),
    ":": (".", "#", ".", "#", "."),
    "/": ("...#", "..#.", ".#..", "#...", "#..."),
    "-": ("...", "...", "###", "...", "..."),
    "'": ("#", "#", ".", ".", "."),
    ".": (".", ".", ".", ".", "#"),
    " ": ("..", "..", "..", "..", ".."),
    "A": (".##.", "#..#", "####", "#..#", "#..#"),
    "B": ("###.", "#..#", "###.", "#..#", "###."),
    "C": (".###", "#...", "#...", "#...", ".###"),
    "D": ("###.", "#..#", "#..#", "#..#", "###."),
    "E": ("####", "#...", "###.", "#...", "####"),
    "F": ("####", "#...", "###.", "#...", "#..."),
    "G": (".###", "#...", "#.##", "#..#", ".###"),
    "H": ("#..#", "#..#", "####", "#..#", "#..#"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "J": ("..##", "...#", "...#", "#..#", ".##."),
    "K": ("#..#", "#.#.", "##..", "#.#.", "#..#"),
    "L": ("#...", "#...", "#...", "#...", "####"),
    "M": ("#...#", "##.##", "#.#.#", "#...#", "#...#"),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#"),
    "O": (".##.", "#..#", "#..#", "#..#", ".##."),
    "P": ("###.", "#..#", "###.", "#...", "#..."),
    "Q": (".##.", "#..#", "#..#", "#.#.", ".#.#"),
    "R": ("###.", "#..#", "###.", "#.#.", "#..#"),
    "S": (".###", "#...", ".##.", "...#", "###."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#..#", "#..#", "#..#", "#..#", ".##."),
    "V": ("#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "X": ("#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "Y": ("#...#", ".#.#.", "..#..", "..#..", "..#.."),
    "Z": ("####", "...#", ".##.", "#...", "####"),
}
FONT_ROWS = 5
HALF_ROWS = (FONT_ROWS + 1) // 2
_INK = "█"
_HALVES = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def big_text(text: str, scale: int = 1) -> list[str] | None:
    """`text` in block letters, FONT_ROWS * scale rows; None if a character has no glyph."""
    glyphs = [_FONT.get(char) for char in text.upper()]
    if not glyphs or any(g is None for g in glyphs):
        return None
    rows = []
    for row in range(FONT_ROWS):
        cells = " ".join(g[row] for g in glyphs if g is not None)
        line = "".join((_INK if cell == "#" else " ") * scale for cell in cells)
        rows.extend([line.rstrip()] * scale)
    return rows


def big_width(text: str, scale: int = 1) -> int:
    """Columns `text` takes in block letters (0 when it cannot be drawn)."""
    glyphs = [_FONT.get(char) for char in text.upper()]
    if not glyphs or any(g is None for g in glyphs):
        return 0
    return scale * (sum(len(g[0]) for g in glyphs if g is not None) + len(glyphs) - 1)


def half_height(rows: list[str]) -> list[str]:
    """Full-height block rows drawn in half the rows: each terminal row shows two font
    rows with the upper and lower half blocks."""
    width = max((len(row) for row in rows), default=0)
    padded = [row.ljust(width) for row in rows] + ([" " * width] if len(rows) % 2 else [])
    return [
        "".join(
            _HALVES[(top == _INK, bottom == _INK)]
            for top, bottom in zip(padded[i], padded[i + 1], strict=True)
        ).rstrip()
        for i in range(0, len(padded), 2)
    ]


def fit_name(text: str, width: int, rows: int) -> list[str] | None:
    """An exercise name in block letters within `width` columns and `rows` rows: full
    height on as few lines as it needs, else half height; None when neither fits."""
    for max_lines, half in (((rows + 1) // (FONT_ROWS + 1), False), (rows // HALF_ROWS, True)):
        if max_lines < 1:
            continue
        drawn = big_wrapped(text, width, max_lines, half=half)
        if drawn is not None:
            return drawn
    return None


def big_wrapped(text: str, width: int, max_lines: int, *, half: bool = False) -> list[str] | None:
    """`text` in block letters, word-wrapped to `width` columns in at most `max_lines`
    lines of letters (a blank row between them), at half height when `half` (no blank row:
    the last row's empty lower half parts the lines); None when it does not fit."""
    lines: list[str] = []
    for word in text.split():
        if big_width(word) == 0:
            return None
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and big_width(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    if not lines or len(lines) > max_lines or any(big_width(line) > width for line in lines):
        return None
    rows: list[str] = []
    for line in lines:
        if rows and not half:
            rows.append("")
        drawn = big_text(line) or []
        rows.extend(half_height(drawn) if half else drawn)
    return rows
