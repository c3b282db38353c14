package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.le16;
import static dev.imgd.testkit.hostile.Bytes.le32;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.ISOLATED_RENDERS;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.LIMIT_EXCEEDED;
import static dev.imgd.testkit.hostile.HostileFiles.add;
import static dev.imgd.testkit.hostile.Metadata.ifdEntry;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * TIFF, decoded only by isolated workers: a tile flood over the limits, one within them built from
 * a single reused tile, and an IFD loop.
 */
final class Tiffs {
  private static final int TILE = 256;

  private Tiffs() {}

  static void files(List<HostileFile> files) {
    add(files, "tiff-1000000x1000000", "FM-01", tiled(1_000_000, 1_000_000, 1), LIMIT_EXCEEDED);
    // 49 MP under the limits, every tile offset pointing at the same 64 KB tile.
    add(files, "tiff-7000x7000-one-reused-tile", "FM-01", tiled(7000, 7000, -1), ISOLATED_RENDERS);
    add(files, "tiff-ifd-loop", "FM-17", ifdLoop(), ISOLATED_RENDERS);
  }

  /**
   * A grey tiled TIFF claiming width x height, with one 256x256 tile of data; {@code offsets} tile
   * offsets all pointing at it, or one per tile if negative.
   */
  private static byte[] tiled(int width, int height, int offsets) {
    int tiles = offsets > 0 ? offsets : ((width + TILE - 1) / TILE) * ((height + TILE - 1) / TILE);
    int entries = 10;
    int arrays = 8 + 2 + entries * 12 + 4;
    int tile = arrays + (tiles > 1 ? 8 * tiles : 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(concat(ascii("II*\0"), le32(8), le16(entries)));
    out.writeBytes(ifdEntry(256, 4, 1, width));
    out.writeBytes(ifdEntry(257, 4, 1, height));
    out.writeBytes(ifdEntry(258, 3, 1, 8));
    out.writeBytes(ifdEntry(259, 3, 1, 1)); // no compression
    out.writeBytes(ifdEntry(262, 3, 1, 1)); // black is zero
    out.writeBytes(ifdEntry(277, 3, 1, 1));
    out.writeBytes(ifdEntry(322, 3, 1, TILE)); // TileWidth
    out.writeBytes(ifdEntry(323, 3, 1, TILE)); // TileLength
    out.writeBytes(ifdEntry(324, 4, tiles, tiles > 1 ? arrays : tile)); // TileOffsets
    out.writeBytes(ifdEntry(325, 4, tiles, tiles > 1 ? arrays + 4 * tiles : TILE * TILE));
    out.writeBytes(le32(0));
    if (tiles > 1) {
      for (int i = 0; i < tiles; i++) {
        out.writeBytes(le32(tile));
      }
      for (int i = 0; i < tiles; i++) {
        out.writeBytes(le32(TILE * TILE));
      }
    }
    out.writeBytes(new byte[TILE * TILE]);
    return out.toByteArray();
  }

  /** An 8x8 grey strip TIFF whose IFD0 names itself as the next IFD (a loop of pages). */
  private static byte[] ifdLoop() {
    int entries = 9;
    int strip = 8 + 2 + entries * 12 + 4;
    return concat(
        ascii("II*\0"),
        le32(8),
        le16(entries),
        ifdEntry(256, 3, 1, 8),
        ifdEntry(257, 3, 1, 8),
        ifdEntry(258, 3, 1, 8),
        ifdEntry(259, 3, 1, 1),
        ifdEntry(262, 3, 1, 1),
        ifdEntry(273, 4, 1, strip), // StripOffsets
        ifdEntry(277, 3, 1, 1),
        ifdEntry(278, 3, 1, 8), // RowsPerStrip
        ifdEntry(279, 4, 1, 64), // StripByteCounts
        le32(8), // next IFD -> IFD0
        new byte[64]);
  }
}
