package io.framewatch.ingest;

import io.framewatch.ingest.view.VideoDetail;
import io.framewatch.proto.Alert;
import io.framewatch.topic.ProtoJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The public JSON of one video in detail: {@link VerdictJson} plus
 * {@code "timeline": {"tracks": [{"id", "points": [[seconds, pFake|null, sampleIndex], ...]}]}}
 * (each track's points in time order) and {@code "alerts"}: every retained alert transition of
 * the video, oldest first, each as {@link ProtoJson} prints it.
 */
public final class DetailJson {
  private DetailJson() {}

  /** Renders a video's verdict, timeline and alerts. */
  public static JsonObject of(VideoDetail d) {
    JsonArray tracks = new JsonArray();
    for (VideoDetail.Track t : d.tracks()) {
      JsonArray points = new JsonArray();
      for (VideoDetail.Point p : t.points()) {
        points.add(new JsonArray().add(p.ptsUs() / 1e6)
            // via the float's own decimal form: 0.9f, not 0.8999999761581421
            .add(Float.isNaN(p.pFake()) ? null : Double.parseDouble(Float.toString(p.pFake())))
            .add(p.sampleIndex()));
      }
      tracks.add(new JsonObject().put("id", t.id()).put("points", points));
    }
    return VerdictJson.of(d.verdict())
        .put("timeline", new JsonObject().put("tracks", tracks))
        .put("alerts", alerts(d.alerts()));
  }

  /** Alert transitions as a JSON array of {@link ProtoJson} objects. */
  public static JsonArray alerts(List<Alert> alerts) {
    JsonArray out = new JsonArray();
    for (Alert a : alerts) {
      out.add(new JsonObject(ProtoJson.print(a)));
    }
    return out;
  }
}
