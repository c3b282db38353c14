package dev.imgd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A process and its descendants (the server and its worker JVMs), measured from /proc: resident
 * memory, threads, open file descriptors and CPU time. A process that exits while it is being read
 * simply drops out of the sample.
 */
final class ProcTree {
  /** Linux clock ticks per second for /proc/[pid]/stat times (USER_HZ, 100 on every x86 build). */
  private static final int TICKS_PER_SECOND = 100;

  private ProcTree() {}

  /**
   * One sample of the tree.
   *
   * @param rss resident bytes of the tree (VmRSS summed)
   * @param rootRss resident bytes of the root process alone
   * @param processes processes in the tree
   * @param threads threads over the tree
   * @param fds open file descriptors over the tree
   * @param cpuSeconds CPU time of the live processes plus the children the root reaped
   */
  record Sample(long rss, long rootRss, int processes, int threads, int fds, double cpuSeconds) {
    static final Sample NONE = new Sample(0, 0, 0, 0, 0, 0);
  }

  static Sample sample(ProcessHandle root) {
    List<Long> pids = new ArrayList<>();
    pids.add(root.pid());
    root.descendants().forEach(p -> pids.add(p.pid()));
    long rss = 0;
    long rootRss = 0;
    int processes = 0;
    int threads = 0;
    int fds = 0;
    long ticks = 0;
    for (long pid : pids) {
      Path proc = Path.of("/proc", Long.toString(pid));
      try {
        long processRss = 0;
        for (String line : Files.readAllLines(proc.resolve("status"))) {
          if (line.startsWith("VmRSS:")) {
            processRss = kilobytes(line) * 1024;
          } else if (line.startsWith("Threads:")) {
            threads += (int) kilobytes(line);
          }
        }
        rss += processRss;
        if (pid == root.pid()) {
          rootRss = processRss;
        }
        String stat = Files.readString(proc.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the name: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (pid == root.pid()) {
          ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        try (Stream<Path> open = Files.list(proc.resolve("fd"))) {
          fds += (int) open.count();
        }
        processes++;
      } catch (IOException | RuntimeException e) {
        // the process ended between the listing and the read
      }
    }
    return new Sample(rss, rootRss, processes, threads, fds, ticks / (double) TICKS_PER_SECOND);
  }

  private static long kilobytes(String statusLine) {
    return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
  }

  /** Whether {@code pid} holds a listening TCP socket on {@code port} (IPv4 or IPv6). */
  static boolean listensOn(long pid, int port) {
    List<String> inodes = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    } catch (IOException e) {
      return false;
    }
    String hexPort = ":%04X".formatted(port);
    for (String table : List.of("tcp", "tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table))) {
          String[] f = line.trim().split("\\s+");
          // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
          if (f.length > 9
              && f[1].endsWith(hexPort)
              && f[3].equals("0A")
              && inodes.contains(f[9])) {
            return true;
          }
        }
      } catch (IOException e) {
        // no such table
      }
    }
    return false;
  }

  /** The 1-minute load average and the number of cores, for the record next to any figure. */
  static String load() {
    try {
      String avg = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
      return "load average " + avg + " on " + Runtime.getRuntime().availableProcessors() + " cores";
    } catch (IOException e) {
      return "load average unknown";
    }
  }

  /**
   * TCP connection attempts dropped because a listen queue was full, machine-wide (TcpExt
   * ListenDrops in /proc/net/netstat); -1 when unknown.
   */
  static long listenDrops() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
          List<String> names = List.of(lines.get(i).split(" "));
          String[] values = lines.get(i + 1).split(" ");
          int at = names.indexOf("ListenDrops");
          return at < 0 ? -1 : Long.parseLong(values[at]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or another layout
    }
    return -1;
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
