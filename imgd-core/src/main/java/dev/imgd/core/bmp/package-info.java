/**
 * imgd's own BMP and ICO codec: no libvips build imgd runs lets these formats near untrusted bytes
 * (libvips 8.14 reads them only through ImageMagick), and both are simple containers. {@link
 * dev.imgd.core.bmp.Dib} reads a bitmap's header (for the probe and the decoder alike), {@link
 * dev.imgd.core.bmp.Icon} an icon's directory, {@link dev.imgd.core.bmp.BmpDecoder} the pixels, and
 * {@link dev.imgd.core.bmp.BmpEncoder} writes both formats.
 *
 * <p>Every read is bounds-checked against the data, and the decoder allocates only the size the
 * header declared, which the probe has held to the limits before: a truncated or lying file is
 * {@link dev.imgd.core.ErrorCode#CORRUPT_IMAGE}, never an exception or an overrun.
 */
@NullMarked
package dev.imgd.core.bmp;

import org.jspecify.annotations.NullMarked;
