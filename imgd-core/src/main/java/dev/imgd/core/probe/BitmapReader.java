package dev.imgd.core.probe;

import dev.imgd.core.bmp.Dib;
import dev.imgd.core.bmp.Icon;

/**
 * BMP and ICO: the size and bands come from the same header reading the decoder uses ({@link Dib},
 * {@link Icon}), so what the limits checked is what is decoded. An ICO's largest entry is read: a
 * PNG one as a PNG file, a bitmap one with its AND mask as alpha.
 */
final class BitmapReader {
  private BitmapReader() {}

  static void bmp(ByteReader r, Header h) {
    dib(Dib.ofBmp(r.array()), h);
  }

  static void ico(ByteReader r, Header h) {
    Icon icon = Icon.largest(r.array());
    if (icon.png()) {
      PngReader.read(new ByteReader(icon.bytes(r.array()), "ICO"), h);
    } else {
      dib(Dib.ofIcon(r.array(), icon.offset()), h);
    }
  }

  private static void dib(Dib dib, Header h) {
    h.width = dib.width();
    h.height = dib.height();
    h.bands = dib.bands();
    h.hasAlpha = dib.hasAlpha();
  }
}
