/**
 * The {@code imgd} command line (serve, convert, probe, batch, sign, doctor): an application, it
 * exports nothing.
 */
module dev.imgd.cli {
  requires static org.jspecify;
  requires dev.imgd.server;
  requires dev.imgd.vips;
  requires info.picocli;

  // picocli fills the commands' fields and calls their methods reflectively.
  opens dev.imgd.cli to
      info.picocli;
}
