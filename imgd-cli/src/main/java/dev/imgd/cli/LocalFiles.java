package dev.imgd.cli;

import dev.imgd.core.ImageFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The commands' file reads and writes, failing with the file's own name and what is wrong in words
 * ("not found", "not a folder", "cannot write"), never a temporary file's name.
 */
final class LocalFiles {
  private LocalFiles() {}

  static byte[] read(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": a folder, not an image file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": not found", e);
    } catch (IOException e) {
      throw new IOException("cannot read " + file + ": " + reason(e), e);
    }
  }

  /** A folder that must exist. */
  static Path folder(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      throw new IOException(dir + ": not found");
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": not a folder");
    }
    return dir;
  }

  /**
   * The files under {@code dir} whose extension names a format imgd reads, sorted, outside {@code
   * skip} (an output folder inside the input's, or null).
   */
  static List<Path> images(Path dir, @Nullable Path skip) throws IOException {
    Path outside = skip == null ? null : skip.toAbsolutePath().normalize();
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> outside == null || !p.toAbsolutePath().normalize().startsWith(outside))
          .filter(p -> ImageFormat.fromExtension(ConvertCommand.extension(p)).isPresent())
          .sorted()
          .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Writes {@code file} whole or not at all: to a temporary name beside it, then renamed, so that a
   * cut run leaves no half file under the real name.
   */
  static void write(Path file, byte[] bytes) throws IOException {
    Path dir = Objects.requireNonNull(file.toAbsolutePath().getParent(), "a file, not /");
    if (!Files.isDirectory(dir)) {
      throw new IOException(
          "cannot write "
              + file
              + ": "
              + dir
              + (Files.exists(dir) ? " is not a folder" : " not found"));
    }
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, ".imgd-", ".part");
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
      throw new IOException("cannot write " + file + ": " + reason(e), e);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason(); // the system's words, without the file name it names
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
