package dev.imgd.server.settings;

/** A setting with a value that is not allowed; the message is one line naming it. */
final class SettingException extends IllegalArgumentException {
  SettingException(String message) {
    super(message);
  }
}
