package dev.imgd.vips;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libvips image: one reference to a VipsImage, released by {@link #close}. Close every image
 * (try-with-resources); the Cleaner only catches a forgotten one and logs it as a leak (FM-04).
 *
 * <p>Images are immutable in libvips' model and safe to read from several threads; metadata may
 * only be changed with {@link #removeField} on an image this thread has just made.
 */
@SuppressWarnings("restricted") // FFM: sizes the buffers and strings libvips returns
public final class VipsImage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VipsImage.class);
  private static final Cleaner CLEANER = Cleaner.create();

  private final MemorySegment address;
  private final Ref ref;
  private final Cleaner.Cleanable cleanable;

  private VipsImage(MemorySegment address, String origin) {
    this.address = address;
    this.ref = new Ref(address.address(), origin);
    this.cleanable = CLEANER.register(this, ref);
    KillSwitch.adopt(ref);
  }

  /** Takes ownership of one reference to a VipsImage. */
  static VipsImage own(MemorySegment address, String origin) {
    return new VipsImage(address, origin);
  }

  /** Takes ownership of an image a call made, or throws its error if the call failed. */
  private static VipsImage made(MemorySegment address, String origin, long mark) {
    if (address.equals(MemorySegment.NULL)) {
      throw new VipsException(origin, VipsErrors.since(Vips.lib(), mark));
    }
    return own(address, origin);
  }

  /**
   * An image of {@code width x height} uchar pixels with {@code bands} bands copied from {@code
   * pixels} (row-major, band-interleaved).
   */
  public static VipsImage fromPixels(byte[] pixels, int width, int height, int bands) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(pixels.length);
      data.copyFrom(MemorySegment.ofArray(pixels));
      return fromPixels(data, width, height, bands);
    }
  }

  /**
   * As {@link #fromPixels(byte[], int, int, int)}, from native memory the caller filled (a decoder
   * writing row by row keeps the image off the Java heap); the image copies it, so it may go.
   */
  public static VipsImage fromPixels(MemorySegment pixels, int width, int height, int bands) {
    if (width < 1 || height < 1 || bands < 1 || bands > 4) {
      throw new IllegalArgumentException("bad geometry " + width + "x" + height + "x" + bands);
    }
    if ((long) width * height * bands != pixels.byteSize()) {
      throw new IllegalArgumentException(
          "pixels has "
              + pixels.byteSize()
              + " bytes, geometry wants "
              + (long) width * height * bands);
    }
    long mark = VipsErrors.mark(Vips.lib());
    // 0 = VIPS_FORMAT_UCHAR
    return made(
        Vips.lib()
            .vips_image_new_from_memory_copy(pixels, pixels.byteSize(), width, height, bands, 0),
        "new_from_memory_copy",
        mark);
  }

  MemorySegment address() {
    if (ref.released) {
      throw new IllegalStateException("image is closed");
    }
    return address;
  }

  public int width() {
    return Vips.lib().vips_image_get_width(address());
  }

  public int height() {
    return Vips.lib().vips_image_get_height(address());
  }

  public int bands() {
    return Vips.lib().vips_image_get_bands(address());
  }

  /** Height of one page of a multi-page or animated image; equals {@link #height} otherwise. */
  public int pageHeight() {
    return Vips.lib().vips_image_get_page_height(address());
  }

  public int pages() {
    return Vips.lib().vips_image_get_n_pages(address());
  }

  public boolean hasAlpha() {
    return Vips.lib().vips_image_hasalpha(address()) != 0;
  }

  /** The band format's nick: "uchar", "ushort", "float"... */
  public String format() {
    return enumNick("VipsBandFormat", Vips.lib().vips_image_get_format(address()));
  }

  /** The interpretation's nick: "srgb", "cmyk", "b-w", "grey16", "rgb16"... */
  public String interpretation() {
    return enumNick("VipsInterpretation", Vips.lib().vips_image_get_interpretation(address()));
  }

  private static String enumNick(String type, int value) {
    Lib l = Vips.lib();
    try (Arena arena = Arena.ofConfined()) {
      long gtype = l.g_type_from_name(arena.allocateFrom(type));
      return l.vips_enum_nick(gtype, value).reinterpret(256).getString(0);
    }
  }

  public boolean hasField(String name) {
    try (Arena arena = Arena.ofConfined()) {
      return Vips.lib().vips_image_get_typeof(address(), arena.allocateFrom(name)) != 0;
    }
  }

  public OptionalInt intField(String name) {
    if (!hasField(name)) {
      return OptionalInt.empty();
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      if (Vips.lib().vips_image_get_int(address(), arena.allocateFrom(name), out) != 0) {
        return OptionalInt.empty();
      }
      return OptionalInt.of(out.get(ValueLayout.JAVA_INT, 0));
    }
  }

  public OptionalDouble doubleField(String name) {
    if (!hasField(name)) {
      return OptionalDouble.empty();
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_DOUBLE);
      if (Vips.lib().vips_image_get_double(address(), arena.allocateFrom(name), out) != 0) {
        return OptionalDouble.empty();
      }
      return OptionalDouble.of(out.get(ValueLayout.JAVA_DOUBLE, 0));
    }
  }

  public Optional<String> stringField(String name) {
    if (!hasField(name)) {
      return Optional.empty();
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
      if (Vips.lib().vips_image_get_string(address(), arena.allocateFrom(name), out) != 0) {
        return Optional.empty();
      }
      return Optional.of(out.get(ValueLayout.ADDRESS, 0).reinterpret(1 << 20).getString(0));
    }
  }

  /** Size in bytes of a blob field (ICC profile, EXIF, XMP), without copying it. */
  public OptionalLong blobFieldSize(String name) {
    try (Arena arena = Arena.ofConfined()) {
      return blob(name, arena).map(b -> OptionalLong.of(b.byteSize())).orElse(OptionalLong.empty());
    }
  }

  /** A copy of a blob field, e.g. "icc-profile-data" or "exif-data". */
  public Optional<byte[]> blobField(String name) {
    try (Arena arena = Arena.ofConfined()) {
      return blob(name, arena).map(b -> b.toArray(ValueLayout.JAVA_BYTE));
    }
  }

  // A view of the blob's bytes, valid while this image is open.
  private Optional<MemorySegment> blob(String name, Arena arena) {
    if (!hasField(name)) {
      return Optional.empty();
    }
    MemorySegment data = arena.allocate(ValueLayout.ADDRESS);
    MemorySegment length = arena.allocate(ValueLayout.JAVA_LONG);
    if (Vips.lib().vips_image_get_blob(address(), arena.allocateFrom(name), data, length) != 0) {
      return Optional.empty();
    }
    long n = length.get(ValueLayout.JAVA_LONG, 0);
    if (n > Integer.MAX_VALUE - 8) {
      throw new VipsException("blob field " + name + " is too large: " + n + " bytes");
    }
    return Optional.of(data.get(ValueLayout.ADDRESS, 0).reinterpret(n));
  }

  /** The names of every metadata field. */
  public List<String> fields() {
    Lib l = Vips.lib();
    MemorySegment array = l.vips_image_get_fields(address());
    List<String> names = new ArrayList<>();
    try {
      MemorySegment p = array.reinterpret(Long.MAX_VALUE);
      for (long i = 0; ; i++) {
        MemorySegment s = p.getAtIndex(ValueLayout.ADDRESS, i);
        if (s.equals(MemorySegment.NULL)) {
          break;
        }
        names.add(s.reinterpret(4096).getString(0));
      }
    } finally {
      l.g_strfreev(array);
    }
    return names;
  }

  /** Removes a metadata field; only on an image that nobody else holds (e.g. fresh from copy). */
  public void removeField(String name) {
    try (Arena arena = Arena.ofConfined()) {
      Vips.lib().vips_image_remove(address(), arena.allocateFrom(name));
    }
  }

  /** Sets a string metadata field; only on an image that nobody else holds. */
  public void setStringField(String name, String value) {
    try (Arena arena = Arena.ofConfined()) {
      Vips.lib()
          .vips_image_set_string(address(), arena.allocateFrom(name), arena.allocateFrom(value));
    }
  }

  /** Sets an int metadata field; only on an image that nobody else holds. */
  public void setIntField(String name, int value) {
    try (Arena arena = Arena.ofConfined()) {
      Vips.lib().vips_image_set_int(address(), arena.allocateFrom(name), value);
    }
  }

  /**
   * Renders the image into memory: the pixels are computed now (decode errors surface here), and
   * the result can be read any number of times, unlike a sequential image.
   */
  public VipsImage copyMemory() {
    VipsThreads.requirePlatformThread("copy_memory");
    long mark = VipsErrors.mark(Vips.lib());
    return made(Vips.lib().vips_image_copy_memory(address()), "copy_memory", mark);
  }

  /**
   * The pixels as bytes, band-interleaved, row-major (computed now). For uchar images this is width
   * x height x bands bytes; meant for tests and small images.
   */
  public byte[] pixels() {
    VipsThreads.requirePlatformThread("write_to_memory");
    Lib l = Vips.lib();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
      long mark = VipsErrors.mark(l);
      MemorySegment data = l.vips_image_write_to_memory(address(), size);
      if (data.equals(MemorySegment.NULL)) {
        throw new VipsException("write_to_memory", VipsErrors.since(l, mark));
      }
      try {
        return data.reinterpret(size.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
      } finally {
        l.g_free(data);
      }
    }
  }

  /** Asks libvips to stop computing this image; pending and later work on it fails. */
  public void kill() {
    Vips.lib().vips_image_set_kill(address(), 1);
  }

  /** A new reference to the same image, closed independently. */
  public VipsImage share() {
    return own(Vips.lib().g_object_ref(address()), ref.origin);
  }

  @Override
  public void close() {
    ref.explicit = true;
    cleanable.clean();
  }

  @Override
  public String toString() {
    return ref.released
        ? "VipsImage[closed]"
        : "VipsImage[" + width() + "x" + height() + "x" + bands() + " " + format() + "]";
  }

  /** The reference itself, kept apart from the handle so the Cleaner can release it. */
  static final class Ref implements Runnable {
    private final long address;
    private final String origin;
    volatile boolean explicit;
    volatile boolean released;

    /** The switch of the job that made the image, if one was on. */
    volatile @Nullable KillSwitch killSwitch;

    Ref(long address, String origin) {
      this.address = address;
      this.origin = origin;
    }

    MemorySegment pointer() {
      return MemorySegment.ofAddress(address);
    }

    @Override
    public void run() {
      released = true;
      if (!explicit) {
        LOG.warn("leak: a VipsImage from {} was not closed; released by the Cleaner", origin);
      }
      KillSwitch s = killSwitch;
      if (s != null) {
        s.release(this);
      }
      if (Vips.isStarted()) {
        Vips.lib().g_object_unref(MemorySegment.ofAddress(address));
      }
    }
  }
}
