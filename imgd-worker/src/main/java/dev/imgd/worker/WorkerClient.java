package dev.imgd.worker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/** The server's end of one connection to one worker: sends a request, reads its answer. */
final class WorkerClient implements AutoCloseable {
  private final SocketChannel channel;
  private final DataInputStream in;
  private final DataOutputStream out;

  WorkerClient(SocketChannel channel) {
    this.channel = channel;
    this.in = Wire.input(channel);
    this.out = Wire.output(channel);
  }

  /** The worker's hello, refused unless it carries the token the worker was started with. */
  Wire.Hello hello(String token) throws IOException {
    return Wire.Hello.read(in, token);
  }

  /** One job: the request, then the worker's answer; an IOException means the worker is lost. */
  Wire.Reply ask(Wire.Request request) throws IOException {
    request.write(out);
    out.flush();
    return Wire.Reply.read(in);
  }

  /** Asks the worker to exit; it does not answer. */
  void exit() throws IOException {
    new Wire.Exit().write(out);
    out.flush();
  }

  /** Releases the socket. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a socket to a dead process: nothing to recover
    }
  }
}
