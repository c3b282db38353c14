package dev.imgd.core.options;

import java.util.List;

/**
 * One processing option as the option table documents it, for tools that show the options (the
 * server's playground builds its controls from these): the table stays the one place that lists
 * them.
 *
 * @param name the full name
 * @param aliases its other names
 * @param args the arguments, ':'-separated, e.g. {@code width:height:enlarge}
 * @param maxArgs how many arguments it takes at most; -1 for a list of any length
 * @param emptyKeeps whether an empty argument keeps the current value
 * @param example arguments that change the defaults; empty if none
 * @param doc what the option does, one line
 */
public record OptionReference(
    String name,
    List<String> aliases,
    String args,
    int maxArgs,
    boolean emptyKeeps,
    String example,
    String doc) {
  private static final List<OptionReference> ALL =
      OptionTable.options().stream()
          .map(o ->
              new OptionReference(
                  o.name(),
                  o.names().subList(1, o.names().size()),
                  o.args(),
                  o.maxArgs() == OptionTable.ANY ? -1 : o.maxArgs(),
                  o.emptyKeeps(),
                  o.example(),
                  o.doc()))
          .toList();

  public OptionReference {
    aliases = List.copyOf(aliases);
  }

  /** Every option the parser takes, in the table's order. */
  public static List<OptionReference> all() {
    return ALL;
  }
}
