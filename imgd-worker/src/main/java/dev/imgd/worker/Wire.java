package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.EnumSet;
import java.util.Set;

/**
 * The frames between the server and a worker, over a Unix domain socket. The server trusts nothing
 * a worker sends (a hostile image may have taken it over): replies are plain fields with checked
 * lengths and ordinals, never Java serialization. Jobs go the other way as a serialized plan, which
 * the worker reads through a filter that admits only imgd's records and the JDK types they use.
 */
final class Wire {
  static final int MAGIC = 0x494d4744; // "IMGD"
  static final int MAX_REPLY_BYTES = 512 << 20;
  static final int MAX_MESSAGE_CHARS = 1000;

  /** What the server asks of a worker. */
  enum Kind {
    RUN,
    MEASURE,
    HOOK,
    EXIT
  }

  /** A worker's reply status. */
  enum Status {
    IMAGE,
    PAGE,
    ERROR
  }

  private static final ObjectInputFilter PLAN_FILTER =
      ObjectInputFilter.Config.createFilter(
          "maxdepth=20;maxrefs=10000;maxbytes=1048576;"
              + "dev.imgd.core.**;java.lang.*;java.util.*;java.time.*;java.lang.Enum;!*");

  private Wire() {}

  static byte[] serialize(Serializable value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass(), e);
    }
    return bytes.toByteArray();
  }

  /** Worker side: the server's plan, through the filter. */
  static <T> T deserialize(byte[] bytes, Class<T> type) throws IOException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(PLAN_FILTER);
      return type.cast(in.readObject());
    } catch (ClassNotFoundException e) {
      throw new IOException(e);
    }
  }

  static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    if (bytes == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(bytes.length);
      out.write(bytes);
    }
  }

  /** Bytes of a checked length; -1 stands for null. */
  static byte[] readBytes(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > max) {
      throw new IOException("frame of " + n + " bytes, over " + max);
    }
    byte[] bytes = in.readNBytes(n);
    if (bytes.length != n) {
      throw new EOFException("the frame ended early");
    }
    return bytes;
  }

  static <E extends Enum<E>> E readEnum(DataInputStream in, Class<E> type) throws IOException {
    int ordinal = in.readInt();
    E[] values = type.getEnumConstants();
    if (ordinal < 0 || ordinal >= values.length) {
      throw new IOException("no " + type.getSimpleName() + " #" + ordinal);
    }
    return values[ordinal];
  }

  static dev.imgd.core.Engine.Page readPage(DataInputStream in) throws IOException {
    int width = in.readInt();
    int height = in.readInt();
    int pages = in.readInt();
    if (width < 0 || height < 0 || pages < 1) {
      throw new IOException("bad page " + width + "x" + height + " of " + pages);
    }
    return new dev.imgd.core.Engine.Page(width, height, pages);
  }

  static String readMessage(DataInputStream in) throws IOException {
    String s = in.readUTF();
    return s.length() > MAX_MESSAGE_CHARS ? s.substring(0, MAX_MESSAGE_CHARS) : s;
  }

  static int formatMask(Set<ImageFormat> formats) {
    int mask = 0;
    for (ImageFormat f : formats) {
      mask |= 1 << f.ordinal();
    }
    return mask;
  }

  static Set<ImageFormat> formats(int mask) {
    Set<ImageFormat> s = EnumSet.noneOf(ImageFormat.class);
    for (ImageFormat f : ImageFormat.values()) {
      if ((mask & (1 << f.ordinal())) != 0) {
        s.add(f);
      }
    }
    return s;
  }

  static ImgdException protocol(String what, Throwable cause) {
    return new ImgdException(ErrorCode.ENGINE_FAILED, "worker protocol error: " + what, cause);
  }
}
