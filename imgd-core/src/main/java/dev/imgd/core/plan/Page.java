package dev.imgd.core.plan;

/**
 * A measured page of a vector document: its size in units at scale 1 (72 dpi), and the document's
 * page count.
 */
public record Page(int width, int height, int pages) {}
