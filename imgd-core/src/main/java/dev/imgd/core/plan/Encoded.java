package dev.imgd.core.plan;

import dev.imgd.core.ImageFormat;

/**
 * The result of running a plan, already verified: the encoded bytes and what they hold.
 *
 * @param bytes the encoded image
 * @param format its format
 * @param width its width in pixels
 * @param height its height in pixels (of one frame)
 * @param frames its frames
 */
// A payload handed from the engine to the caller, never compared or used as a key.
@SuppressWarnings("ArrayRecordComponent")
public record Encoded(byte[] bytes, ImageFormat format, int width, int height, int frames) {}
