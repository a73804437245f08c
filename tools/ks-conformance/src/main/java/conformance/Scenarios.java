package conformance;

import java.util.ArrayList;
import java.util.List;

/** Every scenario; each area adds its list here. */
final class Scenarios {
  static List<Scenario> all() {
    List<Scenario> all = new ArrayList<>();
    all.addAll(AggregationScenarios.all());
    all.addAll(StreamJoinScenarios.all());
    all.addAll(SessionScenarios.all());
    all.addAll(TableJoinScenarios.all());
    all.addAll(ForeignKeyJoinScenarios.all());
    all.addAll(NullScenarios.all());
    all.addAll(PunctuationScenarios.all());
    all.addAll(ResultTimestampScenarios.all());
    all.addAll(SuppressScenarios.all());
    all.addAll(CogroupScenarios.all());
    all.addAll(SlidingScenarios.all());
    return all;
  }
}
