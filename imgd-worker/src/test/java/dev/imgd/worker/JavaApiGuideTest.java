package dev.imgd.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/java-api.md is a guide whose examples are whole programs: each ```java block is compiled
 * against the current code and run on a test image, so an example that no longer compiles, throws,
 * or writes a wrong image fails here.
 */
class JavaApiGuideTest {
  private static final Path GUIDE = guide();
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS = Pattern.compile("public class (\\w+)");

  /** What each example must write into its output folder: file names and their formats. */
  private static final Map<String, Map<String, ImageFormat>> OUTPUTS =
      Map.of(
          "Thumbnails", Map.of("thumb.jpg", ImageFormat.JPEG, "card.webp", ImageFormat.WEBP),
          "TypedErrors", Map.of(),
          "LookFirst", Map.of(),
          "PresetsAndWatermark",
              Map.of("avatar.jpg", ImageFormat.JPEG, "marked.png", ImageFormat.PNG),
          "Isolated", Map.of("isolated.png", ImageFormat.PNG));

  @TempDir static Path work;
  private static ClassLoader compiled;
  private static List<String> examples;

  @BeforeAll
  static void compileTheGuide() throws IOException {
    examples = new ArrayList<>();
    Path src = Files.createDirectories(work.resolve("src"));
    Matcher m = BLOCK.matcher(Files.readString(GUIDE));
    while (m.find()) {
      Matcher name = CLASS.matcher(m.group(1));
      assertThat(name.find()).as("each java block of the guide is a public class").isTrue();
      examples.add(name.group(1));
      Files.writeString(src.resolve(name.group(1) + ".java"), m.group(1));
    }
    Path classes = Files.createDirectories(work.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null);
        Stream<Path> sources = Files.list(src)) {
      Iterable<? extends JavaFileObject> units =
          files.getJavaFileObjectsFromPaths(sources.toList());
      List<String> options =
          List.of(
              "--release",
              "25",
              "-Xlint:all",
              "-Werror",
              "-classpath",
              System.getProperty("java.class.path"),
              "-d",
              classes.toString());
      boolean ok = javac.getTask(diagnostics, files, null, options, null, units).call();
      assertThat(ok).as("the guide's examples compile:\n%s", diagnostics).isTrue();
    }
    compiled =
        new URLClassLoader(
            new java.net.URL[] {classes.toUri().toURL()}, JavaApiGuideTest.class.getClassLoader());
  }

  @Test
  void theGuideHasTheExamplesThisTestExpects() {
    assertThat(examples).containsExactlyInAnyOrderElementsOf(OUTPUTS.keySet());
  }

  @TestFactory
  Stream<DynamicTest> everyExampleRuns() {
    return examples.stream().map(name -> DynamicTest.dynamicTest(name, () -> run(name)));
  }

  private static void run(String example) throws Exception {
    Path out = Files.createDirectories(work.resolve("out-" + example));
    String[] args = {
      Fixtures.image("Landscape_1.jpg").toString(), out.toString(), TestImages.library().toString()
    };
    Method main = compiled.loadClass(example).getMethod("main", String[].class);
    String printed = captureStdout(() -> main.invoke(null, (Object) args));
    switch (example) {
      case "Thumbnails" -> assertThat(printed).contains("300x200 image/webp");
      case "TypedErrors" ->
          assertThat(printed).contains("corrupt_image 422").contains("bad_options 400");
      case "LookFirst" -> assertThat(printed).contains("JPEG 600x450, 1 frame(s)");
      default -> {}
    }
    Map<String, ImageFormat> expected = OUTPUTS.get(example);
    try (Stream<Path> written = Files.list(out)) {
      Map<String, ImageFormat> formats = new java.util.HashMap<>();
      for (Path file : written.toList()) {
        formats.put(file.getFileName().toString(), Probe.read(Files.readAllBytes(file)).format());
      }
      assertThat(formats).as("what %s wrote", example).isEqualTo(expected);
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private static String captureStdout(Body body) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Path guide() {
    // Tests run in their module's folder; the guide is in the project's docs.
    return Path.of("..", "docs", "java-api.md").toAbsolutePath().normalize();
  }
}
