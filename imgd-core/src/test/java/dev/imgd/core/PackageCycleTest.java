package dev.imgd.core;

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
 * No import circle among imgd-core's packages. The root package holds two layers: the shared base
 * types every package may use (those importing no other imgd-core package: ErrorCode,
 * ImgdException, ImageFormat, Limits), and the API on top (Imgd, Engine...), which is a node of its
 * own here. Reads the main sources' import lines.
 */
class PackageCycleTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final String ROOT = "dev.imgd.core";
  private static final String BASE = ROOT + " (base types)";
  private static final Pattern IMPORT =
      Pattern.compile(
          "^import (?:static )?dev\\.imgd\\.core\\.([a-z.]*?)\\.?([A-Z]\\w*)", Pattern.MULTILINE);

  @Test
  void packagesImportEachOtherWithoutCircles() {
    Map<String, Map<String, Set<String>>> graph = graph();
    assertThat(graph).containsKeys(BASE, ROOT, ROOT + ".pipeline", ROOT + ".plan");
    List<String> circle = findCircle(graph);
    assertThat(circle).as("an import circle, each edge with the files that make it").isEmpty();
  }

  /** Package to imported package to the files that import it. */
  private static Map<String, Map<String, Set<String>>> graph() {
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES.resolve("dev/imgd/core"))) {
      files
          .filter(f -> f.toString().endsWith(".java"))
          .forEach(f -> sources.put(SOURCES.relativize(f).toString(), read(f)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> base = baseTypes(sources);
    Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
    sources.forEach((file, text) -> {
      String from = node(packageOf(file), className(file), base);
      Map<String, Set<String>> edges = graph.computeIfAbsent(from, k -> new TreeMap<>());
      Matcher m = IMPORT.matcher(text);
      while (m.find()) {
        String pkg = m.group(1).isEmpty() ? ROOT : ROOT + "." + m.group(1);
        String to = node(pkg, m.group(2), base);
        if (!to.equals(from)) {
          edges.computeIfAbsent(to, k -> new TreeSet<>()).add(file);
        }
      }
    });
    return graph;
  }

  /**
   * The root package's types that import no other imgd-core package and name no root type outside
   * the base (the same package needs no import, so the names are checked in the text).
   */
  private static Set<String> baseTypes(Map<String, String> sources) {
    Set<String> root = new TreeSet<>();
    sources.keySet().stream()
        .filter(f -> packageOf(f).equals(ROOT))
        .forEach(f -> root.add(className(f)));
    Set<String> base = new TreeSet<>();
    sources.forEach((file, text) -> {
      if (packageOf(file).equals(ROOT) && !IMPORT.matcher(text).find()) {
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
