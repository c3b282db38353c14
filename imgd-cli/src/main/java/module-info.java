/**
 * The {@code imgd} command line (serve, convert, probe, batch, sign, doctor, compare): an
 * application, it exports nothing.
 */
module dev.imgd.cli {
  requires static org.jspecify;
  requires dev.imgd.server;
  requires dev.imgd.vips;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;

  // picocli fills the commands' fields and calls their methods reflectively.
  opens dev.imgd.cli to
      info.picocli;
}
