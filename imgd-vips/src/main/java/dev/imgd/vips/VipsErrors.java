package dev.imgd.vips;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Each failed call's own libvips error text. libvips keeps one error buffer for the whole process
 * (8.14 and 8.18 alike: {@code vips_error} appends under a global lock, {@code
 * vips_error_buffer_copy} copies and clears under it); a call that cleared it before running wiped
 * the message of a call failing on another thread ("unknown libvips error", issue 17). Here the
 * buffer is never cleared, only moved, copy and clear in one step, into a journal of numbered
 * lines: a call marks the journal before it runs and, if it fails, reads every line logged since.
 * No line is lost to another thread; a call failing while another fails too reads both messages.
 */
@SuppressWarnings("restricted") // FFM: reads the C string libvips copied
final class VipsErrors {
  static final String UNKNOWN = "unknown libvips error";

  /** Lines kept for calls still running: far more than calls that fail side by side. */
  private static final int KEPT = 512;

  private static final ArrayDeque<String> journal = new ArrayDeque<>();

  /** How many lines the journal has taken in all; its last line's number. */
  private static long taken;

  private VipsErrors() {}

  /** Where the journal stands before a call: its failure reads the lines logged after this. */
  static synchronized long mark(Lib l) {
    drain(l);
    return taken;
  }

  /** The lines logged since {@code mark} (the failed call's own and any concurrent failure's). */
  static synchronized String since(Lib l, long mark) {
    drain(l);
    List<String> lines = new ArrayList<>();
    long n = taken - journal.size();
    for (String line : journal) {
      if (++n > mark) {
        lines.add(line);
      }
    }
    // Errors can pile up (one per tile); keep the first few lines, de-duplicated.
    List<String> first = lines.stream().distinct().limit(4).toList();
    return first.isEmpty() ? UNKNOWN : String.join("; ", first);
  }

  /** Moves the buffer's lines into the journal. */
  private static void drain(Lib l) {
    MemorySegment copy = l.vips_error_buffer_copy();
    if (copy.equals(MemorySegment.NULL)) {
      return;
    }
    try {
      String text = copy.reinterpret(64 * 1024).getString(0);
      text.lines()
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .forEach(line -> {
            journal.addLast(line);
            taken++;
          });
      while (journal.size() > KEPT) {
        journal.removeFirst();
      }
    } finally {
      l.g_free(copy);
    }
  }
}
