package dev.imgd.vips;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;

/**
 * The libvips and GLib functions imgd calls, each declared once, here, as the C function it is: the
 * method name is the symbol and the Java types are the C signature ({@link MemorySegment} for any
 * pointer, {@code int} for int, gboolean and enums, {@code long} for GType, size_t and gint64).
 * {@link Downcalls} implements them as FFM downcalls. One instance per process: libvips is
 * process-wide state, so two builds can never be loaded side by side.
 */
interface Lib {
  Linker LINKER = Linker.nativeLinker();

  /** sizeof(GValue) on LP64: a GType and two 8-byte data words. */
  long GVALUE_SIZE = 24;

  /** GParamSpec.value_type: after g_type_instance (8), name (8), flags (4 + 4 padding). */
  long PSPEC_VALUE_TYPE_OFFSET = 24;

  /** VipsArgumentClass.flags: after parent.pspec (8) and object_class (8). */
  long ARGCLASS_FLAGS_OFFSET = 16;

  // GType fundamentals (G_TYPE_MAKE_FUNDAMENTAL(n) = n << 2).
  long G_TYPE_BOOLEAN = 5 << 2;
  long G_TYPE_INT = 6 << 2;
  long G_TYPE_UINT = 7 << 2;
  long G_TYPE_INT64 = 10 << 2;
  long G_TYPE_UINT64 = 11 << 2;
  long G_TYPE_ENUM = 12 << 2;
  long G_TYPE_FLAGS = 13 << 2;
  long G_TYPE_DOUBLE = 15 << 2;
  long G_TYPE_STRING = 16 << 2;
  long G_TYPE_BOXED = 18 << 2;
  long G_TYPE_OBJECT = 20 << 2;

  // VipsArgumentFlags.
  int ARG_REQUIRED = 1;
  int ARG_CONSTRUCT = 2;
  int ARG_INPUT = 16;
  int ARG_OUTPUT = 32;
  int ARG_DEPRECATED = 64;

  /** Loads the library and binds every function below; a missing one fails the load. */
  @SuppressWarnings("restricted") // FFM: loading the library is where the binding starts
  static Lib load(Path path) {
    // The library stays loaded for the life of the process: libvips cannot be unloaded safely.
    SymbolLookup library = SymbolLookup.libraryLookup(path, Arena.global());
    return Downcalls.implement(
        MethodHandles.lookup(), Lib.class, name -> symbol(library, path, name));
  }

  private static MemorySegment symbol(SymbolLookup library, Path path, String name) {
    return library
        .find(name)
        .orElseThrow(() ->
            new VipsException(
                "libvips at " + path + " lacks " + name + "(); imgd needs libvips 8.14 or later"));
  }

  // lifecycle and knobs
  int vips_init(MemorySegment argv0);

  int vips_version(int flag);

  MemorySegment vips_version_string();

  void vips_concurrency_set(int concurrency);

  void vips_cache_set_max(int max);

  void vips_cache_set_max_mem(long maxMem);

  void vips_cache_set_max_files(int maxFiles);

  void vips_leak_set(int leak);

  void vips_block_untrusted_set(int state);

  void vips_operation_block_set(MemorySegment name, int state);

  void vips_thread_shutdown();

  long vips_type_find(MemorySegment basename, MemorySegment nickname);

  MemorySegment vips_object_map(MemorySegment fn, MemorySegment a, MemorySegment b);

  // errors and logging
  MemorySegment vips_error_buffer_copy();

  MemorySegment g_log_set_default_handler(MemorySegment logFunc, MemorySegment userData);

  void g_free(MemorySegment mem);

  MemorySegment g_malloc(long nBytes);

  // statistics
  long vips_tracked_get_mem();

  long vips_tracked_get_mem_highwater();

  int vips_tracked_get_allocs();

  int vips_tracked_get_files();

  // GObject and GValue
  long g_type_from_name(MemorySegment name);

  long g_type_fundamental(long typeId);

  MemorySegment g_type_name(long type);

  MemorySegment g_object_ref(MemorySegment object);

  void g_object_unref(MemorySegment object);

  void g_object_set_property(MemorySegment object, MemorySegment propertyName, MemorySegment value);

  void g_object_get_property(MemorySegment object, MemorySegment propertyName, MemorySegment value);

  MemorySegment g_value_init(MemorySegment value, long gType);

