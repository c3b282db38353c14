package dev.imgd.server;

import dev.imgd.core.plan.Plan;

/**
 * The one seam for fault injection: called before each image is processed, after its memory is
 * reserved. Production runs {@link #NONE}; a test installs one that sleeps (a hung engine) or
 * throws (a failing encoder, FM-19) through {@code ImgdServer.start(settings, faults)}.
 */
@FunctionalInterface
interface Faults {
  Faults NONE = plan -> {};

  void beforeRun(Plan plan);
}
