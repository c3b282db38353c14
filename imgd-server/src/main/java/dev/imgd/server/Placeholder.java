package dev.imgd.server;

/** Placeholder until the server lands. */
final class Placeholder {
  private Placeholder() {}
}
