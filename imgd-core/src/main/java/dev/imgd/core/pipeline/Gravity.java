package dev.imgd.core.pipeline;

/** Places a box inside another by imgproxy's compass gravity and offsets. */
final class Gravity {
  private Gravity() {}

  /**
   * Top-left corner of an {@code w x h} box placed in {@code outerW x outerH} by {@code gravity}
   * ("ce", "no", "so", "ea", "we", "noea", "nowe", "soea", "sowe"), offsets pointing inwards from
   * the named edge as imgproxy does, clamped to stay inside.
   */
  static int[] place(String gravity, int outerW, int outerH, int w, int h, int dx, int dy) {
    int x = (outerW - w) / 2 + dx;
    int y = (outerH - h) / 2 + dy;
    String g = gravity == null ? "ce" : gravity;
    if (g.contains("we")) {
      x = dx;
    } else if (g.contains("ea")) {
      x = outerW - w - dx;
    }
    if (g.startsWith("no")) {
      y = dy;
    } else if (g.startsWith("so")) {
      y = outerH - h - dy;
    }
    x = Math.max(0, Math.min(x, outerW - w));
    y = Math.max(0, Math.min(y, outerH - h));
    return new int[] {x, y};
  }
}
