"""Draw StrikeDesk's application icon with Qt and write resources/strikedesk.{png,ico}.

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py

The icon is drawn with QPainter at every size (not scaled down from one bitmap), so the small
sizes stay crisp. The .ico is written here rather than through Qt's ICO plugin, which stores a
single image: Windows picks the entry that fits (taskbar 16/24/32, Explorer 48/256). Entries up
to 64 px are classic 32-bit BMPs with an AND mask, larger ones PNG, as Windows Vista+ and
Inno Setup expect. Run it again only when the drawing changes; the outputs are committed.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZE = 256
BMP_MAX = 64  # entries up to this size as BMP, larger as PNG

NAVY_TOP = QColor("#1d2b4a")
NAVY_BOTTOM = QColor("#0d1526")
BLUE = QColor("#1f6fff")  # chung (athlete 1)
RED = QColor("#ff3b30")  # hong (athlete 2)
WHITE = QColor("#ffffff")


def draw(size: int) -> QImage:
    """The icon at `size` px: a navy tile, a blue/red split disc (the two athletes) and a white
    strike bolt across it."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)

    tile = QRectF(0.03 * s, 0.03 * s, 0.94 * s, 0.94 * s)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    gradient.setColorAt(0.0, NAVY_TOP)
    gradient.setColorAt(1.0, NAVY_BOTTOM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(gradient)
    painter.drawRoundedRect(tile, 0.2 * s, 0.2 * s)

    disc = QRectF(0.17 * s, 0.17 * s, 0.66 * s, 0.66 * s)
    painter.setBrush(BLUE)
    painter.drawPie(disc, 90 * 16, 180 * 16)  # left half
    painter.setBrush(RED)
    painter.drawPie(disc, 270 * 16, 180 * 16)  # right half

    bolt = QPainterPath(QPointF(0.58 * s, 0.10 * s))
    for x, y in ((0.32 * s, 0.54 * s), (0.49 * s, 0.54 * s), (0.41 * s, 0.90 * s)):
        bolt.lineTo(x, y)
    for x, y in ((0.69 * s, 0.44 * s), (0.52 * s, 0.44 * s)):
        bolt.lineTo(x, y)
    bolt.closeSubpath()
    outline = QPen(NAVY_BOTTOM, max(1.0, 0.03 * s))
    outline.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(outline)
    painter.setBrush(WHITE)
    painter.drawPath(bolt)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode PNG")
    buffer.close()
    return bytes(data.data())


def bmp_entry(image: QImage) -> bytes:
    """An ICO BMP entry: BITMAPINFOHEADER (height doubled for the mask), bottom-up BGRA rows,
    then the 1-bit AND mask (set where fully transparent), rows padded to 32 bits."""
    width, height = image.width(), image.height()
    header = struct.pack("<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = []
    mask_rows = []
    mask_stride = ((width + 31) // 32) * 4
    for y in reversed(range(height)):
        line = bytes(image.constScanLine(y))[: width * 4]  # ARGB32 is BGRA in memory (LE)
        rows.append(line)
        mask = bytearray(mask_stride)
        for x in range(width):
            if line[x * 4 + 3] == 0:
                mask[x // 8] |= 0x80 >> (x % 8)
        mask_rows.append(bytes(mask))
    return header + b"".join(rows) + b"".join(mask_rows)


def ico_bytes(images: list[QImage]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per image + the images, in the order given."""
    payloads = [bmp_entry(i) if i.width() <= BMP_MAX else png_bytes(i) for i in images]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for image, payload in zip(images, payloads, strict=True):
        side = image.width() if image.width() < 256 else 0  # 0 means 256
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(payload), offset)
        offset += len(payload)
    return out + b"".join(payloads)


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    RESOURCES.mkdir(exist_ok=True)
    (RESOURCES / "strikedesk.png").write_bytes(png_bytes(draw(PNG_SIZE)))
    (RESOURCES / "strikedesk.ico").write_bytes(ico_bytes([draw(size) for size in ICO_SIZES]))
    print(f"wrote {RESOURCES / 'strikedesk.png'} and {RESOURCES / 'strikedesk.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