  void g_value_unset(MemorySegment value);

  void g_value_set_boolean(MemorySegment value, int vBoolean);

  int g_value_get_boolean(MemorySegment value);

  void g_value_set_int(MemorySegment value, int vInt);

  int g_value_get_int(MemorySegment value);

  void g_value_set_uint(MemorySegment value, int vUint);

  int g_value_get_uint(MemorySegment value);

  void g_value_set_int64(MemorySegment value, long vInt64);

  long g_value_get_int64(MemorySegment value);

  void g_value_set_uint64(MemorySegment value, long vUint64);

  long g_value_get_uint64(MemorySegment value);

  void g_value_set_double(MemorySegment value, double vDouble);

  double g_value_get_double(MemorySegment value);

  void g_value_set_string(MemorySegment value, MemorySegment vString);

  MemorySegment g_value_get_string(MemorySegment value);

  void g_value_set_enum(MemorySegment value, int vEnum);

  int g_value_get_enum(MemorySegment value);

  void g_value_set_flags(MemorySegment value, int vFlags);

  int g_value_get_flags(MemorySegment value);

  void g_value_set_object(MemorySegment value, MemorySegment vObject);

  MemorySegment g_value_get_object(MemorySegment value);

  // operations
  MemorySegment vips_operation_new(MemorySegment name);

  int vips_object_get_argument(
      MemorySegment object,
      MemorySegment name,
      MemorySegment pspec,
      MemorySegment argumentClass,
      MemorySegment argumentInstance);

  MemorySegment vips_cache_operation_build(MemorySegment operation);

  void vips_object_unref_outputs(MemorySegment object);

  int vips_enum_from_nick(MemorySegment domain, long type, MemorySegment str);

  int vips_flags_from_nick(MemorySegment domain, long type, MemorySegment nick);

  MemorySegment vips_enum_nick(long enm, int value);

  // boxed values
  void vips_value_set_blob_free(MemorySegment value, MemorySegment data, long length);

  MemorySegment vips_value_get_blob(MemorySegment value, MemorySegment length);

  void vips_value_set_array_double(MemorySegment value, MemorySegment array, int n);

  MemorySegment vips_value_get_array_double(MemorySegment value, MemorySegment n);

  void vips_value_set_array_int(MemorySegment value, MemorySegment array, int n);

  MemorySegment vips_value_get_array_int(MemorySegment value, MemorySegment n);

  void vips_value_set_array_image(MemorySegment value, int n);

  MemorySegment vips_value_get_array_image(MemorySegment value, MemorySegment n);

  long vips_image_get_type();

  long vips_blob_get_type();

  long vips_array_double_get_type();

  long vips_array_int_get_type();

  long vips_array_image_get_type();

  // images
  int vips_image_get_width(MemorySegment image);

  int vips_image_get_height(MemorySegment image);

  int vips_image_get_bands(MemorySegment image);

  int vips_image_get_format(MemorySegment image);

  int vips_image_get_interpretation(MemorySegment image);

  int vips_image_get_page_height(MemorySegment image);

  int vips_image_get_n_pages(MemorySegment image);

  int vips_image_hasalpha(MemorySegment image);

  long vips_image_get_typeof(MemorySegment image, MemorySegment name);

  int vips_image_get_int(MemorySegment image, MemorySegment name, MemorySegment out);

  int vips_image_get_double(MemorySegment image, MemorySegment name, MemorySegment out);

  int vips_image_get_string(MemorySegment image, MemorySegment name, MemorySegment out);

  int vips_image_get_blob(
      MemorySegment image, MemorySegment name, MemorySegment data, MemorySegment length);

  MemorySegment vips_image_get_fields(MemorySegment image);

  void vips_image_set_int(MemorySegment image, MemorySegment name, int i);

  void vips_image_set_string(MemorySegment image, MemorySegment name, MemorySegment str);

  int vips_image_remove(MemorySegment image, MemorySegment name);

  MemorySegment vips_image_copy_memory(MemorySegment image);

  void vips_image_set_kill(MemorySegment image, int kill);

  MemorySegment vips_image_new_from_memory_copy(
      MemorySegment data, long size, int width, int height, int bands, int format);

  MemorySegment vips_image_write_to_memory(MemorySegment in, MemorySegment size);

  void g_strfreev(MemorySegment strArray);
}
