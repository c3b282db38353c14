package dev.imgd.worker;

import dev.imgd.core.Engine;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.pipeline.Pipeline;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * An isolated worker: a process that runs one image at a time with one libvips thread, connected to
 * the server by a Unix domain socket. It trusts the server and nothing else; the server trusts none
 * of its replies and kills it when it overruns its deadline or memory cap.
 *
 * <p>Started by the server as {@code java ... dev.imgd.worker.WorkerMain SOCKET} with the token in
 * {@code IMGD_WORKER_TOKEN} and the libvips library in {@code -Dimgd.libvips}.
 */
public final class WorkerMain {
  static final String TOKEN_ENV = "IMGD_WORKER_TOKEN";
  static final String HOOKS_PROPERTY = "imgd.worker.hooks";

  private WorkerMain() {}

  public static void main(String[] args) {
    if (args.length != 1 || System.getenv(TOKEN_ENV) == null) {
      System.err.println("imgd worker: started by the imgd server only");
      System.exit(2);
    }
    System.setOut(System.err); // stdout is not ours to write: the server discards it
    try {
      serve(Path.of(args[0]));
    } catch (OutOfMemoryError e) {
      Runtime.getRuntime().halt(3); // as -XX:+ExitOnOutOfMemoryError does for the heap
    } catch (IOException e) {
      // the server went away: nothing to answer
    } catch (Throwable t) {
      // Never linger with a job half done: the server sees the exit and replaces this worker.
      System.err.println("imgd worker: " + t);
      Runtime.getRuntime().halt(70);
    }
    Runtime.getRuntime().halt(0); // no shutdown hooks: libvips' threads must not delay the exit
  }

  private static void serve(Path socket) throws IOException {
    Set<VipsSettings.Loader> loaders = EnumSet.copyOf(VipsSettings.WEB_LOADERS);
    loaders.add(VipsSettings.Loader.SVG);
    loaders.add(VipsSettings.Loader.PDF);
    Vips.start(VipsSettings.defaults(VipsSettings.libraryFromEnvironment()).withLoaders(loaders));
    Set<ImageFormat> reads = ImageFormat.readable(Vips.capabilities());
    reads.remove(ImageFormat.TIFF); // TIFF stays refused: one reused tile makes 10^12 pixels
    Set<ImageFormat> writes = ImageFormat.writable(Vips.capabilities());
    boolean hooks = Boolean.getBoolean(HOOKS_PROPERTY);

    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
      DataOutputStream out =
          new DataOutputStream(
              new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
      out.writeInt(Wire.MAGIC);
      out.writeUTF(System.getenv(TOKEN_ENV));
      out.writeLong(ProcessHandle.current().pid());
      out.writeUTF(Vips.version());
      out.writeInt(Wire.formatMask(reads));
      out.writeInt(Wire.formatMask(writes));
      out.flush();
      while (true) {
        Wire.Kind kind;
        try {
          kind = Wire.readEnum(in, Wire.Kind.class);
        } catch (EOFException e) {
          return; // the server closed the connection: done
        }
        if (kind == Wire.Kind.EXIT) {
          return;
        }
        handle(kind, in, out, hooks);
        out.writeLong(Vips.stats().memory()); // every reply ends with libvips' tracked memory
        out.flush();
      }
    }
  }

  private static void handle(
      Wire.Kind kind, DataInputStream in, DataOutputStream out, boolean hooks) throws IOException {
    try {
      switch (kind) {
        case RUN -> {
          Plan plan = Wire.deserialize(Wire.readBytes(in, Integer.MAX_VALUE), Plan.class);
          byte[] source = Wire.readBytes(in, Integer.MAX_VALUE);
          byte[] watermark = Wire.readBytes(in, Integer.MAX_VALUE);
          Pipeline.Encoded e = Pipeline.run(source, plan, watermark);
          out.writeInt(Wire.Status.IMAGE.ordinal());
          out.writeInt(e.format().ordinal());
          out.writeInt(e.width());
          out.writeInt(e.height());
          out.writeInt(e.frames());
          Wire.writeBytes(out, e.bytes());
        }
        case MEASURE -> {
          ImageFormat format = Wire.readEnum(in, ImageFormat.class);
          int page = in.readInt();
          byte[] source = Wire.readBytes(in, Integer.MAX_VALUE);
          Engine.Page p = Pipeline.measure(source, format, page);
          out.writeInt(Wire.Status.PAGE.ordinal());
          out.writeInt(p.width());
          out.writeInt(p.height());
          out.writeInt(p.pages());
        }
        case HOOK -> {
          String hook = in.readUTF();
          if (!hooks) {
            throw new ImgdException(ErrorCode.BAD_OPTIONS, "test hooks are off");
          }
          misbehave(hook);
          out.writeInt(Wire.Status.PAGE.ordinal());
          out.writeInt(1);
          out.writeInt(1);
          out.writeInt(1);
        }
        default -> throw new IOException("unexpected " + kind);
      }
    } catch (ImgdException e) {
      error(out, e.code(), e.getMessage());
    } catch (RuntimeException e) {
      error(out, ErrorCode.ENGINE_FAILED, "image processing failed: " + e.getClass().getName());
    }
  }

  private static void error(DataOutputStream out, ErrorCode code, String message)
      throws IOException {
    out.writeInt(Wire.Status.ERROR.ordinal());
    out.writeInt(code.ordinal());
    String m = message == null ? code.code() : message;
    out.writeUTF(m.length() > Wire.MAX_MESSAGE_CHARS ? m.substring(0, Wire.MAX_MESSAGE_CHARS) : m);
  }

  /** Test hooks: the ways a decoder goes wrong, on demand. */
  private static void misbehave(String hook) {
    Linker linker = Linker.nativeLinker();
    switch (hook) {
      case "ok" -> {}
      case "sleep" -> {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case "spin" -> {
        long x = 0;
        while (x >= 0) {
          x = (x + 1) & Long.MAX_VALUE; // never negative: spins until killed
        }
      }
      case "grow" -> {
        // malloc and touch, as a decoder would: native memory the JVM does not limit.
        MethodHandle malloc =
            linker.downcallHandle(
                linker.defaultLookup().find("malloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        try {
          while (true) {
            long size = 64 << 20;
            MemorySegment block = ((MemorySegment) malloc.invokeExact(size)).reinterpret(size);
            block.fill((byte) 1);
          }
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
      case "segv" -> {
        // memset on address 8: a real SIGSEGV inside native code, as a codec bug would raise.
        try {
          linker
              .downcallHandle(
                  linker.defaultLookup().find("memset").orElseThrow(),
                  FunctionDescriptor.of(
                      ValueLayout.ADDRESS,
                      ValueLayout.ADDRESS,
                      ValueLayout.JAVA_INT,
                      ValueLayout.JAVA_LONG))
              .invoke(MemorySegment.ofAddress(8), 0, 64L);
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
      case "abort" -> {
        try {
          linker
              .downcallHandle(
                  linker.defaultLookup().find("abort").orElseThrow(), FunctionDescriptor.ofVoid())
              .invoke();
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
      default -> throw new ImgdException(ErrorCode.BAD_OPTIONS, "no hook " + hook);
    }
  }
}
