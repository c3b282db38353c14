/**
 * The header probe: a pure-Java reading of an image's header that runs before any byte reaches
 * libvips, so that pixel floods (FM-01), corrupt headers (FM-11) and metadata bombs (FM-17) are
 * refused in milliseconds. {@link dev.imgd.core.probe.Probe} is the entry point; the per-format
 * readers share one bounds-checked reader and one loop-safe TIFF/EXIF parser.
 *
 * <p>The probe works on bytes already in memory: capping the size of a source while reading it
 * (FM-02) is the caller's job.
 */
@NullMarked
package dev.imgd.core.probe;

import org.jspecify.annotations.NullMarked;
