package dev.imgd.vips;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One call of a libvips operation by name, the way every libvips binding does it: arguments are set
 * as GObject properties through GValues typed by the operation's own argument table, the operation
 * is built through the cache, outputs are read back, and every reference is dropped.
 *
 * <pre>{@code
 * try (VipsImage small = VipsOperation.of("resize").in(image).set("scale", 0.25).image()) { ... }
 * byte[] jpeg = VipsOperation.of("jpegsave_buffer").in(small).set("Q", 80).bytes();
 * }</pre>
 *
 * <p>Argument values: Boolean, Integer, Long, Double (or any Number where the type allows), String
 * (for strings, and for enums and flags by nick, e.g. "lanczos3"), {@link VipsImage}, {@code
 * VipsImage[]}, {@code double[]}, {@code int[]}, and {@code byte[]} for blobs (copied into memory
 * that libvips owns). A call object is a plain value holder; the native work happens in {@link
 * #call} on a platform thread.
 */
@SuppressWarnings("restricted") // FFM: sizes the GValues, strings and arrays libvips returns
public final class VipsOperation {
  private final String name;
  private final Map<String, Object> args = new LinkedHashMap<>();

  private VipsOperation(String name) {
    this.name = name;
  }

  public static VipsOperation of(String name) {
    Objects.requireNonNull(name, "name");
    return new VipsOperation(name);
  }

  public VipsOperation set(String argument, Object value) {
    Objects.requireNonNull(argument, "argument");
    Objects.requireNonNull(value, () -> name + ": argument " + argument + " is null");
    args.put(argument, value);
    return this;
  }

  /** Sets the conventional input image argument "in". */
  public VipsOperation in(VipsImage image) {
    return set("in", image);
  }

  /** Calls the operation and returns its "out" image. */
  public VipsImage image() {
    try (Outputs out = call("out")) {
      return out.takeImage("out");
    }
  }

  /** Calls a *save_buffer operation and returns its "buffer" output. */
  public byte[] bytes() {
    try (Outputs out = call("buffer")) {
      return out.bytes("buffer");
    }
  }

  /** Calls the operation without reading outputs (e.g. operations that only modify). */
  public void run() {
    call().close();
  }

  /**
   * Builds and runs the operation and reads the named outputs. Images among them are owned by the
   * returned {@link Outputs} until taken.
   */
  public Outputs call(String... outputs) {
    VipsThreads.requirePlatformThread(name);
    KillSwitch.check(name);
    Lib l = Vips.lib();
    Map<String, @Nullable Object> results = new LinkedHashMap<>();
    long mark = VipsErrors.mark(l); // what earlier calls logged is not this call's failure
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment op = l.vips_operation_new(arena.allocateFrom(name));
      if (op.equals(MemorySegment.NULL)) {
        throw new VipsException(name, "no such operation in libvips " + Vips.version());
      }
      MemorySegment built;
      try {
        for (var e : args.entrySet()) {
          setArgument(l, arena, op, e.getKey(), e.getValue());
        }
        built = l.vips_cache_operation_build(op);
        if (built.equals(MemorySegment.NULL)) {
          String error = VipsErrors.since(l, mark);
          l.vips_object_unref_outputs(op);
          throw new VipsException(name, error);
        }
      } finally {
        l.g_object_unref(op);
      }
      try {
        for (String output : outputs) {
          results.put(output, getArgument(l, arena, built, output));
        }
      } catch (RuntimeException e) {
        closeAll(results.values());
        throw e;
      } finally {
        l.vips_object_unref_outputs(built);
        l.g_object_unref(built);
      }
    }
    return new Outputs(name, results);
  }

  private record Argument(long type, int flags) {}

  private Argument argument(Lib l, Arena arena, MemorySegment op, String argName) {
    MemorySegment pspec = arena.allocate(ValueLayout.ADDRESS);
    MemorySegment argClass = arena.allocate(ValueLayout.ADDRESS);
    MemorySegment argInstance = arena.allocate(ValueLayout.ADDRESS);
    if (l.vips_object_get_argument(op, arena.allocateFrom(argName), pspec, argClass, argInstance)
        != 0) {
      throw new VipsException(name, "no argument named '" + argName + "'");
    }
    long type =
        pspec
            .get(ValueLayout.ADDRESS, 0)
            .reinterpret(32)
            .get(ValueLayout.JAVA_LONG, Lib.PSPEC_VALUE_TYPE_OFFSET);
    int flags =
        argClass
            .get(ValueLayout.ADDRESS, 0)
            .reinterpret(24)
            .get(ValueLayout.JAVA_INT, Lib.ARGCLASS_FLAGS_OFFSET);
    return new Argument(type, flags);
  }

  private void setArgument(Lib l, Arena arena, MemorySegment op, String argName, Object value) {
    Argument arg = argument(l, arena, op, argName);
    if ((arg.flags & Lib.ARG_INPUT) == 0) {
      throw new VipsException(name, "'" + argName + "' is an output, not an input");
    }
    MemorySegment gvalue = arena.allocate(Lib.GVALUE_SIZE); // zeroed, as g_value_init needs
    l.g_value_init(gvalue, arg.type);
    try {
      GValues.set(l, arena, gvalue, arg.type, value, name, argName);
      LogBridge.clearComplaint();
      l.g_object_set_property(op, arena.allocateFrom(argName), gvalue);
      String complaint = LogBridge.takeComplaint();
      if (complaint != null) {
        throw new IllegalArgumentException(name + ": argument " + argName + ": " + complaint);
      }
    } finally {
      l.g_value_unset(gvalue);
    }
  }

  private @Nullable Object getArgument(Lib l, Arena arena, MemorySegment op, String argName) {
    Argument arg = argument(l, arena, op, argName);
    MemorySegment gvalue = arena.allocate(Lib.GVALUE_SIZE);
    l.g_value_init(gvalue, arg.type);
    try {
      l.g_object_get_property(op, arena.allocateFrom(argName), gvalue);
      return GValues.get(l, arena, gvalue, arg.type, name);
    } finally {
      l.g_value_unset(gvalue);
    }
  }

  private static void closeAll(Iterable<? extends @Nullable Object> values) {
    for (Object v : values) {
      if (v instanceof VipsImage image) {
        image.close();
      } else if (v instanceof VipsImage[] images) {
        for (VipsImage image : images) {
          image.close();
        }
      }
    }
  }

  /** The outputs of one call. Closing it closes every image that was not taken. */
  public static final class Outputs implements AutoCloseable {
    private final String operation;
    private final Map<String, @Nullable Object> values;

    Outputs(String operation, Map<String, @Nullable Object> values) {
      this.operation = operation;
      this.values = values;
    }

    private @Nullable Object value(String name) {
      if (!values.containsKey(name)) {
        throw new IllegalArgumentException(operation + ": output " + name + " was not requested");
      }
      return values.get(name);
    }

    /** Takes ownership of an image output; the caller closes it. */
    public VipsImage takeImage(String name) {
      if (!(value(name) instanceof VipsImage image)) {
        throw new IllegalArgumentException(operation + ": output " + name + " is not an image");
      }
      values.put(name, null);
      return image;
    }

    public byte[] bytes(String name) {
      return (byte[]) present(name);
    }

    public int intValue(String name) {
      return ((Number) present(name)).intValue();
    }

    public double doubleValue(String name) {
      return ((Number) present(name)).doubleValue();
    }

    private Object present(String name) {
      return Objects.requireNonNull(
          value(name), () -> operation + ": output " + name + " is empty");
    }

    public @Nullable Object get(String name) {
      return value(name);
    }

    @Override
    public void close() {
      closeAll(new ArrayList<>(values.values()));
      values.clear();
    }
  }

  /** Conversion between Java values and GValues of the argument's type. */
  static final class GValues {
    private GValues() {}

    static void set(
        Lib l, Arena arena, MemorySegment gv, long type, Object value, String op, String arg) {
      long fundamental = l.g_type_fundamental(type);
      if (fundamental == Lib.G_TYPE_BOOLEAN && value instanceof Boolean b) {
        l.g_value_set_boolean(gv, b ? 1 : 0);
      } else if (fundamental == Lib.G_TYPE_INT && isIntegral(value)) {
        l.g_value_set_int(gv, Math.toIntExact(((Number) value).longValue()));
      } else if (fundamental == Lib.G_TYPE_UINT && isIntegral(value)) {
        l.g_value_set_uint(gv, (int) nonNegative(((Number) value).longValue(), op, arg));
      } else if (fundamental == Lib.G_TYPE_INT64 && isIntegral(value)) {
        l.g_value_set_int64(gv, ((Number) value).longValue());
      } else if (fundamental == Lib.G_TYPE_UINT64 && isIntegral(value)) {
        l.g_value_set_uint64(gv, nonNegative(((Number) value).longValue(), op, arg));
      } else if (fundamental == Lib.G_TYPE_DOUBLE && value instanceof Number n) {
        l.g_value_set_double(gv, n.doubleValue());
      } else if (fundamental == Lib.G_TYPE_STRING && value instanceof String s) {
        l.g_value_set_string(gv, arena.allocateFrom(s));
      } else if (fundamental == Lib.G_TYPE_ENUM) {
        l.g_value_set_enum(gv, enumValue(l, arena, type, value, false, op, arg));
      } else if (fundamental == Lib.G_TYPE_FLAGS) {
        l.g_value_set_flags(gv, enumValue(l, arena, type, value, true, op, arg));
      } else if (fundamental == Lib.G_TYPE_OBJECT && value instanceof VipsImage image) {
        l.g_value_set_object(gv, image.address());
      } else if (type == l.vips_array_double_get_type() && value instanceof double[] d) {
        MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, d);
        l.vips_value_set_array_double(gv, a, d.length);
      } else if (type == l.vips_array_double_get_type() && value instanceof Number n) {
        MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, n.doubleValue());
        l.vips_value_set_array_double(gv, a, 1);
      } else if (type == l.vips_array_int_get_type() && value instanceof int[] ints) {
        MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_INT, ints);
        l.vips_value_set_array_int(gv, a, ints.length);
      } else if (type == l.vips_array_image_get_type() && value instanceof VipsImage[] images) {
        l.vips_value_set_array_image(gv, images.length);
        MemorySegment n = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment array = l.vips_value_get_array_image(gv, n).reinterpret(8L * images.length);
        for (int i = 0; i < images.length; i++) {
          // The array owns one reference per element, dropped by g_value_unset.
          array.setAtIndex(ValueLayout.ADDRESS, i, l.g_object_ref(images[i].address()));
        }
      } else if (type == l.vips_blob_get_type() && value instanceof byte[] bytes) {
        // libvips must own input bytes: the image may outlive this call (design notes).
        long size = Math.max(1, bytes.length);
        MemorySegment owned = l.g_malloc(size).reinterpret(size);
        MemorySegment.copy(bytes, 0, owned, ValueLayout.JAVA_BYTE, 0, bytes.length);
        l.vips_value_set_blob_free(gv, owned, bytes.length);
      } else {
        throw new IllegalArgumentException(
            op
                + ": argument "
                + arg
                + " of type "
                + typeName(l, type)
                + " cannot take a "
                + value.getClass().getSimpleName());
      }
    }

    static @Nullable Object get(Lib l, Arena arena, MemorySegment gv, long type, String op) {
      long fundamental = l.g_type_fundamental(type);
      if (fundamental == Lib.G_TYPE_BOOLEAN) {
        return l.g_value_get_boolean(gv) != 0;
      } else if (fundamental == Lib.G_TYPE_INT) {
        return l.g_value_get_int(gv);
      } else if (fundamental == Lib.G_TYPE_UINT) {
        return Integer.toUnsignedLong(l.g_value_get_uint(gv));
      } else if (fundamental == Lib.G_TYPE_INT64) {
        return l.g_value_get_int64(gv);
      } else if (fundamental == Lib.G_TYPE_UINT64) {
        return l.g_value_get_uint64(gv);
      } else if (fundamental == Lib.G_TYPE_DOUBLE) {
        return l.g_value_get_double(gv);
      } else if (fundamental == Lib.G_TYPE_STRING) {
        MemorySegment s = l.g_value_get_string(gv);
        return s.equals(MemorySegment.NULL) ? null : s.reinterpret(1 << 20).getString(0);
      } else if (fundamental == Lib.G_TYPE_ENUM) {
        return l.vips_enum_nick(type, l.g_value_get_enum(gv)).reinterpret(256).getString(0);
      } else if (fundamental == Lib.G_TYPE_FLAGS) {
        return l.g_value_get_flags(gv);
      } else if (fundamental == Lib.G_TYPE_OBJECT) {
        MemorySegment object = l.g_value_get_object(gv);
        return object.equals(MemorySegment.NULL) ? null : VipsImage.own(l.g_object_ref(object), op);
      }
      MemorySegment n = arena.allocate(ValueLayout.JAVA_LONG);
      if (type == l.vips_blob_get_type()) {
        MemorySegment data = l.vips_value_get_blob(gv, n);
        long size = n.get(ValueLayout.JAVA_LONG, 0);
        return data.equals(MemorySegment.NULL)
            ? new byte[0]
            : data.reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
      } else if (type == l.vips_array_double_get_type()) {
        MemorySegment data = l.vips_value_get_array_double(gv, n);
        int count = n.get(ValueLayout.JAVA_INT, 0);
        return data.reinterpret(8L * count).toArray(ValueLayout.JAVA_DOUBLE);
      } else if (type == l.vips_array_int_get_type()) {
        MemorySegment data = l.vips_value_get_array_int(gv, n);
        int count = n.get(ValueLayout.JAVA_INT, 0);
        return data.reinterpret(4L * count).toArray(ValueLayout.JAVA_INT);
      }
      throw new VipsException(op, "cannot read an output of type " + typeName(l, type));
    }

    private static boolean isIntegral(Object v) {
      return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte;
    }

    private static long nonNegative(long v, String op, String arg) {
      if (v < 0) {
        throw new IllegalArgumentException(op + ": argument " + arg + " must be >= 0: " + v);
      }
      return v;
    }

    private static int enumValue(
        Lib l, Arena arena, long type, Object value, boolean flags, String op, String arg) {
      if (value instanceof Integer i) {
        return i;
      }
      if (!(value instanceof String nick)) {
        throw new IllegalArgumentException(
            op + ": argument " + arg + " wants a nick of " + typeName(l, type) + ", got " + value);
      }
      MemorySegment domain = arena.allocateFrom("imgd");
      int v =
          flags
              ? l.vips_flags_from_nick(domain, type, arena.allocateFrom(nick))
              : l.vips_enum_from_nick(domain, type, arena.allocateFrom(nick));
      if (v < 0) {
        throw new IllegalArgumentException(
            op + ": '" + nick + "' is not a value of " + typeName(l, type) + " for " + arg);
      }
      return v;
    }

    static String typeName(Lib l, long type) {
      MemorySegment s = l.g_type_name(type);
      return s.equals(MemorySegment.NULL) ? "GType " + type : s.reinterpret(256).getString(0);
    }
  }

  /** The arguments set so far, for error messages and logs. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    args.forEach((k, v) -> parts.add(k + "=" + (v instanceof byte[] b ? b.length + " bytes" : v)));
    return name + parts;
  }
}
