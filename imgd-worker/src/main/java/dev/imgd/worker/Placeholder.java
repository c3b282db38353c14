package dev.imgd.worker;

/** Placeholder until the worker lands. */
final class Placeholder {
  private Placeholder() {}
}
