package conformance;

/** One input step of a scenario: a record piped into a topic, or wall-clock time moving forward. */
public record Step(String kind, String topic, String key, String value, long timestamp, long advanceMs) {
  public static Step pipe(String topic, String key, String value, long timestamp) {
    return new Step("pipe", topic, key, value, timestamp, 0);
  }

  public static Step advanceWallClock(long ms) {
    return new Step("advanceWallClock", null, null, null, 0, ms);
  }
}
