package io.framewatch.app.bench;

import io.framewatch.decode.DecodeOutput;
import io.framewatch.proto.Burst;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoEvent;
import java.util.ArrayList;
import java.util.List;

/** Keeps the frames of one decode in memory, with its decoded-frame count and any failure. */
final class FrameCollector implements DecodeOutput {
  private final List<FrameRecord> frames = new ArrayList<>();
  private long decoded;
  private String failure;

  @Override
  public void event(VideoEvent e) {
    if (e.hasEnd()) {
      decoded = e.getEnd().getFramesDecoded();
    }
    if (e.hasFailure()) {
      failure = e.getFailure().getReason();
    }
  }

  @Override
  public void frame(FrameRecord f) {
    frames.add(f);
  }

  @Override
  public void burst(Burst b) { }

  @Override
  public void flush() { }

  List<FrameRecord> frames() {
    return frames;
  }

  long decoded() {
    return decoded;
  }

  /** The failure's reason, or null. */
  String failure() {
    return failure;
  }
}
