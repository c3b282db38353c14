package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.pipeline.Pipeline;
import dev.imgd.core.plan.Encoded;
import dev.imgd.core.plan.Page;
import dev.imgd.core.plan.Plan;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Every message between the server and a worker, over a Unix domain socket: each record writes and
 * reads itself, side by side. The server trusts nothing a worker sends (a hostile image may have
 * taken it over): replies are plain fields with checked lengths and ordinals, never Java
 * serialization. Jobs go the other way with a serialized plan, which the worker reads through a
 * filter that admits only imgd's records and the JDK types they use.
 */
final class Wire {
  static final int MAX_REPLY_BYTES = 512 << 20;
  static final int MAX_MESSAGE_CHARS = 1000;
  private static final int MAGIC = 0x494d4744; // "IMGD"

  private static final ObjectInputFilter PLAN_FILTER =
      ObjectInputFilter.Config.createFilter(
          "maxdepth=20;maxrefs=10000;maxbytes=1048576;"
              + "dev.imgd.core.**;java.lang.*;java.util.*;java.time.*;java.lang.Enum;!*");

  private Wire() {}

  static DataInputStream input(SocketChannel channel) {
    return new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
  }

  static DataOutputStream output(SocketChannel channel) {
    return new DataOutputStream(
        new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
  }

  /**
   * A new worker's first words: the token it was started with, its pid, and what its libvips reads
   * and writes.
   */
  record Hello(
      String token,
      long pid,
      String libvipsVersion,
      Set<ImageFormat> reads,
      Set<ImageFormat> writes) {
    void write(DataOutputStream out) throws IOException {
      out.writeInt(MAGIC);
      out.writeUTF(token);
      out.writeLong(pid);
      out.writeUTF(libvipsVersion);
      writeFormats(out, reads);
      writeFormats(out, writes);
    }

    /** Server side: refuses anyone who does not know the token. */
    static Hello read(DataInputStream in, String token) throws IOException {
      if (in.readInt() != MAGIC || !in.readUTF().equals(token)) {
        throw new IOException("a stranger connected");
      }
      return new Hello(token, in.readLong(), in.readUTF(), readFormats(in), readFormats(in));
    }
  }

  /** What the server asks of a worker; the first int of a request says which. */
  sealed interface Request {
    void write(DataOutputStream out) throws IOException;

    /** Worker side; a plan is read through the filter. */
    static Request read(DataInputStream in) throws IOException {
      return switch (in.readInt()) {
        case Run.KIND -> Run.read(in);
        case Measure.KIND -> Measure.read(in);
        case Exit.KIND -> new Exit();
        default -> throw new IOException("unknown request");
      };
    }
  }

  /** A request with an input to process, answered by a {@link Reply}. */
  sealed interface Job extends Request {
    byte[] source();
  }

  /** Runs a plan on a source (and a watermark, or null); answered by an {@link Image}. */
  // Payload records, never compared: the arrays are bytes in transit.
  @SuppressWarnings("ArrayRecordComponent")
  record Run(Plan plan, byte[] source, byte @Nullable [] watermark) implements Job {
    static final int KIND = 0;

    @Override
    public void write(DataOutputStream out) throws IOException {
      byte[] planBytes = serialize(plan); // first: nothing is written if it cannot be
      out.writeInt(KIND);
      writeBytes(out, planBytes);
      writeBytes(out, source);
      writeBytes(out, watermark);
    }

    static Run read(DataInputStream in) throws IOException {
      Plan plan = deserialize(readBytes(in, From.SERVER));
      return new Run(plan, readBytes(in, From.SERVER), readBytesOrNull(in, From.SERVER));
    }
  }

  /** Measures one page of a document; answered by a {@link Measured}. */
  @SuppressWarnings("ArrayRecordComponent") // a payload record, never compared
  record Measure(ImageFormat format, int page, byte[] source) implements Job {
    static final int KIND = 1;

    @Override
    public void write(DataOutputStream out) throws IOException {
      out.writeInt(KIND);
      writeEnum(out, format);
      out.writeInt(page);
      writeBytes(out, source);
    }

    static Measure read(DataInputStream in) throws IOException {
      return new Measure(readEnum(in, ImageFormat.class), in.readInt(), readBytes(in, From.SERVER));
    }
  }

  /** Asks the worker to exit; no answer. */
  record Exit() implements Request {
    static final int KIND = 2;

    @Override
    public void write(DataOutputStream out) throws IOException {
      out.writeInt(KIND);
    }
  }

  /** A worker's answer to one request; every answer ends with libvips' tracked memory. */
  sealed interface Reply {
    long vipsMemory();

    void write(DataOutputStream out) throws IOException;

    /** Server side: every length and ordinal checked. */
    static Reply read(DataInputStream in) throws IOException {
      return switch (in.readInt()) {
        case Image.KIND -> Image.read(in);
        case Measured.KIND -> Measured.read(in);
        case Failed.KIND -> Failed.read(in);
        default -> throw new IOException("unknown reply");
      };
    }
  }

  /**
   * A plan's output, verified by the worker (and again by the server, against the oriented size of
   * the source it says it worked on: the plan's, or smaller when it trimmed).
   */
  record Image(Pipeline.Result result, long vipsMemory) implements Reply {
    static final int KIND = 0;

    @Override
    public void write(DataOutputStream out) throws IOException {
      Encoded encoded = result.encoded();
      out.writeInt(KIND);
      out.writeInt(result.sourceWidth());
      out.writeInt(result.sourceHeight());
      writeEnum(out, encoded.format());
      out.writeInt(encoded.width());
      out.writeInt(encoded.height());
      out.writeInt(encoded.frames());
      writeBytes(out, encoded.bytes());
      out.writeLong(vipsMemory);
    }

    static Image read(DataInputStream in) throws IOException {
      int sourceWidth = in.readInt();
      int sourceHeight = in.readInt();
      ImageFormat format = readEnum(in, ImageFormat.class);
      int width = in.readInt();
      int height = in.readInt();
      int frames = in.readInt();
      byte[] bytes = readBytes(in, From.WORKER);
      Encoded encoded = new Encoded(bytes, format, width, height, frames);
      return new Image(new Pipeline.Result(encoded, sourceWidth, sourceHeight), in.readLong());
    }
  }

  /** A page's size and the document's page count. */
  record Measured(Page page, long vipsMemory) implements Reply {
    static final int KIND = 1;

    @Override
    public void write(DataOutputStream out) throws IOException {
      out.writeInt(KIND);
      out.writeInt(page.width());
      out.writeInt(page.height());
      out.writeInt(page.pages());
      out.writeLong(vipsMemory);
    }

    static Measured read(DataInputStream in) throws IOException {
      int width = in.readInt();
      int height = in.readInt();
      int pages = in.readInt();
      if (width < 0 || height < 0 || pages < 1) {
        throw new IOException("bad page " + width + "x" + height + " of " + pages);
      }
      return new Measured(new Page(width, height, pages), in.readLong());
    }
  }

  /** The job failed with a typed error; the worker lives on. */
  record Failed(ErrorCode code, String message, long vipsMemory) implements Reply {
    static final int KIND = 2;

    Failed {
      message = message == null ? code.code() : truncated(message);
    }

    @Override
    public void write(DataOutputStream out) throws IOException {
      out.writeInt(KIND);
      writeEnum(out, code);
      out.writeUTF(message);
      out.writeLong(vipsMemory);
    }

    static Failed read(DataInputStream in) throws IOException {
      return new Failed(readEnum(in, ErrorCode.class), in.readUTF(), in.readLong());
    }

    ImgdException error() {
      return new ImgdException(code, message);
    }
  }

  private static String truncated(String s) {
    return s.length() > MAX_MESSAGE_CHARS ? s.substring(0, MAX_MESSAGE_CHARS) : s;
  }

  private static byte[] serialize(Plan plan) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(plan);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + plan.getClass(), e);
    }
    return bytes.toByteArray();
  }

  private static Plan deserialize(byte[] bytes) throws IOException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(PLAN_FILTER);
      return (Plan) in.readObject();
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new IOException(e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte @Nullable [] bytes) throws IOException {
    if (bytes == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(bytes.length);
      out.write(bytes);
    }
  }

  /**
   * Who wrote a frame. A worker takes the server's lengths at their word and reads a frame into one
   * array of that length (a source read in pieces and joined cost a copy, and its pieces, live
   * across a young collection, filled the old generation). The server believes no worker: a frame
   * is read as its bytes arrive, up to {@link #MAX_REPLY_BYTES}, so a false length costs nothing.
   */
  private enum From {
    SERVER,
    WORKER
  }

  /** Bytes of a checked length, where null is not an answer. */
  private static byte[] readBytes(DataInputStream in, From sender) throws IOException {
    byte[] bytes = readBytesOrNull(in, sender);
    if (bytes == null) {
      throw new IOException("no bytes where they are needed");
    }
    return bytes;
  }

  /** Bytes of a checked length; -1 stands for null. */
  private static byte @Nullable [] readBytesOrNull(DataInputStream in, From sender)
      throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || (sender == From.WORKER && n > MAX_REPLY_BYTES)) {
      throw new IOException("a frame of " + n + " bytes");
    }
    if (sender == From.SERVER) {
      byte[] bytes = new byte[n];
      in.readFully(bytes);
      return bytes;
    }
    byte[] bytes = in.readNBytes(n);
    if (bytes.length != n) {
      throw new EOFException("the frame ended early");
    }
    return bytes;
  }

  // Constants travel by name, so that the wire does not depend on their declaration order.
  private static void writeEnum(DataOutputStream out, Enum<?> constant) throws IOException {
    out.writeUTF(constant.name());
  }

  private static <E extends Enum<E>> E readEnum(DataInputStream in, Class<E> type)
      throws IOException {
    String name = in.readUTF();
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new IOException("no " + type.getSimpleName() + " " + name, e);
    }
  }

  private static void writeFormats(DataOutputStream out, Set<ImageFormat> formats)
      throws IOException {
    out.writeInt(formats.size());
    for (ImageFormat f : formats) {
      writeEnum(out, f);
    }
  }

  private static Set<ImageFormat> readFormats(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > ImageFormat.values().length) {
      throw new IOException("a set of " + n + " formats");
    }
    Set<ImageFormat> s = EnumSet.noneOf(ImageFormat.class);
    for (int i = 0; i < n; i++) {
      s.add(readEnum(in, ImageFormat.class));
    }
    return s;
  }
}
