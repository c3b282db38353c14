package dev.imgd.vips;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The libvips and GLib functions imgd calls, as FFM downcall handles. One instance per process:
 * libvips is process-wide state, so two builds can never be loaded side by side.
 */
final class Lib {
  static final Linker LINKER = Linker.nativeLinker();

  /** sizeof(GValue) on LP64: a GType and two 8-byte data words. */
  static final long GVALUE_SIZE = 24;

  /** GParamSpec.value_type: after g_type_instance (8), name (8), flags (4 + 4 padding). */
  static final long PSPEC_VALUE_TYPE_OFFSET = 24;

  /** VipsArgumentClass.flags: after parent.pspec (8) and object_class (8). */
  static final long ARGCLASS_FLAGS_OFFSET = 16;

  // GType fundamentals (G_TYPE_MAKE_FUNDAMENTAL(n) = n << 2).
  static final long G_TYPE_BOOLEAN = 5 << 2;
  static final long G_TYPE_INT = 6 << 2;
  static final long G_TYPE_UINT = 7 << 2;
  static final long G_TYPE_INT64 = 10 << 2;
  static final long G_TYPE_UINT64 = 11 << 2;
  static final long G_TYPE_ENUM = 12 << 2;
  static final long G_TYPE_FLAGS = 13 << 2;
  static final long G_TYPE_DOUBLE = 15 << 2;
  static final long G_TYPE_STRING = 16 << 2;
  static final long G_TYPE_BOXED = 18 << 2;
  static final long G_TYPE_OBJECT = 20 << 2;

  // VipsArgumentFlags.
  static final int ARG_REQUIRED = 1;
  static final int ARG_CONSTRUCT = 2;
  static final int ARG_INPUT = 16;
  static final int ARG_OUTPUT = 32;
  static final int ARG_DEPRECATED = 64;

  final Path path;
  final SymbolLookup lookup;

  // lifecycle and knobs
  private final MethodHandle vips_init;
  private final MethodHandle vips_version;
  private final MethodHandle vips_version_string;
  private final MethodHandle vips_concurrency_set;
  private final MethodHandle vips_cache_set_max;
  private final MethodHandle vips_cache_set_max_mem;
  private final MethodHandle vips_cache_set_max_files;
  private final MethodHandle vips_leak_set;
  private final MethodHandle vips_block_untrusted_set;
  private final MethodHandle vips_operation_block_set;
  private final MethodHandle vips_thread_shutdown;
  private final MethodHandle vips_type_find;
  private final MethodHandle vips_object_map;

  // errors and logging
  private final MethodHandle vips_error_buffer_copy;
  private final MethodHandle vips_error_clear;
  private final MethodHandle g_log_set_default_handler;
  private final MethodHandle g_free;
  private final MethodHandle g_malloc;

  // statistics
  private final MethodHandle vips_tracked_get_mem;
  private final MethodHandle vips_tracked_get_mem_highwater;
  private final MethodHandle vips_tracked_get_allocs;
  private final MethodHandle vips_tracked_get_files;

  // GObject and GValue
  private final MethodHandle g_type_from_name;
  private final MethodHandle g_type_fundamental;
  private final MethodHandle g_type_name;
  private final MethodHandle g_object_ref;
  private final MethodHandle g_object_unref;
  private final MethodHandle g_object_set_property;
  private final MethodHandle g_object_get_property;
  private final MethodHandle g_value_init;
  private final MethodHandle g_value_unset;
  private final MethodHandle g_value_set_boolean;
  private final MethodHandle g_value_get_boolean;
  private final MethodHandle g_value_set_int;
  private final MethodHandle g_value_get_int;
  private final MethodHandle g_value_set_uint;
  private final MethodHandle g_value_get_uint;
  private final MethodHandle g_value_set_int64;
  private final MethodHandle g_value_get_int64;
  private final MethodHandle g_value_set_uint64;
  private final MethodHandle g_value_get_uint64;
  private final MethodHandle g_value_set_double;
  private final MethodHandle g_value_get_double;
  private final MethodHandle g_value_set_string;
  private final MethodHandle g_value_get_string;
  private final MethodHandle g_value_set_enum;
  private final MethodHandle g_value_get_enum;
  private final MethodHandle g_value_set_flags;
  private final MethodHandle g_value_get_flags;
  private final MethodHandle g_value_set_object;
  private final MethodHandle g_value_get_object;

