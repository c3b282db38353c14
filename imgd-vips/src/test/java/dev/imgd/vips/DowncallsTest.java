package dev.imgd.vips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class DowncallsTest {
  /** A few C library functions, declared the way Lib declares libvips'. */
  interface LibC {
    long strlen(MemorySegment s);

    int abs(int j);

    long labs(long j);

    MemorySegment strchr(MemorySegment s, int c);

    void srand(int seed);
  }

  interface Missing {
    int imgd_no_such_function(int x);
  }

  interface NotC {
    int abs(Integer j);
  }

  private static <T> T bind(Class<T> functions) {
    var libc = Linker.nativeLinker().defaultLookup();
    return Downcalls.implement(MethodHandles.lookup(), functions, n -> libc.find(n).orElseThrow());
  }

  @Test
  void callsEachFunctionWithItsSignature() {
    LibC c = bind(LibC.class);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocateFrom("imgd");
      assertThat(c.strlen(s)).isEqualTo(4);
      assertThat(c.strchr(s, 'g').address()).isEqualTo(s.address() + 2);
      assertThat(c.strchr(s, 'x')).isEqualTo(MemorySegment.NULL);
    }
    assertThat(c.abs(-7)).isEqualTo(7);
    assertThat(c.labs(-(1L << 40))).isEqualTo(1L << 40);
    c.srand(1);
  }

  @Test
  void failsWhenTheLibraryLacksAFunction() {
    assertThatThrownBy(() -> bind(Missing.class)).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void refusesATypeThatIsNotC() {
    assertThatThrownBy(() -> bind(NotC.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("abs: java.lang.Integer");
  }

  @Test
  void passesTheDowncallsOwnExceptionsThrough() {
    LibC c = bind(LibC.class);
    Arena arena = Arena.ofConfined();
    MemorySegment s = arena.allocateFrom("imgd");
    arena.close();
    assertThatThrownBy(() -> c.strlen(s)).isInstanceOf(IllegalStateException.class);
  }
}
