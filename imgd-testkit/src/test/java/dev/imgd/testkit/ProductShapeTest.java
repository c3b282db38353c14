package dev.imgd.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape reviewers check, read from the product modules' main sources (imgd-vips, imgd-core,
 * imgd-worker, imgd-server, imgd-cli): no import circle between their packages, nothing imported
 * from the harness or the test kit, and no attack generator among them. imgd-core's root package
 * holds two layers: the shared base types every package may use (those importing no other imgd
 * package: ErrorCode, ImgdException, ImageFormat, Limits), and the API on top (Imgd, Engine...), a
 * node of its own here.
 */
class ProductShapeTest {
  private static final List<String> PRODUCT =
      List.of("imgd-vips", "imgd-core", "imgd-worker", "imgd-server", "imgd-cli");
  private static final String ROOT = "dev.imgd.core";
  private static final String BASE = ROOT + " (base types)";
  private static final Pattern CORE_IMPORT =
      Pattern.compile("^import (?:static )?dev\\.imgd\\.core\\.", Pattern.MULTILINE);
  private static final Pattern EXPORTS =
      Pattern.compile("exports\\s+([\\w.]+)(?:\\s+to\\s+([\\w.,\\s]+?))?\\s*;");
  private static final Pattern IMPORT =
      Pattern.compile(
          "^import (?:static )?(dev\\.imgd\\.[a-z.]*?)\\.([A-Z]\\w*)", Pattern.MULTILINE);

  @Test
  void packagesImportEachOtherWithoutCircles() {
    Map<String, Map<String, Set<String>>> graph = graph(sources());
    assertThat(graph).containsKeys(BASE, ROOT, ROOT + ".pipeline", "dev.imgd.server");
    List<String> circle = findCircle(graph);
    assertThat(circle).as("an import circle, each edge with the files that make it").isEmpty();
  }

  @Test
  void theProductUsesNeitherTheHarnessNorTheTestKit() {
    sources()
        .forEach((file, text) ->
            assertThat(text)
                .as(file)
                .doesNotContain("import dev.imgd.bench.")
                .doesNotContain("import dev.imgd.testkit."));
    assertThat(sources().keySet()).noneMatch(file -> file.contains("/hostile/"));
  }