  // operations
  private final MethodHandle vips_operation_new;
  private final MethodHandle vips_object_get_argument;
  private final MethodHandle vips_cache_operation_build;
  private final MethodHandle vips_object_unref_outputs;
  private final MethodHandle vips_enum_from_nick;
  private final MethodHandle vips_flags_from_nick;
  private final MethodHandle vips_enum_nick;

  // boxed values
  private final MethodHandle vips_value_set_blob_free;
  private final MethodHandle vips_value_get_blob;
  private final MethodHandle vips_value_set_array_double;
  private final MethodHandle vips_value_get_array_double;
  private final MethodHandle vips_value_set_array_int;
  private final MethodHandle vips_value_get_array_int;
  private final MethodHandle vips_value_set_array_image;
  private final MethodHandle vips_value_get_array_image;
  private final MethodHandle vips_image_get_type;
  private final MethodHandle vips_blob_get_type;
  private final MethodHandle vips_array_double_get_type;
  private final MethodHandle vips_array_int_get_type;
  private final MethodHandle vips_array_image_get_type;

  // images
  private final MethodHandle vips_image_get_width;
  private final MethodHandle vips_image_get_height;
  private final MethodHandle vips_image_get_bands;
  private final MethodHandle vips_image_get_format;
  private final MethodHandle vips_image_get_interpretation;
  private final MethodHandle vips_image_get_page_height;
  private final MethodHandle vips_image_get_n_pages;
  private final MethodHandle vips_image_hasalpha;
  private final MethodHandle vips_image_get_typeof;
  private final MethodHandle vips_image_get_int;
  private final MethodHandle vips_image_get_double;
  private final MethodHandle vips_image_get_string;
  private final MethodHandle vips_image_get_blob;
  private final MethodHandle vips_image_get_fields;
  private final MethodHandle vips_image_set_int;
  private final MethodHandle vips_image_set_string;
  private final MethodHandle vips_image_remove;
  private final MethodHandle vips_image_copy_memory;
  private final MethodHandle vips_image_set_kill;
  private final MethodHandle vips_image_new_from_memory_copy;
  private final MethodHandle vips_image_write_to_memory;
  private final MethodHandle g_strfreev;

