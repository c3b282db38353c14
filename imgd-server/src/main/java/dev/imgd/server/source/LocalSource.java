package dev.imgd.server.source;

import static dev.imgd.core.ErrorCode.BAD_OPTIONS;
import static dev.imgd.core.ErrorCode.DEADLINE_EXCEEDED;
import static dev.imgd.core.ErrorCode.SOURCE_FAILED;
import static dev.imgd.core.ErrorCode.SOURCE_FORBIDDEN;
import static dev.imgd.core.ErrorCode.SOURCE_NOT_FOUND;
import static dev.imgd.core.ErrorCode.TOO_LARGE;
import static dev.imgd.server.source.Failures.fail;

import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * {@code local:///a/b.jpg}: a file under the configured root, jailed to it. A URL may not climb out
 * with {@code ..} (plain or percent-encoded) nor through a symbolic link: the file's real path must
 * lie under the root's real path.
 */
final class LocalSource implements Source {
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final Path root;

  LocalSource(Path root) {
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("local source root is not usable: " + root, e);
    }
    if (!Files.isDirectory(this.root)) {
      throw new IllegalArgumentException("local source root is not a folder: " + root);
    }
  }

  @Override
  public String identity(URI url) {
    Path file = resolve(url);
    BasicFileAttributes attributes = attributes(url, file);
    // Relative to the root, so cache keys never carry the machine's layout.
    return "local:///%s#%d-%s"
        .formatted(
            root.relativize(file), attributes.size(), attributes.lastModifiedTime().toInstant());
  }

  @Override
  public Fetched fetch(URI url, Instant deadline, long maxBytes) {
    Path file = resolve(url);
    // NOFOLLOW_LINKS: the checked real path has no links; refuse one swapped in since the check.
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      long size = attributes(url, file).size();
      if (size > maxBytes) {
        throw fail(TOO_LARGE, "source is too large", url, size + " > " + maxBytes + " bytes");
      }
      checkDeadline(url, deadline);
      // Read one byte past the cap whatever the size said: the file may grow while being read.
      byte[] bytes = in.readNBytes((int) Math.min(maxBytes, MAX_ARRAY - 1) + 1);
      if (bytes.length > maxBytes) {
        throw fail(TOO_LARGE, "source is too large", url, "grew past " + maxBytes + " bytes");
      }
      checkDeadline(url, deadline);
      return Fetched.from(url, bytes);
    } catch (NoSuchFileException e) {
      throw fail(SOURCE_NOT_FOUND, "source not found", url, "vanished", e);
    } catch (IOException e) {
      throw fail(SOURCE_FAILED, "source could not be read", url, e.toString(), e);
    }
  }

  /**
   * Up to {@code max} files under the root whose relative paths have at most {@code depth} parts
   * and whose names {@code keep} accepts, as {@code local:///} URLs in name order. The walk follows
   * no link and skips hidden names; each file found passes the same jail checks as a fetch.
   */
  List<URI> list(int depth, int max, Predicate<String> keep) {
    try (Stream<Path> walk = Files.walk(root, depth)) {
      return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .map(root::relativize)
          .filter(p -> !p.toString().startsWith(".") && !p.toString().contains("/."))
          .filter(p -> keep.test(p.getFileName().toString()))
          .limit(max)
          .map(LocalSource::url)
          .filter(this::passes)
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw fail(
          SOURCE_FAILED,
          "local source could not be listed",
          URI.create("local:///"),
          e.toString(),
          e);
    }
  }

  private static URI url(Path relative) {
    try {
      return new URI("local", "///" + relative.toString().replace('\\', '/'), null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("a quoted path is a URI", e);
    }
  }

  private boolean passes(URI url) {
    try {
      resolve(url);
      return true;
    } catch (ImgdException e) {
      return false;
    }
  }

  private static void checkDeadline(URI url, Instant deadline) {
    if (Instant.now().isAfter(deadline)) {
      throw fail(DEADLINE_EXCEEDED, "deadline exceeded reading the source", url, "deadline");
    }
  }

  /** The real path of the file the URL names, after every jail check. */
  private Path resolve(URI url) {
    if (url.isOpaque() || url.getRawAuthority() != null || url.getPath() == null) {
      throw fail(BAD_OPTIONS, "a local source looks like local:///path", url, "malformed");
    }
    String path = url.getPath(); // percent-decoded, so %2e%2e arrives here as ..
    if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
      throw fail(SOURCE_FORBIDDEN, "source path not allowed", url, "NUL or backslash");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) { // empty segments are skipped below
      if (segment.equals("..") || segment.equals(".")) {
        throw fail(SOURCE_FORBIDDEN, "source path not allowed", url, "dot segment");
      }
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    if (segments.isEmpty()) {
      throw fail(SOURCE_NOT_FOUND, "source not found", url, "names the root");
    }
    Path candidate = root.resolve(String.join("/", segments)).normalize();
    if (!candidate.startsWith(root)) {
      throw fail(SOURCE_FORBIDDEN, "source path not allowed", url, "outside the root");
    }
    Path real;
    try {
      real = candidate.toRealPath(); // follows every link, in any segment
    } catch (NoSuchFileException e) {
      throw fail(SOURCE_NOT_FOUND, "source not found", url, "no such file");
    } catch (IOException e) {
      throw fail(SOURCE_FAILED, "source could not be read", url, e.toString(), e);
    }
    if (!real.startsWith(root)) {
      throw fail(SOURCE_FORBIDDEN, "source path not allowed", url, "link out of the root");
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw fail(SOURCE_NOT_FOUND, "source not found", url, "not a regular file");
    }
    return real;
  }

  private static BasicFileAttributes attributes(URI url, Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw fail(SOURCE_NOT_FOUND, "source not found", url, "vanished", e);
    } catch (IOException e) {
      throw fail(SOURCE_FAILED, "source could not be read", url, e.toString(), e);
    }
  }
}
