package dev.imgd.vips;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Stops one job's libvips work from another thread, e.g. when its deadline passes. Images made
 * while the job {@link #run runs} are recorded; {@link #kill} sets libvips' kill flag on those
 * still open, so the threads computing them stop at their next tile (vips_region_prepare checks the
 * flag), and every image or operation the job starts afterwards fails at once. The job ends with a
 * VipsException and closes its images as usual.
 */
public final class KillSwitch {
  private static final ScopedValue<KillSwitch> CURRENT = ScopedValue.newInstance();

  /** The job's open images; an image leaves before its reference is dropped. Guarded by this. */
  private final Set<VipsImage.Ref> images = new HashSet<>();

  private volatile boolean killed;

  /** Runs the job on this thread, with this switch over the images it makes. */
  public <T> T run(Supplier<T> job) {
    return ScopedValue.where(CURRENT, this).call(job::get);
  }

  /** Tells libvips to stop computing the job's images; the job fails soon after. Idempotent. */
  public synchronized void kill() {
    killed = true;
    images.forEach(KillSwitch::setKill);
  }

  public boolean killed() {
    return killed;
  }

  /** Records an image made by the job that runs on this thread, if any. */
  static void adopt(VipsImage.Ref image) {
    KillSwitch current = current();
    if (current != null) {
      image.killSwitch = current;
      current.add(image);
    }
  }

  /** Refuses to start an operation for a job that was killed. */
  static void check(String operation) {
    KillSwitch current = current();
    if (current != null && current.killed) {
      throw new VipsException(operation, "the job was stopped");
    }
  }

  private static @Nullable KillSwitch current() {
    return CURRENT.isBound() ? CURRENT.get() : null;
  }

  private synchronized void add(VipsImage.Ref image) {
    images.add(image);
    if (killed) {
      setKill(image);
    }
  }

  /** Called before the image's reference is dropped, so that kill never touches a freed image. */
  synchronized void release(VipsImage.Ref image) {
    images.remove(image);
  }

  private static void setKill(VipsImage.Ref image) {
    Vips.lib().vips_image_set_kill(image.pointer(), 1);
  }
}