  Lib(Path path) {
    this.path = path;
    // The library stays loaded for the life of the process: libvips cannot be unloaded safely.
    this.lookup = SymbolLookup.libraryLookup(path, Arena.global());

    vips_init = fn("vips_init", JAVA_INT, ADDRESS);
    vips_version = fn("vips_version", JAVA_INT, JAVA_INT);
    vips_version_string = fn("vips_version_string", ADDRESS);
    vips_concurrency_set = fnVoid("vips_concurrency_set", JAVA_INT);
    vips_cache_set_max = fnVoid("vips_cache_set_max", JAVA_INT);
    vips_cache_set_max_mem = fnVoid("vips_cache_set_max_mem", JAVA_LONG);
    vips_cache_set_max_files = fnVoid("vips_cache_set_max_files", JAVA_INT);
    vips_leak_set = fnVoid("vips_leak_set", JAVA_INT);
    vips_block_untrusted_set = fnVoid("vips_block_untrusted_set", JAVA_INT);
    vips_operation_block_set = fnVoid("vips_operation_block_set", ADDRESS, JAVA_INT);
    vips_thread_shutdown = fnVoid("vips_thread_shutdown");
    vips_type_find = fn("vips_type_find", JAVA_LONG, ADDRESS, ADDRESS);
    vips_object_map = fn("vips_object_map", ADDRESS, ADDRESS, ADDRESS, ADDRESS);

    vips_error_buffer_copy = fn("vips_error_buffer_copy", ADDRESS);
    vips_error_clear = fnVoid("vips_error_clear");
    g_log_set_default_handler = fn("g_log_set_default_handler", ADDRESS, ADDRESS, ADDRESS);
    g_free = fnVoid("g_free", ADDRESS);
    g_malloc = fn("g_malloc", ADDRESS, JAVA_LONG);

    vips_tracked_get_mem = fn("vips_tracked_get_mem", JAVA_LONG);
    vips_tracked_get_mem_highwater = fn("vips_tracked_get_mem_highwater", JAVA_LONG);
    vips_tracked_get_allocs = fn("vips_tracked_get_allocs", JAVA_INT);
    vips_tracked_get_files = fn("vips_tracked_get_files", JAVA_INT);

    g_type_from_name = fn("g_type_from_name", JAVA_LONG, ADDRESS);
    g_type_fundamental = fn("g_type_fundamental", JAVA_LONG, JAVA_LONG);
    g_type_name = fn("g_type_name", ADDRESS, JAVA_LONG);
    g_object_ref = fn("g_object_ref", ADDRESS, ADDRESS);
    g_object_unref = fnVoid("g_object_unref", ADDRESS);
    g_object_set_property = fnVoid("g_object_set_property", ADDRESS, ADDRESS, ADDRESS);
    g_object_get_property = fnVoid("g_object_get_property", ADDRESS, ADDRESS, ADDRESS);
    g_value_init = fn("g_value_init", ADDRESS, ADDRESS, JAVA_LONG);
    g_value_unset = fnVoid("g_value_unset", ADDRESS);
    g_value_set_boolean = fnVoid("g_value_set_boolean", ADDRESS, JAVA_INT);
    g_value_get_boolean = fn("g_value_get_boolean", JAVA_INT, ADDRESS);
    g_value_set_int = fnVoid("g_value_set_int", ADDRESS, JAVA_INT);
    g_value_get_int = fn("g_value_get_int", JAVA_INT, ADDRESS);
    g_value_set_uint = fnVoid("g_value_set_uint", ADDRESS, JAVA_INT);
    g_value_get_uint = fn("g_value_get_uint", JAVA_INT, ADDRESS);
    g_value_set_int64 = fnVoid("g_value_set_int64", ADDRESS, JAVA_LONG);
    g_value_get_int64 = fn("g_value_get_int64", JAVA_LONG, ADDRESS);
    g_value_set_uint64 = fnVoid("g_value_set_uint64", ADDRESS, JAVA_LONG);
    g_value_get_uint64 = fn("g_value_get_uint64", JAVA_LONG, ADDRESS);
    g_value_set_double = fnVoid("g_value_set_double", ADDRESS, JAVA_DOUBLE);
    g_value_get_double = fn("g_value_get_double", JAVA_DOUBLE, ADDRESS);
    g_value_set_string = fnVoid("g_value_set_string", ADDRESS, ADDRESS);
    g_value_get_string = fn("g_value_get_string", ADDRESS, ADDRESS);
    g_value_set_enum = fnVoid("g_value_set_enum", ADDRESS, JAVA_INT);
    g_value_get_enum = fn("g_value_get_enum", JAVA_INT, ADDRESS);
    g_value_set_flags = fnVoid("g_value_set_flags", ADDRESS, JAVA_INT);
    g_value_get_flags = fn("g_value_get_flags", JAVA_INT, ADDRESS);
    g_value_set_object = fnVoid("g_value_set_object", ADDRESS, ADDRESS);
    g_value_get_object = fn("g_value_get_object", ADDRESS, ADDRESS);

    vips_operation_new = fn("vips_operation_new", ADDRESS, ADDRESS);
    vips_object_get_argument =
        fn("vips_object_get_argument", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    vips_cache_operation_build = fn("vips_cache_operation_build", ADDRESS, ADDRESS);
    vips_object_unref_outputs = fnVoid("vips_object_unref_outputs", ADDRESS);
    vips_enum_from_nick = fn("vips_enum_from_nick", JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
    vips_flags_from_nick = fn("vips_flags_from_nick", JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
    vips_enum_nick = fn("vips_enum_nick", ADDRESS, JAVA_LONG, JAVA_INT);

    vips_value_set_blob_free = fnVoid("vips_value_set_blob_free", ADDRESS, ADDRESS, JAVA_LONG);
    vips_value_get_blob = fn("vips_value_get_blob", ADDRESS, ADDRESS, ADDRESS);
    vips_value_set_array_double = fnVoid("vips_value_set_array_double", ADDRESS, ADDRESS, JAVA_INT);
    vips_value_get_array_double = fn("vips_value_get_array_double", ADDRESS, ADDRESS, ADDRESS);
    vips_value_set_array_int = fnVoid("vips_value_set_array_int", ADDRESS, ADDRESS, JAVA_INT);
    vips_value_get_array_int = fn("vips_value_get_array_int", ADDRESS, ADDRESS, ADDRESS);
    vips_value_set_array_image = fnVoid("vips_value_set_array_image", ADDRESS, JAVA_INT);
    vips_value_get_array_image = fn("vips_value_get_array_image", ADDRESS, ADDRESS, ADDRESS);
    vips_image_get_type = fn("vips_image_get_type", JAVA_LONG);
    vips_blob_get_type = fn("vips_blob_get_type", JAVA_LONG);
    vips_array_double_get_type = fn("vips_array_double_get_type", JAVA_LONG);
    vips_array_int_get_type = fn("vips_array_int_get_type", JAVA_LONG);
    vips_array_image_get_type = fn("vips_array_image_get_type", JAVA_LONG);

    vips_image_get_width = fn("vips_image_get_width", JAVA_INT, ADDRESS);
    vips_image_get_height = fn("vips_image_get_height", JAVA_INT, ADDRESS);
    vips_image_get_bands = fn("vips_image_get_bands", JAVA_INT, ADDRESS);
    vips_image_get_format = fn("vips_image_get_format", JAVA_INT, ADDRESS);
    vips_image_get_interpretation = fn("vips_image_get_interpretation", JAVA_INT, ADDRESS);
    vips_image_get_page_height = fn("vips_image_get_page_height", JAVA_INT, ADDRESS);
    vips_image_get_n_pages = fn("vips_image_get_n_pages", JAVA_INT, ADDRESS);
    vips_image_hasalpha = fn("vips_image_hasalpha", JAVA_INT, ADDRESS);
    vips_image_get_typeof = fn("vips_image_get_typeof", JAVA_LONG, ADDRESS, ADDRESS);
    vips_image_get_int = fn("vips_image_get_int", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    vips_image_get_double = fn("vips_image_get_double", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    vips_image_get_string = fn("vips_image_get_string", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    vips_image_get_blob = fn("vips_image_get_blob", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    vips_image_get_fields = fn("vips_image_get_fields", ADDRESS, ADDRESS);
    vips_image_set_int = fnVoid("vips_image_set_int", ADDRESS, ADDRESS, JAVA_INT);
    vips_image_set_string = fnVoid("vips_image_set_string", ADDRESS, ADDRESS, ADDRESS);
    vips_image_remove = fn("vips_image_remove", JAVA_INT, ADDRESS, ADDRESS);
    vips_image_copy_memory = fn("vips_image_copy_memory", ADDRESS, ADDRESS);
    vips_image_set_kill = fnVoid("vips_image_set_kill", ADDRESS, JAVA_INT);
    vips_image_new_from_memory_copy =
        fn(
            "vips_image_new_from_memory_copy",
            ADDRESS,
            ADDRESS,
            JAVA_LONG,
            JAVA_INT,
            JAVA_INT,
            JAVA_INT,
            JAVA_INT);
    vips_image_write_to_memory = fn("vips_image_write_to_memory", ADDRESS, ADDRESS, ADDRESS);
    g_strfreev = fnVoid("g_strfreev", ADDRESS);
  }

  private MethodHandle fn(String name, MemoryLayout result, MemoryLayout... args) {
    return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args));
  }

  private MethodHandle fnVoid(String name, MemoryLayout... args) {
    return LINKER.downcallHandle(symbol(name), FunctionDescriptor.ofVoid(args));
  }

  private MemorySegment symbol(String name) {
    return lookup
        .find(name)
        .orElseThrow(() ->
            new VipsException(
                "libvips at " + path + " lacks " + name + "(); imgd needs libvips 8.14 or later"));
  }

  int vips_init(MemorySegment a0) {
    try {
      return (int) vips_init.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_version(int a0) {
    try {
      return (int) vips_version.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_version_string() {
    try {
      return (MemorySegment) vips_version_string.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_concurrency_set(int a0) {
    try {
      vips_concurrency_set.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_cache_set_max(int a0) {
    try {
      vips_cache_set_max.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_cache_set_max_mem(long a0) {
    try {
      vips_cache_set_max_mem.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_cache_set_max_files(int a0) {
    try {
      vips_cache_set_max_files.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_leak_set(int a0) {
    try {
      vips_leak_set.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_block_untrusted_set(int a0) {
    try {
      vips_block_untrusted_set.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_operation_block_set(MemorySegment a0, int a1) {
    try {
      vips_operation_block_set.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_thread_shutdown() {
    try {
      vips_thread_shutdown.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_type_find(MemorySegment a0, MemorySegment a1) {
    try {
      return (long) vips_type_find.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_object_map(MemorySegment a0, MemorySegment a1, MemorySegment a2) {
    try {
      return (MemorySegment) vips_object_map.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_error_buffer_copy() {
    try {
      return (MemorySegment) vips_error_buffer_copy.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_error_clear() {
    try {
      vips_error_clear.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment g_log_set_default_handler(MemorySegment a0, MemorySegment a1) {
    try {
      return (MemorySegment) g_log_set_default_handler.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_free(MemorySegment a0) {
    try {
      g_free.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment g_malloc(long a0) {
    try {
      return (MemorySegment) g_malloc.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_tracked_get_mem() {
    try {
      return (long) vips_tracked_get_mem.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_tracked_get_mem_highwater() {
    try {
      return (long) vips_tracked_get_mem_highwater.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_tracked_get_allocs() {
    try {
      return (int) vips_tracked_get_allocs.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_tracked_get_files() {
    try {
      return (int) vips_tracked_get_files.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long g_type_from_name(MemorySegment a0) {
    try {
      return (long) g_type_from_name.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long g_type_fundamental(long a0) {
    try {
      return (long) g_type_fundamental.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment g_type_name(long a0) {
    try {
      return (MemorySegment) g_type_name.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment g_object_ref(MemorySegment a0) {
    try {
      return (MemorySegment) g_object_ref.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_object_unref(MemorySegment a0) {
    try {
      g_object_unref.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_object_set_property(MemorySegment a0, MemorySegment a1, MemorySegment a2) {
    try {
      g_object_set_property.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_object_get_property(MemorySegment a0, MemorySegment a1, MemorySegment a2) {
    try {
      g_object_get_property.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment g_value_init(MemorySegment a0, long a1) {
    try {
      return (MemorySegment) g_value_init.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_unset(MemorySegment a0) {
    try {
      g_value_unset.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_boolean(MemorySegment a0, int a1) {
    try {
      g_value_set_boolean.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int g_value_get_boolean(MemorySegment a0) {
    try {
      return (int) g_value_get_boolean.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_int(MemorySegment a0, int a1) {
    try {
      g_value_set_int.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int g_value_get_int(MemorySegment a0) {
    try {
      return (int) g_value_get_int.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_uint(MemorySegment a0, int a1) {
    try {
      g_value_set_uint.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int g_value_get_uint(MemorySegment a0) {
    try {
      return (int) g_value_get_uint.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_int64(MemorySegment a0, long a1) {
    try {
      g_value_set_int64.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long g_value_get_int64(MemorySegment a0) {
    try {
      return (long) g_value_get_int64.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_uint64(MemorySegment a0, long a1) {
    try {
      g_value_set_uint64.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long g_value_get_uint64(MemorySegment a0) {
    try {
      return (long) g_value_get_uint64.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_double(MemorySegment a0, double a1) {
    try {
      g_value_set_double.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  double g_value_get_double(MemorySegment a0) {
    try {
      return (double) g_value_get_double.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_string(MemorySegment a0, MemorySegment a1) {
    try {
      g_value_set_string.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment g_value_get_string(MemorySegment a0) {
    try {
      return (MemorySegment) g_value_get_string.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_enum(MemorySegment a0, int a1) {
    try {
      g_value_set_enum.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int g_value_get_enum(MemorySegment a0) {
    try {
      return (int) g_value_get_enum.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_flags(MemorySegment a0, int a1) {
    try {
      g_value_set_flags.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int g_value_get_flags(MemorySegment a0) {
    try {
      return (int) g_value_get_flags.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_value_set_object(MemorySegment a0, MemorySegment a1) {
    try {
      g_value_set_object.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment g_value_get_object(MemorySegment a0) {
    try {
      return (MemorySegment) g_value_get_object.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_operation_new(MemorySegment a0) {
    try {
      return (MemorySegment) vips_operation_new.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_object_get_argument(
      MemorySegment a0, MemorySegment a1, MemorySegment a2, MemorySegment a3, MemorySegment a4) {
    try {
      return (int) vips_object_get_argument.invokeExact(a0, a1, a2, a3, a4);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_cache_operation_build(MemorySegment a0) {
    try {
      return (MemorySegment) vips_cache_operation_build.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_object_unref_outputs(MemorySegment a0) {
    try {
      vips_object_unref_outputs.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_enum_from_nick(MemorySegment a0, long a1, MemorySegment a2) {
    try {
      return (int) vips_enum_from_nick.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_flags_from_nick(MemorySegment a0, long a1, MemorySegment a2) {
    try {
      return (int) vips_flags_from_nick.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_enum_nick(long a0, int a1) {
    try {
      return (MemorySegment) vips_enum_nick.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_value_set_blob_free(MemorySegment a0, MemorySegment a1, long a2) {
    try {
      vips_value_set_blob_free.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_value_get_blob(MemorySegment a0, MemorySegment a1) {
    try {
      return (MemorySegment) vips_value_get_blob.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_value_set_array_double(MemorySegment a0, MemorySegment a1, int a2) {
    try {
      vips_value_set_array_double.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_value_get_array_double(MemorySegment a0, MemorySegment a1) {
    try {
      return (MemorySegment) vips_value_get_array_double.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_value_set_array_int(MemorySegment a0, MemorySegment a1, int a2) {
    try {
      vips_value_set_array_int.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_value_get_array_int(MemorySegment a0, MemorySegment a1) {
    try {
      return (MemorySegment) vips_value_get_array_int.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_value_set_array_image(MemorySegment a0, int a1) {
    try {
      vips_value_set_array_image.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_value_get_array_image(MemorySegment a0, MemorySegment a1) {
    try {
      return (MemorySegment) vips_value_get_array_image.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_image_get_type() {
    try {
      return (long) vips_image_get_type.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_blob_get_type() {
    try {
      return (long) vips_blob_get_type.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_array_double_get_type() {
    try {
      return (long) vips_array_double_get_type.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_array_int_get_type() {
    try {
      return (long) vips_array_int_get_type.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_array_image_get_type() {
    try {
      return (long) vips_array_image_get_type.invokeExact();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_width(MemorySegment a0) {
    try {
      return (int) vips_image_get_width.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_height(MemorySegment a0) {
    try {
      return (int) vips_image_get_height.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_bands(MemorySegment a0) {
    try {
      return (int) vips_image_get_bands.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_format(MemorySegment a0) {
    try {
      return (int) vips_image_get_format.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_interpretation(MemorySegment a0) {
    try {
      return (int) vips_image_get_interpretation.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_page_height(MemorySegment a0) {
    try {
      return (int) vips_image_get_page_height.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_n_pages(MemorySegment a0) {
    try {
      return (int) vips_image_get_n_pages.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_hasalpha(MemorySegment a0) {
    try {
      return (int) vips_image_hasalpha.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  long vips_image_get_typeof(MemorySegment a0, MemorySegment a1) {
    try {
      return (long) vips_image_get_typeof.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_int(MemorySegment a0, MemorySegment a1, MemorySegment a2) {
    try {
      return (int) vips_image_get_int.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_double(MemorySegment a0, MemorySegment a1, MemorySegment a2) {
    try {
      return (int) vips_image_get_double.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_string(MemorySegment a0, MemorySegment a1, MemorySegment a2) {
    try {
      return (int) vips_image_get_string.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_get_blob(MemorySegment a0, MemorySegment a1, MemorySegment a2, MemorySegment a3) {
    try {
      return (int) vips_image_get_blob.invokeExact(a0, a1, a2, a3);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_image_get_fields(MemorySegment a0) {
    try {
      return (MemorySegment) vips_image_get_fields.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_image_set_int(MemorySegment a0, MemorySegment a1, int a2) {
    try {
      vips_image_set_int.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_image_set_string(MemorySegment a0, MemorySegment a1, MemorySegment a2) {
    try {
      vips_image_set_string.invokeExact(a0, a1, a2);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  int vips_image_remove(MemorySegment a0, MemorySegment a1) {
    try {
      return (int) vips_image_remove.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_image_copy_memory(MemorySegment a0) {
    try {
      return (MemorySegment) vips_image_copy_memory.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void vips_image_set_kill(MemorySegment a0, int a1) {
    try {
      vips_image_set_kill.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_image_new_from_memory_copy(
      MemorySegment a0, long a1, int a2, int a3, int a4, int a5) {
    try {
      return (MemorySegment) vips_image_new_from_memory_copy.invokeExact(a0, a1, a2, a3, a4, a5);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  MemorySegment vips_image_write_to_memory(MemorySegment a0, MemorySegment a1) {
    try {
      return (MemorySegment) vips_image_write_to_memory.invokeExact(a0, a1);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void g_strfreev(MemorySegment a0) {
    try {
      g_strfreev.invokeExact(a0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }
}
