package dev.imgd.vips;

/**
 * libvips' own accounting of native memory and files, which the JVM cannot see (FM-04).
 *
 * @param memory bytes libvips has allocated through its tracked allocator and not freed yet
 * @param memoryHighwater the largest value {@code memory} has reached since start
 * @param allocations live tracked allocations
 * @param openFiles files libvips holds open
 */
public record VipsStats(long memory, long memoryHighwater, int allocations, int openFiles) {}