  /**
   * Each product module has a descriptor, and it exports only the API: imgd-vips and imgd-core's
   * pipeline only to the imgd modules that run them, nothing from the CLI, the server's sources or
   * the worker's parts (package-private in the exported package). A new export is a decision: make
   * it here too.
   */
  @Test
  void eachModuleExportsOnlyItsApi() {
    Map<String, String> exports = new TreeMap<>();
    Path checkout = Fixtures.images().getParent();
    for (String module : PRODUCT) {
      String descriptor =
          read(checkout.resolve(module).resolve("src/main/java/module-info.java"))
              .replaceAll("(?s)/\\*.*?\\*/|//[^\n]*", "");
      Matcher m = EXPORTS.matcher(descriptor);
      while (m.find()) {
        exports.put(m.group(1), m.group(2) == null ? "all" : m.group(2).replaceAll("\\s+", ""));
      }
    }
    assertThat(exports)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "dev.imgd.vips", "dev.imgd.core,dev.imgd.worker,dev.imgd.server,dev.imgd.cli",
                "dev.imgd.core", "all",
                "dev.imgd.core.options", "all",
                "dev.imgd.core.plan", "all",
                "dev.imgd.core.probe", "all",
                "dev.imgd.core.pipeline", "dev.imgd.worker",
                "dev.imgd.worker", "all",
                "dev.imgd.server", "all",
                "dev.imgd.server.settings", "all"));
  }

  /** Each product module's main sources, by path below src/main/java, to their text. */
  private static Map<String, String> sources() {
    Path checkout = Fixtures.images().getParent();
    Map<String, String> sources = new TreeMap<>();
    for (String module : PRODUCT) {
      Path main = checkout.resolve(module).resolve("src/main/java");
      try (Stream<Path> files = Files.walk(main)) {
        files
            .filter(f -> f.toString().endsWith(".java"))
            .filter(f -> !f.getFileName().toString().equals("module-info.java"))
            .forEach(f -> sources.put(main.relativize(f).toString(), read(f)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sources;
  }

  /** Package to imported package to the files that import it. */
  private static Map<String, Map<String, Set<String>>> graph(Map<String, String> sources) {
    Set<String> base = baseTypes(sources);
    Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
    sources.forEach((file, text) -> {
      String from = node(packageOf(file), className(file), base);
      Map<String, Set<String>> edges = graph.computeIfAbsent(from, k -> new TreeMap<>());
      Matcher m = IMPORT.matcher(text);
      while (m.find()) {
        String to = node(m.group(1), m.group(2), base);
        if (!to.equals(from)) {
          edges.computeIfAbsent(to, k -> new TreeSet<>()).add(file);
        }
      }
    });
    return graph;
  }

  /**
   * imgd-core's root types that import no imgd-core package and name no root type outside the base
   * (the same package needs no import, so the names are checked in the text).
   */
  private static Set<String> baseTypes(Map<String, String> sources) {
    Set<String> root = new TreeSet<>();
    sources.keySet().stream()
        .filter(f -> packageOf(f).equals(ROOT))
        .forEach(f -> root.add(className(f)));
    Set<String> base = new TreeSet<>();
    sources.forEach((file, text) -> {
      if (packageOf(file).equals(ROOT) && !CORE_IMPORT.matcher(text).find()) {
        base.add(className(file));
      }
    });
    // Drop, until nothing changes, any base type that names a root type outside the base.
    boolean changed = true;
    while (changed) {
      changed = false;
      for (String b : List.copyOf(base)) {
        String text = sources.get(ROOT.replace('.', '/') + "/" + b + ".java");
        for (String other : root) {
          if (!base.contains(other)
              && Pattern.compile("\\b" + other + "\\b").matcher(text).find()) {
            base.remove(b);
            changed = true;
            break;
          }
        }
      }
    }
    return base;
  }

  private static String node(String pkg, String type, Set<String> base) {
    return pkg.equals(ROOT) && base.contains(type) ? BASE : pkg;
  }

  private static List<String> findCircle(Map<String, Map<String, Set<String>>> graph) {
    Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 done
    List<String> path = new ArrayList<>();
    for (String start : graph.keySet()) {
      List<String> circle = visit(start, graph, state, path);
      if (!circle.isEmpty()) {
        return circle;
      }
    }
    return List.of();
  }

  private static List<String> visit(
      String node,
      Map<String, Map<String, Set<String>>> graph,
      Map<String, Integer> state,
      List<String> path) {
    Integer s = state.get(node);
    if (s != null && s == 2) {
      return List.of();
    }
    if (s != null) {
      List<String> circle = new ArrayList<>();
      List<String> loop = path.subList(path.indexOf(node), path.size());
      for (int i = 0; i < loop.size(); i++) {
        String from = loop.get(i);
        String to = i + 1 < loop.size() ? loop.get(i + 1) : node;
        circle.add(from + " -> " + to + " " + graph.get(from).get(to));
      }
      return circle;
    }
    state.put(node, 1);
    path.add(node);
    for (String next : graph.getOrDefault(node, Map.of()).keySet()) {
      List<String> circle = visit(next, graph, state, path);
      if (!circle.isEmpty()) {
        return circle;
      }
    }
    path.removeLast();
    state.put(node, 2);
    return List.of();
  }

  private static String packageOf(String file) {
    return file.substring(0, file.lastIndexOf('/')).replace('/', '.');
  }

  private static String className(String file) {
    return file.substring(file.lastIndexOf('/') + 1, file.length() - ".java".length());
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
